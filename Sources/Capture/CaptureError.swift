/// Why a capture could not be read, or could be read only in part, and where.
///
/// The description is one line naming the file and, when known, the position:
/// `capture.pcap: record 1234 (byte offset 56789): truncated record: header says 1514 bytes, only 200 remain`.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
  /// A reason class, stable enough to count by. New kinds may be added.
  public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The file does not exist.
    public static let notFound = Kind(rawValue: "not-found")
    /// The file exists but cannot be opened or read (permissions, a directory, an I/O error).
    public static let unreadable = Kind(rawValue: "unreadable")
    /// The content is not a packet capture in any known format (this includes an empty file).
    public static let notACapture = Kind(rawValue: "not-a-capture")
    /// The content starts like a capture but a magic number in it is wrong (a pcapng byte-order magic).
    public static let badMagic = Kind(rawValue: "bad-magic")
    /// The file header (pcap) or first section header (pcapng) is cut off.
    public static let truncatedHeader = Kind(rawValue: "truncated-header")
    /// A record (pcap) or block (pcapng) is cut off by the end of the input.
    public static let truncatedRecord = Kind(rawValue: "truncated-record")
    /// A record claims a captured length beyond any plausible snapshot length.
    public static let absurdRecordLength = Kind(rawValue: "absurd-record-length")
    /// A pcapng block is inconsistent: a bad length, lengths that disagree, a packet larger than its block,
    /// an unknown interface.
    public static let malformedBlock = Kind(rawValue: "malformed-block")
    /// The gzip stream is corrupt or ends before its end.
    public static let corruptCompression = Kind(rawValue: "corrupt-compression")
    /// A format version or feature this reader does not handle.
    public static let unsupported = Kind(rawValue: "unsupported")
    /// Any other error reported by libpcap.
    public static let libpcap = Kind(rawValue: "libpcap")
  }

  enum Reason: Sendable {
    case notFound
    case unreadable(String)
    case notACapture(firstBytes: [UInt8])
    case badMagic(String)
    case truncatedHeader(String)
    case truncatedRecord(String)
    case absurdRecordLength(String)
    case malformedBlock(String)
    case corruptCompression(String)
    case unsupported(String)
    case libpcap(String)
  }

  let reason: Reason

  /// The file as named by the caller; standard input (`-`) is shown as `<stdin>`.
  public let file: String
  /// The 1-based number of the packet record being read when the error occurred (one more than the
  /// records read before it); nil when the error is not about a record (opening, the file header).
  public let recordNumber: Int?
  /// The 1-based pcapng block number, counting every block of the input; nil for pcap.
  public let blockNumber: Int?
  /// The 1-based line of a text input (a flow log) where the problem was found; nil for captures.
  public let lineNumber: Int?
  /// The offset of the start of the damaged record or block: in the file, or in the decompressed content
  /// when `offsetIsDecompressed`.
  public let byteOffset: Int64?
  public let offsetIsDecompressed: Bool
  /// Whether the damaged unit is a packet record (false for a damaged pcapng block that is not a packet,
  /// where `recordNumber` is the record that would have come next).
  public let damagedUnitIsRecord: Bool

  init(
    _ reason: Reason, file: String, recordNumber: Int? = nil, blockNumber: Int? = nil, lineNumber: Int? = nil,
    byteOffset: Int64? = nil, offsetIsDecompressed: Bool = false, damagedUnitIsRecord: Bool = true
  ) {
    self.reason = reason
    self.file = file == "-" ? "<stdin>" : file
    self.recordNumber = recordNumber
    self.blockNumber = blockNumber
    self.lineNumber = lineNumber
    self.byteOffset = byteOffset
    self.offsetIsDecompressed = offsetIsDecompressed
    self.damagedUnitIsRecord = damagedUnitIsRecord
  }

  public var kind: Kind {
    switch reason {
    case .notFound: .notFound
    case .unreadable: .unreadable
    case .notACapture: .notACapture
    case .badMagic: .badMagic
    case .truncatedHeader: .truncatedHeader
    case .truncatedRecord: .truncatedRecord
    case .absurdRecordLength: .absurdRecordLength
    case .malformedBlock: .malformedBlock
    case .corruptCompression: .corruptCompression
    case .unsupported: .unsupported
    case .libpcap: .libpcap
    }
  }

  /// What went wrong, without the file name and position.
  public var message: String {
    let text: String
    switch reason {
    case .notFound: text = "no such file"
    case .unreadable(let detail): text = "cannot read: \(detail)"
    case .notACapture(let bytes):
      text =
        bytes.isEmpty
        ? "not a packet capture (empty file)"
        : "not a packet capture (first bytes \(InputSniffer.hex(bytes.prefix(8))))"
    case .badMagic(let detail): text = "bad magic: \(detail)"
    case .truncatedHeader(let detail): text = "truncated header: \(detail)"
    case .truncatedRecord(let detail): text = "truncated record: \(detail)"
    case .absurdRecordLength(let detail): text = "absurd record length: \(detail)"
    case .malformedBlock(let detail): text = "malformed block: \(detail)"
    case .corruptCompression(let detail): text = "corrupt gzip data: \(detail)"
    case .unsupported(let detail): text = "unsupported: \(detail)"
    case .libpcap(let detail): text = "libpcap: \(detail)"
    }
    return Self.oneLine(text)
  }

  public var description: String {
    var units: [String] = []
    if let recordNumber, damagedUnitIsRecord { units.append("record \(recordNumber)") }
    if let blockNumber { units.append("block \(blockNumber)") }
    if let lineNumber { units.append("line \(lineNumber)") }
    var position = units.joined(separator: ", ")
    if let byteOffset {
      let offset = "\(offsetIsDecompressed ? "decompressed byte offset" : "byte offset") \(byteOffset)"
      position = position.isEmpty ? offset : "\(position) (\(offset))"
    }
    let name = Self.oneLine(file)
    return position.isEmpty ? "\(name): \(message)" : "\(name): \(position): \(message)"
  }

  static func oneLine(_ text: String) -> String {
    String(text.map { $0.isNewline ? " " : $0 })
  }
}
