import Analysis
import Geo
import NetCore

/// The inline SVG figures of the HTML report: the choropleth world map, the bar chart of top
/// origins and the timeline of packets per bucket. Every number is written with `DecimalFormat`,
/// so the markup does not depend on the locale.
enum HTMLCharts {
  // MARK: - Map

  /// Share classes of the map: lower bounds of each colour's class.
  static let classes: [(lower: Double, colour: String)] = [
    (0, "#eff3ff"), (0.001, "#c6dbef"), (0.005, "#9ecae1"), (0.01, "#6baed6"), (0.05, "#4292c6"), (0.10, "#2171b5"),
    (0.25, "#084594"),
  ]
  /// Countries with no traffic.
  static let emptyColour = "#e4e4e4"

  static func colour(_ share: Double) -> String {
    guard share > 0 else { return emptyColour }
    return classes.last { share >= $0.lower }?.colour ?? classes[0].colour
  }

  /// Each country's count and share under a metric, with the total they are shares of.
  static func countryValues(_ s: Summary, _ metric: Claim.Metric) -> (values: [String: UInt64], total: UInt64) {
    var values: [String: UInt64] = [:]
    for (key, c) in s.countries where key.kind == .country { values[key.code, default: 0] += c.value(metric) }
    return (values, total(s, metric))
  }

  /// The total of a metric over everything counted.
  static func total(_ s: Summary, _ metric: Claim.Metric) -> UInt64 {
    switch metric {
    case .sources: return s.totals.sources
    case .packets: return s.totals.ipPackets
    case .bytes: return s.totals.wireBytes
    case .flows: return s.totals.flows
    }
  }

  /// The choropleth: one path per country, filled by its share, the claimed countries outlined.
  static func map(_ s: Summary, metric: Claim.Metric, claimed: Set<String>) -> String {
    let (values, total) = countryValues(s, metric)
    let name = ReportText.metricName(metric)
    var out =
      "<svg class=\"map\" viewBox=\"0 0 \(WorldMap.width) \(WorldMap.height)\" role=\"img\" aria-labelledby=\"map-title\">"
      + "<title id=\"map-title\">World map: share of \(name) by country of the source address</title>"
      + "<rect class=\"sea\" width=\"\(WorldMap.width)\" height=\"\(WorldMap.height)\"/>"
    out += "<g class=\"countries\">"
    for (code, path) in WorldMap.countries {
      let v = values[code] ?? 0
      let share = total == 0 ? 0 : Double(v) / Double(total)
      let label = "\(code) \(Countries.displayName(code)): \(SummaryTable.group(v)) \(name) (\(DecimalFormat.percent(share)))"
      out += "<path id=\"map-\(code)\" data-code=\"\(code)\" data-value=\"\(v)\" fill=\"\(colour(share))\" d=\"\(path)\">"
      out += "<title>\(HTMLReport.escape(label))</title></path>"
    }
    out += "</g>"
    let outlined = WorldMap.countries.filter { claimed.contains($0.code) }
    if !outlined.isEmpty {
      out += "<g class=\"claimed\">"
      for (code, path) in outlined { out += "<path data-code=\"\(code)\" d=\"\(path)\"/>" }
      out += "</g>"
    }
    return out + "</svg>"
  }

  /// The map's legend as HTML: one swatch per share class.
  static func legend(claimed: Bool) -> String {
    var out = "<ul class=\"legend\">"
    out += "<li><span class=\"swatch\" style=\"background:\(emptyColour)\"></span>none</li>"
    for (i, c) in classes.enumerated() {
      let text: String
      if i == 0 {
        text = "&lt;\(DecimalFormat.threshold(classes[1].lower))"
      } else if i == classes.count - 1 {
        text = "≥\(DecimalFormat.threshold(c.lower))"
      } else {
        text = "\(DecimalFormat.threshold(c.lower))–\(DecimalFormat.threshold(classes[i + 1].lower))"
      }
      out += "<li><span class=\"swatch\" style=\"background:\(c.colour)\"></span>\(text)</li>"
    }
    if claimed { out += "<li><span class=\"swatch claimed-swatch\"></span>claimed area</li>" }
    return out + "</ul>"
  }

