import Analysis
import Foundation
import Geo
import NetCore
import Report
import TestSupport
import Testing

/// A summary written as JSON and read back is the same summary: every counter, table, window,
/// bucket, burst, the baseline, the claims and the address space, exactly.
@Suite struct SummaryRoundTripTests {
  static func database(_ path: String) throws -> MaxMindDatabase {
    try MaxMindDatabase(path: packageRoot.appendingPathComponent(path).path)
  }

  static let london = (name: "within:150km:51.5072,-0.1276", latitude: 51.5072, longitude: -0.1276, km: 150.0)
  static let linkoping = (name: "within:100km:58.41,15.62", latitude: 58.41, longitude: 15.62, km: 100.0)

  /// Random traffic over MaxMind's City and ASN test databases: sources in networks the databases
  /// know (London, Boxford, Linköping, Milton WA), special-purpose and random IPv4 and IPv6
  /// sources, reflection traffic, one-packet sources, timestamps with nanoseconds.
  static func traffic(seed: UInt64, count: Int) -> [Observation] {
    var rng = SeededGenerator(seed: seed)
    let known: [(UInt32, UInt32)] = [(0x5102_45A0, 32), (0x027D_A0D8, 8), (0x59A0_1470, 16), (0xD8A0_5338, 8)]
    var sources: [IPAddress] = []
    for _ in 0..<300 {
      switch Int.random(in: 0..<10, using: &rng) {
      case 0..<4:
        let (base, size) = known.randomElement(using: &rng)!
        sources.append(.v4(IPv4Address(base + UInt32.random(in: 0..<size, using: &rng))))
      case 4: sources.append(.v4(IPv4Address(0x0A00_0000 | UInt32.random(in: 0..<0x100_0000, using: &rng))))
      case 5: sources.append(randomIPv6(&rng))
      default: sources.append(randomIPv4(&rng))
      }
    }
    let start: Int64 = 1_741_600_800_000_000_000  // 2025-03-10T10:00:00Z
    return (0..<count).map { i in
      let burst = i % 3 == 0
      let offset = burst ? Int64.random(in: 1_800_000_000_000..<2_100_000_000_000, using: &rng) : Int64.random(in: 0..<3_600_000_000_000, using: &rng)
      let reflection = Int.random(in: 0..<8, using: &rng) == 0
      let source = i < 40 ? randomIPv4(&rng) : sources.randomElement(using: &rng)!
      let destination: IPAddress = Int.random(in: 0..<6, using: &rng) == 0 ? .v4(IPv4Address(0xC633_6401)) : .v4(IPv4Address(0xCB00_7107))
      let size = UInt64.random(in: 40...1500, using: &rng)
      return Observation(
        timestamp: Timestamp(nanoseconds: start + offset), source: source, destination: destination, protocolNumber: reflection ? 17 : 6,
        wireBytes: size + 14, ipBytes: size, ttl: UInt8.random(in: 30...250, using: &rng),
        sourcePort: reflection ? 123 : UInt16.random(in: 1024...65535, using: &rng), destinationPort: 443)
    }
  }

  static func summary(_ observations: [Observation], options: AggregatorOptions) throws -> Summary {
    let origins = try OriginTable(
      countryDatabase: try database("GeoDB/third-party/good/GeoIP2-City-Test.mmdb"),
      asnDatabase: try database("GeoDB/third-party/good/GeoLite2-ASN-Test.mmdb"))
    let aggregator = Aggregator(origins: origins, options: options)
    for o in observations {
      aggregator.countRecord(linkType: 1, name: "ethernet", nonIPReason: nil, timestamp: o.timestamp)
      aggregator.add(o)
    }
    aggregator.countRecord(linkType: 1, name: "ethernet", nonIPReason: "arp", timestamp: observations[0].timestamp)
    aggregator.countSkipped("malformed-line", count: 3)
    aggregator.addInput(InputSummary(path: "capture, \"one\".pcap", format: "pcapng", compressed: true, linkTypes: ["ethernet"], records: 900))
    aggregator.addInput(
      InputSummary(path: "cut.pcap", format: "pcap", records: 12, error: "cut.pcap: record 13 at byte 1234: truncated", damaged: true))
    return aggregator.finish()
  }

