import NetCore

// IPv6 header (RFC 8200 section 3), in wire order:
//   0  version (4 bits), traffic class (8 bits), flow label (20 bits)
//   4  payload length (bytes after this 40-byte header)
//   6  next header
//   7  hop limit
//   8  source address (16 bytes)
//  24  destination address (16 bytes)
//
// Extension headers (RFC 8200 section 4, IANA "IPv6 Extension Header Types") all begin with
// next header (1 byte) and a length (1 byte):
//   hop-by-hop 0, routing 43, destination options 60, mobility 135 (RFC 6275), HIP 139 (RFC 7401),
//   shim6 140 (RFC 5533): (length + 1) * 8 bytes
//   fragment 44: 8 bytes; offset (13 bits, 8-byte units) and M flag in bytes 2-3
//   authentication header 51 (RFC 4302): (length + 2) * 4 bytes
// ESP (50) and No Next Header (59) end the walk: nothing after them can be read.

extension PacketDecoder {
  static let ipv6HeaderLength = 40
  /// The most extension headers walked before the packet is called malformed.
  static let maximumIPv6ExtensionHeaders = 32

  /// Decodes the IPv6 header at `offset` and walks its extension headers to the upper-layer protocol.
  ///
  /// Once the 40-byte header is captured the packet is returned even if extension or transport
  /// headers are cut off; what could not be read is left `nil`.
  static func ipv6(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> DecodeOutcome {
    guard bytes.has(ipv6HeaderLength, at: offset) else {
      return .truncated(.ipv6, ipv6HeaderLength, at: offset, in: bytes)
    }
    guard bytes[offset] >> 4 == 6 else { return .malformed(.ipv6, .badIPVersion) }
    let payloadLength = Int(bytes.bigEndianUInt16(at: offset &+ 4))
    var nextHeader = bytes[offset &+ 6]
    var packet = DecodedPacket(
      source: .v6(
        IPv6Address(
          high: bytes.bigEndianUInt64(at: offset &+ 8), low: bytes.bigEndianUInt64(at: offset &+ 16)
        )),
      destination: .v6(
        IPv6Address(
          high: bytes.bigEndianUInt64(at: offset &+ 24),
          low: bytes.bigEndianUInt64(at: offset &+ 32))),
      ipVersion: 6,
      ipBytes: UInt32(truncatingIfNeeded: ipv6HeaderLength &+ payloadLength),
      protocolNumber: nextHeader,
      ttl: bytes[offset &+ 7])

    // A zero payload length means a jumbogram (RFC 2675) or an offloaded segment: the capture ends it.
    let end =
      payloadLength == 0
      ? bytes.count : Swift.min(bytes.count, offset &+ ipv6HeaderLength &+ payloadLength)
    packet.capturedEnd = end
    var cursor = offset &+ ipv6HeaderLength
    var headersWalked = 0
    walk: while true {
      let headerLength: Int
      switch nextHeader {
      case IPProtocolNumber.hopByHopOptions, IPProtocolNumber.ipv6Routing,
        IPProtocolNumber.ipv6DestinationOptions,
        IPProtocolNumber.mobilityHeader, IPProtocolNumber.hostIdentityProtocol,
        IPProtocolNumber.shim6:
        guard end &- cursor >= 8 else { break walk }
        headerLength = (Int(bytes[cursor &+ 1]) &+ 1) &* 8
        if nextHeader == IPProtocolNumber.hopByHopOptions, payloadLength == 0,
          let jumbo = jumboPayloadLength(
            bytes, options: cursor &+ 2, end: Swift.min(end, cursor &+ headerLength))
        {
          let (sum, overflow) = jumbo.addingReportingOverflow(UInt32(ipv6HeaderLength))
          packet.ipBytes = overflow ? .max : sum
        }
      case IPProtocolNumber.ipv6Fragment:
        guard end &- cursor >= 8 else { break walk }
        headerLength = 8
        packet.isFragment = true
        if bytes.bigEndianUInt16(at: cursor &+ 2) >> 3 != 0 {
          // A later fragment: the upper-layer header is in the first one.
          packet.isFirstFragment = false
          packet.protocolNumber = bytes[cursor]
          return .ip(packet)
        }
      case IPProtocolNumber.authenticationHeader:
        guard end &- cursor >= 8 else { break walk }
        headerLength = (Int(bytes[cursor &+ 1]) &+ 2) &* 4
      default:
        // An upper-layer protocol, ESP or No Next Header.
        packet.protocolNumber = nextHeader
        packet.transportOffset = cursor
        readTransport(into: &packet, bytes, at: cursor, end: end)
        return .ip(packet)
      }
      headersWalked &+= 1
      guard headersWalked <= maximumIPv6ExtensionHeaders else { return .malformed(.ipv6, .tooDeep) }
      nextHeader = bytes[cursor]
      cursor &+= headerLength
    }
    // An extension header is cut off: its number stands in for the protocol, and ports stay nil.
    packet.protocolNumber = nextHeader
    return .ip(packet)
  }

  /// The Jumbo Payload option (type 0xC2, RFC 2675 section 2) among the hop-by-hop options that run
  /// from `options` to `end`, if present.
  static func jumboPayloadLength(_ bytes: UnsafeRawBufferPointer, options: Int, end: Int) -> UInt32?
  {
    var cursor = options
    while cursor < end {
      let type = bytes[cursor]
      if type == 0 {  // Pad1 is a single byte.
        cursor &+= 1
        continue
      }
      guard end &- cursor >= 2 else { return nil }
      let length = Int(bytes[cursor &+ 1])
      if type == 0xc2, length == 4, end &- cursor >= 6 {
        return bytes.bigEndianUInt32(at: cursor &+ 2)
      }
      cursor &+= 2 &+ length
    }
    return nil
  }
}
