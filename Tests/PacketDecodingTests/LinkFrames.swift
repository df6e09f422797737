import PacketDecoding
import Testing

/// A frame of some link type that carries the standard test packet of `version`.
struct LinkFrame: Sendable, CustomTestStringConvertible {
  var name: String
  var linkType: LinkType
  var version: IPVersion
  var bytes: [UInt8]

  var testDescription: String { "\(name) IPv\(version.rawValue)" }

  /// Frames of every link type and encapsulation, each with an IPv4 and an IPv6 packet.
  static let all: [LinkFrame] = IPVersion.allCases.flatMap { frames($0) }

  static func frames(_ v: IPVersion) -> [LinkFrame] {
    let ip = Build.packet(v)
    let type = Build.etherType(v)
    let ppp = Build.pppProtocol(v)
    let tag = Build.vlanTag(id: 10)
    var frames: [LinkFrame] = []
    func add(_ name: String, _ linkType: LinkType, _ bytes: [UInt8]) {
      frames.append(LinkFrame(name: name, linkType: linkType, version: v, bytes: bytes))
    }

    // Ethernet and what rides on it.
    add("ethernet", .ethernet, Build.ethernet(type: type, ip))
    add(
      "ethernet padded", .ethernet,
      Build.ethernet(type: type, ip + [UInt8](repeating: 0xee, count: 12)))
    add("802.3 llc/snap", .ethernet, Build.ethernet8023(Build.snap(type) + ip))
    add(
      "802.3 snap bridge-tunnel oui", .ethernet,
      Build.ethernet8023(Build.snap(type, oui: [0, 0, 0xf8]) + ip))
    add("vlan", .ethernet, Build.taggedEthernet(tags: [tag], type: type, ip))
    add(
      "qinq 88a8", .ethernet,
      Build.taggedEthernet(tags: [Build.vlanTag(tpid: 0x88a8, id: 100), tag], type: type, ip))
    add(
      "qinq 9100", .ethernet,
      Build.taggedEthernet(tags: [Build.vlanTag(tpid: 0x9100, id: 100), tag], type: type, ip))
    add(
      "16 stacked tags", .ethernet,
      Build.taggedEthernet(tags: (0..<16).map { Build.vlanTag(id: UInt16($0)) }, type: type, ip))
    add(
      "vlan 802.3 llc/snap", .ethernet,
      Build.taggedEthernet(tags: [tag], type: UInt16(8 + ip.count), Build.snap(type) + ip))
    add("mpls", .ethernet, Build.ethernet(type: 0x8847, Build.mplsLabel(16, bottom: true) + ip))
    add(
      "mpls stack of 3", .ethernet,
      Build.ethernet(
        type: 0x8847,
        Build.mplsLabel(100, bottom: false) + Build.mplsLabel(200, bottom: false)
          + Build.mplsLabel(300, bottom: true) + ip))
    add(
      "mpls multicast", .ethernet,
      Build.ethernet(type: 0x8848, Build.mplsLabel(16, bottom: true) + ip))
    add(
      "16 mpls labels", .ethernet,
      Build.ethernet(
        type: 0x8847, (0..<16).flatMap { Build.mplsLabel(UInt32($0), bottom: $0 == 15) } + ip))
    add(
      "vlan mpls", .ethernet,
      Build.taggedEthernet(tags: [tag], type: 0x8847, Build.mplsLabel(16, bottom: true) + ip))
    add("pppoe", .ethernet, Build.ethernet(type: 0x8864, Build.pppoe(protocol: be16(ppp), ip)))
    add(
      "pppoe compressed protocol", .ethernet,
      Build.ethernet(type: 0x8864, Build.pppoe(protocol: [UInt8(ppp)], ip)))
    add(
      "vlan pppoe", .ethernet,
      Build.taggedEthernet(tags: [tag], type: 0x8864, Build.pppoe(protocol: be16(ppp), ip)))

    // Linux cooked captures.
    add("linux-sll", .linuxSLL, Build.linuxSLL(protocol: type, ip))
    add("linux-sll vlan", .linuxSLL, Build.linuxSLL(protocol: 0x8100, be16(10) + be16(type) + ip))
    add("linux-sll 802.2", .linuxSLL, Build.linuxSLL(protocol: 0x0004, Build.snap(type) + ip))
    add("linux-sll ipgre", .linuxSLL, Build.linuxSLL(hardware: 778, protocol: type, ip))
    add("linux-sll2", .linuxSLL2, Build.linuxSLL2(protocol: type, ip))
    add(
      "linux-sll2 mpls", .linuxSLL2,
      Build.linuxSLL2(protocol: 0x8847, Build.mplsLabel(16, bottom: true) + ip))

    // Bare IP.
    add("raw", .raw, ip)
    add("raw dlt 12", .rawDLT12, ip)
    add("raw dlt 14", .rawDLT14, ip)
    add(v == .v4 ? "ipv4" : "ipv6", v == .v4 ? .ipv4 : .ipv6, ip)

    // BSD loopback.
    if v == .v4 {
      add("null little-endian", .null, le32(2) + ip)
      add("null big-endian", .null, be32(2) + ip)
      add("loop", .loop, be32(2) + ip)
    } else {
      for family: UInt32 in [24, 28, 30, 10] {
        add("null little-endian af \(family)", .null, le32(family) + ip)
        add("null big-endian af \(family)", .null, be32(family) + ip)
      }
      add("loop af 24", .loop, be32(24) + ip)
    }

    // PPP family.
    add("ppp", .ppp, [0xff, 0x03] + be16(ppp) + ip)
    add("ppp no address/control", .ppp, be16(ppp) + ip)
    add("ppp compressed protocol", .ppp, [UInt8(ppp)] + ip)
    add("ppp address/control compressed protocol", .ppp, [0xff, 0x03, UInt8(ppp)] + ip)
    add("ppp mpls", .ppp, [0xff, 0x03] + be16(0x0281) + Build.mplsLabel(16, bottom: true) + ip)
    add("ppp-hdlc", .pppHDLC, [0xff, 0x03] + be16(ppp) + ip)
    add("ppp-hdlc cisco", .pppHDLC, [0x0f, 0x00] + be16(type) + ip)
    add("ppp-with-dir", .pppWithDirection, [0x01, 0xff, 0x03] + be16(ppp) + ip)
    add("ppp-with-dir no address/control", .pppWithDirection, [0x00] + be16(ppp) + ip)
    add("c-hdlc", .cHDLC, [0x0f, 0x00] + be16(type) + ip)
    add("c-hdlc broadcast", .cHDLC, [0x8f, 0x00] + be16(type) + ip)

    // 802.11.
    let snap = Build.snap(type)
    add("802.11 data", .ieee80211, Build.dot11(subtype: 0, flags: 0x01) + snap + ip)
    add("802.11 data from ds", .ieee80211, Build.dot11(subtype: 0, flags: 0x02) + snap + ip)
    add(
      "802.11 qos data", .ieee80211, Build.dot11(subtype: 8, flags: 0x01, qos: 0x0006) + snap + ip)
    add("802.11 4-address", .ieee80211, Build.dot11(subtype: 0, flags: 0x03) + snap + ip)
    add("802.11 4-address qos", .ieee80211, Build.dot11(subtype: 8, flags: 0x03) + snap + ip)
    add("802.11 qos ht control", .ieee80211, Build.dot11(subtype: 8, flags: 0x81) + snap + ip)
    add(
      "802.11 4-address qos ht control", .ieee80211,
      Build.dot11(subtype: 8, flags: 0x83) + snap + ip)
    add(
      "802.11 qos a-msdu", .ieee80211,
      Build.dot11(subtype: 8, flags: 0x01, qos: 0x0080) + Build.macB + Build.macA
        + be16(UInt16(snap.count + ip.count)) + snap + ip)
    add(
      "802.11 fcs", .ieee80211,
      Build.dot11(subtype: 8, flags: 0x01) + snap + ip + [0xde, 0xad, 0xbe, 0xef])
    add(
      "radiotap 802.11 data", .ieee80211Radiotap,
      Build.radiotap() + Build.dot11(subtype: 0, flags: 0x01) + snap + ip)
    add(
      "radiotap 802.11 qos 4-address", .ieee80211Radiotap,
      Build.radiotap() + Build.dot11(subtype: 8, flags: 0x03) + snap + ip)
    add(
      "linux-sll radiotap", .linuxSLL,
      Build.linuxSLL(hardware: 803, protocol: 3, Build.radiotap() + Build.dot11() + snap + ip))

    // NFLOG.
    add("nflog", .nflog, Build.nflog(family: v == .v4 ? 2 : 10, ip))
    return frames
  }
}

