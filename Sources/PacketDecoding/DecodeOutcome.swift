/// The result of decoding one frame.
///
/// Failures are of two kinds, as in etherparse: `truncated` (the capture ends before a header that is
/// needed) and `malformed` (the bytes are there but cannot be right). Frames that are well formed but
/// carry no IP packet are `nonIP`.
public enum DecodeOutcome: Hashable, Sendable {
  /// An IP packet was found.
  case ip(DecodedPacket)
  /// The frame is valid but does not carry IP.
  case nonIP(NonIPReason)
  /// The frame ends before the header of `layer` does: `needed` bytes from the start of the frame
  /// were required, `available` were captured.
  case truncated(DecodeLayer, needed: Int, available: Int)
  /// The header of `layer` holds a value no valid frame can have.
  case malformed(DecodeLayer, MalformedReason)

  /// The decoded packet, if any.
  public var packet: DecodedPacket? {
    if case .ip(let packet) = self { return packet }
    return nil
  }

  /// A stable short key for counting outcomes in summaries: `"ip"`, a `NonIPReason` raw value,
  /// `"truncated"` or `"malformed"`.
  public var summaryKey: String {
    switch self {
    case .ip: "ip"
    case .nonIP(let reason): reason.rawValue
    case .truncated: "truncated"
    case .malformed: "malformed"
    }
  }
}

extension DecodeOutcome: CustomStringConvertible {
  public var description: String {
    switch self {
    case .ip(let p):
      let ports = p.sourcePort.map { " \($0)->\(p.destinationPort.map(String.init) ?? "?")" } ?? ""
      return "ip \(p.source) -> \(p.destination) proto \(p.protocolNumber)\(ports)"
    case .nonIP(let reason): return "non-IP: \(reason.rawValue)"
    case .truncated(let layer, let needed, let available):
      return "truncated \(layer.rawValue) header: needs \(needed) bytes, \(available) captured"
    case .malformed(let layer, let reason):
      return "malformed \(layer.rawValue) header: \(reason.rawValue)"
    }
  }
}

/// Why a well-formed frame carries no IP packet. Raw values are stable keys for summaries.
public enum NonIPReason: String, Hashable, Sendable, CaseIterable {
  /// ARP (EtherType 0x0806).
  case arp = "arp"
  /// Any other EtherType (LLDP, IPX, 802.1X, ...), or a Linux cooked protocol below 0x0600.
  case otherEtherType = "other-ethertype"
  /// A link type this decoder does not read.
  case unsupportedLinkType = "unsupported-link-type"
  /// An 802.2 LLC frame that is not SNAP-encapsulated IP (STP, NetBIOS, other OUIs).
  case llcNonIP = "llc-non-ip"
  /// PPPoE discovery stage (EtherType 0x8863).
  case pppoeDiscovery = "pppoe-discovery"
  /// A PPP protocol other than IPv4, IPv6 or MPLS (LCP, IPCP, CHAP, ...).
  case pppNonIP = "ppp-non-ip"
  /// An MPLS payload whose first nibble is neither 4 nor 6 (pseudowires, for example).
  case mplsNonIP = "mpls-non-ip"
  /// A BSD loopback or NFLOG address family other than IPv4 or IPv6.
  case otherAddressFamily = "other-address-family"
  /// A Linux cooked capture of a netlink socket (ARPHRD_NETLINK).
  case netlink = "netlink"
  /// An 802.11 management or control frame, or a data frame without a body (Null, QoS Null).
  case wlanNonData = "wlan-non-data"
  /// An 802.11 data frame with the Protected Frame bit set: the body is encrypted.
  case wlanProtected = "wlan-protected"
  /// An NFLOG message without an NFULA_PAYLOAD attribute.
  case nflogNoPayload = "nflog-no-payload"
}

/// Why a header cannot be right. Raw values are stable keys for diagnostics.
public enum MalformedReason: String, Hashable, Sendable, CaseIterable {
  /// The IP version nibble is not the one the link layer announced, or neither 4 nor 6.
  case badIPVersion = "bad-ip-version"
  /// IPv4 Internet Header Length below 5 (20 bytes).
  case badIPv4HeaderLength = "bad-ipv4-header-length"
  /// IPv4 Total Length shorter than the header itself.
  case ipv4TotalLengthTooShort = "ipv4-total-length-too-short"
  /// More than 16 VLAN tags or SNAP headers, more than 16 MPLS labels, or more than 32 IPv6 extension headers.
  case tooDeep = "too-deep"
  /// PPPoE version/type is not 1/1 or the code is not 0 in the session stage (RFC 2516).
  case badPPPoEHeader = "bad-pppoe-header"
  /// An 802.11 protocol version other than 0.
  case badWLANHeader = "bad-wlan-header"
  /// A radiotap version other than 0 or a length shorter than its 8-byte fixed part.
  case badRadiotapHeader = "bad-radiotap-header"
  /// An NFLOG version other than 0.
  case badNFLOGHeader = "bad-nflog-header"
  /// An NFLOG TLV shorter than its own 4-byte header.
  case badNFLOGTLVLength = "bad-nflog-tlv-length"
}

/// The header a truncation or malformation was found in. Raw values are stable short names.
public enum DecodeLayer: String, Hashable, Sendable, CaseIterable {
  case ethernet = "ethernet"
  case vlan = "vlan"
  case mpls = "mpls"
  case pppoe = "pppoe"
  case llc = "llc"
  case linuxSLL = "linux-sll"
  case linuxSLL2 = "linux-sll2"
  case null = "null"
  case loop = "loop"
  case ppp = "ppp"
  case ciscoHDLC = "c-hdlc"
  case ieee80211 = "ieee802-11"
  case radiotap = "radiotap"
  case nflog = "nflog"
  /// An IP header whose version is not yet known (raw IP, MPLS payload).
  case ip = "ip"
  case ipv4 = "ipv4"
  case ipv6 = "ipv6"
}
