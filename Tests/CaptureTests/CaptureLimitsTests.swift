import Capture
import Foundation
import NetCore
import Testing

/// The bounds the capture readers keep on hostile files (docs/limits.md), and the cases where the
/// range reader and libpcap once disagreed.
@Suite("Capture limits")
struct CaptureLimitsTests {
  static let packet = TestPacket(seconds: 1_741_597_200, fraction: 1, data: sampleData(0, length: 60))

  /// Every packet of a plain pcap file as the range reader hands it out, or nil when it leaves the file to libpcap.
  func readByRanges(_ path: String) throws -> [ReadPacket]? {
    guard let file = PcapRangeFile.open(path: path) else { return nil }
    var packets: [ReadPacket] = []
    let result = file.read(PcapRangeFile.headerLength..<file.size) { bytes, info in
      packets.append(ReadPacket(info: info, bytes: Array(bytes)))
    }
    #expect(!result.anomaly)
    return packets
  }

  @Test("a timestamp fraction past 2^31 reads the same by ranges and through libpcap", arguments: [false, true])
  func fractionPastSignBit(nanosecond: Bool) throws {
    let directory = try TempDirectory()
    var writer = PcapWriter(nanosecond: nanosecond)
    writer.add(TestPacket(seconds: 514, fraction: 0x8801_0000, data: sampleData(0, length: 34)))
    let path = try directory.write("fraction.pcap", writer.bytes)
    let expected = 514 * 1_000_000_000 + Int64(0x8801_0000) * (nanosecond ? 1 : 1000)
    let ranges = try #require(try readByRanges(path))
    let (_, libpcap, status) = try readAll(path)
    #expect(status.damage == nil)
    #expect(ranges.map(\.info.timestamp.nanoseconds) == [expected])
    #expect(libpcap.map(\.info.timestamp.nanoseconds) == [expected])
  }

  @Test("only pcap version 2.4 is read by ranges; libpcap decides on the others")
  func versions() throws {
    let directory = try TempDirectory()
    for (minor, libpcapReads) in [(UInt16(4), true), (3, true), (1284, false)] {
      var writer = PcapWriter()
      writer.bytes[6] = UInt8(minor & 0xff)
      writer.bytes[7] = UInt8(minor >> 8)
      writer.add(Self.packet)
      let path = try directory.write("v2.\(minor).pcap", writer.bytes)
      #expect((PcapRangeFile.open(path: path) != nil) == (minor == 4), "2.\(minor)")
      if libpcapReads {
        #expect(try readAll(path).packets.count == 1, "2.\(minor)")
      } else {
        let error = try #require(openError(path))
        #expect(error.kind == .unsupported)
        #expect(error.description == "\(path): unsupported: unsupported pcap savefile version 2.1284")
      }
    }
  }