/// Frames that are valid but carry no IP packet, with the reason the decoder gives.
struct NonIPFrame: Sendable, CustomTestStringConvertible {
  var name: String
  var linkType: LinkType
  var bytes: [UInt8]
  var reason: NonIPReason

  var testDescription: String { name }

  static let all: [NonIPFrame] = {
    let arp =
      be16(1) + be16(0x0800) + [6, 4] + be16(1) + Build.macA + [192, 0, 2, 1] + [0, 0, 0, 0, 0, 0]
      + [192, 0, 2, 2]
    let dot11Body = Build.snap(0x0800) + Build.ipv4()
    return [
      NonIPFrame(
        name: "arp", linkType: .ethernet, bytes: Build.ethernet(type: 0x0806, arp), reason: .arp),
      NonIPFrame(
        name: "vlan arp", linkType: .ethernet,
        bytes: Build.taggedEthernet(tags: [Build.vlanTag(id: 5)], type: 0x0806, arp), reason: .arp),
      NonIPFrame(
        name: "lldp", linkType: .ethernet, bytes: Build.ethernet(type: 0x88cc, [0x02, 0x07, 0x04]),
        reason: .otherEtherType),
      NonIPFrame(
        name: "unsupported link type", linkType: LinkType(147), bytes: Build.ipv4(),
        reason: .unsupportedLinkType),
      NonIPFrame(
        name: "802.3 stp", linkType: .ethernet,
        bytes: Build.ethernet8023([0x42, 0x42, 0x03, 0, 0, 0, 0]),
        reason: .llcNonIP),
      NonIPFrame(
        name: "snap cdp", linkType: .ethernet,
        bytes: Build.ethernet8023(Build.snap(0x2000, oui: [0, 0, 0x0c]) + [2]),
        reason: .llcNonIP),
      NonIPFrame(
        name: "pppoe discovery", linkType: .ethernet,
        bytes: Build.ethernet(type: 0x8863, [0x11, 0x09, 0, 0, 0, 0]), reason: .pppoeDiscovery),
      NonIPFrame(
        name: "pppoe lcp", linkType: .ethernet,
        bytes: Build.ethernet(type: 0x8864, Build.pppoe(protocol: be16(0xc021), [1, 1, 0, 4])),
        reason: .pppNonIP),
      NonIPFrame(
        name: "ppp lcp", linkType: .ppp, bytes: [0xff, 0x03] + be16(0xc021) + [1, 1, 0, 4],
        reason: .pppNonIP),
      NonIPFrame(
        name: "mpls pseudowire", linkType: .ethernet,
        bytes: Build.ethernet(
          type: 0x8847,
          Build.mplsLabel(16, bottom: true) + [0, 0, 0, 0] + Build.ethernet(type: 0x0800, [])),
        reason: .mplsNonIP),
      NonIPFrame(
        name: "null af 7", linkType: .null, bytes: le32(7) + [0, 0], reason: .otherAddressFamily),
      NonIPFrame(
        name: "loop af 17", linkType: .loop, bytes: be32(17) + [0, 0], reason: .otherAddressFamily),
      NonIPFrame(
        name: "nflog af 7", linkType: .nflog, bytes: Build.nflog(family: 7, Build.ipv4()),
        reason: .otherAddressFamily),
      NonIPFrame(
        name: "nflog without payload", linkType: .nflog,
        bytes: Build.nflog(family: 2, [], includePayload: false),
        reason: .nflogNoPayload),
      NonIPFrame(
        name: "sll2 netlink", linkType: .linuxSLL2,
        bytes: Build.linuxSLL2(hardware: 824, protocol: 0, [0x14, 0, 0, 0]),
        reason: .netlink),
      NonIPFrame(
        name: "sll novell 802.3", linkType: .linuxSLL,
        bytes: Build.linuxSLL(protocol: 1, [0xff, 0xff]),
        reason: .otherEtherType),
      NonIPFrame(
        name: "802.11 beacon", linkType: .ieee80211,
        bytes: Build.dot11(type: 0, subtype: 8, flags: 0) + [0, 0],
        reason: .wlanNonData),
      NonIPFrame(
        name: "802.11 ack", linkType: .ieee80211, bytes: [0xd4, 0x00, 0, 0] + Build.macA,
        reason: .wlanNonData),
      NonIPFrame(
        name: "802.11 null data", linkType: .ieee80211, bytes: Build.dot11(subtype: 4, flags: 0x01),
        reason: .wlanNonData),
      NonIPFrame(
        name: "802.11 qos null", linkType: .ieee80211, bytes: Build.dot11(subtype: 12, flags: 0x01),
        reason: .wlanNonData),
      NonIPFrame(
        name: "802.11 protected", linkType: .ieee80211,
        bytes: Build.dot11(subtype: 8, flags: 0x41) + dot11Body,
        reason: .wlanProtected),
      NonIPFrame(
        name: "radiotap protected", linkType: .ieee80211Radiotap,
        bytes: Build.radiotap() + Build.dot11(subtype: 0, flags: 0x42) + dot11Body,
        reason: .wlanProtected),
      NonIPFrame(
        name: "802.11 data non-snap", linkType: .ieee80211,
        bytes: Build.dot11() + [0xe0, 0xe0, 0x03, 0xff, 0xff],
        reason: .llcNonIP),
      NonIPFrame(
        name: "c-hdlc slarp", linkType: .cHDLC, bytes: [0x8f, 0x00] + be16(0x8035) + be32(0),
        reason: .otherEtherType),
    ]
  }()
}

