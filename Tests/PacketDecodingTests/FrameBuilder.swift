import NetCore
import PacketDecoding

/// Decodes `frame` as the decoder would see it from a capture.
func decode(_ linkType: LinkType, _ frame: [UInt8]) -> DecodeOutcome {
  frame.withUnsafeBytes { PacketDecoder.decode(linkType: linkType, bytes: $0) }
}

/// Big-endian bytes of a 16-bit value.
func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
/// Big-endian bytes of a 32-bit value.
func be32(_ value: UInt32) -> [UInt8] { be16(UInt16(value >> 16)) + be16(UInt16(value & 0xffff)) }
/// Little-endian bytes of a 16-bit value.
func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
/// Little-endian bytes of a 32-bit value.
func le32(_ value: UInt32) -> [UInt8] { le16(UInt16(value & 0xffff)) + le16(UInt16(value >> 16)) }

/// The IP version of a test packet.
enum IPVersion: Int, Sendable, CaseIterable {
  case v4 = 4
  case v6 = 6
}

/// Builders for every header the decoder reads, byte by byte in wire order.
enum Build {
  static let source4 = IPv4Address(198, 51, 100, 7)
  static let destination4 = IPv4Address(203, 0, 113, 9)
  static let source6 = IPv6Address("2001:db8:a::7")!
  static let destination6 = IPv6Address("2001:db8:b::9")!

  // MARK: Transport

  /// A 20-byte TCP header.
  static func tcp(_ sourcePort: UInt16, _ destinationPort: UInt16, flags: UInt8 = 0x02) -> [UInt8] {
    // Ports, sequence and acknowledgment numbers; data offset 5, flags; window, checksum, urgent pointer.
    be16(sourcePort) + be16(destinationPort) + be32(1000) + be32(0)
      + [0x50, flags] + be16(65535) + be16(0) + be16(0)
  }

  /// A UDP header and payload.
  static func udp(_ sourcePort: UInt16, _ destinationPort: UInt16, payload: [UInt8] = [1, 2, 3, 4])
    -> [UInt8]
  {
    be16(sourcePort) + be16(destinationPort) + be16(UInt16(8 + payload.count)) + be16(0) + payload
  }

  // MARK: IP

  /// An IPv4 packet. `totalLength` and `ihl` override the computed values.
  static func ipv4(
    source: IPv4Address = source4, destination: IPv4Address = destination4,
    protocolNumber: UInt8 = 6,
    ttl: UInt8 = 57, flagsAndOffset: UInt16 = 0x4000, options: [UInt8] = [],
    payload: [UInt8] = tcp(40000, 443), totalLength: Int? = nil, ihl: UInt8? = nil,
    version: UInt8 = 4
  ) -> [UInt8] {
    precondition(options.count % 4 == 0)
    let headerWords = ihl ?? UInt8(5 + options.count / 4)
    let length = totalLength ?? (20 + options.count + payload.count)
    return [version << 4 | headerWords, 0] + be16(UInt16(length)) + be16(0x1234)
      + be16(flagsAndOffset)
      + [ttl, protocolNumber] + be16(0) + be32(source.value) + be32(destination.value) + options
      + payload
  }

  /// An IPv6 packet whose payload may begin with extension headers.
  static func ipv6(
    source: IPv6Address = source6, destination: IPv6Address = destination6, nextHeader: UInt8 = 17,
    hopLimit: UInt8 = 61, payload: [UInt8] = udp(5353, 53), payloadLength: Int? = nil
  ) -> [UInt8] {
    [0x60, 0, 0, 0] + be16(UInt16(payloadLength ?? payload.count)) + [nextHeader, hopLimit]
      + source.bytes + destination.bytes + payload
  }

  /// An IPv6 extension header of the (length + 1) * 8 kind, padded with zeros.
  static func extensionHeader(next: UInt8, units: UInt8 = 0) -> [UInt8] {
    [next, units] + [UInt8](repeating: 0, count: 6 + 8 * Int(units))
  }

  /// An IPv6 routing header (type 0 layout, one address).
  static func routingHeader(next: UInt8) -> [UInt8] {
    [next, 2, 0, 1, 0, 0, 0, 0] + destination6.bytes
  }

  /// An IPv6 fragment header.
  static func fragmentHeader(next: UInt8, offset: UInt16, more: Bool) -> [UInt8] {
    [next, 0] + be16(offset << 3 | (more ? 1 : 0)) + be32(0xabcd)
  }

  /// The standard test packet of each version: IPv4 TCP 40000 -> 443 SYN, IPv6 UDP 5353 -> 53.
  static func packet(_ version: IPVersion) -> [UInt8] {
    version == .v4 ? ipv4() : ipv6()
  }

  // MARK: Link layers

