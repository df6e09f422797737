import Analysis
import Capture
import FlowLogs
import Foundation
import NetCore
import TestSupport

/// Collects what a reader hands out, for assertions.
final class CollectingSink: FlowRecordSink {
  var observations: [Observation] = []
  var skipped: [String: UInt64] = [:]

  func add(_ observation: Observation) { observations.append(observation) }
  func countSkipped(_ reason: String, count: UInt64) { skipped[reason, default: 0] += count }

  /// Packets, bytes and flows per source address, as text.
  var bySource: [String: [UInt64]] {
    var out: [String: [UInt64]] = [:]
    for o in observations {
      var c = out[o.source.description] ?? [0, 0, 0]
      c[0] += o.packets
      c[1] += o.ipBytes
      c[2] += o.flows
      out[o.source.description] = c
    }
    return out
  }
}

/// A fixture under Tests/FlowLogsTests/Fixtures.
func fixture(_ name: String) -> String {
  packageRoot.appendingPathComponent("Tests/FlowLogsTests/Fixtures/\(name)").path
}

/// The text of a fixture.
func fixtureText(_ name: String) throws -> String {
  try String(contentsOfFile: fixture(name), encoding: .utf8)
}

/// Reads a file with `FlowLogReader`.
func readFlowLog(
  path: String, format: FlowLogFormat? = nil, options: FlowLogOptions = FlowLogOptions()
) throws -> (report: FlowLogReport, sink: CollectingSink) {
  let sink = CollectingSink()
  let input = try TextInput(path: path)
  let report = try FlowLogReader.read(input, format: format, options: options, into: sink)
  return (report, sink)
}

/// Writes `content` to a temporary file (gzip-compressed with `gzip: true`) and reads it.
func readFlowLog(
  content: Data, gzip: Bool = false, format: FlowLogFormat? = nil, options: FlowLogOptions = FlowLogOptions()
) throws -> (report: FlowLogReport, sink: CollectingSink) {
  let dir = try TemporaryDirectory()
  defer { dir.cleanup() }
  let path = dir.path("log")
  try content.write(to: URL(fileURLWithPath: path))
  if gzip {
    let out = try run("gzip", ["-n", path])
    guard out.status == 0 else { throw TestSupportError("gzip failed: \(out.stderr)") }
    return try readFlowLog(path: path + ".gz", format: format, options: options)
  }
  return try readFlowLog(path: path, format: format, options: options)
}

func readFlowLog(
  _ text: String, gzip: Bool = false, format: FlowLogFormat? = nil, options: FlowLogOptions = FlowLogOptions()
) throws -> (report: FlowLogReport, sink: CollectingSink) {
  try readFlowLog(content: Data(text.utf8), gzip: gzip, format: format, options: options)
}

extension Timestamp {
  /// `2025-03-10T10:00:00Z` style construction for expectations.
  static func iso(_ text: String) -> Timestamp { Timestamp.parseISO8601(text)! }
}
