import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Live capture for real: two network namespaces joined by a veth pair, `origincheck live` on one
/// end, a generated capture replayed by tcpreplay from the other, and the live summary checked
/// against `analyze` on the same capture and on the packets live saved.
@Suite(.serialized) struct LiveCaptureTests {
  static let rootOnly: ConditionTrait = .enabled(
    if: getuid() == 0,
    "live capture tests need root: network namespaces and veth links (CAP_SYS_ADMIN, CAP_NET_ADMIN) and packet capture (CAP_NET_RAW); CI runs them as root")

  @Test(rootOnly)
  func liveCountsEqualAnalyze() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let link = try VethPair()
    defer { link.cleanup() }
    let capture = try SharedCaptures.scenario("botnet-mostly-ua")
    let reference = try Self.analyze(capture)
    let packets = try #require((reference["totals"] as? [String: Any])?["records"] as? Int)

    let lines = dir.path("live.jsonl")
    let live = try link.startLive(
      ["--format", "json", "--count", "\(packets)", "--duration", "90s", "--interval", "1s", "--output", lines])
    try link.replay(capture, pps: 2000)
    let status = try live.wait(timeout: 60)
    #expect(status == 0, "\(live.stderr)")

    let summary = try #require(try parseJSON(live.stdout) as? [String: Any], "\(live.stdout.prefix(300))")
    let counts = summary["capture"] as? [String: Any]
    #expect(counts?["received"] as? Int == packets)
    #expect(counts?["dropped"] as? Int == 0)
    #expect((summary["totals"] as? [String: Any])?["records"] as? Int == packets)
    // tcpreplay sends the bytes the capture kept, so wire bytes differ; packets and sources do not.
    for key in ["origins", "continents"] {
      #expect(Self.packetsAndSources(summary, key) == Self.packetsAndSources(reference, key), "\(key)")
    }
    #expect(Self.packetsAndSources(summary, "origins")["country UA"]?.packets ?? 0 > 0)

