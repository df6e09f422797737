import NetCore

/// Reads the values flow logs are made of from their bytes: counters, addresses, times, protocols.
/// Every function returns nil for text that is not a valid value, never a guess.
enum FieldParser {
  /// A non-negative decimal integer (digits only, at most UInt64.max).
  static func unsigned(_ text: UnsafeRawBufferPointer) -> UInt64? {
    guard !text.isEmpty, text.count <= 20 else { return nil }
    var value: UInt64 = 0
    for c in text {
      guard c >= 0x30 && c <= 0x39 else { return nil }
      let (times10, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(UInt64(c - 0x30))
      if o1 || o2 { return nil }
      value = sum
    }
    return value
  }

  static func unsigned(_ text: [UInt8]) -> UInt64? { text.withUnsafeBytes { unsigned($0) } }

  /// A port: a decimal integer up to 65535.
  static func port(_ text: UnsafeRawBufferPointer) -> UInt16? {
    guard let v = unsigned(text), v <= 65535 else { return nil }
    return UInt16(v)
  }

  /// An IPv4 address in dotted-quad notation or an IPv6 address (a zone, `%eth0`, is ignored).
  static func address(_ text: UnsafeRawBufferPointer) -> IPAddress? {
    if let v4 = ipv4(text) { return .v4(v4) }
    guard text.count >= 2, text.count <= 64, text.contains(0x3a) else { return nil }
    var string = String(decoding: text, as: UTF8.self)
    if let zone = string.firstIndex(of: "%") { string = String(string[..<zone]) }
    return IPv6Address(string).map { .v6($0) }
  }

  static func address(_ text: [UInt8]) -> IPAddress? { text.withUnsafeBytes { address($0) } }

  /// Dotted-quad IPv4 without leading zeros (as `IPv4Address` accepts it), from bytes.
  static func ipv4(_ text: UnsafeRawBufferPointer) -> IPv4Address? {
    guard text.count >= 7, text.count <= 15 else { return nil }
    var result: UInt32 = 0
    var octet: UInt32 = 0
    var digits = 0
    var dots = 0
    for c in text {
      if c >= 0x30 && c <= 0x39 {
        if digits > 0 && octet == 0 { return nil }
        octet = octet * 10 + UInt32(c - 0x30)
        digits += 1
        if octet > 255 { return nil }
      } else if c == 0x2e {
        guard digits > 0, dots < 3 else { return nil }
        result = result << 8 | octet
        octet = 0
        digits = 0
        dots += 1
      } else {
        return nil
      }
    }
    guard digits > 0, dots == 3 else { return nil }
    return IPv4Address(result << 8 | octet)
  }

  /// Seconds since the Unix epoch with an optional fraction of up to nine digits: `1741600800`,
  /// `1741600800.251547`.
  static func epochSeconds(_ text: UnsafeRawBufferPointer) -> Timestamp? {
    guard !text.isEmpty else { return nil }
    var seconds: Int64 = 0
    var nanos: Int64 = 0
    var i = 0
    var digits = 0
    while i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
      guard digits < 12 else { return nil }
      seconds = seconds * 10 + Int64(text[i] - 0x30)
      digits += 1
      i += 1
    }
    guard digits > 0 else { return nil }
    if i < text.count {
      guard text[i] == 0x2e, i + 1 < text.count else { return nil }
      i += 1
      var fraction = 0
      while i < text.count {
        let c = text[i]
        guard c >= 0x30 && c <= 0x39 else { return nil }
        if fraction < 9 { nanos = nanos * 10 + Int64(c - 0x30) }
        fraction += 1
        i += 1
      }
      for _ in min(fraction, 9)..<9 { nanos *= 10 }
    }
    return Timestamp(seconds: seconds, nanoseconds: nanos)
  }

  /// Milliseconds since the Unix epoch (Azure VNet flow tuples). Times past 2262 clamp to the end
  /// of the range, as epoch seconds do.
  static func epochMilliseconds(_ text: UnsafeRawBufferPointer) -> Timestamp? {
    guard let ms = unsigned(text), ms < 1 << 53 else { return nil }
    return Timestamp(seconds: Int64(ms / 1000), nanoseconds: Int64(ms % 1000) * 1_000_000)
  }

