import NetCore

/// The origin a claim is about, as the evaluator counts it.
public struct ClaimedOrigin: Sendable, Hashable {
  public enum Membership: Sendable, Hashable {
    /// A set of countries (an ISO code, a named area, an M49 region).
    case countries(Set<String>)
    /// A radius area, counted per source from the database's coordinates.
    case radius(String)
    /// An autonomous system (`AS1234`).
    case asn(String)
  }
  public var name: String
  public var title: String
  public var membership: Membership
  public init(name: String, title: String, membership: Membership) {
    self.name = name
    self.title = title
    self.membership = membership
  }

  public var isASN: Bool {
    if case .asn = membership { return true }
    return false
  }
}

public enum VerdictValue: String, Sendable, Hashable {
  case holds
  case doesNotHold = "does not hold"
  case inconclusive
}

/// One evidence check: a number, what it means in plain language, and whether it weakens or
/// undermines the verdict.
public struct Finding: Sendable, Hashable {
  public enum Severity: String, Sendable, Hashable, Comparable {
    /// Context; the evidence stands.
    case info
    /// The evidence is weaker than the shares alone suggest.
    case weakens
    /// The verdict cannot rest on this data: it becomes inconclusive.
    case undermines
    var order: Int { self == .info ? 0 : self == .weakens ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.order < b.order }
  }
  /// A stable identifier: `special-sources`, `uniform-spoofing`, `one-packet-sources`,
  /// `hop-counts`, `reflection`, `unknown-origin`, `database-age`, `capture-drops`, `few-sources`,
  /// `robustness`.
  public var id: String
  public var value: Double
  public var severity: Severity
  public var text: String
}

/// A claim's share under one metric, with its 95% interval.
public struct ShareEstimate: Sendable, Hashable {
  public var metric: Claim.Metric
  public var count: UInt64
  public var total: UInt64
  public var share: Double
  public var interval: ClosedRange<Double>
}

/// The claim evaluated over one scope (the whole run, a window, a burst).
public struct ScopeResult: Sendable {
  public var label: String
  public var window: TimeWindow?
  public var verdict: VerdictValue
  public var shares: [ShareEstimate]
  /// 1 = largest. `nil` when nothing was counted.
  public var rank: Int?
  public var competitors: Int
  /// The largest origin other than the claimed one, with its share under the claim's metric.
  public var largestOther: (key: OriginKey, share: Double)?
  public var reason: String

  public func share(_ metric: Claim.Metric) -> ShareEstimate? { shares.first { $0.metric == metric } }
}

/// A claim's verdict with everything that supports or weakens it.
public struct ClaimResult: Sendable {
  public var claim: Claim
  public var origin: ClaimedOrigin
  public var verdict: VerdictValue
  public var overall: ScopeResult
  /// The same claim on the robust counts (no one-packet sources, no reflection traffic).
  public var robust: ScopeResult
  public var windows: [ScopeResult]
  /// Claimed share / baseline share under the claim's metric, when a baseline was given.
  public var lift: Double?
  public var baselineShare: ShareEstimate?
  public var findings: [Finding]
  /// Why the verdict is what it is, in one sentence.
  public var explanation: String
  public static let caveat =
    "Source-address geography is not attribution of the actor: botnets, proxies, VPNs and spoofing all move it."
}

/// Evaluates claims against a summary. The rules are in docs/claims.md.
public struct ClaimEvaluator {
  /// Below this many distinct sources in scope, no share means much.
  public static let minimumSources: UInt64 = 30
  /// Below this many distinct sources of the claimed origin, its share rests on a handful of hosts.
  public static let minimumOriginSources: UInt64 = 5
  /// From this share of a live capture's traffic lost (dropped), no share is trusted.
  public static let underminingLossShare = 0.25

  public var summary: Summary
  public var baseline: Summary?
  /// IPv4 addresses per country in the database (uniform-spoofing check).
  public var addressSpace: [String: UInt64]

