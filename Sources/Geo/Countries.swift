// Countries and areas: ISO 3166-1 codes, MaxMind continents, UN M49 regions, EU membership.

/// A continent, by the two-letter code MaxMind databases use (`continent.code`).
public enum Continent: String, Sendable, CaseIterable {
  case africa = "AF"
  case antarctica = "AN"
  case asia = "AS"
  case europe = "EU"
  case northAmerica = "NA"
  case oceania = "OC"
  case southAmerica = "SA"

  /// English name, as in MaxMind databases: "Europe", "North America", ...
  public var name: String {
    switch self {
    case .africa: "Africa"
    case .antarctica: "Antarctica"
    case .asia: "Asia"
    case .europe: "Europe"
    case .northAmerica: "North America"
    case .oceania: "Oceania"
    case .southAmerica: "South America"
    }
  }
}

/// A country or area with an ISO 3166-1 alpha-2 code.
///
/// The table holds the 249 officially assigned ISO 3166-1 codes plus Kosovo (`XK`), which is
/// user-assigned in ISO 3166-1 but used as a country by MaxMind, IPFire and most geolocation data.
public struct Country: Sendable, Hashable {
  /// ISO 3166-1 alpha-2 code, uppercase: "UA".
  public let code: String
  /// ISO 3166-1 alpha-3 code: "UKR". Kosovo has "XKX", the user-assigned code in common use.
  public let alpha3: String
  /// ISO 3166-1 numeric code, equal to the UN M49 country code: 804. 0 for Kosovo, which has none.
  public let numeric: Int
  /// Common English short name, close to MaxMind GeoLite2 English names: "Russia", "South Korea".
  public let name: String
  /// Continent as MaxMind assigns it (from GeoNames): RU and CY are Europe; TR, KZ and the Caucasus
  /// (AM, AZ, GE) are Asia; EG is Africa; Central America and the Caribbean are North America;
  /// Timor-Leste is Oceania; the uninhabited southern islands (BV, GS, HM, TF) are Antarctica.
  public let continent: Continent
  /// UN M49 region: 2 Africa, 19 Americas, 142 Asia, 150 Europe, 9 Oceania. Nil for Antarctica (AQ),
  /// which M49 places in no region.
  public let m49Region: Int?
  /// UN M49 sub-region, e.g. 151 Eastern Europe, 419 Latin America and the Caribbean.
  public let m49SubRegion: Int?
  /// UN M49 intermediate region, e.g. 29 Caribbean, 5 South America, 11 Western Africa; nil where the
  /// sub-region has none.
  public let m49IntermediateRegion: Int?
  /// Member state of the European Union (EU-27 as of 2025). Territories with their own ISO code are
  /// not members here even where EU law applies to them (GF, GP, MQ, RE, YT, MF, AX).
  public let isEUMember: Bool

  /// True for codes ISO 3166-1 leaves to users rather than assigns: only Kosovo (`XK`) in this table.
  public var isUserAssigned: Bool { code == "XK" }

  /// The M49 groupings that contain this country, outermost first: [150, 151] for UA.
  public var m49Codes: [Int] { [m49Region, m49SubRegion, m49IntermediateRegion].compactMap { $0 } }

  init(
    code: String, alpha3: String, numeric: Int, name: String, continent: Continent,
    m49Region: Int?, m49SubRegion: Int?, m49IntermediateRegion: Int?, isEUMember: Bool
  ) {
    self.code = code
    self.alpha3 = alpha3
    self.numeric = numeric
    self.name = name
    self.continent = continent
    self.m49Region = m49Region
    self.m49SubRegion = m49SubRegion
    self.m49IntermediateRegion = m49IntermediateRegion
    self.isEUMember = isEUMember
  }
}

/// The country table and code lookups.
///
/// Code handling:
/// - Lookups are case-insensitive and accept alpha-2 or alpha-3 codes.
/// - `XK` (Kosovo) is a country: continent Europe, M49 Southern Europe (150/39), user-assigned.
/// - Codes with a single successor resolve to it through `aliases`: `UK` is `GB` (and the other
///   transitional or exceptionally reserved codes listed there).
/// - Codes that name no single country (`EU`, `AP`, withdrawn `AN` Netherlands Antilles and `CS` Serbia and
///   Montenegro, MaxMind's `A1`/`A2`/`O1`, ...) resolve to nil; `pseudoCodes` says what each means.
public enum Countries {
  /// Every country, sorted by code: the 249 officially assigned ISO 3166-1 codes and `XK`.
  public static let all: [Country] = table

  /// Codes that stand for exactly one country in the table, by their replacement:
  /// UK (exceptionally reserved for the United Kingdom), EL (EU usage for Greece),
  /// FX (Metropolitan France), and the transitional BU (Burma), TP (East Timor), ZR (Zaire).
  public static let aliases: [String: String] = [
    "UK": "GB", "EL": "GR", "FX": "FR", "BU": "MM", "TP": "TL", "ZR": "CD",
  ]

  /// Codes seen in geolocation and registry data that name no single country, with their meaning.
  /// `normalize` and `named` return nil for all of them.
  public static let pseudoCodes: [String: String] = [
    "EU": "Europe (no country): RIR and geolocation records for Europe-wide allocations",
    "AP": "Asia/Pacific (no country): RIR and geolocation records for region-wide allocations",
    "AN": "Netherlands Antilles (withdrawn 2010; now CW, SX and BQ)",
    "CS": "Serbia and Montenegro (withdrawn 2006; now RS and ME; earlier Czechoslovakia)",
    "YU": "Yugoslavia (withdrawn 2003)",
    "SU": "Soviet Union (withdrawn 1992; still reserved for the .su domain)",
    "A1": "Anonymous proxy (legacy MaxMind, IPFire)",
    "A2": "Satellite provider (legacy MaxMind, IPFire)",
    "A3": "Anycast network (IPFire)",
    "O1": "Other country (legacy MaxMind)",
    "XD": "Hostile network, safe to drop (IPFire)",
    "T1": "Tor network (Cloudflare)",
    "XX": "Unknown (Cloudflare)",
    "ZZ": "Unknown or unspecified",
  ]

