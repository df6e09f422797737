import Analysis
import ArgumentParser
import Capture
import FlowLogs

/// What `--input-format` can force: a capture, a flow-log format, or a capture of NetFlow/IPFIX export
/// datagrams.
enum InputFormatChoice: String, ExpressibleByArgument, CaseIterable {
  case pcap, vpc, zeek
  case zeekJSON = "zeek-json"
  case eve
  case nfdumpCSV = "nfdump-csv"
  case nfdumpJSON = "nfdump-json"
  case gcp, azure, csv, netflow

  var flowLogFormat: FlowLogFormat? { FlowLogFormat(rawValue: rawValue) }
}

/// Reads each input of `analyze` into one aggregator, whatever it is: the content decides (or
/// `--input-format`), captures go to `CaptureIngest`, flow logs to `FlowLogReader`. An input is opened
/// once, so standard input and pipes work for every format.
struct InputDispatch {
  var captures: CaptureIngest
  let format: InputFormatChoice?
  let flowOptions: FlowLogOptions
  /// The name standard input (`-`) goes by in messages and in the summary; nil keeps `-`.
  var standardInputName: String? = nil

  var aggregator: Aggregator { captures.aggregator }

  /// Problems with malformed records printed per input before the count.
  static let problemsShown = 5

  init(aggregator: Aggregator, progress: Progress?, threads: Int, format: InputFormatChoice?, flowOptions: FlowLogOptions) {
    captures = CaptureIngest(aggregator: aggregator, progress: progress, threads: threads)
    self.format = format
    var options = flowOptions
    options.problemsKept = Self.problemsShown
    self.flowOptions = options
  }

  mutating func read(path: String) -> CaptureIngest.Outcome {
    let opened: OpenedInput
    let named = path == "-" ? standardInputName : nil
    do {
      if let named {
        opened = try OpenedInput(standardInputNamed: named)
      } else {
        opened = try OpenedInput(path: path)
      }
    } catch {
      aggregator.addInput(InputSummary(path: named ?? path, format: "unknown", error: error.description))
      return .unreadable(error.description)
    }
    switch format {
    case .pcap?:
      return readCapture(opened)
    case .netflow?:
      return readNetFlowCapture(opened)
    case nil where opened.isCapture:
      return readCapture(opened)
    case let forced:
      if let forced, opened.isCapture {
        let what = opened.captureFormat.map { "a \($0) capture" } ?? "a capture"
        let message = "\(Self.displayName(opened.path)): \(what), not a \(forced.rawValue) flow log (--input-format \(forced.rawValue))"
        aggregator.addInput(InputSummary(path: opened.path, format: opened.captureFormat?.rawValue ?? "unknown", error: message))
        return .unreadable(message)
      }
      return readFlowLog(opened, format: forced?.flowLogFormat)
    }
  }

  /// A capture goes to `CaptureIngest`, which opens it by its path: a regular file again (a plain
  /// pcap file is then read by byte ranges on several threads), anything else (standard input, a
  /// pipe) as the input already opened here, handed over and read from its start.
  private mutating func readCapture(_ opened: OpenedInput) -> CaptureIngest.Outcome {
    if !opened.canReopen { opened.handOverToCaptureReader() }
    return captures.read(path: opened.path)
  }

  /// `--input-format netflow`: a capture of NetFlow v5/v9/IPFIX export datagrams, decoded as the
  /// collector decodes them (`NetFlowCaptureIngest`), which opens the capture by its path.
  private mutating func readNetFlowCapture(_ opened: OpenedInput) -> CaptureIngest.Outcome {
    if !opened.canReopen { opened.handOverToCaptureReader() }
    return NetFlowCaptureIngest.read(path: opened.path, into: aggregator)
  }

  private mutating func readFlowLog(_ opened: OpenedInput, format: FlowLogFormat?) -> CaptureIngest.Outcome {
    let path = opened.path
    let name = Self.displayName(path)
    let text: TextInput
    do {
      text = try opened.textInput()
    } catch {
      aggregator.addInput(InputSummary(path: path, format: "unknown", error: error.description))
      return .unreadable(error.description)
    }
    let sink = ProgressSink(aggregator: aggregator, progress: captures.progress, path: path)
    let report: FlowLogReport
    do {
      report = try FlowLogReader.read(text, format: format, options: flowOptions, into: sink)
    } catch {
      captures.progress = sink.progress
      aggregator.addInput(
        InputSummary(path: path, format: format?.rawValue ?? "unknown", compressed: text.compressed, error: error.description))
      return .unreadable(error.description)
    }
    captures.progress = sink.progress
    for problem in report.firstProblems { printError("origincheck: \(name): \(problem)") }

    var input = InputSummary(path: path, format: report.format, compressed: text.compressed, records: report.records)
    var message: String? = nil
    let malformed = report.malformed.total
    if malformed > 0 {
      let reasons = report.malformed.byReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
      let first = report.firstProblems.first.map { "; first at \($0)" } ?? ""
      message = "\(name): \(malformed) malformed record\(malformed == 1 ? "" : "s") skipped (\(reasons.joined(separator: ", ")))\(first)"
    }
    if let damage = report.damage {
      message = message.map { "\(damage); \($0.dropFirst(name.count + 2))" } ?? damage
    }
    guard let message else {
      aggregator.addInput(input)
      return .complete
    }
    input.error = message
    input.damaged = true
    aggregator.addInput(input)
    // Nothing usable was read: every record was malformed, or the input broke off before any.
    if report.counted == 0 && report.skipped.total == 0 { return .unreadable(message) }
    return .damaged(message)
  }

  /// How messages name an input: standard input is `<stdin>`.
  static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }
}

/// Passes flow records to the aggregator and keeps the progress line going.
private final class ProgressSink: FlowRecordSink {
  let aggregator: Aggregator
  var progress: Progress?
  let path: String

  init(aggregator: Aggregator, progress: Progress?, path: String) {
    self.aggregator = aggregator
    self.progress = progress
    self.path = path
  }

  func add(_ observation: Observation) {
    aggregator.add(observation)
    progress?.tick(path: path)
  }

  func countSkipped(_ reason: String, count: UInt64) {
    aggregator.countSkipped(reason, count: count)
  }
}
