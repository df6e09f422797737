import Analysis
import Foundation
import Geo
import NetCore
import TestSupport
import Testing

/// Aggregation and verdicts over times anywhere in the 64-bit range, and errors that quote what
/// the user typed: the cases fuzzing found.
@Suite("Analysis limits")
struct AnalysisLimitsTests {
  static let database = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path

  func summary(_ times: [Int64], bucket: Int64?) throws -> Summary {
    let table = try OriginTable(countryDatabase: MaxMindDatabase(path: Self.database))
    var options = AggregatorOptions()
    options.bucketWidth = bucket
    let aggregator = Aggregator(origins: table, options: options)
    for (i, t) in times.enumerated() {
      aggregator.add(
        Observation(
          timestamp: Timestamp(nanoseconds: t), source: .v4(IPv4Address(0x0508_0101 &+ UInt32(i))),
          destination: IPAddress("192.0.2.1")!, protocolNumber: 6, wireBytes: 60, ipBytes: 40))
    }
    return aggregator.finish()
  }

  @Test("the ends of the range in 1 ns buckets: two buckets, clamped starts", arguments: [[Int64.min, Int64.max], [Int64.max, Int64.min]])
  func endsOfTheRange(times: [Int64]) throws {
    let s = try summary(times, bucket: 1)
    #expect(s.totals.ipPackets == 2)
    #expect(s.totals.firstSeen?.nanoseconds == Int64.min)
    #expect(s.totals.lastSeen?.nanoseconds == Int64.max)
    #expect(s.buckets.map(\.window.start.nanoseconds) == [Int64.min, Int64.max])
    #expect(s.buckets.map(\.window.end.nanoseconds) == [Int64.min + 1, Int64.max])
    #expect(s.buckets.map(\.totals.packets) == [1, 1])
  }

  @Test("the first bucket of a time near the lower end starts at the lower end")
  func firstBucketClamps() throws {
    let s = try summary([Int64.min + 5], bucket: 3_600_000_000_000)
    #expect(s.buckets.count == 1)
    #expect(s.buckets[0].window.start.nanoseconds == Int64.min)
    #expect(s.buckets[0].totals.packets == 1)
  }

  @Test("a single time at either end is still a first and last time", arguments: [Int64.min, Int64.max])
  func singleTimeAtAnEnd(time: Int64) throws {
    let s = try summary([time], bucket: nil)
    #expect(s.totals.firstSeen?.nanoseconds == time)
    #expect(s.totals.lastSeen?.nanoseconds == time)
  }

  @Test("a bucket series is dense up to 100,000 buckets and sparse beyond")
  func denseOrSparse() throws {
    let second: Int64 = 1_000_000_000
    let start: Int64 = 1_741_597_200 * second
    let dense = try summary([start, start + 99_999 * second], bucket: second)
    #expect(dense.buckets.count == 100_000)
    let sparse = try summary([start, start + 100_000 * second], bucket: second)
    #expect(sparse.buckets.count == 2)
    #expect(sparse.buckets.map(\.window.start.nanoseconds) == [start, start + 100_000 * second])
  }

  @Test("merged summaries with buckets years apart keep only the buckets with traffic")
  func mergeAcrossAClockJump() throws {
    let second: Int64 = 1_000_000_000
    let start: Int64 = 1_741_597_200 * second
    let parts = try [start, start + 1_000_000_000 * second, start + 5 * second].map { try summary([$0], bucket: second) }
    let merged = try Summary.merged(parts)
    #expect(merged.buckets.map(\.window.start.nanoseconds) == [start, start + 5 * second, start + 1_000_000_000 * second])
    #expect(merged.totals.ipPackets == 3)
    let near = try Summary.merged([parts[0], parts[2]])
    #expect(near.buckets.count == 6)
  }

  @Test("evidence and verdicts with traffic before 1970 and at the ends of the range")
  func verdictsAtTheEnds() throws {
    let s = try summary([Int64.min, -86_400_000_000_000 * 365 * 50, Int64.max], bucket: 60_000_000_000)
    let evaluator = ClaimEvaluator(summary: s)
    let claim = try Claim.parse("UA:primary")
    let result = evaluator.evaluate(claim, origin: ClaimedOrigin(name: "UA", title: "Ukraine", membership: .countries(["UA"])))
    #expect(result.overall.shares.contains { $0.metric == .packets && $0.total == 3 })
    let age = try #require(ClaimEvaluator.evidence(s, addressSpace: [:]).first { $0.id == "database-age" })
    #expect(age.value > 100_000)  // days from 1677 to the database's build date
  }

  @Test("numbers from a damaged summary print and count without trapping")
  func countsNoRunProduces() throws {
    #expect(DecimalFormat.fixed(.infinity, 1) == "inf")
    #expect(DecimalFormat.fixed(-.infinity, 1) == "-inf")
    #expect(DecimalFormat.fixed(.nan, 1) == "nan")
    #expect(DecimalFormat.percent(1e20) == "1e+22%")
    #expect(DecimalFormat.fixed(12.345, 2) == "12.35")
    // The largest registers a sketch may hold estimate more than 64 bits count.
    let sketch = try #require(HyperLogLog(registers: [UInt8](repeating: 49, count: 1 << 16)))
    #expect(sketch.estimate == UInt64.max)
    var s = try summary([1_741_597_200_000_000_000], bucket: nil)
    s.evidence.sourcesByHops = [UInt64.max, UInt64.max, 3]
    s.evidence.sourcesByPackets = [UInt64.max] + [UInt64](repeating: UInt64.max, count: s.evidence.sourcesByPackets.count - 1)
    let findings = ClaimEvaluator.evidence(s, addressSpace: [:])
    #expect(findings.contains { $0.id == "one-packet-sources" })
  }

  @Test("a share with no number is an error, not a crash", arguments: ["UA:share>=", "UA:significant>=", "UA:share>=%", "UA:share>==5%"])
  func shareWithoutNumber(text: String) {
    #expect(throws: ClaimError.self) { try Claim.parse(text) }
  }

  @Test("claim and area errors quoting line breaks are one line", arguments: ["U\nA:primary", "UA:share>=5\r%", "x\u{2028}y:primary"])
  func claimErrorsAreOneLine(text: String) throws {
    do {
      let claim = try Claim.parse(text)
      _ = try AreaCatalog.builtIn.resolve(claim.origin)
      Issue.record("'\(text)' resolved")
    } catch let error as ClaimError {
      #expect(error.message.oneLine == error.message)
    } catch let error as AreaError {
      #expect(error.message.oneLine == error.message)
    }
  }

  @Test("an areas file whose keys hold line breaks gets a one-line error")
  func areasFileErrorsAreOneLine() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    for (index, text) in [#"{"\r":[]}"#, #"{"areas": [{"name": "a\nb", "countries": ["UA"]}]}"#].enumerated() {
      let path = directory.path("areas-\(index).json")
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      let error = #expect(throws: AreaError.self) { try AreaCatalog(loading: path) }
      let message = error?.message ?? ""
      #expect(message.oneLine == message, "\(message)")
      #expect(message.hasPrefix(path + ": "))
    }
  }
}
