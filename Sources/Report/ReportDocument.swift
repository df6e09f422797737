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
/// and the evidence findings. Every format is rendered from one of these, whether it was built
/// from captures (`analyze`) or read back from a saved summary (`report`).
public struct ReportDocument: Sendable {
  public var summary: Summary
  public var baseline: Summary?
  public var claims: [ClaimResult]
  /// The claim-independent evidence findings. The JSON carries them when claims were checked.
  public var evidence: [Finding]
  /// IPv4 addresses per country in the country database (the uniform-spoofing check).
  public var addressSpace: [String: UInt64]

  public init(
    summary: Summary, baseline: Summary? = nil, claims: [ClaimResult] = [], evidence: [Finding] = [],
    addressSpace: [String: UInt64] = [:]
  ) {
    self.summary = summary
    self.baseline = baseline
    self.claims = claims
    self.evidence = evidence
    self.addressSpace = addressSpace
  }

  /// Evaluates the claims against the summary (and baseline): the one path from counts to
  /// verdicts, so a report read back from JSON says what the run that wrote it said.
  public static func evaluating(
    _ summary: Summary, baseline: Summary?, claims: [CheckedClaim], addressSpace: [String: UInt64]
  ) -> ReportDocument {
    var doc = ReportDocument(summary: summary, baseline: baseline, addressSpace: addressSpace)
    let evaluator = ClaimEvaluator(summary: summary, baseline: baseline, addressSpace: addressSpace)
    doc.claims = claims.map { evaluator.evaluate($0.claim, origin: $0.origin) }
    doc.evidence = ClaimEvaluator.evidence(summary, addressSpace: addressSpace)
    return doc
  }
}

/// A summary read back from JSON: the counts, the baseline, and the claims that were checked
/// (their verdicts are evaluated again from the counts).
public struct DecodedSummary: Sendable {
  public var summary = Summary()
  public var baseline: Summary? = nil
  public var claims: [CheckedClaim] = []
  public var addressSpace: [String: UInt64] = [:]

  public init() {}

  /// The report: the stored claims (or `claims` instead) evaluated against the counts.
  public func document(claims other: [CheckedClaim]? = nil) -> ReportDocument {
    ReportDocument.evaluating(summary, baseline: baseline, claims: other ?? claims, addressSpace: addressSpace)
  }
}

/// The formats a report is rendered in.
public enum ReportFormat: String, Sendable, CaseIterable {
  case table, json, csv, markdown, html
}

/// How a report is laid out: the dimension origins are grouped by, how many rows the tables
/// show, and the metric the map and charts draw.
public struct RenderOptions: Sendable {
  public var dimension: Summary.Dimension
  public var top: Int
  /// The metric of the map and the charts; `nil`: the first claim's metric, else packets.
  public var metric: Claim.Metric?

  public init(dimension: Summary.Dimension = .country, top: Int = 20, metric: Claim.Metric? = nil) {
    self.dimension = dimension
    self.top = top
    self.metric = metric
  }
}

extension ReportDocument {
  /// The report in a format.
  public func render(_ format: ReportFormat, options: RenderOptions) -> String {
    switch format {
    case .table:
      return ClaimsReport.table(claims) + SummaryTable.render(summary, by: options.dimension, top: options.top, baseline: baseline)
    case .json: return SummaryJSON.encode(self).serialized()
    case .csv: return CSVReport.render(self, options: options)
    case .markdown: return MarkdownReport.render(self, options: options)
    case .html: return HTMLReport.render(self, options: options)
    }
  }

  /// The metric the map and charts draw.
  func chartMetric(_ options: RenderOptions) -> Claim.Metric { options.metric ?? claims.first?.claim.metric ?? .packets }
}
