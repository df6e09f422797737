import NetCore

/// Where a source address comes from, as far as the databases can tell.
public struct Origin: Hashable, Sendable {
  public enum Kind: String, Sendable, Hashable {
    /// A database record with a country.
    case country
    /// Special-purpose space (private, reserved, ...): not a real Internet origin.
    case special
    /// Public space with no country in the database.
    case unknown
  }

  public var kind: Kind
  public var countryCode: String?
  public var continentCode: String?
  public var special: SpecialKind?
  public var asn: UInt32?
  /// Set when the address was an IPv6 form carrying IPv4 (`ipv4-mapped`, `6to4`, `teredo`, `nat64`).
  public var embeddedVia: String?
  /// Coordinates from a city database, when it has them.
  public var latitude: Double?
  public var longitude: Double?

  public init(
    kind: Kind, countryCode: String? = nil, continentCode: String? = nil, special: SpecialKind? = nil,
    asn: UInt32? = nil, embeddedVia: String? = nil
  ) {
    self.kind = kind
    self.countryCode = countryCode
    self.continentCode = continentCode
    self.special = special
    self.asn = asn
    self.embeddedVia = embeddedVia
  }
}

extension Origin {
  /// The origin of a looked-up (not special-purpose) address from its records: country,
  /// continent, coordinates and any ASN from the country database's record, the ASN from the
  /// ASN database's record when it has one. No country record, or one without a country, is
  /// `.unknown`.
  init(country: GeoRecord?, asn: GeoRecord?, embeddedVia: String?) {
    self.init(kind: .unknown, embeddedVia: embeddedVia)
    if let country {
      countryCode = country.countryCode
      continentCode = country.continentCode
      if country.countryCode != nil { kind = .country }
      self.asn = country.asn
      latitude = country.latitude
      longitude = country.longitude
    }
    if let asn {
      self.asn = asn.asn ?? self.asn
    }
  }
}

/// Resolves addresses to origins: special-purpose ranges first, then the country database,
/// then the ASN database. Records are decoded once per distinct database record and cached.
///
/// Not `Sendable`: the caches are per run and per thread; create one resolver per worker.
public final class OriginResolver {
  public let countryDatabase: MaxMindDatabase?
  public let asnDatabase: MaxMindDatabase?
  private var countryCache: [UInt32: GeoRecord] = [:]
  private var asnCache: [UInt32: GeoRecord] = [:]

  public init(countryDatabase: MaxMindDatabase?, asnDatabase: MaxMindDatabase? = nil) {
    self.countryDatabase = countryDatabase
    self.asnDatabase = asnDatabase
  }

  /// The origin of `address`. Lookup failures (an IPv6 address against an IPv4-only database)
  /// give `.unknown`, never an error: the address is counted, not dropped.
  public func resolve(_ address: IPAddress) -> Origin {
    var target = address
    var via: String? = nil
    switch SpecialPurpose.classify(address) {
    case .special(let kind):
      return Origin(kind: .special, special: kind)
    case .embedded(let v4, let how):
      target = .v4(v4)
      via = how
      if case .special(let kind) = SpecialPurpose.classify(v4) {
        return Origin(kind: .special, special: kind, embeddedVia: how)
      }
    case .global:
      break
    }
    var country: GeoRecord? = nil
    var asn: GeoRecord? = nil
    if let db = countryDatabase { country = record(in: db, for: target, cache: &countryCache) }
    if let db = asnDatabase { asn = record(in: db, for: target, cache: &asnCache) }
    return Origin(country: country, asn: asn, embeddedVia: via)
  }

  private func record(in db: MaxMindDatabase, for address: IPAddress, cache: inout [UInt32: GeoRecord]) -> GeoRecord? {
    guard let match = try? db.lookup(address), let offset = match.recordOffset else { return nil }
    if let cached = cache[offset] { return cached }
    guard let record = try? db.record(at: offset) else { return nil }
    cache[offset] = record
    return record
  }
}
