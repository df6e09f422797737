// PPP (RFC 1661 section 2) in HDLC-like framing (RFC 1662 section 3.1):
//   address 0xFF and control 0x03, both omitted under Address-and-Control-Field-Compression
//   protocol, 2 bytes, or 1 byte under Protocol-Field-Compression (RFC 1661 section 6.5): protocol
//   values have an even first byte and an odd last byte, so an odd first byte is a 1-byte protocol.
// Protocols (IANA "PPP DLL Protocol Numbers"): 0x0021 IPv4, 0x0057 IPv6, 0x0281/0x0283 MPLS (RFC 3032).
//
// LINKTYPE_PPP_HDLC (50) also holds Cisco HDLC frames, which begin 0x0F or 0x8F.
// LINKTYPE_PPP_WITH_DIR (204) adds one direction byte (0 received, non-zero sent) before the PPP frame.

extension PacketDecoder {
  /// Decodes a PPP frame at `offset`, with or without the address and control bytes.
  static func ppp(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> DecodeOutcome {
    guard bytes.has(1, at: offset) else { return .truncated(.ppp, 1, at: offset, in: bytes) }
    var cursor = offset
    if bytes[cursor] == 0xff {
      guard bytes.has(2, at: cursor) else { return .truncated(.ppp, 2, at: cursor, in: bytes) }
      if bytes[cursor &+ 1] == 0x03 { cursor &+= 2 }
    }
    return pppProtocol(bytes, at: cursor, layer: .ppp)
  }

  /// Decodes a LINKTYPE_PPP_HDLC frame: PPP, or Cisco HDLC when the address byte says so.
  static func pppHDLC(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(1, at: 0) else { return .truncated(.ppp, 1, at: 0, in: bytes) }
    switch bytes[0] {
    case CiscoHDLC.unicast, CiscoHDLC.broadcast: return ciscoHDLC(bytes, at: 0)
    default: return ppp(bytes, at: 0)
    }
  }

  /// Decodes a LINKTYPE_PPP_WITH_DIR frame.
  static func pppWithDirection(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(1, at: 0) else { return .truncated(.ppp, 1, at: 0, in: bytes) }
    return ppp(bytes, at: 1)
  }

  /// Decodes the PPP protocol field at `offset` and the packet it announces.
  static func pppProtocol(_ bytes: UnsafeRawBufferPointer, at offset: Int, layer: DecodeLayer)
    -> DecodeOutcome
  {
    guard bytes.has(1, at: offset) else { return .truncated(layer, 1, at: offset, in: bytes) }
    let proto: UInt16
    let payload: Int
    if bytes[offset] & 0x01 != 0 {
      proto = UInt16(bytes[offset])
      payload = offset &+ 1
    } else {
      guard bytes.has(2, at: offset) else { return .truncated(layer, 2, at: offset, in: bytes) }
      proto = bytes.bigEndianUInt16(at: offset)
      payload = offset &+ 2
    }
    switch proto {
    case 0x0021: return ipv4(bytes, at: payload)
    case 0x0057: return ipv6(bytes, at: payload)
    case 0x0281, 0x0283: return mpls(bytes, at: payload)
    default: return .nonIP(.pppNonIP)
    }
  }
}
