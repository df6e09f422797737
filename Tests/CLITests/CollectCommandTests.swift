import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `origincheck collect` on a real UDP socket on 127.0.0.1, fed by a real sender in the test.
/// Expected counts are known by construction; origins come from the test database.
@Suite(.serialized) struct CollectCommandTests {
  static let testDB = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path
  static let schema = packageRoot.appendingPathComponent("docs/summary.schema.json").path
  static let seconds: UInt32 = 1_741_613_400

  /// Starts a collector on a port the system picks; returns it and the port it names.
  static func collector(_ extra: [String], db: String = testDB) throws -> (BackgroundProcess, UInt16) {
    let p = try BackgroundProcess(try origincheckBinary(), ["collect", "--listen", "127.0.0.1:0", "--db", db] + extra)
    let port = try #require(UInt16(try p.waitForStderr("listening on udp 127\\.0\\.0\\.1:([0-9]+)")))
    return (p, port)
  }

  /// Four datagrams of every version:
  /// - v5: 5.8.1.1 (UA) 10 packets 4,000 bytes; 37.0.0.5 (RU) 2 packets 100 bytes
  /// - v9 templates, then v9 data: 77.1.2.3 (UA) 3 packets 300 bytes; 2a02:2378::9 (UA) 7 packets 7,000 bytes
  /// - IPFIX: sampling 1 in 10 announced in options, 131.0.0.1 (US) 4 packets 500 bytes (scaled: 40, 5,000)
  static func datagrams() -> [[UInt8]] {
    let v5 = Export.v5(
      uptime: 60_000, seconds: seconds,
      [Export.V5Record(source: "5.8.1.1", packets: 10, octets: 4000, first: 50_000), Export.V5Record(source: "37.0.0.5", packets: 2, octets: 100, first: 59_000)])
    let templates = Export.set(
      0,
      Export.template(256, [.init(8, 4), .init(2, 4), .init(1, 4), .init(22, 4)])
        + Export.template(257, [.init(27, 16), .init(2, 4), .init(1, 4)]))
    let v9t = Export.v9(uptime: 60_000, seconds: seconds, count: 2, [templates])
    let v9d = Export.v9(
      uptime: 61_000, seconds: seconds + 1, count: 2,
      [
        Export.set(256, Export.v4("77.1.2.3") + Export.be32(3) + Export.be32(300) + Export.be32(60_500)),
        Export.set(257, Export.v6("2a02:2378::9") + Export.be32(7) + Export.be32(7000)),
      ])
    let ipfix = Export.ipfix(
      exportTime: seconds + 2,
      [
        Export.set(3, Export.ipfixOptionsTemplate(300, scope: [.init(143, 4)], options: [.init(305, 4), .init(306, 4)])),
        Export.set(300, Export.be32(1) + Export.be32(1) + Export.be32(9)),
        Export.set(2, Export.template(301, [.init(8, 4), .init(2, 4), .init(1, 4), .init(152, 8)])),
        Export.set(301, Export.v4("131.0.0.1") + Export.be32(4) + Export.be32(500) + Export.be64(UInt64(seconds) * 1000)),
      ])
    return [v5, v9t, v9d, ipfix]
  }

  /// Origin code -> (flows, packets, ipBytes) from a summary's origins.
  static func origins(_ json: [String: Any]) -> [String: [Int]] {
    var out: [String: [Int]] = [:]
    for o in json["origins"] as? [[String: Any]] ?? [] {
      out[o["code"] as? String ?? "?"] = ["flows", "packets", "ipBytes"].map { (o[$0] as? NSNumber)?.intValue ?? -1 }
    }
    return out
  }

  static func validate(_ jsonText: String, dir: TemporaryDirectory) throws -> Bool {
    let file = dir.path("line-\(UUID().uuidString).json")
    try jsonText.write(toFile: file, atomically: true, encoding: .utf8)
    let check = try run(
      "python3", ["-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))", file, schema])
    if check.status != 0 { Issue.record("schema: \(check.stderr.suffix(600))") }
    return check.status == 0
  }