/// Frames whose bytes cannot be right, with where and why the decoder says so.
struct MalformedFrame: Sendable, CustomTestStringConvertible {
  var name: String
  var linkType: LinkType
  var bytes: [UInt8]
  var layer: DecodeLayer
  var reason: MalformedReason

  var testDescription: String { name }

  static let all: [MalformedFrame] = [
    MalformedFrame(
      name: "ihl 4", linkType: .raw, bytes: Build.ipv4(ihl: 4), layer: .ipv4,
      reason: .badIPv4HeaderLength),
    MalformedFrame(
      name: "ihl 0", linkType: .ethernet, bytes: Build.ethernet(type: 0x0800, Build.ipv4(ihl: 0)),
      layer: .ipv4,
      reason: .badIPv4HeaderLength),
    MalformedFrame(
      name: "total length below header", linkType: .raw, bytes: Build.ipv4(totalLength: 10),
      layer: .ipv4,
      reason: .ipv4TotalLengthTooShort),
    MalformedFrame(
      name: "total length below options", linkType: .raw,
      bytes: Build.ipv4(options: [1, 1, 1, 0], totalLength: 20),
      layer: .ipv4, reason: .ipv4TotalLengthTooShort),
    MalformedFrame(
      name: "ethertype ipv4 holding ipv6", linkType: .ethernet,
      bytes: Build.ethernet(type: 0x0800, Build.ipv6()),
      layer: .ipv4, reason: .badIPVersion),
    MalformedFrame(
      name: "ethertype ipv6 holding ipv4", linkType: .ethernet,
      bytes: Build.ethernet(type: 0x86dd, Build.ipv4() + [UInt8](repeating: 0, count: 20)),
      layer: .ipv6, reason: .badIPVersion),
    MalformedFrame(
      name: "linktype ipv4 holding ipv6", linkType: .ipv4, bytes: Build.ipv6(), layer: .ipv4,
      reason: .badIPVersion),
    MalformedFrame(
      name: "raw version 5", linkType: .raw, bytes: Build.ipv4(version: 5), layer: .ip,
      reason: .badIPVersion),
    MalformedFrame(
      name: "17 stacked vlan tags", linkType: .ethernet,
      bytes: Build.taggedEthernet(
        tags: (0..<17).map { Build.vlanTag(id: UInt16($0)) }, type: 0x0800, Build.ipv4()),
      layer: .vlan, reason: .tooDeep),
    MalformedFrame(
      name: "17 mpls labels", linkType: .ethernet,
      bytes: Build.ethernet(
        type: 0x8847,
        (0..<17).flatMap { Build.mplsLabel(UInt32($0), bottom: $0 == 16) } + Build.ipv4()),
      layer: .mpls, reason: .tooDeep),
    MalformedFrame(
      name: "33 ipv6 extension headers", linkType: .raw,
      bytes: Build.ipv6(
        nextHeader: 60,
        payload: (0..<33).flatMap { Build.extensionHeader(next: $0 == 32 ? 17 : 60) }
          + Build.udp(1, 2)),
      layer: .ipv6, reason: .tooDeep),
    MalformedFrame(
      name: "pppoe version 2", linkType: .ethernet,
      bytes: Build.ethernet(
        type: 0x8864, [0x21] + Array(Build.pppoe(protocol: be16(0x0021), Build.ipv4()).dropFirst())),
      layer: .pppoe, reason: .badPPPoEHeader),
    MalformedFrame(
      name: "radiotap length 4", linkType: .ieee80211Radiotap,
      bytes: [0, 0] + le16(4) + le32(0) + Build.dot11(),
      layer: .radiotap, reason: .badRadiotapHeader),
    MalformedFrame(
      name: "radiotap version 1", linkType: .ieee80211Radiotap,
      bytes: [1, 0] + le16(8) + le32(0) + Build.dot11(),
      layer: .radiotap, reason: .badRadiotapHeader),
    MalformedFrame(
      name: "802.11 version 1", linkType: .ieee80211,
      bytes: Build.dot11(version: 1) + Build.snap(0x0800) + Build.ipv4(),
      layer: .ieee80211, reason: .badWLANHeader),
    MalformedFrame(
      name: "nflog version 1", linkType: .nflog,
      bytes: [2, 1] + Array(Build.nflog(family: 2, Build.ipv4()).dropFirst(2)),
      layer: .nflog, reason: .badNFLOGHeader),
    MalformedFrame(
      name: "nflog tlv length 2", linkType: .nflog,
      bytes: [2, 0, 0, 5] + le16(2) + le16(1) + [0, 0, 0, 0],
      layer: .nflog, reason: .badNFLOGTLVLength),
  ]
}
