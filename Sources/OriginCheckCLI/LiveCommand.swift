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
      Needs root or CAP_NET_RAW. Every interval a compact view (top origins, packets per second, \
      drops, claim verdicts so far) is refreshed on standard error and, with --output, one JSON \
      line is appended to the file: {"record":"interval",...,"summary":{...}}. SIGINT (Ctrl-C), \
      SIGTERM, --duration or --count ends the run: the full report in --format goes to standard \
      output, and --output gets a last line with "record":"final". Kernel and interface drops \
      are in every view and in the summary's "capture" object; a verdict on a capture with \
      drops says so. See docs/live.md.
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

  @Option(help: ArgumentHelp("Time between refreshed views and JSON lines (500ms, 10s, 1m).", valueName: "duration"))
  var interval: String = "10s"

  @Option(help: ArgumentHelp("Stop after this long (30s, 5m, 1h).", valueName: "duration"))
  var duration: String?

  @Option(help: ArgumentHelp("Stop after this many packets.", valueName: "n"))
  var count: UInt64?

  @OptionGroup var databases: DatabaseOptions

  @OptionGroup var layout: LayoutOptions

  @OptionGroup var checks: CheckOptions

  @Option(
    name: .shortAndLong,
    help: ArgumentHelp("Append one JSON summary line per interval and a final one to this file (JSON Lines).", valueName: "path"))
  var output: String?

  @Option(help: ArgumentHelp("Also save the captured packets to this pcap file.", valueName: "path"))
  var write: String?

  @Option(
    help: ArgumentHelp(
      "Serve Prometheus metrics at http://ADDRESS/metrics: a port (on 127.0.0.1), or HOST:PORT; other than loopback only when given.",
      valueName: "address"))
  var metrics: String?

  /// Rows of the refreshed view, at most.
  static let viewRows = 10

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
    guard let ns = Timestamp.parseDuration(interval), ns >= 100_000_000 else {
      throw ValidationError("--interval '\(interval)': expected a duration of at least 100ms, such as 500ms, 10s or 1m")
    }
    if let duration, Timestamp.parseDuration(duration) == nil {
      throw ValidationError("--duration '\(duration)': expected a duration such as 30s, 5m or 1h")
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
    let lines = try output.map(JSONLinesFile.init)

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
    let intervalDuration = Duration.nanoseconds(Timestamp.parseDuration(interval)!)
    let limits = SessionLimits(
      interval: intervalDuration, duration: duration.flatMap { Timestamp.parseDuration($0) }.map { .nanoseconds($0) },
      count: count)
    let reporter = LiveReporter(
      capture: capture, aggregator: aggregator, filter: filter, claims: claims, addressSpace: space, metrics: metricsState,
      lines: lines)
    var announce = "capturing on \(interface) (\(LinkType(capture.linkType).name), \(snapshotLength)-byte snapshots"
    announce += filter.map { ", filter '\($0)'" } ?? ""
    announce += "); every \(interval) a view here\(output.map { " and a JSON line to \($0)" } ?? ""); Ctrl-C to stop"
    printError("origincheck: \(announce)")

    let source = CaptureSource(capture: capture, aggregator: aggregator)
    var failure: LiveCaptureError? = nil
    var ending: (end: String, last: SessionTick)
    do {
      let result = try LiveSession(limits: limits, stop: stop).run(source) { tick in
        try reporter.interval(tick, view: min(layout.top, Self.viewRows), by: layout.renderOptions.dimension)
      }
      ending = (result.end.description, result.last)
    } catch let error as LiveCaptureError {
      failure = error
      ending = ("error", source.lastTick(since: reporter))
    }
    stop.restore()
    capture.close()
    if let failure { printError("origincheck: \(failure.description)") }

    let document = try reporter.final(ending.last, end: ending.end)
    try emit(document.render(layout.reportFormat, options: layout.renderOptions), to: nil)
    let lost = document.summary.capture.map { ", \(SummaryTable.group($0.dropped)) dropped by the kernel, \(SummaryTable.group($0.interfaceDropped)) by the interface" } ?? ""
    printError(
      "origincheck: stopped (\(ending.end)) after \(DecimalFormat.fixed(ending.last.elapsed.seconds, 1)) s: \(SummaryTable.group(ending.last.items)) packets\(lost)"
    )
    if failure != nil { throw CLIError("", status: .partialInput) }
    if checks.failing(document) {
      throw CLIError("", status: .claimDoesNotHold)
    }
  }
}

