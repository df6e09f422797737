import Analysis
import Geo
import NetCore

/// One self-contained HTML page: inline CSS and SVG only (no script, no external file, font or
/// tile), readable at phone width and in print. Verdict boxes, a choropleth world map of the
/// chosen metric, a bar chart of the top origins, the timeline of packets per bucket with bursts
/// marked, the evidence table, the top-origins table, the method and the limits.
enum HTMLReport {
  static func render(_ doc: ReportDocument, options: RenderOptions) -> String {
    let s = doc.summary
    let metric = doc.chartMetric(options)
    let claimed = claimedCountries(doc)
    var out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    out += "<title>\(escape("OriginCheck report: " + ReportText.subject(s)))</title>\n"
    out += "<style>\n\(css)</style>\n</head>\n<body>\n<main>\n"
    out += "<header>\n<h1>Where the traffic came from</h1>\n"
    out += "<p class=\"subject\"><code>\(escape(ReportText.subject(s)))</code></p>\n"
    out += "<p>\(escape(ReportText.overview(s)))</p>\n</header>\n"
    for r in doc.claims { out += verdictBox(r) }
    out += mapFigure(s, metric: metric, claimed: claimed)
    out += barsFigure(doc, metric: metric, options: options)
    out += timelineFigure(doc)
    out += evidenceSection(doc)
    out += originsSection(doc, options: options)
    out += methodSection(doc)
    out += "<section class=\"limits\">\n<h2>Limits of source-address geography</h2>\n<ul>\n"
    for line in ReportText.limits { out += "<li>\(escape(line))</li>\n" }
    out += "</ul>\n</section>\n"
    out += "<footer><p>Made by OriginCheck. Map: Natural Earth 1:110m country outlines (public domain), Equal Earth projection.</p></footer>\n"
    out += "</main>\n</body>\n</html>\n"
    return out
  }

  // MARK: - Verdicts

  static func verdictClass(_ v: VerdictValue) -> String {
    switch v {
    case .holds: return "holds"
    case .doesNotHold: return "does-not-hold"
    case .inconclusive: return "inconclusive"
    }
  }

  static func verdictBox(_ r: ClaimResult) -> String {
    let metric = r.claim.metric
    var out = "<section class=\"verdict \(verdictClass(r.verdict))\">\n"
    out += "<p class=\"badge\">\(escape(r.verdict.rawValue))</p>\n"
    out += "<h2><code>\(escape(r.claim.text))</code></h2>\n"
    out += "<p class=\"question\">\(escape(ReportText.question(r)))</p>\n"
    out += "<p><strong>\(escape(ReportText.verdictHeadline(r.verdict))).</strong> \(escape(r.explanation))</p>\n"
    var rows: [[Cell]] = []
    for e in r.overall.shares {
      rows.append([
        .text(ReportText.metricName(e.metric) + (e.metric == metric ? " (claimed)" : "")), .number(SummaryTable.group(e.count)),
        .number(SummaryTable.group(e.total)), .number(DecimalFormat.percent(e.share)),
        .number("\(DecimalFormat.percent(e.interval.lowerBound))–\(DecimalFormat.percent(e.interval.upperBound))"),
      ])
    }
    out += table(["metric", r.origin.name, "all traffic", "share", "95% interval"], numeric: [1, 2, 3, 4], rows: rows)
    out += "<ul class=\"facts\">\n"
    if let rank = ReportText.rankLine(r) { out += "<li><strong>Rank:</strong> \(escape(rank)).</li>\n" }
    if let base = ReportText.baselineLine(r) { out += "<li><strong>Baseline:</strong> \(escape(base)).</li>\n" }
    out += "<li><strong>Without one-packet sources and reflection traffic:</strong> \(escape(ReportText.robustLine(r))).</li>\n"
    out += "</ul>\n"
    if !r.windows.isEmpty {
      let w = r.windows.map { scope -> [Cell] in
        [
          .label(scope.label), .time(scope.window.map { ReportText.time($0.start) } ?? ""),
          .time(scope.window.map { ReportText.time($0.end) } ?? ""), .verdict(scope.verdict),
          .number(DecimalFormat.percent(scope.share(metric)?.share ?? 0)), .number(scope.rank.map(String.init) ?? "-"),
        ]
      }
      out += table(["scope", "from (UTC)", "to (UTC)", "verdict", "share by \(ReportText.metricName(metric))", "rank"], numeric: [4, 5], rows: w)
    }
    let serious = r.findings.filter { $0.severity != .info }
    if !serious.isEmpty {
      out += "<h3>What weakens this evidence</h3>\n<ul class=\"findings\">\n"
      for f in serious {
        out += "<li><span class=\"sev sev-\(f.severity.rawValue)\">\(f.severity.rawValue)</span> \(escape(f.text))</li>\n"
      }
      out += "</ul>\n"
    }
    out += "<p class=\"caveat\">\(escape(ClaimResult.caveat))</p>\n"
    return out + "</section>\n"
  }

