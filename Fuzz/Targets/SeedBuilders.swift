import NetCore
import PacketDecoding
import TestSupport

/// Frames of every link type and encapsulation the decoder reads, for the packet target.
enum SeedFrames {
  static let ipv4TCP: [UInt8] =
    [0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 5, 8, 1, 1, 104, 244, 42, 1]
    + tcp
  static let tcp: [UInt8] = [0x04, 0xd2, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]
  static let udp: [UInt8] = [0x00, 0x35, 0xc0, 0x00, 0x00, 0x08, 0x00, 0x00]
  /// IPv6 with hop-by-hop options, a routing header, a first fragment and UDP.
  static let ipv6Chain: [UInt8] =
    [0x60, 0, 0, 0, 0x00, 0x28, 0x00, 0x40]
    + [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    + [0x2a, 0x02, 0x23, 0x78] + [UInt8](repeating: 0, count: 11) + [2]
    + [43, 0, 1, 4, 0, 0, 0, 0]  // hop-by-hop: next routing, PadN
    + [44, 0, 0, 0, 0, 0, 0, 0]  // routing: next fragment
    + [17, 0, 0x00, 0x01, 0, 0, 0, 7]  // fragment: offset 0, M set
    + udp
  static let ethernetHeader: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]

  static func frame(_ linkType: LinkType, _ bytes: [UInt8]) -> [UInt8] {
    [PacketTarget.selector(for: linkType) ?? 0] + bytes
  }

  static let all: [[UInt8]] = [
    frame(.ethernet, ethernetHeader + [0x08, 0x00] + ipv4TCP),
    frame(.ethernet, ethernetHeader + [0x86, 0xdd] + ipv6Chain),
    frame(.ethernet, ethernetHeader + [0x88, 0xa8, 0, 10, 0x81, 0x00, 0, 20, 0x86, 0xdd] + ipv6Chain),
    frame(.ethernet, ethernetHeader + [0x88, 0x47, 0, 1, 0, 64, 0, 2, 1, 64] + ipv4TCP),
    frame(.ethernet, ethernetHeader + [0x88, 0x64, 0x11, 0, 0, 1, 0, 42, 0x00, 0x21] + ipv4TCP),
    frame(.ethernet, ethernetHeader + [0x00, 0x30, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00] + ipv4TCP),
    frame(.ethernet, ethernetHeader + [0x08, 0x06] + [UInt8](repeating: 0, count: 28)),
    frame(.raw, ipv4TCP),
    frame(.raw, ipv6Chain),
    frame(.ipv4, ipv4TCP),
    frame(.ipv6, ipv6Chain),
    frame(.null, [2, 0, 0, 0] + ipv4TCP),
    frame(.null, [0, 0, 0, 30] + ipv6Chain),
    frame(.loop, [0, 0, 0, 2] + ipv4TCP),
    frame(.linuxSLL, [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00] + ipv4TCP),
    frame(.linuxSLL2, [0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0] + ipv6Chain),
    frame(.ppp, [0xff, 0x03, 0x00, 0x21] + ipv4TCP),
    frame(.ppp, [0x57] + ipv6Chain),
    frame(.pppHDLC, [0x0f, 0x00, 0x08, 0x00] + ipv4TCP),
    frame(.pppWithDirection, [1, 0xff, 0x03, 0x02, 0x81, 0, 0, 1, 64] + ipv4TCP),
    frame(.cHDLC, [0x8f, 0x00, 0x86, 0xdd] + ipv6Chain),
    frame(.ieee80211, [0x88, 0x01, 0, 0] + [UInt8](repeating: 1, count: 18) + [0, 0, 0x80, 0]
      + [UInt8](repeating: 2, count: 14) + [0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00] + ipv4TCP),
    frame(.ieee80211Radiotap, [0, 0, 8, 0, 0, 0, 0, 0, 0x08, 0x02, 0, 0] + [UInt8](repeating: 3, count: 20)
      + [0xaa, 0xaa, 0x03, 0, 0, 0xf8, 0x86, 0xdd] + ipv6Chain),
    frame(.nflog, [2, 0, 0, 1, 8, 0, 1, 0, 0x08, 0x00, 0, 0] + [UInt8(44), 0, 9, 0] + ipv4TCP),
  ]
}

/// Small capture files built here: the header forms and block kinds capture files use.
enum SeedFiles {
  static let packet = SeedFrames.ethernetHeader + [0x08, 0x00] + SeedFrames.ipv4TCP

  /// Classic pcap, both byte orders, micro- and nanoseconds, a snapshot length that cuts.
  static var pcaps: [[UInt8]] {
    var files: [[UInt8]] = []
    for bigEndian in [false, true] {
      for nanoseconds in [false, true] {
        files.append(pcap(bigEndian: bigEndian, nanoseconds: nanoseconds, snaplen: 262_144, packets: [packet, packet]))
      }
    }
    files.append(pcap(bigEndian: false, nanoseconds: false, snaplen: 40, packets: [Array(packet.prefix(40))]))
    return files
  }

