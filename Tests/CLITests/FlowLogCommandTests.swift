import Foundation
import TestSupport
import Testing

/// `origincheck analyze` on flow logs, as a user runs it: each format detected and counted by origin
/// with the test database, flow logs and captures in one run, malformed records reported with their
/// line (exit 65), unreadable and unrecognised inputs (exit 66), `--input-format`, `--columns`,
/// standard input and gzip.
@Suite struct FlowLogCommandTests {
  static let testDB = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path

  static func fixture(_ name: String) -> String {
    packageRoot.appendingPathComponent("Tests/FlowLogsTests/Fixtures/\(name)").path
  }

  /// origin code -> [packets, ipBytes, flows, sources] from a JSON summary (of flow logs only, unless
  /// `withCaptures`).
  static func origins(_ json: [String: Any], withCaptures: Bool = false) -> [String: [Int]] {
    var out: [String: [Int]] = [:]
    for o in json["origins"] as? [[String: Any]] ?? [] {
      let values = ["packets", "ipBytes", "flows", "sources"].map { (o[$0] as? NSNumber)?.intValue ?? -1 }
      out[o["code"] as? String ?? "?"] = values
      // Flow records count their bytes once, as IP bytes and as wire bytes.
      if !withCaptures { #expect((o["wireBytes"] as? NSNumber)?.intValue == values[1]) }
    }
    return out
  }

  static func analyzeJSON(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, json: [String: Any], stderr: String) {
    let out = try origincheck(["analyze", "--db", testDB, "--format", "json"] + arguments, input: input)
    let json = (try? parseJSON(out.stdout) as? [String: Any]) ?? [:]
    return (out.status, json, out.stderr)
  }

  /// Per-country counts of each fixture with GeoDB/test: worked out from the fixture lines and the test
  /// database's ranges (5.8/16, 5.10/15, 77/11, 212/14 and 2a02:2378::/32 are UA; 5.9/16 DE; 62.0/16 GB;
  /// 131/8 and 2001:470::/32 US; 2a00:1450::/32 IE; 37/12 RU; 91/10 BY; 101/10 VN; 143/13 unknown).
  static let expected: [(file: String, format: String, records: Int, skipped: [String: Int], origins: [String: [Int]])] = [
    (
      "vpc-default.log", "vpc", 9, ["nodata": 1, "skipdata": 1],
      ["UA": [45, 18640, 3, 3], "private": [10, 8200, 1, 1], "GB": [1, 40, 1, 1], "US": [3, 228, 1, 1], "unknown": [2, 104, 1, 1]]
    ),
    (
      "vpc-custom-s3.log", "vpc", 6, ["nodata": 1],
      ["UA": [36, 15420, 2, 2], "private": [28, 41000, 1, 1], "RU": [4, 240, 1, 1], "unknown": [9, 9873, 1, 1]]
    ),
    ("zeek-conn.log", "zeek", 6, ["unset-counters": 1], ["UA": [32, 4168, 3, 2], "DE": [1, 70, 1, 1], "US": [1, 60, 1, 1]]),
    ("zeek-conn.json", "zeek-json", 6, ["unset-counters": 1], ["UA": [32, 4168, 3, 2], "DE": [1, 70, 1, 1], "US": [1, 60, 1, 1]]),
    ("eve.json", "eve", 7, ["not-flow-event": 3], ["UA": [19, 2758, 2, 2], "GB": [1, 85, 1, 1], "IE": [40, 52400, 1, 1]]),
    (
      "nfdump.csv", "nfdump-csv", 6, [:],
      ["UA": [5, 580, 2, 2], "DE": [2, 116, 2, 1], "US": [1, 28, 1, 1], "documentation": [1, 40, 1, 1]]
    ),
    (
      "nfdump.json", "nfdump-json", 6, [:],
      ["UA": [5, 580, 2, 2], "DE": [2, 116, 2, 1], "US": [1, 28, 1, 1], "documentation": [1, 40, 1, 1]]
    ),
    (
      "gcp-vpc-flows.json", "gcp", 7, ["not-flow-record": 2],
      ["UA": [41, 15644, 1, 1], "DE": [7, 980, 1, 1], "US": [3, 3600, 1, 1], "private": [238, 190400, 2, 1]]
    ),
    (
      "azure-nsg-v2.json", "azure-nsg", 9, [:],
      ["UA": [34, 17778, 1, 1], "GB": [12, 14400, 1, 1], "private": [9, 1200, 1, 1], "RU": [0, 0, 2, 2]]
    ),
    ("azure-nsg-v1.json", "azure-nsg", 4, [:], ["UA": [0, 0, 2, 2], "BY": [0, 0, 1, 1], "VN": [0, 0, 1, 1]]),
    ("azure-vnet.json", "azure-vnet", 9, [:], ["UA": [1083, 630048, 3, 3], "private": [3, 767, 1, 1], "DE": [0, 0, 1, 1]]),
    ("firewall-export.csv", "csv", 3, [:], ["UA": [12, 4800, 1, 1], "DE": [1, 76, 1, 1], "GB": [3, 180, 1, 1]]),
  ]

  @Test(arguments: expected.map(\.file))
  func eachFormatByOrigin(file: String) throws {
    let e = try #require(Self.expected.first { $0.file == file })
    let (status, json, stderr) = try Self.analyzeJSON([Self.fixture(file)])
    #expect(status == 0, "\(stderr)")
    #expect(stderr.isEmpty)
    let input = try #require((json["inputs"] as? [[String: Any]])?.first)
    #expect(input["format"] as? String == e.format)
    #expect((input["records"] as? NSNumber)?.intValue == e.records)
    #expect(input["damaged"] as? Bool == false)
    #expect((json["skipped"] as? [String: Int]) == e.skipped)
    #expect(Self.origins(json) == e.origins)
    let totals = try #require(json["totals"] as? [String: Any])
    #expect((totals["flows"] as? NSNumber)?.intValue == e.origins.values.reduce(0) { $0 + $1[2] })
    #expect((totals["records"] as? NSNumber)?.intValue == 0)
  }

  @Test func capturesAndFlowLogsInOneSummary() throws {
    let sample = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
    let files = [sample, Self.fixture("vpc-default.log"), Self.fixture("eve.json"), Self.fixture("azure-vnet.json")]
    let (status, json, stderr) = try Self.analyzeJSON(files)
    #expect(status == 0, "\(stderr)")
    let inputs = try #require(json["inputs"] as? [[String: Any]])
    #expect(inputs.map { $0["format"] as? String } == ["pcap", "vpc", "eve", "azure-vnet"])
    #expect(inputs.map { $0["path"] as? String } == files)
    // The one summary is the sum of the four read alone.
    var sum: [String: [Int]] = [:]
    var skipped: [String: Int] = [:]
    var packets = 0
    for file in files {
      let alone = try Self.analyzeJSON([file]).json
      for (code, c) in Self.origins(alone, withCaptures: file == sample) { sum[code] = zip(sum[code] ?? [0, 0, 0, 0], c).map { $0 + $1 } }
      skipped.merge(alone["skipped"] as? [String: Int] ?? [:], uniquingKeysWith: +)
      packets += ((alone["totals"] as? [String: Any])?["ipPackets"] as? NSNumber)?.intValue ?? -1
    }
    // Distinct sources do not add when an address appears in more than one input.
    let together = Self.origins(json, withCaptures: true)
    #expect(together.mapValues { Array($0.prefix(3)) } == sum.mapValues { Array($0.prefix(3)) })
    #expect((json["skipped"] as? [String: Int]) == skipped)
    #expect(((json["totals"] as? [String: Any])?["ipPackets"] as? NSNumber)?.intValue == packets)
    #expect(((json["totals"] as? [String: Any])?["records"] as? NSNumber)?.intValue == 5575)
  }

  @Test func malformedRecordsAreReportedAndCountedWithStatus65() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    var lines = try String(contentsOfFile: Self.fixture("vpc-default.log"), encoding: .utf8).split(separator: "\n").map(String.init)
    let good = lines[0]
    lines.insert(good.replacingOccurrences(of: "5.8.1.10", with: "5.8.1.999"), at: 1)
    for i in 0..<7 { lines.append(good.replacingOccurrences(of: " 12 ", with: " twelve\(i) ")) }
    lines.append(String(good.dropLast(3)))
    let path = dir.path("vpc.log")
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

    let out = try origincheck(["analyze", "--db", Self.testDB, "--format", "json", "--output", dir.path("s.json"), path])
    #expect(out.status == 65)
    let messages = out.stderr.split(separator: "\n").map(String.init)
    #expect(
      messages == [
        "origincheck: \(path): line 2: bad address '5.8.1.999' in srcaddr",
        "origincheck: \(path): line 11: packets is 'twelve0', not a count",
        "origincheck: \(path): line 12: packets is 'twelve1', not a count",
        "origincheck: \(path): line 13: packets is 'twelve2', not a count",
        "origincheck: \(path): line 14: packets is 'twelve3', not a count",
        "origincheck: \(path): 9 malformed records skipped (bad-address 1, bad-number 7, wrong-field-count 1); first at line 2: bad address '5.8.1.999' in srcaddr",
      ])
    let json = try #require(try parseJSON(String(contentsOfFile: dir.path("s.json"), encoding: .utf8)) as? [String: Any])
    let input = try #require((json["inputs"] as? [[String: Any]])?.first)
    #expect(input["damaged"] as? Bool == true)
    #expect((input["error"] as? String) == String(messages.last!.dropFirst("origincheck: ".count)))
    #expect((input["records"] as? NSNumber)?.intValue == 18)
    #expect((json["skipped"] as? [String: Int]) == ["nodata": 1, "skipdata": 1, "bad-address": 1, "bad-number": 7, "wrong-field-count": 1])
    // The good records all count.
    #expect(Self.origins(json) == Self.expected[0].origins)
  }

  @Test func nothingUsableIsUnreadable() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let allBad = dir.path("bad.log")
    try "version interface-id srcaddr dstaddr packets bytes start\n2 eni-1 5.8.1 10.0.0.1 1 40 1741600800\n2 eni-1 5.8.1.1 10.0.0.1 x 40 1741600800\n"
      .write(toFile: allBad, atomically: true, encoding: .utf8)
    let unknown = dir.path("notes.txt")
    try "meeting notes\nnothing to see\n".write(toFile: unknown, atomically: true, encoding: .utf8)
    let empty = dir.path("empty.log")
    try "".write(toFile: empty, atomically: true, encoding: .utf8)

    let bad = try origincheck(["analyze", "--db", Self.testDB, allBad])
    #expect(bad.status == 66)
    #expect(bad.stderr.contains("origincheck: \(allBad): line 2: bad address '5.8.1' in srcaddr\n"))
    #expect(bad.stderr.contains("origincheck: \(allBad): 2 malformed records skipped (bad-address 1, bad-number 1)"))

    let notes = try origincheck(["analyze", "--db", Self.testDB, unknown])
    #expect(notes.status == 66)
    #expect(
      notes.stderr
        == "origincheck: \(unknown): not a packet capture or a flow log in a known format (tried pcap, pcapng, vpc, zeek, zeek-json, eve, nfdump-csv, nfdump-json, gcp, azure, csv); first line 'meeting notes'\n"
    )
    let nothing = try origincheck(["analyze", "--db", Self.testDB, empty])
    #expect(nothing.status == 66)
    #expect(nothing.stderr == "origincheck: \(empty): not a packet capture or a flow log (empty)\n")

    // One unreadable input among readable ones: the rest is reported, status 65.
    let mixed = try origincheck(["analyze", "--db", Self.testDB, "--format", "json", unknown, Self.fixture("eve.json")])
    #expect(mixed.status == 65)
    let json = try #require(try parseJSON(mixed.stdout) as? [String: Any])
    #expect((json["inputs"] as? [[String: Any]])?.map { $0["format"] as? String } == ["unknown", "eve"])
  }

  @Test func inputFormatForcesOrRefuses() throws {
    let vpc = Self.fixture("vpc-default.log")
    let forced = try Self.analyzeJSON(["--input-format", "vpc", vpc])
    #expect(forced.status == 0)
    #expect(Self.origins(forced.json) == Self.expected[0].origins)

    let wrong = try origincheck(["analyze", "--db", Self.testDB, "--input-format", "zeek", vpc])
    #expect(wrong.status == 66)
    #expect(wrong.stderr == "origincheck: \(vpc): line 1: a Zeek log line before any #fields header\n")

    let sample = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
    let capture = try origincheck(["analyze", "--db", Self.testDB, "--input-format", "eve", sample])
    #expect(capture.status == 66)
    #expect(capture.stderr == "origincheck: \(sample): a pcap capture, not a eve flow log (--input-format eve)\n")

    let notCapture = try origincheck(["analyze", "--db", Self.testDB, "--input-format", "pcap", vpc])
    #expect(notCapture.status == 66)
    #expect(notCapture.stderr.contains("not a packet capture"))

    let usage = try origincheck(["analyze", "--input-format", "parquet", vpc])
    #expect(usage.status == 64)
  }

  @Test func columnsMapACSV() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("export.csv")
    try "When,Client,Octets,Note\n1741600800,5.8.0.1,400,\"a, b\"\n1741600801,62.0.0.2,100,\n"
      .write(toFile: path, atomically: true, encoding: .utf8)
    let mapped = try Self.analyzeJSON(["--columns", "src=Client,time=When,bytes=Octets", path])
    #expect(mapped.status == 0, "\(mapped.stderr)")
    #expect(Self.origins(mapped.json) == ["UA": [1, 400, 1, 1], "GB": [1, 100, 1, 1]])
    #expect((mapped.json["inputs"] as? [[String: Any]])?.first?["format"] as? String == "csv")

    let unmapped = try origincheck(["analyze", "--db", Self.testDB, path])
    #expect(unmapped.status == 66)
    #expect(unmapped.stderr.contains("for CSV give --columns src=COLUMN,time=COLUMN"))

    let missing = try origincheck(["analyze", "--db", Self.testDB, "--input-format", "csv", "--columns", "src=Client,time=Then", path])
    #expect(missing.status == 66)
    #expect(missing.stderr.contains("line 1: the CSV header has no column 'Then' (for time=)"))

    for bad in [["--columns", "src=Client"], ["--columns", "source=Client,time=When"], ["--input-format", "vpc", "--columns", "src=a,time=b"]] {
      let out = try origincheck(["analyze", "--db", Self.testDB] + bad + [path])
      #expect(out.status == 64, "\(bad)")
    }
  }

  @Test func standardInputAndGzip() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let plain = dir.path("eve.json")
    try FileManager.default.copyItem(atPath: Self.fixture("eve.json"), toPath: plain)
    #expect(try run("gzip", ["-k", "-n", plain]).status == 0)
    let gz = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
    for (arguments, input) in [([plain + ".gz"], nil), (["-"], gz), (["-"], try Data(contentsOf: URL(fileURLWithPath: plain)))] {
      let (status, json, stderr) = try Self.analyzeJSON(arguments, input: input)
      #expect(status == 0, "\(stderr)")
      let inputRecord = try #require((json["inputs"] as? [[String: Any]])?.first)
      #expect(inputRecord["format"] as? String == "eve")
      #expect(inputRecord["compressed"] as? Bool == (input == nil || input == gz))
      #expect(Self.origins(json) == ["UA": [19, 2758, 2, 2], "GB": [1, 85, 1, 1], "IE": [40, 52400, 1, 1]])
    }
    // A capture on standard input still reads as a capture.
    let sample = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
    let (status, json, _) = try Self.analyzeJSON(["-"], input: try Data(contentsOf: URL(fileURLWithPath: sample)))
    #expect(status == 0)
    #expect(((json["totals"] as? [String: Any])?["records"] as? NSNumber)?.intValue == 5575)
  }

  @Test func tableNamesFlowsAndSkips() throws {
    let out = try origincheck(["analyze", "--db", Self.testDB, Self.fixture("eve.json")])
    #expect(out.status == 0)
    let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines[0] == "\(Self.fixture("eve.json")): 4 flows, 60 IP packets (20 IPv4, 40 IPv6)")
    #expect(lines.contains("skipped records: 3 not-flow-event"))
    #expect(lines.contains("Bytes are wire bytes; a flow record's are its IP bytes."))
  }

  @Test func summaryOfFlowLogsValidatesAgainstTheSchema() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let damaged = dir.path("damaged.log")
    try (try String(contentsOfFile: Self.fixture("vpc-default.log"), encoding: .utf8) + "2 1 eni-1 5.8.1.1\n")
      .write(toFile: damaged, atomically: true, encoding: .utf8)
    let files = Self.expected.map { Self.fixture($0.file) } + [damaged, dir.path("missing.log")]
    let output = dir.path("summary.json")
    let out = try origincheck(
      ["analyze", "--db", Self.testDB, "--format", "json", "--output", output, "--claim", "UA:primary", "--bucket", "1m"] + files)
    #expect(out.status == 65)
    let schema = packageRoot.appendingPathComponent("docs/summary.schema.json").path
    let check = try run(
      "python3",
      ["-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))", output, schema])
    #expect(check.status == 0, "\(check.stderr.suffix(600))")
  }

  @Test func giantLineKeepsMemoryBounded() throws {
    // A 200 MB line among good records: one skip, and the process never holds the line.
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("giant.log")
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    let good = try String(contentsOfFile: Self.fixture("vpc-default.log"), encoding: .utf8)
    try handle.write(contentsOf: Data(good.utf8))
    let piece = Data(repeating: UInt8(ascii: "7"), count: 1 << 20)
    for _ in 0..<200 { try handle.write(contentsOf: piece) }
    try handle.write(contentsOf: Data("\n".utf8))
    try handle.write(contentsOf: Data(good.utf8))
    try handle.close()
    let measure = """
      import resource, subprocess, sys
      r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
      print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
      sys.stderr.write(r.stderr)
      """
    let out = try run("python3", ["-c", measure, try origincheckBinary(), "analyze", "--db", Self.testDB, path])
    let fields = out.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    #expect(fields.first == 65)
    #expect(out.stderr.contains("\(path): line 10: a line of \(200 << 20) bytes, over the limit of 1048576"))
    // Peak resident memory in kB: far below the line's 200 MB.
    let peak = try #require(fields.last)
    #expect(peak < 60_000, "peak RSS \(peak) kB")
  }
}