  // MARK: - Figures

  /// The countries the first claim names, outlined on the map.
  static func claimedCountries(_ doc: ReportDocument) -> Set<String> {
    guard let first = doc.claims.first, case .countries(let set) = first.origin.membership else { return [] }
    return set
  }

  static func mapFigure(_ s: Summary, metric: Claim.Metric, claimed: Set<String>) -> String {
    let name = ReportText.metricName(metric)
    var out = "<section class=\"figure\">\n<h2>Share of \(escape(name)) by country</h2>\n<figure>\n"
    out += HTMLCharts.map(s, metric: metric, claimed: claimed) + "\n"
    out += "<figcaption>\n" + HTMLCharts.legend(claimed: !claimed.isEmpty) + "\n"
    let total = HTMLCharts.total(s, metric)
    let missing = HTMLCharts.notDrawn(s, metric: metric)
    if !missing.isEmpty {
      let list = missing.prefix(12).map { "\($0.code) \(DecimalFormat.percent($0.value, of: total))" }.joined(separator: ", ")
      out += "<p>Too small to draw at this scale: \(escape(list))\(missing.count > 12 ? ", and \(missing.count - 12) more" : "").</p>\n"
    }
    let nonCountry = s.countries.filter { $0.key.kind != .country }.reduce(UInt64(0)) { $0 + $1.value.value(metric) }
    if nonCountry > 0 {
      out += "<p>Not on the map: \(DecimalFormat.percent(nonCountry, of: total)) of \(escape(name)) are special-purpose or unknown addresses.</p>\n"
    }
    return out + "</figcaption>\n</figure>\n</section>\n"
  }

  static func barsFigure(_ doc: ReportDocument, metric: Claim.Metric, options: RenderOptions) -> String {
    let s = doc.summary
    let name = ReportText.metricName(metric)
    let values: [(key: OriginKey, value: UInt64)] = s.origins(by: options.dimension).map { entry in
      (key: entry.key, value: entry.value.value(metric))
    }
    let all = values.filter { $0.value > 0 }.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
    guard !all.isEmpty else { return "" }
    let shown = Array(all.prefix(min(options.top, 15)))
    let claimed = doc.claims.first.map(\.origin)
    func isClaimed(_ key: OriginKey) -> Bool {
      guard let claimed else { return false }
      switch claimed.membership {
      case .countries(let set): return key.kind == .country && set.contains(key.code)
      case .asn(let code): return key.kind == .asn && key.code == code
      case .radius: return false
      }
    }
    var out = "<section class=\"figure\">\n<h2>Largest origins by \(escape(name))</h2>\n<figure>\n"
    out += HTMLCharts.bars(shown, total: HTMLCharts.total(s, metric), metric: metric, isClaimed: isClaimed) + "\n"
    var caption = "Share of all \(name)"
    if all.count > shown.count { caption += "; \(all.count - shown.count) smaller origins not shown" }
    if let claimed, shown.contains(where: { isClaimed($0.key) }) { caption += "; \(claimed.name) highlighted" }
    out += "<figcaption>\(escape(caption)).</figcaption>\n</figure>\n</section>\n"
    return out
  }

  static func timelineFigure(_ doc: ReportDocument) -> String {
    let s = doc.summary
    guard let width = s.bucketWidth, !s.buckets.isEmpty else {
      guard s.window != nil else { return "" }
      return timeTable(s, heading: "Within the window")
    }
    var claimedTest: ((OriginKey) -> Bool)? = nil
    var claimedName: String? = nil
    if let first = doc.claims.first, case .countries(let set) = first.origin.membership {
      claimedTest = { $0.kind == .country && set.contains($0.code) }
      claimedName = first.origin.name
    }
    var out = "<section class=\"figure\">\n<h2>Packets over time</h2>\n<figure>\n"
    out += HTMLCharts.timeline(s, claimed: claimedTest, claimedName: claimedName) + "\n"
    var caption = "Packets per \(ReportText.duration(width)) bucket (UTC)"
    if let claimedName { caption += "; \(claimedName) in red" }
    caption += s.bursts.isEmpty ? "; no burst was found" : "; bursts shaded (at least 3 times the median bucket and at least 10 packets)"
    if s.window != nil { caption += "; the window in blue" }
    out += "<figcaption>\(escape(caption)).</figcaption>\n</figure>\n"
    out += "</section>\n"
    if !ReportText.timeRows(s).isEmpty {
      out += timeTable(s, heading: s.window == nil ? "Bursts" : s.bursts.isEmpty ? "Window" : "Bursts and window")
    }
    return out
  }

