import Analysis
import NetCore

/// The plain-language pieces the Markdown and HTML reports share: the question a claim asks,
/// metric names and definitions, the time series rows, the method and the limits.
enum ReportText {
  /// What the report is about: the input (or the number of inputs).
  static func subject(_ s: Summary) -> String {
    s.inputs.count == 1 ? s.inputs[0].path : "\(s.inputs.count) inputs"
  }

  /// `22,752 IP packets from 5,478 distinct source addresses, 2025-03-10 09:01:30 to 19:00:14 UTC.`
  static func overview(_ s: Summary) -> String {
    let t = s.totals
    var text = "\(count(t.ipPackets, "IP packet")) (\(SummaryTable.bytes(t.wireBytes)) on the wire) from \(count(t.sources, "distinct source address", plural: "distinct source addresses"))"
    if let first = t.firstSeen, let last = t.lastSeen { text += ", \(span(first, last))" }
    return text + "."
  }

  static func count(_ n: UInt64, _ noun: String, plural: String? = nil) -> String {
    "\(SummaryTable.group(n)) \(n == 1 ? noun : plural ?? noun + "s")"
  }

  /// A metric as a reader says it.
  static func metricName(_ m: Claim.Metric) -> String {
    switch m {
    case .sources: return "distinct sources"
    case .packets: return "packets"
    case .bytes: return "wire bytes"
    case .flows: return "flows"
    }
  }

  /// The claim as a question: `Does Ukraine area (Ukraine) account for the largest share of this
  /// traffic, counted by distinct sources?`
  static func question(_ r: ClaimResult) -> String {
    let what: String
    switch r.claim.assertion {
    case .primary: what = "the largest share of this traffic, more than any other origin"
    case .atLeast(let share): what = "at least \(DecimalFormat.threshold(share)) of this traffic"
    }
    return "Does \(r.origin.title) account for \(what), counted by \(metricName(r.claim.metric))?"
  }

  /// `holds`, `does not hold`, `inconclusive` as a headline.
  static func verdictHeadline(_ v: VerdictValue) -> String {
    switch v {
    case .holds: return "The claim holds"
    case .doesNotHold: return "The claim does not hold"
    case .inconclusive: return "Inconclusive: the data cannot decide the claim"
    }
  }

  static func rankLine(_ r: ClaimResult) -> String? {
    guard let rank = r.overall.rank else { return nil }
    var line = "rank \(rank) of \(r.overall.competitors) origins by \(metricName(r.claim.metric))"
    if let other = r.overall.largestOther {
      line += "; the largest other origin is \(other.key.code) (\(other.key.name)) with \(pct(other.share))"
    }
    return line
  }

  static func baselineLine(_ r: ClaimResult) -> String? {
    guard let b = r.baselineShare else { return nil }
    var line = "\(pct(b.share)) by \(metricName(r.claim.metric)) in the baseline"
    if let lift = r.lift { line += "; lift \(DecimalFormat.fixed(lift, 2))× (share here over share there)" }
    return line
  }

  static func robustLine(_ r: ClaimResult) -> String {
    "\(r.robust.verdict.rawValue) (\(pct(r.robust.share(r.claim.metric)?.share ?? 0)) by \(metricName(r.claim.metric)))"
  }

  static func severityName(_ s: Finding.Severity) -> String {
    switch s {
    case .info: return "context"
    case .weakens: return "weakens"
    case .undermines: return "undermines"
    }
  }

  // MARK: - Time

  /// `2025-03-10 09:30` (UTC), seconds shown only when not zero.
  static func time(_ t: Timestamp) -> String {
    let s = t.iso8601(fractionDigits: 0).dropLast()
    let text = s.split(separator: "T").joined(separator: " ")
    return text.hasSuffix(":00") ? String(text.dropLast(3)) : text
  }

