import Analysis
import Geo
import Report

/// The `--claim` arguments resolved against the areas and databases: what to evaluate on a
/// summary, and the radius areas the aggregator must count. Shared by every command that checks
/// claims.
struct PreparedClaims {
  private(set) var claims: [(Claim, ClaimedOrigin)] = []
  private(set) var radiusAreas: [(name: String, latitude: Double, longitude: Double, km: Double)] = []
  private let countryDatabase: MaxMindDatabase
  /// IPv4 addresses per country in the database, read once (only when there are claims).
  private var addressSpace: [String: UInt64] = [:]

  var isEmpty: Bool { claims.isEmpty }

  init(_ texts: [String], catalog: AreaCatalog, countryDatabase: MaxMindDatabase, asnDatabase: MaxMindDatabase?) throws {
    self.countryDatabase = countryDatabase
    for text in texts {
      let claim = try Claim.parse(text)
      if let asn = claim.asn {
        guard asnDatabase != nil else { throw CLIError("claim '\(text)': an AS claim needs --asn-db", status: .usage) }
        claims.append((claim, ClaimedOrigin(name: "AS\(asn)", title: "AS\(asn)", membership: .asn("AS\(asn)"))))
        continue
      }
      let area: Area
      do {
        area = try catalog.resolve(claim.origin)
      } catch {
        throw CLIError("claim '\(text)': \(error.message)", status: .usage)
      }
      switch area.kind {
      case .countries(let set):
        claims.append((claim, ClaimedOrigin(name: area.name, title: area.title, membership: .countries(set))))
      case .radius(let km, let lat, let lon):
        guard countryDatabase.hasCoordinates else {
          throw CLIError(
            "claim '\(text)': \(countryDatabase.path) has no coordinates (\(countryDatabase.metadata.databaseType)); a radius area needs a city database (--db)",
            status: .usage)
        }
        radiusAreas.append((name: area.name, latitude: lat, longitude: lon, km: km))
        claims.append((claim, ClaimedOrigin(name: area.name, title: area.title, membership: .radius(area.name))))
      }
    }
    if !claims.isEmpty {
      do {
        addressSpace = try countryDatabase.ipv4AddressesByCountry()
      } catch {
        throw CLIError(error.message, status: .noInput)
      }
    }
  }

  /// The verdict of every claim on `summary`, and the claim-independent evidence (`nil` without claims).
  func evaluate(_ summary: Summary, baseline: Summary? = nil) -> (results: [ClaimResult], evidence: [Finding]?) {
    guard !claims.isEmpty else { return ([], nil) }
    let evaluator = ClaimEvaluator(summary: summary, baseline: baseline, addressSpace: addressSpace)
    return (claims.map { evaluator.evaluate($0.0, origin: $0.1) }, ClaimEvaluator.evidence(summary, addressSpace: addressSpace))
  }
}

/// The report of a summary in the table or JSON format, as `analyze` and `collect` print it.
/// `extra` keys are appended to the JSON object.
func renderReport(
  _ summary: Summary, claims: (results: [ClaimResult], evidence: [Finding]?), json: Bool, by: Summary.Dimension,
  top: Int, baseline: Summary? = nil, extra: [(String, JSONValue)] = []
) -> String {
  if json {
    var value = SummaryJSON.encode(summary, claims: claims.results, evidence: claims.evidence)
    if case .object(let pairs) = value, !extra.isEmpty { value = .object(pairs + extra) }
    return value.serialized()
  }
  return ClaimsReport.table(claims.results) + SummaryTable.render(summary, by: by, top: top, baseline: baseline)
}
