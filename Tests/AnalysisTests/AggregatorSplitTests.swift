import Analysis
import Geo
import NetCore
import TestSupport
import Testing

/// Aggregators that each counted part of the input combine into exactly what one aggregator counts
/// over all of it, with every source tracked and with the address table sampling.
@Suite struct AggregatorSplitTests {
  static let database = packageRoot.appendingPathComponent("GeoDB/test/country-asn.mmdb").path

  /// Observations from a pool of sources (so most repeat), IPv4 and IPv6, some reflection traffic,
  /// some one-packet sources, spread over an hour.
  static func observations(_ n: Int, pool: Int, seed: UInt64) -> [Observation] {
    var rng = SeededGenerator(seed: seed)
    let sources = (0..<pool).map { i in i % 8 == 7 ? randomIPv6(&rng) : randomIPv4(&rng) }
    let target = IPAddress("192.0.2.10")!
    var t: Int64 = 1_741_597_200_000_000_000
    return (0..<n).map { i in
      t += Int64(rng.next() % 7_000_000_000)
      // A third of the packets come from addresses used once.
      let source = i % 3 == 0 ? (i % 24 == 0 ? randomIPv6(&rng) : randomIPv4(&rng)) : sources[Int(rng.next() % UInt64(pool))]
      let reflect = rng.next() % 10 == 0
      return Observation(
        timestamp: Timestamp(nanoseconds: t), source: source, destination: target, protocolNumber: reflect ? 17 : 6,
        wireBytes: 60 + rng.next() % 1400, ipBytes: 46 + rng.next() % 1400, ttl: UInt8(truncatingIfNeeded: 30 + rng.next() % 220),
        sourcePort: reflect ? 53 : UInt16(truncatingIfNeeded: 1024 + rng.next() % 60000), destinationPort: 80)
    }
  }

  static func options(capacity: Int) -> AggregatorOptions {
    var o = AggregatorOptions()
    o.bucketWidth = 60_000_000_000
    o.window = TimeWindow(start: Timestamp(nanoseconds: 1_741_597_200_000_000_000 + 600_000_000_000),
                          end: Timestamp(nanoseconds: 1_741_597_200_000_000_000 + 1_800_000_000_000))
    o.addressCapacity = capacity
    return o
  }

  static func summary(_ parts: [ArraySlice<Observation>], table: OriginTable, options: AggregatorOptions) -> Summary {
    let aggregators = parts.map { part -> Aggregator in
      let a = Aggregator(origins: table, options: options)
      for o in part { a.add(o) }
      return a
    }
    for a in aggregators.dropFirst() { aggregators[0].absorb(a) }
    return aggregators[0].finish()
  }

  @Test(arguments: [1 << 19, 300])
  func splitDoesNotChangeTheSummary(capacity: Int) throws {
    let db = try MaxMindDatabase(path: Self.database)
    let table = try OriginTable(countryDatabase: db, asnDatabase: db)
    let all = Self.observations(6_000, pool: 800, seed: 42)
    let options = Self.options(capacity: capacity)
    let whole = Self.summary([all[...]], table: table, options: options)
    #expect(whole.totals.ipPackets == 6_000)
    #expect(!whole.buckets.isEmpty && whole.window != nil)
    #expect((whole.distinct.samplingLevel > 0) == (capacity < 2_000))
    for cuts in [[3_000], [1, 2_999], [1_000, 2_000, 5_999]] {
      var parts: [ArraySlice<Observation>] = []
      var start = 0
      for c in cuts + [all.count] {
        parts.append(all[start..<c])
        start = c
      }
      let split = Self.summary(parts, table: table, options: options)
      #expect(split == whole, "cuts \(cuts)")
    }
  }

  @Test func samplingKeepsCountersExactAndEstimatesSources() throws {
    let db = try MaxMindDatabase(path: Self.database)
    let table = try OriginTable(countryDatabase: db, asnDatabase: db)
    let all = Self.observations(40_000, pool: 3_000, seed: 7)
    let exact = Self.summary([all[...]], table: table, options: Self.options(capacity: 1 << 19))
    let sampled = Self.summary([all[...]], table: table, options: Self.options(capacity: 2_000))
    #expect(exact.distinct.samplingLevel == 0)
    #expect(sampled.distinct.samplingLevel > 0)
    #expect(sampled.totals.ipPackets == exact.totals.ipPackets)
    #expect(sampled.totals.wireBytes == exact.totals.wireBytes)
    let bound: Double = 3 * 1.04 / 64.0
    let totalError: Double = abs(Double(sampled.totals.sources) - Double(exact.totals.sources)) / Double(exact.totals.sources)
    #expect(totalError <= bound)
    for (key, c) in exact.countries {
      let s = try #require(sampled.countries[key])
      #expect(s.packets == c.packets && s.wireBytes == c.wireBytes && s.ipBytes == c.ipBytes)
      if c.sources >= 1_000 {
        let error: Double = abs(Double(s.sources) - Double(c.sources)) / Double(c.sources)
        #expect(error <= bound, "\(key)")
      }
    }
  }

