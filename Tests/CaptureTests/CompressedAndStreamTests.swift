import Capture
import Foundation
import NetCore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Sample files of every container variant, with the packets they hold.
enum Samples {
  static let packets: [TestPacket] = (0..<300).map {
    TestPacket(
      seconds: 1_700_000_000 + UInt32($0 / 10), fraction: UInt32($0 * 1001),
      data: sampleData($0, length: 40 + ($0 * 37) % 1400))
  }

  enum Variant: String, CaseIterable, CustomTestStringConvertible {
    case pcapLittle, pcapBigNano, pcapngLittle, pcapngBig
    var testDescription: String { rawValue }

    var format: CaptureFormat {
      switch self {
      case .pcapLittle: .pcap
      case .pcapBigNano: .pcapNanosecond
      case .pcapngLittle, .pcapngBig: .pcapng
      }
    }

    var bytes: [UInt8] {
      switch self {
      case .pcapLittle, .pcapBigNano:
        var writer = PcapWriter(bigEndian: self == .pcapBigNano, nanosecond: self == .pcapBigNano)
        for packet in Samples.packets { writer.add(packet) }
        return writer.bytes
      case .pcapngLittle, .pcapngBig:
        var writer = PcapngWriter(bigEndian: self == .pcapngBig)
        writer.sectionHeader()
        writer.interface(linkType: 1, tsresol: 9)
        for packet in Samples.packets {
          writer.enhancedPacket(
            interface: 0, units: UInt64(packet.seconds) * 1_000_000_000 + UInt64(packet.fraction), data: packet.data)
        }
        return writer.bytes
      }
    }

    /// The timestamp each packet should read back with.
    func nanoseconds(_ packet: TestPacket) -> Int64 {
      Int64(packet.seconds) * 1_000_000_000 + Int64(packet.fraction) * (self == .pcapLittle ? 1000 : 1)
    }
  }

  static func check(
    _ packets: [ReadPacket], _ status: ReadStatus, _ variant: Variant,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(status.records == Samples.packets.count, sourceLocation: sourceLocation)
    #expect(status.damage == nil, sourceLocation: sourceLocation)
    #expect(packets.count == Samples.packets.count, sourceLocation: sourceLocation)
    for (packet, expected) in zip(packets, Samples.packets)
    where packet.bytes != expected.data
      || packet.info.timestamp.nanoseconds != variant.nanoseconds(expected)
    {
      Issue.record("record \(packet.info.recordNumber) differs", sourceLocation: sourceLocation)
      break
    }
  }
}

/// Reads every packet from a reader.
func readAll(_ reader: CaptureFileReader) throws -> ([ReadPacket], ReadStatus) {
  var packets: [ReadPacket] = []
  let status = try reader.forEachPacket { bytes, info in
    packets.append(ReadPacket(info: info, bytes: Array(bytes)))
    return true
  }
  return (packets, status)
}

/// Writes `bytes` into a pipe from another thread and returns the read end (to be closed by the caller).
func pipeFeeding(_ bytes: [UInt8]) throws -> Int32 {
  var ends: [Int32] = [0, 0]
  guard pipe(&ends) == 0 else { throw POSIXError(.EIO) }
  let (readEnd, writeEnd) = (ends[0], ends[1])
  Thread.detachNewThread {
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
        if written <= 0 { break }
        offset += written
      }
    }
    close(writeEnd)
  }
  return readEnd
}

@Suite("gzip and streams")
struct CompressedAndStreamTests {
  @Test("gzip of each format reads like the plain file", arguments: Samples.Variant.allCases)
  func gzipVariants(variant: Samples.Variant) throws {
    let directory = try TempDirectory()
    let plain = try directory.write("sample", variant.bytes)
    let compressed = try gzip(plain)

    let (plainReader, plainPackets, plainStatus) = try readAll(plain)
    #expect(plainReader.format == variant.format && !plainReader.compressed)
    Samples.check(plainPackets, plainStatus, variant)

    let (reader, packets, status) = try readAll(compressed)
    #expect(reader.format == variant.format)
    #expect(reader.compressed)
    #expect(reader.linkTypes == [1])
    Samples.check(packets, status, variant)
  }

