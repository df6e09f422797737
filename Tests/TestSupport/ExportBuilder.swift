import NetCore

/// Builds NetFlow v5, v9 and IPFIX datagrams byte by byte, for tests whose expected values are
/// known by construction.
public enum Export {
  public static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
  public static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xffff)) }
  public static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xffff_ffff)) }
  public static func v4(_ text: String) -> [UInt8] { be32(IPv4Address(text)!.value) }
  public static func v6(_ text: String) -> [UInt8] { IPv6Address(text)!.bytes }

  // MARK: NetFlow v5

  public struct V5Record: Sendable {
    public var source = "5.8.1.1"
    public var destination = "104.244.42.1"
    public var packets: UInt32 = 10
    public var octets: UInt32 = 4000
    public var first: UInt32 = 0
    public var last: UInt32 = 0
    public var sourcePort: UInt16 = 40000
    public var destinationPort: UInt16 = 443
    public var tcpFlags: UInt8 = 0x12
    public var protocolNumber: UInt8 = 6

    public init(
      source: String = "5.8.1.1", destination: String = "104.244.42.1", packets: UInt32 = 10, octets: UInt32 = 4000,
      first: UInt32 = 0, last: UInt32 = 0, sourcePort: UInt16 = 40000, destinationPort: UInt16 = 443,
      tcpFlags: UInt8 = 0x12, protocolNumber: UInt8 = 6
    ) {
      self.source = source
      self.destination = destination
      self.packets = packets
      self.octets = octets
      self.first = first
      self.last = last
      self.sourcePort = sourcePort
      self.destinationPort = destinationPort
      self.tcpFlags = tcpFlags
      self.protocolNumber = protocolNumber
    }
  }

  public static func v5(
    uptime: UInt32, seconds: UInt32, nanoseconds: UInt32 = 0, sampling: UInt16 = 0, count: Int? = nil,
    _ records: [V5Record]
  ) -> [UInt8] {
    var out = be16(5) + be16(UInt16(count ?? records.count)) + be32(uptime) + be32(seconds) + be32(nanoseconds)
    out += be32(1) + [0, 0] + be16(sampling)
    for r in records {
      out += v4(r.source) + v4(r.destination) + v4("0.0.0.0") + be16(1) + be16(2)
      out += be32(r.packets) + be32(r.octets) + be32(r.first) + be32(r.last)
      out += be16(r.sourcePort) + be16(r.destinationPort) + [0, r.tcpFlags, r.protocolNumber, 0]
      out += be16(0) + be16(0) + [24, 24] + be16(0)
    }
    return out
  }

  // MARK: NetFlow v9 and IPFIX

  /// A field specifier: information element, length, and for IPFIX an enterprise number.
  public struct Field: Sendable {
    public var id: UInt16
    public var length: UInt16
    public var enterprise: UInt32? = nil
    public init(_ id: UInt16, _ length: UInt16, enterprise: UInt32? = nil) {
      self.id = id
      self.length = length
      self.enterprise = enterprise
    }
    public var bytes: [UInt8] {
      if let enterprise { return be16(id | 0x8000) + be16(length) + be32(enterprise) }
      return be16(id) + be16(length)
    }
  }

  public static func v9(uptime: UInt32, seconds: UInt32, sourceID: UInt32 = 0, sequence: UInt32 = 1, count: UInt16 = 0, _ sets: [[UInt8]]) -> [UInt8] {
    be16(9) + be16(count) + be32(uptime) + be32(seconds) + be32(sequence) + be32(sourceID) + sets.flatMap { $0 }
  }

  public static func ipfix(exportTime: UInt32, domain: UInt32 = 0, sequence: UInt32 = 0, length: Int? = nil, _ sets: [[UInt8]]) -> [UInt8] {
    let body = sets.flatMap { $0 }
    return be16(10) + be16(UInt16(length ?? (16 + body.count))) + be32(exportTime) + be32(sequence) + be32(domain) + body
  }

  /// A FlowSet/Set: ID, length, contents, then `padding` zero bytes (counted in the length).
  public static func set(_ id: UInt16, _ contents: [UInt8], padding: Int = 0, length: Int? = nil) -> [UInt8] {
    be16(id) + be16(UInt16(length ?? (4 + contents.count + padding))) + contents + [UInt8](repeating: 0, count: padding)
  }

  public static func template(_ id: UInt16, _ fields: [Field]) -> [UInt8] {
    be16(id) + be16(UInt16(fields.count)) + fields.flatMap(\.bytes)
  }

  /// An IPFIX options template record: scope fields first.
  public static func ipfixOptionsTemplate(_ id: UInt16, scope: [Field], options: [Field]) -> [UInt8] {
    be16(id) + be16(UInt16(scope.count + options.count)) + be16(UInt16(scope.count)) + (scope + options).flatMap(\.bytes)
  }

  /// A v9 options template record: scope and option lengths in bytes.
  public static func v9OptionsTemplate(_ id: UInt16, scope: [Field], options: [Field]) -> [UInt8] {
    be16(id) + be16(UInt16(scope.count * 4)) + be16(UInt16(options.count * 4)) + (scope + options).flatMap(\.bytes)
  }

  /// An IPFIX variable-length field value: 1-byte length, or 255 and a 2-byte length.
  public static func variable(_ value: [UInt8], long: Bool = false) -> [UInt8] {
    if long || value.count >= 255 { return [255] + be16(UInt16(value.count)) + value }
    return [UInt8(value.count)] + value
  }

  /// NTP timestamp (seconds since 1900, 2^-32 fraction) of nanoseconds since 1970.
  public static func ntp(_ nanoseconds: Int64) -> [UInt8] {
    let seconds = UInt32(nanoseconds / 1_000_000_000 + 2_208_988_800)
    let fraction = UInt32(((UInt64(nanoseconds % 1_000_000_000) << 32) + 999_999_999) / 1_000_000_000)
    return be32(seconds) + be32(fraction)
  }
}

