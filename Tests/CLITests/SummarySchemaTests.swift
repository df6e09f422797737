import Foundation
import TestSupport
import Testing

/// The JSON summary is a contract: every variant validates against docs/summary.schema.json.
@Suite struct SummarySchemaTests {
  @Test(arguments: [
    [String](),
    ["--claim", "ukraine-area:primary", "--claim", "UA:share>=1%:packets", "--bucket", "5m"],
    ["--claim", "eu:significant", "--window", "2025-03-10T05:30:00-04:00/2025-03-10T06:20:00-04:00"],
    ["--claim", "UA:primary", "--baseline", "Samples/x-outage-baseline.pcap", "--target", "104.244.42.0/24"],
    ["--asn-db", "GeoDB/test/asn.mmdb", "--by", "asn"],
    ["--asn-db", "GeoDB/test/asn.mmdb", "--claim", "AS15895:significant", "--baseline", "Samples/x-outage-baseline.pcap", "--bucket", "1h"],
    ["--db", "GeoDB/third-party/good/GeoIP2-City-Test.mmdb", "--claim", "within:150km:51.5072,-0.1276:primary", "--bucket", "2h"],
  ])
  func summaryValidates(extra: [String]) throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let output = dir.path("summary.json")
    let extra = extra.map { $0.hasPrefix("Samples/") || $0.hasPrefix("GeoDB/") ? packageRoot.appendingPathComponent($0).path : $0 }
    let sample = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.pcap").path
    let out = try origincheck(["analyze", "--format", "json", "--output", output] + extra + [sample])
    #expect(out.status == 0, "\(out.stderr)")
    let schema = packageRoot.appendingPathComponent("docs/summary.schema.json").path
    let check = try run(
      "python3",
      ["-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))", output, schema])
    #expect(check.status == 0, "\(extra): \(check.stderr.suffix(600))")
  }

  /// The report tests' fixture validates, and the schema rejects it with a required part removed.
  @Test func fixtureValidatesAndDamageDoesNot() throws {
    let fixture = packageRoot.appendingPathComponent("Tests/ReportTests/Fixtures/summary.json").path
    let schema = packageRoot.appendingPathComponent("docs/summary.schema.json").path
    let script = """
      import json, sys, jsonschema
      schema = json.load(open(sys.argv[2]))
      doc = json.load(open(sys.argv[1]))
      jsonschema.validate(doc, schema)
      damaged = []
      for path in [("robustOrigins",), ("evidence", "sourcesByHops"), ("baseline", "evidence"), ("claims", 0, "originKind")]:
          d = json.loads(json.dumps(doc))
          target = d
          for k in path[:-1]:
              target = target[k]
          del target[path[-1]]
          try:
              jsonschema.validate(d, schema)
          except jsonschema.ValidationError:
              damaged.append("/".join(map(str, path)))
      print(",".join(damaged))
      """
    let check = try run("python3", ["-c", script, fixture, schema])
    #expect(check.status == 0, "\(check.stderr.suffix(600))")
    #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "robustOrigins,evidence/sourcesByHops,baseline/evidence,claims/0/originKind")
  }
}
