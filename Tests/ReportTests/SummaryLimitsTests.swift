import Analysis
import Foundation
import NetCore
import Report
import TestSupport
import Testing

/// Saved summaries at the limits (docs/limits.md): times at both ends of the 64-bit range write
/// and read back exactly; a bucket width that would round to nothing is refused.
@Suite struct SummaryLimitsTests {
  @Test("times at both ends of the range read back exactly")
  func extremeTimes() throws {
    var summary = Summary()
    summary.totals.firstSeen = Timestamp(nanoseconds: Int64.min)
    summary.totals.lastSeen = Timestamp(nanoseconds: Int64.max)
    summary.databases = [DatabaseInfo(role: "country", path: "c.mmdb", type: "T", buildDate: Timestamp(nanoseconds: Int64.min + 1))]
    let json = SummaryJSON.encode(summary).serialized()
    #expect(json.contains("\"firstSeen\": \"1677-09-21T00:12:43.145224192Z\""))
    #expect(json.contains("\"lastSeen\": \"2262-04-11T23:47:16.854775807Z\""))
    let decoded = try SummaryJSON.decode(json, path: "s.json")
    #expect(decoded.summary.totals.firstSeen == summary.totals.firstSeen)
    #expect(decoded.summary.totals.lastSeen == summary.totals.lastSeen)
    #expect(decoded.summary.databases == summary.databases)
  }

  @Test("a bucket width below a nanosecond is refused", arguments: ["1e-12", "0.0000000004", "-1"])
  func tinyBucketWidth(seconds: String) throws {
    let fixture = packageRoot.appendingPathComponent("Tests/ReportTests/Fixtures/summary.json").path
    let text = try String(contentsOfFile: fixture, encoding: .utf8)
    let range = try #require(text.range(of: "\"bucketSeconds\": 600"))
    let damaged = text.replacingCharacters(in: range, with: "\"bucketSeconds\": \(seconds)")
    #expect(throws: SummaryDecodeError.self) { try SummaryJSON.decode(damaged, path: "s.json") }
    do {
      _ = try SummaryJSON.decode(damaged, path: "s.json")
    } catch {
      #expect(error.description.hasPrefix("s.json: $.bucketSeconds: expected a positive number of seconds"))
    }
  }
}
