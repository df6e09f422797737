// Linux NFLOG (https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html), in wire order:
//   0  address family (u8): 2 AF_INET, 10 AF_INET6
//   1  version (u8) = 0
//   2  resource id (u16, network byte order): the nflog group
//   4  TLVs, each: length (u16), type (u16), value; length counts the 4-byte TLV header but not the
//      padding to a multiple of 4 that follows. Length and type are in the capturing host's byte
//      order; little-endian hosts are assumed. The top two type bits are netlink flags
//      (NLA_F_NESTED, NLA_F_NET_BYTEORDER) and are masked off.
// Type 9 (NFULA_PAYLOAD) holds the network-layer packet.

extension PacketDecoder {
  static let nflogHeaderLength = 4
  static let nflogPayloadType: UInt16 = 9

  /// Decodes a LINKTYPE_NFLOG frame.
  static func nflog(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(nflogHeaderLength, at: 0) else {
      return .truncated(.nflog, nflogHeaderLength, at: 0, in: bytes)
    }
    let family = bytes[0]
    guard bytes[1] == 0 else { return .malformed(.nflog, .badNFLOGHeader) }
    var cursor = nflogHeaderLength
    // Every TLV advances at least 4 bytes, so the loop ends within the frame.
    while cursor != bytes.count {
      guard bytes.has(4, at: cursor) else { return .truncated(.nflog, 4, at: cursor, in: bytes) }
      let length = Int(bytes.littleEndianUInt16(at: cursor))
      let type = bytes.littleEndianUInt16(at: cursor &+ 2) & 0x3fff
      guard length >= 4 else { return .malformed(.nflog, .badNFLOGTLVLength) }
      if type == nflogPayloadType {
        // The packet ends with its TLV: decode within a view that stops there.
        let payload = UnsafeRawBufferPointer(
          rebasing: bytes[..<Swift.min(bytes.count, cursor &+ length)])
        switch family {
        case 2: return ipv4(payload, at: cursor &+ 4)
        case 10: return ipv6(payload, at: cursor &+ 4)
        default: return .nonIP(.otherAddressFamily)
        }
      }
      let padded = (length &+ 3) & ~3
      guard bytes.has(padded, at: cursor) else {
        return .truncated(.nflog, padded, at: cursor, in: bytes)
      }
      cursor &+= padded
    }
    return .nonIP(.nflogNoPayload)
  }
}