  @Test("an absurd snapshot length in the file header bounds nothing: records are still checked one by one")
  func absurdSnapshotLength() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter(snapLength: 0xFFFF_FFFF)
    for _ in 0..<3 { writer.add(Self.packet) }
    writer.addClaimedRecord(captured: 0x7FFF_FFFF, present: 64)
    let path = try directory.write("snaplen.pcap", writer.bytes)
    let (_, read, status) = try readAll(path)
    #expect(read.count == 3)
    let damage = try #require(status.damage)
    #expect(damage.kind == .absurdRecordLength)
    #expect(damage.recordNumber == 4)
    // The range reader stops at the same record, and leaves it to libpcap.
    let file = try #require(PcapRangeFile.open(path: path))
    let result = file.read(PcapRangeFile.headerLength..<file.size) { _, _ in }
    #expect(result.records == 3 && result.anomaly)
  }

  @Test("a pcapng block longer than 16 MiB is damage, and its length is never allocated")
  func giantBlock() throws {
    let directory = try TempDirectory()
    var writer = PcapngWriter()
    writer.sectionHeader()
    writer.interface(linkType: 1)
    writer.enhancedPacket(interface: 0, units: 1, data: sampleData(0, length: 60))
    let offset = writer.bytes.count
    writer.bytes += writer.encode32(6) + writer.encode32(UInt32(CaptureLimits.maximumBlockLength + 4))
    writer.bytes += [UInt8](repeating: 0, count: 64)
    let path = try directory.write("giant.pcapng", writer.bytes)
    let (_, read, status) = try readAll(path)
    #expect(read.count == 1)
    let damage = try #require(status.damage)
    #expect(damage.kind == .malformedBlock)
    #expect(
      damage.description
        == "\(path): record 2, block 4 (byte offset \(offset)): malformed block: block length 16777220 exceeds the limit of 16777216")
  }

  @Test("a pcapng section describes at most 65,536 interfaces")
  func interfaceCap() throws {
    let directory = try TempDirectory()
    var writer = PcapngWriter()
    writer.sectionHeader()
    for _ in 0..<CaptureLimits.maximumInterfaces { writer.block(1, writer.encode16(101) + writer.encode16(0) + writer.encode32(0)) }
    writer.enhancedPacket(interface: UInt32(CaptureLimits.maximumInterfaces - 1), units: 1, data: SampleFrames.rawIPv4)
    let offset = writer.bytes.count
    writer.block(1, writer.encode16(1) + writer.encode16(0) + writer.encode32(0))
    writer.enhancedPacket(interface: 0, units: 2, data: SampleFrames.rawIPv4)
    let path = try directory.write("interfaces.pcapng", writer.bytes)
    let (reader, read, status) = try readAll(path)
    #expect(read.count == 1)
    #expect(read.first?.info.interfaceIndex == CaptureLimits.maximumInterfaces - 1)
    #expect(reader.linkTypes.count == CaptureLimits.maximumInterfaces)
    let damage = try #require(status.damage)
    #expect(
      damage.description
        == "\(path): block \(CaptureLimits.maximumInterfaces + 3) (byte offset \(offset)): malformed block: the section describes more than 65536 interfaces"
    )
  }

  @Test("pcapng timestamps past either end of the 64-bit range clamp to it")
  func timestampsClamp() throws {
    let directory = try TempDirectory()
    var writer = PcapngWriter()
    writer.sectionHeader()
    writer.interface(linkType: 101, tsresol: 9, tsoffset: Int64.min / 2)
    writer.interface(linkType: 101, tsresol: 9, tsoffset: Int64.max / 2)
    writer.interface(linkType: 101, tsresol: 0xff)  // 2^-127 seconds
    writer.interface(linkType: 101, tsresol: 0x7f)  // 10^-127 seconds
    writer.interface(linkType: 101, tsresol: 0)  // seconds
    writer.enhancedPacket(interface: 0, units: 0, data: SampleFrames.rawIPv4)
    writer.enhancedPacket(interface: 1, units: UInt64.max, data: SampleFrames.rawIPv4)
    writer.enhancedPacket(interface: 2, units: UInt64.max, data: SampleFrames.rawIPv4)
    writer.enhancedPacket(interface: 3, units: UInt64.max, data: SampleFrames.rawIPv4)
    writer.enhancedPacket(interface: 4, units: UInt64.max, data: SampleFrames.rawIPv4)
    let path = try directory.write("times.pcapng", writer.bytes)
    let (_, read, status) = try readAll(path)
    #expect(status.damage == nil)
    #expect(read.map(\.info.timestamp.nanoseconds) == [Int64.min, Int64.max, 0, 0, Int64.max])
    for packet in read { #expect(packet.info.timestamp.description.hasSuffix("Z")) }
  }

  /// Found by the pcap fuzz target: a split point inside the last record, where the record's bytes
  /// look like a record that ends exactly at the end of the file. The range before the point reads
  /// that last record whole, past the point to the end; the range after the point is no records.
  @Test("a range that reads past its split point to the end of the file is the last that counts")
  func rangeReadingToTheEnd() throws {
    let directory = try TempDirectory()
    var writer = PcapWriter(snapLength: 65535)
    for i in 0..<3 { writer.add(TestPacket(seconds: 1_741_597_200, fraction: UInt32(i), data: sampleData(i, length: 20))) }
    // The last record: 600 zero bytes (no plausible header), then what reads as a header of a
    // 384-byte record and its 384 bytes, to the end of the file.
    var last = [UInt8](repeating: 0, count: 600)
    for word: UInt32 in [1_741_597_200, 5, 384, 384] { withUnsafeBytes(of: word.littleEndian) { last += $0 } }
    last += sampleData(9, length: 384)
    writer.add(TestPacket(seconds: 1_741_597_200, fraction: 3, data: last))
    let path = try directory.write("overlap.pcap", writer.bytes)

    let file = try #require(PcapRangeFile.open(path: path))
    let offsets = file.splitOffsets(parts: 2)
    let fake: Int64 = 24 + 3 * 36 + 16 + 600  // file header, three records, the last header, the zeros
    #expect(offsets == [24, fake, file.size])
    let results = (0..<2).map { i in file.read(offsets[i]..<offsets[i + 1]) { _, _ in } }
    #expect(results[0].records == 4 && results[0].end == file.size && !results[0].anomaly)
    #expect(results[1].records == 1)  // the look-alike record
    #expect(file.join(results, offsets: offsets) == PcapRangeFile.Join(ranges: 1, resume: nil))

    let (_, read, status) = try readAll(path)
    #expect(read.count == 4 && status.damage == nil)
  }
}

/// Frames for link type 101 (raw IP).
enum SampleFrames {
  /// An IPv4 header from 5.8.1.1 to 192.0.2.1.
  static let rawIPv4: [UInt8] = [0x45, 0, 0, 20, 0, 1, 0, 0, 64, 6, 0, 0, 5, 8, 1, 1, 192, 0, 2, 1]
}
