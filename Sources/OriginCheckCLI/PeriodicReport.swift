import Analysis
import ArgumentParser
import Foundation
import NetCore
import Report

#if canImport(Glibc)
  import Glibc
#endif

/// When a long-running command reports and stops: `--interval`, `--duration`, and `--output` for
/// the JSON Lines file.
struct IntervalOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Refresh the view on standard error (and append a JSON line to --output) this often.", valueName: "duration"))
  var interval: String = "10s"

  @Option(help: ArgumentHelp("Stop after this long (e.g. 30s, 10m) and print the final report.", valueName: "duration"))
  var duration: String?

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("Append one JSON summary line (JSON Lines) per interval, and the final one, to this file.", valueName: "path"))
  var output: String?

  var intervalNanoseconds: Int64 { Timestamp.parseDuration(interval) ?? 10_000_000_000 }
  var durationNanoseconds: Int64? { duration.flatMap { Timestamp.parseDuration($0) } }

  func validate() throws {
    guard Timestamp.parseDuration(interval) != nil else {
      throw ValidationError("--interval '\(interval)': expected a duration such as 5s, 10s or 1m")
    }
    if let duration, Timestamp.parseDuration(duration) == nil {
      throw ValidationError("--duration '\(duration)': expected a duration such as 30s, 10m or 1h")
    }
  }
}

/// Nanoseconds on the monotonic clock, for intervals and deadlines.
func monotonicNanoseconds() -> Int64 {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
}

/// The wall-clock time now.
func wallClock() -> Timestamp {
  var t = timespec()
  clock_gettime(CLOCK_REALTIME, &t)
  return Timestamp(seconds: Int64(t.tv_sec), nanoseconds: Int64(t.tv_nsec))
}

/// SIGINT and SIGTERM held pending (blocked) from here on, so a loop can notice them between
/// receives and end with its final report.
struct BlockedStopSignals {
  private var set = sigset_t()

  init() {
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_BLOCK, &set, nil)
  }

  /// The stop signal that arrived, if any (consumed); never blocks.
  mutating func pending() -> Int32? {
    var zero = timespec(tv_sec: 0, tv_nsec: 0)
    var info = siginfo_t()
    let signal = sigtimedwait(&set, &info, &zero)
    return signal > 0 ? signal : nil
  }
}

/// Where a long-running source stands: what its status line and the JSON lines say beyond the
/// summary.
struct PeriodicStatus {
  /// `udp 127.0.0.1:2055`.
  var source: String
  /// Records counted so far, and their noun (`flow records`).
  var records: UInt64
  var noun: String
  /// Source-specific parts of the status line (`1,024 datagrams`, `0 dropped by the kernel`).
  var details: [String]
  /// Source-specific fields of the status object in the JSON.
  var json: [(String, JSONValue)]
}

/// The periodic and final reporting of a long-running source: a compact view refreshed on
/// standard error every interval (in place on a terminal), one JSON summary line per interval
/// appended to `--output` (JSON Lines), and the final report on standard output in any report
/// format. The JSON carries the status under `statusKey`. Warnings printed through it keep the
/// view intact.
final class PeriodicReporter {
  let claims: [CheckedClaim]
  let addressSpace: [String: UInt64]
  let options: RenderOptions
  /// The key of the status object in the JSON (`collector`).
  let statusKey: String
  private let started = monotonicNanoseconds()
  private var lastTick: (time: Int64, records: UInt64)
  private let terminal = isatty(2) == 1
  private var viewLines = 0
  private var outputHandle: FileHandle?
  private let outputPath: String?

  init(claims: [CheckedClaim], addressSpace: [String: UInt64], options: RenderOptions, statusKey: String, output: String?) throws {
    self.claims = claims
    self.addressSpace = addressSpace
    self.options = options
    self.statusKey = statusKey
    outputPath = output
    lastTick = (started, 0)
    if let output, output != "-" {
      if !FileManager.default.fileExists(atPath: output) {
        guard FileManager.default.createFile(atPath: output, contents: nil) else {
          throw CLIError("\(output): cannot write: cannot create the file", status: .cannotWrite)
        }
      }
      guard let handle = FileHandle(forWritingAtPath: output) else {
        throw CLIError("\(output): cannot write: cannot open the file", status: .cannotWrite)
      }
      handle.seekToEndOfFile()
      outputHandle = handle
    }
  }

