#if canImport(Glibc)
  import Glibc
#endif

/// One JSON value (RFC 8259) parsed in place: a flat list of nodes over the text's bytes, in document
/// order, with no string copied until a caller asks for one. Keys of an object are string nodes followed
/// by their value's node. The bytes must stay valid while the tape is used.
struct JSONTape {
  enum Kind: UInt8 {
    case object, array, string, number, `true`, `false`, null
  }

  struct Node {
    var kind: Kind
    /// A string with backslash escapes (its bytes must be decoded).
    var escaped: Bool
    /// Strings: the first byte after the opening quote; others: the first byte of the value.
    var start: Int32
    /// Strings: the closing quote; others: one past the value's last byte.
    var end: Int32
    /// The index of the first node after this one's subtree.
    var next: Int32
  }

  /// Why a text is not one JSON value, and where (0-based byte offset).
  struct SyntaxError: Error {
    var offset: Int
    var message: String
  }

  private(set) var nodes: [Node] = []
  private(set) var bytes = UnsafeRawBufferPointer(start: nil, count: 0)

  static let maximumDepth = 64

  init() {}

  /// Parses `text` as exactly one JSON value with optional white space around it. Texts over 2 GiB are
  /// refused.
  mutating func parse(_ text: UnsafeRawBufferPointer) throws(SyntaxError) {
    nodes.removeAll(keepingCapacity: true)
    bytes = text
    guard text.count < Int(Int32.max) else { throw SyntaxError(offset: 0, message: "text too long") }
    var parser = Parser(bytes: text)
    parser.skipSpace()
    try parser.value(into: &nodes, depth: 0)
    parser.skipSpace()
    if parser.index < text.count {
      throw SyntaxError(offset: parser.index, message: "unexpected \(Parser.describe(text[parser.index])) after the value")
    }
  }

  /// The root value's node.
  var root: Int { 0 }

  func kind(_ node: Int) -> Kind { nodes[node].kind }

  /// The value of `key` in the object `node`, or nil (also when `node` is not an object).
  func member(_ node: Int, _ key: StaticString) -> Int? {
    guard nodes[node].kind == .object else { return nil }
    let keyLength = key.utf8CodeUnitCount
    var i = node + 1
    let stop = Int(nodes[node].next)
    while i < stop {
      let k = nodes[i]
      if Int(k.end - k.start) == keyLength && !k.escaped
        && (keyLength == 0
          || (bytes[Int(k.start)] == key.utf8Start.pointee
            && memcmp(bytes.baseAddress! + Int(k.start), key.utf8Start, keyLength) == 0))
      {
        return i + 1
      }
      if k.escaped, string(i) == key.description { return i + 1 }
      i = Int(nodes[i + 1].next)
    }
    return nil
  }

  /// The value at a path of keys from `node`.
  func member(_ node: Int, _ first: StaticString, _ rest: StaticString...) -> Int? {
    guard var at = member(node, first) else { return nil }
    for key in rest {
      guard let next = member(at, key) else { return nil }
      at = next
    }
    return at
  }

  /// The element nodes of the array `node` (empty when it is not an array).
  func elements(_ node: Int) -> [Int] {
    guard nodes[node].kind == .array else { return [] }
    var out: [Int] = []
    var i = node + 1
    let stop = Int(nodes[node].next)
    while i < stop {
      out.append(i)
      i = Int(nodes[i].next)
    }
    return out
  }

  /// The keys of the object `node` as strings (for messages and detection).
  func keys(_ node: Int) -> [String] {
    guard nodes[node].kind == .object else { return [] }
    var out: [String] = []
    var i = node + 1
    let stop = Int(nodes[node].next)
    while i < stop {
      out.append(string(i) ?? "")
      i = Int(nodes[i + 1].next)
    }
    return out
  }

  /// The raw bytes of a string without escapes (nil for anything else, or a string with escapes).
  func rawString(_ node: Int) -> UnsafeRawBufferPointer? {
    let n = nodes[node]
    guard n.kind == .string, !n.escaped else { return nil }
    return UnsafeRawBufferPointer(rebasing: bytes[Int(n.start)..<Int(n.end)])
  }

  /// The decoded text of a string node; nil for anything else.
  func string(_ node: Int) -> String? {
    let n = nodes[node]
    guard n.kind == .string else { return nil }
    let raw = UnsafeRawBufferPointer(rebasing: bytes[Int(n.start)..<Int(n.end)])
    if !n.escaped { return String(decoding: raw, as: UTF8.self) }
    return Self.unescape(raw)
  }

