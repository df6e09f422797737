public import NetCore

/// What a capture says about one packet, apart from its bytes.
public struct PacketInfo: Sendable, Hashable {
  /// When the packet was captured, at the precision of the file (micro- or nanoseconds, or per pcapng
  /// interface resolution).
  public var timestamp: Timestamp
  /// Bytes saved in the capture (the length of the buffer handed out with this info).
  public var capturedLength: Int
  /// Bytes the packet had on the wire; at least `capturedLength` in a well-formed file.
  public var wireLength: Int
  /// LINKTYPE_ value (tcpdump.org link-layer header types) of the packet's interface: 1 Ethernet,
  /// 101 raw IP, 113 Linux cooked, 276 Linux cooked v2...
  public var linkType: UInt32
  /// The pcapng interface (0-based, within the current section); always 0 for pcap.
  public var interfaceIndex: Int
  /// The packet's 1-based position among the packet records of the input.
  public var recordNumber: Int

  public init(
    timestamp: Timestamp, capturedLength: Int, wireLength: Int, linkType: UInt32, interfaceIndex: Int,
    recordNumber: Int
  ) {
    self.timestamp = timestamp
    self.capturedLength = capturedLength
    self.wireLength = wireLength
    self.linkType = linkType
    self.interfaceIndex = interfaceIndex
    self.recordNumber = recordNumber
  }
}

/// How a call to `CaptureFileReader.forEachPacket` ended.
public struct ReadStatus: Sendable {
  /// Packet records read from the input so far (the record number of the last packet handed out).
  public var records: Int
  /// Set when reading stopped because the rest of the input is damaged; the records read before it stay
  /// valid. Nil at a clean end of input, or when the caller stopped.
  public var damage: CaptureError?

  public init(records: Int, damage: CaptureError? = nil) {
    self.records = records
    self.damage = damage
  }
}