  public init(summary: Summary, baseline: Summary? = nil, addressSpace: [String: UInt64] = [:]) {
    self.summary = summary
    self.baseline = baseline
    self.addressSpace = addressSpace
  }

  public func evaluate(_ claim: Claim, origin: ClaimedOrigin) -> ClaimResult {
    let table = origin.isASN ? summary.asns : summary.countries
    let robustTable = origin.isASN ? summary.robustASNs : summary.robustCountries
    let overall = Self.scope(claim, origin, label: "overall", window: nil, table: table, radius: summary.radius)
    let robust = Self.scope(claim, origin, label: "robust", window: nil, table: robustTable, radius: summary.robustRadius)
    // Windows and bursts keep counts by country only, so AS claims are evaluated overall.
    var windows: [ScopeResult] = []
    if !origin.isASN {
      let scopes = (summary.window.map { [$0] } ?? []) + summary.bursts
      windows = scopes.map { Self.scope(claim, origin, label: $0.label, window: $0.window, table: $0.countries, radius: $0.radius) }
    }

    var findings = Self.evidence(summary, addressSpace: addressSpace)
    // Too few sources, overall or of the claimed origin.
    let claimedSources = overall.share(.sources)?.count ?? 0
    if summary.totals.sources < Self.minimumSources {
      findings.append(
        Finding(
          id: "few-sources", value: Double(summary.totals.sources), severity: .undermines,
          text: "Only \(summary.totals.sources) distinct sources: too few for a share to mean anything (fewer than \(Self.minimumSources))."))
    } else if claimedSources > 0 && claimedSources < Self.minimumOriginSources {
      findings.append(
        Finding(
          id: "few-sources", value: Double(claimedSources), severity: .weakens,
          text: "\(origin.name) rests on \(claimedSources) distinct source\(claimedSources == 1 ? "" : "s"): a handful of hosts, not a population."))
    }
    // Robustness: the verdict must not depend on one-packet sources or reflection traffic.
    let robustSources = robust.share(.sources)?.total ?? 0
    if overall.verdict != .inconclusive {
      if robustSources < Self.minimumSources {
        findings.append(
          Finding(
            id: "robustness", value: Double(robustSources), severity: .undermines,
            text: "Without one-packet sources and reflection traffic only \(robustSources) sources remain: the verdict rests on traffic whose sources may be spoofed or reflectors."))
      } else if robust.verdict != overall.verdict {
        findings.append(
          Finding(
            id: "robustness", value: robust.share(claim.metric)?.share ?? 0, severity: .undermines,
            text: "Without one-packet sources and reflection traffic the claim \(robust.verdict.rawValue) (\(pct(robust.share(claim.metric)?.share ?? 0)) by \(claim.metric.rawValue)): the verdict depends on sources that may be spoofed or reflectors."))
      }
    }

    var verdict = overall.verdict
    var explanation = overall.reason
    if let worst = findings.filter({ $0.severity == .undermines }).first, verdict != .inconclusive {
      verdict = .inconclusive
      explanation = "The shares alone say it \(overall.verdict.rawValue), but: \(worst.text)"
    } else if verdict == .inconclusive, let worst = findings.filter({ $0.severity == .undermines }).first {
      explanation += " " + worst.text
    }

    var lift: Double? = nil
    var baselineShare: ShareEstimate? = nil
    if let baseline {
      let btable = origin.isASN ? baseline.asns : baseline.countries
      let b = Self.scope(claim, origin, label: "baseline", window: nil, table: btable, radius: baseline.radius)
      baselineShare = b.share(claim.metric)
      if let bs = baselineShare?.share, bs > 0, let s = overall.share(claim.metric)?.share { lift = s / bs }
    }
    findings.sort { $0.severity > $1.severity }
    return ClaimResult(
      claim: claim, origin: origin, verdict: verdict, overall: overall, robust: robust, windows: windows, lift: lift,
      baselineShare: baselineShare, findings: findings, explanation: explanation)
  }

