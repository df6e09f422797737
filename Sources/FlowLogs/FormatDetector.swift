/// Recognises a flow-log format from the first bytes of its (decompressed) content: the first lines,
/// their header or their JSON keys. Never from the file name.
public enum FormatDetector {
  /// The format of text that starts with `head`, or nil when it is none OriginCheck reads.
  /// `columns` (from `--columns`) lets a CSV header that names those columns count as generic CSV.
  public static func detect(_ head: [UInt8], columns: ColumnMapping? = nil) -> FlowLogFormat? {
    let lines = firstLines(head)
    guard let first = lines.first else { return nil }
    if head.contains(0) { return nil }
    return first.withUnsafeBytes { (line: UnsafeRawBufferPointer) -> FlowLogFormat? in
      let text = Delimited.trimmed(line)
      guard let c = text.first else { return nil }
      if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { return json(head: head, firstLine: text) }
      if c == UInt8(ascii: "#") {
        let zeek = lines.contains { $0.starts(with: Array("#fields".utf8)) || $0.starts(with: Array("#separator".utf8)) }
        return zeek ? .zeek : nil
      }
      var fields: [UnsafeRawBufferPointer] = []
      Delimited.split(text, separator: UInt8(ascii: ","), into: &fields)
      let names = fields.map { String(decoding: Delimited.trimmed($0), as: UTF8.self) }
      if names.first == "ts", names.contains("sa"), names.contains("ipkt") { return .nfdumpCSV }
      if fields.count == NfdumpCSVParser.defaultHeader.count, FieldParser.isoTime(Delimited.trimmed(fields[0])) != nil,
        FieldParser.address(Delimited.trimmed(fields[3])) != nil
      {
        return .nfdumpCSV
      }
      var tokens: [UnsafeRawBufferPointer] = []
      Delimited.splitWhitespace(text, into: &tokens)
      if VPCFlowLogParser.headerNames(tokens) != nil { return .vpc }
      if isDefaultVPCRecord(tokens) { return .vpc }
      if text.contains(UInt8(ascii: ",")) {
        var csv = CSVRecordParser()
        guard case .record = csv.parse(text) else { return nil }
        let header = csv.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters() }
        if let columns {
          let all = columns.columns.values.joined()
          let known = all.allSatisfy { name in
            header.contains(name) || header.contains { $0.lowercased() == name.lowercased() } || Int(name).map { $0 >= 1 && $0 <= header.count } == true
          }
          return known ? .csv : nil
        }
        return ColumnMapping.recognised(in: header) != nil ? .csv : nil
      }
      return nil
    }
  }

  /// Whether JSON records come one per line (the first line that is not blank is a whole JSON object)
  /// rather than in documents that span lines.
  static func jsonLines(_ head: [UInt8]) -> Bool {
    guard let first = firstLines(head).first else { return false }
    return first.withUnsafeBytes { line in
      var tape = JSONTape()
      guard (try? tape.parse(line)) != nil else { return false }
      return tape.kind(tape.root) == .object
    }
  }

  /// A JSON format from the keys of the first record (one per line) or, for documents, from the keys
  /// that appear in the first bytes.
  private static func json(head: [UInt8], firstLine: UnsafeRawBufferPointer) -> FlowLogFormat? {
    var tape = JSONTape()
    if firstLine.first == UInt8(ascii: "{"), (try? tape.parse(firstLine)) != nil {
      let root = tape.root
      if tape.member(root, "records") != nil { return .azure }
      if tape.member(root, "event_type") != nil { return .eve }
      if let payload = tape.member(root, "jsonPayload"), tape.member(payload, "connection") != nil { return .gcp }
      if tape.member(root, "id.orig_h") != nil || tape.member(root, "id", "orig_h") != nil { return .zeekJSON }
      if tape.member(root, "src4_addr") != nil || tape.member(root, "src6_addr") != nil { return .nfdumpJSON }
      return nil
    }
    func has(_ token: String) -> Bool { contains(head, Array(token.utf8)) }
    if has("\"flowTuples\"") { return .azure }
    if has("\"event_type\"") { return .eve }
    if has("\"jsonPayload\"") && has("\"connection\"") { return .gcp }
    if has("\"src4_addr\"") || has("\"src6_addr\"") { return .nfdumpJSON }
    if has("\"id.orig_h\"") { return .zeekJSON }
    return nil
  }

  /// A record of the default VPC format without a header: 14 fields, a numeric version, addresses (or
  /// `-`) third and fourth, and a known log status last.
  static func isDefaultVPCRecord(_ tokens: [UnsafeRawBufferPointer]) -> Bool {
    guard tokens.count == 14, FieldParser.unsigned(tokens[0]) != nil else { return false }
    let unset: (UnsafeRawBufferPointer) -> Bool = { $0.count == 1 && $0[0] == UInt8(ascii: "-") }
    for i in [3, 4] where !(unset(tokens[i]) || FieldParser.address(tokens[i]) != nil) { return false }
    return ["OK", "NODATA", "SKIPDATA"].contains(String(decoding: tokens[13], as: UTF8.self))
  }

  /// The non-blank lines of the head (without a UTF-8 byte-order mark, `\r` or a last line the head
  /// cut off, unless it is the only one).
  static func firstLines(_ head: [UInt8], limit: Int = 20) -> [[UInt8]] {
    var bytes = head[...]
    if bytes.starts(with: [0xef, 0xbb, 0xbf]) { bytes = bytes.dropFirst(3) }
    var lines: [[UInt8]] = []
    var parts = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
    if parts.count > 1, bytes.last != 0x0a { parts.removeLast() }
    for part in parts {
      var line = Array(part)
      if line.last == 0x0d { line.removeLast() }
      if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
      lines.append(line)
      if lines.count == limit { break }
    }
    return lines
  }

  private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard needle.count <= haystack.count, let first = needle.first else { return false }
    var i = 0
    while i + needle.count <= haystack.count {
      if haystack[i] == first && haystack[i..<i + needle.count].elementsEqual(needle) { return true }
      i += 1
    }
    return false
  }
}

extension String {
  fileprivate func trimmingCharacters() -> String {
    var s = Substring(self)
    while s.first == " " || s.first == "\t" { s.removeFirst() }
    while s.last == " " || s.last == "\t" { s.removeLast() }
    return String(s)
  }
}
