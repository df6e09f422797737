internal import CPcap

#if canImport(Glibc)
  import Glibc
#endif

/// The content of a text input (a flow log), plain or gzip-compressed, read line by line or in chunks
/// through one bounded buffer. Nothing is loaded whole: a line longer than the limit is skipped in pieces
/// and reported by its length.
///
/// A handle: not `Sendable`, use it from one task at a time.
public final class TextInput {
  /// The file name used in messages (`-` for standard input).
  public let name: String
  /// Whether the content is gzip-compressed.
  public let compressed: Bool

  private let stream: UnsafeMutablePointer<oc_stream>
  private var buffer: UnsafeMutableRawPointer
  private(set) var capacity: Int
  /// Unread bytes are `buffer[start..<end]`.
  private var start = 0
  private var end = 0
  /// Offset in the (decompressed) content of `buffer[start]`.
  private var position: Int64 = 0
  private var endOfInput = false
  /// Lines handed out so far (the number of the last one).
  private var lines = 0
  /// Why reading stopped before the end of the content: corrupt gzip data, a read error.
  public private(set) var damage: CaptureError?

  /// Bytes read from the stream at a time, and the buffer's size before any line needs more.
  static let chunkLength = 1 << 18

  /// Opens `path` (`-` for standard input) as text.
  public convenience init(path: String) throws(CaptureError) {
    try self.init(source: InputSource(path: path))
  }

  /// Takes over an opened input's stream; the bytes it peeked are read again.
  init(source: InputSource) throws(CaptureError) {
    name = source.name
    compressed = source.compressed
    guard let taken = source.takeStream() else {
      throw CaptureError(.unreadable("input already consumed"), file: source.name)
    }
    stream = taken
    capacity = Self.chunkLength
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
  }

  deinit {
    buffer.deallocate()
    oc_stream_close(stream)
  }

  /// Up to `count` bytes from the read position, without consuming them (fewer at the end of the input).
  public func head(_ count: Int) -> [UInt8] {
    let available = fill(atLeast: count)
    return Array(UnsafeRawBufferPointer(start: buffer + start, count: min(count, available)))
  }

  /// The offset of the read position in the (decompressed) content.
  public var byteOffset: Int64 { position }

  /// Calls `body` for each line in order, with its bytes (valid only during the call) without the line
  /// end (`\n` or `\r\n`). A line longer than `maximumLength` bytes is skipped without being held in
  /// memory and handed out with `skippedLength` set and no bytes. Returns true at the end of the input
  /// (also when it ended early: then `damage` says why), false when `body` returned false (a later call
  /// resumes with the next line).
  public func forEachLine(maximumLength: Int, _ body: (TextLine) throws -> Bool) rethrows -> Bool {
    // A line of `maximumLength` bytes plus "\r\n" still fits.
    let window = maximumLength + 2
    while true {
      let unread = end - start
      if unread > 0, let newline = memchr(buffer + start, 0x0a, min(unread, window)) {
        let length = buffer.distance(to: newline) - start
        if try !deliver(length: length, consumed: length + 1, maximumLength: maximumLength, body) { return false }
        continue
      }
      if unread >= window {
        let skipped = skipToLineEnd()
        lines += 1
        let line = TextLine(
          number: lines, bytes: UnsafeRawBufferPointer(start: nil, count: 0), skippedLength: skipped.length,
          byteOffset: skipped.offset)
        if try !body(line) { return false }
        continue
      }
      if endOfInput {
        if unread == 0 { return true }
        if try !deliver(length: unread, consumed: unread, maximumLength: maximumLength, body) { return false }
        continue
      }
      _ = fill(atLeast: unread + 1)
    }
  }

  /// Hands out the next bytes of the content (valid until the next call), consuming them; nil at the end
  /// of the input (then `damage` says whether it ended early).
  public func nextChunk() -> UnsafeRawBufferPointer? {
    if start == end {
      start = 0
      end = 0
      if fill(atLeast: 1) == 0 { return nil }
    }
    let chunk = UnsafeRawBufferPointer(start: buffer + start, count: end - start)
    position += Int64(end - start)
    start = end
    return chunk
  }

