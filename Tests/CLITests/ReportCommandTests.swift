import Foundation
import TestSupport
import Testing

/// `origincheck report`: any format from a saved summary equals what `analyze` renders in that
/// format, byte for byte; damaged or foreign summaries are one-line errors.
@Suite struct ReportCommandTests {
  static let formats = ["table", "json", "csv", "markdown", "html"]

  static func path(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }
  static var sample: String { path("Samples/x-outage-2025-03-10.pcap") }

  static func defaultDatabase() throws -> String {
    let db = path("GeoDB/default/country.mmdb")
    guard FileManager.default.fileExists(atPath: db) else { throw TestSupportError("no default database: run Tools/setup") }
    return db
  }

  static func bytes(_ file: String) -> Data { (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data() }

  /// For every format: `analyze ARGS --format F` and `report SUMMARY --format F` (the summary
  /// written by `analyze ARGS --format json`) write the same bytes. `render` goes to both.
  static func expectSameReports(inputs: [String], analyze: [String], render: [String], in dir: TemporaryDirectory) throws {
    let summary = dir.path("summary.json")
    let saved = try origincheck(["analyze"] + analyze + render + ["--format", "json", "--output", summary] + inputs)
    #expect(saved.status == 0, "\(saved.stderr)")
    for format in formats {
      let direct = dir.path("analyze.\(format)")
      let fromSummary = dir.path("report.\(format)")
      let a = try origincheck(["analyze"] + analyze + render + ["--format", format, "--output", direct] + inputs)
      #expect(a.status == 0, "analyze \(format): \(a.stderr)")
      let r = try origincheck(["report", summary] + render + ["--format", format, "--output", fromSummary])
      #expect(r.status == 0, "report \(format): \(r.stderr)")
      let x = bytes(direct)
      #expect(x.count > 100, "\(format): \(x.count) bytes")
      #expect(x == bytes(fromSummary), "\(analyze + render) --format \(format): report differs from analyze")
    }
  }

  @Test(arguments: [
    (["--claim", "ukraine-area:primary", "--claim", "UA:share>=1%:packets", "--bucket", "30m"], [String]()),
    (["--claim", "ukraine-area:primary", "--baseline", "Samples/x-outage-baseline.pcap", "--bucket", "5m"], ["--top", "8"]),
    (
      ["--claim", "eu:significant", "--window", "2025-03-10T05:30:00-04:00/2025-03-10T06:20:00-04:00", "--target", "104.244.42.0/24"],
      ["--by", "continent", "--metric", "bytes"]
    ),
    (["--asn-db", "GeoDB/test/asn.mmdb", "--claim", "AS15895:significant", "--bucket", "1h"], ["--by", "asn", "--top", "5"]),
    ([String](), ["--top", "3"]),
  ])
  func everyFormatFromTheSummaryEqualsAnalyze(analyze: [String], render: [String]) throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let args = ["--db", try Self.defaultDatabase()] + analyze.map { $0.hasPrefix("Samples/") || $0.hasPrefix("GeoDB/") ? Self.path($0) : $0 }
    try Self.expectSameReports(inputs: [Self.sample], analyze: args, render: render, in: dir)
  }