  /// The claim over one table of counts.
  static func scope(
    _ claim: Claim, _ origin: ClaimedOrigin, label: String, window: TimeWindow?, table: [OriginKey: OriginCounters],
    radius: [String: OriginCounters]
  ) -> ScopeResult {
    var claimed = OriginCounters()
    var total = OriginCounters()
    var competitors: [(OriginKey, OriginCounters)] = []
    for (key, c) in table {
      total.add(c)
      let inside: Bool
      switch origin.membership {
      case .countries(let set): inside = key.kind == .country && set.contains(key.code)
      case .asn(let code): inside = key.kind == .asn && key.code == code
      case .radius: inside = false
      }
      if inside {
        claimed.add(c)
      } else if key.kind == .country || key.kind == .asn {
        competitors.append((key, c))
      }
    }
    if case .radius(let name) = origin.membership { claimed = radius[name] ?? OriginCounters() }
    let n = Double(total.sources)
    let shares: [ShareEstimate] = Claim.Metric.allCases.compactMap { m in
      let t = total.value(m)
      guard t > 0 || m == claim.metric else { return nil }
      let k = claimed.value(m)
      let p = t > 0 ? Double(k) / Double(t) : 0
      // Packets, bytes and flows from one source are not independent: the interval's sample
      // size is the number of distinct sources for every metric.
      return ShareEstimate(metric: m, count: k, total: t, share: p, interval: Statistics.wilson(share: p, n: n))
    }
    let metric = claim.metric
    let mine = claimed.value(metric)
    let sorted = competitors.sorted { $0.1.value(metric) > $1.1.value(metric) || ($0.1.value(metric) == $1.1.value(metric) && $0.0 < $1.0) }
    let rank = total.value(metric) == 0 ? nil : 1 + sorted.filter { $0.1.value(metric) > mine }.count
    let tv = Double(max(1, total.value(metric)))
    let largest = sorted.first.map { (key: $0.0, share: Double($0.1.value(metric)) / tv) }
    let estimate = shares.first { $0.metric == metric }!
    var verdict: VerdictValue
    var reason: String
    if total.value(metric) == 0 || total.sources == 0 {
      verdict = .inconclusive
      reason = "No traffic was counted in this scope."
    } else {
      switch claim.assertion {
      case .primary:
        let other = largest?.share ?? 0
        if estimate.interval.lowerBound > other {
          verdict = .holds
          reason = "\(origin.name) is the largest origin by \(metric.rawValue): \(pct(estimate.share)) (95% interval \(pct(estimate.interval.lowerBound))–\(pct(estimate.interval.upperBound))) against \(largest.map { "\($0.key.code) \(pct($0.share))" } ?? "no other origin")."
        } else if estimate.interval.upperBound < other {
          verdict = .doesNotHold
          reason = "\(origin.name) ranks \(rank ?? 0) by \(metric.rawValue) with \(pct(estimate.share)) (95% interval \(pct(estimate.interval.lowerBound))–\(pct(estimate.interval.upperBound))); \(largest!.key.code) has \(pct(other))."
        } else {
          verdict = .inconclusive
          reason = "\(origin.name) has \(pct(estimate.share)) by \(metric.rawValue) and \(largest.map { $0.key.code } ?? "the next origin") \(pct(other)): the 95% interval (\(pct(estimate.interval.lowerBound))–\(pct(estimate.interval.upperBound))) does not separate them."
        }
      case .atLeast(let threshold):
        if estimate.interval.lowerBound >= threshold {
          verdict = .holds
          reason = "\(origin.name) has \(pct(estimate.share)) by \(metric.rawValue) (95% interval \(pct(estimate.interval.lowerBound))–\(pct(estimate.interval.upperBound))), at least \(pct(threshold))."
        } else if estimate.interval.upperBound < threshold {
          verdict = .doesNotHold
          reason = "\(origin.name) has \(pct(estimate.share)) by \(metric.rawValue) (95% interval \(pct(estimate.interval.lowerBound))–\(pct(estimate.interval.upperBound))), below \(pct(threshold))."
        } else {
          verdict = .inconclusive
          reason = "\(origin.name) has \(pct(estimate.share)) by \(metric.rawValue): the 95% interval (\(pct(estimate.interval.lowerBound))–\(pct(estimate.interval.upperBound))) includes \(pct(threshold))."
        }
      }
      if total.sources < minimumSources && verdict != .inconclusive {
        reason = "Only \(total.sources) distinct sources in this scope. " + reason
        verdict = .inconclusive
      }
    }
    return ScopeResult(
      label: label, window: window, verdict: verdict, shares: shares, rank: rank, competitors: competitors.count + 1,
      largestOther: largest, reason: reason)
  }