  /// Summaries of separate runs merge into the summary of one run over all the input: counters
  /// equal, distinct sources equal while the sets are exact and within the sketch's error beyond.
  @Test func mergedSummariesEqualOneRun() throws {
    let db = try MaxMindDatabase(path: Self.database)
    let table = try OriginTable(countryDatabase: db, asnDatabase: db)
    let all = Self.observations(8_000, pool: 900, seed: 99)
    let options = Self.options(capacity: 1 << 19)
    let whole = Self.summary([all[...]], table: table, options: options)
    let halves = [all[..<3_500], all[3_500...]].map { Self.summary([$0], table: table, options: options) }
    let merged = try Summary.merged(halves)
    func check(_ a: OriginCounters?, _ b: OriginCounters?, exact: Bool, asn: Bool = false, _ what: String) {
      // Three standard errors of the sketch: precision 12, or 8 for autonomous systems.
      let bound: Double = 3 * 1.04 / (asn ? 16 : 64)
      guard let a, let b else { return #expect(a == b, "\(what) missing") }
      #expect(a.packets == b.packets && a.wireBytes == b.wireBytes && a.ipBytes == b.ipBytes, "\(what)")
      #expect(a.reflectionPackets == b.reflectionPackets, "\(what)")
      if exact {
        #expect(a.sources == b.sources, "\(what)")
      } else {
        let error: Double = abs(Double(a.sources) - Double(b.sources)) / Double(max(1, b.sources))
        #expect(error <= bound, "\(what): \(a.sources) vs \(b.sources)")
      }
    }
    #expect(merged.totals.ipPackets == whole.totals.ipPackets)
    #expect(merged.totals.wireBytes == whole.totals.wireBytes)
    #expect(merged.totals.firstSeen == whole.totals.firstSeen && merged.totals.lastSeen == whole.totals.lastSeen)
    #expect(merged.distinct.runs == 2)
    for dimension in Summary.Dimension.allCases {
      let w = whole.origins(by: dimension)
      let m = merged.origins(by: dimension)
      #expect(Set(w.keys) == Set(m.keys))
      for (key, c) in w {
        let sets = dimension == .country ? whole.distinct.countries : dimension == .continent ? whole.distinct.continents : whole.distinct.asns
        check(m[key], c, exact: !(sets[key]?.isEstimate ?? true), asn: dimension == .asn, "\(dimension) \(key)")
      }
    }
    #expect(merged.buckets.count == whole.buckets.count)
    for (b, w) in zip(merged.buckets, whole.buckets) {
      #expect(b.window == w.window)
      for (key, c) in w.countries { check(b.countries[key], c, exact: c.sources <= UInt64(SourceSet.exactLimit), "bucket \(key)") }
    }
    let mw = try #require(merged.window)
    let ww = try #require(whole.window)
    for (key, c) in ww.countries { check(mw.countries[key], c, exact: c.sources <= UInt64(SourceSet.exactLimit), "window \(key)") }
    #expect(merged.bursts.map(\.window) == whole.bursts.map(\.window))
  }

  @Test func summariesFromOtherDatabasesDoNotMerge() throws {
    let a = Summary()
    var b = Summary()
    b.databases = [DatabaseInfo(role: "country", path: "x.mmdb", type: "Other", buildDate: Timestamp(seconds: 1))]
    #expect(throws: MergeError.self) { try Summary.merged([a, b]) }
  }

  @Test func clockJumpKeepsTheBucketSeriesSmall() throws {
    let db = try MaxMindDatabase(path: Self.database)
    var options = AggregatorOptions()
    options.bucketWidth = 1_000_000_000
    let a = Aggregator(origins: try OriginTable(countryDatabase: db), options: options)
    let times: [Int64] = [-5_000_000_000, 0, 1_741_597_200_000_000_000, 1_741_597_201_000_000_000, 4_102_444_800_000_000_000]
    for t in times {
      a.add(Observation(timestamp: Timestamp(nanoseconds: t), source: IPAddress("5.8.1.1")!, destination: IPAddress("192.0.2.1")!,
                        protocolNumber: 6, wireBytes: 60, ipBytes: 40))
    }
    let s = a.finish()
    #expect(s.buckets.count == times.count)
    #expect(s.buckets.map(\.totals.packets) == [1, 1, 1, 1, 1])
    #expect(s.buckets.map(\.window.start.nanoseconds) == times)
  }
}
