/// An address prefix: `192.0.2.0/24`, `2001:db8::/32`.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
  /// The first address of the network (host bits are zero).
  public let address: IPAddress
  /// Prefix length: 0...32 for IPv4, 0...128 for IPv6.
  public let prefixLength: Int

  /// Creates a network, clearing any host bits of `address`; `nil` for an out-of-range length.
  public init?(address: IPAddress, prefixLength: Int) {
    switch address {
    case .v4(let a):
      guard (0...32).contains(prefixLength) else { return nil }
      let mask: UInt32 = prefixLength == 0 ? 0 : ~0 << UInt32(32 - prefixLength)
      self.address = .v4(IPv4Address(a.value & mask))
    case .v6(let a):
      guard (0...128).contains(prefixLength) else { return nil }
      let (mh, ml) = IPNetwork.mask128(prefixLength)
      self.address = .v6(IPv6Address(high: a.high & mh, low: a.low & ml))
    }
    self.prefixLength = prefixLength
  }

  /// Parses `address/length`, or a bare address as a host network.
  public init?(_ text: some StringProtocol) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, let address = IPAddress(parts[0]) else { return nil }
    let length: Int
    if parts.count == 2 {
      guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), parts[1].count <= 3,
        let n = Int(parts[1])
      else { return nil }
      length = n
    } else {
      length = address.isIPv4 ? 32 : 128
    }
    self.init(address: address, prefixLength: length)
  }

  /// Whether `other` falls inside this network (always false across families).
  public func contains(_ other: IPAddress) -> Bool {
    switch (address, other) {
    case (.v4(let n), .v4(let a)):
      let mask: UInt32 = prefixLength == 0 ? 0 : ~0 << UInt32(32 - prefixLength)
      return a.value & mask == n.value
    case (.v6(let n), .v6(let a)):
      let (mh, ml) = IPNetwork.mask128(prefixLength)
      return a.high & mh == n.high && a.low & ml == n.low
    default:
      return false
    }
  }

  /// The last address of the network.
  public var lastAddress: IPAddress {
    switch address {
    case .v4(let a):
      let host: UInt32 = prefixLength == 0 ? ~0 : (prefixLength == 32 ? 0 : ~0 >> UInt32(prefixLength))
      return .v4(IPv4Address(a.value | host))
    case .v6(let a):
      let (mh, ml) = IPNetwork.mask128(prefixLength)
      return .v6(IPv6Address(high: a.high | ~mh, low: a.low | ~ml))
    }
  }

  /// The masks of the high and low halves for a 128-bit prefix length.
  public static func mask128(_ length: Int) -> (UInt64, UInt64) {
    let high: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~0 << UInt64(64 - length))
    let low: UInt64 = length <= 64 ? 0 : (length >= 128 ? ~0 : ~0 << UInt64(128 - length))
    return (high, low)
  }

  public var description: String { "\(address)/\(prefixLength)" }
}

extension IPNetwork {
  /// The smallest list of prefixes that covers `first...last` exactly (same family).
  public static func covering(first: IPAddress, last: IPAddress) -> [IPNetwork] {
    switch (first, last) {
    case (.v4(let f), .v4(let l)):
      guard f <= l else { return [] }
      var out: [IPNetwork] = []
      var start = UInt64(f.value)
      let end = UInt64(l.value)
      while start <= end {
        var size = start == 0 ? 32 : min(32, start.trailingZeroBitCount)
        while size > 0 && start + (1 << UInt64(size)) - 1 > end { size -= 1 }
        out.append(IPNetwork(address: .v4(IPv4Address(UInt32(start))), prefixLength: 32 - size)!)
        start += 1 << UInt64(size)
      }
      return out
    case (.v6(let f), .v6(let l)):
      guard f <= l else { return [] }
      var out: [IPNetwork] = []
      var start = UInt128(f.high) << 64 | UInt128(f.low)
      let end = UInt128(l.high) << 64 | UInt128(l.low)
      while true {
        var size = start == 0 ? 128 : min(128, start.trailingZeroBitCount)
        // The block's size less one against what is left: `start + size` can pass 2^128 at the top.
        let left = end - start
        while size > 0 && (size == 128 ? UInt128.max : (UInt128(1) << size) - 1) > left { size -= 1 }
        let net = IPv6Address(high: UInt64(truncatingIfNeeded: start >> 64), low: UInt64(truncatingIfNeeded: start))
        out.append(IPNetwork(address: .v6(net), prefixLength: 128 - size)!)
        let step: UInt128 = size == 128 ? 0 : UInt128(1) << size
        let (next, overflow) = start.addingReportingOverflow(step)
        if size == 128 || overflow || next > end { break }
        start = next
      }
      return out
    default:
      return []
    }
  }
}
