import Foundation
import Testing

@testable import Capture

/// Text inputs (flow logs): lines in order across buffer refills, line ends, the line limit with a
/// bounded buffer, gzip, and inputs opened once for whichever reader the content needs.
@Suite("text input")
struct TextInputTests {
  /// Lines of varied lengths (some empty, some with CRLF), deterministic.
  static func sampleLines(count: Int) -> [String] {
    var state: UInt64 = 42
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 33
    }
    return (0..<count).map { i in
      let length = Int(next() % 300)
      return "\(i):" + String(repeating: Character(Unicode.Scalar(UInt8(97 + i % 26))), count: length)
    }
  }

  static func readLines(_ input: TextInput, maximumLength: Int) -> (lines: [String], skipped: [Int: Int]) {
    var lines: [String] = []
    var skipped: [Int: Int] = [:]
    let ended = input.forEachLine(maximumLength: maximumLength) { line in
      if let length = line.skippedLength {
        skipped[line.number] = length
        lines.append("")
      } else {
        lines.append(String(decoding: line.bytes, as: UTF8.self))
      }
      #expect(line.number == lines.count)
      return true
    }
    #expect(ended)
    return (lines, skipped)
  }

  @Test("lines across refills, LF and CRLF, no final line end", arguments: [false, true])
  func linesInOrder(gzipped: Bool) throws {
    let lines = Self.sampleLines(count: 8000)
    var text = ""
    for (i, line) in lines.enumerated() { text += line + (i % 7 == 0 ? "\r\n" : "\n") }
    text += "last line without an end"
    let directory = try TempDirectory()
    var path = try directory.write("lines.txt", Array(text.utf8))
    if gzipped { path = try gzip(path) }
    let input = try TextInput(path: path)
    #expect(input.compressed == gzipped)
    #expect(input.head(5) == Array("0:".utf8) + Array(lines[0].utf8.dropFirst(2).prefix(3)))
    let (read, skipped) = Self.readLines(input, maximumLength: 1 << 16)
    #expect(skipped.isEmpty)
    #expect(read == lines + ["last line without an end"])
    #expect(input.damage == nil)
    #expect(input.byteOffset == Int64(text.utf8.count))
  }

  @Test("lines over the limit are skipped by length and the buffer stays bounded")
  func overlongLines() throws {
    let limit = 1 << 16
    let giant = 6 << 20
    var text = "first\n"
    text += String(repeating: "x", count: giant) + "\n"
    text += "third\n"
    text += String(repeating: "y", count: limit) + "\r\n"  // exactly the limit: read
    text += String(repeating: "z", count: limit + 1) + "\n"  // one over: skipped
    text += "last"
    let directory = try TempDirectory()
    let input = try TextInput(path: try directory.write("long.txt", Array(text.utf8)))
    let (read, skipped) = Self.readLines(input, maximumLength: limit)
    #expect(read.count == 6)
    #expect(read[0] == "first" && read[2] == "third" && read[5] == "last")
    #expect(read[3].count == limit)
    #expect(skipped == [2: giant, 5: limit + 1])
    // The six-megabyte line never had to fit: the buffer is a few times the limit at most.
    #expect(input.capacity <= 4 * (limit + TextInput.chunkLength))
  }

  @Test("chunks give the content unchanged, head does not consume")
  func chunks() throws {
    let bytes = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let directory = try TempDirectory()
    let input = try TextInput(path: try directory.write("bytes", bytes))
    #expect(input.head(10) == Array(bytes.prefix(10)))
    #expect(input.head(100_000) == Array(bytes.prefix(100_000)))
    var collected: [UInt8] = []
    while let chunk = input.nextChunk() { collected += chunk }
    #expect(collected == bytes)
    #expect(input.damage == nil)
  }

  @Test("a cut gzip stream is damage with the decompressed offset")
  func cutGzip() throws {
    let text = Self.sampleLines(count: 20000).joined(separator: "\n")
    let directory = try TempDirectory()
    let compressed = try readBytes(try gzip(try directory.write("t", Array(text.utf8))))
    let cut = try directory.write("cut.gz", Array(compressed.prefix(compressed.count / 2)))
    let input = try TextInput(path: cut)
    let (read, _) = Self.readLines(input, maximumLength: 1 << 16)
    #expect(read.count > 100 && read.count < 20000)
    let damage = try #require(input.damage)
    #expect(damage.kind == .corruptCompression)
    #expect(damage.description.hasPrefix("\(cut): decompressed byte offset "))
  }

  @Test("an opened input knows a capture from text")
  func openedInputClassifies() throws {
    let directory = try TempDirectory()
    let capture = try directory.write("c.pcap", Samples.Variant.pcapLittle.bytes)
    let text = try directory.write("t.log", Array("2 123 eni-1 5.8.1.1 10.0.0.1 1 2 6 1 40 1 2 ACCEPT OK\n".utf8))
    let tiny = try directory.write("tiny", Array("a\n".utf8))
    let empty = try directory.write("empty", [])
    let cutPcapng = try directory.write("cut.pcapng", Array(Samples.Variant.pcapngLittle.bytes.prefix(6)))
    #expect(try OpenedInput(path: capture).isCapture)
    #expect(try OpenedInput(path: capture).captureFormat == .pcap)
    #expect(try OpenedInput(path: try gzip(capture)).isCapture)
    #expect(try !OpenedInput(path: text).isCapture)
    #expect(try !OpenedInput(path: tiny).isCapture)
    #expect(try !OpenedInput(path: empty).isCapture)
    #expect(try OpenedInput(path: cutPcapng).isCapture)
    let opened = try OpenedInput(path: text)
    let input = try opened.textInput()
    #expect(Self.readLines(input, maximumLength: 100).lines.count == 1)
    #expect(throws: CaptureError.self) { try opened.textInput() }
  }
}

extension StandardInputTests {
  /// Replaces descriptor 0 with a pipe fed `bytes` while `body` opens standard input.
  func withStandardInput<T>(_ bytes: [UInt8], _ body: () throws -> T) throws -> T {
    let readEnd = try pipeFeeding(bytes)
    defer { close(readEnd) }
    let saved = dup(STDIN_FILENO)
    dup2(readEnd, STDIN_FILENO)
    defer {
      dup2(saved, STDIN_FILENO)
      close(saved)
    }
    return try body()
  }

  @Test("standard input classified once, then read by the capture reader from its start")
  func standardInputHandedOver() throws {
    for compress in [false, true] {
      var bytes = Samples.Variant.pcapngBig.bytes
      if compress {
        let directory = try TempDirectory()
        bytes = try readBytes(try gzip(try directory.write("s", bytes)))
      }
      let reader = try withStandardInput(bytes) { () throws -> CaptureFileReader in
        let opened = try OpenedInput(path: "-")
        #expect(opened.isCapture)
        opened.handOverToCaptureReader()
        return try CaptureFileReader(path: "-")
      }
      #expect(reader.compressed == compress)
      let (packets, status) = try readAll(reader)
      Samples.check(packets, status, .pcapngBig)
    }
  }

  @Test("standard input read as text after it was classified")
  func standardInputAsText() throws {
    let text = TextInputTests.sampleLines(count: 3000).joined(separator: "\n") + "\n"
    let input = try withStandardInput(Array(text.utf8)) { () throws -> TextInput in
      let opened = try OpenedInput(path: "-")
      #expect(!opened.isCapture)
      return try opened.textInput()
    }
    #expect(input.name == "-")
    #expect(TextInputTests.readLines(input, maximumLength: 1 << 16).lines == TextInputTests.sampleLines(count: 3000))
  }
}