  /// The country with this alpha-2 or alpha-3 code, or an alias of one; case-insensitive.
  /// `named("ua")`, `named("UKR")` and `named("uk")` (alias of GB) all succeed; pseudo-codes give nil.
  public static func named(_ code: some StringProtocol) -> Country? {
    let key = code.uppercased()
    if let country = index[key] { return country }
    if let target = aliases[key] { return index[target] }
    return nil
  }

  /// The canonical uppercase alpha-2 code for a country code: "ua" -> "UA", "UK" -> "GB", "UKR" -> "UA".
  /// Nil for pseudo-codes ("EU", "AP", "AN", "CS", ...) and unknown codes.
  public static func normalize(_ code: some StringProtocol) -> String? {
    named(code)?.code
  }

  /// Countries by alpha-2 and by alpha-3 code.
  private static let index: [String: Country] = {
    var index: [String: Country] = [:]
    index.reserveCapacity(table.count * 2)
    for country in table {
      index[country.code] = country
      index[country.alpha3] = country
    }
    return index
  }()
}

/// A UN M49 geographic region, sub-region or intermediate region.
public struct M49Region: Sendable, Hashable {
  /// Depth in the M49 hierarchy.
  public enum Level: String, Sendable, CaseIterable {
    case region, subRegion, intermediateRegion
  }

  /// M49 code: 151.
  public let code: Int
  /// English name as M49 writes it: "Eastern Europe".
  public let name: String
  /// The name lowercased with spaces as hyphens: "eastern-europe", "latin-america-and-the-caribbean".
  public let slug: String
  public let level: Level
  /// Code of the enclosing region; nil for the five top-level regions.
  public let parent: Int?

  init(_ code: Int, _ name: String, _ level: Level, parent: Int? = nil) {
    self.code = code
    self.name = name
    self.slug = name.lowercased().split(separator: " ").joined(separator: "-")
    self.level = level
    self.parent = parent
  }
}

/// UN M49 ("Standard country or area codes for statistical use") geographic groupings.
public enum M49 {
  /// Every region, sub-region and intermediate region, each followed by the groupings inside it.
  public static let regions: [M49Region] = [
    M49Region(2, "Africa", .region),
    M49Region(15, "Northern Africa", .subRegion, parent: 2),
    M49Region(202, "Sub-Saharan Africa", .subRegion, parent: 2),
    M49Region(14, "Eastern Africa", .intermediateRegion, parent: 202),
    M49Region(17, "Middle Africa", .intermediateRegion, parent: 202),
    M49Region(18, "Southern Africa", .intermediateRegion, parent: 202),
    M49Region(11, "Western Africa", .intermediateRegion, parent: 202),
    M49Region(19, "Americas", .region),
    M49Region(419, "Latin America and the Caribbean", .subRegion, parent: 19),
    M49Region(29, "Caribbean", .intermediateRegion, parent: 419),
    M49Region(13, "Central America", .intermediateRegion, parent: 419),
    M49Region(5, "South America", .intermediateRegion, parent: 419),
    M49Region(21, "Northern America", .subRegion, parent: 19),
    M49Region(142, "Asia", .region),
    M49Region(143, "Central Asia", .subRegion, parent: 142),
    M49Region(30, "Eastern Asia", .subRegion, parent: 142),
    M49Region(35, "South-eastern Asia", .subRegion, parent: 142),
    M49Region(34, "Southern Asia", .subRegion, parent: 142),
    M49Region(145, "Western Asia", .subRegion, parent: 142),
    M49Region(150, "Europe", .region),
    M49Region(151, "Eastern Europe", .subRegion, parent: 150),
    M49Region(154, "Northern Europe", .subRegion, parent: 150),
    M49Region(830, "Channel Islands", .intermediateRegion, parent: 154),
    M49Region(39, "Southern Europe", .subRegion, parent: 150),
    M49Region(155, "Western Europe", .subRegion, parent: 150),
    M49Region(9, "Oceania", .region),
    M49Region(53, "Australia and New Zealand", .subRegion, parent: 9),
    M49Region(54, "Melanesia", .subRegion, parent: 9),
    M49Region(57, "Micronesia", .subRegion, parent: 9),
    M49Region(61, "Polynesia", .subRegion, parent: 9),
  ]

  /// The grouping with this slug ("eastern-europe"); case-insensitive.
  public static func region(slug: some StringProtocol) -> M49Region? {
    let key = slug.lowercased()
    return regions.first { $0.slug == key }
  }

  /// The grouping with this code (151).
  public static func region(code: Int) -> M49Region? {
    regions.first { $0.code == code }
  }

  /// Countries in a region, sub-region or intermediate region, sorted by code; empty for unknown codes.
  public static func countries(in code: Int) -> [Country] {
    members[code] ?? []
  }

  private static let members: [Int: [Country]] = {
    var members: [Int: [Country]] = [:]
    for country in Countries.all {
      for code in country.m49Codes { members[code, default: []].append(country) }
    }
    return members
  }()
}
