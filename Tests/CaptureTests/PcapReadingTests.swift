import Capture
import Foundation
import NetCore
import Testing

@Suite("Classic pcap")
struct PcapReadingTests {
  static let packets: [TestPacket] = [
    TestPacket(seconds: 1_700_000_000, fraction: 123_456, data: sampleData(0, length: 60)),
    TestPacket(seconds: 1_700_000_001, fraction: 999_999, data: sampleData(1, length: 1514)),
    TestPacket(seconds: 1_700_000_002, fraction: 0, data: sampleData(2, length: 0), wireLength: 0),
    TestPacket(seconds: 4_000_000_000, fraction: 1, data: sampleData(3, length: 96), wireLength: 1500),
  ]

  @Test(
    "byte orders and timestamp precisions written by the spec",
    arguments: [(false, false), (true, false), (false, true), (true, true)])
  func ownWriter(bigEndian: Bool, nanosecond: Bool) throws {
    let directory = try TempDirectory()
    var writer = PcapWriter(bigEndian: bigEndian, nanosecond: nanosecond, linkType: 101)
    for packet in Self.packets { writer.add(packet) }
    let path = try directory.write("v.pcap", writer.bytes)

    let (reader, read, status) = try readAll(path)
    #expect(reader.format == (nanosecond ? .pcapNanosecond : .pcap))
    #expect(!reader.compressed)
    #expect(reader.linkTypes == [101])
    #expect(status.records == Self.packets.count)
    #expect(status.damage == nil)
    try #require(read.count == Self.packets.count)
    for (index, (packet, got)) in zip(Self.packets, read).enumerated() {
      let fractionNanoseconds = Int64(packet.fraction) * (nanosecond ? 1 : 1000)
      #expect(got.info.timestamp == Timestamp(nanoseconds: Int64(packet.seconds) * 1_000_000_000 + fractionNanoseconds))
      #expect(got.info.capturedLength == packet.data.count)
      #expect(got.info.wireLength == packet.wireLength ?? packet.data.count)
      #expect(got.info.linkType == 101)
      #expect(got.info.interfaceIndex == 0)
      #expect(got.info.recordNumber == index + 1)
      #expect(got.bytes == packet.data)
    }
  }

  static let scapyScript = """
    import sys
    from scapy.all import Ether, IP, UDP, Raw, wrpcap
    from scapy.utils import EDecimal
    packets = []
    for i in range(5):
        p = Ether(src="00:11:22:33:44:55", dst="66:77:88:99:aa:bb") / IP(src="192.0.2.%d" % (i + 1), dst="198.51.100.2") / UDP(sport=1000 + i, dport=53) / Raw(b"q" * (10 * i))
        packets.append(p)
    # Microsecond file: times exact to the microsecond; nanosecond file: to the nanosecond.
    for i, p in enumerate(packets):
        p.time = EDecimal("1700000000.123456") + i
    wrpcap(sys.argv[1], packets)
    for i, p in enumerate(packets):
        p.time = EDecimal("1700000000.123456789") + i
    wrpcap(sys.argv[2], packets, nano=True)
    """

  @Test("files written by scapy, micro- and nanosecond")
  func scapyFiles() throws {
    let directory = try TempDirectory()
    let micro = directory.file("scapy.pcap")
    let nano = directory.file("scapy-ns.pcap")
    try python(Self.scapyScript, [micro, nano])

    for (path, format, fraction) in [
      (micro, CaptureFormat.pcap, Int64(123_456_000)), (nano, .pcapNanosecond, 123_456_789),
    ] {
      let (reader, read, status) = try readAll(path)
      #expect(reader.format == format)
      #expect(reader.linkTypes == [1])
      #expect(status.records == 5 && status.damage == nil)
      for (i, packet) in read.enumerated() {
        #expect(packet.info.timestamp.nanoseconds == (1_700_000_000 + Int64(i)) * 1_000_000_000 + fraction)
        #expect(packet.info.capturedLength == 14 + 20 + 8 + 10 * i)
        #expect(packet.info.wireLength == packet.info.capturedLength)
        // Ethernet type IPv4, then the IPv4 source address 192.0.2.(i+1).
        #expect(packet.bytes[12...13] == [0x08, 0x00])
        #expect(packet.bytes[26...29] == [192, 0, 2, UInt8(i + 1)])
      }
    }
  }