  /// Countries with traffic that the map cannot show (too small at this scale), largest first.
  static func notDrawn(_ s: Summary, metric: Claim.Metric) -> [(code: String, value: UInt64)] {
    let (values, _) = countryValues(s, metric)
    return values.filter { $0.value > 0 && !WorldMap.codes.contains($0.key) }.map { (code: $0.key, value: $0.value) }
      .sorted { $0.value != $1.value ? $0.value > $1.value : $0.code < $1.code }
  }

  // MARK: - Bars

  /// Horizontal bars of the largest origins under a metric, claimed origins highlighted.
  static func bars(_ entries: [(key: OriginKey, value: UInt64)], total: UInt64, metric: Claim.Metric, isClaimed: (OriginKey) -> Bool) -> String {
    let rowHeight = 26
    let labelWidth = 230
    let width = 760
    let barSpace = width - labelWidth - 80
    let height = rowHeight * entries.count + 8
    let maxValue = max(1, entries.map(\.value).max() ?? 1)
    var out =
      "<svg class=\"bars\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-labelledby=\"bars-title\">"
      + "<title id=\"bars-title\">Largest origins by \(ReportText.metricName(metric))</title>"
    for (i, e) in entries.enumerated() {
      let y = 4 + i * rowHeight
      let w = Double(barSpace) * Double(e.value) / Double(maxValue)
      let share = total == 0 ? 0 : Double(e.value) / Double(total)
      let kind = isClaimed(e.key) ? "claimed" : e.key.kind == .special || e.key.kind == .unknown ? "other" : "origin"
      let label = HTMLReport.escape(ReportText.truncated(ReportText.longLabel(e.key), 30))
      out += "<g class=\"bar \(kind)\" data-code=\"\(HTMLReport.escape(e.key.code))\">"
      out += "<text class=\"label\" x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\">\(label)</text>"
      out += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(DecimalFormat.fixed(max(w, 1), 1))\" height=\"\(rowHeight - 8)\">"
      out += "<title>\(label): \(SummaryTable.group(e.value)) \(ReportText.metricName(metric)) (\(DecimalFormat.percent(share)))</title></rect>"
      out += "<text class=\"value\" x=\"\(DecimalFormat.fixed(Double(labelWidth) + max(w, 1) + 6, 1))\" y=\"\(y + 17)\">\(DecimalFormat.percent(share))</text>"
      out += "</g>"
    }
    return out + "</svg>"
  }

  // MARK: - Timeline

