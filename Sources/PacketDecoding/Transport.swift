// Transport headers: only the fields OriginCheck keeps.
//   TCP (RFC 9293 section 3.1):      source port 0, destination port 2, flags at 13
//   UDP (RFC 768), UDP-Lite (RFC 3828), SCTP common header (RFC 9260 section 3.1),
//   DCCP (RFC 4340 section 5.1):     source port 0, destination port 2

extension PacketDecoder {
  /// Reads ports (and TCP flags) of the transport header at `offset` into `packet`, using only
  /// bytes before `end` (the end of the IP packet or of the capture, whichever comes first).
  @inline(__always)
  static func readTransport(
    into packet: inout DecodedPacket, _ bytes: UnsafeRawBufferPointer, at offset: Int, end: Int
  ) {
    let available = end &- offset
    guard available >= 4 else { return }
    switch packet.protocolNumber {
    case IPProtocolNumber.tcp:
      packet.sourcePort = bytes.bigEndianUInt16(at: offset)
      packet.destinationPort = bytes.bigEndianUInt16(at: offset &+ 2)
      if available >= 14 { packet.tcpFlags = bytes[offset &+ 13] }
    case IPProtocolNumber.udp, IPProtocolNumber.udpLite, IPProtocolNumber.sctp,
      IPProtocolNumber.dccp:
      packet.sourcePort = bytes.bigEndianUInt16(at: offset)
      packet.destinationPort = bytes.bigEndianUInt16(at: offset &+ 2)
    default:
      break
    }
  }
}
