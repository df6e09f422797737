/// The link-layer header type of a capture: the `LINKTYPE_*` value stored in a pcap file header or
/// a pcapng Interface Description Block (https://www.tcpdump.org/linktypes.html).
///
/// A few platform-specific `DLT_*` values that some writers store unmapped are accepted as aliases
/// (`DLT_RAW` is 12 on most systems and 14 on OpenBSD).
public struct LinkType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public var rawValue: UInt32

  public init(rawValue: UInt32) { self.rawValue = rawValue }
  public init(_ rawValue: UInt32) { self.rawValue = rawValue }

  /// BSD loopback: a 4-byte address family in the writing host's byte order.
  public static let null = LinkType(0)
  /// IEEE 802.3 Ethernet (DIX or 802.3 with a length field).
  public static let ethernet = LinkType(1)
  /// PPP (RFC 1661), optionally with the RFC 1662 address and control bytes.
  public static let ppp = LinkType(9)
  /// `DLT_RAW` as written on most platforms: a bare IPv4 or IPv6 packet.
  public static let rawDLT12 = LinkType(12)
  /// `DLT_RAW` as written on OpenBSD: a bare IPv4 or IPv6 packet.
  public static let rawDLT14 = LinkType(14)
  /// PPP in HDLC-like framing (RFC 1662), or Cisco PPP with HDLC framing.
  public static let pppHDLC = LinkType(50)
  /// A bare IPv4 or IPv6 packet; the version nibble says which.
  public static let raw = LinkType(101)
  /// Cisco HDLC: address, control, then a 2-byte EtherType.
  public static let cHDLC = LinkType(104)
  /// IEEE 802.11 frames without a radio header.
  public static let ieee80211 = LinkType(105)
  /// OpenBSD loopback: a 4-byte address family in network byte order.
  public static let loop = LinkType(108)
  /// Linux "cooked" capture, version 1 (16-byte header).
  public static let linuxSLL = LinkType(113)
  /// IEEE 802.11 frames preceded by a radiotap header.
  public static let ieee80211Radiotap = LinkType(127)
  /// PPP preceded by a one-byte direction (0 received, non-zero sent).
  public static let pppWithDirection = LinkType(204)
  /// A bare IPv4 packet.
  public static let ipv4 = LinkType(228)
  /// A bare IPv6 packet.
  public static let ipv6 = LinkType(229)
  /// Linux netfilter NFLOG messages.
  public static let nflog = LinkType(239)
  /// Linux "cooked" capture, version 2 (20-byte header).
  public static let linuxSLL2 = LinkType(276)

  /// Every link type `PacketDecoder` understands.
  public static let supported: [LinkType] = [
    .null, .ethernet, .ppp, .rawDLT12, .rawDLT14, .pppHDLC, .raw, .cHDLC, .ieee80211, .loop,
    .linuxSLL,
    .ieee80211Radiotap, .pppWithDirection, .ipv4, .ipv6, .nflog, .linuxSLL2,
  ]

  /// Whether `PacketDecoder` can find IP packets in frames of this type.
  public var isSupported: Bool { knownName != nil }

  /// A short stable name (`"ethernet"`, `"linux-sll2"`); `"linktype-N"` for types not decoded here.
  public var name: String { knownName ?? "linktype-\(rawValue)" }

  public var description: String { name }

  private var knownName: String? {
    switch rawValue {
    case 0: "null"
    case 1: "ethernet"
    case 9: "ppp"
    case 12, 14, 101: "raw"
    case 50: "ppp-hdlc"
    case 104: "c-hdlc"
    case 105: "ieee802-11"
    case 108: "loop"
    case 113: "linux-sll"
    case 127: "ieee802-11-radiotap"
    case 204: "ppp-with-dir"
    case 228: "ipv4"
    case 229: "ipv6"
    case 239: "nflog"
    case 276: "linux-sll2"
    default: nil
    }
  }
}