    // Every line is a summary with the run's status under `live`; the last is the final report.
    let records = try Self.jsonLines(lines)
    #expect(records.count >= 2)
    #expect(records.dropLast().allSatisfy { Self.live($0)?["final"] as? Bool == false })
    #expect(Self.live(records.last)?["final"] as? Bool == true)
    #expect(Self.live(records.last)?["end"] as? String == "count")
    #expect(Self.live(records.last)?["records"] as? Int == packets)
    #expect(Self.withoutStatus(records.last) == Self.withoutStatus(summary))
  }

  @Test(rootOnly)
  func sigintGivesCompleteSummary() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let link = try VethPair()
    defer { link.cleanup() }
    let capture = try ClaimCommandTests.scenario("x-outage-2025-03-10", in: dir)
    let total = try #require((try Self.analyze(capture)["totals"] as? [String: Any])?["records"] as? Int)
    let saved = dir.path("saved.pcap")
    let lines = dir.path("live.jsonl")
    let output = dir.path("final.json")
    let live = try link.startLive([
      "--format", "json", "--interval", "500ms", "--duration", "120s", "--output", lines, "--write", saved, "--snaplen", "512",
      "--claim", "ukraine-area:primary",
    ])
    let replay = try BackgroundProcess("ip", ["netns", "exec", link.client, "tcpreplay", "-q", "-i", link.clientLink, "--pps", "5000", capture])
    // Interrupt once some packets were counted, well before the replay ends.
    let deadline = Date().addingTimeInterval(40)
    while Date() < deadline, (try? Self.jsonLines(lines))?.last.flatMap(Self.records) ?? 0 < 1000 { usleep(100_000) }
    let status = try live.stop(signal: SIGINT, timeout: 60)
    #expect(status == 0, "\(live.stderr)")
    _ = try? replay.stop(signal: SIGKILL)
    try live.stdout.write(toFile: output, atomically: true, encoding: .utf8)

    let summary = try #require(try parseJSON(live.stdout) as? [String: Any], "\(live.stdout.prefix(300))")
    let records = try #require((summary["totals"] as? [String: Any])?["records"] as? Int)
    #expect(records >= 1000 && records < total, "SIGINT came after \(records) of \(total) packets")
    let schema = packageRoot.appendingPathComponent("docs/summary.schema.json").path
    let check = try run(
      "python3",
      ["-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))", output, schema])
    #expect(check.status == 0, "\(check.stderr.suffix(600))")

    // `report` reads the live summary back, capture counts included, and writes it again unchanged
    // (without the run's status, which is not part of the summary).
    let reread = try origincheck(["report", "--format", "json", output])
    #expect(reread.status == 0, "\(reread.stderr)")
    #expect(Self.withoutStatus(try parseJSON(reread.stdout) as? [String: Any]) == Self.withoutStatus(summary))

    // The saved packets are exactly the counted ones: analyze and tshark read the same number.
    let again = try Self.analyze(saved)
    #expect((again["totals"] as? [String: Any])?["records"] as? Int == records)
    for key in ["origins", "continents"] {
      #expect(Self.packetsAndSources(again, key) == Self.packetsAndSources(summary, key), "\(key)")
    }
    let tshark = try run("tshark", ["-r", saved, "-T", "fields", "-e", "frame.number"])
    #expect(tshark.status == 0, "\(tshark.stderr)")
    #expect(tshark.stdout.split(separator: "\n").count == records)

    let lastLine = try #require(try Self.jsonLines(lines).last)
    #expect(Self.live(lastLine)?["final"] as? Bool == true)
    #expect(Self.live(lastLine)?["end"] as? String == "SIGINT")
    #expect(Self.withoutStatus(lastLine) == Self.withoutStatus(summary))
    let claim = try #require((summary["claims"] as? [[String: Any]])?.first)
    let drops = (claim["findings"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "capture-drops" }
    let dropped = (summary["capture"] as? [String: Any])?["dropped"] as? Int ?? -1
    #expect(drops?["severity"] as? String == (dropped == 0 ? "info" : "weakens"), "\(drops ?? [:]) with \(dropped) dropped")
  }

  @Test(rootOnly)
  func metricsAreServedDuringTheRun() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let link = try VethPair()
    defer { link.cleanup() }
    let capture = try SharedCaptures.scenario("botnet-mostly-ua")
    let analyzed = try Self.analyze(capture)
    let reference = Self.packetsAndSources(analyzed, "origins")
    let total = try #require((analyzed["totals"] as? [String: Any])?["records"] as? Int)
    let ukraine = try #require(reference["country UA"]?.packets)
    let live = try link.startLive(
      ["--format", "json", "--interval", "500ms", "--duration", "120s", "--metrics", "127.0.0.1:0", "--claim", "UA:primary"])
    let url = try live.waitForStderr(#"metrics at (http://\S+)"#, timeout: 60)

    try link.replay(capture, pps: 3000)
    // Scrape with curl in the capturing namespace until the interval after the replay shows it all.
    var text = ""
    let deadline = Date().addingTimeInterval(40)
    while Date() < deadline {
      text = try link.inServer(["curl", "-sS", "--max-time", "5", url]).stdout
      if text.contains("origincheck_packets_total{country=\"UA\",continent=\"EU\",kind=\"country\"} \(ukraine)\n") { break }
      usleep(200_000)
    }
    #expect(text.contains("origincheck_packets_total{country=\"UA\",continent=\"EU\",kind=\"country\"} \(ukraine)\n"), "\(text.prefix(2000))")
    // prometheus_client's own parser reads the exposition; every country's packets equal analyze's.
    let parsed = try run(
      "python3",
      [
        "-c",
        """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(open(sys.argv[1]).read()):
            for s in family.samples:
                out.setdefault(s.name, []).append([s.labels, s.value])
        print(json.dumps(out))
        """,
        try Self.write(text, to: dir.path("metrics.txt")),
      ])
    #expect(parsed.status == 0, "\(parsed.stderr)")
    let samples = try #require(try parseJSON(parsed.stdout) as? [String: [[Any]]])
    var scraped: [String: Int] = [:]
    for sample in samples["origincheck_packets_total"] ?? [] {
      if let labels = sample[0] as? [String: String], labels["kind"] == "country", let code = labels["country"], let value = sample[1] as? Double {
        scraped["country \(code)"] = Int(value)
      }
    }
    #expect(scraped == reference.filter { $0.key.hasPrefix("country ") }.mapValues(\.packets))
    #expect(samples["origincheck_capture_received_total"]?.first?[1] as? Double == Double(total))
    let verdict = samples["origincheck_claim_verdict"]?.first
    #expect((verdict?[0] as? [String: String])?["claim"] == "UA:primary")

    // Only GET and HEAD of /metrics are served.
    let base = String(url.dropLast("/metrics".count))
    #expect(try link.inServer(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", base + "/other"]).stdout == "404")
    #expect(try link.inServer(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url]).stdout == "405")
    #expect(try link.inServer(["curl", "-s", "-I", "-o", "/dev/null", "-w", "%{http_code}", url]).stdout == "200")

    let status = try live.stop(signal: SIGINT, timeout: 60)
    #expect(status == 0, "\(live.stderr)")
    let summary = try #require(try parseJSON(live.stdout) as? [String: Any])
    let final = (summary["claims"] as? [[String: Any]])?.first?["verdict"] as? String
    let gauge = verdict?[1] as? Double
    #expect(gauge == (final == "holds" ? 1 : final == "does not hold" ? 0 : -1), "gauge \(gauge ?? .nan), verdict \(final ?? "none")")
  }

  @Test(rootOnly)
  func intervalsFireOnAQuietInterface() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let link = try VethPair()
    defer { link.cleanup() }
    let lines = dir.path("quiet.jsonl")
    let started = Date()
    let out = try link.inServer([
      try origincheckBinary(), "live", "--interface", "lo", "--db", try ClaimCommandTests.defaultDatabase(), "--format", "json",
      "--interval", "300ms", "--duration", "2s", "--output", lines,
    ])
    let seconds = Date().timeIntervalSince(started)
    #expect(out.status == 0, "\(out.stderr)")
    #expect(seconds < 60, "a 2-second run took \(seconds) s")
    let records = try Self.jsonLines(lines)
    #expect(records.filter { Self.live($0)?["final"] as? Bool == false }.count >= 5, "\(records.count) records")
    #expect(Self.live(records.last)?["end"] as? String == "duration")
    let summary = try #require(try parseJSON(out.stdout) as? [String: Any])
    #expect((summary["totals"] as? [String: Any])?["records"] as? Int == 0)
    #expect((summary["capture"] as? [String: Any])?["interface"] as? String == "lo")
  }

  @Test(rootOnly)
  func unknownInterfaceBadFilterAndNoPermissionAreOneLine() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let link = try VethPair()
    defer { link.cleanup() }
    let binary = try origincheckBinary()
    let db = try ClaimCommandTests.defaultDatabase()

    let unknown = try link.inServer([binary, "live", "--interface", "nosuch0", "--db", db])
    #expect(unknown.status == 66)
    #expect(Self.oneLine(unknown.stderr), "\(unknown.stderr)")
    #expect(unknown.stderr.contains("nosuch0: no such interface; available:"))
    #expect(unknown.stderr.contains(link.serverLink), "the namespace's interfaces are listed: \(unknown.stderr)")

    let filter = try link.inServer([binary, "live", "--interface", link.serverLink, "--db", db, "--filter", "tcp and and"])
    #expect(filter.status == 64)
    #expect(Self.oneLine(filter.stderr), "\(filter.stderr)")
    #expect(filter.stderr.hasPrefix("origincheck: filter 'tcp and and': "), "\(filter.stderr)")

    // Without root: a copy of the binary and a database that `nobody` can read.
    let copy = dir.path("origincheck")
    try FileManager.default.copyItem(atPath: binary, toPath: copy)
    let smallDB = dir.path("country.mmdb")
    try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path, toPath: smallDB)
    for path in [dir.url.path, copy, smallDB] {
      try FileManager.default.setAttributes([.posixPermissions: path == smallDB ? 0o644 : 0o755], ofItemAtPath: path)
    }
    let denied = try run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", copy, "live", "--interface", "lo", "--db", smallDB])
    #expect(denied.status == 66)
    #expect(Self.oneLine(denied.stderr), "\(denied.stderr)")
    #expect(denied.stderr.contains("needs root or CAP_NET_RAW"), "\(denied.stderr)")
    #expect(denied.stderr.contains("setcap cap_net_raw,cap_net_admin=eip "), "\(denied.stderr)")
  }

  /// Options are checked before anything is opened: no root needed.
  @Test(arguments: [
    (["--interval", "10ms"], "--interval '10ms'"),
    (["--metrics", "localhost"], "--metrics 'localhost'"),
    (["--metrics", "example.org:9464"], "--metrics 'example.org:9464'"),
    (["--buffer-size", "lots"], "--buffer-size 'lots'"),
    (["--snaplen", "0"], "--snaplen"),
    (["--count", "0"], "--count"),
    (["--claim", "UA:mostly"], "UA:mostly"),
  ])
  func badOptionsAreUsageErrors(arguments: [String], mentions: String) throws {
    let out = try origincheck(["live", "--interface", "lo"] + arguments)
    #expect(out.status == 64, "\(arguments): \(out.stderr)")
    #expect(Self.oneLine(out.stderr), "\(out.stderr)")
    #expect(out.stderr.contains(mentions), "\(out.stderr)")
  }

  // MARK: Helpers

  static func analyze(_ file: String) throws -> [String: Any] {
    let out = try origincheck(["analyze", "--db", try ClaimCommandTests.defaultDatabase(), "--format", "json", file])
    guard out.status == 0, let json = try parseJSON(out.stdout) as? [String: Any] else {
      throw TestSupportError("analyze \(file): \(out.stderr)")
    }
    return json
  }

  /// `"country UA"` to its packets and sources, from `origins` or `continents`.
  static func packetsAndSources(_ summary: [String: Any], _ key: String) -> [String: Counts] {
    var out: [String: Counts] = [:]
    for o in summary[key] as? [[String: Any]] ?? [] {
      out["\(o["kind"] as? String ?? "") \(o["code"] as? String ?? "")"] = Counts(
        packets: o["packets"] as? Int ?? -1, sources: o["sources"] as? Int ?? -1)
    }
    return out
  }

  struct Counts: Equatable {
    var packets: Int
    var sources: Int
  }

  static func jsonLines(_ path: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").map {
      guard let object = try parseJSON(String($0)) as? [String: Any] else { throw TestSupportError("not an object: \($0.prefix(100))") }
      return object
    }
  }

  static func records(_ line: [String: Any]) -> Int? {
    (line["totals"] as? [String: Any])?["records"] as? Int
  }

  /// The run's status object of a summary line.
  static func live(_ line: [String: Any]?) -> [String: Any]? { line?["live"] as? [String: Any] }

  /// A summary without the run's status, for comparing summaries written at different moments.
  static func withoutStatus(_ summary: [String: Any]?) -> NSDictionary? {
    guard var summary else { return nil }
    summary["live"] = nil
    return summary as NSDictionary
  }

  static func oneLine(_ text: String) -> Bool {
    text.hasSuffix("\n") && text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).count == 1
  }

  static func write(_ text: String, to path: String) throws -> String {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }
}

