import Geo

/// The areas a claim can name: built-in ones, custom ones from an areas file, and radius specs.
///
/// Built in:
/// - `ukraine-area`: Ukraine alone. "The Ukraine area" is taken narrowly, as the country itself, because
///   any wider reading (Ukraine and its neighbours, a distance from Kyiv) is a choice the claim does not
///   make. A wider area is defined in an areas file: `"countries": ["UA", "MD", "BY"]`, or a radius such as
///   `within:500km:50.45,30.52` with a city database (see docs/areas.md).
/// - `eu`: the 27 member states of the European Union.
/// - `world`: every country in the ISO 3166 table.
/// - every UN M49 region, sub-region and intermediate region, by slug: `europe`, `eastern-europe`,
///   `sub-saharan-africa`, `latin-america-and-the-caribbean`, ...
/// - every country by its ISO 3166-1 code, case-insensitive (`UA`, `ua`; alpha-3 `UKR` and aliases such as
///   `UK` resolve to their country).
///
/// Radius areas need no definition: `within:<distance>km:<lat>,<lon>` (or `mi`) resolves directly.
public struct AreaCatalog: Sendable {
  /// Areas by lowercase name (country areas by lowercase alpha-2 code).
  private var byName: [String: Area]
  /// Lowercase names in listing order.
  private var order: [String]
  /// Where the next custom area goes in `order`: after the special areas and earlier custom ones.
  private var customInsertion: Int

  /// The built-in areas; see the type's documentation.
  public static let builtIn = AreaCatalog(builtIn: ())

  private init(builtIn: Void) {
    var areas: [Area] = []
    let ukraine = Countries.named("UA")!
    areas.append(
      Area(
        name: "ukraine-area", title: "Ukraine area (\(ukraine.name))", kind: .countries([ukraine.code]),
        source: "built-in",
        note:
          "\"the Ukraine area\" is taken narrowly as Ukraine itself; define a wider area in an areas file "
          + "(e.g. UA, MD, BY, or within:500km:50.45,30.52 with a city database; see docs/areas.md)"))
    areas.append(
      Area(
        name: "eu", title: "European Union (EU-27)",
        kind: .countries(Set(Countries.all.filter(\.isEUMember).map(\.code))), source: "built-in"))
    areas.append(
      Area(name: "world", title: "World (every country)", kind: .countries(Set(Countries.all.map(\.code))), source: "built-in"))
    let specials = areas.count
    for region in M49.regions {
      areas.append(
        Area(
          name: region.slug, title: "\(region.name) (UN M49 \(region.code))",
          kind: .countries(Set(M49.countries(in: region.code).map(\.code))), source: "UN M49"))
    }
    for country in Countries.all {
      areas.append(Area(name: country.code, title: country.name, kind: .countries([country.code]), source: "ISO 3166"))
    }
    byName = Dictionary(uniqueKeysWithValues: areas.map { ($0.name.lowercased(), $0) })
    order = areas.map { $0.name.lowercased() }
    customInsertion = specials
  }

  /// Every area, for listing: the special areas (`ukraine-area`, `eu`, `world`), then custom areas in file
  /// order, then the UN M49 groupings in hierarchy order (each region followed by the groupings inside it),
  /// then the countries by code. A custom area that replaces a built-in one keeps the built-in's place.
  public var all: [Area] { order.map { byName[$0]! } }

  /// The area with this name: an area name (case-insensitive), a country code (alpha-2, alpha-3 or an
  /// alias, case-insensitive) or a radius spec `within:<distance>km:<lat>,<lon>` (`mi` for miles).
  public func resolve(_ name: String) throws(AreaError) -> Area {
    let text = trimmed(name)
    let key = text.lowercased()
    if key.hasPrefix("within:") { return try Self.parseRadius(text) }
    if let area = byName[key] { return area }
    if let country = Countries.named(key), let area = byName[country.code.lowercased()] { return area }
    throw AreaError(.unknownArea, unknownMessage(text))
  }

  // MARK: - Radius specs

