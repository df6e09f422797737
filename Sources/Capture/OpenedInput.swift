import Synchronization

/// An input opened once and classified by its first bytes (after gunzip): a packet capture, to be read by
/// `CaptureFileReader`, or anything else, to be read as text (`TextInput`). Standard input and pipes can
/// be read only once, so the same opened input serves whichever reader takes it.
///
/// A handle: not `Sendable`, use it from one task at a time.
public final class OpenedInput {
  /// The path as given (`-` for standard input).
  public let path: String
  /// Whether the content is gzip-compressed.
  public let compressed: Bool
  /// What the first bytes say.
  public let content: SniffedContent
  /// Whether a reader can open the input again by its path and read it from the start: a regular
  /// file named by its path (not standard input, whose file position this reading has moved).
  public let canReopen: Bool
  private var source: InputSource?

  /// Opens `path` (`-` for standard input) and peeks at its first bytes.
  ///
  /// Throws when the input cannot be opened or read at all.
  public convenience init(path: String) throws(CaptureError) {
    let source = try InputSource(path: path)
    self.init(source: source, path: path, canReopen: source.isRegularFile && path != "-")
  }

  /// Opens standard input under `name` (the URI its bytes came from, say): messages, the summary and
  /// the capture reader it is handed over to know it by that name, and it is never opened again by it.
  public convenience init(standardInputNamed name: String) throws(CaptureError) {
    self.init(source: try InputSource(standardInputNamed: name), path: name, canReopen: false)
  }

  private init(source: InputSource, path: String, canReopen: Bool) {
    self.path = path
    self.source = source
    compressed = source.compressed
    content = InputSniffer.sniff(prefix: source.prefix)
    self.canReopen = canReopen
  }

  /// Whether the content starts like a capture file (pcap, pcapng, or the damaged start of one), so that
  /// `CaptureFileReader` is the reader to report on it.
  public var isCapture: Bool {
    let prefix = source?.prefix ?? []
    switch content {
    case .capture, .gzip: return true
    case .tooShort: return prefix.count >= 4
    case .unknown: return prefix.starts(with: [0x0a, 0x0d, 0x0d, 0x0a])
    }
  }

  /// The format name of a capture (`pcap`, `pcap-ns`, `pcapng`), nil when the content is not one.
  public var captureFormat: CaptureFormat? {
    if case .capture(let format, _) = content { return format }
    return nil
  }

  /// Reads the content as text. The input is taken: call this at most once, and not together with
  /// `handOverToCaptureReader`.
  public func textInput() throws(CaptureError) -> TextInput {
    guard let source else { throw CaptureError(.unreadable("input already consumed"), file: path) }
    self.source = nil
    return try TextInput(source: source)
  }

  /// Leaves the opened input to the next `CaptureFileReader(path:)` for the same path, which then reads
  /// it from the start without opening it again.
  public func handOverToCaptureReader() {
    guard let source else { return }
    self.source = nil
    InputHandOff.park(source, path: path)
  }
}

/// Opened inputs waiting for the capture reader that will open the same path.
enum InputHandOff {
  /// An input in transit from one owner to the next; never used by two threads at once.
  private struct Parked: @unchecked Sendable {
    let source: InputSource
  }

  private static let parked = Mutex<[String: Parked]>([:])

  static func park(_ source: InputSource, path: String) {
    let entry = Parked(source: source)
    parked.withLock { $0[path] = entry }
  }

  /// Whether an input is parked for `path`: the next reader of that path must take it, not open the path.
  static func isParked(_ path: String) -> Bool {
    parked.withLock { $0[path] != nil }
  }

  /// The input parked for `path`, if any; it is no longer parked afterwards.
  static func take(_ path: String) -> InputSource? {
    parked.withLock { $0.removeValue(forKey: path) }?.source
  }
}