  /// The evidence checks that do not depend on the claim.
  public static func evidence(_ s: Summary, addressSpace: [String: UInt64]) -> [Finding] {
    var out: [Finding] = []
    let e = s.evidence
    let sources = max(1, s.totals.sources)
    // Special-purpose sources.
    let special = s.countries.filter { $0.key.kind == .special }.values.reduce(into: OriginCounters()) { $0.add($1) }
    let specialShare = Double(special.sources) / Double(sources)
    out.append(
      Finding(
        id: "special-sources", value: specialShare, severity: specialShare >= 0.01 ? .weakens : .info,
        text: specialShare > 0
          ? "\(pct(specialShare)) of sources (\(pct(Double(special.packets) / Double(max(1, s.totals.ipPackets)))) of packets) are special-purpose addresses (private, reserved, multicast, ...), which cannot be real origins on the Internet: a sign of spoofing or of local traffic."
          : "No source is a special-purpose address."))
    // Uniform random spoofing: the special-purpose share of IPv4 sources against what uniform
    // random addresses produce, and the country distribution against the address space.
    if e.ipv4Sources > 0 {
      let observed = Double(e.ipv4SpecialSources) / Double(e.ipv4Sources)
      let estimate = min(1, observed / Statistics.ipv4SpecialFraction)
      var tvText = ""
      if !addressSpace.isEmpty {
        var dist: [String: Double] = [:]
        for (k, c) in s.countries where k.kind == .country { dist[k.code] = Double(c.sources) }
        let space = addressSpace.mapValues(Double.init)
        let tv = Statistics.totalVariation(dist, space)
        tvText = " The sources' spread over countries is \(DecimalFormat.fixed(tv, 2)) (total variation distance, 0 = identical) from each country's share of the address space, which is what uniformly random spoofing gives."
      }
      let severity: Finding.Severity = estimate >= 0.10 && e.ipv4Sources >= 100 ? .weakens : .info
      out.append(
        Finding(
          id: "uniform-spoofing", value: estimate, severity: severity,
          text: "\(pct(observed)) of IPv4 sources are special-purpose; uniformly random addresses would be \(pct(Statistics.ipv4SpecialFraction)), so about \(pct(estimate)) of sources look uniformly random (spoofed).\(tvText)"))
    }
    // Packets per source.
    let one = e.sourcesByPackets[0]
    let oneShare = Double(one) / Double(sources)
    out.append(
      Finding(
        id: "one-packet-sources", value: oneShare, severity: oneShare >= 0.5 && s.totals.sources >= 1000 ? .weakens : .info,
        text: "\(pct(oneShare)) of sources sent exactly one packet (median packets per source: \(medianPackets(e.sourcesByPackets)))\(oneShare >= 0.5 ? ": at this scale a sign of spoofed sources" : "")."))
    // Hop counts.
    let hopSources = e.sourcesByHops.reduce(0, +)
    if hopSources > 0 {
      let q1 = quantile(e.sourcesByHops, 0.25)
      let q3 = quantile(e.sourcesByHops, 0.75)
      let distinctHops = e.sourcesByHops.filter { $0 > 0 }.count
      let countries = s.countries.filter { $0.key.kind == .country && $0.value.sources > 0 }.count
      let narrow = countries >= 10 && q3 - q1 <= 1 && hopSources >= 100
      out.append(
        Finding(
          id: "hop-counts", value: Double(q3 - q1), severity: narrow ? .weakens : .info,
          text: "Hop counts (initial TTL 32/64/128/255 less the TTL seen) of \(hopSources) sources span \(distinctHops) values, interquartile range \(q1)–\(q3), for sources in \(countries) countries\(narrow ? ": far narrower than senders spread over that many countries would give, a sign of few real senders" : "")."))
    }
    // Reflection.
    let reflectionShare = Double(e.reflectionPackets) / Double(max(1, s.totals.ipPackets))
    out.append(
      Finding(
        id: "reflection", value: reflectionShare, severity: reflectionShare >= 0.10 ? .weakens : .info,
        text: reflectionShare > 0
          ? "\(pct(reflectionShare)) of packets come from well-known amplification ports (DNS, NTP, memcached, SSDP, ...): their sources are reflectors answering spoofed requests, not the attackers."
          : "No traffic from well-known amplification source ports."))
    // Unknown origin.
    let unknown = s.countries.filter { $0.key.kind == .unknown }.values.reduce(into: OriginCounters()) { $0.add($1) }
    let unknownShare = Double(unknown.sources) / Double(sources)
    out.append(
      Finding(
        id: "unknown-origin", value: unknownShare, severity: unknownShare >= 0.10 ? .weakens : .info,
        text: "\(pct(unknownShare)) of sources have no country in the database."))
    // Database age against the traffic.
    if let db = s.databases.first(where: { $0.role == "country" }), let first = s.totals.firstSeen {
      let days = Double(db.buildDate.nanoseconds - first.nanoseconds) / 86_400e9
      let weak = abs(days) > 180
      let when = days >= 0 ? "\(Int(days.rounded())) days after" : "\(Int((-days).rounded())) days before"
      out.append(
        Finding(
          id: "database-age", value: days, severity: weak ? .weakens : .info,
          text: "The country database was built \(String(db.buildDate.iso8601(fractionDigits: 0).prefix(10))), \(when) the traffic began\(weak ? ": address blocks change hands, so some sources may be placed where they were not at the time" : "")."))
    }
    // Packets a live capture lost before they could be counted.
    if let c = s.capture {
      let share = c.lostShare
      let severity: Finding.Severity = c.lost == 0 ? .info : share >= Self.underminingLossShare ? .undermines : .weakens
      out.append(
        Finding(
          id: "capture-drops", value: share, severity: severity,
          text: c.lost == 0
            ? "The capture on \(c.interface) lost no packets (\(c.received) received)."
            : "The capture on \(c.interface) lost \(c.lost) packets, \(pct(share)) of the traffic that reached it (\(c.dropped) dropped by the kernel because the reader fell behind, \(c.interfaceDropped) by the interface): their sources are not counted, so every share rests on part of the traffic."
        ))
    }
    if e.otherDestinationPackets > 0 {
      out.append(
        Finding(
          id: "target", value: Double(e.otherDestinationPackets), severity: .info,
          text: "\(e.otherDestinationPackets) packets not toward the target were left out."))
    }
    return out
  }

  static func medianPackets(_ bins: [UInt64]) -> String {
    let total = bins.reduce(0, +)
    guard total > 0 else { return "0" }
    var seen: UInt64 = 0
    for (i, n) in bins.enumerated() {
      seen += n
      if seen * 2 >= total { return i == 0 ? "1" : "\(1 << i)–\((1 << (i + 1)) - 1)" }
    }
    return "?"
  }

  static func quantile(_ histogram: [UInt64], _ q: Double) -> Int {
    let total = histogram.reduce(0, +)
    let target = UInt64((Double(total) * q).rounded(.up))
    var seen: UInt64 = 0
    for (i, n) in histogram.enumerated() {
      seen += n
      if seen >= max(1, target) { return i }
    }
    return histogram.count - 1
  }
}

private func pct(_ share: Double) -> String { DecimalFormat.percent(share) }
