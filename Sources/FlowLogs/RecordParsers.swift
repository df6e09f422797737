import Analysis
import NetCore

/// A parser of a line-oriented format, called with every line that is not blank.
protocol LineRecordParser {
  /// Handles one line: a record (counted or skipped through `context`) or a header or comment line.
  /// Throws when the input cannot be read on (no header where one is needed, a header without the
  /// fields the format needs).
  mutating func line(_ bytes: UnsafeRawBufferPointer, number: Int, context: RecordContext) throws(FlowLogError)
  /// Called once after the last line.
  mutating func finish(line: Int, context: RecordContext)
}

extension LineRecordParser {
  mutating func finish(line: Int, context: RecordContext) {}
}

/// A parser of JSON records: each record is one JSON value (an object for every format here).
protocol JSONRecordParser {
  mutating func record(_ tape: JSONTape, at place: RecordPlace, context: RecordContext)
}

/// Where a JSON record is in its input, to name lines in messages.
/// Reads the values of one JSON flow record. A value that does not read records the skip (by
/// reason, with the value's line and the field's name) and gives nil; the parser then returns.
struct JSONFieldReader {
  let tape: JSONTape
  let place: RecordPlace
  let context: RecordContext

  /// The address at `node`, or nil after a `bad-address` skip.
  func address(_ node: Int, _ name: String) -> IPAddress? {
    if let text = tape.scalarText(node), let address = FieldParser.address(text) { return address }
    context.skip(.badAddress, line: place.line(of: node, in: tape), "bad address \(tape.excerpt(node)) in \(name)")
    return nil
  }

  /// The destination at `node`: the unspecified address of the source's family when the field is
  /// absent or null, or nil after a `bad-address` skip.
  func destination(_ node: Int?, _ name: String, like source: IPAddress) -> IPAddress? {
    guard let node, tape.scalarText(node) != nil else { return FlowValues.unspecified(like: source) }
    return address(node, name)
  }

  /// The count at `node`, or nil after a `bad-number` skip.
  func count(_ node: Int, _ name: String) -> UInt64? {
    if let value = tape.unsigned(node) { return value }
    context.skip(.badNumber, line: place.line(of: node, in: tape), "\(name) is \(tape.excerpt(node)), not a count")
    return nil
  }

  /// The time at `node`, or nil after a `bad-time` skip.
  func time(_ node: Int, _ name: String) -> Timestamp? {
    if let text = tape.scalarText(node), let time = FieldParser.time(text) { return time }
    context.skip(.badTime, line: place.line(of: node, in: tape), "\(name) is \(tape.excerpt(node)), not a time")
    return nil
  }

  /// A port at `node`, when there is one that reads (ports are optional).
  func port(_ node: Int?) -> UInt16? {
    guard let node, let value = tape.unsigned(node), value <= 65535 else { return nil }
    return UInt16(value)
  }
}

struct RecordPlace {
  /// The line the record starts on.
  var firstLine: Int

  /// The line of a node of the record's tape.
  func line(of node: Int, in tape: JSONTape) -> Int {
    let offset = tape.offset(node)
    var line = firstLine
    for i in 0..<min(offset, tape.bytes.count) where tape.bytes[i] == 0x0a { line += 1 }
    return line
  }
}

/// JSON records one per line (JSON Lines, NDJSON): a line that is not valid JSON is one malformed record.
struct JSONLinesParser<Records: JSONRecordParser>: LineRecordParser {
  var records: Records
  private var tape = JSONTape()

  init(_ records: Records) { self.records = records }

  mutating func line(_ bytes: UnsafeRawBufferPointer, number: Int, context: RecordContext) throws(FlowLogError) {
    do {
      try tape.parse(bytes)
    } catch {
      context.skip(.badJSON, line: number, "not valid JSON at column \(error.offset + 1): \(error.message)")
      return
    }
    records.record(tape, at: RecordPlace(firstLine: number), context: context)
  }
}

/// The values every format fills in, and the rule for destinations that are missing.
enum FlowValues {
  /// The address a record without a usable destination gets: `0.0.0.0` (or `::` for an IPv6 source).
  static func unspecified(like source: IPAddress) -> IPAddress {
    source.isIPv4 ? .v4(IPv4Address(0)) : .v6(IPv6Address(high: 0, low: 0))
  }
}
