import Analysis
import Foundation
import Geo
import NetCore
import Report

/// Observations with any timestamp (before 1970, at the ends of the 64-bit range, jumping back and
/// forth), any sizes and any addresses, counted with time buckets, a window, targets and a small
/// address table, then evaluated against claims and rendered as JSON and as a table.
///
/// Input: one option byte, then 24-byte observations:
///   0  timestamp, nanoseconds (Int64, little-endian)
///   8  flags: 0x01 IPv6 addresses, 0x02 TTL, 0x04 ports, 0x08 sizes times 2^32
///   9  source (4 bytes; for IPv6 repeated into 16)
///  13  destination (4 bytes)
///  17  protocol
///  18  packets (UInt16)
///  20  wire bytes (UInt32)
enum AggregateTarget {
  static let recordLength = 24
  /// The aggregator's dense-series limit (docs/limits.md).
  static let maximumBuckets = 100_000
  /// Bucket widths the option byte picks from (low 3 bits); 0 means no buckets.
  static let bucketWidths: [Int64?] = [
    nil, 1, 1_000_000, 1_000_000_000, 300_000_000_000, 3_600_000_000_000, 86_400_000_000_000,
    8_640_000_000_000_000_000,  // 100000d, the longest width --bucket takes
  ]

  /// The test country database, opened once.
  static let origins: OriginTable = {
    let path =
      ProcessInfo.processInfo.environment["ORIGINCHECK_FUZZ_DB"]
      ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../GeoDB/test/country.mmdb")
      .standardized.path
    do {
      return try OriginTable(countryDatabase: MaxMindDatabase(path: path))
    } catch {
      fatalError("the aggregate target needs a country database (ORIGINCHECK_FUZZ_DB): \(error)")
    }
  }()

  static let addressSpace: [String: UInt64] = {
    (try? origins.countryDatabase?.ipv4AddressesByCountry()) ?? [:]
  }()

  static let claims: [(Claim, ClaimedOrigin)] = [
    (Claim(origin: "UA", assertion: .primary), ClaimedOrigin(name: "UA", title: "Ukraine", membership: .countries(["UA"]))),
    (
      Claim(origin: "eu", assertion: .atLeast(0.2), metric: .packets),
      ClaimedOrigin(name: "eu", title: "EU", membership: .countries(["DE", "FR", "PL"]))
    ),
  ]

  /// Options from the option byte.
  static func options(_ option: UInt8) -> AggregatorOptions {
    var options = AggregatorOptions()
    options.bucketWidth = bucketWidths[Int(option & 0x07)]
    if option & 0x08 != 0 { options.targets = [IPNetwork("10.0.0.0/8")!, IPNetwork("2001:db8::/32")!] }
    if option & 0x10 != 0 { options.addressCapacity = 16 }
    if option & 0x20 != 0 {
      options.window = TimeWindow(start: Timestamp(nanoseconds: -1_000_000_000), end: Timestamp(nanoseconds: 1 << 62))
    }
    return options
  }

  /// The report of the observations in `data`: the summary, the claims' verdicts and the evidence.
  static func report(_ data: UnsafeRawBufferPointer) -> (document: ReportDocument, packets: UInt64, observations: Int)? {
    guard let option = data.first else { return nil }
    let options = options(option)
    let aggregator = Aggregator(origins: origins, options: options)
    var packets: UInt64 = 0
    var observations = 0
    var at = 1
    while at + recordLength <= data.count {
      let o = observation(UnsafeRawBufferPointer(rebasing: data[at..<(at + recordLength)]))
      aggregator.add(o)
      packets &+= o.packets
      observations += 1
      at += recordLength
    }
    let summary = aggregator.finish()
    let evaluator = ClaimEvaluator(summary: summary, addressSpace: addressSpace)
    let document = ReportDocument(
      summary: summary, claims: claims.map { evaluator.evaluate($0.0, origin: $0.1) },
      evidence: ClaimEvaluator.evidence(summary, addressSpace: addressSpace), addressSpace: addressSpace)
    return (document, packets, observations)
  }

  /// The summary JSON of the observations in `data` (seeds for the summary-json target).
  static func summaryJSON(_ data: UnsafeRawBufferPointer) -> String {
    report(data).map { SummaryJSON.encode($0.document).serialized() } ?? ""
  }

