import Analysis
import Capture
import FlowLogs
import NetCore

/// A flow log of any format. The first input byte picks the format (`format(selector:)`: each
/// format, or detection from the content), the rest is the log. Small line and record limits make
/// the over-long paths reachable with small inputs.
///
/// Checks: every record read is counted or skipped by a reason (nothing dropped silently), the
/// sink saw exactly what the report says, problems and damage are one line, and an unreadable log
/// is a one-line error naming the file.
enum FlowLogTarget {
  /// Formats a selector byte can pick; nil is detection from the content.
  static let formats: [FlowLogFormat?] = [nil] + FlowLogFormat.allCases.map { $0 }

  static func format(selector: UInt8) -> FlowLogFormat? { formats[Int(selector) % formats.count] }

  static func selector(for format: FlowLogFormat?) -> UInt8 { UInt8(formats.firstIndex(of: format) ?? 0) }

  /// Counts what the reader hands to it.
  final class CountingSink: FlowRecordSink {
    var observations: UInt64 = 0
    var skipped = SkipCounts()
    func add(_ observation: Observation) {
      observations += 1
      _ = observation.timestamp.description
    }
    func countSkipped(_ reason: String, count: UInt64) { skipped.add(reason, count) }
  }

  static func run(_ data: UnsafeRawBufferPointer) {
    guard let selector = data.first else { return }
    ScratchFile.with(UnsafeRawBufferPointer(rebasing: data[1...])) { read(path: $0, selector: selector) }
  }

  static func read(path: String, selector: UInt8) {
    let format = format(selector: selector)
    var options = FlowLogOptions()
    options.maximumLineLength = 512
    options.maximumRecordLength = 2048
    options.detectionLength = 4096
    if format == .csv || (format == nil && selector & 0x80 != 0) {
      options.columns = try? ColumnMapping(parsing: "src=1|source,dst=2,time=3|time,packets=4,bytes=5,proto=6,sport=7,dport=8")
    }
    let input: TextInput
    do {
      input = try TextInput(path: path)
    } catch {
      FuzzCheck.oneLine(error.description, naming: path)
      return
    }
    let sink = CountingSink()
    let report: FlowLogReport
    do {
      report = try FlowLogReader.read(input, format: format, options: options, into: sink)
    } catch {
      FuzzCheck.oneLine(error.description, naming: path)
      FuzzCheck.require(sink.observations == 0, "a log that cannot be read counted \(sink.observations) records")
      return
    }
    FuzzCheck.require(
      report.records == report.counted &+ report.skipped.total &+ report.malformed.total,
      "\(report.records) records: \(report.counted) counted, \(report.skipped.total) skipped, \(report.malformed.total) malformed")
    FuzzCheck.require(sink.observations == report.counted, "sink saw \(sink.observations), report counts \(report.counted)")
    var both = report.skipped
    both.add(report.malformed)
    FuzzCheck.require(sink.skipped == both, "sink skipped \(sink.skipped.byReason), report \(both.byReason)")
    FuzzCheck.require(report.firstProblems.count <= options.problemsKept, "\(report.firstProblems.count) problems kept")
    for problem in report.firstProblems {
      FuzzCheck.require(problem.oneLine == problem, "problem is not one line: \(problem)")
    }
    if let damage = report.damage { FuzzCheck.oneLine(damage, naming: path) }
  }
}
