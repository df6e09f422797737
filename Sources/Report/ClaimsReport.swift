import Analysis
import NetCore

/// Claims, evidence and time series in the JSON summary and at the top of the table.
public enum ClaimsReport {
  public static func json(_ results: [ClaimResult]) -> JSONValue {
    .array(results.map(claim))
  }

  static func claim(_ r: ClaimResult) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("claim", .string(r.claim.text)), ("origin", .string(r.origin.name)), ("originTitle", .string(r.origin.title)),
    ]
    fields += membership(r.origin.membership)
    fields += [
      ("assertion", .string(assertionText(r.claim.assertion))), ("metric", .string(r.claim.metric.rawValue)),
      ("verdict", .string(r.verdict.rawValue)), ("explanation", .string(r.explanation)),
    ]
    let main = r.overall.share(r.claim.metric)
    fields.append(("share", main.map { .double(round6($0.share)) } ?? .null))
    fields.append(("interval", main.map { .array([.double(round6($0.interval.lowerBound)), .double(round6($0.interval.upperBound))]) } ?? .null))
    fields.append(("rank", r.overall.rank.map { .int(Int64($0)) } ?? .null))
    fields.append(("origins", .int(Int64(r.overall.competitors))))
    fields.append(("largestOther", r.overall.largestOther.map { .object([("code", .string($0.key.code)), ("share", .double(round6($0.share)))]) } ?? .null))
    fields.append(("shares", shares(r.overall)))
    fields.append(("lift", r.lift.map { .double(round6($0)) } ?? .null))
    fields.append(("baselineShare", r.baselineShare.map { .double(round6($0.share)) } ?? .null))
    fields.append(("robust", scope(r.robust)))
    fields.append(("windows", .array(r.windows.map(scope))))
    fields.append(("findings", .array(r.findings.map(finding))))
    fields.append(("caveat", .string(ClaimResult.caveat)))
    return .object(fields)
  }

  /// What the claimed origin counts: `originKind` (`countries`, `radius`, `asn`) and, for a set of
  /// countries, `originCountries`, so the claim can be evaluated again from the summary alone.
  static func membership(_ m: ClaimedOrigin.Membership) -> [(String, JSONValue)] {
    switch m {
    case .countries(let set): return [("originKind", .string("countries")), ("originCountries", .array(set.sorted().map { .string($0) }))]
    case .radius: return [("originKind", .string("radius"))]
    case .asn: return [("originKind", .string("asn"))]
    }
  }

  static func shares(_ s: ScopeResult) -> JSONValue {
    .object(
      s.shares.map { e in
        (
          e.metric.rawValue,
          .object([
            ("count", .uint(e.count)), ("total", .uint(e.total)), ("share", .double(round6(e.share))),
            ("interval", .array([.double(round6(e.interval.lowerBound)), .double(round6(e.interval.upperBound))])),
          ])
        )
      })
  }

  static func scope(_ s: ScopeResult) -> JSONValue {
    .object([
      ("label", .string(s.label)), ("start", .optional(s.window.map { SummaryJSON.time($0.start) })),
      ("end", .optional(s.window.map { SummaryJSON.time($0.end) })), ("verdict", .string(s.verdict.rawValue)),
      ("rank", s.rank.map { .int(Int64($0)) } ?? .null), ("shares", shares(s)), ("reason", .string(s.reason)),
    ])
  }

  static func finding(_ f: Finding) -> JSONValue {
    .object([("id", .string(f.id)), ("severity", .string(f.severity.rawValue)), ("value", .double(round6(f.value))), ("text", .string(f.text))])
  }

  /// The verdict section of the table: each claim, its verdict, shares, rank, windows and findings.
  public static func table(_ results: [ClaimResult]) -> String {
    var out = ""
    for r in results {
      out += "CLAIM   \(r.claim.text) (\(r.origin.title); metric: \(r.claim.metric.rawValue))\n"
      out += "VERDICT \(r.verdict.rawValue.uppercased())\n"
      out += wrap(r.explanation, indent: "  ")
      let shareText = r.overall.shares.map { e in
        "\(e.metric.rawValue) \(pct(e.share)) [\(pct(e.interval.lowerBound))–\(pct(e.interval.upperBound))]"
      }.joined(separator: ", ")
      out += wrap("share: " + shareText, indent: "  ")
      if let rank = r.overall.rank {
        var line = "rank: \(rank) of \(r.overall.competitors) by \(r.claim.metric.rawValue)"
        if let other = r.overall.largestOther { line += "; largest other: \(other.key.code) \(pct(other.share))" }
        out += wrap(line, indent: "  ")
      }
      if let lift = r.lift, let b = r.baselineShare {
        out += wrap("baseline: \(pct(b.share)) by \(r.claim.metric.rawValue); lift \(fixed2(lift))x", indent: "  ")
      }
      out += wrap("without one-packet sources and reflection: \(r.robust.verdict.rawValue) (\(pct(r.robust.share(r.claim.metric)?.share ?? 0)))", indent: "  ")
      for w in r.windows {
        let range = w.window.map { "\(short($0.start))–\(short($0.end).suffix(5))" } ?? ""
        out += wrap("\(w.label) \(range): \(w.verdict.rawValue), \(pct(w.share(r.claim.metric)?.share ?? 0)) by \(r.claim.metric.rawValue)", indent: "  ")
      }
      for f in r.findings where f.severity != .info {
        out += wrap("\(f.severity == .undermines ? "!!" : "! ") \(f.text)", indent: "  ", hanging: "     ")
      }
      out += wrap(ClaimResult.caveat, indent: "  ")
      out += "\n"
    }
    return out
  }

  static func assertionText(_ a: Claim.Assertion) -> String {
    switch a {
    case .primary: return "primary"
    case .atLeast(let s): return "share>=\(DecimalFormat.threshold(s))"
    }
  }

  static func pct(_ s: Double) -> String { DecimalFormat.percent(s) }
  static func fixed2(_ v: Double) -> String { DecimalFormat.fixed(v, 2) }
  static func round6(_ v: Double) -> Double { (v * 1_000_000).rounded() / 1_000_000 }
  static func short(_ t: Timestamp) -> String {
    let s = t.iso8601(fractionDigits: 0)
    return String(s.dropLast()).split(separator: "T").joined(separator: " ").dropLast(3).description
  }

  /// Wraps text at 78 columns with an indent.
  static func wrap(_ text: String, indent: String, hanging: String? = nil) -> String {
    var out = ""
    var line = indent
    let next = indent + (hanging ?? "")
    for word in text.split(separator: " ") {
      if line.count + word.count + 1 > 78 && line.trimmingCharacters() != "" {
        out += line + "\n"
        line = next
      }
      line += (line == indent || line == next ? "" : " ") + word
    }
    return out + line + "\n"
  }
}

extension String {
  fileprivate func trimmingCharacters() -> String { filter { $0 != " " } }
}