  @Test func countEndsTheRunWithTheFinalReport() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let lines = dir.path("collect.jsonl")
    let (collector, port) = try Self.collector(["--count", "4", "--format", "json", "--output", lines, "--interval", "50ms"])
    let sender = try UDPSender(port: port)
    for d in Self.datagrams() {
      try sender.send(d)
      usleep(150_000)  // let a few intervals pass between datagrams
    }
    let status = try collector.wait()
    #expect(status == 0, "\(collector.stderr)")
    let json = try #require(try parseJSON(collector.stdout) as? [String: Any])
    #expect(Self.origins(json) == ["UA": [3, 20, 11_300], "RU": [1, 2, 100], "US": [1, 40, 5_000]])
    let totals = try #require(json["totals"] as? [String: Any])
    #expect((totals["flows"] as? NSNumber)?.intValue == 5)
    #expect((totals["sources"] as? NSNumber)?.intValue == 5)
    #expect(totals["firstSeen"] as? String == "2025-03-10T13:29:50Z")
    let input = try #require((json["inputs"] as? [[String: Any]])?.first)
    #expect(input["path"] as? String == "udp 127.0.0.1:\(port)")
    #expect(input["format"] as? String == "netflow")
    #expect((input["records"] as? NSNumber)?.intValue == 4)
    let sampling = input["sampling"] as? [[String: Any]]
    #expect(sampling?.count == 1)
    #expect((sampling?.first?["interval"] as? NSNumber)?.intValue == 10)
    #expect((sampling?.first?["records"] as? NSNumber)?.intValue == 1)
    #expect((json["skipped"] as? [String: Any])?["options-record"] as? NSNumber == 1)
    let live = try #require(json["collector"] as? [String: Any])
    #expect((live["datagrams"] as? NSNumber)?.intValue == 4)
    #expect((live["damagedDatagrams"] as? NSNumber)?.intValue == 0)
    #expect((live["datagramsByVersion"] as? [String: NSNumber])?.mapValues(\.intValue) == ["5": 1, "9": 2, "10": 1])
    #expect((live["kernelDrops"] as? NSNumber)?.intValue == 0)
    #expect(live["final"] as? Bool == true)
    #expect(try Self.validate(collector.stdout, dir: dir))
    // The report command renders the collector's summary again, sampling included.
    let saved = dir.path("final.json")
    try collector.stdout.write(toFile: saved, atomically: true, encoding: .utf8)
    let again = try origincheck(["report", saved, "--format", "json"])
    #expect(again.status == 0, "\(again.stderr)")
    let reread = try #require(try parseJSON(again.stdout) as? [String: Any])
    #expect(Self.origins(reread) == Self.origins(json))
    #expect(((reread["inputs"] as? [[String: Any]])?.first?["sampling"] as? [[String: Any]])?.count == 1)
    let table = try origincheck(["report", saved])
    #expect(table.stdout.contains("sampled: 1 flow record of udp 127.0.0.1:\(port) with 1-in-10 sampling"), "\(table.stdout)")

    // JSON Lines: one summary per interval that passed, then the final one; each validates.
    let text = try String(contentsOfFile: lines, encoding: .utf8)
    let jsonLines = text.split(separator: "\n").map(String.init)
    #expect(jsonLines.count >= 3)
    var previousDatagrams = 0
    for (i, line) in jsonLines.enumerated() {
      let object = try #require(try parseJSON(line) as? [String: Any])
      let l = try #require(object["collector"] as? [String: Any])
      let datagrams = (l["datagrams"] as? NSNumber)?.intValue ?? -1
      #expect(datagrams >= previousDatagrams)
      previousDatagrams = datagrams
      #expect(l["final"] as? Bool == (i == jsonLines.count - 1))
      if i == 0 || i == jsonLines.count - 1 { #expect(try Self.validate(line, dir: dir)) }
    }
    let last = try #require(try parseJSON(jsonLines.last!) as? [String: Any])
    #expect(Self.origins(last) == Self.origins(json))
    // The periodic view went to standard error.
    #expect(collector.stderr.contains("udp 127.0.0.1:\(port) · "))
  }

