import Foundation
import TestSupport
import Testing

/// Claims checked on captures whose truth is known by construction (`capgen scenario`).
@Suite struct ClaimCommandTests {
  static func capgen() throws -> String {
    let path = try origincheckBinary().replacingOccurrences(of: "/origincheck", with: "/capgen")
    guard FileManager.default.isExecutableFile(atPath: path) else { throw TestSupportError("capgen is not built: run `swift build`") }
    return path
  }

  static func defaultDatabase() throws -> String {
    let db = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
    guard FileManager.default.fileExists(atPath: db) else { throw TestSupportError("no default database: run Tools/setup") }
    return db
  }

  /// Generates a scenario capture into `dir` and returns its path.
  static func scenario(_ name: String, in dir: TemporaryDirectory) throws -> String {
    let path = dir.path("\(name).pcap")
    let out = try run(try capgen(), ["scenario", name, "--output", path])
    guard out.status == 0 else { throw TestSupportError("capgen \(name): \(out.stderr)") }
    return path
  }

  /// Runs analyze with claims and returns the parsed JSON summary.
  static func analyze(_ files: [String], _ extra: [String]) throws -> (status: Int32, json: [String: Any], stderr: String) {
    let out = try origincheck(["analyze", "--db", try defaultDatabase(), "--format", "json"] + extra + files)
    let json = (try? parseJSON(out.stdout) as? [String: Any]) ?? [:]
    return (out.status, json ?? [:], out.stderr)
  }

  static func claims(_ json: [String: Any]) -> [[String: Any]] { json["claims"] as? [[String: Any]] ?? [] }

  static func findingIDs(_ claim: [String: Any], atLeast severity: String = "weakens") -> Set<String> {
    let order = ["info": 0, "weakens": 1, "undermines": 2]
    return Set(
      (claim["findings"] as? [[String: Any]] ?? []).filter { (order[$0["severity"] as! String] ?? 0) >= order[severity]! }
        .map { $0["id"] as! String })
  }