  @Test("a cut gzip file reports damage wherever it is cut", arguments: [Samples.Variant.pcapLittle, .pcapngBig])
  func gzipCut(variant: Samples.Variant) throws {
    let directory = try TempDirectory()
    let compressed = try readBytes(gzip(try directory.write("sample", variant.bytes)))
    let path = directory.file("cut.gz")
    var cuts = Array(stride(from: 2, to: compressed.count, by: max(1, compressed.count / 97)))
    cuts += [compressed.count / 2, compressed.count - 1, compressed.count - 4, compressed.count - 8]
    for length in cuts {
      try directory.write("cut.gz", Array(compressed.prefix(length)))
      do {
        let (reader, packets, status) = try readAll(path)
        #expect(reader.compressed)
        let damage = try #require(status.damage, "cut at \(length)")
        #expect(packets.count < Samples.packets.count || length >= compressed.count - 8, "cut at \(length)")
        #expect(damage.recordNumber == packets.count + 1, "cut at \(length)")
        #expect([.truncatedRecord, .corruptCompression].contains(damage.kind), "cut at \(length): \(damage)")
        #expect(damage.description.contains("decompressed byte offset"), "\(damage)")
        expectOneLine(damage, naming: path)
        #expect(packets.map(\.bytes) == Samples.packets.prefix(packets.count).map(\.data))
      } catch let error as CaptureError {
        // Cut inside the gzip or capture header: nothing could be read.
        #expect(length < 200, "cut at \(length): \(error)")
        expectOneLine(error, naming: path)
      }
    }
  }

  @Test("corrupt gzip data is damage, never a crash")
  func gzipCorrupt() throws {
    let directory = try TempDirectory()
    let compressed = try readBytes(gzip(try directory.write("sample", Samples.Variant.pcapLittle.bytes)))
    let path = directory.file("corrupt.gz")
    for position in stride(from: 20, to: compressed.count, by: compressed.count / 13) {
      var bytes = compressed
      bytes[position] ^= 0x5a
      try directory.write("corrupt.gz", bytes)
      do {
        let (_, packets, status) = try readAll(path)
        #expect(status.damage != nil, "corrupted at \(position)")
        #expect(packets.count <= Samples.packets.count)
        if let damage = status.damage { expectOneLine(damage, naming: path) }
      } catch let error as CaptureError {
        expectOneLine(error, naming: path)
      }
    }
    // gzip magic followed by garbage.
    let garbage = try directory.write("garbage.gz", [0x1f, 0x8b] + [UInt8](repeating: 0x41, count: 40))
    let error = try #require(openError(garbage))
    #expect(error.kind == .corruptCompression)
    expectOneLine(error, naming: garbage)
  }

  @Test(
    "reading from a pipe, plain and gzip",
    arguments: Samples.Variant.allCases, [false, true])
  func pipeInput(variant: Samples.Variant, compress: Bool) throws {
    let directory = try TempDirectory()
    let plain = try directory.write("sample", variant.bytes)
    let bytes = compress ? try readBytes(gzip(plain)) : variant.bytes
    let readEnd = try pipeFeeding(bytes)
    defer { close(readEnd) }
    let reader = try CaptureFileReader(fileDescriptor: readEnd, name: "pipe")
    #expect(reader.format == variant.format)
    #expect(reader.compressed == compress)
    #expect(reader.path == "pipe")
    let (packets, status) = try readAll(reader)
    Samples.check(packets, status, variant)
  }

  @Test("a cut capture on a pipe reports the record and the stream offset")
  func pipeCut() throws {
    let bytes = Samples.Variant.pcapLittle.bytes
    let boundaries = PcapWriter.recordBoundaries(packets: Samples.packets)
    let readEnd = try pipeFeeding(Array(bytes.prefix(boundaries[100] + 10)))
    defer { close(readEnd) }
    let reader = try CaptureFileReader(fileDescriptor: readEnd, name: "pipe")
    let (packets, status) = try readAll(reader)
    #expect(packets.count == 100)
    let damage = try #require(status.damage)
    #expect(damage.recordNumber == 101)
    #expect(damage.byteOffset == Int64(boundaries[100]))
    #expect(
      damage.description.hasPrefix(
        "pipe: record 101 (byte offset \(boundaries[100])): truncated record: record header is 10 of 16 bytes"))
  }
}