  static let claims: [CheckedClaim] = [
    CheckedClaim(claim: try! Claim.parse("ukraine-area:primary"), origin: ClaimedOrigin(name: "ukraine-area", title: "Ukraine area (Ukraine)", membership: .countries(["UA"]))),
    CheckedClaim(claim: try! Claim.parse("europe:share>=12.5%:packets"), origin: ClaimedOrigin(name: "europe", title: "Europe", membership: .countries(["GB", "SE", "UA", "DE"]))),
    CheckedClaim(claim: try! Claim.parse("\(london.name):significant"), origin: ClaimedOrigin(name: london.name, title: "150 km around London", membership: .radius(london.name))),
    CheckedClaim(claim: try! Claim.parse("AS15169:significant:flows"), origin: ClaimedOrigin(name: "AS15169", title: "AS15169", membership: .asn("AS15169"))),
  ]

  @Test(arguments: [
    (UInt64(1), Int64(90_000_000_000), true, true),
    (UInt64(2), Int64(1_500_000_000), false, true),
    (UInt64(3), Int64(333_333_333), true, false),
    (UInt64(4), Int64(0), false, false),
  ])
  func decodeGivesBackTheSameReport(seed: UInt64, bucket: Int64, window: Bool, baseline: Bool) throws {
    var options = AggregatorOptions()
    options.radiusAreas = [Self.london, Self.linkoping]
    options.targets = [IPNetwork("203.0.113.0/24")!]
    if bucket > 0 { options.bucketWidth = bucket }
    if window {
      options.window = TimeWindow(
        start: Timestamp(nanoseconds: 1_741_602_600_123_456_789), end: Timestamp(nanoseconds: 1_741_603_500_000_000_001))
    }
    let summary = try Self.summary(Self.traffic(seed: seed, count: 2_000), options: options)
    var baseOptions = AggregatorOptions()
    baseOptions.radiusAreas = options.radiusAreas
    let base = baseline ? try Self.summary(Self.traffic(seed: seed + 100, count: 500), options: baseOptions) : nil
    let space = try Self.database("GeoDB/third-party/good/GeoIP2-City-Test.mmdb").ipv4AddressesByCountry()
    #expect(!summary.radius.isEmpty && !summary.robustASNs.isEmpty && summary.evidence.reflectionPackets > 0)
    if bucket > 0 { #expect(!summary.buckets.isEmpty) }

    let doc = ReportDocument.evaluating(summary, baseline: base, claims: Self.claims, addressSpace: space)
    let text = SummaryJSON.encode(doc).serialized()
    let decoded = try SummaryJSON.decode(text, path: "s.json")
    // Everything comes back equal, the source sets and sketches `merge` uses included; a baseline
    // carries no source sets (it is never merged).
    #expect(decoded.summary == summary)
    #expect(decoded.summary.distinct.countries.values.contains { !$0.isEstimate })
    #expect(decoded.baseline.map(Self.withoutDistinct) == base.map(Self.withoutDistinct))
    #expect(decoded.addressSpace == space)
    #expect(decoded.claims.map(\.claim) == Self.claims.map(\.claim))
    #expect(decoded.claims.map(\.origin) == Self.claims.map(\.origin))
    // The claims evaluated again from the decoded counts say the same, to the byte.
    let again = decoded.document()
    #expect(SummaryJSON.encode(again).serialized() == text)
    for format in ReportFormat.allCases {
      #expect(again.render(format, options: RenderOptions()) == doc.render(format, options: RenderOptions()), "\(format)")
    }
  }

  static func withoutDistinct(_ s: Summary) -> Summary {
    var out = s
    out.distinct = DistinctSources()
    return out
  }

  @Test func largeCountersRoundTripExactly() throws {
    var s = Summary()
    s.totals.ipPackets = UInt64.max
    s.totals.wireBytes = UInt64.max - 1
    s.totals.firstSeen = Timestamp(nanoseconds: -1)
    s.totals.lastSeen = Timestamp(nanoseconds: Int64.max)
    var c = OriginCounters()
    c.packets = UInt64.max
    c.sources = (1 << 53) + 1  // not representable as a Double
    s.countries[OriginKey(kind: .country, code: "UA")] = c
    s.robustCountries[OriginKey(kind: .special, code: "private")] = c
    s.evidence.sourcesByHops[255] = UInt64.max
    s.evidence.sourcesByInitialTTL[255] = 1 << 60
    let decoded = try SummaryJSON.decode(SummaryJSON.encode(ReportDocument(summary: s)).serialized(), path: "s.json")
    #expect(decoded.summary == s)
  }
}
