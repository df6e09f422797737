// PPPoE session stage (RFC 2516 section 4), EtherType 0x8864:
//   0  version (4 bits) = 1, type (4 bits) = 1
//   1  code = 0x00 in the session stage
//   2  session id
//   4  length of the PPP payload
//   6  PPP protocol (RFC 1661), then the PPP payload

extension PacketDecoder {
  static let pppoeHeaderLength = 6

  /// Decodes a PPPoE session frame at `offset`.
  static func pppoeSession(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> DecodeOutcome {
    guard bytes.has(pppoeHeaderLength, at: offset) else {
      return .truncated(.pppoe, pppoeHeaderLength, at: offset, in: bytes)
    }
    guard bytes[offset] == 0x11, bytes[offset &+ 1] == 0x00 else {
      return .malformed(.pppoe, .badPPPoEHeader)
    }
    return pppProtocol(bytes, at: offset &+ pppoeHeaderLength, layer: .pppoe)
  }
}
