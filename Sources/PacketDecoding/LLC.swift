// IEEE 802.2 LLC header: DSAP, SSAP, control (1 byte for U-format frames).
// SNAP (IEEE Std 802-2014 clause 10.5, RFC 1042): DSAP 0xAA, SSAP 0xAA, control 0x03 (UI), then a
// 3-byte OUI and a 2-byte protocol. OUI 00-00-00 (RFC 1042) and 00-00-F8 (802.1H bridge tunnel)
// carry an EtherType.

extension PacketDecoder {
  static let snapHeaderLength = 8

  /// Decodes an 802.2 LLC frame at `offset`; only SNAP with an EtherType can carry IP here.
  static func llc(_ bytes: UnsafeRawBufferPointer, at offset: Int, depth: Int) -> DecodeOutcome {
    guard bytes.has(3, at: offset) else { return .truncated(.llc, 3, at: offset, in: bytes) }
    guard bytes[offset] == 0xaa, bytes[offset &+ 1] == 0xaa, bytes[offset &+ 2] == 0x03 else {
      return .nonIP(.llcNonIP)
    }
    guard bytes.has(snapHeaderLength, at: offset) else {
      return .truncated(.llc, snapHeaderLength, at: offset, in: bytes)
    }
    let oui =
      UInt32(bytes[offset &+ 3]) << 16 | UInt32(bytes[offset &+ 4]) << 8
      | UInt32(bytes[offset &+ 5])
    guard oui == 0x000000 || oui == 0x0000f8 else { return .nonIP(.llcNonIP) }
    let depth = depth &+ 1
    guard depth <= maximumTagDepth else { return .malformed(.llc, .tooDeep) }
    return etherTypePayload(
      bytes.bigEndianUInt16(at: offset &+ 6), bytes, at: offset &+ snapHeaderLength, depth: depth)
  }
}
