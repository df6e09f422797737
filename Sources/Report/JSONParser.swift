/// A JSON syntax error: what was expected, at a 1-based line and column (columns count bytes).
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var message: String

  public init(line: Int, column: Int, message: String) {
    self.line = line
    self.column = column
    self.message = message
  }

  public var description: String { "line \(line), column \(column): \(message)" }
}

/// Reads JSON text (RFC 8259) into a `JSONValue`, exactly: object keys keep their order,
/// integers stay integers (`.uint` when non-negative, `.int` when negative, within 64 bits),
/// and only numbers with a fraction or an exponent become `.double`. Duplicate keys, nesting
/// deeper than `maximumDepth` and anything after the value are errors.
public struct JSONParser {
  /// Deepest nesting of arrays and objects accepted; deeper input is an error, not a crash.
  public static let maximumDepth = 256

  private let bytes: [UInt8]
  private var index = 0
  private var line = 1
  private var lineStart = 0
  private var depth = 0

  private init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Parses one JSON value (surrounded by optional white space) from UTF-8 bytes.
  public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(bytes)
    if parser.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
    parser.skipWhitespace()
    guard parser.index < parser.bytes.count else { throw parser.error("no JSON value (the input is empty)") }
    let value = try parser.value()
    parser.skipWhitespace()
    guard parser.index == parser.bytes.count else { throw parser.error("unexpected \(parser.found()) after the JSON value") }
    return value
  }

  /// Parses one JSON value from text.
  public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try parse(Array(text.utf8)) }

  // MARK: - Values

  private mutating func value() throws(JSONSyntaxError) -> JSONValue {
    guard index < bytes.count else { throw error("unexpected end of input: expected a value (truncated?)") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("expected a value, found \(found())")
    }
  }

  private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
    let w = Array(word.utf8)
    guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
      throw error("expected a value, found \(found())")
    }
    index += w.count
    return value
  }

  private mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
  }

  private mutating func object() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    index += 1
    var pairs: [(String, JSONValue)] = []
    var keys = Set<String>()
    skipWhitespace()
    if peek(UInt8(ascii: "}")) {
      index += 1
      depth -= 1
      return .object(pairs)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input inside an object (truncated?)") }
      guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key, found \(found())") }
      let keyLine = line
      let keyColumn = index - lineStart + 1
      let key = try string()
      guard keys.insert(key).inserted else {
        throw JSONSyntaxError(line: keyLine, column: keyColumn, message: "duplicate key \"\(key)\"")
      }
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input inside an object (truncated?)") }
      guard bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after the key \"\(key)\", found \(found())") }
      index += 1
      skipWhitespace()
      pairs.append((key, try value()))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input inside an object (truncated?)") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "}") else { throw error("expected ',' or '}' in an object, found \(found())") }
      index += 1
      depth -= 1
      return .object(pairs)
    }
  }

  private mutating func array() throws(JSONSyntaxError) -> JSONValue {
    try enter()
    index += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if peek(UInt8(ascii: "]")) {
      index += 1
      depth -= 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try value())
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of input inside an array (truncated?)") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard bytes[index] == UInt8(ascii: "]") else { throw error("expected ',' or ']' in an array, found \(found())") }
      index += 1
      depth -= 1
      return .array(items)
    }
  }

  private mutating func number() throws(JSONSyntaxError) -> JSONValue {
    let start = index
    let startColumn = index - lineStart + 1
    func bad(_ what: String) -> JSONSyntaxError { JSONSyntaxError(line: line, column: startColumn, message: what) }
    var negative = false
    if bytes[index] == UInt8(ascii: "-") {
      negative = true
      index += 1
    }
    func digits() -> Int {
      let s = index
      while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
      return index - s
    }
    let intStart = index
    let intDigits = digits()
    guard intDigits > 0 else { throw bad("malformed number: expected a digit") }
    if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") { throw bad("malformed number: leading zero") }
    var isInteger = true
    if peek(UInt8(ascii: ".")) {
      index += 1
      guard digits() > 0 else { throw bad("malformed number: expected a digit after '.'") }
      isInteger = false
    }
    if peek(UInt8(ascii: "e")) || peek(UInt8(ascii: "E")) {
      index += 1
      if peek(UInt8(ascii: "+")) || peek(UInt8(ascii: "-")) { index += 1 }
      guard digits() > 0 else { throw bad("malformed number: expected a digit in the exponent") }
      isInteger = false
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    if isInteger {
      if !negative, let u = UInt64(text) { return .uint(u) }
      if negative, let i = Int64(text) { return i == 0 ? .uint(0) : .int(i) }
    }
    guard let d = Double(text), d.isFinite else { throw bad("number \(text) is out of range") }
    return .double(d)
  }

  private mutating func string() throws(JSONSyntaxError) -> String {
    index += 1
    var out: [UInt8] = []
    while true {
      guard index < bytes.count else { throw error("unexpected end of input inside a string (truncated?)") }
      let b = bytes[index]
      switch b {
      case UInt8(ascii: "\""):
        index += 1
        guard let s = String(validating: out, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
        return s
      case UInt8(ascii: "\\"):
        index += 1
        guard index < bytes.count else { throw error("unexpected end of input inside a string (truncated?)") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
              throw error("unpaired surrogate \\u\(String(scalar, radix: 16)) in a string")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a string") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00..<0xE000).contains(scalar) {
            throw error("unpaired surrogate \\u\(String(scalar, radix: 16)) in a string")
          }
          guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape in a string") }
          out.append(contentsOf: Array(String(Character(u)).utf8))
        default:
          index -= 1
          throw error("invalid escape \\\(Character(Unicode.Scalar(e))) in a string")
        }
      case 0..<0x20:
        throw error("control character U+\(hex(b)) in a string (must be escaped)")
      default:
        out.append(b)
        index += 1
      }
    }
  }

  private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw error("unexpected end of input in a \\u escape (truncated?)") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[index]
      let d: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
      default: throw error("expected 4 hexadecimal digits in a \\u escape")
      }
      v = v << 4 | UInt32(d)
      index += 1
    }
    return v
  }

  // MARK: - Helpers

  private func peek(_ b: UInt8) -> Bool { index < bytes.count && bytes[index] == b }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0D: index += 1
      case 0x0A:
        index += 1
        line += 1
        lineStart = index
      default: return
      }
    }
  }

  /// The byte at the current position, described for an error message.
  private func found() -> String {
    guard index < bytes.count else { return "the end of input" }
    let b = bytes[index]
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    return "byte 0x\(hex(b))"
  }

  private func hex(_ b: UInt8) -> String {
    let s = String(b, radix: 16, uppercase: true)
    return s.count == 1 ? "0" + s : s
  }

  private func error(_ message: String) -> JSONSyntaxError {
    JSONSyntaxError(line: line, column: index - lineStart + 1, message: message)
  }
}