  static let macA: [UInt8] = [0x02, 0, 0, 0, 0, 0x0a]
  static let macB: [UInt8] = [0x02, 0, 0, 0, 0, 0x0b]

  static func etherType(_ version: IPVersion) -> UInt16 { version == .v4 ? 0x0800 : 0x86dd }

  static func ethernet(type: UInt16, _ payload: [UInt8]) -> [UInt8] {
    macB + macA + be16(type) + payload
  }

  /// One VLAN tag: TPID, TCI (priority 0, VLAN `id`). The inner EtherType follows.
  static func vlanTag(tpid: UInt16 = 0x8100, id: UInt16) -> [UInt8] { be16(tpid) + be16(id) }

  /// An Ethernet frame with the given tags between the source address and the EtherType.
  static func taggedEthernet(tags: [[UInt8]], type: UInt16, _ payload: [UInt8]) -> [UInt8] {
    macB + macA + tags.flatMap { $0 } + be16(type) + payload
  }

  /// An MPLS label stack entry.
  static func mplsLabel(_ label: UInt32, bottom: Bool, ttl: UInt8 = 64) -> [UInt8] {
    be32(label << 12 | (bottom ? 0x100 : 0) | UInt32(ttl))
  }

  /// LLC/SNAP with OUI 00-00-00 and the EtherType.
  static func snap(_ type: UInt16, oui: [UInt8] = [0, 0, 0]) -> [UInt8] {
    [0xaa, 0xaa, 0x03] + oui + be16(type)
  }

  /// An 802.3 frame: length field, then LLC.
  static func ethernet8023(_ llcFrame: [UInt8]) -> [UInt8] {
    macB + macA + be16(UInt16(llcFrame.count)) + llcFrame
  }

  /// A PPPoE session header with a 2-byte PPP protocol.
  static func pppoe(protocol proto: [UInt8], _ payload: [UInt8]) -> [UInt8] {
    [0x11, 0x00] + be16(0x2a) + be16(UInt16(proto.count + payload.count)) + proto + payload
  }

  static func pppProtocol(_ version: IPVersion) -> UInt16 { version == .v4 ? 0x0021 : 0x0057 }

  static func linuxSLL(hardware: UInt16 = 1, protocol proto: UInt16, _ payload: [UInt8]) -> [UInt8]
  {
    be16(0) + be16(hardware) + be16(6) + macA + [0, 0] + be16(proto) + payload
  }

  static func linuxSLL2(hardware: UInt16 = 1, protocol proto: UInt16, _ payload: [UInt8]) -> [UInt8]
  {
    be16(proto) + be16(0) + be32(3) + be16(hardware) + [0, 6] + macA + [0, 0] + payload
  }

  /// An 802.11 data frame header. `subtype` 0 is Data, 8 QoS Data; `flags` is frame control byte 1.
  static func dot11(
    type: UInt8 = 2, subtype: UInt8 = 0, flags: UInt8 = 0x01, qos: UInt16 = 0, version: UInt8 = 0
  )
    -> [UInt8]
  {
    var header: [UInt8] =
      [subtype << 4 | type << 2 | version, flags] + [0, 0] + macB + macA + macB + [0x10, 0]
    if flags & 0x03 == 0x03 { header += macA }
    if subtype & 0x08 != 0 {
      header += le16(qos)
      if flags & 0x80 != 0 { header += [0, 0, 0, 0] }
    }
    return header
  }

  /// A radiotap header with the Flags and Rate fields (length 10).
  static func radiotap() -> [UInt8] {
    [0, 0] + le16(10) + le32(0x0000_0006) + [0x00, 0x02]
  }

  /// An NFLOG TLV, padded to 4 bytes.
  static func nflogTLV(type: UInt16, _ value: [UInt8]) -> [UInt8] {
    let tlv = le16(UInt16(4 + value.count)) + le16(type) + value
    return tlv + [UInt8](repeating: 0, count: (4 - tlv.count % 4) % 4)
  }

  /// An NFLOG message as the kernel writes it: packet header, prefix, hardware type, payload.
  static func nflog(family: UInt8, _ payload: [UInt8], includePayload: Bool = true) -> [UInt8] {
    var message: [UInt8] = [family, 0] + be16(5)
    message += nflogTLV(type: 1, be16(0x0800) + [2, 0])  // NFULA_PACKET_HDR: hw_protocol, hook, pad
    message += nflogTLV(type: 10, Array("drop: ".utf8) + [0])  // NFULA_PREFIX, 7 bytes, padded
    message += nflogTLV(type: 12, be16(1))  // NFULA_HWTYPE
    if includePayload { message += nflogTLV(type: 9, payload) }  // NFULA_PAYLOAD
    return message
  }
}
