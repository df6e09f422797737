#if canImport(Glibc)
  import Glibc
#endif

/// Reads the packets of a capture file: pcap (micro- or nanosecond, either byte order) or pcapng, plain or
/// gzip-compressed, from a file or standard input. The format is found from the content, never the name.
///
/// Packets are handed out as borrowed bytes plus a `PacketInfo`; decoding happens elsewhere. Classic pcap
/// is read by libpcap; pcapng by this module's block reader (libpcap rejects pcapng files whose interfaces
/// have different link types). Compressed input is decompressed as it is read, never to disk.
///
/// A handle: not `Sendable`, use it from one task at a time.
public final class CaptureFileReader {
  /// The path as given (`-` for standard input).
  public let path: String
  /// The container format of the (decompressed) content.
  public let format: CaptureFormat
  /// Whether the input is gzip-compressed.
  public let compressed: Bool

  private enum Backend {
    case pcap(PcapFileReader)
    case pcapng(PcapngReader)
  }

  private let backend: Backend

  /// Opens `path` (`-` for standard input), detects its format and reads its header.
  ///
  /// Throws when nothing can be read: a missing or unreadable file, content that is not a capture, a
  /// damaged or unsupported file header. An input already opened for `path` and handed over
  /// (`OpenedInput.handOverToCaptureReader`) is read from its start instead of opening `path` again.
  public convenience init(path: String) throws(CaptureError) {
    let source: InputSource
    if let parked = InputHandOff.take(path) {
      source = parked
    } else {
      source = try InputSource(path: path)
    }
    try self.init(source: source, path: path)
  }

  /// Opens a plain classic pcap file and moves to the record at `offset`, numbering records after
  /// `recordsBefore`: to read on where a `PcapRangeFile` range stopped.
  public convenience init(path: String, resumingAt offset: Int64, recordsBefore: Int) throws(CaptureError) {
    try self.init(path: path)
    guard case .pcap(let reader) = backend, reader.resume(at: offset, records: recordsBefore) else {
      throw CaptureError(.unreadable("cannot move to byte offset \(offset)"), file: path)
    }
  }

  /// Reads from an open descriptor (a pipe, a socket, a file), naming it `name` in errors. The reader
  /// works on its own duplicate of `fileDescriptor`; the caller still owns and closes the original.
  public convenience init(fileDescriptor: Int32, name: String) throws(CaptureError) {
    let descriptor = dup(fileDescriptor)
    guard descriptor >= 0 else {
      throw CaptureError(.unreadable(InputSource.errnoText(errno)), file: name)
    }
    try self.init(source: InputSource(ownedDescriptor: descriptor, name: name), path: name)
  }

  private init(source: InputSource, path: String) throws(CaptureError) {
    self.path = path
    self.compressed = source.compressed
    switch InputSniffer.sniff(prefix: source.prefix) {
    case .capture(.pcapng, _):
      format = .pcapng
      backend = .pcapng(try PcapngReader(source: source))
    case .capture(let format, _):
      self.format = format
      backend = .pcap(try PcapFileReader(source: source))
    case .gzip:
      // gzip inside gzip (or a gzip header zlib did not take): not something to read.
      throw CaptureError(.unsupported("gzip data inside gzip data"), file: path)
    case .tooShort where source.prefix.count >= 4:
      throw CaptureError(
        .truncatedHeader("section header is \(source.prefix.count) of 28 bytes"), file: path)
    case .unknown where source.prefix.starts(with: [0x0a, 0x0d, 0x0d, 0x0a]):
      let magic = InputSniffer.hex(source.prefix[8..<12])
      throw CaptureError(
        .badMagic("section header byte-order magic is \(magic), not 1a 2b 3c 4d"), file: path,
        blockNumber: 1, byteOffset: 0, offsetIsDecompressed: source.compressed, damagedUnitIsRecord: false)
    case .tooShort, .unknown:
      if let problem = source.prefixCutByCompression {
        throw CaptureError(.corruptCompression(problem), file: path)
      }
      throw CaptureError(.notACapture(firstBytes: source.prefix), file: path)
    }
  }

  /// The LINKTYPE_ value of each interface known so far (pcap: exactly one; pcapng: the interfaces of the
  /// current section described up to the read position).
  public var linkTypes: [UInt32] {
    switch backend {
    case .pcap(let reader): [reader.linkType]
    case .pcapng(let reader): reader.linkTypes
    }
  }

  /// Calls `body` for each packet in file order, with its bytes (valid only during the call) and its
  /// metadata. Returns when the input ends, when `body` returns false (a later call resumes with the next
  /// packet), or at damage: then `ReadStatus.damage` says what and where, and the packets handed out
  /// before it stay valid. Once damage is reported, later calls report it again and read nothing.
  ///
  /// Rethrows what `body` throws; reading errors never throw from here.
  public func forEachPacket(_ body: (UnsafeRawBufferPointer, PacketInfo) throws -> Bool) throws -> ReadStatus {
    switch backend {
    case .pcap(let reader): try reader.forEachPacket(body)
    case .pcapng(let reader): try reader.forEachPacket(body)
    }
  }
}
