import Analysis
import ArgumentParser
import Geo
import NetCore
import Report

/// `--by`, `--top`, `--format` and `--metric`: how a report is laid out, by every command that
/// renders one.
struct LayoutOptions: ParsableArguments {
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

/// The layout options and `--output`: how `analyze` and `report` render, and where to.
struct OutputOptions: ParsableArguments {
  @OptionGroup var layout: LayoutOptions

  @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to a file instead of standard output.", valueName: "path"))
  var output: String?

  typealias Dimension = LayoutOptions.Dimension
  typealias Format = LayoutOptions.Format
  typealias Metric = LayoutOptions.Metric

  var by: Dimension { layout.by }
  var top: Int { layout.top }
  var format: Format { layout.format }
  var metric: Metric? { layout.metric }
  var reportFormat: ReportFormat { layout.reportFormat }
  var renderOptions: RenderOptions { layout.renderOptions }
}

/// `--claim`, `--areas`, `--target`, `--exact-sources` and `--fail-unless-holds`: what a run over
/// traffic counts and checks.
struct CheckOptions: ParsableArguments {
  @Option(
    name: .customLong("claim"),
    help: ArgumentHelp(
      "A claim to check, ORIGIN:ASSERTION[:METRIC], e.g. ukraine-area:primary, UA:share>=20%:packets, AS15895:significant. Repeatable.",
      valueName: "claim"))
  var claims: [String] = []

  @OptionGroup var areaOptions: AreaOptions

  @Option(help: ArgumentHelp("Only count traffic toward this network (the victim). Repeatable.", valueName: "cidr"))
  var target: [String] = []

  @Option(
    help: ArgumentHelp(
      "Distinct sources tracked one by one; beyond, per-source evidence is sampled and sources are counted by sketch.",
      valueName: "n"))
  var exactSources: Int = Aggregator.defaultAddressCapacity

  @Flag(help: "Exit with status 1 when any claim does not hold (or is inconclusive).")
  var failUnlessHolds = false

  func validate() throws {
    if exactSources < 16 { throw ValidationError("--exact-sources must be at least 16") }
    for c in claims {
      do { _ = try Claim.parse(c) } catch { throw ValidationError(error.message) }
    }
    for t in target where IPNetwork(t) == nil {
      throw ValidationError("--target '\(t)': expected a network such as 104.244.42.0/24 or 2001:db8::/32")
    }
    if failUnlessHolds && claims.isEmpty { throw ValidationError("--fail-unless-holds needs at least one --claim") }
  }

  /// The claims resolved against the areas and databases, and the aggregator options they and
  /// `--target` and `--exact-sources` ask for: a radius area needs a database with coordinates and
  /// is counted by the aggregator.
  func setUp(countryDB: MaxMindDatabase, asnDB: MaxMindDatabase?) throws -> (claims: [CheckedClaim], options: AggregatorOptions) {
    var radius: [(name: String, latitude: Double, longitude: Double, km: Double)] = []
    let resolver = ClaimResolver(catalog: try areaOptions.catalog(), hasASN: asnDB != nil) { area, text in
      guard countryDB.hasCoordinates else {
        throw CLIError(
          "claim '\(text)': \(countryDB.path) has no coordinates (\(countryDB.metadata.databaseType)); a radius area needs a city database (--db)",
          status: .usage)
      }
      if case .radius(let km, let lat, let lon) = area.kind {
        radius.append((name: area.name, latitude: lat, longitude: lon, km: km))
      }
    }
    let checked = try claims.map(resolver.resolve)
    var options = AggregatorOptions()
    options.radiusAreas = radius
    options.targets = target.compactMap { IPNetwork($0) }
    options.addressCapacity = exactSources
    return (checked, options)
  }

  /// Whether any claim does not hold (or is inconclusive) when `--fail-unless-holds` asks.
  func failing(_ document: ReportDocument) -> Bool {
    failUnlessHolds && document.claims.contains { $0.verdict != .holds }
  }
}

/// IPv4 addresses per country in the country database. It goes into every summary, so claims can
/// be evaluated again (and new ones checked) from the JSON alone; only the uniform-spoofing check
/// needs it, so without claims a database that cannot give it is no error.
func addressSpace(of countryDB: MaxMindDatabase, for claims: [CheckedClaim]) throws -> [String: UInt64] {
  do {
    return try countryDB.ipv4AddressesByCountry()
  } catch {
    if !claims.isEmpty { throw CLIError(error.message, status: .noInput) }
    return [:]
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