  /// The bytes of a number, or of a string's content (a string with escapes is decoded); nil otherwise.
  /// Numbers written as strings (`"2052"`, as Cloud Logging writes int64 values) are read the same way.
  func scalarText(_ node: Int) -> [UInt8]? {
    let n = nodes[node]
    switch n.kind {
    case .number: return Array(bytes[Int(n.start)..<Int(n.end)])
    case .string: return n.escaped ? string(node).map { Array($0.utf8) } : Array(bytes[Int(n.start)..<Int(n.end)])
    default: return nil
    }
  }

  /// A non-negative integer from a number node or a string of digits; nil otherwise.
  func unsigned(_ node: Int) -> UInt64? {
    let n = nodes[node]
    guard n.kind == .number || (n.kind == .string && !n.escaped) else { return nil }
    return FieldParser.unsigned(UnsafeRawBufferPointer(rebasing: bytes[Int(n.start)..<Int(n.end)]))
  }

  /// The value of a `true` or `false` node.
  func bool(_ node: Int) -> Bool? {
    switch nodes[node].kind {
    case .true: return true
    case .false: return false
    default: return nil
    }
  }

  /// The 0-based offset of a node's first byte in the text.
  func offset(_ node: Int) -> Int {
    let n = nodes[node]
    return n.kind == .string ? Int(n.start) - 1 : Int(n.start)
  }

  /// A short, one-line rendering of a node's text for messages.
  func excerpt(_ node: Int, limit: Int = 40) -> String {
    let n = nodes[node]
    let from = offset(node)
    let to = n.kind == .string ? Int(n.end) + 1 : Int(n.end)
    return FieldParser.excerpt(UnsafeRawBufferPointer(rebasing: bytes[from..<min(to, from + limit + 1)]), limit: limit)
  }

  static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(raw.count)
    var i = 0
    func hex4(_ at: Int) -> UInt32? {
      guard at + 4 <= raw.count else { return nil }
      var v: UInt32 = 0
      for k in 0..<4 {
        guard let d = Parser.hexValue(raw[at + k]) else { return nil }
        v = v << 4 | UInt32(d)
      }
      return v
    }
    while i < raw.count {
      let c = raw[i]
      guard c == 0x5c, i + 1 < raw.count else {
        out.append(c)
        i += 1
        continue
      }
      let e = raw[i + 1]
      i += 2
      switch e {
      case 0x62: out.append(0x08)
      case 0x66: out.append(0x0c)
      case 0x6e: out.append(0x0a)
      case 0x72: out.append(0x0d)
      case 0x74: out.append(0x09)
      case 0x75:
        guard var scalar = hex4(i) else { continue }
        i += 4
        if (0xD800..<0xDC00).contains(scalar), i + 6 <= raw.count, raw[i] == 0x5c, raw[i + 1] == 0x75,
          let low = hex4(i + 2), (0xDC00..<0xE000).contains(low)
        {
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          i += 6
        }
        let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(character).utf8))
      default: out.append(e)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// A recursive-descent parser over the bytes; depth is bounded by `maximumDepth`.
  private struct Parser {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func skipSpace() {
      while index < bytes.count {
        switch bytes[index] {
        case 0x20, 0x09, 0x0a, 0x0d: index += 1
        default: return
        }
      }
    }

    func error(_ message: String) -> SyntaxError { SyntaxError(offset: index, message: message) }

    static func describe(_ byte: UInt8) -> String {
      if byte >= 0x21 && byte < 0x7f { return "'\(Character(Unicode.Scalar(byte)))'" }
      return "byte 0x\(String(byte, radix: 16))"
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
      switch c {
      case 0x30...0x39: return c - 0x30
      case 0x41...0x46: return c - 0x41 + 10
      case 0x61...0x66: return c - 0x61 + 10
      default: return nil
      }
    }

    mutating func value(into nodes: inout [Node], depth: Int) throws(SyntaxError) {
      guard index < bytes.count else { throw error("the text ends where a value should be") }
      let c = bytes[index]
      switch c {
      case 0x7b: try container(into: &nodes, depth: depth, object: true)
      case 0x5b: try container(into: &nodes, depth: depth, object: false)
      case 0x22: try string(into: &nodes)
      case 0x74: try literal("true", .true, into: &nodes)
      case 0x66: try literal("false", .false, into: &nodes)
      case 0x6e: try literal("null", .null, into: &nodes)
      case 0x2d, 0x30...0x39: try number(into: &nodes)
      default: throw error("unexpected \(Self.describe(c)) where a value should be")
      }
    }

