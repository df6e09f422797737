import Capture
import Foundation
import NetCore
import Testing

/// Every error description is one line that names the file.
func expectOneLine(_ error: CaptureError, naming path: String, sourceLocation: SourceLocation = #_sourceLocation) {
  let text = error.description
  #expect(!text.contains("\n"), "\(text)", sourceLocation: sourceLocation)
  #expect(text.hasPrefix(path + ": "), "\(text)", sourceLocation: sourceLocation)
}

@Suite("Damaged and foreign inputs")
struct DamagedInputTests {
  static let packets: [TestPacket] = (0..<5).map {
    TestPacket(seconds: 1_700_000_000 + UInt32($0), fraction: UInt32($0), data: sampleData($0, length: 20 + 7 * $0))
  }

  @Test("a missing file and a directory")
  func missingAndDirectory() throws {
    let directory = try TempDirectory()
    let missing = directory.file("missing.pcap")
    let notFound = try #require(openError(missing))
    #expect(notFound.kind == .notFound)
    #expect(notFound.description == "\(missing): no such file")

    let unreadable = try #require(openError(directory.path))
    #expect(unreadable.kind == .unreadable)
    expectOneLine(unreadable, naming: directory.path)
  }

  @Test("an empty file, a text file, a pcap with a wrong magic number")
  func notCaptures() throws {
    let directory = try TempDirectory()
    let empty = try directory.write("empty.pcap", [])
    let emptyError = try #require(openError(empty))
    #expect(emptyError.kind == .notACapture)
    #expect(emptyError.description == "\(empty): not a packet capture (empty file)")

    let text = try directory.write("x.txt", Array("Hello, world\nsecond line\n".utf8))
    let textError = try #require(openError(text))
    #expect(textError.kind == .notACapture)
    #expect(textError.description == "\(text): not a packet capture (first bytes 48 65 6c 6c 6f 2c 20 77)")

    var writer = PcapWriter()
    writer.add(Self.packets[0])
    var bytes = writer.bytes
    bytes[3] = 0xa2
    let badMagic = try directory.write("bad-magic.pcap", bytes)
    let badMagicError = try #require(openError(badMagic))
    #expect(badMagicError.kind == .notACapture)
    #expect(badMagicError.description == "\(badMagic): not a packet capture (first bytes d4 c3 b2 a2 02 00 04 00)")

    let short = try directory.write("short.bin", [0x01, 0x02])
    #expect(openError(short)?.kind == .notACapture)
  }

  @Test("a pcapng section header with a wrong byte-order magic")
  func pcapngBadMagic() throws {
    let directory = try TempDirectory()
    var writer = PcapngWriter()
    writer.sectionHeader()
    writer.interface(linkType: 1)
    var bytes = writer.bytes
    bytes[8] = 0x00
    let path = try directory.write("bom.pcapng", bytes)
    let error = try #require(openError(path))
    #expect(error.kind == .badMagic)
    #expect(
      error.description
        == "\(path): block 1 (byte offset 0): bad magic: section header byte-order magic is 00 3c 2b 1a, not 1a 2b 3c 4d"
    )