  /// An ISO 8601 / RFC 3339 date-time, read leniently the way logs write it: `T` or a space between date
  /// and time, optional seconds and fraction, and an offset `Z`, `+01:00`, `+0100`, `+01`, or none, which
  /// means UTC. `2017-04-07T22:24:37.251547+0100`, `2025-03-10 09:01:30`, `2020-06-16T21:20:41.245963012Z`.
  static func isoTime(_ text: UnsafeRawBufferPointer) -> Timestamp? {
    Timestamp.parseISO8601(bytes: text, lenient: true)
  }

  /// Epoch seconds (with an optional fraction) or an ISO 8601 date-time.
  static func time(_ text: UnsafeRawBufferPointer) -> Timestamp? {
    if let t = epochSeconds(text) { return t }
    return isoTime(text)
  }

  static func time(_ text: [UInt8]) -> Timestamp? { text.withUnsafeBytes { time($0) } }

  /// An IP protocol from its number or its name as flow tools print it (`TCP`, `udp`, `ICMP6`,
  /// `IPv6-ICMP`, `GRE`...), case-insensitive. Nil for an unknown name.
  static func protocolNumber(_ text: UnsafeRawBufferPointer) -> UInt8? {
    if let n = unsigned(text) { return n <= 255 ? UInt8(n) : nil }
    guard text.count <= 16 else { return nil }
    let name = String(decoding: text, as: UTF8.self).lowercased()
    return protocolNames[name]
  }

  static func protocolNumber(_ text: [UInt8]) -> UInt8? { text.withUnsafeBytes { protocolNumber($0) } }

  /// Protocol names used by nfdump, Zeek, Suricata and the IANA registry's keywords.
  static let protocolNames: [String: UInt8] = [
    "hopopt": 0, "icmp": 1, "igmp": 2, "ggp": 3, "ipip": 4, "ipv4": 4, "st": 5, "tcp": 6, "cbt": 7, "egp": 8,
    "igp": 9, "udp": 17, "dccp": 33, "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "idrp": 45, "rsvp": 46,
    "gre": 47, "esp": 50, "ah": 51, "icmp6": 58, "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59, "ipv6-opts": 60,
    "eigrp": 88, "ospf": 89, "ospfigp": 89, "pim": 103, "vrrp": 112, "l2tp": 115, "sctp": 132, "udplite": 136,
  ]

  /// TCP flags from a letter string as nfdump and Suricata print them: `...AP.SF` (nfdump's
  /// CWR ECE URG ACK PSH RST SYN FIN order, `.` for a clear flag), or a hexadecimal byte (`1b`).
  static func tcpFlags(letters text: UnsafeRawBufferPointer) -> UInt8? {
    if text.count == 8 {
      let letters: [UInt8] = Array("CEUAPRSF".utf8)
      var flags: UInt8 = 0
      for (i, c) in text.enumerated() {
        if c == 0x2e { continue }
        guard c == letters[i] else { return nil }
        flags |= 1 << UInt8(7 - i)
      }
      return flags
    }
    guard text.count >= 1, text.count <= 2 else { return nil }
    var v: UInt8 = 0
    for c in text {
      let d: UInt8
      switch c {
      case 0x30...0x39: d = c - 0x30
      case 0x61...0x66: d = c - 0x61 + 10
      case 0x41...0x46: d = c - 0x41 + 10
      default: return nil
      }
      v = v << 4 | d
    }
    return v
  }

  /// A short, single-line, printable rendering of field bytes for messages: `'1.2.3'`, `'abc…'`.
  static func excerpt(_ text: UnsafeRawBufferPointer, limit: Int = 40) -> String {
    var out = ""
    for (i, c) in text.enumerated() {
      if i == limit {
        out += "…"
        break
      }
      if c >= 0x20 && c < 0x7f {
        out.append(Character(Unicode.Scalar(c)))
      } else if c == 0x09 {
        out += "\\t"
      } else {
        out += "\\x" + (c < 16 ? "0" : "") + String(c, radix: 16)
      }
    }
    return "'\(out)'"
  }

  static func excerpt(_ text: [UInt8], limit: Int = 40) -> String { text.withUnsafeBytes { excerpt($0, limit: limit) } }

  /// Whether the bytes spell exactly `word` (ASCII, case-sensitive).
  static func equals(_ text: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
    text.count == word.utf8CodeUnitCount
      && (text.isEmpty || memcmp(text.baseAddress!, word.utf8Start, text.count) == 0)
  }
}

#if canImport(Glibc)
  import Glibc
#endif
