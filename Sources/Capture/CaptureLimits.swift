/// The bounds the capture readers keep on hostile input, so memory and time stay bounded whatever a
/// file's headers claim (docs/limits.md).
public enum CaptureLimits {
  /// The longest pcapng block accepted (16 MiB); a block that claims more is damage. The block
  /// reader's buffer never grows beyond it.
  public static let maximumBlockLength = 16 << 20
  /// Interfaces one pcapng section may describe (65,536); the Interface Description Block after
  /// them is damage.
  public static let maximumInterfaces = 65_536
  /// The longest captured length the pcap range reader reads itself (256 KiB, libpcap's maximum
  /// snapshot length for the link types OriginCheck decodes). A longer record, or one longer than
  /// the file's snapshot length, is left to libpcap, which cuts it to the snapshot length or
  /// refuses it beyond its own maximum for the link type.
  public static let maximumRangeRecordLength = 262_144
}
