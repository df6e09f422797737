import NetCore

// IPv4 header (RFC 791 section 3.1), in wire order:
//   0  version (4 bits), IHL (4 bits, header length in 32-bit words)
//   1  type of service / DSCP+ECN (RFC 2474, RFC 3168)
//   2  total length (header and data, bytes)
//   4  identification
//   6  flags (3 bits: reserved, DF, MF), fragment offset (13 bits, 8-byte units)
//   8  time to live
//   9  protocol
//  10  header checksum
//  12  source address
//  16  destination address
//  20  options, up to IHL * 4

extension PacketDecoder {
  /// The fixed part of an IPv4 header, which holds both addresses.
  static let ipv4MinimumHeaderLength = 20

  /// Decodes the IPv4 header at `offset`.
  ///
  /// The addresses are read as soon as the 20-byte fixed header is captured, even when options or
  /// the transport header are cut off (ports are then `nil`). The checksum is not verified.
  static func ipv4(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> DecodeOutcome {
    guard bytes.has(ipv4MinimumHeaderLength, at: offset) else {
      return .truncated(.ipv4, ipv4MinimumHeaderLength, at: offset, in: bytes)
    }
    let versionAndIHL = bytes[offset]
    guard versionAndIHL >> 4 == 4 else { return .malformed(.ipv4, .badIPVersion) }
    let headerLength = Int(versionAndIHL & 0x0f) &* 4
    guard headerLength >= ipv4MinimumHeaderLength else {
      return .malformed(.ipv4, .badIPv4HeaderLength)
    }

    let totalLength = Int(bytes.bigEndianUInt16(at: offset &+ 2))
    let ipBytes: UInt32
    // The end of the IP packet within the captured bytes; link-layer padding lies beyond it.
    let end: Int
    if totalLength == 0 {
      // A zero total length is what TCP segmentation offload leaves in outgoing packets captured
      // before the NIC splits them; the captured bytes are the best measure of the packet.
      ipBytes = UInt32(truncatingIfNeeded: bytes.count &- offset)
      end = bytes.count
    } else {
      guard totalLength >= headerLength else { return .malformed(.ipv4, .ipv4TotalLengthTooShort) }
      ipBytes = UInt32(truncatingIfNeeded: totalLength)
      end = Swift.min(bytes.count, offset &+ totalLength)
    }

    let flagsAndOffset = bytes.bigEndianUInt16(at: offset &+ 6)
    let moreFragments = flagsAndOffset & 0x2000 != 0
    let fragmentOffset = flagsAndOffset & 0x1fff
    var packet = DecodedPacket(
      source: .v4(IPv4Address(bytes.bigEndianUInt32(at: offset &+ 12))),
      destination: .v4(IPv4Address(bytes.bigEndianUInt32(at: offset &+ 16))),
      ipVersion: 4,
      ipBytes: ipBytes,
      protocolNumber: bytes[offset &+ 9],
      ttl: bytes[offset &+ 8],
      isFragment: moreFragments || fragmentOffset != 0,
      isFirstFragment: fragmentOffset == 0,
      capturedEnd: end)
    if fragmentOffset == 0 {
      packet.transportOffset = offset &+ headerLength
      readTransport(into: &packet, bytes, at: offset &+ headerLength, end: end)
    }
    return .ip(packet)
  }
}
