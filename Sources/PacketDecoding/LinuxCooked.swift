// Linux "cooked" capture headers (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and
// LINKTYPE_LINUX_SLL2.html), in wire order:
//
// SLL (113), 16 bytes:                         SLL2 (276), 20 bytes:
//   0  packet type                               0  protocol type
//   2  ARPHRD_ type                              2  reserved
//   4  link-layer address length                 4  interface index
//   6  link-layer address (8 bytes)              8  ARPHRD_ type
//  14  protocol type                            10  packet type
//                                               11  link-layer address length
//                                               12  link-layer address (8 bytes)
//
// The protocol type is an EtherType, except for a few ARPHRD_ types and for values below 0x0600,
// which are Linux ETH_P_ values (<linux/if_ether.h>): 0x0004 ETH_P_802_2 means an 802.2 LLC frame.

/// Linux `ARPHRD_` device types (<linux/if_arp.h>) that change how the protocol field is read.
enum ARPHardware {
  static let ieee80211Radiotap: UInt16 = 803
  static let netlink: UInt16 = 824
}

extension PacketDecoder {
  static let linuxSLLHeaderLength = 16
  static let linuxSLL2HeaderLength = 20

  /// Decodes a LINKTYPE_LINUX_SLL frame.
  static func linuxSLL(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(linuxSLLHeaderLength, at: 0) else {
      return .truncated(.linuxSLL, linuxSLLHeaderLength, at: 0, in: bytes)
    }
    return cookedPayload(
      hardware: bytes.bigEndianUInt16(at: 2), protocol: bytes.bigEndianUInt16(at: 14), bytes,
      at: linuxSLLHeaderLength)
  }

  /// Decodes a LINKTYPE_LINUX_SLL2 frame.
  static func linuxSLL2(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(linuxSLL2HeaderLength, at: 0) else {
      return .truncated(.linuxSLL2, linuxSLL2HeaderLength, at: 0, in: bytes)
    }
    return cookedPayload(
      hardware: bytes.bigEndianUInt16(at: 8), protocol: bytes.bigEndianUInt16(at: 0), bytes,
      at: linuxSLL2HeaderLength)
  }

  static func cookedPayload(
    hardware: UInt16, protocol proto: UInt16, _ bytes: UnsafeRawBufferPointer, at offset: Int
  ) -> DecodeOutcome {
    switch hardware {
    case ARPHardware.netlink: return .nonIP(.netlink)
    case ARPHardware.ieee80211Radiotap: return radiotap(bytes, at: offset)
    default: break
    }
    switch proto {
    case 0x0004: return llc(bytes, at: offset, depth: 0)  // ETH_P_802_2
    case ..<EtherType.minimum: return .nonIP(.otherEtherType)
    default: return etherTypePayload(proto, bytes, at: offset, depth: 0)
    }
  }
}
