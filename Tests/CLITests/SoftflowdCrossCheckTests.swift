import Foundation
import NetCore
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The collector against independent tools, end to end on loopback: softflowd (Debian) turns a
/// generated capture into NetFlow v5, v9 or IPFIX and exports every flow to `origincheck collect`
/// and to nfcapd (Debian) at once; then
/// - per origin, `collect` and nfdump's records (`nfdump -o json`, sources classified with Python's
///   `maxminddb` against the same database) agree on flows, packets, bytes and distinct sources;
/// - `collect` saw every datagram and record softflowd says it exported;
/// - per origin, packets and sources equal `analyze` on the original capture, and bytes equal
///   analyze's IP bytes plus Ethernet padding: softflowd counts each frame's length less its
///   14-byte Ethernet header (so `wireBytes - 14 * packets`); on a capture without padded frames
///   (the reflection scenario) that is exactly analyze's IP bytes.
@Suite(.serialized) struct SoftflowdCrossCheckTests {
  static let script = packageRoot.appendingPathComponent("Tools/crosscheck-netflow.py").path

  /// A generated capture, exported as each of `versions` (10: IPFIX) in turn, then as each of
  /// `sampledVersions` with softflowd sampling 1 packet in 10. NetFlow v5 carries IPv4 only: for
  /// it the capture is cut to its IPv4 packets first (tcpdump).
  ///
  /// Sampling (`softflowd -s 10`) is stated in the v5 header and, for v9 and IPFIX, in options
  /// records (IPFIX: samplingPacketInterval 1, samplingPacketSpace 9). `collect` multiplies packets
  /// and bytes by 10 and says so in the summary; nfdump 1.7 scales v5 alike but stores v9 and
  /// IPFIX records unscaled, so there `collect` counts 10 times nfdump's packets and bytes.
  struct Case: Sendable, CustomTestStringConvertible {
    var scenario: String
    var versions: [Int]
    var sampledVersions: [Int] = []
    var testDescription: String {
      func names(_ v: [Int]) -> String { v.map { $0 == 10 ? "IPFIX" : "NetFlow v\($0)" }.joined(separator: ", ") }
      return "\(scenario) as \(names(versions))" + (sampledVersions.isEmpty ? "" : "; sampled as \(names(sampledVersions))")
    }
  }

  static func defaultDB() throws -> String {
    let path = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
    guard FileManager.default.fileExists(atPath: path) else {
      throw TestSupportError("\(path) is missing: run Tools/setup to build the default country database")
    }
    return path
  }

  /// Per origin: flows, packets, bytes, sources; special-purpose kinds summed under `special`.
  typealias Counts = [String: [Int]]

  static func int(_ v: Any?) -> Int { (v as? NSNumber)?.intValue ?? -1 }

  static func counts(origincheck json: [String: Any], bytesKey: String) -> Counts {
    var out: Counts = [:]
    for o in json["origins"] as? [[String: Any]] ?? [] {
      let key: String
      switch o["kind"] as? String {
      case "special": key = "special"
      case "unknown": key = "unknown"
      default: key = o["code"] as? String ?? "?"
      }
      let v = [int(o["flows"]), int(o["packets"]), int(o[bytesKey]), int(o["sources"])]
      out[key] = zip(out[key] ?? [0, 0, 0, 0], v).map { $0 + $1 }
    }
    return out
  }

  static func counts(nfdump json: [String: Any]) -> Counts {
    var out: Counts = [:]
    func add(_ key: String, _ c: Any?) {
      let d = c as? [String: Any] ?? [:]
      let v = [int(d["flows"]), int(d["packets"]), int(d["bytes"]), int(d["sources"])]
      if v[0] > 0 { out[key] = v }
    }
    for (code, c) in json["countries"] as? [String: Any] ?? [:] { add(code, c) }
    add("special", json["special"])
    add("unknown", json["unknown"])
    return out
  }

