/// Counts the evidence checks are computed from. Every field adds when summaries merge.
public struct EvidenceStats: Sendable, Hashable {
  /// Distinct IPv4 sources, and those of them in special-purpose space.
  public var ipv4Sources: UInt64 = 0
  public var ipv4SpecialSources: UInt64 = 0
  /// Distinct sources by their packet count, in powers of two: index i counts sources that sent
  /// 2^i to 2^(i+1)-1 packets (index 0: exactly one packet).
  public var sourcesByPackets = [UInt64](repeating: 0, count: 33)
  /// Distinct sources by hop count (inferred initial TTL 32, 64, 128 or 255 minus the TTL seen in
  /// the source's first packet).
  public var sourcesByHops = [UInt64](repeating: 0, count: 256)
  /// Distinct sources by inferred initial TTL: 32, 64, 128, 255.
  public var sourcesByInitialTTL: [UInt8: UInt64] = [:]
  /// Packets and wire bytes from well-known amplification source ports over UDP.
  public var reflectionPackets: UInt64 = 0
  public var reflectionBytes: UInt64 = 0
  /// Packets not toward `--target` (not counted in origins).
  public var otherDestinationPackets: UInt64 = 0

  public init() {}

  public mutating func add(_ o: EvidenceStats) {
    ipv4Sources &+= o.ipv4Sources
    ipv4SpecialSources &+= o.ipv4SpecialSources
    for i in sourcesByPackets.indices { sourcesByPackets[i] &+= o.sourcesByPackets[i] }
    for i in sourcesByHops.indices { sourcesByHops[i] &+= o.sourcesByHops[i] }
    for (k, v) in o.sourcesByInitialTTL { sourcesByInitialTTL[k, default: 0] &+= v }
    reflectionPackets &+= o.reflectionPackets
    reflectionBytes &+= o.reflectionBytes
    otherDestinationPackets &+= o.otherDestinationPackets
  }

  /// UDP source ports of services abused for reflection and amplification (US-CERT TA14-017A and
  /// later reports): DNS, NTP, SNMP, CLDAP, SSDP, memcached, chargen, QOTD, portmap, NetBIOS, RIPv1,
  /// MS SQL browser, WS-Discovery, mDNS, Ubiquiti discovery, Apple Remote Desktop, CoAP, Steam,
  /// OpenVPN, TFTP, DHCPDiscover, NAT-PMP, Jenkins, ARMS.
  public static let amplificationPorts: Set<UInt16> = [
    53, 123, 161, 389, 1900, 11211, 19, 17, 111, 137, 520, 1434, 3702, 5353, 10001, 3283, 5683, 27015, 1194,
    69, 37810, 5351, 33848, 3389,
  ]

  /// `amplificationPorts` as a bitmap of all 65,536 ports, for the per-packet check.
  static let amplificationPortBits: [UInt64] = {
    var bits = [UInt64](repeating: 0, count: 1024)
    for p in amplificationPorts { bits[Int(p >> 6)] |= 1 << UInt64(p & 63) }
    return bits
  }()

  @inline(__always)
  static func isAmplificationPort(_ port: UInt16) -> Bool {
    amplificationPortBits[Int(port >> 6)] & (1 << UInt64(port & 63)) != 0
  }

  /// The initial TTL a sender most likely used: the smallest common default at or above `ttl`.
  public static func initialTTL(_ ttl: UInt8) -> UInt8 {
    ttl <= 32 ? 32 : ttl <= 64 ? 64 : ttl <= 128 ? 128 : 255
  }
}
