import Analysis
import NetCore

/// Where a live run stands when a view or record is made.
public struct LiveStatus: Sendable {
  /// What is read: the interface (with its filter), the collector's address.
  public var source: String
  /// The interval's number, from 1; at the end, the number of intervals begun.
  public var interval: Int
  /// When the snapshot was taken.
  public var time: Timestamp
  /// Seconds since the capture started.
  public var elapsedSeconds: Double
  /// Seconds the interval lasted (since the previous snapshot).
  public var intervalSeconds: Double
  /// Records captured in the interval.
  public var intervalRecords: UInt64
  /// Why the run ended (`SIGINT`, `SIGTERM`, `duration`, `count`, `error`); nil while it runs.
  public var end: String?

  public init(
    source: String, interval: Int, time: Timestamp, elapsedSeconds: Double, intervalSeconds: Double,
    intervalRecords: UInt64, end: String? = nil
  ) {
    self.source = source
    self.interval = interval
    self.time = time
    self.elapsedSeconds = elapsedSeconds
    self.intervalSeconds = intervalSeconds
    self.intervalRecords = intervalRecords
    self.end = end
  }

  /// Records per second over the interval.
  public var rate: Double { intervalSeconds > 0 ? Double(intervalRecords) / intervalSeconds : 0 }
}

/// The compact view a live run refreshes on standard error at each interval: totals and rate, the
/// capture's drops, the top origins with their current rate, and each claim's verdict so far.
/// Not tied to packet capture: any source of counted traffic with intervals can show it.
public enum LiveView {
  public static func render(
    _ document: ReportDocument, previous: Summary?, status: LiveStatus, by dimension: Summary.Dimension = .country, rows: Int
  ) -> String {
    let s = document.summary
    let t = s.totals
    var out = ""
    out += "\(status.source): interval \(status.interval), \(clock(status.elapsedSeconds)) elapsed\n"
    out += "packets \(group(t.records)) (\(group(UInt64(status.rate.rounded())))/s), IP \(group(t.ipPackets)), "
    out += "bytes \(SummaryTable.bytes(t.wireBytes)), sources \(group(t.sources))\n"
    if let c = s.capture {
      out += "capture: \(group(c.received)) received, \(group(c.dropped)) dropped by the kernel, "
      out += "\(group(c.interfaceDropped)) by the interface"
      out += c.lost > 0 ? " (\(DecimalFormat.percent(c.lostShare)) lost)\n" : "\n"
    }
    let ranked = s.ranked(by: dimension)
    if !ranked.isEmpty {
      let before = previous?.origins(by: dimension) ?? [:]
      let seconds = status.intervalSeconds
      var table = [[dimension == .asn ? "ASN" : "ORIGIN", "PACKETS", "%PKT", "PKT/S", "SOURCES"]]
      for entry in ranked.prefix(rows) {
        let c = entry.counters
        let delta = c.packets - min(c.packets, before[entry.key]?.packets ?? 0)
        let perSecond = seconds > 0 ? UInt64((Double(delta) / seconds).rounded()) : 0
        table.append([
          SummaryTable.label(entry.key), group(c.packets), DecimalFormat.percent(c.packets, of: t.ipPackets),
          group(perSecond), group(c.sources),
        ])
      }
      if ranked.count > rows {
        let rest = ranked.dropFirst(rows).reduce(into: OriginCounters()) { $0.add($1.counters) }
        table.append(["(\(ranked.count - rows) more)", group(rest.packets), DecimalFormat.percent(rest.packets, of: t.ipPackets), "", group(rest.sources)])
      }
      out += TextTable.render(table, rightAligned: [1, 2, 3, 4])
    }
    for r in document.claims {
      let share = r.overall.share(r.claim.metric)
      var line = "claim \(r.claim.text): \(r.verdict.rawValue.uppercased())"
      if let share { line += ", \(DecimalFormat.percent(share.share)) by \(r.claim.metric.rawValue)" }
      if let rank = r.overall.rank { line += ", rank \(rank)" }
      out += line + "\n"
    }
    return out
  }

  /// `01:02:03`.
  static func clock(_ seconds: Double) -> String {
    let total = Int(seconds.rounded(.down))
    let h = total / 3600
    let m = total % 3600 / 60
    let s = total % 60
    return "\(pad(h)):\(pad(m)):\(pad(s))"
  }

  private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
  private static func group(_ n: UInt64) -> String { SummaryTable.group(n) }
}

/// One line of a live run's JSON Lines output (docs/live.md): the interval's status around the
/// summary so far, in the summary's own JSON form.
public enum LiveRecordJSON {
  public static func encode(_ document: ReportDocument, status: LiveStatus) -> JSONValue {
    .object([
      ("record", .string(status.end == nil ? "interval" : "final")),
      ("interval", .int(Int64(status.interval))),
      ("time", .string(status.time.iso8601(fractionDigits: 3))),
      ("elapsedSeconds", .double(rounded(status.elapsedSeconds))),
      ("intervalSeconds", .double(rounded(status.intervalSeconds))),
      ("intervalRecords", .uint(status.intervalRecords)),
      ("recordsPerSecond", .double(rounded(status.rate))),
      ("end", .optional(status.end)),
      ("summary", SummaryJSON.encode(document)),
    ])
  }

  private static func rounded(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
}
