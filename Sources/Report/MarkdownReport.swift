import Analysis
import NetCore

/// A self-contained Markdown section (GitHub-flavoured tables) to paste into an incident report,
/// a fact-check or a ticket: the question, the verdicts with their evidence and caveats, the top
/// origins, the time series, the method and the limits of source-address geography.
enum MarkdownReport {
  static func render(_ doc: ReportDocument, options: RenderOptions) -> String {
    let s = doc.summary
    var out = "## Where the traffic came from: \(code(ReportText.subject(s)))\n\n"
    out += ReportText.overview(s) + "\n\n"
    if !doc.claims.isEmpty {
      out += "### The question\n\n"
      for r in doc.claims { out += "- \(code(r.claim.text)): \(escape(ReportText.question(r)))\n" }
      out += "\n### Verdicts\n\n"
      for r in doc.claims { out += verdict(r) }
    }
    out += origins(doc, options)
    out += timeSeries(s)
    if doc.claims.isEmpty { out += evidence(doc) }
    out += method(doc)
    out += "### Limits of source-address geography\n\n"
    for line in ReportText.limits { out += "- \(escape(line))\n" }
    return out
  }

  // MARK: - Verdicts

  static func verdict(_ r: ClaimResult) -> String {
    let metric = r.claim.metric
    var out = "#### \(escape(r.claim.text)): \(r.verdict.rawValue)\n\n"
    out += "**\(ReportText.verdictHeadline(r.verdict)).** \(escape(r.explanation))\n\n"
    var rows = [["metric", escape(r.origin.name), "all traffic", "share", "95% interval"]]
    for e in r.overall.shares {
      rows.append([
        ReportText.metricName(e.metric) + (e.metric == metric ? " (claimed)" : ""), SummaryTable.group(e.count),
        SummaryTable.group(e.total), pct(e.share), "\(pct(e.interval.lowerBound))–\(pct(e.interval.upperBound))",
      ])
    }
    out += table(rows, right: [1, 2, 3, 4]) + "\n"
    if let rank = ReportText.rankLine(r) { out += "- **Rank:** \(escape(rank)).\n" }
    if let base = ReportText.baselineLine(r) { out += "- **Baseline:** \(escape(base)).\n" }
    out += "- **Without one-packet sources and reflection traffic:** \(escape(ReportText.robustLine(r))).\n\n"
    if !r.windows.isEmpty {
      var w = [["scope", "from (UTC)", "to (UTC)", "verdict", "share by \(ReportText.metricName(metric))", "rank"]]
      for scope in r.windows {
        w.append([
          scope.label, scope.window.map { ReportText.time($0.start) } ?? "", scope.window.map { ReportText.time($0.end) } ?? "",
          scope.verdict.rawValue, pct(scope.share(metric)?.share ?? 0), scope.rank.map(String.init) ?? "-",
        ])
      }
      out += table(w, right: [4, 5]) + "\n"
    }
    let serious = r.findings.filter { $0.severity != .info }
    if !serious.isEmpty {
      out += "What weakens this evidence:\n\n"
      for f in serious { out += "- **\(f.severity == .undermines ? "Undermines" : "Weakens"):** \(escape(f.text))\n" }
      out += "\n"
    }
    let context = r.findings.filter { $0.severity == .info }
    if !context.isEmpty {
      out += "Other checks:\n\n"
      for f in context { out += "- \(escape(f.text))\n" }
      out += "\n"
    }
    out += "> \(escape(ClaimResult.caveat))\n\n"
    return out
  }

  /// The claim-independent evidence checks, for a report without claims (with claims, each
  /// verdict lists them).
  static func evidence(_ doc: ReportDocument) -> String {
    let findings = doc.evidence
    guard !findings.isEmpty else { return "" }
    var out = "### Evidence checks\n\nWhat would weaken any claim about where this traffic came from:\n\n"
    let ordered = findings.enumerated().sorted { $0.element.severity != $1.element.severity ? $0.element.severity > $1.element.severity : $0.offset < $1.offset }
    for f in ordered.map(\.element) {
      out += f.severity == .info ? "- \(escape(f.text))\n" : "- **\(f.severity == .undermines ? "Undermines" : "Weakens"):** \(escape(f.text))\n"
    }
    return out + "\n"
  }

  // MARK: - Origins