/// Scenario captures generated once per test process (`capgen` takes seconds in a debug build),
/// in a directory removed when the process exits.
enum SharedCaptures {
  private static let lock = NSLock()
  nonisolated(unsafe) private static var made: [String: String] = [:]
  nonisolated(unsafe) private static var directory: TemporaryDirectory? = nil

  static func scenario(_ name: String) throws -> String {
    lock.lock()
    defer { lock.unlock() }
    if let path = made[name] { return path }
    let dir: TemporaryDirectory
    if let directory {
      dir = directory
    } else {
      dir = try TemporaryDirectory()
      directory = dir
      atexit { SharedCaptures.directory?.cleanup() }
    }
    let path = try ClaimCommandTests.scenario(name, in: dir)
    made[name] = path
    return path
  }
}

/// Two network namespaces joined by a veth pair, with IPv6 off (no router or neighbour
/// solicitations on the link) and an address from 10.0.0.0/8 on each end: `live` captures on the
/// server end, tcpreplay sends from the client end. Removed with `cleanup()`.
struct VethPair {
  let tag: String
  var server: String { "oc\(tag)-srv" }
  var client: String { "oc\(tag)-cli" }
  var serverLink: String { "oc\(tag)s" }
  var clientLink: String { "oc\(tag)c" }

