import NetCore

/// Builds NetFlow v5, v9 and IPFIX datagrams byte by byte, for tests whose expected values are
/// known by construction.
enum Export {
  static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
  static func be32(_ v: UInt32) -> [UInt8] { be16(UInt16(v >> 16)) + be16(UInt16(v & 0xffff)) }
  static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xffff_ffff)) }
  static func v4(_ text: String) -> [UInt8] { be32(IPv4Address(text)!.value) }
  static func v6(_ text: String) -> [UInt8] { IPv6Address(text)!.bytes }

  // MARK: NetFlow v5

  struct V5Record {
    var source = "5.8.1.1"
    var destination = "104.244.42.1"
    var packets: UInt32 = 10
    var octets: UInt32 = 4000
    var first: UInt32 = 0
    var last: UInt32 = 0
    var sourcePort: UInt16 = 40000
    var destinationPort: UInt16 = 443
    var tcpFlags: UInt8 = 0x12
    var protocolNumber: UInt8 = 6
  }

  static func v5(
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
  struct Field {
    var id: UInt16
    var length: UInt16
    var enterprise: UInt32? = nil
    init(_ id: UInt16, _ length: UInt16, enterprise: UInt32? = nil) {
      self.id = id
      self.length = length
      self.enterprise = enterprise
    }
    var bytes: [UInt8] {
      if let enterprise { return be16(id | 0x8000) + be16(length) + be32(enterprise) }
      return be16(id) + be16(length)
    }
  }

  static func v9(uptime: UInt32, seconds: UInt32, sourceID: UInt32 = 0, sequence: UInt32 = 1, count: UInt16 = 0, _ sets: [[UInt8]]) -> [UInt8] {
    be16(9) + be16(count) + be32(uptime) + be32(seconds) + be32(sequence) + be32(sourceID) + sets.flatMap { $0 }
  }

  static func ipfix(exportTime: UInt32, domain: UInt32 = 0, sequence: UInt32 = 0, length: Int? = nil, _ sets: [[UInt8]]) -> [UInt8] {
    let body = sets.flatMap { $0 }
    return be16(10) + be16(UInt16(length ?? (16 + body.count))) + be32(exportTime) + be32(sequence) + be32(domain) + body
  }

  /// A FlowSet/Set: ID, length, contents, then `padding` zero bytes (counted in the length).
  static func set(_ id: UInt16, _ contents: [UInt8], padding: Int = 0, length: Int? = nil) -> [UInt8] {
    be16(id) + be16(UInt16(length ?? (4 + contents.count + padding))) + contents + [UInt8](repeating: 0, count: padding)
  }

  static func template(_ id: UInt16, _ fields: [Field]) -> [UInt8] {
    be16(id) + be16(UInt16(fields.count)) + fields.flatMap(\.bytes)
  }

  /// An IPFIX options template record: scope fields first.
  static func ipfixOptionsTemplate(_ id: UInt16, scope: [Field], options: [Field]) -> [UInt8] {
    be16(id) + be16(UInt16(scope.count + options.count)) + be16(UInt16(scope.count)) + (scope + options).flatMap(\.bytes)
  }

  /// A v9 options template record: scope and option lengths in bytes.
  static func v9OptionsTemplate(_ id: UInt16, scope: [Field], options: [Field]) -> [UInt8] {
    be16(id) + be16(UInt16(scope.count * 4)) + be16(UInt16(options.count * 4)) + (scope + options).flatMap(\.bytes)
  }

  /// An IPFIX variable-length field value: 1-byte length, or 255 and a 2-byte length.
  static func variable(_ value: [UInt8], long: Bool = false) -> [UInt8] {
    if long || value.count >= 255 { return [255] + be16(UInt16(value.count)) + value }
    return [UInt8(value.count)] + value
  }

  /// NTP timestamp (seconds since 1900, 2^-32 fraction) of nanoseconds since 1970.
  static func ntp(_ nanoseconds: Int64) -> [UInt8] {
    let seconds = UInt32(nanoseconds / 1_000_000_000 + 2_208_988_800)
    let fraction = UInt32(((UInt64(nanoseconds % 1_000_000_000) << 32) + 999_999_999) / 1_000_000_000)
    return be32(seconds) + be32(fraction)
  }
}