    // The same in a second section: damage after the first section's packets.
    var good = PcapngWriter()
    good.sectionHeader()
    good.interface(linkType: 1)
    good.enhancedPacket(interface: 0, units: 1, data: sampleData(0, length: 30))
    let second = try directory.write("bom2.pcapng", good.bytes + bytes)
    let (_, _, status) = try readAll(second)
    #expect(status.records == 1)
    #expect(status.damage?.kind == .badMagic)
    #expect(status.damage?.blockNumber == 4)
    #expect(status.damage?.byteOffset == Int64(good.bytes.count))
  }

  @Test("unsupported versions")
  func unsupportedVersions() throws {
    let directory = try TempDirectory()
    var pcap = PcapWriter()
    pcap.bytes[4] = 3  // major version 3
    let pcapPath = try directory.write("v3.pcap", pcap.bytes)
    let pcapError = try #require(openError(pcapPath))
    #expect(pcapError.kind == .unsupported)
    expectOneLine(pcapError, naming: pcapPath)

    var pcapng = PcapngWriter()
    pcapng.sectionHeader(major: 2)
    let pcapngPath = try directory.write("v2.pcapng", pcapng.bytes)
    let pcapngError = try #require(openError(pcapngPath))
    #expect(pcapngError.kind == .unsupported)
    #expect(pcapngError.description == "\(pcapngPath): block 1 (byte offset 0): unsupported: pcapng version 2.0")
  }

  @Test("pcap cut at every byte offset up to the end of the third record", arguments: [false, true])
  func pcapCutEverywhere(bigEndian: Bool) throws {
    let directory = try TempDirectory()
    var writer = PcapWriter(bigEndian: bigEndian, nanosecond: bigEndian)
    for packet in Self.packets { writer.add(packet) }
    let boundaries = PcapWriter.recordBoundaries(packets: Self.packets)
    let path = directory.file("cut.pcap")
    for length in 0...boundaries[3] {
      try directory.write("cut.pcap", Array(writer.bytes.prefix(length)))
      if length < 24 {
        let error = try #require(openError(path), "length \(length)")
        #expect(error.kind == (length < 4 ? .notACapture : .truncatedHeader), "length \(length)")
        expectOneLine(error, naming: path)
        continue
      }
      let complete = boundaries.dropFirst().filter { $0 <= length }.count
      let (_, read, status) = try readAll(path)
      #expect(status.records == complete, "length \(length)")
      #expect(read.count == complete, "length \(length)")
      #expect(read.map(\.bytes) == Self.packets.prefix(complete).map(\.data))
      if boundaries.contains(length) {
        #expect(status.damage == nil, "length \(length)")
      } else {
        let damage = try #require(status.damage, "length \(length)")
        #expect(damage.kind == .truncatedRecord, "length \(length)")
        #expect(damage.recordNumber == complete + 1, "length \(length)")
        #expect(damage.byteOffset == Int64(boundaries[complete]), "length \(length)")
        #expect(damage.blockNumber == nil)
        expectOneLine(damage, naming: path)
        #expect(
          damage.description.hasPrefix(
            "\(path): record \(complete + 1) (byte offset \(boundaries[complete])): truncated record: "))
      }
    }
  }

  @Test("pcapng cut at every byte offset up to the end of the third packet block", arguments: [false, true])
  func pcapngCutEverywhere(bigEndian: Bool) throws {
    let directory = try TempDirectory()
    var writer = PcapngWriter(bigEndian: bigEndian)
    writer.sectionHeader()
    writer.interface(linkType: 1)
    for (index, packet) in Self.packets.enumerated() {
      writer.enhancedPacket(interface: 0, units: UInt64(index), data: packet.data)
    }
    let boundaries = writer.blockOffsets + [writer.bytes.count]
    let sectionLength = boundaries[1]
    let path = directory.file("cut.pcapng")
    for length in 0...boundaries[5] {
      try directory.write("cut.pcapng", Array(writer.bytes.prefix(length)))
      if length < sectionLength {
        let error = try #require(openError(path), "length \(length)")
        #expect(error.kind == (length < 4 ? .notACapture : .truncatedHeader), "length \(length)")
        expectOneLine(error, naming: path)
        continue
      }
      let completeBlocks = boundaries.dropFirst().filter { $0 <= length }.count
      let complete = max(0, completeBlocks - 2)
      let (_, read, status) = try readAll(path)
      #expect(status.records == complete, "length \(length)")
      #expect(read.map(\.bytes) == Self.packets.prefix(complete).map(\.data))
      if boundaries.contains(length) {
        #expect(status.damage == nil, "length \(length)")
      } else {
        let damage = try #require(status.damage, "length \(length)")
        #expect(damage.kind == .truncatedRecord, "length \(length)")
        #expect(damage.recordNumber == complete + 1, "length \(length)")
        #expect(damage.blockNumber == completeBlocks + 1, "length \(length)")
        #expect(damage.byteOffset == Int64(boundaries[completeBlocks]), "length \(length)")
        // A block cut before its type field cannot be told to be a packet.
        let typeKnown = length - boundaries[completeBlocks] >= 4
        #expect(damage.damagedUnitIsRecord == (completeBlocks >= 2 && typeKnown), "length \(length)")
        expectOneLine(damage, naming: path)
      }
    }
  }

  @Test("a record length beyond any snapshot length")
  func absurdRecordLength() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter(snapLength: 65535)
    writer.add(Self.packets[0])
    writer.addClaimedRecord(captured: 300_000, present: 100)
    let path = try directory.write("absurd.pcap", writer.bytes)
    let (_, read, status) = try readAll(path)
    #expect(read.count == 1)
    let damage = try #require(status.damage)
    #expect(damage.kind == .absurdRecordLength)
    #expect(damage.recordNumber == 2)
    #expect(
      damage.description
        == "\(path): record 2 (byte offset \(24 + 16 + 20)): absurd record length: header says 300000 bytes, more than the snapshot length 65535"
    )
  }

  @Test("malformed pcapng blocks")
  func malformedBlocks() throws {
    let directory = try TempDirectory()
    func base() -> PcapngWriter {
      var writer = PcapngWriter()
      writer.sectionHeader()
      writer.interface(linkType: 1)
      writer.enhancedPacket(interface: 0, units: 1, data: sampleData(0, length: 30))
      return writer
    }
    func patchLength(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
      withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 4, with: $0) }
    }
    let good = base()
    let packetOffset = good.bytes.count
    var cases: [(String, [UInt8], String)] = []

    var notMultiple = base()
    notMultiple.enhancedPacket(interface: 0, units: 2, data: sampleData(1, length: 30))
    patchLength(&notMultiple.bytes, at: packetOffset + 4, 61)
    cases.append(("not-multiple", notMultiple.bytes, "block length 61 is not a multiple of 4"))

    var tooSmall = base()
    tooSmall.enhancedPacket(interface: 0, units: 2, data: sampleData(1, length: 30))
    patchLength(&tooSmall.bytes, at: packetOffset + 4, 8)
    cases.append(("too-small", tooSmall.bytes, "block length 8 is below 12"))

    var tooLarge = base()
    tooLarge.enhancedPacket(interface: 0, units: 2, data: sampleData(1, length: 30))
    patchLength(&tooLarge.bytes, at: packetOffset + 4, 0x4000_0000)
    cases.append(("too-large", tooLarge.bytes, "block length 1073741824 exceeds the limit of 16777216"))

    var trailer = base()
    trailer.enhancedPacket(interface: 0, units: 2, data: sampleData(1, length: 30))
    patchLength(&trailer.bytes, at: trailer.bytes.count - 4, 1000)
    cases.append(("trailer", trailer.bytes, "trailing block length 1000 differs from the leading"))

    var overlong = base()
    overlong.enhancedPacket(interface: 0, units: 2, data: sampleData(1, length: 30))
    patchLength(&overlong.bytes, at: packetOffset + 20, 500)  // captured length
    cases.append(("overlong", overlong.bytes, "captured length 500 exceeds the block's"))

    for (name, bytes, detail) in cases {
      let path = try directory.write("\(name).pcapng", bytes)
      let (_, read, status) = try readAll(path)
      #expect(read.count == 1, "\(name)")
      let damage = try #require(status.damage, "\(name)")
      #expect(damage.kind == .malformedBlock, "\(name)")
      #expect(damage.recordNumber == 2, "\(name)")
      #expect(damage.blockNumber == 4, "\(name)")
      #expect(damage.byteOffset == Int64(packetOffset), "\(name)")
      #expect(
        damage.description.hasPrefix(
          "\(path): record 2, block 4 (byte offset \(packetOffset)): malformed block: \(detail)"),
        "\(damage)")
      // Damage is sticky: a later call reports it again and reads nothing.
    }
  }

  @Test("damage is reported again by later calls")
  func stickyDamage() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter()
    writer.add(Self.packets[0])
    writer.add(Self.packets[1])
    let path = try directory.write("sticky.pcap", Array(writer.bytes.dropLast(3)))
    let reader = try CaptureFileReader(path: path)
    let first = try reader.forEachPacket { _, _ in true }
    var calls = 0
    let second = try reader.forEachPacket { _, _ in
      calls += 1
      return true
    }
    #expect(first.records == 1 && second.records == 1 && calls == 0)
    #expect(first.damage?.description == second.damage?.description)
  }
}