  static func timeTable(_ s: Summary, heading: String) -> String {
    let rows = ReportText.timeRows(s).map { w -> [Cell] in
      [
        .label(w.label), .time(ReportText.time(w.window.start)), .time(ReportText.time(w.window.end)),
        .number(SummaryTable.group(w.totals.packets)), .number(SummaryTable.group(w.totals.sources)), .text(ReportText.topOrigins(w)),
      ]
    }
    return "<section>\n<h2>\(escape(heading))</h2>\n"
      + table(["scope", "from (UTC)", "to (UTC)", "packets", "distinct sources", "largest origins by packets"], numeric: [3, 4], rows: rows)
      + "</section>\n"
  }

  // MARK: - Tables

  static func evidenceSection(_ doc: ReportDocument) -> String {
    let findings = doc.evidence
    let rows = findings.map { f -> [Cell] in
      [.label(f.id), .severity(f.severity), .number(DecimalFormat.fixed(f.value, f.id == "database-age" || f.id == "hop-counts" ? 0 : 3)), .text(f.text)]
    }
    return "<section class=\"evidence\">\n<h2>Evidence checks</h2>\n"
      + table(["check", "severity", "value", "finding"], numeric: [2], rows: rows) + "</section>\n"
  }

  static func originsSection(_ doc: ReportDocument, options: RenderOptions) -> String {
    let s = doc.summary
    let t = s.totals
    let ranked = s.ranked(by: options.dimension)
    let sources = max(1, t.sources)
    let rest = ranked.dropFirst(options.top).reduce(into: OriginCounters()) { $0.add($1.counters) }
    var rows: [[Cell]] = []
    let header: [String]
    let numeric: Set<Int>
    if let baseline = doc.baseline {
      let base = baseline.origins(by: options.dimension)
      let baseTotal = baseline.totals.ipPackets
      header = ["origin", "packets", "% packets", "distinct sources", "% sources", "baseline packets", "% baseline", "lift"]
      numeric = [1, 2, 3, 4, 5, 6, 7]
      func row(_ label: String, _ c: OriginCounters, _ b: UInt64) -> [Cell] {
        [
          .text(label), .number(SummaryTable.group(c.packets)), .number(SummaryTable.percent(c.packets, t.ipPackets)),
          .number(SummaryTable.group(c.sources)), .number(SummaryTable.percent(c.sources, sources)), .number(SummaryTable.group(b)),
          .number(SummaryTable.percent(b, baseTotal)), .number(SummaryTable.lift(c.packets, t.ipPackets, b, baseTotal)),
        ]
      }
      for e in ranked.prefix(options.top) { rows.append(row(ReportText.longLabel(e.key), e.counters, base[e.key]?.packets ?? 0)) }
      if ranked.count > options.top {
        rows.append(row("\(ranked.count - options.top) more", rest, ranked.dropFirst(options.top).reduce(UInt64(0)) { $0 + (base[$1.key]?.packets ?? 0) }))
      }
    } else {
      header = ["origin", "packets", "% packets", "wire bytes", "% bytes", "distinct sources", "% sources"]
      numeric = [1, 2, 3, 4, 5, 6]
      func row(_ label: String, _ c: OriginCounters) -> [Cell] {
        [
          .text(label), .number(SummaryTable.group(c.packets)), .number(SummaryTable.percent(c.packets, t.ipPackets)),
          .number(SummaryTable.bytes(c.wireBytes)), .number(SummaryTable.percent(c.wireBytes, t.wireBytes)),
          .number(SummaryTable.group(c.sources)), .number(SummaryTable.percent(c.sources, sources)),
        ]
      }
      for e in ranked.prefix(options.top) { rows.append(row(ReportText.longLabel(e.key), e.counters)) }
      if ranked.count > options.top { rows.append(row("\(ranked.count - options.top) more", rest)) }
    }
    var out = "<section class=\"origins\">\n<h2>Top origins</h2>\n" + table(header, numeric: numeric, rows: rows)
    if let baseline = doc.baseline {
      out += "<p>Baseline: \(baseline.inputs.map { "<code>\(escape($0.path))</code>" }.joined(separator: ", ")), "
      out += "\(escape(ReportText.count(baseline.totals.ipPackets, "IP packet"))). Lift is the packet share here over the share in the baseline.</p>\n"
    }
    return out + "</section>\n"
  }

