import Analysis
import ArgumentParser
import Geo
import NetCore
import Report

/// `--by`, `--top` and `--format`: how the commands that report on traffic lay their report out.
struct LayoutOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Group origins by country, continent or asn (asn needs --asn-db).", valueName: "dimension"))
  var by: Dimension = .country

  @Option(help: ArgumentHelp("Rows in the table before the rest is folded into one.", valueName: "n"))
  var top: Int = 20

  @Option(help: ArgumentHelp("Output format: table or json.", valueName: "format"))
  var format: Format = .table

  enum Dimension: String, ExpressibleByArgument, CaseIterable {
    case country, continent, asn
  }

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

  func validate() throws {
    if top < 1 { throw ValidationError("--top must be at least 1") }
  }

  var reportFormat: ReportFormat { ReportFormat(rawValue: format.rawValue)! }

  var renderOptions: RenderOptions {
    RenderOptions(dimension: Summary.Dimension(rawValue: by.rawValue)!, top: top)
  }
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
  /// `--target` and `--exact-sources` ask for.
  func setUp(countryDB: MaxMindDatabase, asnDB: MaxMindDatabase?) throws -> (claims: [CheckedClaim], options: AggregatorOptions) {
    var options = AggregatorOptions()
    let checked = try ClaimResolver.resolve(
      claims, catalog: try areaOptions.catalog(), countryDB: countryDB, asnDB: asnDB, into: &options)
    options.targets = target.compactMap { IPNetwork($0) }
    options.addressCapacity = exactSources
    return (checked, options)
  }
}

/// Turns `--claim` texts into claims with resolved origins.
struct ClaimResolver {
  let catalog: AreaCatalog
  /// Whether AS claims can be evaluated (an ASN database).
  let hasASN: Bool
  /// Checks a radius area before it is accepted (a database with coordinates).
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

  /// Resolves the claims of a run over captures: radius areas need a database with coordinates and
  /// are counted by the aggregator, so they are added to `options`.
  static func resolve(
    _ texts: [String], catalog: AreaCatalog, countryDB: MaxMindDatabase, asnDB: MaxMindDatabase?,
    into options: inout AggregatorOptions
  ) throws -> [CheckedClaim] {
    var radius: [(name: String, latitude: Double, longitude: Double, km: Double)] = []
    let resolver = ClaimResolver(catalog: catalog, hasASN: asnDB != nil) { area, text in
      guard countryDB.hasCoordinates else {
        throw CLIError(
          "claim '\(text)': \(countryDB.path) has no coordinates (\(countryDB.metadata.databaseType)); a radius area needs a city database (--db)",
          status: .usage)
      }
      if case .radius(let km, let lat, let lon) = area.kind {
        radius.append((name: area.name, latitude: lat, longitude: lon, km: km))
      }
    }
    let checked = try texts.map(resolver.resolve)
    options.radiusAreas += radius
    return checked
  }
}

/// IPv4 addresses per country in the country database, which the uniform-spoofing check of claims
/// needs; empty when no claim is checked.
func addressSpace(of countryDB: MaxMindDatabase, for claims: [CheckedClaim]) throws -> [String: UInt64] {
  guard !claims.isEmpty else { return [:] }
  do {
    return try countryDB.ipv4AddressesByCountry()
  } catch {
    throw CLIError(error.message, status: .noInput)
  }
}
