// MPLS label stack entry (RFC 3032 section 2.1), 4 bytes each:
//   label (20 bits), traffic class (3 bits, RFC 5462), bottom of stack S (1 bit), TTL (8 bits)
// The payload type is not signalled; as in RFC 3032 section 2.2 implementations commonly do, the
// first nibble after the bottom entry is taken as the IP version.

extension PacketDecoder {
  /// The most label stack entries walked before the packet is called malformed.
  static let maximumMPLSLabels = 16

  /// Decodes the MPLS label stack at `offset` and the IP packet below it.
  static func mpls(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> DecodeOutcome {
    var cursor = offset
    for _ in 0..<maximumMPLSLabels {
      guard bytes.has(4, at: cursor) else { return .truncated(.mpls, 4, at: cursor, in: bytes) }
      let bottomOfStack = bytes[cursor &+ 2] & 0x01 != 0
      cursor &+= 4
      if bottomOfStack {
        return ipByVersion(bytes, at: cursor, layer: .mpls, otherwise: .nonIP(.mplsNonIP))
      }
    }
    return .malformed(.mpls, .tooDeep)
  }
}
