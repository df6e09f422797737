import Analysis
import ArgumentParser
import Capture
import Geo
import NetCore
import NetFlow
import Report

/// `origincheck collect --listen 127.0.0.1:2055`: a NetFlow v5/v9 and IPFIX collector feeding
/// the same aggregation as `analyze`.
struct CollectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "collect",
    abstract: "Collect NetFlow v5/v9 and IPFIX exports over UDP and summarise where the flows came from.",
    discussion: """
      Listens on a UDP address (port 0: one the system picks, named on standard error) and decodes
      every datagram: templates are kept per exporter and observation domain, sampling intervals
      announced by exporters are applied. Every --interval a compact view goes to standard error
      (and one JSON summary line to --output). Ctrl-C (SIGINT), SIGTERM, --duration or --count
      end the run with the final report on standard output. Each flow record counts as one flow
      with its packets and octets (IP bytes). Datagrams that could not be decoded are counted by
      reason and the first few named on standard error; then the exit status is 65.
      """)

  @Option(help: ArgumentHelp("The UDP address to listen on: 127.0.0.1:2055, [::1]:4739, 0.0.0.0:2055.", valueName: "address:port"))
  var listen: String

  @Option(help: ArgumentHelp("Stop after this many datagrams.", valueName: "n"))
  var count: UInt64?

  @OptionGroup var timing: IntervalOptions

  @OptionGroup var databases: DatabaseOptions

  @OptionGroup var layout: LayoutOptions

  @OptionGroup var checks: CheckOptions

  @Option(help: ArgumentHelp("Count origins per time bucket (30s, 5m, 1h) and find bursts.", valueName: "duration"))
  var bucket: String?

  @Option(help: ArgumentHelp("Receive buffer to ask the kernel for, in MiB.", valueName: "mib"))
  var receiveBuffer: Int = 64

  func validate() throws {
    if Self.parseListen(listen) == nil {
      throw ValidationError("--listen '\(listen)': expected ADDRESS:PORT, e.g. 127.0.0.1:2055 or [::1]:4739")
    }
    if count == 0 { throw ValidationError("--count must be at least 1") }
    if receiveBuffer < 1 || receiveBuffer > 2048 { throw ValidationError("--receive-buffer must be between 1 and 2048 MiB") }
    if layout.by == .asn && databases.asnPath == nil { throw ValidationError("--by asn needs --asn-db") }
    if let bucket, Timestamp.parseDuration(bucket) == nil {
      throw ValidationError("--bucket '\(bucket)': expected a duration such as 30s, 5m or 1h")
    }
  }

  /// `127.0.0.1:2055` or `[::1]:4739` as an address and a port.
  static func parseListen(_ text: String) -> (IPAddress, UInt16)? {
    let host: Substring
    let port: Substring
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
      host = text[text.index(after: text.startIndex)..<close]
      port = text[text.index(close, offsetBy: 2)...]
    } else {
      guard let colon = text.lastIndex(of: ":") else { return nil }
      host = text[..<colon]
      port = text[text.index(after: colon)...]
    }
    guard let address = IPAddress(host), let p = UInt16(port) else { return nil }
    // An IPv6 address takes brackets: 2001:db8::1:2055 could be read two ways.
    if !address.isIPv4 && !text.hasPrefix("[") { return nil }
    return (address, p)
  }

  func run() throws {
    // Blocked before any other thread starts, so every thread inherits the mask and a stop
    // signal always waits for the loop to see it.
    var signals = BlockedStopSignals()
    let countryDB = try databases.openCountry()
    let asnDB = try databases.openASN()
    let setUp = try checks.setUp(countryDB: countryDB, asnDB: asnDB)
    let checked = setUp.claims
    var options = setUp.options
    options.bucketWidth = bucket.flatMap { Timestamp.parseDuration($0) }
    let space = try addressSpace(of: countryDB, for: checked)
    let aggregator = Aggregator(origins: try OriginTable(countryDatabase: countryDB, asnDatabase: asnDB), options: options)
    let reporter = try PeriodicReporter(
      claims: checked, addressSpace: space, options: layout.renderOptions, statusKey: "collector", output: timing.output)

    guard let (address, port) = Self.parseListen(listen) else { throw CLIError("--listen '\(listen)': not ADDRESS:PORT", status: .usage) }
    let listener: UDPListener
    do {
      listener = try UDPListener(address: address, port: port, receiveBuffer: receiveBuffer << 20)
    } catch {
      throw CLIError(error.description, status: .noInput)
    }
    let collector = Collector(listener: listener, aggregator: aggregator, reporter: reporter)
    printError("origincheck: listening on \(collector.source) (receive buffer \(SummaryTable.bytes(UInt64(listener.receiveBufferBytes))))")

    let start = monotonicNanoseconds()
    let interval = timing.intervalNanoseconds
    let deadline = timing.durationNanoseconds.map { start + $0 }
    var nextTick = start + interval
    var stoppedBySignal = false
    while true {
      let received = try collector.drain(limit: 1024, count: count)
      if let count, collector.ingest.stats.datagrams >= count { break }
      if signals.pending() != nil {
        stoppedBySignal = true
        break
      }
      let now = monotonicNanoseconds()
      if let deadline, now >= deadline { break }
      if now >= nextTick {
        try reporter.tick(collector.snapshot(), status: collector.status)
        while nextTick <= now { nextTick += interval }
      }
      if received == 0 {
        // Wake for the next datagram, the next tick, the deadline, or at least every 100 ms to
        // notice signals.
        var wake = min(nextTick, now + 100_000_000)
        if let deadline { wake = min(wake, deadline) }
        _ = listener.wait(otherDescriptor: nil, timeoutMilliseconds: Int32(max(1, (wake - now + 999_999) / 1_000_000)))
      }
    }
    if stoppedBySignal || deadline != nil {
      // What already waits in the socket was sent before the stop: count it.
      while try collector.drain(limit: 1024, count: count) > 0 {}
    }
    aggregator.addInput(collector.input)
    let document = try reporter.finish(aggregator.finish(), status: collector.status, format: layout.reportFormat)
    let damaged = collector.ingest.stats.damagedDatagrams
    if damaged > 0 {
      throw CLIError(
        "udp \(collector.listenName): \(damaged) of \(collector.ingest.stats.datagrams) datagrams could not be decoded in full",
        status: .partialInput)
    }
    if checks.failing(document) {
      throw CLIError("", status: .claimDoesNotHold)
    }
  }
}

