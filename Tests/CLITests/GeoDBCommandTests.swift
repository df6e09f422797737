import Foundation
import Geo
import NetCore
import TestSupport
import Testing

/// `origincheck lookup` and `origincheck geodb`, run as a user runs them.
@Suite struct GeoDBCommandTests {
  static let testDatabases = ["country.mmdb", "country-v4.mmdb", "country-asn.mmdb", "country-r28.mmdb", "country-r32.mmdb"]

  func testDB(_ name: String) -> String { packageRoot.appendingPathComponent("GeoDB/test/\(name)").path }

  /// Every network of the database as Python's `maxminddb` lists it, with its country.
  func networks(of db: String) throws -> [(network: String, country: String?)] {
    let script = """
      import json, sys, maxminddb
      r = maxminddb.open_database(sys.argv[1])
      print(json.dumps([[str(n), (rec or {}).get("country", {}).get("iso_code")] for n, rec in r]))
      """
    let out = try run("python3", ["-c", script, db])
    #expect(out.status == 0, "python maxminddb: \(out.stderr)")
    let list = try #require(try parseJSON(out.stdout) as? [[Any]])
    return list.map { ($0[0] as! String, $0[1] as? String) }
  }

  func mmdblookupCountry(_ db: String, _ address: String) throws -> String? {
    let out = try run("mmdblookup", ["--file", db, "--ip", address, "country", "iso_code"])
    if out.stderr.contains("Could not find an entry") || out.stderr.contains("lookup path does not match") { return nil }
    #expect(out.status == 0, "mmdblookup \(address): \(out.stderr)")
    return out.stdout.split(separator: "\"").dropFirst().first.map(String.init)
  }

  @Test(arguments: testDatabases)
  func lookupAgreesWithMmdblookupAndMaxminddbOnEveryNetwork(database: String) throws {
    let db = testDB(database)
    let nets = try networks(of: db)
    #expect(nets.count >= 10)
    var addresses: [String] = []
    var expected: [String: (String, String?)] = [:]
    for (text, country) in nets {
      let net = try #require(IPNetwork(text))
      for a in [net.address, net.lastAddress] {
        addresses.append(a.description)
        expected[a.description] = (text, country)
      }
    }
    let out = try origincheck(["lookup", "--json", "--db", db] + addresses)
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    let results = try #require(json["results"] as? [[String: Any]])
    #expect(results.count == addresses.count)
    for result in results {
      let address = try #require(result["address"] as? String)
      let (network, country) = try #require(expected[address])
      let ours = (result["country"] as? [String: Any])?["code"] as? String
      let special = result["special"] as? String
      if let special {
        // Special-purpose space is never counted as a country, whatever a database says.
        #expect(country == nil || SpecialPurpose.classify(IPAddress(address)!) == .special(SpecialKind(rawValue: special)))
        continue
      }
      #expect(ours == country, "\(database) \(address): origincheck \(ours ?? "none"), maxminddb \(country ?? "none")")
      #expect(try mmdblookupCountry(db, address) == country, "\(database) \(address): mmdblookup disagrees")
      if result["via"] == nil {
        #expect(result["network"] as? String == network, "\(database) \(address): network")
      }
    }
  }

  @Test func lookupShowsSpecialEmbeddedASNAndTheDatabase() throws {
    let out = try origincheck([
      "lookup", "--db", testDB("country.mmdb"), "--asn-db", testDB("asn.mmdb"),
      "5.8.1.1", "10.0.0.1", "::ffff:77.1.2.3", "143.0.0.1", "2001:db8::1",
    ])
    #expect(out.status == 0)
    #expect(out.stdout.contains("database: \(testDB("country.mmdb")) (OriginCheck-Country, built 2025-03-01)"))
    #expect(out.stdout.contains("AS15895 Kyivstar PJSC"))
    #expect(out.stdout.contains("special: private"))
    #expect(out.stdout.contains("UA Ukraine (ipv4-mapped 77.1.2.3)"))
    #expect(out.stdout.contains("unknown (no record)"))
    #expect(out.stdout.contains("special: documentation"))
    // Every line fits an 80-column terminal for ordinary addresses.
    let short = try origincheck(["lookup", "--db", testDB("country.mmdb"), "5.8.1.1", "10.0.0.1"])
    let tableLines = short.stdout.split(separator: "\n").dropFirst()
    #expect(tableLines.allSatisfy { $0.count <= 80 })
  }