  static func origins(_ doc: ReportDocument, _ options: RenderOptions) -> String {
    let s = doc.summary
    let t = s.totals
    let ranked = s.ranked(by: options.dimension)
    let heading: String
    switch options.dimension {
    case .country: heading = "country"
    case .continent: heading = "continent"
    case .asn: heading = "autonomous system"
    }
    var out = "### Top origins by \(heading)\n\n"
    let sources = max(1, t.sources)
    var rows: [[String]]
    var right: Set<Int>
    let shown = Array(ranked.prefix(options.top))
    let rest = ranked.dropFirst(options.top).reduce(into: OriginCounters()) { $0.add($1.counters) }
    if let baseline = doc.baseline {
      let base = baseline.origins(by: options.dimension)
      let baseTotal = baseline.totals.ipPackets
      rows = [["origin", "packets", "% packets", "distinct sources", "% sources", "baseline packets", "% baseline", "lift"]]
      func row(_ label: String, _ c: OriginCounters, _ b: UInt64) -> [String] {
        [
          label, SummaryTable.group(c.packets), SummaryTable.percent(c.packets, t.ipPackets), SummaryTable.group(c.sources),
          SummaryTable.percent(c.sources, sources), SummaryTable.group(b), SummaryTable.percent(b, baseTotal),
          SummaryTable.lift(c.packets, t.ipPackets, b, baseTotal),
        ]
      }
      for e in shown { rows.append(row(escape(ReportText.longLabel(e.key)), e.counters, base[e.key]?.packets ?? 0)) }
      if ranked.count > options.top {
        let b = ranked.dropFirst(options.top).reduce(UInt64(0)) { $0 + (base[$1.key]?.packets ?? 0) }
        rows.append(row("\(ranked.count - options.top) more", rest, b))
      }
      right = [1, 2, 3, 4, 5, 6, 7]
    } else {
      rows = [["origin", "packets", "% packets", "wire bytes", "% bytes", "distinct sources", "% sources"]]
      func row(_ label: String, _ c: OriginCounters) -> [String] {
        [
          label, SummaryTable.group(c.packets), SummaryTable.percent(c.packets, t.ipPackets), SummaryTable.bytes(c.wireBytes),
          SummaryTable.percent(c.wireBytes, t.wireBytes), SummaryTable.group(c.sources), SummaryTable.percent(c.sources, sources),
        ]
      }
      for e in shown { rows.append(row(escape(ReportText.longLabel(e.key)), e.counters)) }
      if ranked.count > options.top { rows.append(row("\(ranked.count - options.top) more", rest)) }
      right = [1, 2, 3, 4, 5, 6]
    }
    out += table(rows, right: right)
    if let baseline = doc.baseline {
      out += "\nBaseline: \(baseline.inputs.map { code($0.path) }.joined(separator: ", ")), "
      out += "\(ReportText.count(baseline.totals.ipPackets, "IP packet")). Lift is the packet share here over the share in the baseline.\n"
    }
    return out + "\n"
  }

  // MARK: - Time

  static func timeSeries(_ s: Summary) -> String {
    let rows = ReportText.timeRows(s)
    guard s.bucketWidth != nil || s.window != nil else { return "" }
    var out = "### Over time\n\n"
    if let width = s.bucketWidth {
      let busiest = s.buckets.max { $0.totals.packets < $1.totals.packets }
      out += "Traffic was counted in \(s.buckets.count) buckets of \(ReportText.duration(width))"
      if let busiest, busiest.totals.packets > 0 {
        out += "; the busiest, from \(ReportText.time(busiest.window.start)) UTC, had \(ReportText.count(busiest.totals.packets, "packet"))"
      }
      out += ". A burst is a run of buckets with at least 3 times the median bucket's packets (and at least 10): "
      out += s.bursts.isEmpty ? "none was found.\n\n" : "\(s.bursts.count) found.\n\n"
    }
    guard !rows.isEmpty else { return out }
    var t = [["scope", "from (UTC)", "to (UTC)", "packets", "distinct sources", "largest origins by packets"]]
    for w in rows {
      t.append([
        w.label, ReportText.time(w.window.start), ReportText.time(w.window.end), SummaryTable.group(w.totals.packets),
        SummaryTable.group(w.totals.sources), escape(ReportText.topOrigins(w)),
      ])
    }
    return out + table(t, right: [3, 4]) + "\n"
  }

  // MARK: - Method