  /// `2025-03-10 09:01:30 to 19:00:14 UTC` (the date once when both are on one day).
  static func span(_ a: Timestamp, _ b: Timestamp) -> String {
    let x = time(a)
    let y = time(b)
    if x.prefix(10) == y.prefix(10) { return "\(x) to \(y.dropFirst(11)) UTC" }
    return "\(x) to \(y) UTC"
  }

  /// A bucket width in words: `30 minutes`, `1 hour`, `90 seconds`, `0.5 seconds`.
  static func duration(_ ns: Int64) -> String {
    let units: [(Int64, String)] = [(86_400_000_000_000, "day"), (3_600_000_000_000, "hour"), (60_000_000_000, "minute"), (1_000_000_000, "second")]
    for (scale, name) in units where ns % scale == 0 {
      let n = ns / scale
      return "\(n) \(name)\(n == 1 ? "" : "s")"
    }
    return "\(DecimalFormat.fixed(Double(ns) / 1e9, 3)) seconds"
  }

  /// The window and the bursts, each with its largest origins by packets.
  static func timeRows(_ s: Summary) -> [WindowCounts] { (s.window.map { [$0] } ?? []) + s.bursts }

  /// The largest origins of a window by packets: `US 31.0%, BR 9.9%, CN 6.1%`.
  static func topOrigins(_ w: WindowCounts, _ n: Int = 3) -> String {
    let ranked = SummaryJSON.ranked(w.countries).prefix(n)
    return ranked.map { "\(label($0.key)) \(DecimalFormat.percent($0.counters.packets, of: w.totals.packets))" }.joined(separator: ", ")
  }

  /// An origin key for a short list: `US`, `special: private`, `unknown`, `AS15895`.
  static func label(_ key: OriginKey) -> String {
    switch key.kind {
    case .country, .continent, .asn: return key.code
    case .special: return "special: \(key.code)"
    case .unknown: return "unknown"
    }
  }

  /// An origin key with its name: `US United States`, `special: private`.
  static func longLabel(_ key: OriginKey) -> String {
    switch key.kind {
    case .country, .continent: return "\(key.code) \(key.name)"
    default: return label(key)
    }
  }

  // MARK: - Method and limits

  /// What each number means.
  static let definitions: [(term: String, meaning: String)] = [
    ("Source", "the source address of the outermost IPv4 or IPv6 header of each packet; tunnels are not followed."),
    ("Distinct sources", "distinct source addresses, each counted once, exactly."),
    ("Packets", "every IP packet counts once, fragments included."),
    ("Wire bytes", "the frame's original length on the wire, whatever the capture kept."),
    ("Origin", "the country the country database gives for a source address. Special-purpose addresses (private, reserved, multicast, ...) are counted by kind, never as a country; a public address the database does not know is unknown."),
    ("Share and 95% interval", "the claimed origin's count over all traffic in scope, with the Wilson score interval; its sample size is the number of distinct sources for every metric, since the packets of one host are not independent."),
    ("Robust counts", "all traffic less the sources that sent exactly one packet and less reflection traffic (UDP from amplification ports); a verdict must hold on them too."),
  ]

  /// Why a source address does not name who sent a packet.
  static let limits: [String] = [
    "A source address can be forged. Floods with random source addresses spread over every country in proportion to its address space; the evidence checks estimate how much of the traffic looks like that.",
    "Real sources are often not the actor: botnets of compromised machines, open proxies, VPN and hosting networks, and reflectors answering spoofed requests send traffic from wherever they happen to be.",
    "The database places an address where its block is registered or measured to be, not where a person sat; blocks change hands, and a database built long before or after the traffic may place some sources wrongly.",
    "Carrier-grade NAT and shared hosting put many users behind one address, so distinct sources count addresses, not people or machines.",
    "OriginCheck reports where the packets' source addresses are registered and how far that can be trusted in this data. It never names an actor.",
  ]

  static func pct(_ s: Double) -> String { DecimalFormat.percent(s) }
}
