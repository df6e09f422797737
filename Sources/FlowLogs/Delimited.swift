/// Splitting lines into fields, in place over the line's bytes.
enum Delimited {
  /// Splits at every `separator` byte (TSV, unquoted CSV): `n` separators give `n + 1` fields.
  static func split(_ line: UnsafeRawBufferPointer, separator: UInt8, into fields: inout [UnsafeRawBufferPointer]) {
    fields.removeAll(keepingCapacity: true)
    var from = 0
    for i in 0..<line.count where line[i] == separator {
      fields.append(UnsafeRawBufferPointer(rebasing: line[from..<i]))
      from = i + 1
    }
    fields.append(UnsafeRawBufferPointer(rebasing: line[from..<line.count]))
  }

  /// Splits at runs of spaces and tabs, ignoring them at both ends (AWS VPC flow logs).
  static func splitWhitespace(_ line: UnsafeRawBufferPointer, into fields: inout [UnsafeRawBufferPointer]) {
    fields.removeAll(keepingCapacity: true)
    var from = -1
    for i in 0..<line.count {
      let space = line[i] == 0x20 || line[i] == 0x09
      if space {
        if from >= 0 {
          fields.append(UnsafeRawBufferPointer(rebasing: line[from..<i]))
          from = -1
        }
      } else if from < 0 {
        from = i
      }
    }
    if from >= 0 { fields.append(UnsafeRawBufferPointer(rebasing: line[from..<line.count])) }
  }

  /// The bytes without leading and trailing spaces and tabs.
  static func trimmed(_ field: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var a = 0
    var b = field.count
    while a < b, field[a] == 0x20 || field[a] == 0x09 { a += 1 }
    while b > a, field[b - 1] == 0x20 || field[b - 1] == 0x09 { b -= 1 }
    return UnsafeRawBufferPointer(rebasing: field[a..<b])
  }

  /// Whether a line is empty or only spaces and tabs.
  static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
    line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
  }
}

/// RFC 4180 CSV records: fields separated by commas, optionally in double quotes, a quote inside a
/// quoted field written twice, and line breaks allowed inside quoted fields (the record then continues
/// on the next line).
struct CSVRecordParser {
  enum Outcome {
    /// The record is complete; `fields` holds it.
    case record
    /// A quoted field is still open at the end of the text: the record continues on the next line.
    case open
    /// Text follows a closing quote before the next comma, at this 0-based byte offset.
    case textAfterQuote(Int)
  }

  private(set) var fields: [[UInt8]] = []

  /// Parses `text` (one line, or several joined with `\n` for a record with line breaks in quotes).
  mutating func parse(_ text: UnsafeRawBufferPointer) -> Outcome {
    fields.removeAll(keepingCapacity: true)
    var field: [UInt8] = []
    var i = 0
    var quoted = false
    var atFieldStart = true
    while i < text.count {
      let c = text[i]
      if quoted {
        if c == 0x22 {
          if i + 1 < text.count && text[i + 1] == 0x22 {
            field.append(0x22)
            i += 2
            continue
          }
          quoted = false
          i += 1
          // After a closing quote: a comma, the end, or nothing else.
          if i < text.count && text[i] != 0x2c { return .textAfterQuote(i) }
          continue
        }
        field.append(c)
        i += 1
        continue
      }
      if c == 0x2c {
        fields.append(field)
        field.removeAll(keepingCapacity: true)
        atFieldStart = true
        i += 1
        continue
      }
      if c == 0x22 && atFieldStart {
        quoted = true
        atFieldStart = false
        i += 1
        continue
      }
      atFieldStart = false
      field.append(c)
      i += 1
    }
    if quoted { return .open }
    fields.append(field)
    return .record
  }
}