  @Test func damagedDatagramsAreNamedAndCounted() throws {
    let (collector, port) = try Self.collector(["--count", "4", "--format", "json"])
    let sender = try UDPSender(port: port)
    let data = Export.set(300, Export.v4("5.8.1.1") + Export.be32(1) + Export.be32(60))
    try sender.send(Self.datagrams()[0])
    try sender.send(Export.be16(7) + [UInt8](repeating: 0, count: 20))
    try sender.send(Export.ipfix(exportTime: Self.seconds, [Export.set(300, [1, 2, 3, 4], length: 64)]))
    try sender.send(Export.v9(uptime: 1, seconds: Self.seconds, [data]))
    let status = try collector.wait()
    #expect(status == 65)
    let from = "127.0.0.1:\(sender.localPort)"
    let stderr = collector.stderr
    #expect(stderr.contains("origincheck: udp 127.0.0.1:\(port): datagram 2 from \(from): export version 7 byte 0: version 7 is not NetFlow v5, v9 or IPFIX (10)\n"))
    #expect(stderr.contains("origincheck: udp 127.0.0.1:\(port): datagram 3 from \(from): IPFIX byte 16: Set 300 has length 64, past the end of the datagram (8 bytes left)\n"))
    #expect(stderr.hasSuffix("origincheck: udp 127.0.0.1:\(port): 2 of 4 datagrams could not be decoded in full\n"))
    let json = try #require(try parseJSON(collector.stdout) as? [String: Any])
    #expect((json["skipped"] as? [String: NSNumber])?.mapValues(\.intValue) == ["unsupported-version": 1, "bad-set-length": 1, "no-template": 1])
    #expect(Self.origins(json) == ["UA": [1, 10, 4000], "RU": [1, 2, 100]])
    #expect(((json["collector"] as? [String: Any])?["damagedDatagrams"] as? NSNumber)?.intValue == 2)
  }

  @Test(arguments: [SIGTERM, SIGINT])
  func aSignalEndsTheRunAfterWhatWasQueued(signal: Int32) throws {
    let (collector, port) = try Self.collector(["--format", "json"])
    let sender = try UDPSender(port: port)
    for d in Self.datagrams().prefix(3) { try sender.send(d) }
    let status = try collector.stop(signal: signal)
    #expect(status == 0, "\(collector.stderr)")
    let json = try #require(try parseJSON(collector.stdout) as? [String: Any])
    #expect(((json["collector"] as? [String: Any])?["datagrams"] as? NSNumber)?.intValue == 3)
    #expect(Self.origins(json) == ["UA": [3, 20, 11_300], "RU": [1, 2, 100]])
  }

  @Test func durationEndsAnIdleRunWithTheTable() throws {
    let (collector, port) = try Self.collector(["--duration", "1s", "--interval", "100ms"])
    let status = try collector.wait(timeout: 120)
    #expect(status == 0, "\(collector.stderr)")
    #expect(collector.stdout.hasPrefix("udp 127.0.0.1:\(port) · 0:00:0"))
    #expect(collector.stdout.contains(" · 0 datagrams · 0 undecodable · 0 dropped by the kernel · 0 flow records (0 per second)\n"))
    #expect(collector.stdout.contains("udp 127.0.0.1:\(port): 0 records, 0 IP packets"))
    // Refreshed views on standard error (a block per interval when it is not a terminal).
    let views = collector.stderr.components(separatedBy: "udp 127.0.0.1:\(port) · ").count - 1
    #expect(views >= 3)
    #expect(collector.stderr.contains("nothing counted yet"))
  }

  @Test func badAddressesAndBusyPorts() throws {
    for listen in ["nonsense", "127.0.0.1", "127.0.0.1:70000", "2001:db8::1:2055", "[::1]"] {
      let out = try origincheck(["collect", "--listen", listen, "--db", Self.testDB])
      #expect(out.status == 64, "\(listen)")
      #expect(out.stderr.hasPrefix("origincheck: --listen '\(listen)': expected ADDRESS:PORT"), "\(out.stderr)")
    }
    // A port another socket holds.
    let holder = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(holder) }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    _ = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) } }
    let port = UInt16(bigEndian: sin.sin_port)
    let out = try origincheck(["collect", "--listen", "127.0.0.1:\(port)", "--db", Self.testDB, "--count", "1"])
    #expect(out.status == 66)
    #expect(out.stderr == "origincheck: cannot listen on udp 127.0.0.1:\(port): Address already in use\n")
  }

  @Test func claimsSoFarAndAtTheEnd() throws {
    let (collector, port) = try Self.collector(["--count", "4", "--claim", "ukraine-area:primary:packets", "--interval", "50ms"])
    let sender = try UDPSender(port: port)
    for d in Self.datagrams() {
      try sender.send(d)
      usleep(120_000)
    }
    #expect(try collector.wait() == 0)
    #expect(collector.stderr.contains("claim ukraine-area:primary:packets: "))
    #expect(collector.stdout.contains("CLAIM   ukraine-area:primary:packets"))
    #expect(collector.stdout.contains("udp 127.0.0.1:\(port): 5 flows, 62 IP packets (55 IPv4, 7 IPv6)"))
    #expect(collector.stdout.contains("sampled: 1 flow record of udp 127.0.0.1:\(port) with 1-in-10 sampling"))
  }
}
