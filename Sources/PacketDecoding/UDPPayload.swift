// UDP header (RFC 768), in wire order:
//   0  source port
//   2  destination port
//   4  length (header and data, bytes; 0 only in IPv6 jumbograms, RFC 2675)
//   6  checksum

/// Where a UDP datagram's payload lies in a captured frame, or why it cannot be read.
public enum UDPPayloadOutcome: Hashable, Sendable {
  /// The payload occupies these bytes of the frame (from the start of the frame).
  case payload(Range<Int>)
  /// The packet is not UDP.
  case notUDP
  /// A later IP fragment: the UDP header is in the first one.
  case laterFragment
  /// The frame ends before the UDP header, or before the length the header declares.
  case truncated
  /// The UDP length is shorter than its own 8-byte header.
  case badLength
}

extension DecodedPacket {
  /// The payload of this packet's UDP datagram within `bytes`, the frame it was decoded from.
  ///
  /// The payload ends where the UDP length says. A first fragment holds only part of the datagram
  /// and is reported as truncated.
  public func udpPayload(in bytes: UnsafeRawBufferPointer) -> UDPPayloadOutcome {
    guard protocolNumber == IPProtocolNumber.udp else { return .notUDP }
    guard isFirstFragment else { return .laterFragment }
    guard let start = transportOffset, start >= 0, capturedEnd <= bytes.count,
      capturedEnd &- start >= 8
    else { return .truncated }
    let length = Int(bytes.bigEndianUInt16(at: start &+ 4))
    let end: Int
    if length == 0 && ipVersion == 6 {
      end = capturedEnd
    } else {
      guard length >= 8 else { return .badLength }
      end = start &+ length
    }
    guard end <= capturedEnd, !isFragment else { return .truncated }
    return .payload((start &+ 8)..<end)
  }
}
