import Analysis
import ArgumentParser
import Capture
import Foundation
import Geo
import NetCore
import PacketDecoding
import Report

#if canImport(Glibc)
  import Glibc
#endif

/// `origincheck live --interface IF`: where the traffic on an interface comes from, kept current.
struct LiveCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "live",
    abstract: "Capture from an interface and keep an origin summary current.",
    discussion: """
      Needs root or CAP_NET_RAW. Every interval a compact view (packets per second, drops, top \
      origins, claim verdicts so far) is refreshed on standard error and, with --output, the \
      summary so far is appended to the file as one JSON line, with the run's status under \
      "live". SIGINT (Ctrl-C), SIGTERM, --duration or --count ends the run: the full report in \
      --format goes to standard output, and --output gets a last line with "final": true. Kernel \
      and interface drops are in every view and in the summary's "capture" object; a verdict on \
      a capture with drops says so. See docs/live.md.
      """)

  @Option(name: [.short, .long], help: ArgumentHelp("The interface to capture on (any: all interfaces).", valueName: "name"))
  var interface: String

  @Option(help: ArgumentHelp("A BPF filter (pcap-filter(7)), e.g. 'tcp or udp'.", valueName: "expression"))
  var filter: String?

  @Option(
    help: ArgumentHelp(
      "Bytes kept of each packet, 1 to 262144 (default 256, the headers every count needs; with --write 65535).",
      valueName: "n"))
  var snaplen: Int?

  @Flag(help: "Put the interface in promiscuous mode.")
  var promiscuous = false

  @Option(help: ArgumentHelp("Kernel capture buffer, e.g. 64M (bytes; k, M, G are powers of 1024).", valueName: "bytes"))
  var bufferSize: String = "32M"

  @Option(help: ArgumentHelp("Stop after this many packets.", valueName: "n"))
  var count: UInt64?

  @OptionGroup var timing: IntervalOptions

  @OptionGroup var databases: DatabaseOptions

  @OptionGroup var layout: LayoutOptions

  @OptionGroup var checks: CheckOptions

  @Option(help: ArgumentHelp("Also save the captured packets to this pcap file.", valueName: "path"))
  var write: String?

  @Option(
    help: ArgumentHelp(
      "Serve Prometheus metrics at http://ADDRESS/metrics: a port (on 127.0.0.1), or HOST:PORT; other than loopback only when given.",
      valueName: "address"))
  var metrics: String?

  /// Bytes kept of each packet. Counting needs only the headers (wire and IP lengths come from
  /// them, not from the bytes kept), and a small snapshot leaves more of the capture buffer for
  /// packets; a saved capture keeps whole packets unless told otherwise.
  var snapshotLength: Int { snaplen ?? (write == nil ? 256 : 65_535) }

  func validate() throws {
    if interface.isEmpty { throw ValidationError("--interface needs a name") }
    if let snaplen, !(1...262_144).contains(snaplen) { throw ValidationError("--snaplen must be 1 to 262144") }
    if Self.parseBytes(bufferSize) == nil {
      throw ValidationError("--buffer-size '\(bufferSize)': expected bytes such as 4194304, 512k, 64M or 1G")
    }
    if timing.intervalNanoseconds < 100_000_000 {
      throw ValidationError("--interval '\(timing.interval)': expected a duration of at least 100ms, such as 500ms, 10s or 1m")
    }
    if count == 0 { throw ValidationError("--count must be at least 1") }
    if layout.by == .asn && databases.asnPath == nil { throw ValidationError("--by asn needs --asn-db") }
    if let metrics, MetricsAddress(metrics) == nil {
      throw ValidationError("--metrics '\(metrics)': expected a port or HOST:PORT with a numeric address, e.g. 9464, 127.0.0.1:9464 or [::1]:9464")
    }
  }

  /// `4194304`, `512k`, `64M`, `1G` (powers of 1024).
  static func parseBytes(_ text: String) -> Int? {
    let scales: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30]
    var digits = Substring(text)
    var scale = 1
    if let last = text.last, let s = scales[last] {
      scale = s
      digits = digits.dropLast()
    }
    guard let n = Int(digits), n > 0, n <= Int(Int32.max) / scale else { return nil }
    return n * scale
  }

  func run() throws {
    let countryDB = try databases.openCountry()
    let asnDB = try databases.openASN()
    let (claims, options) = try checks.setUp(countryDB: countryDB, asnDB: asnDB)
    let space = try addressSpace(of: countryDB, for: claims)
    let aggregator = Aggregator(origins: try OriginTable(countryDatabase: countryDB, asnDatabase: asnDB), options: options)
    let reporter = try PeriodicReporter(
      claims: claims, addressSpace: space, options: layout.renderOptions, statusKey: "live", output: timing.output)

    var captureOptions = LiveCapture.Options()
    captureOptions.snapshotLength = snapshotLength
    captureOptions.promiscuous = promiscuous
    captureOptions.bufferSize = Self.parseBytes(bufferSize)
    captureOptions.filter = filter
    let capture: LiveCapture
    do throws(LiveCaptureError) {
      capture = try LiveCapture(interface: interface, options: captureOptions)
      if let write { try capture.write(to: write) }
    } catch {
      let status: ExitStatus = error.kind == .badFilter ? .usage : error.kind == .cannotWrite ? .cannotWrite : .noInput
      throw CLIError(error.description, status: status)
    }
    for warning in capture.warnings { printError("origincheck: warning: \(warning)") }

    let metricsState = metrics.map { _ in LiveMetrics() }
    var server: MetricsServer? = nil
    if let metrics, let address = MetricsAddress(metrics), let metricsState {
      if !address.isLoopback {
        printError("origincheck: warning: metrics served on \(address), beyond this machine, without authentication")
      }
      let registry = metricsState.registry
      let listening = try MetricsServer(address: address) { registry.emitToBuffer() }
      listening.start()
      server = listening
      printError("origincheck: metrics at http://\(listening.address)/metrics")
    }
    defer { server?.stop() }

    let stop = try StopSignal()
    let limits = SessionLimits(
      interval: .nanoseconds(timing.intervalNanoseconds), duration: timing.durationNanoseconds.map { .nanoseconds($0) },
      count: count)
    let run = LiveRun(capture: capture, aggregator: aggregator, filter: filter, reporter: reporter, metrics: metricsState)
    var announce = "capturing on \(interface) (\(LinkType(capture.linkType).name), \(snapshotLength)-byte snapshots"
    announce += filter.map { ", filter '\($0)'" } ?? ""
    announce += "); every \(timing.interval) a view here\(timing.output.map { " and a JSON line to \($0)" } ?? ""); Ctrl-C to stop"
    printError("origincheck: \(announce)")

    var failure: LiveCaptureError? = nil
    var end: String
    do {
      let result = try LiveSession(limits: limits, stop: stop).run(run) { tick in try run.interval(tick) }
      end = result.end.description
    } catch let error as LiveCaptureError {
      failure = error
      end = "error"
    }
    stop.restore()
    capture.close()
    if let failure { reporter.warn("origincheck: \(failure.description)") }

    let document = try run.finish(end: end, format: layout.reportFormat)
    let lost = document.summary.capture.map { ", \(SummaryTable.group($0.dropped)) dropped by the kernel, \(SummaryTable.group($0.interfaceDropped)) by the interface" } ?? ""
    printError(
      "origincheck: stopped (\(end)) after \(DecimalFormat.fixed(reporter.elapsedSeconds, 1)) s: \(SummaryTable.group(UInt64(capture.packets))) packets\(lost)"
    )
    if failure != nil { throw CLIError("", status: .partialInput) }
    if checks.failing(document) { throw CLIError("", status: .claimDoesNotHold) }
  }
}