  @Test("editcap conversions: nanosecond pcap and modified pcap")
  func editcapVariants() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter()
    for (i, length) in [42, 52, 62, 72, 82].enumerated() {
      writer.add(TestPacket(seconds: 1_700_000_000 + UInt32(i), fraction: 123_456, data: sampleData(i, length: length)))
    }
    let source = try directory.write("source.pcap", writer.bytes)
    let nano = directory.file("ns.pcap")
    let modified = directory.file("mod.pcap")
    try run(["editcap", "-F", "nsecpcap", source, nano])
    try run(["editcap", "-F", "modpcap", source, modified])

    let (nanoReader, nanoPackets, nanoStatus) = try readAll(nano)
    #expect(nanoReader.format == .pcapNanosecond)
    #expect(nanoStatus.records == 5 && nanoStatus.damage == nil)
    #expect(nanoPackets.first?.info.timestamp.nanoseconds == 1_700_000_000_123_456_000)

    let (modifiedReader, modifiedPackets, modifiedStatus) = try readAll(modified)
    #expect(modifiedReader.format == .pcap)
    #expect(modifiedStatus.records == 5 && modifiedStatus.damage == nil)
    #expect(modifiedPackets.map(\.info.capturedLength) == [42, 52, 62, 72, 82])
  }

  @Test("a record longer than the snapshot length but plausible is cut to the snapshot length")
  func recordBeyondSnapLength() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter(snapLength: 64)
    writer.add(TestPacket(seconds: 1, fraction: 0, data: sampleData(0, length: 100)))
    writer.add(TestPacket(seconds: 2, fraction: 0, data: sampleData(1, length: 40)))
    writer.bytes += [0, 0, 0]  // a cut record header after them
    let plain = try directory.write("snap.pcap", writer.bytes)
    for path in [plain, try gzip(plain)] {
      let (_, read, status) = try readAll(path)
      #expect(read.map(\.info.capturedLength) == [64, 40])
      #expect(read.map(\.info.wireLength) == [100, 40])
      #expect(read.first?.bytes == Array(sampleData(0, length: 100).prefix(64)))
      let damage = try #require(status.damage)
      #expect(damage.recordNumber == 3)
      // The offset follows the bytes in the file, not the shortened captured length.
      let expectedOffset: Int64 = 24 + 16 + 100 + 16 + 40
      #expect(damage.byteOffset == expectedOffset)
    }
  }

  @Test("stopping early and resuming")
  func stopAndResume() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter()
    for packet in Self.packets { writer.add(packet) }
    let path = try directory.write("resume.pcap", writer.bytes)
    let reader = try CaptureFileReader(path: path)
    var seen: [Int] = []
    let first = try reader.forEachPacket { _, info in
      seen.append(info.recordNumber)
      return info.recordNumber < 2
    }
    #expect(first.records == 2)
    let rest = try reader.forEachPacket { _, info in
      seen.append(info.recordNumber)
      return true
    }
    #expect(rest.records == 4 && rest.damage == nil)
    #expect(seen == [1, 2, 3, 4])
  }

  struct Stop: Error {}

  @Test("an error thrown by the body propagates")
  func bodyThrows() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter()
    for packet in Self.packets { writer.add(packet) }
    let path = try directory.write("throws.pcap", writer.bytes)
    let reader = try CaptureFileReader(path: path)
    #expect(throws: Stop.self) {
      _ = try reader.forEachPacket { _, _ in throw Stop() }
    }
  }
}