  @Test(arguments: [
    ("botnet-mostly-ua", "UA:primary", "holds"),
    ("botnet-mostly-ua", "ukraine-area:share>=60%", "holds"),
    ("botnet-mostly-ua", "eastern-europe:primary:packets", "holds"),
    ("botnet-worldwide", "UA:primary", "does not hold"),
    ("botnet-worldwide", "ukraine-area:significant", "does not hold"),
    ("spoofed-random", "UA:primary", "inconclusive"),
    ("reflection", "UA:primary", "inconclusive"),
    ("few-sources", "UA:primary", "inconclusive"),
  ])
  func verdictOnKnownTruth(scenario: String, claim: String, expected: String) throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = try Self.scenario(scenario, in: dir)
    let result = try Self.analyze([capture], ["--claim", claim])
    #expect(result.status == 0, "\(result.stderr)")
    let c = try #require(Self.claims(result.json).first)
    #expect(c["verdict"] as? String == expected, "\(scenario) \(claim): \(c["explanation"] ?? "")")
    #expect((c["caveat"] as? String)?.contains("not attribution") == true)
    let interval = try #require(c["interval"] as? [Double])
    let share = try #require(c["share"] as? Double)
    #expect(interval[0] <= share && share <= interval[1])
  }

  @Test func spoofedRandomSourcesAreNamedAsSuch() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let result = try Self.analyze([try Self.scenario("spoofed-random", in: dir)], ["--claim", "UA:primary"])
    let c = try #require(Self.claims(result.json).first)
    let ids = Self.findingIDs(c)
    #expect(ids.contains("uniform-spoofing"), "\(ids)")
    #expect(ids.contains("one-packet-sources"), "\(ids)")
    #expect(ids.contains("robustness"), "\(ids)")
    // The estimate of uniformly random sources is near 100% for an all-spoofed capture.
    let spoof = (c["findings"] as! [[String: Any]]).first { $0["id"] as? String == "uniform-spoofing" }!
    #expect((spoof["value"] as! Double) > 0.7)
  }

  @Test func reflectionIsNamedAsSuch() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let result = try Self.analyze([try Self.scenario("reflection", in: dir)], ["--claim", "US:primary"])
    let c = try #require(Self.claims(result.json).first)
    #expect(c["verdict"] as? String == "inconclusive")
    #expect(Self.findingIDs(c).contains("reflection"))
  }

  @Test func fewSourcesAreNamedAsSuch() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let result = try Self.analyze([try Self.scenario("few-sources", in: dir)], ["--claim", "UA:primary"])
    let c = try #require(Self.claims(result.json).first)
    #expect(Self.findingIDs(c, atLeast: "undermines").contains("few-sources"))
  }

  /// A surge from the claimed area inside one burst: the claim holds there, not overall.
  @Test func surgeWithinOneBurst() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = try Self.scenario("ua-surge-in-burst", in: dir)
    let truth = try #require(
      try parseJSON(String(contentsOfFile: dir.path("ua-surge-in-burst.truth.json"), encoding: .utf8)) as? [String: Any])
    let window = try #require((truth["windows"] as? [[String: Any]])?.first { $0["name"] as? String == "ua-burst" })
    let result = try Self.analyze([capture], ["--bucket", "5m", "--claim", "UA:share>=50%:packets"])
    let c = try #require(Self.claims(result.json).first)
    #expect(c["verdict"] as? String == "does not hold")
    let windows = try #require(c["windows"] as? [[String: Any]])
    let held = windows.filter { $0["verdict"] as? String == "holds" }
    #expect(held.count == 1, "\(windows.map { ($0["label"]!, $0["verdict"]!) })")
    #expect(held.first?["start"] as? String == String((window["start"] as! String).prefix(19)) + "Z")
    // The burst's packet share equals the truth's.
    let packets = (held.first?["shares"] as? [String: Any])?["packets"] as? [String: Any]
    let uaTruth = ((window["countries"] as? [String: Any])?["UA"] as? [String: Any])?["packets"] as? Int
    let totalTruth = (window["totals"] as? [String: Any])?["packets"] as? Int
    #expect(packets?["count"] as? Int == uaTruth)
    #expect(packets?["total"] as? Int == totalTruth)
    // The same window given with --window, with an offset.
    let start = try #require(window["start"] as? String)
    let windowed = try Self.analyze(
      [capture], ["--window", "2025-03-10T06:30:00-04:00/2025-03-10T06:35:00-04:00", "--claim", "UA:share>=50%:packets"])
    let w = try #require((Self.claims(windowed.json).first?["windows"] as? [[String: Any]])?.first)
    #expect(w["label"] as? String == "window")
    #expect(w["verdict"] as? String == "holds", "\(start)")
    #expect(((w["shares"] as? [String: Any])?["packets"] as? [String: Any])?["count"] as? Int == uaTruth)
  }

  @Test func theSampleGivesAVerdictWithEvidence() throws {
    let sample = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.pcap").path
    let baseline = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
    let result = try Self.analyze([sample], ["--claim", "ukraine-area:primary", "--baseline", baseline, "--bucket", "5m"])
    #expect(result.status == 0, "\(result.stderr)")
    let c = try #require(Self.claims(result.json).first)
    #expect(c["verdict"] as? String == "does not hold", "\(c["explanation"] ?? "")")
    #expect(Self.findingIDs(c).isSuperset(of: ["uniform-spoofing", "one-packet-sources", "database-age"]))
    #expect(c["lift"] is Double)
    #expect((result.json["bursts"] as? [Any])?.count ?? 0 >= 5, "the five modelled bursts are found")
    let table = try origincheck(["analyze", "--db", try Self.defaultDatabase(), "--claim", "ukraine-area:primary", sample])
    #expect(table.stdout.hasPrefix("CLAIM   ukraine-area:primary"), "verdicts come first")
    #expect(table.stdout.contains("VERDICT DOES NOT HOLD"))
    #expect(table.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.contains("/") })
  }

  @Test func targetKeepsOnlyTrafficTowardTheVictim() throws {
    // The sample has the victim's replies to its clients as well as traffic toward it.
    let capture = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.pcap").path
    let truthPath = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.truth.json").path
    let truth = try #require(try parseJSON(String(contentsOfFile: truthPath, encoding: .utf8)) as? [String: Any])
    let victim = try #require(truth["victim"] as? [String: String])
    let toTarget = try #require((truth["toTarget"] as? [String: Any])?["totals"] as? [String: Any])
    let result = try Self.analyze([capture], ["--target", victim["ipv4"]!, "--target", victim["ipv6"]!])
    let totals = try #require(result.json["totals"] as? [String: Any])
    #expect(totals["ipPackets"] as? Int == toTarget["packets"] as? Int)
    #expect(totals["sources"] as? Int == toTarget["distinctSources"] as? Int)
    let left = (result.json["totals"] as? [String: Any])?["records"] as? Int ?? 0
    #expect(left > toTarget["packets"] as? Int ?? 0, "the victim's own replies are read but left out")
  }

  @Test func failUnlessHoldsSetsTheExitStatus() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = try Self.scenario("botnet-worldwide", in: dir)
    #expect(try Self.analyze([capture], ["--claim", "UA:primary", "--fail-unless-holds"]).status == 1)
    #expect(try Self.analyze([capture], ["--claim", "world:share>=50%", "--fail-unless-holds"]).status == 0)
  }

  @Test(arguments: [
    (["--claim", "UA"], "expected ORIGIN:ASSERTION"),
    (["--claim", "UA:biggest"], "unknown assertion 'biggest'"),
    (["--claim", "UA:share>=120%"], "expected share>=N%"),
    (["--claim", "ukrane-area:primary"], "unknown area 'ukrane-area'"),
    (["--claim", "within:500:50,30:primary"], "within:"),
    (["--claim", "within:500km:50.45,30.52:primary"], "has no coordinates"),
    (["--claim", "AS15895:primary"], "needs --asn-db"),
    (["--window", "2025-03-10/2025-03-11"], "--window"),
    (["--window", "2025-03-10T10:00:00Z/2025-03-10T09:00:00Z"], "the end must come after the start"),
    (["--bucket", "5 minutes"], "--bucket"),
    (["--target", "104.244.42.0/33"], "--target"),
    (["--fail-unless-holds"], "needs at least one --claim"),
  ])
  func badClaimsGetOneLine(arguments: [String], message: String) throws {
    let sample = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
    let out = try origincheck(["analyze", "--db", try Self.defaultDatabase()] + arguments + [sample])
    #expect(out.status == 64, "\(arguments): \(out.status) \(out.stderr)")
    #expect(out.stderr.contains(message), "\(arguments): \(out.stderr)")
    #expect(out.stderr.split(separator: "\n").count == 1, "\(arguments): \(out.stderr)")
  }
}

