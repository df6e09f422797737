import Analysis
import ArgumentParser
import Geo
import Report

/// `--format`, `--output`, `--by`, `--top` and `--metric`: how `analyze` and `report` render.
struct OutputOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Group origins by country, continent or asn (asn needs ASN counts).", valueName: "dimension"))
  var by: Dimension = .country

  @Option(help: ArgumentHelp("Rows in the tables and charts before the rest is folded into one.", valueName: "n"))
  var top: Int = 20

  @Option(help: ArgumentHelp("Output format: table, json, csv, markdown or html.", valueName: "format"))
  var format: Format = .table

  @Option(
    help: ArgumentHelp(
      "Metric of the HTML map and charts: sources, packets, bytes or flows (default: the first claim's, else packets).",
      valueName: "metric"))
  var metric: Metric?

  @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to a file instead of standard output.", valueName: "path"))
  var output: String?

  enum Dimension: String, ExpressibleByArgument, CaseIterable {
    case country, continent, asn
  }

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv, markdown, html
  }

  enum Metric: String, ExpressibleByArgument, CaseIterable {
    case sources, packets, bytes, flows
  }

  func validate() throws {
    if top < 1 { throw ValidationError("--top must be at least 1") }
  }

  var reportFormat: ReportFormat { ReportFormat(rawValue: format.rawValue)! }

  var renderOptions: RenderOptions {
    RenderOptions(
      dimension: Summary.Dimension(rawValue: by.rawValue)!, top: top, metric: metric.flatMap { Claim.Metric(rawValue: $0.rawValue) })
  }
}

/// Turns `--claim` texts into claims with resolved origins.
struct ClaimResolver {
  let catalog: AreaCatalog
  /// Whether AS claims can be evaluated (an ASN database, or ASN counts in a summary).
  let hasASN: Bool
  /// Checks a radius area before it is accepted (a database with coordinates, or radius counts).
  let acceptRadius: (Area, String) throws -> Void

  func resolve(_ text: String) throws -> CheckedClaim {
    let claim = try Claim.parse(text)
    if let asn = claim.asn {
      guard hasASN else { throw CLIError("claim '\(text)': an AS claim needs --asn-db", status: .usage) }
      return CheckedClaim(claim: claim, origin: ClaimedOrigin(name: "AS\(asn)", title: "AS\(asn)", membership: .asn("AS\(asn)")))
    }
    let area: Area
    do {
      area = try catalog.resolve(claim.origin)
    } catch {
      throw CLIError("claim '\(text)': \(error.message)", status: .usage)
    }
    switch area.kind {
    case .countries(let set):
      return CheckedClaim(claim: claim, origin: ClaimedOrigin(name: area.name, title: area.title, membership: .countries(set)))
    case .radius:
      try acceptRadius(area, text)
      return CheckedClaim(claim: claim, origin: ClaimedOrigin(name: area.name, title: area.title, membership: .radius(area.name)))
    }
  }
}
