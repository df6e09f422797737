import Foundation
import TestSupport
import Testing

/// `origincheck analyze` against an independent count of the same captures
/// (`Tools/crosscheck-analyze.py`: scapy dissects, Python's `ipaddress` and `maxminddb` classify).
///
/// Compared exactly: per country packets, wire bytes, IP bytes and distinct sources; the same
/// four over all special-purpose kinds together (the two tools name the kinds differently) and
/// for unknown; and the totals (records, IP/IPv4/IPv6/non-IP packets, bytes, sources).
/// Captures are written at test time by `Tools/crosscheck-captures.py`, with sources drawn from
/// the tor GeoIP ranges the default database is built from.
@Suite(.serialized) struct AnalyzeCrossCheckTests {
  static let analyzeScript = packageRoot.appendingPathComponent("Tools/crosscheck-analyze.py").path
  static let capturesScript = packageRoot.appendingPathComponent("Tools/crosscheck-captures.py").path

  /// The default country database, which `Tools/setup` builds; the test fails without it.
  func defaultDB() throws -> String {
    let path = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
    guard FileManager.default.fileExists(atPath: path) else {
      throw TestSupportError("\(path) is missing: run Tools/setup to build the default country database")
    }
    return path
  }

  /// Counts in the layout both sides are reduced to.
  struct Counts: Equatable, CustomStringConvertible {
    var totals: [String: Int] = [:]
    var countries: [String: [String: Int]] = [:]
    var special: [String: Int] = [:]
    var unknown: [String: Int] = [:]
    var description: String { "totals \(totals) special \(special) unknown \(unknown) countries \(countries.count)" }
  }

  static let counterKeys = ["packets", "wireBytes", "ipBytes", "sources"]
  static let totalKeys = ["records", "ipPackets", "ipv4Packets", "ipv6Packets", "nonIPPackets", "wireBytes", "ipBytes", "sources"]

  static func ints(_ object: Any?, _ keys: [String]) -> [String: Int] {
    let dict = object as? [String: Any] ?? [:]
    var out: [String: Int] = [:]
    for key in keys { out[key] = (dict[key] as? NSNumber)?.intValue ?? -1 }
    return out
  }

