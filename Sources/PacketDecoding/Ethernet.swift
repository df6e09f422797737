// Ethernet II / DIX and IEEE 802.3 (IEEE Std 802.3 clause 3.2), in wire order:
//   0  destination MAC (6 bytes)
//   6  source MAC (6 bytes)
//  12  EtherType (>= 0x0600) or, in 802.3 framing, the payload length (<= 1500), then 802.2 LLC
//  14  payload (the frame check sequence is not captured by most interfaces and is never read)
//
// VLAN tags (IEEE 802.1Q): TPID 0x8100 (C-tag), 0x88A8 (802.1ad S-tag), 0x9100 (pre-standard QinQ);
// each is followed by a 2-byte TCI (priority, DEI, VLAN ID) and the next EtherType or length.

/// EtherType values the decoder acts on (IEEE "EtherType" registry, IANA "ieee-802-numbers").
enum EtherType {
  static let ipv4: UInt16 = 0x0800
  static let arp: UInt16 = 0x0806
  static let vlan: UInt16 = 0x8100
  static let ipv6: UInt16 = 0x86dd
  static let mplsUnicast: UInt16 = 0x8847
  static let mplsMulticast: UInt16 = 0x8848
  static let pppoeDiscovery: UInt16 = 0x8863
  static let pppoeSession: UInt16 = 0x8864
  static let serviceVLAN: UInt16 = 0x88a8
  static let qinq: UInt16 = 0x9100
  /// Values below this are 802.3 length fields, not EtherTypes.
  static let minimum: UInt16 = 0x0600
}

extension PacketDecoder {
  static let ethernetHeaderLength = 14
  /// The most VLAN tags and SNAP headers walked in one frame before it is called malformed.
  static let maximumTagDepth = 16

  /// Decodes an Ethernet frame.
  static func ethernet(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(ethernetHeaderLength, at: 0) else {
      return .truncated(.ethernet, ethernetHeaderLength, at: 0, in: bytes)
    }
    let typeOrLength = bytes.bigEndianUInt16(at: 12)
    if typeOrLength < EtherType.minimum {
      return llc(bytes, at: ethernetHeaderLength, depth: 0)
    }
    return etherTypePayload(typeOrLength, bytes, at: ethernetHeaderLength, depth: 0)
  }

  /// Decodes the payload at `offset` announced by `etherType`, first walking any VLAN tags.
  ///
  /// Shared by every link layer that names its payload with an EtherType (Ethernet, LLC/SNAP,
  /// Linux cooked captures, Cisco HDLC). `depth` counts the tags and SNAP headers already walked.
  static func etherTypePayload(
    _ etherType: UInt16, _ bytes: UnsafeRawBufferPointer, at offset: Int, depth: Int
  ) -> DecodeOutcome {
    var type = etherType
    var cursor = offset
    var depth = depth
    var tagged = false
    while type == EtherType.vlan || type == EtherType.serviceVLAN || type == EtherType.qinq {
      depth &+= 1
      guard depth <= maximumTagDepth else { return .malformed(.vlan, .tooDeep) }
      guard bytes.has(4, at: cursor) else { return .truncated(.vlan, 4, at: cursor, in: bytes) }
      type = bytes.bigEndianUInt16(at: cursor &+ 2)
      cursor &+= 4
      tagged = true
    }
    switch type {
    case EtherType.ipv4: return ipv4(bytes, at: cursor)
    case EtherType.ipv6: return ipv6(bytes, at: cursor)
    case EtherType.mplsUnicast, EtherType.mplsMulticast: return mpls(bytes, at: cursor)
    case EtherType.pppoeSession: return pppoeSession(bytes, at: cursor)
    case EtherType.pppoeDiscovery: return .nonIP(.pppoeDiscovery)
    case EtherType.arp: return .nonIP(.arp)
    case ..<EtherType.minimum where tagged:
      // A tagged 802.3 frame: the field after the tag is a length and LLC follows.
      return llc(bytes, at: cursor, depth: depth)
    default: return .nonIP(.otherEtherType)
    }
  }
}
