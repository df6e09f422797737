import Analysis
import Capture
import FlowLogs
import Foundation
@testable import FuzzTargets
import Report
import TestSupport
import Testing

/// Damaged flow logs and saved summaries made from valid ones: cut at every offset of their first
/// records, every byte of those flipped, every number set to extremes. Flow logs are read with the
/// flow-log fuzz target's checks (every record counted or skipped by reason, one-line problems),
/// and what was read from the lines before the damage must equal what those lines alone give.
/// Summaries either read back whole or fail with one line naming the file and the place.
@Suite("Damaged flow logs and summaries made from valid ones")
struct DamagedTextInputTests {
  static let fixtures = packageRoot.appendingPathComponent("Tests/FlowLogsTests/Fixtures")

  static let logs: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []).sorted()

  /// Collects observations as text, for comparison.
  final class TextSink: FlowRecordSink {
    var observations: [String] = []
    var skipped = SkipCounts()
    func add(_ o: Observation) {
      observations.append("\(o.timestamp.nanoseconds) \(o.source) \(o.destination) \(o.packets) \(o.ipBytes) \(o.flows)")
    }
    func countSkipped(_ reason: String, count: UInt64) { skipped.add(reason, count) }
  }

  /// Reads a log as `analyze` does, forcing `format` (nil: detection).
  static func read(_ bytes: [UInt8], format: FlowLogFormat?) -> (report: FlowLogReport?, sink: TextSink) {
    let sink = TextSink()
    let report = bytes.withUnsafeBytes { data in
      ScratchFile.with(data) { path -> FlowLogReport? in
        guard let input = try? TextInput(path: path) else { return nil }
        return try? FlowLogReader.read(input, format: format, into: sink)
      }
    }
    return (report, sink)
  }

  /// The bytes of the whole lines before `offset`.
  static func wholeLines(_ bytes: [UInt8], before offset: Int) -> [UInt8] {
    guard let newline = bytes[..<offset].lastIndex(of: 0x0a) else { return [] }
    return Array(bytes[...newline])
  }

  /// Whether each record is one line (text formats and JSON lines), so a line's damage leaves the
  /// lines before it alone.
  static func isLineBased(_ bytes: [UInt8]) -> Bool {
    let text = String(decoding: bytes, as: UTF8.self)
    let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard let first = lines.first else { return false }
    if first.hasPrefix("[") { return false }
    return !first.hasPrefix("{") || lines.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") }
  }

  /// The region mutated: the first three lines (the header and the first records), at most 1 KiB.
  static func region(_ bytes: [UInt8]) -> Int {
    var newlines = 0
    for (i, b) in bytes.enumerated() where b == 0x0a {
      newlines += 1
      if newlines == 3 { return min(i + 1, 1024) }
    }
    return min(bytes.count, 1024)
  }

  @Test("flow logs cut and flipped: the lines before the damage read as they do alone", arguments: logs)
  func flowLogDamage(name: String) throws {
    let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
    let format = FormatDetector.detect(Array(bytes.prefix(65536)))
    let selector = FlowLogTarget.selector(for: format)
    // Azure logs hold their records in documents (one per line or spread over lines).
    let lineBased = format != .azure && Self.isLineBased(bytes)
    let end = Self.region(bytes)
    var mutated: [(what: String, bytes: [UInt8], prefix: [UInt8], isCut: Bool)] = []
    for cut in 0...end { mutated.append(("cut at \(cut)", Array(bytes.prefix(cut)), Self.wholeLines(bytes, before: cut), true)) }
    for offset in 0..<end {
      var flipped = bytes
      flipped[offset] ^= 0xff
      mutated.append(("byte \(offset) flipped", flipped, Self.wholeLines(bytes, before: offset), false))
    }
    for (what, damaged, prefix, isCut) in mutated {
      // The fuzz target's checks, with the fixture's format (detection for the cuts).
      FuzzTarget.flowLog.run([isCut ? 0 : selector] + damaged)
      guard lineBased, let format else { continue }
      let whole = Self.read(prefix, format: format)
      let read = Self.read(damaged, format: format)
      guard let report = read.report else {
        // A log refused whole (its header damaged): the lines before the damage held no record.
        #expect(whole.sink.observations.isEmpty, "\(name), \(what): refused, though the lines before the damage read")
        continue
      }
      #expect(Array(read.sink.observations.prefix(whole.sink.observations.count)) == whole.sink.observations, "\(name), \(what)")
      if isCut, let wholeReport = whole.report {
        // The cut line is at most one more record, counted or skipped.
        #expect(read.sink.observations.count <= whole.sink.observations.count + 1, "\(name), \(what)")
        #expect(report.records >= wholeReport.records && report.records <= wholeReport.records + 1, "\(name), \(what)")
      }
    }
  }

  static let summary: [UInt8] = {
    SeedObservations.all[1].withUnsafeBytes { Array(AggregateTarget.summaryJSON($0).utf8) }
  }()

  /// Decodes a summary and evaluates its claims; on success it writes back JSON that reads again
  /// to the same JSON (when `roundTrip`).
  static func checkSummary(_ bytes: [UInt8], _ what: String, roundTrip: Bool = true) -> Bool {
    do {
      let decoded = try SummaryJSON.decode(bytes, path: "s.json")
      let document = decoded.document()
      guard roundTrip else { return true }
      let json = SummaryJSON.encode(document).serialized()
      let again = try SummaryJSON.decode(json, path: "s.json")
      #expect(SummaryJSON.encode(again.document()).serialized() == json, "\(what)")
      return true
    } catch {
      #expect(error.description.hasPrefix("s.json: ") && error.description.oneLine == error.description, "\(what): \(error)")
      return false
    }
  }

  @Test("a saved summary cut, flipped and with every number at extremes: read whole or one-line error")
  func summaryDamage() throws {
    let bytes = Self.summary
    #expect(bytes.count > 2000)
    #expect(Self.checkSummary(bytes, "the valid summary"))
    let end = min(bytes.count, 2000)
    for cut in 0..<bytes.count where cut < end || cut % 97 == 0 {
      // Only the last bytes (white space) can go without breaking the document.
      let whole = Self.checkSummary(Array(bytes.prefix(cut)), "cut at \(cut)")
      #expect(!whole || bytes[cut...].allSatisfy { $0 == 0x0a || $0 == 0x20 }, "cut at \(cut) read")
    }
    for offset in 0..<end {
      var flipped = bytes
      flipped[offset] ^= 0xff
      _ = Self.checkSummary(flipped, "byte \(offset) flipped")
    }
    // Every number in the document, in turn, set to each extreme (the claims evaluated on what
    // reads: counts no run could produce must not break the arithmetic).
    let text = String(decoding: bytes, as: UTF8.self)
    let numbers = try Regex(#"[:\[,]\s*(-?[0-9][0-9.eE+-]*)"#)
    let extremes = ["-1", "1.5", "1e400", "18446744073709551615", "18446744073709551616", "-9223372036854775809", "null"]
    var replaced = 0
    for match in text.matches(of: numbers) {
      guard let range = match.output[1].range else { continue }
      for value in extremes {
        let damaged = text.replacingCharacters(in: range, with: value)
        let place = text.distance(from: text.startIndex, to: range.lowerBound)
        _ = Self.checkSummary(Array(damaged.utf8), "number at \(place) set to \(value)", roundTrip: false)
        replaced += 1
      }
    }
    #expect(replaced > 100)
  }

  @Test("a sample of damaged flow logs and summaries through analyze and report: documented status, lines naming the file")
  func commandSample() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let database = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path
    for name in Self.logs {
      let bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(name)))
      let end = Self.region(bytes)
      var flipped = bytes
      flipped[end / 2] ^= 0xff
      for (index, damaged) in [Array(bytes.prefix(end / 2)), flipped].enumerated() {
        let path = directory.path("\(index)-\(name)")
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        let out = try origincheck(["analyze", "--db", database, "--format", "json", path])
        #expect([0, 65, 66].contains(out.status), "\(path): \(out.status) \(out.stderr)")
        let lines = out.stderr.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("origincheck: \(path)") }, "\(out.stderr)")
        #expect((out.status == 0) == lines.isEmpty, "\(path): \(out.status) \(out.stderr)")
      }
    }
    let summary = Self.summary
    for (index, damaged) in [Array(summary.prefix(summary.count / 2)), Array(summary.dropFirst(7))].enumerated() {
      let path = directory.path("summary-\(index).json")
      try Data(damaged).write(to: URL(fileURLWithPath: path))
      let out = try origincheck(["report", path])
      #expect(out.status == 66, "\(out.stderr)")
      #expect(out.stderr.split(separator: "\n").count == 1 && out.stderr.hasPrefix("origincheck: \(path): "), "\(out.stderr)")
    }
  }
}
