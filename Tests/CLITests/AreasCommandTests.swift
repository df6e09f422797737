import Foundation
import Geo
import TestSupport
import Testing

/// `origincheck areas`, run as a user runs it.
@Suite struct AreasCommandTests {
  @Test func theListFitsEightyColumns() throws {
    let out = try origincheck(["areas"])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stderr.isEmpty)
    let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    for line in lines { #expect(line.count <= 80, "too wide: \(line)") }
    #expect(lines.first?.split(separator: " ") == ["NAME", "COUNTRIES", "SOURCE", "TITLE"])
    let rows = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
    func row(_ name: String) -> [String]? { rows.first { $0.first == name } }
    #expect(row("ukraine-area") == ["ukraine-area", "1", "built-in", "Ukraine", "area", "(Ukraine)"])
    #expect(row("eu")?.prefix(3) == ["eu", "27", "built-in"])
    #expect(row("world")?.prefix(2) == ["world", String(Countries.all.count)])
    #expect(row("eastern-europe") == ["eastern-europe", "10", "UN", "M49", "151", "Eastern", "Europe"])
    #expect(row("UA") == ["UA", "1", "ISO", "3166", "Ukraine"])
    // Every M49 grouping and every country is listed, specials first.
    let names = rows.dropFirst(2).compactMap { $0.first }.filter { !$0.isEmpty }
    for region in M49.regions { #expect(names.contains(region.slug)) }
    for country in Countries.all { #expect(names.contains(country.code)) }
    #expect(Array(names.prefix(3)) == ["ukraine-area", "eu", "world"])
    // A long title wraps onto a continuation line instead of widening the table.
    let latin = try #require(lines.firstIndex { $0.hasPrefix("latin-america-and-the-caribbean ") })
    #expect(lines[latin + 1].trimmingCharacters(in: .whitespaces) == "Caribbean")
  }

  @Test func oneAreaShowsItsCountries() throws {
    let out = try origincheck(["areas", "ukraine-area"])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stdout.hasPrefix("ukraine-area: Ukraine area (Ukraine)\nsource: built-in\n"))
    #expect(out.stdout.contains("taken narrowly as Ukraine itself"))
    #expect(out.stdout.contains("countries: 1\n"))
    #expect(out.stdout.contains("\nUA    Ukraine\n"))
    for line in out.stdout.split(separator: "\n") { #expect(line.count <= 80) }

    let ee = try origincheck(["areas", "EASTERN-EUROPE"])
    #expect(ee.status == 0)
    #expect(ee.stdout.contains("countries: 10\n"))
    for (code, name) in [("BY", "Belarus"), ("MD", "Moldova"), ("RU", "Russia"), ("UA", "Ukraine")] {
      #expect(ee.stdout.contains("\n\(code)    \(name)\n"))
    }
    let country = try origincheck(["areas", "ua"])
    #expect(country.stdout.hasPrefix("UA: Ukraine\nsource: ISO 3166\n"))

    let radius = try origincheck(["areas", "within:500km:50.45,30.52"])
    #expect(radius.status == 0)
    #expect(radius.stdout.contains("kind: radius, 500 km around 50.45, 30.52"))
  }

  @Test func jsonForMachines() throws {
    let list = try origincheck(["areas", "--json"])
    #expect(list.status == 0, "\(list.stderr)")
    let areas = try #require((try parseJSON(list.stdout) as? [String: Any])?["areas"] as? [[String: Any]])
    #expect(areas.count == 3 + M49.regions.count + Countries.all.count)
    let first = areas[0]
    #expect(first["name"] as? String == "ukraine-area")
    #expect(first["title"] as? String == "Ukraine area (Ukraine)")
    #expect(first["kind"] as? String == "countries")
    #expect(first["source"] as? String == "built-in")
    #expect(first["countryCount"] as? Int == 1)
    #expect(areas.first { $0["name"] as? String == "eu" }?["countryCount"] as? Int == 27)

    let one = try origincheck(["areas", "--json", "eastern-europe"])
    let detail = try #require(try parseJSON(one.stdout) as? [String: Any])
    #expect(detail["name"] as? String == "eastern-europe")
    #expect(detail["title"] as? String == "Eastern Europe (UN M49 151)")
    #expect(detail["source"] as? String == "UN M49")
    let countries = try #require(detail["countries"] as? [[String: Any]])
    #expect(countries.map { $0["code"] as? String } == ["BG", "BY", "CZ", "HU", "MD", "PL", "RO", "RU", "SK", "UA"])
    #expect(countries.last?["name"] as? String == "Ukraine")

    let radius = try origincheck(["areas", "--json", "within:300mi:50.45,30.52"])
    let r = try #require(try parseJSON(radius.stdout) as? [String: Any])
    #expect(r["kind"] as? String == "radius")
    let spec = try #require(r["radius"] as? [String: Any])
    #expect(abs((spec["km"] as? Double ?? 0) - 300 * 1.609344) < 1e-6)
    #expect(spec["latitude"] as? Double == 50.45 && spec["longitude"] as? Double == 30.52)
    #expect(r["countries"] == nil)
  }

  @Test func customAreasFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("areas.json")
    try Data(
      #"""
      { "areas": [
        { "name": "ukraine-wide", "title": "Ukraine and neighbours", "countries": ["UA", "MD", "BY"], "include": ["eastern-europe"] },
        { "name": "kyiv-500km", "within": { "km": 500, "latitude": 50.45, "longitude": 30.52 } }
      ] }
      """#.utf8
    ).write(to: URL(fileURLWithPath: path))
    let list = try origincheck(["areas", "--areas", path])
    #expect(list.status == 0, "\(list.stderr)")
    let lines = list.stdout.split(separator: "\n")
    for line in lines { #expect(line.count <= 80) }
    #expect(lines[5].split(separator: " ") == ["ukraine-wide", "10", "areas.json", "Ukraine", "and", "neighbours"])
    #expect(lines[6].split(separator: " ").prefix(3) == ["kyiv-500km", "-", "areas.json"])
    #expect(list.stdout.contains("(1 radius)"))
    let one = try origincheck(["areas", "--areas", path, "ukraine-wide"])
    #expect(one.status == 0)
    #expect(one.stdout.contains("countries: 10\n"))
  }

  @Test func badNamesExit64WithOneLine() throws {
    for (name, message) in [
      ("ukrane-area", "origincheck: unknown area 'ukrane-area' (did you mean ukraine-area? run `origincheck areas` for the list)\n"),
      ("within:500:50,30", "origincheck: bad radius 'within:500:50,30': expected within:<distance>km:<lat>,<lon> (or <distance>mi)\n"),
      ("within:500km:95,30", "origincheck: bad radius 'within:500km:95,30': latitude 95 is outside -90...90\n"),
    ] {
      let out = try origincheck(["areas", name])
      #expect(out.status == 64)
      #expect(out.stdout.isEmpty)
      #expect(out.stderr == message)
    }
  }

  @Test func badFilesExit66WhenMissingAnd64WhenMalformed() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let missing = try origincheck(["areas", "--areas", dir.path("nope.json")])
    #expect(missing.status == 66)
    #expect(missing.stderr == "origincheck: \(dir.path("nope.json")): cannot read areas file: no such file\n")

    let malformed = dir.path("bad.json")
    try Data("{ \"areas\": [\n  {\"name\": \"a\" \"countries\": [\"UA\"]}\n] }".utf8).write(to: URL(fileURLWithPath: malformed))
    let out = try origincheck(["areas", "--areas", malformed])
    #expect(out.status == 64)
    #expect(out.stdout.isEmpty)
    #expect(out.stderr.hasPrefix("origincheck: \(malformed): not valid JSON"))
    #expect(out.stderr.filter { $0 == "\n" }.count == 1)

    let invalid = dir.path("invalid.json")
    try Data(#"{"areas": [{"name": "x", "countries": ["UA"]}, {"name": "eu", "countries": ["UA"]}]}"#.utf8)
      .write(to: URL(fileURLWithPath: invalid))
    let shadow = try origincheck(["areas", "--areas", invalid, "x"])
    #expect(shadow.status == 64)
    #expect(
      shadow.stderr
        == "origincheck: \(invalid): area 2 ('eu'): 'eu' already names European Union (EU-27) (built-in); add \"replace\": true to redefine it\n"
    )
  }
}