  var elapsedSeconds: Double { Double(monotonicNanoseconds() - started) / 1e9 }

  /// Prints a warning line above the view.
  func warn(_ line: String) {
    clearView()
    printError(line)
  }

  /// One interval's report: the refreshed view, and a JSON line with `--output`. Returns the
  /// report document it was made from (claims evaluated on the summary so far).
  @discardableResult
  func tick(_ summary: Summary, status: PeriodicStatus) throws -> ReportDocument {
    let now = monotonicNanoseconds()
    let seconds = max(0.001, Double(now - lastTick.time) / 1e9)
    let rate = Double(status.records &- lastTick.records) / seconds
    lastTick = (now, status.records)
    let document = ReportDocument.evaluating(summary, baseline: nil, claims: claims, addressSpace: addressSpace)
    let view = PeriodicView.render(
      summary, status: statusLine(status, rate: rate), claims: document.claims, by: options.dimension, top: min(options.top, 5))
    clearView()
    if terminal {
      viewLines = view.split(separator: "\n", omittingEmptySubsequences: false).count - 1
      writeError(view)
    } else {
      writeError(view + "\n")
    }
    try appendLine(document, status: status, rate: rate, final: false)
    return document
  }

  /// The final report for standard output in `format` (a table starts with the status line); with
  /// `--output`, its JSON line is appended too.
  func finish(_ summary: Summary, status: PeriodicStatus, format: ReportFormat) throws -> ReportDocument {
    clearView()
    let document = ReportDocument.evaluating(summary, baseline: nil, claims: claims, addressSpace: addressSpace)
    let overall = Double(status.records) / max(0.001, elapsedSeconds)
    try appendLine(document, status: status, rate: overall, final: true)
    var text: String
    switch format {
    case .json: text = json(document, status: status, rate: overall, final: true).serialized()
    case .table: text = statusLine(status, rate: overall) + "\n\n" + document.render(.table, options: options)
    default: text = document.render(format, options: options)
    }
    try emit(text, to: nil)
    return document
  }

  private func statusLine(_ status: PeriodicStatus, rate: Double) -> String {
    let elapsed = Int(elapsedSeconds)
    let clock = "\(elapsed / 3600):" + String(elapsed / 60 % 60 + 100).dropFirst() + ":" + String(elapsed % 60 + 100).dropFirst()
    let parts =
      ["\(status.source)", clock] + status.details
      + ["\(SummaryTable.group(status.records)) \(status.noun) (\(SummaryTable.group(UInt64(max(0, rate.rounded())))) per second)"]
    return parts.joined(separator: " · ")
  }

  /// The summary JSON with the status object under `statusKey`.
  private func json(_ document: ReportDocument, status: PeriodicStatus, rate: Double, final: Bool) -> JSONValue {
    let object: JSONValue = .object(
      [
        ("source", .string(status.source)), ("time", .string(wallClock().iso8601(fractionDigits: 3))),
        ("elapsedSeconds", .double((elapsedSeconds * 1000).rounded() / 1000)), ("final", .bool(final)),
        ("records", .uint(status.records)), ("recordsPerSecond", .double(rate.rounded())),
      ] + status.json)
    guard case .object(let pairs) = SummaryJSON.encode(document) else { return .object([(statusKey, object)]) }
    return .object(pairs + [(statusKey, object)])
  }

  private func appendLine(_ document: ReportDocument, status: PeriodicStatus, rate: Double, final: Bool) throws {
    guard let outputHandle, let outputPath else { return }
    let line = json(document, status: status, rate: rate, final: final).serialized(pretty: false) + "\n"
    do {
      try outputHandle.write(contentsOf: Data(line.utf8))
    } catch {
      throw CLIError("\(outputPath): cannot write: \(error.localizedDescription)", status: .cannotWrite)
    }
  }

  /// On a terminal, erases the view last drawn so the next output takes its place.
  private func clearView() {
    guard terminal, viewLines > 0 else { return }
    writeError("\u{1B}[\(viewLines)F\u{1B}[J")
    viewLines = 0
  }

  private func writeError(_ text: String) {
    _ = text.withCString { write(2, $0, strlen($0)) }
  }
}
