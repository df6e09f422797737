import NetCore

/// The kind of a special-purpose address: space that cannot be a real origin on the Internet.
public struct SpecialKind: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
  public static func < (a: SpecialKind, b: SpecialKind) -> Bool { a.rawValue < b.rawValue }

  /// `0.0.0.0/32`, `::/128` (RFC 1122, RFC 4291).
  public static let unspecified = SpecialKind(rawValue: "unspecified")
  /// `0.0.0.0/8`, "this network" (RFC 791).
  public static let thisNetwork = SpecialKind(rawValue: "this-network")
  /// `10/8`, `172.16/12`, `192.168/16` (RFC 1918).
  public static let `private` = SpecialKind(rawValue: "private")
  /// `100.64/10`, shared address space for carrier-grade NAT (RFC 6598).
  public static let shared = SpecialKind(rawValue: "shared")
  /// `127/8`, `::1/128` (RFC 1122, RFC 4291).
  public static let loopback = SpecialKind(rawValue: "loopback")
  /// `169.254/16`, `fe80::/10` (RFC 3927, RFC 4291).
  public static let linkLocal = SpecialKind(rawValue: "link-local")
  /// `192.0.0.0/24`, `2001::/23` outside its global sub-allocations (RFC 6890, RFC 2928).
  public static let ietfProtocol = SpecialKind(rawValue: "ietf-protocol")
  /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24` (RFC 5737), `2001:db8::/32` (RFC 3849), `3fff::/20` (RFC 9637).
  public static let documentation = SpecialKind(rawValue: "documentation")
  /// `198.18/15` (RFC 2544), `2001:2::/48` (RFC 5180).
  public static let benchmarking = SpecialKind(rawValue: "benchmarking")
  /// `224/4` (RFC 5771), `ff00::/8` (RFC 4291).
  public static let multicast = SpecialKind(rawValue: "multicast")
  /// `240/4` (RFC 1112) and IPv6 outside `2000::/3` that no other entry covers (RFC 4291).
  public static let reserved = SpecialKind(rawValue: "reserved")
  /// `255.255.255.255/32` (RFC 919).
  public static let broadcast = SpecialKind(rawValue: "broadcast")
  /// `fc00::/7` (RFC 4193).
  public static let uniqueLocal = SpecialKind(rawValue: "unique-local")
  /// `100::/64` (RFC 6666) and the dummy prefix `100:0:0:1::/64` (RFC 9780).
  public static let discardOnly = SpecialKind(rawValue: "discard-only")
  /// `64:ff9b:1::/48`, local-use IPv4/IPv6 translation (RFC 8215).
  public static let translation = SpecialKind(rawValue: "translation")
  /// `5f00::/16`, SRv6 segment identifiers (RFC 9602).
  public static let segmentRouting = SpecialKind(rawValue: "segment-routing")
}

/// How an address is to be geolocated.
public enum AddressClass: Hashable, Sendable {
  /// Ordinary public space: look it up as it is.
  case global
  /// Special-purpose space: never looked up, never counted as a country.
  case special(SpecialKind)
  /// An IPv6 form that carries an IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo): look up
  /// the embedded address instead.
  case embedded(IPv4Address, via: String)
}

/// The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates), plus
/// multicast and the rest of the space that is not global unicast.
///
/// Only entries whose "Globally Reachable" column is False are special here. Globally
/// reachable entries (AS112, AMT, `192.88.99.0/24`, `2001:1::1/128`, ORCHIDv2, drone DET) are
/// real Internet origins and are looked up like any other address.
public enum SpecialPurpose {
  public struct Entry: Sendable, Hashable {
    public var network: IPNetwork
    public var kind: SpecialKind
    /// The registry's name for the block.
    public var name: String
    public var reference: String
  }

  /// The IPv4 entries, most specific first where they nest.
  public static let ipv4: [Entry] = [
    entry("0.0.0.0/32", .unspecified, "Unspecified", "RFC 1122"),
    entry("0.0.0.0/8", .thisNetwork, "This network", "RFC 791"),
    entry("10.0.0.0/8", .private, "Private-Use", "RFC 1918"),
    entry("100.64.0.0/10", .shared, "Shared Address Space", "RFC 6598"),
    entry("127.0.0.0/8", .loopback, "Loopback", "RFC 1122"),
    entry("169.254.0.0/16", .linkLocal, "Link Local", "RFC 3927"),
    entry("172.16.0.0/12", .private, "Private-Use", "RFC 1918"),
    // 192.0.0.9/32 and 192.0.0.10/32 are globally reachable (PCP and TURN anycast).
    entry("192.0.0.9/32", nil, "Port Control Protocol Anycast", "RFC 7723"),
    entry("192.0.0.10/32", nil, "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    entry("192.0.0.0/24", .ietfProtocol, "IETF Protocol Assignments", "RFC 6890"),
    entry("192.0.2.0/24", .documentation, "Documentation (TEST-NET-1)", "RFC 5737"),
    entry("192.168.0.0/16", .private, "Private-Use", "RFC 1918"),
    entry("198.18.0.0/15", .benchmarking, "Benchmarking", "RFC 2544"),
    entry("198.51.100.0/24", .documentation, "Documentation (TEST-NET-2)", "RFC 5737"),
    entry("203.0.113.0/24", .documentation, "Documentation (TEST-NET-3)", "RFC 5737"),
    entry("224.0.0.0/4", .multicast, "Multicast", "RFC 5771"),
    entry("255.255.255.255/32", .broadcast, "Limited Broadcast", "RFC 919"),
    entry("240.0.0.0/4", .reserved, "Reserved", "RFC 1112"),
  ]

  /// The IPv6 entries, most specific first where they nest. Entries with no kind are global
  /// sub-allocations carved out of a special block.
  public static let ipv6: [Entry] = [
    entry("::/128", .unspecified, "Unspecified Address", "RFC 4291"),
    entry("::1/128", .loopback, "Loopback Address", "RFC 4291"),
    entry("64:ff9b:1::/48", .translation, "IPv4-IPv6 Translation (local use)", "RFC 8215"),
    entry("100::/64", .discardOnly, "Discard-Only Address Block", "RFC 6666"),
    entry("100:0:0:1::/64", .discardOnly, "Dummy IPv6 Prefix", "RFC 9780"),
    entry("2001:1::1/128", nil, "Port Control Protocol Anycast", "RFC 7723"),
    entry("2001:1::2/128", nil, "Traversal Using Relays around NAT Anycast", "RFC 8155"),
    entry("2001:1::3/128", nil, "DNS-SD Service Registration Protocol Anycast", "RFC 9665"),
    entry("2001:2::/48", .benchmarking, "Benchmarking", "RFC 5180"),
    entry("2001:3::/32", nil, "AMT", "RFC 7450"),
    entry("2001:4:112::/48", nil, "AS112-v6", "RFC 7535"),
    entry("2001:20::/28", nil, "ORCHIDv2", "RFC 7343"),
    entry("2001:30::/28", nil, "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374"),
    entry("2001:db8::/32", .documentation, "Documentation", "RFC 3849"),
    entry("2001::/23", .ietfProtocol, "IETF Protocol Assignments", "RFC 2928"),
    entry("3fff::/20", .documentation, "Documentation", "RFC 9637"),
    entry("5f00::/16", .segmentRouting, "Segment Routing (SRv6) SIDs", "RFC 9602"),
    entry("fc00::/7", .uniqueLocal, "Unique-Local", "RFC 4193"),
    entry("fe80::/10", .linkLocal, "Link-Local Unicast", "RFC 4291"),
    entry("ff00::/8", .multicast, "Multicast", "RFC 4291"),
  ]

  private static func entry(_ cidr: String, _ kind: SpecialKind?, _ name: String, _ reference: String) -> Entry {
    Entry(network: IPNetwork(cidr)!, kind: kind ?? SpecialKind(rawValue: ""), name: name, reference: reference)
  }

  /// Classifies an address before any database lookup.
  @inlinable
  public static func classify(_ address: IPAddress) -> AddressClass {
    switch address {
    case .v4(let a): return classify(a)
    case .v6(let a): return classify(a)
    }
  }

  /// Classifies an IPv4 address. The common case (global unicast) is decided with a few compares.
  public static func classify(_ a: IPv4Address) -> AddressClass {
    let v = a.value
    let top = v >> 24
    switch top {
    case 0: return .special(v == 0 ? .unspecified : .thisNetwork)
    case 10: return .special(.private)
    case 100 where v & 0xFFC0_0000 == 0x6440_0000: return .special(.shared)
    case 127: return .special(.loopback)
    case 169 where v >> 16 == 0xA9FE: return .special(.linkLocal)
    case 172 where v & 0xFFF0_0000 == 0xAC10_0000: return .special(.private)
    case 192:
      if v >> 8 == 0xC000_00 {
        return (v == 0xC000_0009 || v == 0xC000_000A) ? .global : .special(.ietfProtocol)
      }
      if v >> 8 == 0xC000_02 { return .special(.documentation) }
      if v >> 16 == 0xC0A8 { return .special(.private) }
      return .global
    case 198:
      if v & 0xFFFE_0000 == 0xC612_0000 { return .special(.benchmarking) }
      if v >> 8 == 0xC633_64 { return .special(.documentation) }
      return .global
    case 203 where v >> 8 == 0xCB00_71: return .special(.documentation)
    case 224...239: return .special(.multicast)
    case 240...255: return .special(v == 0xFFFF_FFFF ? .broadcast : .reserved)
    default: return .global
    }
  }

  /// Classifies an IPv6 address, finding the IPv4 address inside the forms that carry one.
  public static func classify(_ a: IPv6Address) -> AddressClass {
    let h = a.high
    // Global unicast 2000::/3 outside 2001::/23, 2002::/16 and the documentation blocks is the common case.
    if h >> 61 == 1 {
      if h >> 48 == 0x2002 {
        // 6to4 (RFC 3056): the IPv4 address is bits 16-47.
        return .embedded(IPv4Address(UInt32(truncatingIfNeeded: h >> 16)), via: "6to4")
      }
      if h >> 32 == 0x2001_0000 {
        // Teredo (RFC 4380): the client's IPv4 address is the last 32 bits, inverted.
        return .embedded(IPv4Address(~UInt32(truncatingIfNeeded: a.low)), via: "teredo")
      }
      if h >> 41 == 0x2001_0000_0000_0000 >> 41 || h >> 32 == 0x2001_0db8 || h >> 44 == 0x3fff0 {
        return classifyByTable(a)
      }
      return .global
    }
    if h == 0 {
      if a.low >> 32 == 0xffff {
        return .embedded(IPv4Address(UInt32(truncatingIfNeeded: a.low)), via: "ipv4-mapped")
      }
      if a.low == 0 { return .special(.unspecified) }
      if a.low == 1 { return .special(.loopback) }
      return .special(.reserved)
    }
    if h == 0x0064_ff9b_0000_0000 && a.low >> 32 == 0 {
      // The NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
      return .embedded(IPv4Address(UInt32(truncatingIfNeeded: a.low)), via: "nat64")
    }
    return classifyByTable(a)
  }

  private static func classifyByTable(_ a: IPv6Address) -> AddressClass {
    let address = IPAddress.v6(a)
    for e in ipv6 where e.network.contains(address) {
      return e.kind.rawValue.isEmpty ? .global : .special(e.kind)
    }
    // IPv6 outside 2000::/3 that the registry does not name is reserved by the IETF.
    return a.high >> 61 == 1 ? .global : .special(.reserved)
  }

  /// The registry entry that covers `address`, for explanations (`nil` for global space).
  public static func entry(for address: IPAddress) -> Entry? {
    let table = address.isIPv4 ? ipv4 : ipv6
    return table.first { $0.network.contains(address) && !$0.kind.rawValue.isEmpty }
  }
}