  /// Dense bucket series longer than this are not aggregated here (see `run`).
  static let longestDenseSeries = 5_000

  /// The number of buckets a dense series of the observations in `data` would have: from the first
  /// observation's bucket to the last one's.
  static func denseSeriesLength(_ data: UnsafeRawBufferPointer) -> Int128 {
    guard let option = data.first, let width = bucketWidths[Int(option & 0x07)] else { return 0 }
    var buckets: [Int128] = []
    var at = 1
    while at + recordLength <= data.count {
      let time = Int128(Int64(littleEndian: data.loadUnaligned(fromByteOffset: at, as: Int64.self)))
      let (quotient, remainder) = time.quotientAndRemainder(dividingBy: Int128(width))
      buckets.append(remainder < 0 ? quotient - 1 : quotient)
      at += recordLength
    }
    guard let first = buckets.min(), let last = buckets.max() else { return 0 }
    return last - first + 1
  }

  static func run(_ data: UnsafeRawBufferPointer) {
    // A dense series of 5,000 to 100,000 buckets (the documented bound, tested in
    // AnalysisLimitsTests) takes a second or more to build under AddressSanitizer and covers no
    // code a shorter one does not: such inputs are skipped to keep the search fast. Sparse series
    // (clock jumps) and short dense ones are aggregated.
    let dense = denseSeriesLength(data)
    guard dense <= Int128(longestDenseSeries) || dense > Int128(AggregateTarget.maximumBuckets) else { return }
    guard let (document, packets, observations) = report(data) else { return }
    let summary = document.summary
    let filtered = data[0] & 0x08 != 0
    if !filtered {
      FuzzCheck.require(summary.totals.ipPackets == packets, "\(summary.totals.ipPackets) packets counted of \(packets)")
    }
    if let width = summary.bucketWidth, observations > 0, !filtered {
      // A dense series runs from the first bucket to the last; past the limit only buckets with
      // traffic are kept, so the series never outgrows the observations.
      FuzzCheck.require(
        summary.buckets.count <= max(100_000, observations), "\(summary.buckets.count) buckets of width \(width)")
    }
    _ = document.render(.table, options: RenderOptions(top: 5))
    // A series of up to 100,000 buckets is the documented bound; writing it out costs time in
    // proportion and covers no other code, so only short series are written and read back here.
    guard summary.buckets.count <= 1000 else { return }
    let json = SummaryJSON.encode(document).serialized()
    do {
      let decoded = try SummaryJSON.decode(json, path: "aggregate.json")
      FuzzCheck.require(
        SummaryJSON.encode(decoded.document()).serialized() == json, "the summary JSON does not read back the same")
    } catch {
      fatalError("the summary JSON written does not read back: \(error)")
    }
  }

  static func observation(_ r: UnsafeRawBufferPointer) -> Observation {
    let flags = r[8]
    let source = r.loadUnaligned(fromByteOffset: 9, as: UInt32.self)
    let destination = r.loadUnaligned(fromByteOffset: 13, as: UInt32.self)
    func address(_ word: UInt32) -> IPAddress {
      guard flags & 0x01 != 0 else { return .v4(IPv4Address(UInt32(bigEndian: word))) }
      let half = UInt64(word) << 32 | UInt64(word)
      return .v6(IPv6Address(high: half, low: half))
    }
    let scale: UInt64 = flags & 0x08 != 0 ? 1 << 32 : 1
    let packets = UInt64(r.loadUnaligned(fromByteOffset: 18, as: UInt16.self)) &* scale
    let wire = UInt64(r.loadUnaligned(fromByteOffset: 20, as: UInt32.self)) &* scale
    return Observation(
      timestamp: Timestamp(nanoseconds: Int64(littleEndian: r.loadUnaligned(as: Int64.self))),
      source: address(source), destination: address(destination), protocolNumber: r[17], packets: packets,
      wireBytes: wire, ipBytes: wire / 2, flows: flags & 0x10 != 0 ? 1 : 0, ttl: flags & 0x02 != 0 ? r[17] : nil,
      sourcePort: flags & 0x04 != 0 ? UInt16(truncatingIfNeeded: source) : nil,
      destinationPort: flags & 0x04 != 0 ? UInt16(truncatingIfNeeded: destination) : nil)
  }
}
