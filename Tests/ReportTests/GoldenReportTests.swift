import Analysis
import Foundation
import Report
import TestSupport
import Testing

/// Every format rendered from the fixture summary equals its golden file, byte for byte.
/// `ORIGINCHECK_UPDATE_GOLDEN=1` rewrites the golden files instead (review the diff).
@Suite struct GoldenReportTests {
  static let fixtures = packageRoot.appendingPathComponent("Tests/ReportTests/Fixtures")
  static let goldens: [(ReportFormat, String)] = [
    (.table, "golden/report.txt"), (.csv, "golden/report.csv"), (.markdown, "golden/report.md"), (.html, "golden/report.html"),
  ]

  static func document() throws -> ReportDocument {
    let path = fixtures.appendingPathComponent("summary.json").path
    return try SummaryJSON.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), path: path).document()
  }

  /// The first line where two texts differ, for a readable failure.
  static func firstDifference(_ a: String, _ b: String) -> String {
    let x = a.split(separator: "\n", omittingEmptySubsequences: false)
    let y = b.split(separator: "\n", omittingEmptySubsequences: false)
    for i in 0..<max(x.count, y.count) {
      let l = i < x.count ? String(x[i]) : "<end>"
      let r = i < y.count ? String(y[i]) : "<end>"
      if l != r { return "line \(i + 1):\n  got:      \(l.prefix(300))\n  expected: \(r.prefix(300))" }
    }
    return "no difference"
  }

  @Test(arguments: goldens)
  func rendersTheGoldenFile(format: ReportFormat, file: String) throws {
    let text = try Self.document().render(format, options: RenderOptions())
    let url = Self.fixtures.appendingPathComponent(file)
    if ProcessInfo.processInfo.environment["ORIGINCHECK_UPDATE_GOLDEN"] == "1" {
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
      return
    }
    let golden = try #require(try? Data(contentsOf: url), "\(file) is missing: run with ORIGINCHECK_UPDATE_GOLDEN=1")
    #expect(Data(text.utf8) == golden, "\(file) differs at \(Self.firstDifference(text, String(decoding: golden, as: UTF8.self)))")
  }

  /// The JSON golden is the fixture itself: reading a summary and writing it again changes nothing.
  @Test func jsonIsTheFixtureItself() throws {
    let fixture = try Data(contentsOf: Self.fixtures.appendingPathComponent("summary.json"))
    let text = try Self.document().render(.json, options: RenderOptions()) + "\n"
    #expect(Data(text.utf8) == fixture, "\(Self.firstDifference(text, String(decoding: fixture, as: UTF8.self)))")
  }
}
