internal import CPcap

#if canImport(Glibc)
  import Glibc
#endif

/// An opened input, before a format reader takes it over: a zlib stream over the descriptor (gzip is
/// decompressed, anything else passes through) whose first bytes have been peeked and will be read again.
final class InputSource {
  /// The file name used in messages (`-` for standard input).
  let name: String
  /// The stream; nil once a reader has taken it.
  private(set) var stream: UnsafeMutablePointer<oc_stream>?
  /// A second descriptor for the same open file when it is a regular uncompressed file, so libpcap can
  /// read it through plain stdio; -1 otherwise.
  private var plainDescriptor: Int32
  /// Where the regular file was positioned when opened (0, unless standard input was already read from).
  private var plainStart: off_t = 0
  /// The first bytes of the (decompressed) content, at most `peekLength`.
  let prefix: [UInt8]
  /// Whether the content is gzip-compressed.
  let compressed: Bool
  /// Whether the descriptor is a regular file.
  let isRegularFile: Bool
  /// Whether the compressed stream already ended early (or is corrupt) within the peeked bytes.
  let prefixCutByCompression: String?

  /// Bytes peeked: a whole pcap file header.
  static let peekLength = 24

  /// Opens `path` (`-` for standard input).
  convenience init(path: String) throws(CaptureError) {
    var descriptor: Int32
    if path == "-" {
      descriptor = dup(STDIN_FILENO)
    } else {
      repeat { descriptor = open(path, O_RDONLY | O_CLOEXEC) } while descriptor < 0 && errno == EINTR
    }
    if descriptor < 0 {
      let code = errno
      if code == ENOENT || code == ENOTDIR { throw CaptureError(.notFound, file: path) }
      throw CaptureError(.unreadable(Self.errnoText(code)), file: path)
    }
    try self.init(ownedDescriptor: descriptor, name: path)
  }

  /// Opens standard input under `name`, which errors use instead of `<stdin>`.
  convenience init(standardInputNamed name: String) throws(CaptureError) {
    let descriptor = dup(STDIN_FILENO)
    guard descriptor >= 0 else { throw CaptureError(.unreadable(Self.errnoText(errno)), file: name) }
    try self.init(ownedDescriptor: descriptor, name: name)
  }

  /// Takes ownership of `descriptor` (closed when this source or its reader is done).
  init(ownedDescriptor descriptor: Int32, name: String) throws(CaptureError) {
    self.name = name
    var info = stat()
    guard fstat(descriptor, &info) == 0 else {
      let code = errno
      close(descriptor)
      throw CaptureError(.unreadable(Self.errnoText(code)), file: name)
    }
    if info.st_mode & S_IFMT == S_IFDIR {
      close(descriptor)
      throw CaptureError(.unreadable("is a directory"), file: name)
    }
    let regular = info.st_mode & S_IFMT == S_IFREG
    isRegularFile = regular
    let second = regular ? dup(descriptor) : -1
    let start = regular ? lseek(descriptor, 0, SEEK_CUR) : 0
    guard let stream = oc_stream_open(descriptor) else {
      close(descriptor)
      if second >= 0 { close(second) }
      throw CaptureError(.unreadable("cannot open a stream (out of memory)"), file: name)
    }
    let count = oc_stream_peek(stream, Self.peekLength)
    if count < 0 {
      let readErrno = stream.pointee.read_errno
      let message = String(cString: oc_stream_error_message(stream))
      oc_stream_close(stream)
      if second >= 0 { close(second) }
      if readErrno != 0 { throw CaptureError(.unreadable(Self.errnoText(readErrno)), file: name) }
      throw CaptureError(.corruptCompression(message), file: name)
    }
    self.stream = stream
    self.compressed = oc_stream_direct(stream) == 0
    self.prefix = withUnsafeBytes(of: &stream.pointee.prefix) { Array($0.prefix(count)) }
    self.prefixCutByCompression = Self.compressionProblem(stream)
    if stream.pointee.read_errno != 0 {
      let code = stream.pointee.read_errno
      oc_stream_close(stream)
      self.stream = nil
      if second >= 0 { close(second) }
      self.plainDescriptor = -1
      throw CaptureError(.unreadable(Self.errnoText(code)), file: name)
    }
    if compressed, second >= 0 {
      close(second)
      self.plainDescriptor = -1
    } else {
      self.plainDescriptor = second
      self.plainStart = max(0, start)
    }
  }

  deinit {
    if let stream { oc_stream_close(stream) }
    if plainDescriptor >= 0 { close(plainDescriptor) }
  }

  /// Hands the stream over to a reader, which closes it with `oc_stream_close` (or `fclose` of a FILE made
  /// from it).
  func takeStream() -> UnsafeMutablePointer<oc_stream>? {
    defer { stream = nil }
    return stream
  }

  /// Hands over the plain descriptor (positioned where the content starts), or -1 if there is none.
  func takePlainDescriptor() -> Int32 {
    defer { plainDescriptor = -1 }
    guard plainDescriptor >= 0 else { return -1 }
    if lseek(plainDescriptor, plainStart, SEEK_SET) != plainStart {
      close(plainDescriptor)
      return -1
    }
    return plainDescriptor
  }

  /// What zlib reported about a stream that ended early or is corrupt; nil when all is well.
  static func compressionProblem(_ stream: UnsafeMutablePointer<oc_stream>) -> String? {
    switch stream.pointee.zerr {
    case Z_OK, Z_ERRNO: return nil
    case Z_BUF_ERROR: return "the gzip stream ends early"
    default: return String(cString: oc_stream_error_message(stream))
    }
  }

  static func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
  }
}
