import Capture

/// Streams the records out of JSON documents without holding a document whole: the elements of a
/// top-level array are records, a top-level object is a record, and with `recordsKey` the elements of
/// that key's array in a top-level object are the records (Azure's `{"records": [...]}`). Several
/// documents may follow one another. Each record's text is collected (up to `maximumRecordLength`
/// bytes; a longer record is skipped) and handed out to be parsed.
///
/// The document structure around the records is checked as it streams by; a document that breaks off
/// stops the reading with the line where it broke.
struct JSONDocumentReader {
  /// Why a document could not be read on, and the line.
  struct Failure: Error {
    var line: Int
    var message: String
  }

  /// A record's bytes, or the length of one that was too long.
  enum Record {
    case text(UnsafeRawBufferPointer, line: Int)
    case tooLong(length: Int, line: Int)
  }

  private let input: TextInput
  private let recordsKey: [UInt8]?
  private let maximumRecordLength: Int
  private var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
  private var index = 0
  private(set) var line = 1
  private var record: [UInt8] = []
  private var recordLength = 0

  init(input: TextInput, recordsKey: String?, maximumRecordLength: Int) {
    self.input = input
    self.recordsKey = recordsKey.map { Array($0.utf8) }
    self.maximumRecordLength = maximumRecordLength
  }

  /// Calls `body` with every record in order. Throws at the first break in the document structure.
  mutating func forEachRecord(_ body: (Record) -> Void) throws(Failure) {
    skipByteOrderMark()
    while true {
      skipSpace()
      guard let c = peek() else { return }
      switch c {
      case UInt8(ascii: "["):
        advance()
        try elements(body)
      case UInt8(ascii: "{"):
        if recordsKey != nil {
          try members(body)
        } else {
          try capture(body)
        }
      default:
        throw failure("expected '[' or '{' to begin a JSON document, found \(describe(c))")
      }
    }
  }

  // MARK: Structure

  /// The elements of an array whose `[` was just read, each one a record.
  private mutating func elements(_ body: (Record) -> Void) throws(Failure) {
    skipSpace()
    if peek() == UInt8(ascii: "]") {
      advance()
      return
    }
    while true {
      skipSpace()
      try capture(body)
      skipSpace()
      guard let c = peek() else { throw failure("the input ends inside an array") }
      advance()
      if c == UInt8(ascii: ",") { continue }
      if c == UInt8(ascii: "]") { return }
      throw failure("expected ',' or ']' after an array element, found \(describe(c))")
    }
  }

  /// The members of a top-level object: the array under `recordsKey` is streamed, the rest skipped.
  private mutating func members(_ body: (Record) -> Void) throws(Failure) {
    advance()
    skipSpace()
    if peek() == UInt8(ascii: "}") {
      advance()
      return
    }
    while true {
      skipSpace()
      guard peek() == UInt8(ascii: "\"") else {
        throw failure(peek().map { "expected a key string, found \(describe($0))" } ?? "the input ends inside an object")
      }
      let key = try keyString()
      skipSpace()
      guard peek() == UInt8(ascii: ":") else {
        throw failure(peek().map { "expected ':' after a key, found \(describe($0))" } ?? "the input ends inside an object")
      }
      advance()
      skipSpace()
      if key == recordsKey, peek() == UInt8(ascii: "[") {
        advance()
        try elements(body)
      } else {
        try scanValue(keep: false)
      }
      skipSpace()
      guard let c = peek() else { throw failure("the input ends inside an object") }
      advance()
      if c == UInt8(ascii: ",") { continue }
      if c == UInt8(ascii: "}") { return }
      throw failure("expected ',' or '}' after an object member, found \(describe(c))")
    }
  }

  /// Collects one value as a record and hands it out.
  private mutating func capture(_ body: (Record) -> Void) throws(Failure) {
    let first = line
    record.removeAll(keepingCapacity: true)
    recordLength = 0
    try scanValue(keep: true)
    if recordLength > maximumRecordLength {
      body(.tooLong(length: recordLength, line: first))
    } else {
      record.withUnsafeBytes { body(.text($0, line: first)) }
    }
    // A buffer grown by one large record is not kept for the small ones that usually follow.
    if record.capacity > 1 << 24 && recordLength < 1 << 20 { record = [] }
  }

  /// Reads past one value, tracking nesting and strings; with `keep`, its bytes go to `record` (up to
  /// the limit). Its inner syntax is checked when the record is parsed.
  private mutating func scanValue(keep: Bool) throws(Failure) {
    guard let first = peek() else { throw failure("the input ends where a value should be") }
    if first != UInt8(ascii: "{") && first != UInt8(ascii: "[") && first != UInt8(ascii: "\"") {
      // A scalar: up to the next delimiter.
      var any = false
      while let c = peek(), !(c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || isSpace(c)) {
        take(c, keep)
        any = true
      }
      if !any { throw failure("unexpected \(describe(first)) where a value should be") }
      return
    }
    var depth = 0
    var inString = false
    while true {
      guard let c = peek() else {
        throw failure(inString ? "the input ends inside a string" : "the input ends inside a JSON value")
      }
      take(c, keep)
      if inString {
        if c == UInt8(ascii: "\\") {
          guard let escaped = peek() else { throw failure("the input ends inside a string") }
          take(escaped, keep)
        } else if c == UInt8(ascii: "\"") {
          inString = false
          if depth == 0 { return }
        } else if c == 0x0a {
          throw failure("a line break inside a string")
        }
        continue
      }
      switch c {
      case UInt8(ascii: "\""): inString = true
      case UInt8(ascii: "{"), UInt8(ascii: "["):
        depth += 1
        if depth > JSONTape.maximumDepth { throw failure("nested deeper than \(JSONTape.maximumDepth) levels") }
      case UInt8(ascii: "}"), UInt8(ascii: "]"):
        depth -= 1
        if depth == 0 { return }
      default: break
      }
    }
  }

  /// A key string's bytes (escapes kept as written), the opening quote at the read position.
  private mutating func keyString() throws(Failure) -> [UInt8] {
    advance()
    var key: [UInt8] = []
    while true {
      guard let c = peek() else { throw failure("the input ends inside a string") }
      advance()
      if c == UInt8(ascii: "\"") { return key }
      if c == 0x0a { throw failure("a line break inside a string") }
      key.append(c)
      if c == UInt8(ascii: "\\"), let e = peek() {
        advance()
        key.append(e)
      }
    }
  }

  // MARK: Bytes

  private mutating func peek() -> UInt8? {
    if index == chunk.count {
      guard let next = input.nextChunk() else { return nil }
      chunk = next
      index = 0
    }
    return chunk[index]
  }

  /// Consumes the byte `peek` returned.
  private mutating func advance() {
    if chunk[index] == 0x0a { line += 1 }
    index += 1
  }

  private mutating func take(_ c: UInt8, _ keep: Bool) {
    advance()
    guard keep else { return }
    recordLength += 1
    if recordLength <= maximumRecordLength { record.append(c) }
  }

  private mutating func skipSpace() {
    while let c = peek(), isSpace(c) { advance() }
  }

  private mutating func skipByteOrderMark() {
    guard peek() == 0xef else { return }
    for expected: UInt8 in [0xef, 0xbb, 0xbf] {
      guard peek() == expected else { return }
      advance()
    }
  }

  private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09 }

  private func describe(_ c: UInt8) -> String {
    c >= 0x21 && c < 0x7f ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
  }

  private func failure(_ message: String) -> Failure { Failure(line: line, message: message) }
}