/// The capture as a session source: each packet is decoded and counted as `analyze` counts it.
private final class CaptureSource: SessionSource {
  let capture: LiveCapture
  let aggregator: Aggregator
  private let started = ContinuousClock.now

  init(capture: LiveCapture, aggregator: Aggregator) {
    self.capture = capture
    self.aggregator = aggregator
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

  /// The tick of a run the capture ended by failing.
  func lastTick(since reporter: LiveReporter) -> SessionTick {
    let elapsed = ContinuousClock.now - started
    let items = UInt64(capture.packets)
    return SessionTick(
      number: reporter.intervals, elapsed: elapsed, sinceLast: elapsed - reporter.lastElapsed, items: items,
      itemsSinceLast: items - min(items, reporter.lastItems))
  }
}

/// Makes the snapshots of a live run and sends them where they go: the view on standard error,
/// the JSON lines, the metrics, and the saved capture's flush.
final class LiveReporter {
  let capture: LiveCapture
  let aggregator: Aggregator
  let filter: String?
  let claims: [CheckedClaim]
  let addressSpace: [String: UInt64]
  let metrics: LiveMetrics?
  let lines: JSONLinesFile?
  private var previous: Summary? = nil
  private var viewLines = 0
  private let terminal = isatty(2) == 1
  private(set) var intervals = 0
  private(set) var lastElapsed: Duration = .zero
  private(set) var lastItems: UInt64 = 0

  init(
    capture: LiveCapture, aggregator: Aggregator, filter: String?, claims: [CheckedClaim], addressSpace: [String: UInt64],
    metrics: LiveMetrics?, lines: JSONLinesFile?
  ) {
    self.capture = capture
    self.aggregator = aggregator
    self.filter = filter
    self.claims = claims
    self.addressSpace = addressSpace
    self.metrics = metrics
    self.lines = lines
  }

  /// The summary so far, with the capture's counts, and the claims evaluated on it.
  func snapshot() -> ReportDocument {
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
    return ReportDocument.evaluating(summary, baseline: nil, claims: claims, addressSpace: addressSpace)
  }

  /// An interval: the view, a JSON line, the metrics, and the saved packets flushed.
  func interval(_ tick: SessionTick, view rows: Int, by dimension: Summary.Dimension) throws {
    capture.flush()
    let document = snapshot()
    let status = self.status(tick, end: nil)
    var view = LiveView.render(document, previous: previous, status: status, by: dimension, rows: rows)
    if terminal {
      // Redraw in place: up to the first line of the previous view, and clear below.
      if viewLines > 0 { view = "\u{1B}[\(viewLines)F\u{1B}[J" + view }
    } else {
      view += "\n"
    }
    viewLines = view.filter { $0 == "\n" }.count
    FileHandle.standardError.write(Data(view.utf8))
    try lines?.append(LiveRecordJSON.encode(document, status: status))
    metrics?.update(document, packetsPerSecond: status.rate)
    previous = document.summary
    intervals = tick.number
    lastElapsed = tick.elapsed
    lastItems = tick.items
  }

  /// The end: the final snapshot, its JSON line and metrics. The capture must be closed (its file
  /// flushed, its counts final).
  func final(_ tick: SessionTick, end: String) throws -> ReportDocument {
    let document = snapshot()
    let status = self.status(tick, end: end)
    try lines?.append(LiveRecordJSON.encode(document, status: status))
    metrics?.update(document, packetsPerSecond: status.rate)
    return document
  }

  func status(_ tick: SessionTick, end: String?) -> LiveStatus {
    let now = Date().timeIntervalSince1970
    return LiveStatus(
      source: capture.interface + (filter.map { " (filter: \($0))" } ?? ""), interval: tick.number, time: Timestamp(nanoseconds: Int64((now * 1e9).rounded())), elapsedSeconds: tick.elapsed.seconds,
      intervalSeconds: tick.sinceLast.seconds, intervalRecords: tick.itemsSinceLast, end: end)
  }
}
