/// The container format of a capture file, as found in its content (never from its name).
public enum CaptureFormat: String, Sendable, CustomStringConvertible {
  /// Classic pcap with microsecond timestamps (draft-ietf-opsawg-pcap), either byte order; this includes
  /// the "modified" pcap variant (magic a1b2cd34) that libpcap also reads.
  case pcap
  /// Classic pcap with nanosecond timestamps (magic a1b23c4d).
  case pcapNanosecond = "pcap-ns"
  /// pcapng (draft-ietf-opsawg-pcapng), either byte order.
  case pcapng

  public var description: String { rawValue }
}

/// What the first bytes of an input say it is. Shared by every reader that detects formats from content.
public enum SniffedContent: Sendable, Equatable {
  /// A packet capture; `bigEndian` is the byte order of its header (for pcapng: of its first section).
  case capture(CaptureFormat, bigEndian: Bool)
  /// gzip-compressed data (RFC 1952); the decompressed content is to be sniffed in turn.
  case gzip
  /// Not enough bytes to decide (fewer than 4, or a pcapng header cut before its byte-order magic).
  case tooShort
  /// None of the above.
  case unknown
}

/// Detects capture formats from the first bytes of an input.
public enum InputSniffer {
  /// Bytes `sniff` needs to decide every case it knows.
  public static let prefixLength = 12

  /// Classifies an input from its first bytes (at least `prefixLength` when the input has them).
  public static func sniff(prefix: some Collection<UInt8>) -> SniffedContent {
    let bytes = Array(prefix.prefix(prefixLength))
    if bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b { return .gzip }
    guard bytes.count >= 4 else { return .tooShort }
    let big = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
    switch big {
    case 0xa1b2_c3d4, 0xa1b2_cd34: return .capture(.pcap, bigEndian: true)
    case 0xd4c3_b2a1, 0x34cd_b2a1: return .capture(.pcap, bigEndian: false)
    case 0xa1b2_3c4d: return .capture(.pcapNanosecond, bigEndian: true)
    case 0x4d3c_b2a1: return .capture(.pcapNanosecond, bigEndian: false)
    case 0x0a0d_0d0a:
      // Section Header Block: the byte-order magic follows the block type and total length.
      guard bytes.count >= 12 else { return .tooShort }
      switch (bytes[8], bytes[9], bytes[10], bytes[11]) {
      case (0x1a, 0x2b, 0x3c, 0x4d): return .capture(.pcapng, bigEndian: true)
      case (0x4d, 0x3c, 0x2b, 0x1a): return .capture(.pcapng, bigEndian: false)
      default: return .unknown
      }
    default: return .unknown
    }
  }

  /// Bytes as lowercase hex pairs separated by spaces: `48 65 6c 6c`.
  public static func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits: [Character] = Array("0123456789abcdef")
    var out = ""
    for byte in bytes {
      if !out.isEmpty { out.append(" ") }
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0f)])
    }
    return out
  }
}
