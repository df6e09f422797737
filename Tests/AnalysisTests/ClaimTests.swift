import Analysis
import NetCore
import Testing

@Suite struct ClaimTests {
  @Test(arguments: [
    ("ukraine-area:primary", "ukraine-area", Claim.Metric.sources),
    ("UA:significant:packets", "UA", .packets),
    ("AS15895:share>=20%:bytes", "AS15895", .bytes),
    ("within:500km:50.45,30.52:primary", "within:500km:50.45,30.52", .sources),
    ("eastern-europe:share >= 12.5%:flows", "eastern-europe", .flows),
  ])
  func parses(text: String, origin: String, metric: Claim.Metric) throws {
    let c = try Claim.parse(text)
    #expect(c.origin == origin)
    #expect(c.metric == metric)
  }

  @Test func assertions() throws {
    #expect(try Claim.parse("UA:primary").assertion == .primary)
    #expect(try Claim.parse("UA:significant").assertion == .atLeast(Claim.significantShare))
    #expect(try Claim.parse("UA:share>=12.5%").assertion == .atLeast(0.125))
    #expect(try Claim.parse("AS15895:primary").asn == 15895)
  }

  @Test(arguments: ["UA", "UA:", ":primary", "UA:share>=0%", "UA:share>=abc%", "UA:share>=50", "UA:most"])
  func rejects(text: String) {
    #expect(throws: ClaimError.self) { try Claim.parse(text) }
  }

  /// Wilson (1927) interval values computed independently.
  @Test func wilsonInterval() {
    let i = Statistics.wilson(share: 0.5, n: 100)
    #expect(abs(i.lowerBound - 0.40383) < 1e-4 && abs(i.upperBound - 0.59617) < 1e-4)
    let zero = Statistics.wilson(share: 0, n: 10)
    #expect(zero.lowerBound == 0 && abs(zero.upperBound - 0.27753) < 1e-4)
    #expect(Statistics.wilson(share: 0.3, n: 0) == 0...1)
  }

  @Test func specialFractionOfIPv4() {
    // 0/8 10/8 127/8 (3 x 1/256), 100.64/10, 169.254/16, 172.16/12, 192.168/16, 198.18/15,
    // three /24 documentation blocks, 192.0.0/24 and 224/3.
    #expect(abs(Statistics.ipv4SpecialFraction - 0.138000) < 1e-5)
  }

  @Test func burstsAreBucketsWellAboveTheMedian() {
    func w(_ packets: UInt64) -> WindowCounts {
      var c = WindowCounts(window: TimeWindow(start: Timestamp(seconds: 0), end: Timestamp(seconds: 1)), label: "bucket")
      c.totals.packets = packets
      return c
    }
    let series = [10, 12, 9, 50, 60, 11, 10, 8, 40, 10].map { w($0) }
    #expect(Bursts.detect(series) == [3...4, 8...8])
    #expect(Bursts.detect([w(5), w(5), w(5)]).isEmpty)
  }

  @Test(arguments: [
    ("2025-03-10T09:30:00-04:00", Int64(1_741_613_400)), ("2025-03-10T13:30:00Z", 1_741_613_400),
    ("2025-03-10 13:30Z", 1_741_613_400), ("2025-03-10T13:30:00.5+00:00", 1_741_613_400),
  ])
  func parsesISO8601(text: String, seconds: Int64) throws {
    let t = try #require(Timestamp.parseISO8601(text))
    #expect(t.seconds == seconds)
  }

  @Test(arguments: ["2025-03-10", "2025-03-10T13:30:00", "2025-13-10T00:00Z", "x", "2025-03-10T13:30:00+0400"])
  func rejectsISO8601(text: String) {
    #expect(Timestamp.parseISO8601(text) == nil)
  }

  @Test func durations() {
    #expect(Timestamp.parseDuration("5m") == 300_000_000_000)
    #expect(Timestamp.parseDuration("500ms") == 500_000_000)
    #expect(Timestamp.parseDuration("1h") == 3_600_000_000_000)
    #expect(Timestamp.parseDuration("0s") == nil)
    #expect(Timestamp.parseDuration("five") == nil)
  }
}
