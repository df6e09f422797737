import Analysis
import NetCore

/// The compact view a long-running source (the collector) refreshes on standard error every
/// interval: a status line, the top origins so far, and each claim's verdict so far.
public enum PeriodicView {
  /// `status` is the first line (source, elapsed time, rates, losses). A flows column appears
  /// when the summary counts flow records.
  public static func render(
    _ s: Summary, status: String, claims: [ClaimResult], by dimension: Summary.Dimension, top: Int
  ) -> String {
    var out = status + "\n"
    let ranked = s.ranked(by: dimension)
    let flows = s.totals.flows > 0
    var rows: [[String]] = [[dimension == .asn ? "ASN" : "ORIGIN"] + (flows ? ["FLOWS"] : []) + ["PACKETS", "%PKT", "BYTES", "SOURCES"]]
    for entry in ranked.prefix(top) {
      let c = entry.counters
      rows.append(
        [SummaryTable.label(entry.key)] + (flows ? [SummaryTable.group(c.flows)] : [])
          + [
            SummaryTable.group(c.packets), SummaryTable.percent(c.packets, s.totals.ipPackets),
            SummaryTable.bytes(c.wireBytes), SummaryTable.group(c.sources),
          ])
    }
    if ranked.count > top {
      let rest = ranked.dropFirst(top).reduce(into: OriginCounters()) { $0.add($1.counters) }
      rows.append(
        ["(\(ranked.count - top) more)"] + (flows ? [SummaryTable.group(rest.flows)] : [])
          + [
            SummaryTable.group(rest.packets), SummaryTable.percent(rest.packets, s.totals.ipPackets),
            SummaryTable.bytes(rest.wireBytes), SummaryTable.group(rest.sources),
          ])
    }
    if ranked.isEmpty {
      out += "  nothing counted yet\n"
    } else {
      out += TextTable.render(rows, rightAligned: Set(1..<rows[0].count)).split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
    }
    for r in claims {
      let share = r.overall.share(r.claim.metric).map { DecimalFormat.percent($0.share) } ?? "-"
      let rank = r.overall.rank.map { ", rank \($0)" } ?? ""
      out += "  claim \(r.claim.text): \(r.verdict.rawValue) so far (\(share) by \(r.claim.metric.rawValue)\(rank))\n"
    }
    return out
  }
}
