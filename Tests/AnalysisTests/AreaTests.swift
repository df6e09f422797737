import Analysis
import Foundation
import Geo
import NetCore
import Testing

/// The package root, found from this file's location.
private let root: URL = {
  var url = URL(fileURLWithPath: #filePath)
  while url.path != "/" {
    url.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
  }
  fatalError("Package.swift not found above \(#filePath)")
}()

/// Writes `text` to a fresh temporary file named `name` and returns its path.
private func temporaryFile(_ name: String, _ text: String) throws -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("origincheck-areas-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let url = dir.appendingPathComponent(name)
  try Data(text.utf8).write(to: url)
  return url.path
}

private func loadError(_ path: String) -> AreaError? {
  do {
    _ = try AreaCatalog(loading: path)
    return nil
  } catch {
    return error
  }
}

private func resolveError(_ name: String, in catalog: AreaCatalog = .builtIn) -> AreaError? {
  do {
    _ = try catalog.resolve(name)
    return nil
  } catch {
    return error
  }
}

@Suite struct AreaTests {
  let catalog = AreaCatalog.builtIn

  // MARK: Built-in areas

  @Test func ukraineAreaIsUkraineItself() throws {
    let area = try catalog.resolve("ukraine-area")
    #expect(area.kind == .countries(["UA"]))
    #expect(area.title == "Ukraine area (Ukraine)")
    #expect(area.source == "built-in")
    #expect(area.note?.contains("narrowly") == true)
    #expect(area.contains(countryCode: "UA"))
    #expect(area.contains(countryCode: "ua"))
    #expect(!area.contains(countryCode: "MD"))
    #expect(!area.contains(countryCode: "RU"))
    #expect(!area.contains(countryCode: nil))
    #expect(area.contains(latitude: 50.45, longitude: 30.52) == nil)
  }

  @Test func easternEuropeHasItsTenMembers() throws {
    let area = try catalog.resolve("eastern-europe")
    #expect(area.countryCodes == ["BG", "BY", "CZ", "HU", "MD", "PL", "RO", "RU", "SK", "UA"])
    #expect(area.title == "Eastern Europe (UN M49 151)")
    #expect(area.source == "UN M49")
    #expect(try catalog.resolve("Eastern-Europe") == area)
  }

  @Test func euHasTheTwentySevenMemberStates() throws {
    let area = try catalog.resolve("eu")
    #expect(area.countryCodes.count == 27)
    for code in ["AT", "BE", "BG", "CY", "DE", "FR", "IE", "PL", "RO", "SE"] { #expect(area.contains(countryCode: code)) }
    for code in ["GB", "NO", "CH", "UA", "GF"] { #expect(!area.contains(countryCode: code)) }
  }

  @Test func worldHasEveryCountry() throws {
    let area = try catalog.resolve("world")
    #expect(area.countryCodes == Countries.all.map(\.code))
    #expect(!area.contains(countryCode: "EU"))  // a pseudo-code is no country
    #expect(!area.contains(countryCode: "ZZ"))
  }

  @Test func everyM49GroupingResolvesBySlug() throws {
    for region in M49.regions {
      let area = try catalog.resolve(region.slug)
      #expect(area.name == region.slug)
      #expect(area.title == "\(region.name) (UN M49 \(region.code))")
      #expect(area.countryCodes == M49.countries(in: region.code).map(\.code), "\(region.slug)")
      #expect(!area.countryCodes.isEmpty)
      #expect(try catalog.resolve(region.slug.uppercased()) == area)
    }
  }

  @Test func countryCodesResolveCaseInsensitively() throws {
    for country in Countries.all {
      let area = try catalog.resolve(country.code)
      #expect(area.name == country.code)
      #expect(area.title == country.name)
      #expect(area.source == "ISO 3166")
      #expect(area.kind == .countries([country.code]))
      #expect(try catalog.resolve(country.code.lowercased()) == area)
    }
    #expect(try catalog.resolve(" ua ").name == "UA")
    #expect(try catalog.resolve("UKR").name == "UA")  // alpha-3
    #expect(try catalog.resolve("uk").name == "GB")  // alias
    #expect(try catalog.resolve("GB").contains(countryCode: "UK"))
  }

  @Test func listingOrder() throws {
    let names = catalog.all.map(\.name)
    #expect(Array(names.prefix(3)) == ["ukraine-area", "eu", "world"])
    #expect(Array(names[3..<(3 + M49.regions.count)]) == M49.regions.map(\.slug))
    #expect(Array(names.suffix(Countries.all.count)) == Countries.all.map(\.code))
    #expect(names.count == 3 + M49.regions.count + Countries.all.count)
    #expect(Set(names.map { $0.lowercased() }).count == names.count)
  }

  @Test func unknownNamesSayWhatWasExpected() throws {
    let typo = try #require(resolveError("ukrane-area"))
    #expect(typo.kind == .unknownArea)
    #expect(typo.message == "unknown area 'ukrane-area' (did you mean ukraine-area? run `origincheck areas` for the list)")
    #expect(resolveError("easten-europe")?.message.contains("did you mean eastern-europe?") == true)
    #expect(resolveError("ukraine")?.message.contains("did you mean UA (Ukraine)?") == true)
    #expect(resolveError("AP")?.message.contains("names no single country") == true)
    let nothing = try #require(resolveError("qqqqqqqq"))
    #expect(nothing.message.contains("expected a country code, an area name or within:<distance>km:<lat>,<lon>"))
    #expect(resolveError("")?.kind == .unknownArea)
    for error in [typo, nothing] { #expect(!error.message.contains("\n")) }
  }

  // MARK: Radius areas and distances

  @Test func haversineMatchesKnownDistances() {
    let kyiv = (50.4501, 30.5234)
    let lviv = (49.8397, 24.0297)
    let warsaw = (52.2297, 21.0122)
    let kl = haversineKilometres(kyiv.0, kyiv.1, lviv.0, lviv.1)
    let kw = haversineKilometres(kyiv.0, kyiv.1, warsaw.0, warsaw.1)
    #expect(abs(kl - 468) / 468 < 0.01, "Kyiv-Lviv \(kl)")
    #expect(abs(kw - 690) / 690 < 0.01, "Kyiv-Warsaw \(kw)")
    #expect(haversineKilometres(kyiv.0, kyiv.1, kyiv.0, kyiv.1) == 0)
    #expect(abs(haversineKilometres(lviv.0, lviv.1, kyiv.0, kyiv.1) - kl) < 1e-9)
    // Half the circumference between antipodes, and a quarter from the equator to a pole.
    #expect(abs(haversineKilometres(0, 0, 0, 180) - Double.pi * 6371.0088) < 1e-6)
    #expect(abs(haversineKilometres(0, 0, 90, 0) - Double.pi / 2 * 6371.0088) < 1e-6)
    // Across the antimeridian: 1 degree of longitude on the equator.
    #expect(abs(haversineKilometres(0, 179.5, 0, -179.5) - Double.pi / 180 * 6371.0088) < 1e-6)
  }

  @Test func radiusSpecsParse() throws {
    let area = try catalog.resolve("within:500km:50.45,30.52")
    #expect(area.kind == .radius(km: 500, latitude: 50.45, longitude: 30.52))
    #expect(area.name == "within:500km:50.45,30.52")
    #expect(area.source == "radius")
    #expect(area.isRadius && area.countryCodes.isEmpty)
    #expect(!area.contains(countryCode: "UA"))
    #expect(area.contains(latitude: 49.8397, longitude: 24.0297) == true)  // Lviv, 468 km
    #expect(area.contains(latitude: 52.2297, longitude: 21.0122) == false)  // Warsaw, 690 km
    #expect(area.contains(latitude: nil, longitude: 24.0) == nil)
    #expect(area.contains(latitude: 49.0, longitude: nil) == nil)

    let miles = try catalog.resolve("WITHIN:300mi:-33.9,151.2")
    guard case .radius(let km, let lat, let lon) = miles.kind else {
      Issue.record("not a radius")
      return
    }
    #expect(abs(km - 300 * 1.609344) < 1e-9 && lat == -33.9 && lon == 151.2)
    #expect(miles.title == "Within 300 mi (482.8 km) of -33.9, 151.2")
    let edges = try catalog.resolve("within:0.5km:-90,180")
    #expect(edges.kind == .radius(km: 0.5, latitude: -90, longitude: 180))
    #expect(try catalog.resolve("within: 10km : 1 , 2").kind == .radius(km: 10, latitude: 1, longitude: 2))
  }

  @Test(arguments: [
    "within:500:50,30", "within:500km", "within:500km:50", "within:500km:50,30,1", "within:km:50,30",
    "within:500 km:50,", "within:5e2km:50,30", "within:nankm:50,30", "within:500ft:50,30", "within:0x10km:1,2",
    "within:500km:50;30",
  ])
  func malformedRadiusSpecs(spec: String) throws {
    let error = try #require(resolveError(spec))
    #expect(error.kind == .badRadius)
    #expect(error.message == "bad radius '\(spec)': expected within:<distance>km:<lat>,<lon> (or <distance>mi)")
  }

  @Test func outOfRangeRadiusSpecs() {
    #expect(resolveError("within:0km:50,30")?.message == "bad radius 'within:0km:50,30': the distance must be greater than 0, not 0")
    #expect(resolveError("within:-5km:50,30")?.kind == .badRadius)
    #expect(resolveError("within:5km:90.5,30")?.message == "bad radius 'within:5km:90.5,30': latitude 90.5 is outside -90...90")
    #expect(resolveError("within:5km:-91,30")?.kind == .badRadius)
    #expect(resolveError("within:5km:50,180.01")?.message == "bad radius 'within:5km:50,180.01': longitude 180.01 is outside -180...180")
    #expect(resolveError("within:5mi:50,-181")?.kind == .badRadius)
  }

  // MARK: Radius areas against databases

  /// Addresses of MaxMind's GeoIP2-City-Test.mmdb with their coordinates as `mmdblookup` prints them.
  static let cityAddresses: [(address: String, latitude: Double, longitude: Double)] = [
    ("81.2.69.142", 51.5142, -0.0931),  // London
    ("2.125.160.216", 51.75, -1.25),  // Boxford, England
    ("89.160.20.112", 58.4167, 15.6167),  // Linköping, Sweden
    ("216.160.83.56", 47.2513, -122.3149),  // Milton, Washington
    ("175.16.199.0", 43.88, 125.3228),  // Changchun, China
    ("2001:218::1", 35.68536, 139.75309),  // Japan
  ]

  func coordinates(_ db: MaxMindDatabase, _ text: String) throws -> (Double?, Double?) {
    let match = try db.lookup(try #require(IPAddress(text)))
    let offset = try #require(match.recordOffset, "\(text) has no record in \(db.path)")
    let record = try db.record(at: offset)
    return (record.latitude, record.longitude)
  }

  @Test(arguments: ["GeoIP2-City-Test.mmdb", "GeoLite2-City-Test.mmdb"])
  func radiusAreasAgainstACityDatabase(name: String) throws {
    let path = root.appendingPathComponent("GeoDB/third-party/good/\(name)").path
    try #require(
      FileManager.default.fileExists(atPath: path), "run Tools/fetch-mmdb-test-data to fetch MaxMind's test databases")
    let db = try MaxMindDatabase(path: path)
    let london = try catalog.resolve("within:100km:51.5074,-0.1278")
    let kyiv = try catalog.resolve("within:500km:50.45,30.52")
    let wide = try catalog.resolve("within:1300km:51.5074,-0.1278")
    for (address, latitude, longitude) in Self.cityAddresses {
      let (lat, lon) = try coordinates(db, address)
      let la = try #require(lat, "\(address): no latitude")
      let lo = try #require(lon, "\(address): no longitude")
      #expect(abs(la - latitude) < 1e-4 && abs(lo - longitude) < 1e-4, "\(address): \(la),\(lo)")
      for area in [london, kyiv, wide] {
        guard case .radius(let km, let cLat, let cLon) = area.kind else { continue }
        let distance = haversineKilometres(cLat, cLon, la, lo)
        #expect(area.contains(latitude: lat, longitude: lon) == (distance <= km), "\(area.name) \(address) \(distance) km")
        // A circle just beyond the address holds it; one just short of it does not.
        let beyond = try catalog.resolve("within:\(distance * 1.001)km:\(cLat),\(cLon)")
        let short = try catalog.resolve("within:\(distance * 0.999)km:\(cLat),\(cLon)")
        #expect(beyond.contains(latitude: lat, longitude: lon) == true)
        #expect(short.contains(latitude: lat, longitude: lon) == false)
      }
    }
    // London and Boxford (84 km) are within 100 km of central London; Linköping (1258 km) only within 1300 km.
    let inLondon = try Self.cityAddresses.filter { try london.contains(latitude: coordinates(db, $0.address).0, longitude: coordinates(db, $0.address).1) == true }
    #expect(inLondon.map(\.address) == ["81.2.69.142", "2.125.160.216"])
    let inWide = try Self.cityAddresses.filter { try wide.contains(latitude: coordinates(db, $0.address).0, longitude: coordinates(db, $0.address).1) == true }
    #expect(inWide.map(\.address) == ["81.2.69.142", "2.125.160.216", "89.160.20.112"])
    #expect(try Self.cityAddresses.allSatisfy { try kyiv.contains(latitude: coordinates(db, $0.address).0, longitude: coordinates(db, $0.address).1) == false })
  }

  @Test func aCountryDatabaseHasNoCoordinates() throws {
    let db = try MaxMindDatabase(path: root.appendingPathComponent("GeoDB/test/country.mmdb").path)
    let area = try catalog.resolve("within:500km:50.45,30.52")
    var checked = 0
    for text in ["5.8.1.1", "77.1.2.3", "143.0.0.1", "81.2.69.142"] {
      let match = try db.lookup(try #require(IPAddress(text)))
      guard let offset = match.recordOffset else { continue }
      let record = try db.record(at: offset)
      #expect(record.latitude == nil && record.longitude == nil)
      #expect(area.contains(latitude: record.latitude, longitude: record.longitude) == nil)
      checked += 1
    }
    #expect(checked >= 1)
  }

  // MARK: Custom areas files

  static let example = """
    { "areas": [
      { "name": "ukraine-wide", "title": "Ukraine and neighbours", "countries": ["UA", "MD", "BY"], "include": ["eastern-europe"] },
      { "name": "kyiv-500km", "within": { "km": 500, "latitude": 50.45, "longitude": 30.52 } },
      { "name": "ua-md", "countries": ["ua", "MDA"], "comment": "codes are case-insensitive; alpha-3 works" },
      { "name": "near-ukraine", "include": ["ua-md", "BY"] },
      { "name": "kyiv-300mi", "title": "Kyiv, 300 miles", "within": { "mi": 300, "latitude": 50.45, "longitude": 30.52 } }
    ] }
    """

  @Test func loadsACustomFile() throws {
    let path = try temporaryFile("areas.json", Self.example)
    let custom = try AreaCatalog(loading: path)
    let wide = try custom.resolve("ukraine-wide")
    #expect(wide.title == "Ukraine and neighbours")
    #expect(wide.source == "areas.json")
    #expect(wide.countryCodes == ["BG", "BY", "CZ", "HU", "MD", "PL", "RO", "RU", "SK", "UA"])
    let radius = try custom.resolve("kyiv-500km")
    #expect(radius.kind == .radius(km: 500, latitude: 50.45, longitude: 30.52))
    #expect(radius.title == "Within 500 km of 50.45, 30.52")
    #expect(try custom.resolve("ua-md").countryCodes == ["MD", "UA"])
    #expect(try custom.resolve("ua-md").title == "ua-md")
    #expect(try custom.resolve("near-ukraine").countryCodes == ["BY", "MD", "UA"])
    #expect(try custom.resolve("kyiv-300mi").kind == .radius(km: 300 * 1.609344, latitude: 50.45, longitude: 30.52))
    #expect(try custom.resolve("KYIV-500KM") == radius)
    // Built-ins are still there; custom areas list after the special ones.
    #expect(try custom.resolve("ukraine-area").countryCodes == ["UA"])
    #expect(Array(custom.all.prefix(8).map(\.name)) == [
      "ukraine-area", "eu", "world", "ukraine-wide", "kyiv-500km", "ua-md", "near-ukraine", "kyiv-300mi",
    ])
    #expect(custom.all.count == AreaCatalog.builtIn.all.count + 5)
    // The built-in catalog is unchanged.
    #expect(resolveError("ukraine-wide")?.kind == .unknownArea)
  }

  @Test func aFileMayStackOnAnother() throws {
    let first = try AreaCatalog(loading: try temporaryFile("a.json", #"{"areas": [{"name": "one", "countries": ["UA"]}]}"#))
    let second = try AreaCatalog(
      loading: try temporaryFile("b.json", #"{"areas": [{"name": "two", "include": ["one", "PL"]}]}"#), base: first)
    #expect(try second.resolve("two").countryCodes == ["PL", "UA"])
    #expect(try second.resolve("one").source == "a.json")
  }

  @Test func shadowingIsRefusedUnlessReplaced() throws {
    for name in ["eu", "ukraine-area", "eastern-europe", "world", "ua", "ukr", "uk"] {
      let path = try temporaryFile("areas.json", #"{"areas": [{"name": "\#(name)", "countries": ["UA"]}]}"#)
      let error = try #require(loadError(path), "\(name) was accepted")
      #expect(error.kind == .badFile)
      #expect(error.message.hasPrefix("\(path): area 1 ('\(name)'): '\(name)' "), "\(error.message)")
      #expect(error.message.hasSuffix("add \"replace\": true to redefine it"))
    }
    let path = try temporaryFile(
      "areas.json",
      #"{"areas": [{"name": "eu", "replace": true, "title": "EU and Ukraine", "include": ["eu"], "countries": ["UA"]}, {"name": "ukraine-area", "replace": true, "countries": ["UA", "MD", "BY"]}]}"#
    )
    let custom = try AreaCatalog(loading: path)
    let eu = try custom.resolve("eu")
    #expect(eu.countryCodes.count == 28 && eu.contains(countryCode: "UA") && eu.title == "EU and Ukraine")
    #expect(try custom.resolve("ukraine-area").countryCodes == ["BY", "MD", "UA"])
    // A replaced area keeps its place in the listing.
    #expect(Array(custom.all.prefix(3).map(\.name)) == ["ukraine-area", "eu", "world"])
    #expect(custom.all.count == AreaCatalog.builtIn.all.count)
  }

  @Test(arguments: [
    (#"{"areas":[{"name":"x","countries":["UA"]},{"name":"y","countries":["PL"]},{"name":"x3","countries":["XX"]}]}"#,
     "area 3 ('x3'): unknown country code 'XX' (it names no single country: Unknown (Cloudflare))"),
    (#"{"areas":[{"name":"a","countries":["QQ"]}]}"#, "area 1 ('a'): unknown country code 'QQ'"),
    (#"{"areas":[{"name":"a","include":["ukrane-area"]}]}"#,
     "area 1 ('a'): include: unknown area 'ukrane-area' (did you mean ukraine-area? run `origincheck areas` for the list)"),
    (#"{"areas":[{"name":"a","include":["b"]},{"name":"b","countries":["UA"]}]}"#, "area 1 ('a'): include: unknown area 'b'"),
    (#"{"areas":[{"name":"r","within":{"km":5,"latitude":1,"longitude":2}},{"name":"b","include":["r"]}]}"#,
     "area 2 ('b'): include: 'r' is a radius area; only sets of countries can be included"),
    (#"{"areas":[{"name":"a","countries":["UA"]},{"name":"a","countries":["PL"]}]}"#, "area 2 ('a'): 'a' is already defined by area 1 of this file"),
    (#"{"areas":[{"name":"Kyiv","countries":["UA"]}]}"#, "area 1 ('Kyiv'): bad name 'Kyiv': expected lowercase letters, digits and hyphens"),
    (#"{"areas":[{"name":"9a","countries":["UA"]}]}"#, "area 1 ('9a'): bad name '9a'"),
    (#"{"areas":[{"name":"a_b","countries":["UA"]}]}"#, "area 1 ('a_b'): bad name 'a_b'"),
    (#"{"areas":[{"name":"abcdefghijklmnopqrstuvwxyz-0123456","countries":["UA"]}]}"#, "bad name 'abcdefghijklmnopqrstuvwxyz-0123456'"),
    (#"{"areas":[{"countries":["UA"]}]}"#, "area 1: no \"name\""),
    (#"{"areas":[{"name":5,"countries":["UA"]}]}"#, "area 1: \"name\" must be a string"),
    (#"{"areas":["UA"]}"#, "area 1: expected an object"),
    (#"{"areas":[{"name":"a"}]}"#, "area 1 ('a'): expected \"countries\", \"include\" or \"within\""),
    (#"{"areas":[{"name":"a","countries":[]}]}"#, "area 1 ('a'): the area has no countries"),
    (#"{"areas":[{"name":"a","countries":"UA"}]}"#, "area 1 ('a'): \"countries\" must be a list of country codes"),
    (#"{"areas":[{"name":"a","contries":["UA"]}]}"#, "area 1 ('a'): unknown key 'contries'"),
    (#"{"areas":[{"name":"a","title":"","countries":["UA"]}]}"#, "area 1 ('a'): \"title\" must be a non-empty one-line string"),
    (#"{"areas":[{"name":"a","replace":1,"countries":["UA"]}]}"#, "area 1 ('a'): \"replace\" must be true or false"),
    (#"{"areas":[{"name":"a","countries":["UA"],"within":{"km":5,"latitude":1,"longitude":2}}]}"#,
     "area 1 ('a'): give either \"within\" or \"countries\"/\"include\", not both"),
    (#"{"areas":[{"name":"a","within":{"km":0,"latitude":1,"longitude":2}}]}"#,
     "area 1 ('a'): within: the distance must be greater than 0, not 0"),
    (#"{"areas":[{"name":"a","within":{"km":5,"latitude":91,"longitude":2}}]}"#, "area 1 ('a'): within: latitude 91 is outside -90...90"),
    (#"{"areas":[{"name":"a","within":{"km":5,"latitude":1,"longitude":-200}}]}"#,
     "area 1 ('a'): within: longitude -200 is outside -180...180"),
    (#"{"areas":[{"name":"a","within":{"km":5,"mi":3,"latitude":1,"longitude":2}}]}"#, "area 1 ('a'): within: give \"km\" or \"mi\", not both"),
    (#"{"areas":[{"name":"a","within":{"latitude":1,"longitude":2}}]}"#, "area 1 ('a'): within: no distance"),
    (#"{"areas":[{"name":"a","within":{"km":true,"latitude":1,"longitude":2}}]}"#, "area 1 ('a'): within: \"km\" must be a number"),
    (#"{"areas":[{"name":"a","within":{"km":"5","latitude":1,"longitude":2}}]}"#, "area 1 ('a'): within: \"km\" must be a number"),
    (#"{"areas":[{"name":"a","within":{"km":5,"latitude":1}}]}"#, "area 1 ('a'): expected \"within\": {\"km\""),
    (#"{"areas":[{"name":"a","within":{"km":5,"lat":1,"longitude":2}}]}"#, "area 1 ('a'): within: unknown key 'lat'"),
    (#"{"area":[]}"#, "unknown key 'area' at the top level"),
    (#"{"areas":{}}"#, "\"areas\" is not a list"),
    (#"{}"#, "no \"areas\" list"),
    (#"[1, 2]"#, "expected {\"areas\": [ ... ]}"),
    ("  \n", "empty file"),
    ("{ \"areas\": [\n  {\"name\": \"a\" \"countries\": [\"UA\"]}\n] }", "not valid JSON: Invalid value at line 2, column 16"),
    (#"{"areas": [{"name": "a", "countries": ["UA"]}"#, "not valid JSON"),
  ] as [(String, String)])
  func badFilesNameTheFileAndTheArea(body: String, expected: String) throws {
    let path = try temporaryFile("areas.json", body)
    let error = try #require(loadError(path), "accepted: \(body)")
    #expect(error.kind == .badFile)
    #expect(error.message.hasPrefix("\(path): "), "\(error.message)")
    #expect(error.message.contains(expected), "\(error.message)")
    #expect(!error.message.contains("\n"))
  }

  @Test func unreadableFiles() throws {
    let missing = try #require(loadError("/nonexistent/areas.json"))
    #expect(missing.kind == .unreadableFile)
    #expect(missing.message == "/nonexistent/areas.json: cannot read areas file: no such file")
    let directory = try #require(loadError(FileManager.default.temporaryDirectory.path))
    #expect(directory.kind == .unreadableFile)
  }
}
