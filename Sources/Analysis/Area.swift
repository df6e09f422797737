import Geo
import NetCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The "where" of a claim: a set of countries, or a circle around a point.
///
/// A country area matches an origin by its country code. A radius area matches by the coordinates a
/// city database gives for an address; with a country-only database it cannot be decided, and
/// `contains(latitude:longitude:)` says so by returning nil.
public struct Area: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// ISO 3166-1 alpha-2 codes, uppercase.
    case countries(Set<String>)
    /// Every point whose great-circle distance from (latitude, longitude) is at most `km` kilometres.
    case radius(km: Double, latitude: Double, longitude: Double)
  }

  /// The name the area is resolved by: "ukraine-area", "UA", "eastern-europe", "within:500km:50.45,30.52".
  public var name: String
  /// A readable description: "Ukraine area (Ukraine)", "Eastern Europe (UN M49 151)".
  public var title: String
  public var kind: Kind
  /// Where the definition comes from: "built-in", "UN M49", "ISO 3166", "radius", or the areas file's name.
  public var source: String
  /// A remark shown with the area where its definition is a choice the reader should know about.
  public var note: String?

  public init(name: String, title: String, kind: Kind, source: String, note: String? = nil) {
    self.name = name
    self.title = title
    self.kind = kind
    self.source = source
    self.note = note
  }

  /// The member countries' codes, sorted; empty for radius areas.
  public var countryCodes: [String] {
    if case .countries(let set) = kind { return set.sorted() }
    return []
  }

  /// True for radius areas.
  public var isRadius: Bool {
    if case .radius = kind { return true }
    return false
  }

  /// Whether an origin with this country code lies in the area. Codes are compared case-insensitively,
  /// and aliases (`UK` for `GB`) count as their country. Nil codes, pseudo-codes (`EU`, `AP`) and every
  /// code for a radius area give false: a radius area is decided by coordinates only.
  public func contains(countryCode: String?) -> Bool {
    guard let countryCode, case .countries(let set) = kind else { return false }
    if set.contains(countryCode) { return true }
    guard let code = Countries.normalize(countryCode) else { return false }
    return set.contains(code)
  }

  /// Whether a point lies in a radius area: its haversine distance from the centre is at most the
  /// radius. Nil when either coordinate is missing (the database has no location for the address)
  /// and for country areas, which coordinates alone cannot decide.
  public func contains(latitude: Double?, longitude: Double?) -> Bool? {
    guard let latitude, let longitude, case .radius(let km, let lat0, let lon0) = kind else { return nil }
    return haversineKilometres(lat0, lon0, latitude, longitude) <= km
  }
}

/// Mean Earth radius (IUGG), in kilometres.
public let earthRadiusKilometres = 6371.0088

/// Great-circle distance in kilometres between two points given in degrees, by the haversine formula
/// on a sphere of radius 6371.0088 km (error against the ellipsoid under 0.5%).
public func haversineKilometres(_ lat1: Double, _ lon1: Double, _ lat2: Double, _ lon2: Double) -> Double {
  let radians = Double.pi / 180
  let phi1 = lat1 * radians
  let phi2 = lat2 * radians
  let dPhi = (lat2 - lat1) * radians
  let dLambda = (lon2 - lon1) * radians
  let s1 = sin(dPhi / 2)
  let s2 = sin(dLambda / 2)
  let a = s1 * s1 + cos(phi1) * cos(phi2) * s2 * s2
  return 2 * earthRadiusKilometres * asin(min(1, a.squareRoot()))
}

/// Why an area could not be resolved or an areas file could not be loaded: one line that says what
/// was expected and, for files, names the file and the area by index (from 1) and name.
public struct AreaError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Kind: String, Sendable, Hashable {
    /// No area has the name.
    case unknownArea = "unknown-area"
    /// A `within:` radius spec is malformed or out of range.
    case badRadius = "bad-radius"
    /// The areas file could not be read at all (missing, unreadable).
    case unreadableFile = "unreadable-file"
    /// The areas file was read but is not valid JSON or not in the documented format.
    case badFile = "bad-file"
  }

  public var kind: Kind
  public var message: String

  /// `message` is kept on one line (line breaks in quoted input become spaces).
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message.oneLine
  }

  public var description: String { message }
}