/// Classic pcap files (microsecond, little-endian, Ethernet) of UDP datagrams, for tests that
/// read export packets from a capture.
public enum UDPCapture {
  public struct Datagram: Sendable {
    public var source: String
    public var sourcePort: UInt16
    public var destination: String
    public var destinationPort: UInt16
    public var payload: [UInt8]
    public init(source: String, sourcePort: UInt16 = 50000, destination: String = "192.0.2.1", destinationPort: UInt16 = 2055, payload: [UInt8]) {
      self.source = source
      self.sourcePort = sourcePort
      self.destination = destination
      self.destinationPort = destinationPort
      self.payload = payload
    }
  }

  static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
  static func le32(_ v: UInt32) -> [UInt8] { le16(UInt16(v & 0xffff)) + le16(UInt16(v >> 16)) }

  /// The bytes of a pcap file with one Ethernet/IPv4 (or IPv6)/UDP frame per datagram, one second apart.
  public static func file(_ datagrams: [Datagram], firstSecond: UInt32 = 1_741_613_400) -> [UInt8] {
    var out = le32(0xa1b2_c3d4) + le16(2) + le16(4) + le32(0) + le32(0) + le32(262_144) + le32(1)
    for (i, d) in datagrams.enumerated() {
      let udp = Export.be16(d.sourcePort) + Export.be16(d.destinationPort) + Export.be16(UInt16(8 + d.payload.count)) + [0, 0] + d.payload
      let frame: [UInt8]
      if let src = IPv4Address(d.source), let dst = IPv4Address(d.destination) {
        let ip = [0x45, 0] + Export.be16(UInt16(20 + udp.count)) + [0, 1, 0x40, 0, 64, 17, 0, 0]
          + Export.be32(src.value) + Export.be32(dst.value)
        frame = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00] + ip + udp
      } else {
        let ip = [0x60, 0, 0, 0] + Export.be16(UInt16(udp.count)) + [17, 64] + Export.v6(d.source) + Export.v6(d.destination)
        frame = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd] + ip + udp
      }
      out += le32(firstSecond + UInt32(i)) + le32(0) + le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame
    }
    return out
  }
}