  @Test func buildIsReproducibleFromTheFixtures() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let out = try origincheck([
      "geodb", "build", "--csv", testDB("country.csv"), "--build-date", "2025-03-01", "-o", dir.path("c.mmdb"),
    ])
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stdout.contains("skipped ranges: 1 unknown-country"))
    let built = try Data(contentsOf: URL(fileURLWithPath: dir.path("c.mmdb")))
    let committed = try Data(contentsOf: URL(fileURLWithPath: testDB("country.mmdb")))
    #expect(built == committed, "GeoDB/test/country.mmdb is out of date: run Tools/make-test-dbs")
  }

  @Test func buildFromTorFormatAndDBIPStyleRanges() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try """
    # Generated: Tue, 04 Mar 2025 10:00:00 GMT
    16777216,16777471,AU
    84934656,84999167,UA
    3221225984,3221226239,US
    """.write(toFile: dir.path("geoip"), atomically: true, encoding: .utf8)
    try """
    # a comment
    2a02:2378::,2a02:2378:ffff:ffff:ffff:ffff:ffff:ffff,UA
    2001:470::,2001:470:ffff:ffff:ffff:ffff:ffff:ffff,??
    """.write(toFile: dir.path("geoip6"), atomically: true, encoding: .utf8)
    // IP2Location LITE layout: quoted integers and a name column.
    try """
    "16777472","16778239","CN","China"
    "281470698524672","281470698524927","JP","Japan"
    """.write(toFile: dir.path("ip2l.csv"), atomically: true, encoding: .utf8)
    let torOnly = try origincheck([
      "geodb", "build", "--tor", dir.path("geoip"), "--tor6", dir.path("geoip6"), "--json", "-o", dir.path("tor.mmdb"),
    ])
    let torReport = try #require(try parseJSON(torOnly.stdout) as? [String: Any])
    #expect(torReport["buildDate"] as? String == "2025-03-04T10:00:00Z", "the Generated: header dates the build")
    let out = try origincheck([
      "geodb", "build", "--tor", dir.path("geoip"), "--tor6", dir.path("geoip6"), "--csv", dir.path("ip2l.csv"),
      "--json", "-o", dir.path("t.mmdb"),
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let report = try #require(try parseJSON(out.stdout) as? [String: Any])
    #expect((report["skipped"] as? [String: Any])?["unknown-country"] as? Int == 1)
    let db = try MaxMindDatabase(path: dir.path("t.mmdb"))
    func country(_ a: String) throws -> String? {
      try db.lookup(IPAddress(a)!).recordOffset.flatMap { try db.record(at: $0).countryCode }
    }
    #expect(try country("1.0.0.7") == "AU")
    #expect(try country("5.16.0.1") == "UA")
    #expect(try country("192.0.2.1") == "US")
    #expect(try country("1.0.1.1") == "CN")
    #expect(try country("1.0.16.1") == "JP")
    #expect(try country("2a02:2378:1::1") == "UA")
    #expect(try country("2001:470::1") == nil)
  }

  @Test func infoDescribesTheDatabase() throws {
    let out = try origincheck(["geodb", "info", "--json", testDB("country-asn.mmdb")])
    #expect(out.status == 0)
    let info = try #require(try parseJSON(out.stdout) as? [String: Any])
    #expect(info["type"] as? String == "OriginCheck-Country-ASN")
    #expect(info["buildDate"] as? String == "2025-03-01T00:00:00Z")
    #expect(info["ipVersion"] as? Int == 6)
    #expect(info["recordSize"] as? Int == 24)
    let text = try origincheck(["geodb", "info", testDB("country-v4.mmdb")])
    #expect(text.stdout.contains("ip version        4"))
  }

  /// Bad input: one line on standard error naming the file, a documented non-zero status, no crash.
  @Test func badInputGetsOneLineErrors() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try "this is not a database\n".write(toFile: dir.path("text.mmdb"), atomically: true, encoding: .utf8)
    let whole = try Data(contentsOf: URL(fileURLWithPath: testDB("country.mmdb")))
    try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: dir.path("half.mmdb")))
    try whole.prefix(whole.count - 20).write(to: URL(fileURLWithPath: dir.path("cut-metadata.mmdb")))
    try "network,country\n1.0.0.0/24,AU\n1.0.1.0/24,C1\n".write(toFile: dir.path("bad.csv"), atomically: true, encoding: .utf8)
    try "network,country\n1.0.0.0/24,AU\n1.0.1.0/33,CN\n".write(toFile: dir.path("bad-net.csv"), atomically: true, encoding: .utf8)

    let cases: [([String], Int32, String)] = [
      (["lookup", "--db", dir.path("missing.mmdb"), "1.1.1.1"], 66, "missing.mmdb: cannot open database: No such file or directory"),
      (["lookup", "--db", dir.path("text.mmdb"), "1.1.1.1"], 66, "text.mmdb: not a readable MaxMind DB"),
      (["lookup", "--db", dir.path("half.mmdb"), "1.1.1.1"], 66, "half.mmdb: not a readable MaxMind DB"),
      (["lookup", "--db", dir.path("cut-metadata.mmdb"), "1.1.1.1"], 66, "cut-metadata.mmdb: not a readable MaxMind DB"),
      (["lookup", "--db", dir.url.path, "1.1.1.1"], 66, "not a regular file"),
      (["lookup", "--db", testDB("asn.mmdb"), "1.1.1.1"], 66, "asn.mmdb: has no country data"),
      (["lookup", "--db", testDB("country.mmdb"), "1.2.3"], 64, "'1.2.3' is not an IPv4 or IPv6 address"),
      (["geodb", "build", "--csv", dir.path("bad.csv"), "-o", dir.path("o.mmdb")], 66, "bad.csv:3: 'C1' is not a two-letter country code"),
      (["geodb", "build", "--csv", dir.path("bad-net.csv"), "-o", dir.path("o.mmdb")], 66, "bad-net.csv:3:"),
      (["geodb", "build", "--csv", dir.path("nope.csv"), "-o", dir.path("o.mmdb")], 66, "nope.csv: cannot open"),
      (["geodb", "build", "-o", dir.path("o.mmdb")], 64, "give at least one source"),
      (["geodb", "info", dir.path("text.mmdb")], 66, "text.mmdb: not a readable MaxMind DB"),
    ]
    for (arguments, status, message) in cases {
      let out = try origincheck(arguments)
      #expect(out.status == status, "\(arguments): status \(out.status), stderr \(out.stderr)")
      #expect(out.stderr.contains(message), "\(arguments): \(out.stderr)")
      let lines = out.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.contains("--help") }
      #expect(lines.count == 1, "\(arguments): one line expected, got \(out.stderr)")
      #expect(out.stdout.isEmpty)
    }
    #expect(!FileManager.default.fileExists(atPath: dir.path("o.mmdb")), "a failed build leaves no database behind")
  }

  /// The bundled default database against its Tor sources, through Python's maxminddb and
  /// mmdblookup (10,000 random addresses per family, first and last of 1,000 ranges per family).
  @Test func defaultDatabaseMatchesTorSources() throws {
    var db = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    if !FileManager.default.fileExists(atPath: db) {
      db = dir.path("country.mmdb")
      let built = try origincheck(["geodb", "build", "--tor", "/usr/share/tor/geoip", "--tor6", "/usr/share/tor/geoip6", "-o", db])
      #expect(built.status == 0, "\(built.stderr)")
    }
    let out = try run("python3", [packageRoot.appendingPathComponent("Tools/crosscheck-geodb.py").path, "--db", db])
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
    #expect(out.stdout.contains(": 0 mismatches"))
  }
}
