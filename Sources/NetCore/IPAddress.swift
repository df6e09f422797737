#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An IPv4 address, held in host byte order.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The 32-bit value, most significant byte first when written out (`1.2.3.4` is `0x01020304`).
  public var value: UInt32

  public init(_ value: UInt32) { self.value = value }

  public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
    value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
  }

  /// Parses dotted-quad notation (`192.0.2.1`); `nil` for anything else.
  public init?(_ text: some StringProtocol) {
    var result: UInt32 = 0
    var octet: UInt32 = 0
    var digits = 0
    var dots = 0
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"):
        // Leading zeros are refused: `010` means octal to some parsers and decimal to others.
        if digits > 0 && octet == 0 { return nil }
        octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
        digits += 1
        if octet > 255 { return nil }
      case UInt8(ascii: "."):
        guard digits > 0, dots < 3 else { return nil }
        result = result << 8 | octet
        octet = 0
        digits = 0
        dots += 1
      default:
        return nil
      }
    }
    guard digits > 0, dots == 3 else { return nil }
    value = result << 8 | octet
  }

  public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

  public var description: String {
    "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
  }
}

/// An IPv6 address as two 64-bit halves in host byte order.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var high: UInt64
  public var low: UInt64

  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// Builds an address from its 16 bytes in network order.
  public init(bytes: some Collection<UInt8>) {
    precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
    var h: UInt64 = 0
    var l: UInt64 = 0
    for (i, b) in bytes.enumerated() {
      if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
    }
    high = h
    low = l
  }

  /// Parses any textual IPv6 form accepted by `inet_pton` (`2001:db8::1`, `::ffff:192.0.2.1`).
  public init?(_ text: some StringProtocol) {
    var storage = in6_addr()
    let ok = String(text).withCString { inet_pton(AF_INET6, $0, &storage) }
    guard ok == 1 else { return nil }
    self = withUnsafeBytes(of: &storage) { IPv6Address(bytes: $0) }
  }

  /// The 16 bytes in network order.
  public var bytes: [UInt8] {
    var out = [UInt8](repeating: 0, count: 16)
    for i in 0..<8 {
      out[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
      out[i + 8] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
    }
    return out
  }

  /// The IPv4 address embedded in an IPv4-mapped address (`::ffff:a.b.c.d`, RFC 4291 2.5.5.2).
  public var mappedIPv4: IPv4Address? {
    guard high == 0, low >> 32 == 0xffff else { return nil }
    return IPv4Address(UInt32(truncatingIfNeeded: low))
  }

  public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
    (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }

  public var description: String {
    var storage = in6_addr()
    withUnsafeMutableBytes(of: &storage) { raw in
      for (i, b) in bytes.enumerated() { raw[i] = b }
    }
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    _ = inet_ntop(AF_INET6, &storage, &buffer, socklen_t(buffer.count))
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }
}

/// An IPv4 or IPv6 address.
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
  case v4(IPv4Address)
  case v6(IPv6Address)

  /// Parses either family; `nil` when the text is neither.
  public init?(_ text: some StringProtocol) {
    if let v4 = IPv4Address(text) {
      self = .v4(v4)
    } else if text.contains(":"), let v6 = IPv6Address(text) {
      self = .v6(v6)
    } else {
      return nil
    }
  }

  public var isIPv4: Bool {
    if case .v4 = self { return true }
    return false
  }

  /// The address as 128 bits, IPv4 placed the way MaxMind trees place it (`::a.b.c.d`).
  public var bits128: (high: UInt64, low: UInt64) {
    switch self {
    case .v4(let a): return (0, UInt64(a.value))
    case .v6(let a): return (a.high, a.low)
    }
  }

  public var description: String {
    switch self {
    case .v4(let a): return a.description
    case .v6(let a): return a.description
    }
  }

  public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
    switch (lhs, rhs) {
    case (.v4(let a), .v4(let b)): return a < b
    case (.v6(let a), .v6(let b)): return a < b
    case (.v4, .v6): return true
    case (.v6, .v4): return false
    }
  }
}