/// These tests replace descriptor 0 for a moment, so they run one at a time.
@Suite("Standard input", .serialized)
struct StandardInputTests {
  @Test("standard input as \"-\"")
  func standardInput() throws {
    let readEnd = try pipeFeeding(Samples.Variant.pcapngLittle.bytes)
    defer { close(readEnd) }
    // The reader takes its own duplicate of descriptor 0 when it opens, so 0 is restored right after.
    let saved = dup(STDIN_FILENO)
    dup2(readEnd, STDIN_FILENO)
    let opened = Result { () throws(CaptureError) in try CaptureFileReader(path: "-") }
    dup2(saved, STDIN_FILENO)
    close(saved)
    let reader = try opened.get()
    #expect(reader.path == "-")
    #expect(reader.format == .pcapng)
    let (packets, status) = try readAll(reader)
    Samples.check(packets, status, .pcapngLittle)
  }

  @Test("standard input redirected from a regular file, already read up to the capture")
  func standardInputFromFile() throws {
    let directory = try TempDirectory()
    let path = try directory.write("prefixed", Array("junk!".utf8) + Samples.Variant.pcapLittle.bytes)
    let file = open(path, O_RDONLY)
    defer { close(file) }
    #expect(lseek(file, 5, SEEK_SET) == 5)
    let saved = dup(STDIN_FILENO)
    dup2(file, STDIN_FILENO)
    let opened = Result { () throws(CaptureError) in try CaptureFileReader(path: "-") }
    dup2(saved, STDIN_FILENO)
    close(saved)
    let reader = try opened.get()
    #expect(reader.format == .pcap)
    let (packets, status) = try readAll(reader)
    Samples.check(packets, status, .pcapLittle)
  }

  @Test("an empty standard input names <stdin>")
  func emptyStandardInput() throws {
    let readEnd = try pipeFeeding([])
    defer { close(readEnd) }
    let saved = dup(STDIN_FILENO)
    dup2(readEnd, STDIN_FILENO)
    let error = openError("-")
    dup2(saved, STDIN_FILENO)
    close(saved)
    #expect(error?.description == "<stdin>: not a packet capture (empty file)")
  }
}

@Suite("Content detection")
struct InputSnifferTests {
  @Test(
    "magic numbers",
    arguments: [
      ([0xa1, 0xb2, 0xc3, 0xd4], SniffedContent.capture(.pcap, bigEndian: true)),
      ([0xd4, 0xc3, 0xb2, 0xa1], .capture(.pcap, bigEndian: false)),
      ([0xa1, 0xb2, 0x3c, 0x4d], .capture(.pcapNanosecond, bigEndian: true)),
      ([0x4d, 0x3c, 0xb2, 0xa1], .capture(.pcapNanosecond, bigEndian: false)),
      ([0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a], .capture(.pcapng, bigEndian: false)),
      ([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d], .capture(.pcapng, bigEndian: true)),
      ([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4e], .unknown),
      ([0x0a, 0x0d, 0x0d, 0x0a, 0, 0], .tooShort),
      ([0x1f, 0x8b], .gzip),
      ([0x48, 0x65, 0x6c, 0x6c, 0x6f], .unknown),
      ([0xa1], .tooShort),
    ] as [([UInt8], SniffedContent)])
  func sniff(prefix: [UInt8], expected: SniffedContent) {
    #expect(InputSniffer.sniff(prefix: prefix) == expected)
  }

  @Test func hex() {
    #expect(InputSniffer.hex([0x48, 0x65, 0x0c, 0xff]) == "48 65 0c ff")
    #expect(InputSniffer.hex([]) == "")
  }
}
