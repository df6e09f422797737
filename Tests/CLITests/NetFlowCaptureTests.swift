import Foundation
import TestSupport
import Testing

/// `analyze --input-format netflow`: captures of export packets decoded as `collect` decodes
/// what it receives.
@Suite(.serialized) struct NetFlowCaptureTests {
  static let testDB = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path

  /// The datagrams of `CollectCommandTests`, as exported by 192.0.2.10, plus one export packet
  /// of another exporter whose templates are its own.
  static func frames() -> [UDPCapture.Datagram] {
    let d = CollectCommandTests.datagrams()
    let other = Export.v9(
      uptime: 1000, seconds: CollectCommandTests.seconds, sourceID: 0,
      [Export.set(256, Export.v4("91.0.0.1") + Export.be32(9) + Export.be32(900) + Export.be32(1000))])
    return d.map { UDPCapture.Datagram(source: "192.0.2.10", payload: $0) } + [UDPCapture.Datagram(source: "192.0.2.99", payload: other)]
  }

  @Test func aCaptureOfExportPacketsCountsLikeTheCollector() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = dir.path("export.pcap")
    try Data(UDPCapture.file(Self.frames())).write(to: URL(fileURLWithPath: capture))
    let out = try origincheck(["analyze", "--input-format", "netflow", "--db", Self.testDB, "--format", "json", capture])
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    // The other exporter's data has no template of its own: skipped, not decoded with 192.0.2.10's.
    #expect(CollectCommandTests.origins(json) == ["UA": [3, 20, 11_300], "RU": [1, 2, 100], "US": [1, 40, 5_000]])
    #expect((json["skipped"] as? [String: NSNumber])?.mapValues(\.intValue) == ["options-record": 1, "no-template": 1])
    let input = try #require((json["inputs"] as? [[String: Any]])?.first)
    #expect(input["format"] as? String == "netflow")
    #expect((input["records"] as? NSNumber)?.intValue == 5)
    #expect(input["linkTypes"] as? [String] == ["ethernet"])
    #expect(try CollectCommandTests.validate(out.stdout, dir: dir))

    // The same datagrams sent to the collector give the same origins.
    let (collector, port) = try CollectCommandTests.collector(["--count", "5", "--format", "json"])
    let sender = try UDPSender(port: port)
    for frame in Self.frames() { try sender.send(frame.payload) }
    #expect(try collector.wait() == 0)
    let collected = try #require(try parseJSON(collector.stdout) as? [String: Any])
    // From one sender the collector sees one exporter, so the last packet's template is known.
    var expected = CollectCommandTests.origins(json)
    expected["BY"] = [1, 9, 900]
    #expect(CollectCommandTests.origins(collected) == expected)
  }

  @Test func framesWithoutExportDatagramsAndDamagedDatagrams() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let capture = dir.path("mixed.pcap")
    var frames = Self.frames()
    frames.insert(UDPCapture.Datagram(source: "192.0.2.10", payload: Array("a DNS answer, say".utf8)), at: 2)
    try Data(UDPCapture.file(frames)).write(to: URL(fileURLWithPath: capture))
    let out = try origincheck(["analyze", "--input-format", "netflow", "--db", Self.testDB, "--format", "json", capture])
    #expect(out.status == 65)
    #expect(
      out.stderr == """
        origincheck: \(capture): record 3 (from 192.0.2.10 port 50000): export version 24864 byte 0: version 24864 is not NetFlow v5, v9 or IPFIX (10)
        origincheck: \(capture): 1 of 6 export datagrams could not be decoded in full

        """)
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    #expect(CollectCommandTests.origins(json)["UA"] == [3, 20, 11_300])
    #expect((json["skipped"] as? [String: NSNumber])?["unsupported-version"]?.intValue == 1)
  }

  @Test func unreadableAndPcapngInputs() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let missing = dir.path("missing.pcap")
    let out = try origincheck(["analyze", "--input-format", "netflow", "--db", Self.testDB, missing])
    #expect(out.status == 66)
    #expect(out.stderr.hasPrefix("origincheck: \(missing): "))
    // pcapng and gzip through the same reader as analyze.
    let capture = dir.path("export.pcap")
    try Data(UDPCapture.file(Self.frames())).write(to: URL(fileURLWithPath: capture))
    let ng = dir.path("export.pcapng")
    #expect(try run("editcap", ["-F", "pcapng", capture, ng]).status == 0)
    #expect(try run("gzip", ["-k", ng]).status == 0)
    for file in [ng, ng + ".gz"] {
      let r = try origincheck(["analyze", "--input-format", "netflow", "--db", Self.testDB, "--format", "json", file])
      #expect(r.status == 0, "\(r.stderr)")
      let json = try #require(try parseJSON(r.stdout) as? [String: Any])
      #expect(CollectCommandTests.origins(json)["US"] == [1, 40, 5_000])
    }
  }
}