  /// Packets per bucket as bars, the claimed origin's packets over them, bursts and the window
  /// shaded behind.
  static func timeline(_ s: Summary, claimed: ((OriginKey) -> Bool)?, claimedName: String?) -> String {
    let buckets = s.buckets
    guard let first = buckets.first, let last = buckets.last else { return "" }
    let width = 760.0
    let height = 240.0
    let left = 56.0
    let right = 12.0
    let top = 22.0
    let bottom = 36.0
    let plotWidth = width - left - right
    let plotHeight = height - top - bottom
    let t0 = Double(first.window.start.nanoseconds)
    let span = max(1, Double(last.window.end.nanoseconds) - t0)
    func x(_ t: Timestamp) -> Double { left + plotWidth * (Double(t.nanoseconds) - t0) / span }
    let maxPackets = max(1, buckets.map(\.totals.packets).max() ?? 1)
    func y(_ v: UInt64) -> Double { top + plotHeight * (1 - Double(v) / Double(maxPackets)) }
    func f(_ v: Double) -> String { DecimalFormat.fixed(v, 1) }

    var out =
      "<svg class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"timeline-title\">"
      + "<title id=\"timeline-title\">Packets per bucket of \(ReportText.duration(s.bucketWidth ?? 0)), bursts shaded</title>"
    if let w = s.window {
      let a = max(left, x(w.window.start))
      let b = min(left + plotWidth, x(w.window.end))
      if b > a {
        out += "<rect class=\"window\" x=\"\(f(a))\" y=\"\(f(top))\" width=\"\(f(b - a))\" height=\"\(f(plotHeight))\"><title>window \(HTMLReport.escape(ReportText.time(w.window.start)))–\(HTMLReport.escape(ReportText.time(w.window.end))) UTC</title></rect>"
      }
    }
    for burst in s.bursts {
      let a = x(burst.window.start)
      let b = x(burst.window.end)
      out += "<g class=\"burst\" data-label=\"\(HTMLReport.escape(burst.label))\">"
      out += "<rect x=\"\(f(a))\" y=\"\(f(top))\" width=\"\(f(max(1, b - a)))\" height=\"\(f(plotHeight))\"><title>\(HTMLReport.escape(burst.label)): \(HTMLReport.escape(ReportText.time(burst.window.start)))–\(HTMLReport.escape(ReportText.time(burst.window.end))) UTC, \(SummaryTable.group(burst.totals.packets)) packets</title></rect>"
      out += "<text x=\"\(f((a + b) / 2))\" y=\"\(f(top - 6))\" text-anchor=\"middle\">\(HTMLReport.escape(burst.label.replacingAll("burst-", with: "B")))</text>"
      out += "</g>"
    }
    let barWidth = plotWidth / Double(buckets.count)
    let gap = barWidth > 4 ? 1.0 : 0
    out += "<g class=\"packets\">"
    for b in buckets where b.totals.packets > 0 {
      let yy = y(b.totals.packets)
      out += "<rect x=\"\(f(x(b.window.start)))\" y=\"\(f(yy))\" width=\"\(f(max(0.5, barWidth - gap)))\" height=\"\(f(top + plotHeight - yy))\">"
      out += "<title>\(HTMLReport.escape(ReportText.time(b.window.start))) UTC: \(SummaryTable.group(b.totals.packets)) packets</title></rect>"
    }
    out += "</g>"
    if let claimed, let claimedName {
      out += "<g class=\"claimed-packets\">"
      for b in buckets {
        let v = b.countries.filter { claimed($0.key) }.reduce(UInt64(0)) { $0 + $1.value.packets }
        guard v > 0 else { continue }
        let yy = y(v)
        out += "<rect x=\"\(f(x(b.window.start)))\" y=\"\(f(yy))\" width=\"\(f(max(0.5, barWidth - gap)))\" height=\"\(f(top + plotHeight - yy))\">"
        out += "<title>\(HTMLReport.escape(claimedName)), \(HTMLReport.escape(ReportText.time(b.window.start))) UTC: \(SummaryTable.group(v)) packets</title></rect>"
      }
      out += "</g>"
    }
    // Axes: the packet scale and up to seven time ticks on bucket boundaries.
    out += "<g class=\"axis\">"
    out += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\"/>"
    out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotHeight))\"/>"
    out += "<text x=\"\(f(left - 6))\" y=\"\(f(top + 4))\" text-anchor=\"end\">\(SummaryTable.group(maxPackets))</text>"
    out += "<text x=\"\(f(left - 6))\" y=\"\(f(top + plotHeight))\" text-anchor=\"end\">0</text>"
    // Tick labels are times of day; the dates go under the axis (both when the series spans days).
    let firstDay = ReportText.time(first.window.start).prefix(10)
    let lastDay = ReportText.time(Timestamp(nanoseconds: last.window.end.nanoseconds - 1)).prefix(10)
    let spansDays = firstDay != lastDay
    let step = max(1, Int((Double(buckets.count) / 6).rounded(.up)))
    let ticks = Array(stride(from: 0, through: buckets.count, by: step))
    for (k, i) in ticks.enumerated() {
      let t = i < buckets.count ? buckets[i].window.start : last.window.end
      let text = ReportText.time(t)
      let label = spansDays ? String(text.dropFirst(5)) : String(text.dropFirst(11))
      let anchor = k == 0 && ticks.count > 1 ? "start" : i == buckets.count ? "end" : "middle"
      out += "<line x1=\"\(f(x(t)))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(x(t)))\" y2=\"\(f(top + plotHeight + 4))\"/>"
      out += "<text x=\"\(f(x(t)))\" y=\"\(f(top + plotHeight + 18))\" text-anchor=\"\(anchor)\">\(HTMLReport.escape(label))</text>"
    }
    let days = spansDays ? "\(firstDay) to \(lastDay)" : String(firstDay)
    out += "<text x=\"\(f(left + plotWidth))\" y=\"\(f(height - 2))\" text-anchor=\"end\">\(days) (UTC)</text>"
    return out + "</g></svg>"
  }
}

extension Countries {
  /// A country's name from the ISO table, or the code itself.
  static func displayName(_ code: String) -> String { Countries.named(code)?.name ?? code }
}

extension ReportText {
  /// Text cut to `limit` characters, ending in an ellipsis when cut.
  static func truncated(_ text: String, _ limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
  }
}
