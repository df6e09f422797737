/// Plain-text tables with columns padded to their widest cell. Numeric-looking cells are
/// right-aligned; the first row is the header, underlined.
public enum TextTable {
  public static func render(_ rows: [[String]], rightAligned: Set<Int>? = nil) -> String {
    guard let header = rows.first else { return "" }
    let columns = rows.map(\.count).max() ?? header.count
    var widths = [Int](repeating: 0, count: columns)
    for row in rows {
      for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    let numeric: Set<Int> =
      rightAligned
      ?? Set(
        (0..<columns).filter { c in
          rows.dropFirst().allSatisfy { row in
            c >= row.count || row[c] == "-"
              || (row[c].allSatisfy { "0123456789.,%<>-+ ".contains($0) } && row[c].filter { $0 == "." }.count <= 1)
          } && rows.dropFirst().contains { c < $0.count && $0[c] != "-" }
        })
    var out = ""
    for (r, row) in rows.enumerated() {
      var line = ""
      for c in 0..<columns {
        let cell = c < row.count ? row[c] : ""
        let pad = String(repeating: " ", count: widths[c] - cell.count)
        let text = numeric.contains(c) ? pad + cell : cell + (c == columns - 1 ? "" : pad)
        line += (c == 0 ? "" : "  ") + text
      }
      while line.hasSuffix(" ") { line.removeLast() }
      out += line + "\n"
      if r == 0 {
        out += widths.enumerated().map { String(repeating: "-", count: $0.element) }.joined(separator: "  ") + "\n"
      }
    }
    return out
  }
}
