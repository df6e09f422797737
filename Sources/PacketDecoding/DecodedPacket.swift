public import NetCore

/// What one frame's outermost IP header says, copied out of the captured bytes.
///
/// Encapsulated packets (IP-in-IP, GRE, 6in4, tunnels in UDP) are not followed: the outermost
/// header's source is the address the traffic arrived from.
public struct DecodedPacket: Hashable, Sendable {
  public var source: IPAddress
  public var destination: IPAddress
  /// 4 or 6.
  public var ipVersion: UInt8
  /// Bytes of the IP packet on the wire, from its own header: the IPv4 total length, or 40 plus the
  /// IPv6 payload length (or plus the RFC 2675 jumbo payload length). It may exceed what was captured.
  /// An IPv4 total length of 0 (left by TCP segmentation offload) is replaced by the captured length.
  public var ipBytes: UInt32
  /// The upper-layer protocol: for IPv6, the value after the last extension header walked. When an
  /// extension header is cut off by the capture, this is that extension header's number.
  public var protocolNumber: UInt8
  /// The IPv4 time to live or IPv6 hop limit.
  public var ttl: UInt8
  /// IPv4 with More Fragments set or a non-zero offset, or IPv6 with a Fragment header.
  public var isFragment: Bool
  /// The packet carries the start of its upper-layer header (fragment offset 0). True for unfragmented
  /// packets as well; ports can only be read when it is true.
  public var isFirstFragment: Bool
  /// TCP, UDP, UDP-Lite, SCTP and DCCP ports, when that header is present and captured.
  public var sourcePort: UInt16?
  public var destinationPort: UInt16?
  /// The TCP flags byte (CWR ECE URG ACK PSH RST SYN FIN), when the TCP header reaches that far.
  public var tcpFlags: UInt8?
  /// Where the upper-layer (transport) header starts, in bytes from the start of the frame; `nil`
  /// for a later fragment or when an extension header before it is cut off.
  public var transportOffset: Int?
  /// Where the IP packet ends within the captured bytes, in bytes from the start of the frame: its
  /// declared end, or the end of the capture when that comes first. Link-layer padding lies beyond.
  public var capturedEnd: Int

  public init(
    source: IPAddress, destination: IPAddress, ipVersion: UInt8, ipBytes: UInt32,
    protocolNumber: UInt8,
    ttl: UInt8, isFragment: Bool = false, isFirstFragment: Bool = true, sourcePort: UInt16? = nil,
    destinationPort: UInt16? = nil, tcpFlags: UInt8? = nil, transportOffset: Int? = nil, capturedEnd: Int = 0
  ) {
    self.source = source
    self.destination = destination
    self.ipVersion = ipVersion
    self.ipBytes = ipBytes
    self.protocolNumber = protocolNumber
    self.ttl = ttl
    self.isFragment = isFragment
    self.isFirstFragment = isFirstFragment
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
    self.tcpFlags = tcpFlags
    self.transportOffset = transportOffset
    self.capturedEnd = capturedEnd
  }
}

/// IANA "Assigned Internet Protocol Numbers" that the decoder treats specially.
public enum IPProtocolNumber {
  public static let hopByHopOptions: UInt8 = 0
  public static let icmp: UInt8 = 1
  public static let tcp: UInt8 = 6
  public static let udp: UInt8 = 17
  public static let dccp: UInt8 = 33
  public static let ipv6Routing: UInt8 = 43
  public static let ipv6Fragment: UInt8 = 44
  public static let esp: UInt8 = 50
  public static let authenticationHeader: UInt8 = 51
  public static let icmpv6: UInt8 = 58
  public static let ipv6NoNextHeader: UInt8 = 59
  public static let ipv6DestinationOptions: UInt8 = 60
  public static let sctp: UInt8 = 132
  public static let mobilityHeader: UInt8 = 135
  public static let udpLite: UInt8 = 136
  public static let hostIdentityProtocol: UInt8 = 139
  public static let shim6: UInt8 = 140
}