  init() throws {
    tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    do {
      try Self.ip(["netns", "add", server])
      try Self.ip(["netns", "add", client])
      try Self.ip(["link", "add", serverLink, "netns", server, "type", "veth", "peer", "name", clientLink, "netns", client])
      for (namespace, link, address) in [(server, serverLink, "10.77.0.1/30"), (client, clientLink, "10.77.0.2/30")] {
        try Self.check(run("ip", ["netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]))
        try Self.check(run("ip", ["netns", "exec", namespace, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1"]))
        try Self.ip(["-n", namespace, "link", "set", "lo", "up"])
        try Self.ip(["-n", namespace, "address", "add", address, "dev", link])
        try Self.ip(["-n", namespace, "link", "set", link, "up"])
      }
    } catch {
      cleanup()
      throw error
    }
  }

  func cleanup() {
    _ = try? run("ip", ["netns", "delete", server])
    _ = try? run("ip", ["netns", "delete", client])
  }

  /// Starts `origincheck live` on the server end; returns once it is capturing.
  func startLive(_ arguments: [String]) throws -> BackgroundProcess {
    let live = try BackgroundProcess(
      "ip",
      ["netns", "exec", server, try origincheckBinary(), "live", "--interface", serverLink, "--db", try ClaimCommandTests.defaultDatabase()]
        + arguments)
    _ = try live.waitForStderr("capturing on", timeout: 60)
    return live
  }

  /// Sends a capture from the client end at `pps` packets per second.
  func replay(_ capture: String, pps: Int) throws {
    try Self.check(run("ip", ["netns", "exec", client, "tcpreplay", "-q", "-i", clientLink, "--pps", "\(pps)", capture]))
  }

  /// Runs a command in the server's namespace.
  func inServer(_ command: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try run("ip", ["netns", "exec", server] + command)
  }

  static func ip(_ arguments: [String]) throws { try check(run("ip", arguments)) }

  static func check(_ result: (status: Int32, stdout: String, stderr: String)) throws {
    guard result.status == 0 else { throw TestSupportError("exit \(result.status): \(result.stderr)") }
  }
}