  static func pcap(bigEndian: Bool, nanoseconds: Bool, snaplen: UInt32, packets: [[UInt8]]) -> [UInt8] {
    var out = ByteWriter(bigEndian: bigEndian)
    out.u32(nanoseconds ? 0xa1b2_3c4d : 0xa1b2_c3d4)
    out.u16(2)
    out.u16(4)
    out.u32(0)
    out.u32(0)
    out.u32(snaplen)
    out.u32(1)
    for (index, data) in packets.enumerated() {
      out.u32(1_741_597_200 + UInt32(index))
      out.u32(UInt32(index) * 1000)
      out.u32(UInt32(data.count))
      out.u32(UInt32(data.count) + 20)
      out.bytes += data
    }
    return out.bytes
  }

  /// pcapng: interfaces of two link types with `if_tsresol` and `if_tsoffset`, Enhanced, Simple and
  /// obsolete Packet Blocks, an unknown block, and a second section in the other byte order.
  static var pcapngs: [[UInt8]] {
    let little = section(bigEndian: false)
    let big = section(bigEndian: true)
    return [little, big, little + big]
  }

  static func section(bigEndian: Bool) -> [UInt8] {
    var out = ByteWriter(bigEndian: bigEndian)
    out.block(0x0A0D_0D0A) { body in
      body.u32(0x1A2B_3C4D)
      body.u16(1)
      body.u16(0)
      body.u64(.max)
    }
    out.block(1) { body in
      body.u16(1)
      body.u16(0)
      body.u32(0)
      body.option(9, [9])  // if_tsresol: nanoseconds
      body.option(14, withUnsafeBytes(of: bigEndian ? Int64(-3600).bigEndian : Int64(-3600).littleEndian) { Array($0) })
      body.option(0, [])
    }
    out.block(1) { body in
      body.u16(101)
      body.u16(0)
      body.u32(128)
      body.option(9, [0x94])  // 2^-20 seconds
      body.option(0, [])
    }
    out.block(6) { body in
      body.u32(0)
      body.u32(0x0018_0000)
      body.u32(0x1234_5678)
      body.u32(UInt32(packet.count))
      body.u32(UInt32(packet.count))
      body.padded(packet)
    }
    out.block(6) { body in
      body.u32(1)
      body.u32(0)
      body.u32(42)
      body.u32(UInt32(SeedFrames.ipv6Chain.count))
      body.u32(1500)
      body.padded(SeedFrames.ipv6Chain)
    }
    out.block(3) { body in
      body.u32(UInt32(packet.count))
      body.padded(packet)
    }
    out.block(2) { body in
      body.u16(0)
      body.u16(7)
      body.u32(0)
      body.u32(99)
      body.u32(UInt32(packet.count))
      body.u32(UInt32(packet.count))
      body.padded(packet)
    }
    out.block(0x0000_0BAD) { body in body.u32(0) }
    return out.bytes
  }
}

/// Observation records for the aggregate target, spanning ordinary dates, 1970, the ends of the
/// 64-bit range and clock jumps.
enum SeedObservations {
  static func record(time: Int64, flags: UInt8, source: UInt32, destination: UInt32, packets: UInt16 = 1, wire: UInt32 = 60)
    -> [UInt8]
  {
    var out = ByteWriter(bigEndian: false)
    out.u64(UInt64(bitPattern: time))
    out.bytes.append(flags)
    out.bytes += withUnsafeBytes(of: source.bigEndian) { Array($0) }
    out.bytes += withUnsafeBytes(of: destination.bigEndian) { Array($0) }
    out.bytes.append(6)
    out.u16(packets)
    out.u32(wire)
    return out.bytes
  }

  static let ukraine: UInt32 = 0x0508_0101  // 5.8.1.1
  static let victim: UInt32 = 0x0A00_0001  // 10.0.0.1
  static let day2025: Int64 = 1_741_597_200_000_000_000

  static var all: [[UInt8]] {
    let times: [[Int64]] = [
      (0..<8).map { day2025 + Int64($0) * 60_000_000_000 },
      [day2025, day2025 + 10 * 365 * 86_400_000_000_000, day2025 - 1],
      [Int64.min, -1, 0, 1, Int64.max],
      [-86_400_000_000_000 * 365 * 100, day2025, Int64.max - 1],
    ]
    var seeds: [[UInt8]] = []
    for (index, series) in times.enumerated() {
      for option: UInt8 in [0x03, 0x04 | 0x20, 0x01 | 0x10, 0x05 | 0x08] {
        var bytes = [option]
        for (i, time) in series.enumerated() {
          let flags: UInt8 = UInt8(i % 2) | 0x02 | (index == 2 ? 0x08 : 0)
          bytes += record(time: time, flags: flags, source: ukraine &+ UInt32(i * 977), destination: victim)
        }
        seeds.append(bytes)
      }
    }
    return seeds
  }
}