  static func methodSection(_ doc: ReportDocument) -> String {
    let s = doc.summary
    var out = "<section class=\"method\">\n<h2>Method</h2>\n"
    let inputs = s.inputs.map { i -> [Cell] in
      [
        .code(i.path), .text(i.format + (i.compressed ? " (gzip)" : "")), .number(SummaryTable.group(i.records)),
        .text(i.error.map { (i.damaged ? "damaged: " : "unreadable: ") + $0 } ?? "read completely"),
      ]
    }
    out += table(["input", "format", "records", "status"], numeric: [2], rows: inputs)
    let t = s.totals
    out += "<dl>\n"
    var traffic = "\(ReportText.count(t.records, "record")), \(ReportText.count(t.ipPackets, "IP packet")) "
    traffic += "(\(SummaryTable.group(t.ipv4Packets)) IPv4, \(SummaryTable.group(t.ipv6Packets)) IPv6), "
    traffic += "\(SummaryTable.group(t.nonIPPackets)) records with no IP packet (counted by reason, never dropped)"
    if let first = t.firstSeen, let last = t.lastSeen { traffic += ", \(ReportText.span(first, last))" }
    out += "<dt>Traffic</dt><dd>\(escape(traffic)).</dd>\n"
    for db in s.databases {
      out += "<dt>\(db.role == "asn" ? "ASN" : "Country") database</dt><dd><code>\(escape(db.path))</code> "
      out += "(\(escape(db.type)), built \(db.buildDate.iso8601(fractionDigits: 0).prefix(10))).</dd>\n"
    }
    if let baseline = doc.baseline {
      out += "<dt>Baseline</dt><dd>\(baseline.inputs.map { "<code>\(escape($0.path))</code>" }.joined(separator: ", ")) "
      out += "(\(escape(ReportText.count(baseline.totals.ipPackets, "IP packet")))), counted the same way.</dd>\n"
    }
    if s.evidence.otherDestinationPackets > 0 {
      out += "<dt>Target</dt><dd>Only traffic toward the target networks is counted; \(escape(ReportText.count(s.evidence.otherDestinationPackets, "packet"))) toward others were left out.</dd>\n"
    }
    for d in ReportText.definitions { out += "<dt>\(escape(d.term))</dt><dd>\(escape(d.meaning))</dd>\n" }
    if !doc.claims.isEmpty {
      out += "<dt>Verdicts</dt><dd><em>holds</em> when the whole 95% interval is above the largest other origin (primary) or at or above the threshold; "
      out += "<em>does not hold</em> when it is wholly below; otherwise, with fewer than 30 distinct sources, or when the robust counts disagree, "
      out += "<em>inconclusive</em>. The rules are in OriginCheck's docs/claims.md.</dd>\n"
    }
    return out + "</dl>\n</section>\n"
  }

  /// A table cell: text, a right-aligned number, a label or time kept on one line, code, a
  /// verdict or a severity.
  enum Cell {
    case text(String)
    case number(String)
    case label(String)
    case time(String)
    case code(String)
    case verdict(VerdictValue)
    case severity(Finding.Severity)
  }

  static func table(_ header: [String], numeric: Set<Int>, rows: [[Cell]]) -> String {
    var out = "<div class=\"table-wrap\"><table>\n<thead><tr>"
    for (i, h) in header.enumerated() { out += numeric.contains(i) ? "<th class=\"n\">\(escape(h))</th>" : "<th>\(escape(h))</th>" }
    out += "</tr></thead>\n<tbody>\n"
    for row in rows {
      out += "<tr>"
      for cell in row {
        switch cell {
        case .text(let t): out += "<td>\(escape(t))</td>"
        case .number(let t): out += "<td class=\"n\">\(escape(t))</td>"
        case .label(let t), .time(let t): out += "<td class=\"nw\">\(escape(t))</td>"
        case .code(let t): out += "<td><code>\(escape(t))</code></td>"
        case .verdict(let v): out += "<td><span class=\"v v-\(verdictClass(v))\">\(escape(v.rawValue))</span></td>"
        case .severity(let s): out += "<td><span class=\"sev sev-\(s.rawValue)\">\(s.rawValue)</span></td>"
        }
      }
      out += "</tr>\n"
    }
    return out + "</tbody>\n</table></div>\n"
  }