/// One live run: the capture as a session source (each packet decoded and counted as `analyze`
/// counts it), its snapshots with the capture's counts, and where they go at each interval and at
/// the end: the periodic reporter (view, JSON lines, final report), the metrics, the saved
/// capture's flush.
final class LiveRun: SessionSource {
  let capture: LiveCapture
  let aggregator: Aggregator
  let filter: String?
  let reporter: PeriodicReporter
  let metrics: LiveMetrics?
  private var intervals = 0

  init(capture: LiveCapture, aggregator: Aggregator, filter: String?, reporter: PeriodicReporter, metrics: LiveMetrics?) {
    self.capture = capture
    self.aggregator = aggregator
    self.filter = filter
    self.reporter = reporter
    self.metrics = metrics
  }

  func wait(milliseconds: Int32, wake: Int32) {
    capture.wait(milliseconds: milliseconds, wake: wake)
  }

  func drain(limit: Int) throws -> Int {
    let aggregator = self.aggregator
    return try capture.readAvailable(limit: limit) { bytes, info in
      CaptureIngest.count(bytes, info, into: aggregator)
    }
  }

  /// The summary so far, with the capture's input and counts.
  func snapshot() -> Summary {
    var summary = aggregator.finish()
    summary.inputs = [
      InputSummary(
        path: capture.interface, format: "live", linkTypes: [LinkType(capture.linkType).name], records: UInt64(capture.packets))
    ]
    if let stats = capture.statistics() {
      summary.capture = CaptureCounts(
        interface: capture.interface, filter: filter, received: stats.received, dropped: stats.dropped,
        interfaceDropped: stats.interfaceDropped)
    }
    return summary
  }

  /// An interval: the saved packets flushed, the view and JSON line, the metrics.
  func interval(_ tick: SessionTick) throws {
    capture.flush()
    intervals = tick.number
    let summary = snapshot()
    let document = try reporter.tick(summary, status: status(summary, end: nil))
    metrics?.update(document, packetsPerSecond: tick.rate)
  }

  /// The end, once the capture is closed (its file complete, its counts final): the final report
  /// on standard output in `format`, its JSON line, the metrics.
  func finish(end: String, format: ReportFormat) throws -> ReportDocument {
    let summary = snapshot()
    let document = try reporter.finish(summary, status: status(summary, end: end), format: format)
    metrics?.update(document, packetsPerSecond: Double(capture.packets) / max(0.001, reporter.elapsedSeconds))
    return document
  }

  /// The status line and the `live` object of the JSON: the interface, the drop counts, and at
  /// the end why the run ended.
  func status(_ summary: Summary, end: String?) -> PeriodicStatus {
    var details: [String] = []
    if let c = summary.capture {
      details.append("\(SummaryTable.group(c.received)) received")
      details.append("\(SummaryTable.group(c.dropped)) dropped by the kernel\(c.interfaceDropped > 0 ? ", \(SummaryTable.group(c.interfaceDropped)) by the interface" : "")")
      if c.lost > 0 { details.append("\(DecimalFormat.percent(c.lostShare)) lost") }
    }
    let json: [(String, JSONValue)] = [
      ("interface", .string(capture.interface)), ("filter", .optional(filter)), ("intervals", .int(Int64(intervals))),
      ("end", .optional(end)),
    ]
    return PeriodicStatus(
      source: capture.interface + (filter.map { " (filter '\($0)')" } ?? ""), records: UInt64(capture.packets), noun: "packets",
      details: details, json: json)
  }
}
