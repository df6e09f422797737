import Capture
import Foundation
import NetCore
import Testing

@Suite("pcapng")
struct PcapngReadingTests {
  @Test("blocks written by the spec, both byte orders", arguments: [false, true])
  func ownWriter(bigEndian: Bool) throws {
    let directory = try TempDirectory()
    var writer = PcapngWriter(bigEndian: bigEndian)
    writer.sectionHeader()
    writer.interface(linkType: 1)  // Ethernet, default resolution (microseconds)
    writer.interface(linkType: 101, tsresol: 9)  // raw IP, nanoseconds
    writer.block(0x0000_0BAD, [1, 2, 3, 4, 5, 6, 7, 8])  // a custom block to skip
    writer.enhancedPacket(interface: 0, units: 1_700_000_000_123_456, data: sampleData(0, length: 61))
    writer.enhancedPacket(
      interface: 1, units: 1_700_000_001_987_654_321, data: sampleData(1, length: 40), wireLength: 1500)
    writer.block(5, [0, 0, 0, 0] + [UInt8](repeating: 0, count: 8))  // an Interface Statistics Block
    writer.simplePacket(data: sampleData(2, length: 33))
    writer.obsoletePacket(interface: 1, units: 1_700_000_002_000_000_001, data: sampleData(3, length: 20))
    let path = try directory.write("own.pcapng", writer.bytes)

    // Interfaces become known as their blocks are read.
    let fresh = try CaptureFileReader(path: path)
    #expect(fresh.linkTypes == [])
    _ = try fresh.forEachPacket { _, _ in false }
    #expect(fresh.linkTypes == [1, 101])

    let (reader, read, status) = try readAll(path)
    #expect(reader.format == .pcapng)
    #expect(!reader.compressed)
    #expect(reader.linkTypes == [1, 101])
    #expect(status.records == 4 && status.damage == nil)
    try #require(read.count == 4)
    #expect(read.map(\.info.recordNumber) == [1, 2, 3, 4])
    #expect(read.map(\.info.interfaceIndex) == [0, 1, 0, 1])
    #expect(read.map(\.info.linkType) == [1, 101, 1, 101])
    #expect(read.map(\.info.capturedLength) == [61, 40, 33, 20])
    #expect(read.map(\.info.wireLength) == [61, 1500, 33, 20])
    #expect(
      read.map(\.info.timestamp.nanoseconds) == [
        1_700_000_000_123_456_000, 1_700_000_001_987_654_321,
        1_700_000_001_987_654_321,  // a Simple Packet Block takes the last timestamp seen
        1_700_000_002_000_000_001,
      ])
    for (index, packet) in read.enumerated() {
      #expect(packet.bytes == sampleData(index, length: packet.info.capturedLength))
    }
  }

  @Test(
    "timestamp resolutions and offsets",
    arguments: [
      // (if_tsresol, if_tsoffset, units, expected nanoseconds)
      (nil, nil, 1_000_000, 1_000_000_000),
      (6, nil, 1_700_000_000_000_001, 1_700_000_000_000_001_000),
      (3, nil, 1_700_000_000_123, 1_700_000_000_123_000_000),
      (0, 100, 5, 105_000_000_000),
      (9, -10, 20_000_000_007, 10_000_000_007),
      (12, nil, 1_700_000_000_123_456_789, 1_700_000_000_123_456),  // picoseconds
      (0x80 | 10, nil, 3 * 1024 + 512, 3_500_000_000),  // 2^-10 seconds
      (0x80 | 20, nil, 1 << 20, 1_000_000_000),  // 2^-20 seconds
      (0x80 | 32, nil, (UInt64(1_700_000_000) << 32) | (1 << 31), 1_700_000_000_500_000_000),
    ] as [(UInt8?, Int64?, UInt64, Int64)])
  func resolutions(tsresol: UInt8?, tsoffset: Int64?, units: UInt64, expected: Int64) throws {
    let directory = try TempDirectory()
    for bigEndian in [false, true] {
      var writer = PcapngWriter(bigEndian: bigEndian)
      writer.sectionHeader()
      writer.interface(linkType: 1, tsresol: tsresol, tsoffset: tsoffset)
      writer.enhancedPacket(interface: 0, units: units, data: sampleData(0, length: 14))
      let path = try directory.write("ts-\(bigEndian).pcapng", writer.bytes)
      let (_, read, status) = try readAll(path)
      #expect(status.records == 1 && status.damage == nil)
      #expect(read.first?.info.timestamp.nanoseconds == expected)
    }
  }

  @Test("several sections, each with its own byte order and interfaces")
  func severalSections() throws {
    let directory = try TempDirectory()
    var first = PcapngWriter(bigEndian: false)
    first.sectionHeader()
    first.interface(linkType: 1)
    first.interface(linkType: 113)
    first.enhancedPacket(interface: 1, units: 1_000_000, data: sampleData(0, length: 20))
    var second = PcapngWriter(bigEndian: true)
    second.sectionHeader()
    second.interface(linkType: 276, snapLength: 10, tsresol: 9)
    second.enhancedPacket(interface: 0, units: 2_000_000_000, data: sampleData(1, length: 24))
    second.simplePacket(data: sampleData(2, length: 10), wireLength: 64)
    let path = try directory.write("sections.pcapng", first.bytes + second.bytes)

    let (reader, read, status) = try readAll(path)
    #expect(status.records == 3 && status.damage == nil)
    #expect(read.map(\.info.linkType) == [113, 276, 276])
    #expect(read.map(\.info.interfaceIndex) == [1, 0, 0])
    #expect(read.map(\.info.timestamp.nanoseconds) == [1_000_000_000, 2_000_000_000, 2_000_000_000])
    #expect(read.map(\.info.wireLength) == [20, 24, 64])
    #expect(read.map(\.info.capturedLength) == [20, 24, 10])
    #expect(reader.linkTypes == [276])
  }

  @Test("a packet naming an interface the section does not have is damage")
  func unknownInterface() throws {
    let directory = try TempDirectory()
    var writer = PcapngWriter()
    writer.sectionHeader()
    writer.interface(linkType: 1)
    writer.enhancedPacket(interface: 0, units: 1, data: sampleData(0, length: 20))
    writer.enhancedPacket(interface: 3, units: 2, data: sampleData(1, length: 20))
    let path = try directory.write("iface.pcapng", writer.bytes)
    let (_, _, status) = try readAll(path)
    #expect(status.records == 1)
    let damage = try #require(status.damage)
    #expect(damage.kind == .malformedBlock)
    #expect(damage.recordNumber == 2)
    #expect(damage.blockNumber == 4)
    #expect(damage.byteOffset == Int64(writer.blockOffsets[3]))
    #expect(
      damage.description.hasPrefix(
        "\(path): record 2, block 4 (byte offset \(writer.blockOffsets[3])): malformed block"))
  }

  static let scapyScript = """
    import sys
    from scapy.all import Ether, IP, UDP, Raw
    from scapy.utils import EDecimal, PcapNgWriter
    w = PcapNgWriter(sys.argv[1])
    for i in range(4):
        p = Ether() / IP(src="203.0.113.%d" % (i + 1), dst="198.51.100.2") / UDP(sport=1000 + i, dport=53) / Raw(b"z" * i)
        p.time = EDecimal("1700000000.250000") + i
        w.write(p)
    w.close()
    """

  @Test("a file written by scapy's PcapNgWriter")
  func scapyFile() throws {
    let directory = try TempDirectory()
    let path = directory.file("scapy.pcapng")
    try python(Self.scapyScript, [path])
    let (reader, read, status) = try readAll(path)
    #expect(reader.format == .pcapng)
    #expect(reader.linkTypes == [1])
    #expect(status.records == 4 && status.damage == nil)
    for (i, packet) in read.enumerated() {
      #expect(packet.info.timestamp.nanoseconds == (1_700_000_000 + Int64(i)) * 1_000_000_000 + 250_000_000)
      #expect(packet.info.capturedLength == 42 + i)
      #expect(packet.bytes[26...29] == [203, 0, 113, UInt8(i + 1)])
    }
  }

  @Test("editcap to pcapng and mergecap of Ethernet and raw-IP captures into one file")
  func wiresharkTools() throws {
    let directory = try TempDirectory()
    // An Ethernet capture (link type 1) and a raw IP capture (link type 101), both microsecond pcap.
    var ethernet = PcapWriter(linkType: 1)
    ethernet.add(TestPacket(seconds: 1_700_000_000, fraction: 10, data: sampleData(0, length: 60)))
    ethernet.add(TestPacket(seconds: 1_700_000_002, fraction: 30, data: sampleData(2, length: 70)))
    var raw = PcapWriter(linkType: 101)
    raw.add(TestPacket(seconds: 1_700_000_001, fraction: 20, data: sampleData(1, length: 40)))
    let ethernetPath = try directory.write("eth.pcap", ethernet.bytes)
    let rawPath = try directory.write("raw.pcap", raw.bytes)

    let converted = directory.file("eth.pcapng")
    try run(["editcap", "-F", "pcapng", ethernetPath, converted])
    let (convertedReader, convertedPackets, convertedStatus) = try readAll(converted)
    #expect(convertedReader.format == .pcapng)
    #expect(convertedStatus.records == 2 && convertedStatus.damage == nil)
    #expect(convertedPackets.map(\.bytes) == [sampleData(0, length: 60), sampleData(2, length: 70)])

    let merged = directory.file("merged.pcapng")
    try run(["mergecap", "-F", "pcapng", "-w", merged, ethernetPath, rawPath])
    let (reader, read, status) = try readAll(merged)
    #expect(reader.format == .pcapng)
    #expect(Set(reader.linkTypes) == [1, 101])
    #expect(status.records == 3 && status.damage == nil)
    // mergecap interleaves by time.
    #expect(
      read.map(\.info.timestamp.nanoseconds) == [
        1_700_000_000_000_010_000, 1_700_000_001_000_020_000, 1_700_000_002_000_030_000,
      ])
    #expect(read.map(\.info.linkType) == [1, 101, 1])
    #expect(read.map(\.bytes) == [sampleData(0, length: 60), sampleData(1, length: 40), sampleData(2, length: 70)])
    #expect(read[0].info.interfaceIndex != read[1].info.interfaceIndex)
  }
}