  /// Text with `&`, `<`, `>`, `"` and `'` escaped for HTML content and attribute values.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for ch in text {
      switch ch {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(ch)
      }
    }
    return out
  }

  static let css = """
    :root{--fg:#1b1b1b;--muted:#595959;--line:#d4d4d4;--holds:#1a7f37;--not:#b42318;--inc:#8a5a00;--accent:#d7301f}
    *{box-sizing:border-box}
    html{-webkit-text-size-adjust:100%}
    body{margin:0;color:var(--fg);background:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
    main{max-width:980px;margin:0 auto;padding:20px 16px 40px}
    h1{font-size:1.7em;line-height:1.2;margin:.2em 0 .3em}
    h2{font-size:1.25em;margin:1.8em 0 .6em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
    h3{font-size:1.05em;margin:1.2em 0 .4em}
    code{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:.92em;overflow-wrap:anywhere}
    .subject{margin:0;color:var(--muted)}
    .verdict{border:2px solid var(--line);border-left-width:10px;border-radius:6px;padding:4px 18px 12px;margin:22px 0;break-inside:avoid}
    .verdict h2{border:0;margin:.2em 0;padding:0}
    .verdict.holds{border-color:var(--holds)}
    .verdict.does-not-hold{border-color:var(--not)}
    .verdict.inconclusive{border-color:var(--inc)}
    .badge{display:inline-block;margin:12px 0 0;padding:2px 10px;border-radius:4px;color:#fff;font-weight:700;text-transform:uppercase;letter-spacing:.04em;font-size:.9em}
    .holds .badge{background:var(--holds)}
    .does-not-hold .badge{background:var(--not)}
    .inconclusive .badge{background:var(--inc)}
    .question{font-size:1.05em;font-style:italic}
    .facts{padding-left:1.2em}
    .caveat{border-left:4px solid var(--line);padding-left:12px;color:var(--muted);margin:14px 0 4px}
    .sev,.v{font-weight:700;white-space:nowrap}
    .sev-undermines,.v-does-not-hold{color:var(--not)}
    .sev-weakens,.v-inconclusive{color:var(--inc)}
    .sev-info{color:var(--muted);font-weight:400}
    .v-holds{color:var(--holds)}
    .findings li{margin:.3em 0}
    figure{margin:0;break-inside:avoid}
    figcaption{font-size:.88em;color:var(--muted)}
    figcaption p{margin:.3em 0}
    svg{display:block;width:100%;height:auto}
    .map .sea{fill:#f7fbff}
    .map .countries path{stroke:#fff;stroke-width:.9;stroke-linejoin:round}
    .map .claimed path{fill:none;stroke:var(--accent);stroke-width:3.5;stroke-linejoin:round}
    .legend{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:4px 14px}
    .swatch{display:inline-block;width:14px;height:14px;margin-right:5px;vertical-align:-2px;border:1px solid #b0b0b0}
    .claimed-swatch{border:3px solid var(--accent);background:#fff}
    .bars text{font-size:13px;fill:var(--fg)}
    .bars .origin rect{fill:#4292c6}
    .bars .claimed rect{fill:var(--accent)}
    .bars .other rect{fill:#a3a3a3}
    .timeline text{font-size:11px;fill:var(--muted)}
    .timeline .packets rect{fill:#6baed6}
    .timeline .claimed-packets rect{fill:var(--accent)}
    .timeline .burst rect{fill:#fde2c8}
    .timeline .burst text{fill:#9c4a00;font-weight:700}
    .timeline .window{fill:#e3e3f7}
    .timeline .axis line{stroke:#8c8c8c;stroke-width:1}
    .table-wrap{overflow-x:auto;margin:10px 0}
    table{border-collapse:collapse;width:100%;font-size:.9em}
    th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
    th{border-bottom:2px solid #9e9e9e}
    .n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
    .nw{white-space:nowrap}
    dl{display:grid;grid-template-columns:minmax(8em,max-content) 1fr;gap:4px 16px}
    dt{font-weight:700}
    dd{margin:0}
    footer{margin-top:32px;font-size:.85em;color:var(--muted)}
    @media (max-width:640px){
    body{font-size:15px}
    main{padding:12px 10px 30px}
    h1{font-size:1.35em}
    .verdict{padding:2px 12px 10px;border-left-width:7px}
    dl{grid-template-columns:1fr}
    dd{margin-bottom:6px}
    }
    @media print{
    body{font-size:10.5pt}
    main{max-width:none;padding:0}
    *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    h2,h3{break-after:avoid}
    .table-wrap{overflow:visible}
    section.verdict,figure,tr{break-inside:avoid}
    }

    """
}
