import Foundation
import TestSupport
import Testing

/// Flow logs written by independent tools from a generated capture count the same as the capture:
/// nfdump's flows (nfpcapd builds them from the capture, `nfdump -o csv` and `-o json` print them) and
/// tshark's per-packet CSV give, per country, the packets, IP bytes and distinct sources `analyze`
/// finds in the capture itself, and as many flows as nfdump made.
@Suite(.serialized) struct FlowLogCrossCheckTests {
  static func defaultDB() throws -> String {
    let path = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
    guard FileManager.default.fileExists(atPath: path) else {
      throw TestSupportError("\(path) is missing: run Tools/setup to build the default country database")
    }
    return path
  }

  static func capgen(_ scenario: String, into dir: TemporaryDirectory) throws -> String {
    let tool = try origincheckBinary().replacingOccurrences(of: "/origincheck", with: "/capgen")
    let path = dir.path("\(scenario).pcap")
    let out = try run(tool, ["scenario", scenario, "--output", path])
    try #require(out.status == 0, "capgen: \(out.stderr)")
    return path
  }

  /// kind:code -> [packets, bytes, sources, flows]; bytes are IP bytes.
  static func byOrigin(_ file: String, db: String) throws -> (origins: [String: [Int]], totals: [String: Any]) {
    let out = try origincheck(["analyze", "--db", db, "--format", "json", file])
    try #require(out.status == 0, "analyze \(file): \(out.stderr)")
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    var origins: [String: [Int]] = [:]
    for o in json["origins"] as? [[String: Any]] ?? [] {
      let key = "\(o["kind"] as? String ?? "?"):\(o["code"] as? String ?? "?")"
      origins[key] = ["packets", "ipBytes", "sources", "flows"].map { (o[$0] as? NSNumber)?.intValue ?? -1 }
    }
    return (origins, json["totals"] as? [String: Any] ?? [:])
  }

  /// An hour of worldwide clients and a botnet with a UA burst; and UDP reflection from its service ports.
  @Test(arguments: ["ua-surge-in-burst", "reflection"])
  func flowLogsOfToolsCountLikeTheCapture(scenario: String) throws {
    let db = try Self.defaultDB()
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = try Self.capgen(scenario, into: dir)
    let reference = try Self.byOrigin(capture, db: db)
    try nfdumpFlows(capture, reference: reference, db: db, dir: dir)
    try tsharkPackets(capture, reference: reference, db: db, dir: dir)
  }

  func nfdumpFlows(
    _ capture: String, reference: (origins: [String: [Int]], totals: [String: Any]), db: String, dir: TemporaryDirectory
  ) throws {
    let flowDir = dir.path("nfcapd")
    try FileManager.default.createDirectory(atPath: flowDir, withIntermediateDirectories: true)
    let collected = try run("nfpcapd", ["-r", capture, "-w", flowDir, "-t", "86400"])
    try #require(collected.status == 0, "nfpcapd: \(collected.stderr)")
    // nfdump prints local time; with TZ=UTC it is UTC, as OriginCheck reads it.
    let csv = try run("env", ["TZ=UTC", "nfdump", "-R", flowDir, "-o", "csv"])
    let json = try run("env", ["TZ=UTC", "nfdump", "-R", flowDir, "-o", "json"])
    try #require(csv.status == 0 && json.status == 0, "nfdump: \(csv.stderr) \(json.stderr)")
    try csv.stdout.write(toFile: dir.path("flows.csv"), atomically: true, encoding: .utf8)
    try json.stdout.write(toFile: dir.path("flows.json"), atomically: true, encoding: .utf8)

    // nfdump's own summary: flows, bytes, packets.
    let lines = csv.stdout.split(separator: "\n").map(String.init)
    let summaryAt = try #require(lines.firstIndex(of: "Summary"))
    let summary = lines[summaryAt + 2].split(separator: ",").compactMap { Int($0) }

    for flows in [dir.path("flows.csv"), dir.path("flows.json")] {
      let got = try Self.byOrigin(flows, db: db)
      #expect(got.origins.count == reference.origins.count, "\(flows)")
      for (origin, counts) in reference.origins {
        #expect(got.origins[origin].map { Array($0.prefix(3)) } == Array(counts.prefix(3)), "\(origin) in \(flows)")
      }
      #expect((got.totals["flows"] as? NSNumber)?.intValue == summary[0])
      #expect((got.totals["ipBytes"] as? NSNumber)?.intValue == summary[1])
      #expect((got.totals["ipPackets"] as? NSNumber)?.intValue == summary[2])
      #expect((got.totals["ipPackets"] as? NSNumber) == (reference.totals["ipPackets"] as? NSNumber))
      #expect((got.totals["sources"] as? NSNumber) == (reference.totals["sources"] as? NSNumber))
      #expect((got.totals["firstSeen"] as? String)?.prefix(19) == (reference.totals["firstSeen"] as? String)?.prefix(19))
    }
  }

  func tsharkPackets(
    _ capture: String, reference: (origins: [String: [Int]], totals: [String: Any]), db: String, dir: TemporaryDirectory
  ) throws {
    // One quoted CSV row per IPv4 packet (the scenarios have no IPv6), with a header naming tshark's fields.
    let out = try run(
      "tshark",
      [
        "-r", capture, "-Y", "ip", "-T", "fields", "-E", "header=y", "-E", "separator=,", "-E", "quote=d", "-E", "occurrence=f",
        "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto", "-e", "ip.len",
      ])
    try #require(out.status == 0, "tshark: \(out.stderr)")
    let path = dir.path("packets.csv")
    try out.stdout.write(toFile: path, atomically: true, encoding: .utf8)
    let got = try Self.byOrigin(path, db: db)
    #expect(got.origins.count == reference.origins.count)
    for (origin, counts) in reference.origins {
      #expect(got.origins[origin].map { Array($0.prefix(3)) } == Array(counts.prefix(3)), "\(origin)")
    }
    // Each row is one packet and one record.
    #expect((got.totals["flows"] as? NSNumber) == (reference.totals["ipPackets"] as? NSNumber))
  }
}