  /// Parses `within:<distance>km:<lat>,<lon>` or `within:<distance>mi:<lat>,<lon>`.
  static func parseRadius(_ text: String) throws(AreaError) -> Area {
    let expected = "bad radius '\(text)': expected within:<distance>km:<lat>,<lon> (or <distance>mi)"
    let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0] == "within" else { throw AreaError(.badRadius, expected) }
    let distanceText = trimmed(parts[1])
    let unit = distanceText.suffix(2)
    guard unit == "km" || unit == "mi", let distance = parseNumber(String(distanceText.dropLast(2))) else {
      throw AreaError(.badRadius, expected)
    }
    let coordinates = parts[2].split(separator: ",", omittingEmptySubsequences: false)
    guard coordinates.count == 2, let latitude = parseNumber(String(coordinates[0])),
      let longitude = parseNumber(String(coordinates[1]))
    else { throw AreaError(.badRadius, expected) }
    let km = unit == "mi" ? distance * kilometresPerMile : distance
    if let problem = radiusProblem(distance: distance, latitude: latitude, longitude: longitude) {
      throw AreaError(.badRadius, "bad radius '\(text)': \(problem)")
    }
    let canonical = "within:\(format(distance))\(unit):\(format(latitude)),\(format(longitude))"
    return Area(
      name: canonical, title: radiusTitle(distance: distance, unit: String(unit), km: km, latitude: latitude, longitude: longitude),
      kind: .radius(km: km, latitude: latitude, longitude: longitude), source: "radius")
  }

  static let kilometresPerMile = 1.609344

  /// What is wrong with a radius, or nil when it is usable.
  static func radiusProblem(distance: Double, latitude: Double, longitude: Double) -> String? {
    if !(distance > 0) || !distance.isFinite { return "the distance must be greater than 0, not \(format(distance))" }
    if !(-90...90).contains(latitude) { return "latitude \(format(latitude)) is outside -90...90" }
    if !(-180...180).contains(longitude) { return "longitude \(format(longitude)) is outside -180...180" }
    return nil
  }

  static func radiusTitle(distance: Double, unit: String, km: Double, latitude: Double, longitude: Double) -> String {
    let size = unit == "mi" ? "\(format(distance)) mi (\(format((km * 10).rounded() / 10)) km)" : "\(format(distance)) km"
    return "Within \(size) of \(format(latitude)), \(format(longitude))"
  }

  /// A plain decimal number: digits, one optional point, an optional leading sign. No exponents, hex or
  /// `nan`, which `Double(_:)` would accept.
  static func parseNumber(_ text: String) -> Double? {
    let t = trimmed(text)
    var body = t[...]
    if body.first == "-" || body.first == "+" { body = body.dropFirst() }
    guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
      body.filter({ $0 == "." }).count <= 1, body.contains(where: \.isNumber)
    else { return nil }
    return Double(t)
  }

  /// A number as written in names and titles: `500`, `50.45`, `-0.5`.
  static func format(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
  }

  // MARK: - Suggestions

  private func unknownMessage(_ text: String) -> String {
    let list = "run `origincheck areas` for the list"
    if text.isEmpty { return "empty area name: expected a country code, an area name or within:<distance>km:<lat>,<lon>" }
    let upper = text.uppercased()
    if let meaning = Countries.pseudoCodes[upper] {
      return "'\(text)' names no single country (\(meaning)); expected a country code or an area name (\(list))"
    }
    if let suggestion = suggestion(for: text) { return "unknown area '\(text)' (did you mean \(suggestion)? \(list))" }
    return "unknown area '\(text)': expected a country code, an area name or within:<distance>km:<lat>,<lon> (\(list))"
  }

  /// The closest name to a misspelt one: an area name within a few edits, or the code of a country
  /// whose English name it is or nearly is ("ukraine" -> UA).
  private func suggestion(for text: String) -> String? {
    let key = text.lowercased().map { $0 == " " || $0 == "_" ? "-" : $0 }.reduce(into: "") { $0.append($1) }
    let limit = max(1, min(3, key.count / 4))
    var best: (distance: Int, text: String)? = nil
    func consider(_ candidate: String, as shown: String) {
      let d = editDistance(key, candidate, limit: limit)
      if d <= limit, best == nil || d < best!.distance { best = (d, shown) }
    }
    // Country codes are left out: every short typo is a few edits from several of them.
    for name in order where name.count > 3 {
      consider(name, as: byName[name]!.name)
    }
    for country in Countries.all {
      let slug = country.name.lowercased().split(separator: " ").joined(separator: "-")
      consider(slug, as: "\(country.code) (\(country.name))")
    }
    return best?.text
  }

  /// Levenshtein distance, giving up (returning `limit + 1`) once it must exceed `limit`.
  private func editDistance(_ a: String, _ b: String, limit: Int) -> Int {
    let a = Array(a)
    let b = Array(b)
    if abs(a.count - b.count) > limit { return limit + 1 }
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      var rowMin = i
      for j in 1...b.count {
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        rowMin = min(rowMin, current[j])
      }
      if rowMin > limit { return limit + 1 }
      swap(&previous, &current)
    }
    return previous[b.count]
  }

  // MARK: - Custom areas

  /// The name an area would shadow: an existing area with that name, or the country whose code it is.
  func existing(_ key: String) -> String? {
    if let area = byName[key] { return "'\(key)' already names \(area.title) (\(area.source))" }
    if let country = Countries.named(key) { return "'\(key)' is a country code (\(country.code), \(country.name))" }
    return nil
  }

  /// Adds or replaces a custom area under its (lowercase) name.
  mutating func add(_ area: Area) {
    let key = area.name.lowercased()
    if byName[key] == nil {
      order.insert(key, at: customInsertion)
      customInsertion += 1
    }
    byName[key] = area
  }
}

/// The text without leading and trailing whitespace.
func trimmed(_ text: some StringProtocol) -> String {
  var s = Substring(text)
  while let c = s.first, c.isWhitespace { s = s.dropFirst() }
  while let c = s.last, c.isWhitespace { s = s.dropLast() }
  return String(s)
}
