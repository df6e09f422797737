import Analysis
import NetCore

/// One rectangular CSV table (RFC 4180: CRLF line ends, fields with a comma, quote or line
/// break quoted, quotes doubled) with one row per origin and scope, so a spreadsheet or
/// `pandas.read_csv` reads it in one call. Column names are stable (docs/report-formats.md):
///
/// `scope,start,end,kind,code,name,packets,packets_share,wire_bytes,wire_bytes_share,ip_bytes,flows,sources,sources_share`
///
/// `scope` is `all` (every origin of the whole run, by `--by`), `window` (`--window`), `bucket`
/// (one row per bucket and country with `--bucket`) or `burst` (per burst and country). `start`
/// and `end` are RFC 3339 UTC times of the bucket, burst or window (empty for `all`). Shares are
/// fractions of the scope's total with six decimals and a `.` separator, whatever the locale.
enum CSVReport {
  static let columns = [
    "scope", "start", "end", "kind", "code", "name", "packets", "packets_share", "wire_bytes", "wire_bytes_share", "ip_bytes",
    "flows", "sources", "sources_share",
  ]

  static func render(_ doc: ReportDocument, options: RenderOptions) -> String {
    let s = doc.summary
    var out = line(columns)
    let totals = OriginCounters(packets: s.totals.ipPackets, wireBytes: s.totals.wireBytes, sources: s.totals.sources)
    for e in s.ranked(by: options.dimension) { out += row("all", nil, e.key, e.counters, of: totals) }
    if let w = s.window { out += rows("window", w) }
    for b in s.buckets { out += rows("bucket", b) }
    for b in s.bursts { out += rows("burst", b) }
    return out
  }

  static func rows(_ scope: String, _ w: WindowCounts) -> String {
    SummaryJSON.ranked(w.countries).map { row(scope, w.window, $0.key, $0.counters, of: w.totals) }.joined()
  }

  static func row(_ scope: String, _ window: TimeWindow?, _ key: OriginKey, _ c: OriginCounters, of total: OriginCounters) -> String {
    line([
      scope, window.map { SummaryJSON.time($0.start) } ?? "", window.map { SummaryJSON.time($0.end) } ?? "", key.kind.rawValue,
      key.code, key.kind == .unknown ? "unknown" : key.name, String(c.packets), share(c.packets, total.packets), String(c.wireBytes),
      share(c.wireBytes, total.wireBytes), String(c.ipBytes), String(c.flows), String(c.sources), share(c.sources, total.sources),
    ])
  }

  /// A fraction with six decimals; empty when the total is zero.
  static func share(_ part: UInt64, _ whole: UInt64) -> String {
    whole == 0 ? "" : DecimalFormat.fixed(Double(part) / Double(whole), 6)
  }

  static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\r\n" }

  /// A field, quoted when it holds a comma, a quote or a line break (quotes doubled).
  static func field(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
    return "\"" + text.replacingAll("\"", with: "\"\"") + "\""
  }
}

extension OriginCounters {
  fileprivate init(packets: UInt64, wireBytes: UInt64, sources: UInt64) {
    self.init()
    self.packets = packets
    self.wireBytes = wireBytes
    self.sources = sources
  }
}
