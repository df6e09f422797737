import Analysis

/// A claim with the origin it was resolved to: what is evaluated against a summary.
public struct CheckedClaim: Sendable {
  public var claim: Claim
  public var origin: ClaimedOrigin
  public init(claim: Claim, origin: ClaimedOrigin) {
    self.claim = claim
    self.origin = origin
  }
}

/// Everything a report shows: the summary, the baseline it is compared with, each claim's verdict
/// and the evidence findings. Every format is rendered from one of these.
public struct ReportDocument: Sendable {
  public var summary: Summary
  public var baseline: Summary?
  public var claims: [ClaimResult]
  /// The claim-independent evidence findings; present when claims were checked.
  public var evidence: [Finding]?
  /// IPv4 addresses per country in the country database (the uniform-spoofing check).
  public var addressSpace: [String: UInt64]

  public init(
    summary: Summary, baseline: Summary? = nil, claims: [ClaimResult] = [], evidence: [Finding]? = nil,
    addressSpace: [String: UInt64] = [:]
  ) {
    self.summary = summary
    self.baseline = baseline
    self.claims = claims
    self.evidence = evidence
    self.addressSpace = addressSpace
  }

  /// Evaluates the claims against the summary (and baseline): the one path from counts to verdicts.
  public static func evaluating(
    _ summary: Summary, baseline: Summary?, claims: [CheckedClaim], addressSpace: [String: UInt64]
  ) -> ReportDocument {
    var doc = ReportDocument(summary: summary, baseline: baseline, addressSpace: addressSpace)
    guard !claims.isEmpty else { return doc }
    let evaluator = ClaimEvaluator(summary: summary, baseline: baseline, addressSpace: addressSpace)
    doc.claims = claims.map { evaluator.evaluate($0.claim, origin: $0.origin) }
    doc.evidence = ClaimEvaluator.evidence(summary, addressSpace: addressSpace)
    return doc
  }
}

/// The formats a report is rendered in.
public enum ReportFormat: String, Sendable, CaseIterable {
  case table, json
}

/// How a report is laid out: the dimension origins are grouped by and how many rows the tables show.
public struct RenderOptions: Sendable {
  public var dimension: Summary.Dimension
  public var top: Int

  public init(dimension: Summary.Dimension = .country, top: Int = 20) {
    self.dimension = dimension
    self.top = top
  }
}

extension ReportDocument {
  /// The report in a format: the one place formats are told apart.
  public func render(_ format: ReportFormat, options: RenderOptions) -> String {
    switch format {
    case .table:
      return ClaimsReport.table(claims) + SummaryTable.render(summary, by: options.dimension, top: options.top, baseline: baseline)
    case .json:
      return SummaryJSON.encode(summary, claims: claims, evidence: evidence).serialized()
    }
  }
}
