import Foundation
import TestSupport
import Testing

/// `origincheck merge`: the summaries of parts of a capture merge into the summary of the whole.
@Suite struct MergeCommandTests {
  static let sample = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.pcap").path
  static let asnDB = packageRoot.appendingPathComponent("GeoDB/test/asn.mmdb").path
  static let analyzeArguments = [
    "analyze", "--format", "json", "--bucket", "30m", "--claim", "ukraine-area:primary", "--asn-db", asnDB,
    "--window", "2025-03-10T12:00:00Z/2025-03-10T14:00:00Z",
  ]

  /// The sample cut into parts by packet ranges with editcap (from tshark's package).
  static func parts(_ dir: TemporaryDirectory, ranges: [String]) throws -> [String] {
    try ranges.enumerated().map { i, range in
      let path = dir.path("part\(i).pcap")
      let out = try run("editcap", ["-r", sample, path, range])
      try #require(out.status == 0, "\(out.stderr)")
      return path
    }
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try parseJSON(text) as? [String: Any])
  }

  /// Whether each origin's source set in `distinct` is exact (true) or a sketch, by "kind:code".
  static func exactSets(_ summary: [String: Any], _ section: String) -> [String: Bool] {
    let distinct = summary["distinct"] as? [String: Any] ?? [:]
    var out: [String: Bool] = [:]
    for item in distinct[section] as? [[String: Any]] ?? [] {
      let set = item["set"] as? [String: Any] ?? [:]
      out["\(item["kind"] ?? ""):\(item["code"] ?? "")"] = set["ipv4"] != nil
    }
    return out
  }

  /// Exact counters equal; sources equal where the whole run's set is exact, within three standard
  /// errors of the sketch where it is not.
  static func compareOrigins(_ whole: [[String: Any]], _ merged: [[String: Any]], exact: [String: Bool], asn: Bool, _ what: String) {
    let bound = 3 * 1.04 / (asn ? 16.0 : 64.0)
    #expect(whole.count == merged.count, "\(what): origin count")
    for w in whole {
      let key = "\(w["kind"] ?? ""):\(w["code"] ?? "")"
      guard let m = merged.first(where: { "\($0["kind"] ?? ""):\($0["code"] ?? "")" == key }) else {
        Issue.record("\(what): \(key) missing from the merged summary")
        continue
      }
      for field in ["packets", "wireBytes", "ipBytes", "flows"] {
        #expect(w[field] as? Int == m[field] as? Int, "\(what) \(key) \(field)")
      }
      let ws = w["sources"] as? Int ?? -1
      let ms = m["sources"] as? Int ?? -2
      if exact[key] ?? (ws <= 1024) {
        #expect(ws == ms, "\(what) \(key) sources")
      } else {
        #expect(abs(Double(ms - ws)) / Double(ws) <= bound, "\(what) \(key) sources \(ms) vs \(ws)")
      }
    }
  }

  @Test(arguments: [["1-11000", "11001-22752"], ["1-5000", "5001-5001", "5002-17000", "17001-22752"]])
  func partsMergeIntoTheWhole(ranges: [String]) throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let whole = try origincheck(Self.analyzeArguments + [Self.sample])
    try #require(whole.status == 0, "\(whole.stderr)")
    var summaries: [String] = []
    for (i, part) in try Self.parts(dir, ranges: ranges).enumerated() {
      let out = try origincheck(Self.analyzeArguments + ["--output", dir.path("s\(i).json"), part])
      try #require(out.status == 0, "\(out.stderr)")
      summaries.append(dir.path("s\(i).json"))
    }
    let merged = try origincheck(["merge", "--format", "json"] + summaries)
    try #require(merged.status == 0, "\(merged.stderr)")
    let w = try Self.json(whole.stdout)
    let m = try Self.json(merged.stdout)

    let wt = try #require(w["totals"] as? [String: Any])
    let mt = try #require(m["totals"] as? [String: Any])
    for field in ["records", "ipPackets", "ipv4Packets", "ipv6Packets", "wireBytes", "ipBytes", "firstSeen", "lastSeen"] {
      #expect("\(wt[field] ?? "")" == "\(mt[field] ?? "")", "totals \(field)")
    }
    let total = try #require(wt["sources"] as? Int)
    let estimate = try #require(mt["sources"] as? Int)
    #expect(abs(Double(estimate - total)) / Double(total) <= 3 * 1.04 / 64)

    Self.compareOrigins(w["origins"] as? [[String: Any]] ?? [], m["origins"] as? [[String: Any]] ?? [], exact: Self.exactSets(w, "origins"), asn: false, "origins")
    Self.compareOrigins(w["continents"] as? [[String: Any]] ?? [], m["continents"] as? [[String: Any]] ?? [], exact: Self.exactSets(w, "continents"), asn: false, "continents")
    Self.compareOrigins(w["asns"] as? [[String: Any]] ?? [], m["asns"] as? [[String: Any]] ?? [], exact: Self.exactSets(w, "asns"), asn: true, "asns")

    let wb = try #require(w["buckets"] as? [[String: Any]])
    let mb = try #require(m["buckets"] as? [[String: Any]])
    #expect(wb.count == mb.count)
    for (a, b) in zip(wb, mb) {
      #expect(a["start"] as? String == b["start"] as? String)
      Self.compareOrigins(a["origins"] as? [[String: Any]] ?? [], b["origins"] as? [[String: Any]] ?? [], exact: [:], asn: false, "bucket \(a["start"] ?? "")")
    }
    let wbursts = (w["bursts"] as? [[String: Any]] ?? []).map { "\($0["start"] ?? "")/\($0["end"] ?? "")" }
    let mbursts = (m["bursts"] as? [[String: Any]] ?? []).map { "\($0["start"] ?? "")/\($0["end"] ?? "")" }
    #expect(wbursts == mbursts)
    let ww = try #require(w["window"] as? [String: Any])
    let mw = try #require(m["window"] as? [String: Any])
    Self.compareOrigins(ww["origins"] as? [[String: Any]] ?? [], mw["origins"] as? [[String: Any]] ?? [], exact: [:], asn: false, "window")

    let claim = try #require((m["claims"] as? [[String: Any]])?.first)
    #expect(claim["verdict"] as? String == "does not hold")
    #expect((m["distinct"] as? [String: Any])?["runs"] as? Int == ranges.count)

    // The merged summary is itself a summary: it renders, and merges again.
    let again = try origincheck(["merge", "--format", "markdown", dir.path("s0.json"), "-"], input: Data(merged.stdout.utf8))
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("Ukraine"))
  }

  @Test func incompatibleAndDamagedSummariesAreOneLineErrors() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let a = try origincheck(["analyze", "--format", "json", "--bucket", "30m", "--output", dir.path("a.json"), Self.sample])
    let b = try origincheck(["analyze", "--format", "json", "--bucket", "10m", "--output", dir.path("b.json"), Self.sample])
    try #require(a.status == 0 && b.status == 0)
    let widths = try origincheck(["merge", dir.path("a.json"), dir.path("b.json")])
    #expect(widths.status == 65)
    #expect(widths.stderr.contains("--bucket width"))
    #expect(widths.stderr.split(separator: "\n").count == 1)

    let text = try String(contentsOfFile: dir.path("a.json"), encoding: .utf8)
    try String(text.prefix(text.count / 2)).write(toFile: dir.path("cut.json"), atomically: true, encoding: .utf8)
    let cut = try origincheck(["merge", dir.path("a.json"), dir.path("cut.json")])
    #expect(cut.status == 66)
    #expect(cut.stderr.hasPrefix("origincheck: \(dir.path("cut.json")):"))
    #expect(cut.stderr.split(separator: "\n").count == 1)

    try text.replacingOccurrences(of: "\"hash\": \"murmur3-fmix64\"", with: "\"hash\": \"siphash\"")
      .write(toFile: dir.path("otherhash.json"), atomically: true, encoding: .utf8)
    let hash = try origincheck(["merge", dir.path("a.json"), dir.path("otherhash.json")])
    #expect(hash.status == 66)
    #expect(hash.stderr.contains("distinct.hash"))

    try text.replacingOccurrences(of: "\"schemaVersion\": 2", with: "\"schemaVersion\": 3")
      .write(toFile: dir.path("newer.json"), atomically: true, encoding: .utf8)
    let newer = try origincheck(["merge", dir.path("newer.json"), dir.path("a.json")])
    #expect(newer.status == 66)
    #expect(newer.stderr.contains("schema"))
  }
}