  /// Reduces `origincheck analyze --format json` output.
  static func counts(origincheckJSON text: String) throws -> Counts {
    let json = try #require(try parseJSON(text) as? [String: Any])
    var c = Counts()
    c.totals = ints(json["totals"], totalKeys)
    let zero = Dictionary(uniqueKeysWithValues: counterKeys.map { ($0, 0) })
    c.special = zero
    c.unknown = zero
    for origin in try #require(json["origins"] as? [[String: Any]]) {
      let counters = ints(origin, counterKeys)
      switch origin["kind"] as? String {
      case "country": c.countries[origin["code"] as? String ?? "?"] = counters
      case "special": c.special.merge(counters, uniquingKeysWith: +)
      case "unknown": c.unknown = counters
      default: Issue.record("unexpected origin kind in \(origin)")
      }
    }
    return c
  }

  /// Runs the independent count on one capture.
  func crosscheck(_ capture: String, db: String, truth: String? = nil) throws -> Counts {
    try #require(try crosscheck([(capture, truth)], db: db)[capture])
  }

  /// Runs the independent count on several captures in one run (each counted on its own).
  func crosscheck(_ captures: [(file: String, truth: String?)], db: String) throws -> [String: Counts] {
    var arguments = [Self.analyzeScript, "--db", db]
    for (file, truth) in captures { if let truth { arguments += ["--truth", "\(file)=\(truth)"] } }
    arguments += captures.map(\.file)
    let out = try run("python3", arguments)
    try #require(out.status == 0, "crosscheck-analyze.py failed (needs python3, scapy, maxminddb): \(out.stderr)")
    let parsed = try #require(try parseJSON(out.stdout) as? [String: Any])
    let byFile = captures.count == 1 ? [captures[0].file: parsed] : parsed
    var results: [String: Counts] = [:]
    for (file, value) in byFile {
      let json = try #require(value as? [String: Any])
      var c = Counts()
      c.totals = Self.ints(json["totals"], Self.totalKeys)
      c.special = Self.ints(json["special"], Self.counterKeys)
      c.unknown = Self.ints(json["unknown"], Self.counterKeys)
      for (code, counters) in try #require(json["countries"] as? [String: Any]) {
        c.countries[code] = Self.ints(counters, Self.counterKeys)
      }
      results[file] = c
    }
    return results
  }

  func analyze(_ arguments: [String], input: Data? = nil) throws -> (counts: Counts, json: [String: Any]) {
    let out = try origincheck(["analyze", "--format", "json"] + arguments, input: input)
    try #require(out.status == 0, "origincheck analyze \(arguments): status \(out.status): \(out.stderr)")
    return (try Self.counts(origincheckJSON: out.stdout), try #require(try parseJSON(out.stdout) as? [String: Any]))
  }

  /// Expects equal counts, naming each difference.
  func expectSame(_ ours: Counts, _ theirs: Counts, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(ours.totals == theirs.totals, "\(label): totals", sourceLocation: sourceLocation)
    #expect(ours.special == theirs.special, "\(label): special-purpose total", sourceLocation: sourceLocation)
    #expect(ours.unknown == theirs.unknown, "\(label): unknown", sourceLocation: sourceLocation)
    for code in Set(ours.countries.keys).union(theirs.countries.keys).sorted() where ours.countries[code] != theirs.countries[code] {
      Issue.record(
        "\(label): \(code): origincheck \(ours.countries[code] ?? [:]), crosscheck \(theirs.countries[code] ?? [:])",
        sourceLocation: sourceLocation)
    }
  }

  func generate(_ arguments: [String]) throws {
    let out = try run("python3", [Self.capturesScript] + arguments)
    try #require(out.status == 0, "crosscheck-captures.py \(arguments) failed (needs python3, scapy, tor-geoipdb, mergecap): \(out.stderr)")
  }

  @Test func committedSamplesAgree() throws {
    let dir = packageRoot.appendingPathComponent("Samples")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
      .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") || $0.hasSuffix(".pcap.gz") || $0.hasSuffix(".pcapng.gz") }
      .sorted()
    // Samples are optional: this compares whichever are committed.
    guard !names.isEmpty else { return }
    let db = try defaultDB()
    let paths = names.map { dir.appendingPathComponent($0).path }
    let theirs = try crosscheck(paths.map { ($0, nil) }, db: db)
    for (name, path) in zip(names, paths) {
      expectSame(try analyze(["--db", db, path]).counts, try #require(theirs[path]), name)
    }
  }

  @Test func mixedCaptureFromManyCountriesAgrees() throws {
    let db = try defaultDB()
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = dir.path("mixed.pcap")
    try generate(["mixed", capture, "--count", "2000", "--seed", "7"])
    let theirs = try crosscheck(capture, db: db)
    let (ours, json) = try analyze(["--db", db, capture])
    expectSame(ours, theirs, "mixed.pcap")
    // The capture exercises what it is meant to: many countries, special, unknown, non-IP.
    #expect(theirs.countries.count >= 50)
    #expect(theirs.special["packets", default: 0] > 0 && theirs.unknown["packets", default: 0] > 0)
    #expect(theirs.totals["nonIPPackets", default: 0] > 0 && theirs.totals["ipv6Packets", default: 0] > 0)

    // gzip and standard input give the same summary as the plain file.
    let plain = try Data(contentsOf: URL(fileURLWithPath: capture))
    let gz = try run("gzip", ["-k", "-n", capture])
    try #require(gz.status == 0, "gzip: \(gz.stderr)")
    let compressed = try Data(contentsOf: URL(fileURLWithPath: capture + ".gz"))
    let (fromGzip, gzipJSON) = try analyze(["--db", db, capture + ".gz"])
    let (fromStdin, stdinJSON) = try analyze(["--db", db, "-"], input: plain)
    let (fromGzipStdin, gzipStdinJSON) = try analyze(["--db", db, "-"], input: compressed)
    for (label, counts, other) in [
      ("gzip", fromGzip, gzipJSON), ("stdin", fromStdin, stdinJSON), ("gzip stdin", fromGzipStdin, gzipStdinJSON),
    ] {
      expectSame(counts, ours, label)
      for key in ["origins", "continents", "linkTypes", "totals"] {
        #expect(
          (other[key] as? NSObject)?.isEqual(json[key]) == true, "\(label): \(key) differs from the plain file's")
      }
    }
    expectSame(try crosscheck(capture + ".gz", db: db), theirs, "crosscheck of the gzip file")
  }

  /// Link types the decoder handles, each with at least one capture below.
  static let linkTypes: Set<Int> = [0, 1, 9, 101, 104, 105, 108, 113, 127, 228, 229, 239, 276]

  @Test func everyLinkTypeAgrees() throws {
    let db = try defaultDB()
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try generate(["linktypes", dir.path("captures"), "--seed", "3"])
    let manifestData = try Data(contentsOf: URL(fileURLWithPath: dir.path("captures/manifest.json")))
    let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [[String: Any]])
    let captures = try manifest.map { (file: try #require($0["file"] as? String), truth: $0["truth"] as? String) }
    let counted = try crosscheck(captures, db: db)
    var covered = Set<Int>()
    for entry in manifest {
      let name = try #require(entry["name"] as? String)
      let file = try #require(entry["file"] as? String)
      let (ours, json) = try analyze(["--db", db, file])
      let theirs = try #require(counted[file])
      expectSame(ours, theirs, name)
      #expect(theirs.totals["ipPackets", default: 0] >= 20, "\(name): the capture should carry IP packets")
      for lt in json["linkTypes"] as? [[String: Any]] ?? [] {
        let number = (lt["linkType"] as? NSNumber)?.intValue ?? -1
        covered.insert(number)
        #expect((lt["ipPackets"] as? NSNumber)?.intValue ?? 0 > 0, "\(name): no IP packet decoded for link type \(number)")
      }
      if name == "two-interfaces" {
        #expect((json["linkTypes"] as? [Any])?.count == 2, "the pcapng has two interfaces of different link types")
      }
    }
    #expect(covered == Self.linkTypes, "link types covered: \(covered.sorted())")
  }
}