    mutating func container(into nodes: inout [Node], depth: Int, object: Bool) throws(SyntaxError) {
      guard depth < JSONTape.maximumDepth else { throw error("nested deeper than \(JSONTape.maximumDepth) levels") }
      let me = nodes.count
      nodes.append(Node(kind: object ? .object : .array, escaped: false, start: Int32(index), end: 0, next: 0))
      let close: UInt8 = object ? 0x7d : 0x5d
      index += 1
      skipSpace()
      if index < bytes.count && bytes[index] == close {
        index += 1
      } else {
        while true {
          if object {
            guard index < bytes.count, bytes[index] == 0x22 else {
              throw error(index < bytes.count ? "expected a key string, found \(Self.describe(bytes[index]))" : "the text ends inside an object")
            }
            try string(into: &nodes)
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x3a else {
              throw error(index < bytes.count ? "expected ':' after a key, found \(Self.describe(bytes[index]))" : "the text ends inside an object")
            }
            index += 1
            skipSpace()
          }
          try value(into: &nodes, depth: depth + 1)
          skipSpace()
          guard index < bytes.count else { throw error("the text ends inside \(object ? "an object" : "an array")") }
          if bytes[index] == 0x2c {
            index += 1
            skipSpace()
            continue
          }
          if bytes[index] == close {
            index += 1
            break
          }
          throw error("expected ',' or '\(object ? "}" : "]")', found \(Self.describe(bytes[index]))")
        }
      }
      nodes[me].end = Int32(index)
      nodes[me].next = Int32(nodes.count)
    }

    mutating func string(into nodes: inout [Node]) throws(SyntaxError) {
      let open = index
      let base = bytes.baseAddress!
      let count = bytes.count
      var i = index + 1
      var escaped = false
      while true {
        // Plain bytes first, without looking at each one twice.
        while i < count {
          let c = base.load(fromByteOffset: i, as: UInt8.self)
          if c == 0x22 || c == 0x5c || c < 0x20 { break }
          i += 1
        }
        guard i < count else {
          index = open
          throw error("a string is not closed")
        }
        let c = base.load(fromByteOffset: i, as: UInt8.self)
        if c == 0x22 { break }
        if c < 0x20 {
          index = i
          throw error("a control character (\(Self.describe(c))) inside a string")
        }
        escaped = true
        guard i + 1 < count else {
          index = open
          throw error("a string is not closed")
        }
        switch base.load(fromByteOffset: i + 1, as: UInt8.self) {
        case 0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74: i += 2
        case 0x75:
          guard i + 6 <= count, (2..<6).allSatisfy({ Self.hexValue(bytes[i + $0]) != nil }) else {
            index = i
            throw error("bad \\u escape in a string")
          }
          i += 6
        case let e:
          index = i
          throw error("bad escape \\\(Character(Unicode.Scalar(e))) in a string")
        }
      }
      index = i
      nodes.append(Node(kind: .string, escaped: escaped, start: Int32(open + 1), end: Int32(index), next: Int32(nodes.count + 1)))
      index += 1
    }

    mutating func literal(_ word: StaticString, _ kind: Kind, into nodes: inout [Node]) throws(SyntaxError) {
      let count = word.utf8CodeUnitCount
      guard index + count <= bytes.count, memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0 else {
        throw error("expected \(word)")
      }
      nodes.append(Node(kind: kind, escaped: false, start: Int32(index), end: Int32(index + count), next: Int32(nodes.count + 1)))
      index += count
    }

    mutating func number(into nodes: inout [Node]) throws(SyntaxError) {
      let begin = index
      func digits() -> Int {
        let from = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        return index - from
      }
      if bytes[index] == 0x2d { index += 1 }
      let whole = index
      guard digits() > 0 else { throw error("a number without digits") }
      if bytes[whole] == 0x30 && index - whole > 1 { throw error("a number with a leading zero") }
      if index < bytes.count, bytes[index] == 0x2e {
        index += 1
        guard digits() > 0 else { throw error("a number without digits after '.'") }
      }
      if index < bytes.count, bytes[index] == 0x65 || bytes[index] == 0x45 {
        index += 1
        if index < bytes.count, bytes[index] == 0x2b || bytes[index] == 0x2d { index += 1 }
        guard digits() > 0 else { throw error("a number without exponent digits") }
      }
      nodes.append(Node(kind: .number, escaped: false, start: Int32(begin), end: Int32(index), next: Int32(nodes.count + 1)))
    }
  }
}