  /// Waits until something holds UDP `port` on 127.0.0.1 (binding it fails).
  static func waitUntilBound(_ port: UInt16, timeout: Double = 20) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
      var sin = sockaddr_in()
      sin.sin_family = sa_family_t(AF_INET)
      sin.sin_port = port.bigEndian
      sin.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
      let r = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
      close(fd)
      if r != 0 { return }
      usleep(20_000)
    }
    throw TestSupportError("nothing listens on udp 127.0.0.1:\(port) after \(timeout) s")
  }

  @Test(arguments: [
    Case(scenario: "x-outage-2025-03-10", versions: [5, 9, 10]),
    Case(scenario: "botnet-mostly-ua", versions: [10], sampledVersions: [5, 9, 10]),
    Case(scenario: "reflection", versions: [9, 5]),
  ])
  func collectAgreesWithNfdumpAndAnalyze(_ c: Case) throws {
    let db = try Self.defaultDB()
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = dir.path("\(c.scenario).pcap")
    let made = try run(try ClaimCommandTests.capgen(), ["scenario", c.scenario, "--output", capture])
    try #require(made.status == 0, "\(made.stderr)")
    let ipv4 = dir.path("\(c.scenario)-ipv4.pcap")
    let cut = try run("tcpdump", ["-r", capture, "-w", ipv4, "ip"])
    try #require(cut.status == 0, "tcpdump: \(cut.stderr)")
    for version in c.versions {
      try check(scenario: c.scenario, capture: version == 5 ? ipv4 : capture, version: version, db: db, dir: dir)
    }
    for version in c.sampledVersions {
      try check(scenario: c.scenario, capture: version == 5 ? ipv4 : capture, version: version, db: db, dir: dir, sampling: 10)
    }
  }

  /// Exports `capture` as `version` to both collectors and compares the three readings (with
  /// `sampling`, the two collectors only).
  func check(scenario: String, capture: String, version: Int, db: String, dir: TemporaryDirectory, sampling: Int? = nil) throws {
    let name = "\(scenario) v\(version)" + (sampling.map { " sampled 1 in \($0)" } ?? "")
    // The two collectors.
    let (collector, collectPort) = try CollectCommandTests.collector(["--format", "json"], db: db)
    let nfdumpDir = dir.path("nfcapd-\(version)-\(sampling ?? 1)")
    try FileManager.default.createDirectory(atPath: nfdumpDir, withIntermediateDirectories: true)
    let nfcapdPort = try UDPSender.freePort()
    let nfcapd = try BackgroundProcess("nfcapd", ["-b", "127.0.0.1", "-p", "\(nfcapdPort)", "-B", "16000000", "-w", nfdumpDir, "-P", dir.path("nfcapd-\(version).pid")])
    try Self.waitUntilBound(nfcapdPort)

    // softflowd reads the whole capture and exports every flow at its end, each datagram to both
    // collectors (-a: flow times from the capture's own clock).
    let exported = try run(
      "softflowd",
      [
        "-r", capture, "-n", "127.0.0.1:\(collectPort),127.0.0.1:\(nfcapdPort)", "-v", "\(version)", "-a", "-d",
        "-p", dir.path("softflowd-\(version).pid"),
      ] + (sampling.map { ["-s", "\($0)"] } ?? []))
    try #require(exported.status == 0, "softflowd: \(exported.stderr)")
    let said = try #require(
      exported.stdout.firstMatch(of: /Flows exported: (\d+) \((\d+) records\) in (\d+) packets \(0 failures\)/),
      "softflowd said: \(exported.stdout)")
    let records = Int(said.2)!
    let datagrams = Int(said.3)!
    #expect(records > (sampling == nil ? 100 : 20))

    // Everything is queued in both sockets once softflowd is done; give nfcapd a moment to read it.
    usleep(500_000)
    #expect(try collector.stop() == 0, "\(collector.stderr)")
    #expect(try nfcapd.stop() == 0, "\(nfcapd.stderr)")
    let collected = try #require(try parseJSON(collector.stdout) as? [String: Any])
    let live = try #require(collected["collector"] as? [String: Any])
    #expect(Self.int(live["datagrams"]) == datagrams, "\(name)")
    #expect(Self.int(live["damagedDatagrams"]) == 0, "\(name)")
    #expect(Self.int(live["kernelDrops"]) == 0, "\(name)")
    #expect(Self.int((collected["totals"] as? [String: Any])?["flows"]) == records, "\(name)")
    let ours = Self.counts(origincheck: collected, bytesKey: "ipBytes")

    // nfdump's records of the same export.
    let nf = try run("python3", [Self.script, "nfdump", nfdumpDir, "--db", db])
    try #require(nf.status == 0, "crosscheck-netflow.py nfdump: \(nf.stderr)")
    var theirs = Self.counts(nfdump: try #require(try parseJSON(nf.stdout) as? [String: Any]))
    if let sampling {
      let input = (collected["inputs"] as? [[String: Any]])?.first
      let scaled = (input?["sampling"] as? [[String: Any]])?.map { [Self.int($0["interval"]), Self.int($0["records"])] }
      #expect(scaled == [[sampling, records]], "\(name)")
      if version != 5 { theirs = theirs.mapValues { [$0[0], $0[1] * sampling, $0[2] * sampling, $0[3]] } }
    }
    #expect(ours == theirs, "\(name)")
    #expect(ours.count > 3, "\(name)")
    guard sampling == nil else { return }

    // analyze on the capture itself.
    let analyzed = try origincheck(["analyze", "--db", db, "--format", "json", capture])
    #expect(analyzed.status == 0, "\(analyzed.stderr)")
    let packets = try #require(try parseJSON(analyzed.stdout) as? [String: Any])
    let wire = Self.counts(origincheck: packets, bytesKey: "wireBytes")
    let ip = Self.counts(origincheck: packets, bytesKey: "ipBytes")
    #expect(Set(ours.keys) == Set(wire.keys), "\(name)")
    var paddedFrames = false
    for (key, o) in ours {
      guard let w = wire[key], let i = ip[key] else { continue }
      #expect(o[1] == w[1], "\(name) \(key) packets")
      #expect(o[3] == w[3], "\(name) \(key) sources")
      #expect(o[2] == w[2] - 14 * w[1], "\(name) \(key) bytes: flow octets are frame lengths less the Ethernet header")
      if i[2] != w[2] - 14 * w[1] { paddedFrames = true }
      if scenario == "reflection" { #expect(o[2] == i[2], "\(name) \(key) bytes equal analyze's IP bytes") }
    }
    if scenario == "reflection" { #expect(!paddedFrames) }
    // The first flow began with the capture's first packet: IPFIX keeps milliseconds (softflowd:
    // uptime against systemInitTimeMilliseconds); v5 and v9 reckon from whole export seconds.
    let first = (collected["totals"] as? [String: Any])?["firstSeen"] as? String ?? "?"
    let analyzedFirst = (packets["totals"] as? [String: Any])?["firstSeen"] as? String ?? "-"
    let gap = (Timestamp.parseISO8601(first)?.nanoseconds ?? 0) - (Timestamp.parseISO8601(analyzedFirst)?.nanoseconds ?? .max / 2)
    if version == 10 {
      #expect(first.prefix(23) == analyzedFirst.prefix(23), "\(name): \(first) vs \(analyzedFirst)")
    } else {
      #expect(abs(gap) < 1_000_000_000, "\(name): \(first) vs \(analyzedFirst)")
    }
  }
}