  /// Hands a line of `length` bytes at the read position to `body` (as skipped when it is longer than
  /// `maximumLength` without its `\r`), then consumes `consumed` bytes.
  private func deliver(
    length: Int, consumed: Int, maximumLength: Int, _ body: (TextLine) throws -> Bool
  ) rethrows -> Bool {
    var count = length
    if count > 0 && buffer.load(fromByteOffset: start + count - 1, as: UInt8.self) == 0x0d { count -= 1 }
    lines += 1
    let line =
      count > maximumLength
      ? TextLine(number: lines, bytes: UnsafeRawBufferPointer(start: nil, count: 0), skippedLength: count, byteOffset: position)
      : TextLine(
        number: lines, bytes: UnsafeRawBufferPointer(start: buffer + start, count: count), skippedLength: nil,
        byteOffset: position)
    let more = try body(line)
    start += consumed
    position += Int64(consumed)
    return more
  }

  /// Discards bytes up to and including the next line end (or the end of the input); returns the length
  /// of the line discarded and where it began.
  private func skipToLineEnd() -> (length: Int, offset: Int64) {
    let offset = position
    var length = 0
    while true {
      let unread = end - start
      if unread > 0, let newline = memchr(buffer + start, 0x0a, unread) {
        let count = buffer.distance(to: newline) - start
        length += count
        start += count + 1
        position += Int64(count + 1)
        return (length, offset)
      }
      length += unread
      position += Int64(unread)
      start = 0
      end = 0
      if fill(atLeast: 1) == 0 { return (length, offset) }
    }
  }

  /// Reads until at least `count` unread bytes are buffered or the input ends; returns the unread count.
  /// The buffer grows to hold `count` bytes plus a chunk.
  private func fill(atLeast count: Int) -> Int {
    while end - start < count && !endOfInput {
      let missing = count - (end - start)
      if capacity - end < max(missing, Self.chunkLength / 4) {
        if start > 0 {
          if end > start { memmove(buffer, buffer + start, end - start) }
          end -= start
          start = 0
        }
        if capacity - end < max(missing, Self.chunkLength / 4) {
          let grown = max(capacity * 2, count + Self.chunkLength)
          let next = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
          next.copyMemory(from: buffer, byteCount: end)
          buffer.deallocate()
          buffer = next
          capacity = grown
        }
      }
      let got = oc_stream_read(stream, buffer + end, capacity - end)
      if got > 0 {
        end += got
        continue
      }
      endOfInput = true
      noteDamage(at: position + Int64(end - start))
    }
    return end - start
  }

  /// Records why the stream ended, if it ended early: a read error or corrupt gzip data.
  private func noteDamage(at offset: Int64) {
    guard damage == nil else { return }
    if stream.pointee.read_errno != 0 {
      damage = CaptureError(
        .unreadable(InputSource.errnoText(stream.pointee.read_errno)), file: name, byteOffset: offset,
        offsetIsDecompressed: compressed, damagedUnitIsRecord: false)
    } else if let problem = InputSource.compressionProblem(stream) {
      damage = CaptureError(
        .corruptCompression(problem), file: name, byteOffset: offset, offsetIsDecompressed: compressed,
        damagedUnitIsRecord: false)
    }
  }
}

/// One line of a text input, handed out by `TextInput.forEachLine`.
public struct TextLine {
  /// The 1-based line number.
  public let number: Int
  /// The line's bytes without the line end; valid only during the call that hands the line out. Empty for
  /// a line that was too long.
  public let bytes: UnsafeRawBufferPointer
  /// The length of a line that was longer than the limit and was skipped; nil for a line that was read.
  public let skippedLength: Int?
  /// Where the line begins in the (decompressed) content.
  public let byteOffset: Int64
}
