import NetCore

/// One observed packet or flow record: what every source (capture, flow log, collector) produces.
public struct Observation: Sendable {
  public var timestamp: Timestamp
  public var source: IPAddress
  public var destination: IPAddress
  /// IP protocol number of the transport (6 TCP, 17 UDP, ...).
  public var protocolNumber: UInt8
  public var packets: UInt64
  /// Bytes on the wire (original frame length for captures; the flow's byte count for flows).
  public var wireBytes: UInt64
  /// Bytes at the IP layer (IPv4 total length, or 40 + IPv6 payload length).
  public var ipBytes: UInt64
  /// Flow records this observation stands for (0 for a packet).
  public var flows: UInt64
  public var ttl: UInt8?
  public var sourcePort: UInt16?
  public var destinationPort: UInt16?
  public var tcpFlags: UInt8?

  @inlinable
  public init(
    timestamp: Timestamp, source: IPAddress, destination: IPAddress, protocolNumber: UInt8, packets: UInt64 = 1,
    wireBytes: UInt64, ipBytes: UInt64, flows: UInt64 = 0, ttl: UInt8? = nil, sourcePort: UInt16? = nil,
    destinationPort: UInt16? = nil, tcpFlags: UInt8? = nil
  ) {
    self.timestamp = timestamp
    self.source = source
    self.destination = destination
    self.protocolNumber = protocolNumber
    self.packets = packets
    self.wireBytes = wireBytes
    self.ipBytes = ipBytes
    self.flows = flows
    self.ttl = ttl
    self.sourcePort = sourcePort
    self.destinationPort = destinationPort
    self.tcpFlags = tcpFlags
  }
}
