// Cisco HDLC (LINKTYPE_C_HDLC, 104), in wire order:
//   0  address: 0x0F unicast, 0x8F broadcast
//   1  control: 0x00
//   2  protocol: an EtherType (0x0800 IPv4, 0x86DD IPv6, 0x8847 MPLS; 0x8035 SLARP)

/// Cisco HDLC address byte values.
enum CiscoHDLC {
  static let unicast: UInt8 = 0x0f
  static let broadcast: UInt8 = 0x8f
  static let headerLength = 4
}

extension PacketDecoder {
  /// Decodes a Cisco HDLC frame at `offset`.
  static func ciscoHDLC(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> DecodeOutcome {
    guard bytes.has(CiscoHDLC.headerLength, at: offset) else {
      return .truncated(.ciscoHDLC, CiscoHDLC.headerLength, at: offset, in: bytes)
    }
    let proto = bytes.bigEndianUInt16(at: offset &+ 2)
    guard proto >= EtherType.minimum else { return .nonIP(.otherEtherType) }
    return etherTypePayload(proto, bytes, at: offset &+ CiscoHDLC.headerLength, depth: 0)
  }
}
