import NetCore

/// Why a summary could not be read back: the file, the place (a line and column for a syntax
/// error, a JSON path such as `$.origins[3].packets` for a wrong or missing field) and what was
/// expected. One line.
public struct SummaryDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
  public var file: String
  public var place: String
  public var message: String

  public init(file: String, place: String, message: String) {
    self.file = file
    self.place = place
    self.message = message
  }

  public var description: String { place.isEmpty ? "\(file): \(message)" : "\(file): \(place): \(message)" }
}

/// A value inside a JSON document with the path that leads to it, so every complaint about it
/// names its place.
struct JSONNode {
  let value: JSONValue
  let path: String
  let file: String

  func fail(_ message: String) -> SummaryDecodeError { SummaryDecodeError(file: file, place: path, message: message) }

  private func expected(_ what: String) -> SummaryDecodeError { fail("expected \(what), found \(Self.describe(value))") }

  static func describe(_ v: JSONValue) -> String {
    switch v {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return "the number \(i)"
    case .uint(let u): return "the number \(u)"
    case .double(let d): return "the number \(d)"
    case .string(let s): return "the string \"\(s.count > 40 ? String(s.prefix(40)) + "…" : s)\""
    case .array: return "an array"
    case .object: return "an object"
    }
  }

  func object() throws(SummaryDecodeError) -> JSONObjectNode {
    guard case .object(let pairs) = value else { throw expected("an object") }
    return JSONObjectNode(pairs: pairs, path: path, file: file)
  }

  func array() throws(SummaryDecodeError) -> [JSONNode] {
    guard case .array(let items) = value else { throw expected("an array") }
    return items.enumerated().map { JSONNode(value: $0.element, path: "\(path)[\($0.offset)]", file: file) }
  }

  func string() throws(SummaryDecodeError) -> String {
    guard case .string(let s) = value else { throw expected("a string") }
    return s
  }

  /// A string or null.
  func optionalString() throws(SummaryDecodeError) -> String? {
    if case .null = value { return nil }
    guard case .string(let s) = value else { throw expected("a string or null") }
    return s
  }

  func bool() throws(SummaryDecodeError) -> Bool {
    guard case .bool(let b) = value else { throw expected("true or false") }
    return b
  }

  /// A count: a non-negative integer within 64 bits.
  func count() throws(SummaryDecodeError) -> UInt64 {
    guard case .uint(let u) = value else { throw expected("a non-negative integer") }
    return u
  }

  func int() throws(SummaryDecodeError) -> Int64 {
    switch value {
    case .int(let i): return i
    case .uint(let u) where u <= UInt64(Int64.max): return Int64(u)
    default: throw expected("an integer")
    }
  }

  /// Any number (integers included: whole doubles are written without a fraction).
  func number() throws(SummaryDecodeError) -> Double {
    switch value {
    case .int(let i): return Double(i)
    case .uint(let u): return Double(u)
    case .double(let d): return d
    default: throw expected("a number")
    }
  }

  /// An RFC 3339 date-time.
  func timestamp() throws(SummaryDecodeError) -> Timestamp {
    let s = try string()
    guard let t = Timestamp.parseISO8601(s) else { throw fail("expected an RFC 3339 date-time, found \"\(s)\"") }
    return t
  }

  /// An RFC 3339 date-time or null.
  func optionalTimestamp() throws(SummaryDecodeError) -> Timestamp? {
    if case .null = value { return nil }
    return try timestamp()
  }

  /// A string that must be one of a type's raw values.
  func oneOf<T: RawRepresentable>(_ type: T.Type, _ allowed: [String]) throws(SummaryDecodeError) -> T where T.RawValue == String {
    let s = try string()
    guard let v = T(rawValue: s) else {
      throw fail("expected one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), found \"\(s)\"")
    }
    return v
  }
}

/// A JSON object inside a document, read field by field.
struct JSONObjectNode {
  let pairs: [(String, JSONValue)]
  let path: String
  let file: String

  private func childPath(_ key: String) -> String {
    let scalars = Array(key.unicodeScalars)
    func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" }
    let plain = !scalars.isEmpty && letter(scalars[0]) && scalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    return plain ? "\(path).\(key)" : "\(path)[\"\(key)\"]"
  }

  /// A field that must be present.
  func required(_ key: String) throws(SummaryDecodeError) -> JSONNode {
    guard let v = pairs.first(where: { $0.0 == key })?.1 else {
      throw SummaryDecodeError(file: file, place: path, message: "missing required field \"\(key)\"")
    }
    return JSONNode(value: v, path: childPath(key), file: file)
  }

  /// A field that may be absent; `nil` when it is.
  func optional(_ key: String) -> JSONNode? {
    pairs.first(where: { $0.0 == key }).map { JSONNode(value: $0.1, path: childPath($0.0), file: file) }
  }

  /// Every member, in document order.
  var members: [(key: String, node: JSONNode)] {
    pairs.map { (key: $0.0, node: JSONNode(value: $0.1, path: childPath($0.0), file: file)) }
  }
}