  /// Radius claims are evaluated from the radius counts the summary carries (a city database).
  @Test func radiusClaimsFromTheSummaryEqualAnalyze() throws {
    let db = Self.path("GeoDB/third-party/good/GeoIP2-City-Test.mmdb")
    #expect(FileManager.default.fileExists(atPath: db), "run Tools/fetch-mmdb-test-data")
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let script = """
      import sys, ipaddress
      from scapy.all import Ether, IP, UDP, TCP, wrpcap
      pkts = []
      for i, n in enumerate(["81.2.69.160/27", "2.125.160.216/29", "89.160.20.112/28", "216.160.83.56/29"]):
          for a in ipaddress.ip_network(n):
              for k in range(1 + i):
                  pkts.append(Ether() / IP(src=str(a), dst="203.0.113.7", ttl=50 + i) / TCP(sport=40000 + k, dport=443, flags="S"))
      pkts.append(Ether() / IP(src="192.0.2.1", dst="203.0.113.7") / UDP(sport=123, dport=80))
      for i, p in enumerate(pkts):
          p.time = 1741600800 + i * 7
      wrpcap(sys.argv[1], pkts)
      """
    let made = try run("python3", ["-c", script, dir.path("uk.pcap")])
    #expect(made.status == 0, "\(made.stderr)")
    try Self.expectSameReports(
      inputs: [dir.path("uk.pcap")],
      analyze: ["--db", db, "--claim", "within:150km:51.5072,-0.1276:share>=50%", "--claim", "within:100km:58.41,15.62:primary", "--bucket", "1m"],
      render: [], in: dir)
    // The summary has the radius counts, so the same radius claim can be given to report.
    let again = try origincheck(["report", dir.path("summary.json"), "--claim", "within:150km:51.5072,-0.1276:primary", "--format", "json"])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("\"originKind\": \"radius\""))
    // Another radius has no counts in it.
    let other = try origincheck(["report", dir.path("summary.json"), "--claim", "within:10km:48.85,2.35:primary"])
    #expect(other.status == 64)
    #expect(other.stderr.contains("has no counts for within:10km:48.85,2.35"), "\(other.stderr)")
  }

  /// A claim checked later against a saved summary says what analyze says when given the claim.
  @Test(arguments: ["UA:primary", "eastern-europe:share>=5%:packets"])
  func claimsGivenToReportEqualClaimsGivenToAnalyze(claim: String) throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let db = try Self.defaultDatabase()
    let plain = dir.path("plain.json")
    #expect(try origincheck(["analyze", "--db", db, "--bucket", "15m", "--format", "json", "-o", plain, Self.sample]).status == 0)
    for format in ["json", "markdown"] {
      let a = try origincheck(["analyze", "--db", db, "--bucket", "15m", "--claim", claim, "--format", format, Self.sample])
      let r = try origincheck(["report", plain, "--claim", claim, "--format", format])
      #expect(a.status == 0 && r.status == 0, "\(a.stderr) \(r.stderr)")
      #expect(a.stdout == r.stdout, "\(claim) \(format)")
    }
  }

  @Test func readsStandardInputAndFailsUnlessHolds() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let summary = dir.path("s.json")
    let db = try Self.defaultDatabase()
    #expect(try origincheck(["analyze", "--db", db, "--claim", "ukraine-area:primary", "--format", "json", "-o", summary, Self.sample]).status == 0)
    let text = try origincheck(["report", "-", "--format", "markdown"], input: Self.bytes(summary))
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("#### ukraine-area:primary: does not hold"))
    #expect(try origincheck(["report", summary, "--fail-unless-holds"]).status == 1)
    #expect(try origincheck(["report", summary, "--fail-unless-holds", "--claim", "US:share>=5%"]).status == 0)
  }

  // MARK: - Errors

  static func savedSummary(in dir: TemporaryDirectory) throws -> String {
    let summary = dir.path("s.json")
    let out = try origincheck(["analyze", "--db", try defaultDatabase(), "--claim", "UA:primary", "--bucket", "1h", "--format", "json", "-o", summary, sample])
    #expect(out.status == 0, "\(out.stderr)")
    return try String(contentsOfFile: summary, encoding: .utf8)
  }

  /// Each damaged or foreign summary: exit status 66, one line naming the file and the place.
  @Test func damagedSummariesAreOneLineErrors() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let good = try Self.savedSummary(in: dir)
    let cases: [(name: String, content: String, expected: String)] = [
      ("truncated.json", String(good.prefix(good.count / 2)), "truncated.json: line "),
      ("old.json", good.replacingOccurrences(of: "\"schemaVersion\": 2", with: "\"schemaVersion\": 1"), "old.json: $.schemaVersion: schema version 1 (written by an older origincheck)"),
      ("new.json", good.replacingOccurrences(of: "\"schemaVersion\": 2", with: "\"schemaVersion\": 7"), "new.json: $.schemaVersion: schema version 7 (written by a newer origincheck)"),
      ("type.json", good.replacingOccurrences(of: "\"ipPackets\": 22752,", with: "\"ipPackets\": \"22752\","), "type.json: $.totals.ipPackets: expected a non-negative integer, found the string \"22752\""),
      ("missing.json", good.replacingOccurrences(of: "\"evidence\": {", with: "\"evidences\": {"), "missing.json: $: missing required field \"evidence\""),
      ("empty.json", "", "empty.json: line 1, column 1: no JSON value"),
      ("list.json", "[1, 2]", "list.json: $: expected a summary"),
    ]
    for c in cases {
      let file = dir.path(c.name)
      try c.content.write(toFile: file, atomically: true, encoding: .utf8)
      for format in ["table", "html"] {
        let out = try origincheck(["report", file, "--format", format])
        #expect(out.status == 66, "\(c.name): \(out.status) \(out.stderr)")
        #expect(out.stdout.isEmpty, "\(c.name): wrote \(out.stdout.prefix(80))")
        #expect(out.stderr.hasPrefix("origincheck: \(file.replacingOccurrences(of: c.name, with: ""))\(c.expected)"), "\(c.name): \(out.stderr)")
        #expect(out.stderr.split(separator: "\n").count == 1, "\(c.name): \(out.stderr)")
      }
    }
    // A capture is not a summary; a missing file is named.
    let capture = try origincheck(["report", Self.sample])
    #expect(capture.status == 66 && capture.stderr.contains("x-outage-2025-03-10.pcap: line 1, column 1: expected a value"), "\(capture.stderr)")
    let missing = try origincheck(["report", dir.path("nothing.json")])
    #expect(missing.status == 66 && missing.stderr.contains("nothing.json: no such file"), "\(missing.stderr)")
  }

  @Test func usageErrors() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    _ = try Self.savedSummary(in: dir)
    let summary = dir.path("s.json")
    let cases: [([String], String)] = [
      (["--by", "asn"], "has no ASN counts"),
      (["--claim", "AS15895:primary"], "an AS claim needs --asn-db"),
      (["--claim", "UA"], "expected ORIGIN:ASSERTION"),
      (["--claim", "atlantis:primary"], "unknown area"),
      (["--format", "pdf"], "pdf"),
      (["--top", "0"], "--top must be at least 1"),
    ]
    for (args, message) in cases {
      let out = try origincheck(["report", summary] + args)
      #expect(out.status == 64, "\(args): \(out.status) \(out.stderr)")
      #expect(out.stderr.contains(message), "\(args): \(out.stderr)")
      #expect(out.stderr.split(separator: "\n").count == 1, "\(args): \(out.stderr)")
    }
  }

  // MARK: - Locale and time zone

  /// Reports of the fixture summary are the same bytes under an exotic time zone and a locale
  /// with a decimal comma as the golden files (made in UTC and the C locale).
  @Test func outputIgnoresLocaleAndTimeZone() throws {
    let locales = try run("locale", ["-a"]).stdout.lowercased()
    #expect(locales.contains("de_de.utf8"), "the de_DE.UTF-8 locale is missing: run Tools/setup")
    let fixtures = "Tests/ReportTests/Fixtures/"
    let environment = ["TZ": "Asia/Kathmandu", "LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8", "LC_NUMERIC": "de_DE.UTF-8"]
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    for (format, golden) in [("table", "golden/report.txt"), ("csv", "golden/report.csv"), ("markdown", "golden/report.md"), ("html", "golden/report.html"), ("json", "summary.json")] {
      let output = dir.path("out.\(format)")
      let out = try origincheck(["report", Self.path(fixtures + "summary.json"), "--format", format, "-o", output], environment: environment)
      #expect(out.status == 0, "\(out.stderr)")
      #expect(Self.bytes(output) == Self.bytes(Self.path(fixtures + golden)), "\(format) differs under TZ=Asia/Kathmandu LC_ALL=de_DE.UTF-8")
    }
  }
}
