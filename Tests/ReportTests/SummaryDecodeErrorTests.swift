import Foundation
import Report
import TestSupport
import Testing

/// Damaged summaries, and summaries of another schema version, are one-line errors that name the
/// file and the place: a line and column for bad JSON, a JSON path for a wrong or missing field.
@Suite struct SummaryDecodeErrorTests {
  static let fixture = packageRoot.appendingPathComponent("Tests/ReportTests/Fixtures/summary.json").path

  static func fixtureText() throws -> String { try String(contentsOfFile: fixture, encoding: .utf8) }

  /// The error for `text`, or nil when it decodes.
  static func error(_ text: String) -> SummaryDecodeError? {
    do {
      _ = try SummaryJSON.decode(text, path: "s.json")
      return nil
    } catch {
      return error
    }
  }

  /// Replaces the first occurrence of `target` after `anchor`.
  static func replacing(_ text: String, _ target: String, with replacement: String, after anchor: String = "") -> String {
    let from = anchor.isEmpty ? text.startIndex : text.range(of: anchor)?.upperBound
    guard let from, let r = text.range(of: target, range: from..<text.endIndex) else {
      Issue.record("'\(target)' not found after '\(anchor)'")
      return text
    }
    return text.replacingCharacters(in: r, with: replacement)
  }

  @Test func theFixtureDecodes() throws {
    let decoded = try SummaryJSON.decode(try Self.fixtureText(), path: Self.fixture)
    #expect(decoded.claims.count == 3)
    #expect(decoded.baseline != nil)
    #expect(decoded.summary.bursts.count == 1)
  }

  @Test(arguments: [
    ("\"schemaVersion\": 2", "\"schemaVersion\": 1", "", "$.schemaVersion", "schema version 1 (written by an older origincheck)"),
    ("\"schemaVersion\": 2", "\"schemaVersion\": 3", "", "$.schemaVersion", "schema version 3 (written by a newer origincheck)"),
    ("\"schemaVersion\": 2", "\"schemaVersion\": \"2\"", "", "$.schemaVersion", "expected an integer, found the string \"2\""),
    ("\"schemaVersion\": 2,", "", "", "$", "missing \"schemaVersion\""),
    ("\"packets\": ", "\"packets\": -", "\"origins\"", "$.origins[0].packets", "expected a non-negative integer, found the number -"),
    ("\"sources\": ", "\"sources\": 1.5, \"x\": ", "\"continents\"", "$.continents[0].sources", "expected a non-negative integer, found the number 1.5"),
    ("\"kind\": \"country\"", "\"kind\": \"planet\"", "\"robustOrigins\"", "$.robustOrigins[0].kind", "expected one of \"country\""),
    ("\"kind\": \"country\"", "\"kind\": \"asn\"", "\"origins\"", "$.origins[0].kind", "does not belong here"),
    ("\"totals\": {", "\"totalz\": {", "", "$", "missing required field \"totals\""),
    ("\"firstSeen\": \"", "\"firstSeen\": \"yesterday", "", "$.totals.firstSeen", "expected an RFC 3339 date-time"),
    ("\"claim\": \"ukraine-area:primary\"", "\"claim\": \"ukraine-area\"", "", "$.claims[0].claim", "claim 'ukraine-area': expected ORIGIN:ASSERTION"),
    ("\"originKind\": \"countries\"", "\"originKind\": \"planets\"", "", "$.claims[0].originKind", "expected one of \"countries\""),
    ("\"sourcesByPackets\": [", "\"sourcesByPackets\": [7,", "\"evidence\"", "$.evidence.sourcesByPackets", "expected an array of 33 counts, found 34"),
    ("\"64\": ", "\"65\": ", "\"sourcesByInitialTTL\"", "$.evidence.sourcesByInitialTTL[\"65\"]", "expected an initial TTL"),
    ("\"inputs\": [", "\"inputs\": {", "", "line ", "expected a string key"),
    ("\"bucketSeconds\": 600", "\"bucketSeconds\": 0", "", "$.bucketSeconds", "expected a positive number of seconds"),
    ("\"label\": \"burst-1\"", "\"label\": null", "\"bursts\": [", "$.bursts[0].label", "expected a string, found null"),
    ("\"ipPackets\": ", "\"ipPackets\": true, \"y\": ", "\"baseline\"", "$.baseline.totals.ipPackets", "expected a non-negative integer, found true"),
  ])
  func wrongFieldsNameTheirPath(target: String, replacement: String, anchor: String, place: String, message: String) throws {
    let text = Self.replacing(try Self.fixtureText(), target, with: replacement, after: anchor)
    let error = try #require(Self.error(text), "\(replacement) decoded")
    #expect(error.place.hasPrefix(place), "\(error)")
    #expect(error.message.contains(message), "\(error)")
    #expect(error.description.hasPrefix("s.json: "))
    #expect(!error.description.contains("\n"))
  }

  @Test(arguments: [
    ("", "line 1, column 1", "no JSON value"),
    ("[]", "$", "expected a summary (a JSON object with schemaVersion), found an array"),
    ("{\"schemaVersion\": 2}", "$", "missing required field \"inputs\""),
    ("\u{D4}\u{C3}\u{B2}\u{A1}", "line 1, column 1", "expected a value"),
  ])
  func notASummary(text: String, place: String, message: String) throws {
    let error = try #require(Self.error(text))
    #expect(error.place == place, "\(error)")
    #expect(error.message.contains(message), "\(error)")
  }

  /// A summary cut anywhere is a syntax error with a line and column, never a crash or a
  /// silently shorter summary.
  @Test func truncatedSummariesNameTheLine() throws {
    // The fixture ends "}\n": every cut before the closing brace leaves a document that is not whole.
    let bytes = Array(try Self.fixtureText().utf8)
    #expect(bytes.suffix(2) == Array("}\n".utf8))
    var rng = SeededGenerator(seed: 9)
    let cuts = Array(0..<300) + (0..<300).map { _ in Int.random(in: 300..<bytes.count - 1, using: &rng) } + [bytes.count - 2]
    for cut in cuts {
      do {
        _ = try SummaryJSON.decode(Array(bytes[..<cut]), path: "s.json")
        Issue.record("a summary cut at \(cut) of \(bytes.count) bytes decoded")
      } catch {
        #expect(error.place.hasPrefix("line "), "cut at \(cut): \(error)")
      }
    }
  }
}