/// A radius claim counted per source from a city database's coordinates.
@Suite struct RadiusClaimTests {
  @Test func radiusClaimUsesTheDatabaseCoordinates() throws {
    let db = packageRoot.appendingPathComponent("GeoDB/third-party/good/GeoIP2-City-Test.mmdb").path
    #expect(FileManager.default.fileExists(atPath: db), "run Tools/fetch-mmdb-test-data")
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    // 32 sources in London (81.2.69.160/27), 8 in Boxford (2.125.160.216/29, 85 km from London),
    // 16 in Linköping (89.160.20.112/28), two packets each.
    let script = """
      import sys, ipaddress
      from scapy.all import Ether, IP, TCP, wrpcap
      nets = ["81.2.69.160/27", "2.125.160.216/29", "89.160.20.112/28"]
      pkts = []
      for n in nets:
          for a in ipaddress.ip_network(n):
              for _ in range(2):
                  pkts.append(Ether() / IP(src=str(a), dst="203.0.113.7", ttl=50) / TCP(sport=40000, dport=443, flags="S"))
      wrpcap(sys.argv[1], pkts)
      """
    let made = try run("python3", ["-c", script, dir.path("uk.pcap")])
    #expect(made.status == 0, "\(made.stderr)")
    let out = try origincheck([
      "analyze", "--db", db, "--format", "json", "--claim", "within:150km:51.5072,-0.1276:share>=50%",
      "--claim", "within:50km:51.5072,-0.1276:share>=50%", "--claim", "within:100km:58.41,15.62:primary", dir.path("uk.pcap"),
    ])
    #expect(out.status == 0, "\(out.stderr)")
    let claims = try #require((try parseJSON(out.stdout) as? [String: Any])?["claims"] as? [[String: Any]])
    func sources(_ c: [String: Any]) -> Int? { ((c["shares"] as? [String: Any])?["sources"] as? [String: Any])?["count"] as? Int }
    #expect(sources(claims[0]) == 40, "London and Boxford are within 150 km")
    #expect(claims[0]["verdict"] as? String == "holds")
    #expect(sources(claims[1]) == 32, "only London is within 50 km")
    #expect(sources(claims[2]) == 16)
    #expect(claims[2]["verdict"] as? String == "does not hold", "\(claims[2]["explanation"] ?? "")")
  }
}
