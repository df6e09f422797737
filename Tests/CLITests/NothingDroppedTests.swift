import Foundation
import NetCore
import TestSupport
import Testing

/// Nothing read is dropped silently (docs/limits.md, "Nothing dropped silently"): every record of
/// a capture and every record of a flow log is either counted or counted under a reason, and the
/// summary's counts add up to what was read.
@Suite struct NothingDroppedTests {
  static let testDB = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path

  static func number(_ any: Any?) -> Int { (any as? NSNumber)?.intValue ?? -1 }

  @Test("capture records: IP toward the target, IP elsewhere, non-IP, each counted")
  func captureRecords() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    // 26 records cycling over IPv4 (toward 93.184.216.34) and IPv6 (toward 2a00:1450::1) sources,
    // and two records that hold no IP packet.
    var records = AnalyzeCommandTests.records(count: 26)
    records.insert(.init(source: nil, ipBytes: 4, wireBytes: 4, origin: "-"), at: 3)
    records.append(.init(source: nil, ipBytes: 4, wireBytes: 4, origin: "-"))
    let path = directory.path("mixed.pcap")
    try AnalyzeCommandTests.pcap(records).data.write(to: URL(fileURLWithPath: path))
    let ipv6 = records.filter { $0.source?.contains(":") == true }.count

    let out = try origincheck(["analyze", "--db", Self.testDB, "--format", "json", "--target", "93.184.216.0/24", path])
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    let totals = try #require(json["totals"] as? [String: Any])
    let linkTypes = try #require(json["linkTypes"] as? [[String: Any]])
    let evidence = try #require(json["evidence"] as? [String: Any])
    let inputs = try #require(json["inputs"] as? [[String: Any]])

    // What was read...
    #expect(Self.number(inputs.first?["records"]) == records.count)
    #expect(Self.number(totals["records"]) == records.count)
    // ...is IP or non-IP by reason...
    let nonIP = (linkTypes.first?["nonIP"] as? [String: Any] ?? [:]).values.map { Self.number($0) }.reduce(0, +)
    let ip = Self.number(linkTypes.first?["ipPackets"])
    #expect(nonIP == 2 && ip + nonIP == records.count)
    // ...and every IP packet is counted by origin, or as not toward the target.
    #expect(Self.number(evidence["otherDestinationPackets"]) == ipv6)
    #expect(Self.number(totals["ipPackets"]) + ipv6 == ip)

    let table = try origincheck(["analyze", "--db", Self.testDB, "--target", "93.184.216.0/24", path])
    #expect(table.stdout.contains("not toward the target: \(ipv6) packets, left out"), "\(table.stdout)")
    #expect(table.stdout.contains("non-IP records: 2 malformed"), "\(table.stdout)")
  }

  @Test("flow-log records: counted, skipped by the format's rules, or malformed, each by reason")
  func flowLogRecords() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let lines = [
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
      "2 123456789010 eni-1 5.8.1.1 93.184.216.34 443 49152 6 20 4249 1741597200 1741597260 ACCEPT OK",
      "",
      "2 123456789010 eni-1 - - - - - - - 1741597200 1741597260 - NODATA",
      "2 123456789010 eni-1 5.8.1.x 93.184.216.34 443 49152 6 20 4249 1741597200 1741597260 ACCEPT OK",
      "2 123456789010 eni-1 5.9.0.1 93.184.216.34 443 49152 6 2 120 1741597200 1741597260 REJECT OK",
      "2 123456789010 eni-1 5.9.0.1 93.184.216.34",
    ]
    let path = directory.path("flows.log")
    try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))

    let out = try origincheck(["analyze", "--db", Self.testDB, "--format", "json", path])
    // Malformed records make the input partly read: 65, each problem one line naming the file.
    #expect(out.status == 65, "\(out.stderr)")
    let errors = out.stderr.split(separator: "\n")
    #expect(!errors.isEmpty && errors.allSatisfy { $0.hasPrefix("origincheck: \(path): ") }, "\(out.stderr)")
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    let totals = try #require(json["totals"] as? [String: Any])
    let skipped = try #require(json["skipped"] as? [String: Any])
    let inputs = try #require(json["inputs"] as? [[String: Any]])
    // Five records (the header and the blank line are not records): two counted, three skipped.
    #expect(Self.number(inputs.first?["records"]) == 5)
    #expect(Self.number(totals["flows"]) == 2)
    #expect(skipped.mapValues { Self.number($0) } == ["nodata": 1, "bad-address": 1, "wrong-field-count": 1])
  }
}