  static func method(_ doc: ReportDocument) -> String {
    let s = doc.summary
    var out = "### Method\n\n"
    var inputs = [["input", "format", "records", "status"]]
    for i in s.inputs {
      let status = i.error.map { (i.damaged ? "damaged: " : "unreadable: ") + $0 } ?? "read completely"
      inputs.append([code(i.path), i.format + (i.compressed ? " (gzip)" : ""), SummaryTable.group(i.records), escape(status)])
    }
    out += table(inputs, right: [2]) + "\n"
    let t = s.totals
    out += "- **Traffic:** \(ReportText.count(t.records, "record")), \(ReportText.count(t.ipPackets, "IP packet")) "
    out += "(\(SummaryTable.group(t.ipv4Packets)) IPv4, \(SummaryTable.group(t.ipv6Packets)) IPv6), "
    out += "\(SummaryTable.group(t.nonIPPackets)) records with no IP packet (counted by reason, never dropped)"
    if let first = t.firstSeen, let last = t.lastSeen { out += ", \(ReportText.span(first, last))" }
    out += ".\n"
    for db in s.databases {
      out += "- **\(db.role == "asn" ? "ASN" : "Country") database:** \(code(db.path)) (\(escape(db.type)), built "
      out += "\(db.buildDate.iso8601(fractionDigits: 0).prefix(10))).\n"
    }
    if let baseline = doc.baseline {
      out += "- **Baseline:** \(baseline.inputs.map { code($0.path) }.joined(separator: ", ")) "
      out += "(\(ReportText.count(baseline.totals.ipPackets, "IP packet"))), counted the same way.\n"
    }
    if s.evidence.otherDestinationPackets > 0 {
      out += "- **Target:** only traffic toward the target networks is counted; \(ReportText.count(s.evidence.otherDestinationPackets, "packet")) toward others were left out.\n"
    }
    for d in ReportText.definitions { out += "- **\(d.term):** \(escape(d.meaning))\n" }
    if !doc.claims.isEmpty {
      out += "- **Verdicts:** *holds* when the whole 95% interval is above the largest other origin (primary) or at or above the threshold; "
      out += "*does not hold* when it is wholly below; otherwise, with fewer than 30 distinct sources, or when the robust counts disagree, *inconclusive*. "
      out += "The rules are in OriginCheck's docs/claims.md.\n"
    }
    return out + "\n"
  }

  // MARK: - Markdown text

  /// A GitHub-flavoured table; columns in `right` are right-aligned.
  static func table(_ rows: [[String]], right: Set<Int>) -> String {
    guard let header = rows.first else { return "" }
    var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
    out += "|" + header.indices.map { right.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|\n"
    for row in rows.dropFirst() { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
    return out
  }

  static func cell(_ text: String) -> String {
    text.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
  }

  /// Text with Markdown's inline markup characters escaped.
  static func escape(_ text: String) -> String {
    var out = ""
    for ch in text {
      if "\\`*_[]<>#".contains(ch) { out.append("\\") }
      out.append(ch)
    }
    return out
  }

  /// A code span that holds any text (a fence longer than any run of backticks inside it).
  static func code(_ text: String) -> String {
    var longest = 0
    var run = 0
    for ch in text {
      run = ch == "`" ? run + 1 : 0
      longest = max(longest, run)
    }
    let fence = String(repeating: "`", count: longest + 1)
    let pad = text.hasPrefix("`") || text.hasSuffix("`") ? " " : ""
    return fence + pad + text + pad + fence
  }

  static func pct(_ s: Double) -> String { DecimalFormat.percent(s) }
}

extension String {
  /// Every occurrence of `target` replaced.
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var out = ""
    var rest = Substring(self)
    while let r = rest.range(of: target) {
      out += rest[..<r.lowerBound]
      out += replacement
      rest = rest[r.upperBound...]
    }
    return out + rest
  }
}

extension Substring {
  /// The range of the first occurrence of `target`.
  fileprivate func range(of target: String) -> Range<Index>? {
    let t = Array(target)
    guard let first = t.first else { return nil }
    var i = startIndex
    while i < endIndex {
      if self[i] == first {
        var j = i
        var k = 0
        while k < t.count, j < endIndex, self[j] == t[k] {
          j = index(after: j)
          k += 1
        }
        if k == t.count { return i..<j }
      }
      i = index(after: i)
    }
    return nil
  }
}