/// The collector's receive side: datagrams from the socket through the decoder into the
/// aggregator, with the counts its reports show.
final class Collector {
  let listener: UDPListener
  let ingest: ExportIngest
  let reporter: PeriodicReporter
  let listenName: String
  var source: String { "udp \(listenName)" }
  private var reported = 0

  init(listener: UDPListener, aggregator: Aggregator, reporter: PeriodicReporter) {
    self.listener = listener
    self.reporter = reporter
    listenName = UDPListener.name(listener.address, listener.port)
    ingest = ExportIngest(aggregator: aggregator, maximumErrors: 10)
  }

  /// Decodes up to `limit` queued datagrams (never past `count` in all); returns how many.
  func drain(limit: Int, count: UInt64?) throws -> Int {
    var n = 0
    let ingest = self.ingest
    let name = source
    while n < limit {
      if let count, ingest.stats.datagrams >= count { break }
      let number = ingest.stats.datagrams + 1
      let received: UDPListener.Received
      do {
        received = try listener.receive { bytes, from, port in
          ingest.ingest(bytes, exporter: from) { "\(name): datagram \(number) from \(UDPListener.name(from, port))" }
        }
      } catch {
        throw CLIError(error.description, status: .software)
      }
      guard case .datagram = received else { break }
      n += 1
    }
    while reported < ingest.errors.count {
      reporter.warn("origincheck: \(ingest.errors[reported])")
      reported += 1
    }
    return n
  }

  /// The listener as an input of the summary: datagrams are its records.
  var input: InputSummary {
    var i = InputSummary(path: source, format: "netflow", records: ingest.stats.datagrams)
    i.scaledRecords = ingest.stats.scaledRecords
    return i
  }

  /// The summary so far, with the listener as its input.
  func snapshot() -> Summary {
    var s = ingest.aggregator.finish()
    s.inputs.append(input)
    return s
  }

  var status: PeriodicStatus {
    let stats = ingest.stats
    let drops = listener.kernelDrops
    var versions: [String] = []
    for (version, n) in stats.datagramsByVersion.sorted(by: { $0.key < $1.key }) {
      versions.append("\(SummaryTable.group(n)) \(ExportIngest.versionName(version))")
    }
    var details = ["\(SummaryTable.group(stats.datagrams)) datagrams" + (versions.isEmpty ? "" : " (\(versions.joined(separator: ", ")))")]
    details.append("\(SummaryTable.group(stats.damagedDatagrams)) undecodable")
    if let drops { details.append("\(SummaryTable.group(drops)) dropped by the kernel") }
    let json: [(String, JSONValue)] = [
      ("datagrams", .uint(stats.datagrams)),
      ("datagramsByVersion", .object(stats.datagramsByVersion.sorted { $0.key < $1.key }.map { (String($0.key), .uint($0.value)) })),
      ("damagedDatagrams", .uint(stats.damagedDatagrams)),
      ("kernelDrops", drops.map { .uint($0) } ?? .null),
      ("templates", .uint(UInt64(ingest.decoder.templateCount))),
      ("receiveBufferBytes", .uint(UInt64(listener.receiveBufferBytes))),
    ]
    return PeriodicStatus(source: source, records: stats.records, noun: "flow records", details: details, json: json)
  }
}