extension SeedObservations {
  /// Summary JSON written from the aggregate seeds: every section the aggregator fills.
  static var summaries: [[UInt8]] {
    all.map { seed in
      seed.withUnsafeBytes { data in Array(AggregateTarget.summaryJSON(data).utf8) }
    }
  }
}

/// Export datagrams for the netflow target: NetFlow v5, v9 and IPFIX with data and options
/// templates, sampling, IPv6, enterprise and variable-length fields, in the target's framing.
enum SeedExports {
  typealias F = Export.Field

  static let v5 = Export.v5(
    uptime: 100_000, seconds: 1_741_597_200, sampling: 0x4064,
    [Export.V5Record(), Export.V5Record(source: "2.2.2.2", first: 5_000, last: 90_000)])

  static let v9Template = Export.v9(
    uptime: 100_000, seconds: 1_741_597_200, sourceID: 7,
    [
      Export.set(0, Export.template(256, [F(8, 4), F(12, 4), F(2, 4), F(1, 4), F(22, 4), F(21, 4), F(7, 2), F(11, 2), F(4, 1), F(6, 1), F(48, 1)])),
      Export.set(1, Export.v9OptionsTemplate(257, scope: [F(1, 4)], options: [F(34, 4), F(48, 1)])),
      Export.set(0, Export.template(258, [F(27, 16), F(28, 16), F(2, 8), F(1, 8)])),
    ])

  static let v9Data = Export.v9(
    uptime: 100_000, seconds: 1_741_597_200, sourceID: 7,
    [
      Export.set(257, Export.be32(0) + Export.be32(100) + [1], padding: 3),
      Export.set(
        256,
        Export.v4("5.8.1.1") + Export.v4("104.244.42.1") + Export.be32(10) + Export.be32(4000) + Export.be32(5_000)
          + Export.be32(90_000) + Export.be16(40000) + Export.be16(443) + [6, 0x12, 1]),
      Export.set(258, Export.v6("2a02:2378::5") + Export.v6("2001:db8::1") + Export.be64(3) + Export.be64(180)),
    ])

  static let ipfix = Export.ipfix(
    exportTime: 1_741_597_200, domain: 3,
    [
      Export.set(2, Export.template(300, [F(8, 4), F(12, 4), F(2, 8), F(1, 8), F(152, 8), F(7, 2), F(11, 2), F(4, 1), F(82, 65535), F(1, 4, enterprise: 9)])),
      Export.set(3, Export.ipfixOptionsTemplate(301, scope: [F(149, 4)], options: [F(305, 4), F(306, 4)])),
      Export.set(301, Export.be32(3) + Export.be32(1) + Export.be32(99)),
      Export.set(
        300,
        Export.v4("5.8.1.1") + Export.v4("104.244.42.1") + Export.be64(10) + Export.be64(4000)
          + Export.be64(1_741_597_200_000) + Export.be16(40000) + Export.be16(443) + [17] + Export.variable(Array("eth0".utf8))
          + Export.be32(1)),
    ])

  /// Datagrams in the target's framing: exporter selector, length, bytes.
  static func framed(_ datagrams: [(exporter: UInt8, bytes: [UInt8])]) -> [UInt8] {
    datagrams.flatMap { [$0.exporter, UInt8($0.bytes.count & 0xff), UInt8($0.bytes.count >> 8)] + $0.bytes }
  }

  static var all: [[UInt8]] {
    [
      framed([(0, v5)]),
      framed([(0, v9Template), (0, v9Data), (1, v9Data)]),
      framed([(2, ipfix), (2, ipfix), (3, v5)]),
      framed([(1, v9Data), (1, v9Template), (1, v9Data)]),
    ]
  }
}

/// Little- or big-endian bytes, for building seed files.
struct ByteWriter {
  var bigEndian: Bool
  var bytes: [UInt8] = []

  mutating func u16(_ v: UInt16) { append(bigEndian ? v.bigEndian : v.littleEndian) }
  mutating func u32(_ v: UInt32) { append(bigEndian ? v.bigEndian : v.littleEndian) }
  mutating func u64(_ v: UInt64) { append(bigEndian ? v.bigEndian : v.littleEndian) }

  private mutating func append<T>(_ v: T) { withUnsafeBytes(of: v) { bytes += $0 } }

  /// Bytes padded with zeros to a multiple of 4.
  mutating func padded(_ data: [UInt8]) {
    bytes += data
    bytes += [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
  }

  /// A pcapng option: code, length, value padded to 4 bytes.
  mutating func option(_ code: UInt16, _ value: [UInt8]) {
    u16(code)
    u16(UInt16(value.count))
    padded(value)
  }

  /// A pcapng block: type, total length, the body `fill` writes, total length again.
  mutating func block(_ type: UInt32, _ fill: (inout ByteWriter) -> Void) {
    var body = ByteWriter(bigEndian: bigEndian)
    fill(&body)
    let length = UInt32(12 + body.bytes.count)
    u32(type)
    u32(length)
    bytes += body.bytes
    u32(length)
  }
}
