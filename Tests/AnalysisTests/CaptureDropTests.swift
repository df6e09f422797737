import Analysis
import Geo
import NetCore
import TestSupport
import Testing

/// A live capture's drop counts reach the verdict: the `capture-drops` finding, and a verdict that
/// cannot rest on a capture that lost much of the traffic.
@Suite struct CaptureDropTests {
  static let database = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path

  /// 80 sources in UA (5.8.0.0/16) and 20 in DE (5.9.0.0/16), three packets each.
  static func summary() throws -> Summary {
    let db = try MaxMindDatabase(path: database)
    let aggregator = Aggregator(origins: try OriginTable(countryDatabase: db, asnDatabase: nil))
    let target = IPAddress("192.0.2.10")!
    for i in 0..<100 {
      let source = IPAddress("5.\(i < 80 ? 8 : 9).\(i / 50).\(i % 50 + 1)")!
      for p in 0..<3 {
        aggregator.add(
          Observation(
            timestamp: Timestamp(seconds: 1_800_000_000 + Int64(i * 3 + p)), source: source, destination: target,
            protocolNumber: 6, wireBytes: 60, ipBytes: 46, ttl: 52, sourcePort: 40_000, destinationPort: 443))
      }
    }
    return aggregator.finish()
  }

  static let claim = (try? Claim.parse("UA:primary"))!
  static let origin = ClaimedOrigin(name: "UA", title: "Ukraine", membership: .countries(["UA"]))

  @Test(arguments: [
    (UInt64(0), UInt64(0), "info", "holds"),
    (15, 0, "weakens", "holds"),
    (10, 6, "weakens", "holds"),
    (120, 0, "undermines", "inconclusive"),
    (0, 100, "undermines", "inconclusive"),
  ])
  func dropsReachTheVerdict(dropped: UInt64, interfaceDropped: UInt64, severity: String, verdict: String) throws {
    var s = try Self.summary()
    // On Linux the kernel's received count includes the packets it dropped.
    s.capture = CaptureCounts(interface: "eth0", received: 300 + dropped, dropped: dropped, interfaceDropped: interfaceDropped)
    let result = ClaimEvaluator(summary: s).evaluate(Self.claim, origin: Self.origin)
    let finding = try #require(result.findings.first { $0.id == "capture-drops" })
    #expect(finding.severity.rawValue == severity)
    let expectedShare = Double(dropped + interfaceDropped) / Double(300 + dropped + interfaceDropped)
    #expect(abs(finding.value - expectedShare) < 1e-12)
    #expect(finding.text.contains("eth0"))
    #expect(result.verdict.rawValue == verdict, "\(result.explanation)")
    if verdict == "inconclusive" { #expect(result.explanation.contains("lost")) }
  }

  @Test func noFindingWithoutACapture() throws {
    let result = ClaimEvaluator(summary: try Self.summary()).evaluate(Self.claim, origin: Self.origin)
    #expect(result.verdict == .holds)
    #expect(!result.findings.contains { $0.id == "capture-drops" })
  }

  @Test func mergedCapturesAddTheirCounts() throws {
    var a = try Self.summary()
    a.capture = CaptureCounts(interface: "eth0", filter: "tcp", received: 10, dropped: 1, interfaceDropped: 2)
    var b = try Self.summary()
    b.capture = CaptureCounts(interface: "eth1", filter: "tcp", received: 20, dropped: 3, interfaceDropped: 4)
    let merged = try Summary.merged([a, b])
    #expect(merged.capture == CaptureCounts(interface: "eth0+eth1", filter: "tcp", received: 30, dropped: 4, interfaceDropped: 6))
    let c = try Summary.merged([a, try Self.summary()])
    #expect(c.capture == a.capture)
  }
}
