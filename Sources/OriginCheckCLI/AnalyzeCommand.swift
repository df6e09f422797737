import Analysis
import Foundation
import ArgumentParser
import FlowLogs
import Geo
import NetCore
import Report

/// `origincheck analyze FILE...`: where the traffic in captures came from.
struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Summarise where the traffic in captures and flow logs came from, by country, continent or ASN.",
    discussion: """
      Inputs are pcap or pcapng captures or flow logs (AWS VPC, Zeek conn.log TSV or JSON, \
      Suricata eve.json, nfdump CSV or JSON, GCP VPC, Azure NSG and VNet flow logs, CSV with \
      --columns), gzip-compressed or not, detected from content (--input-format forces one), or - \
      for standard input. Several inputs, of any formats, aggregate into one summary. Each packet's \
      source is the outermost IPv4/IPv6 header's, each flow record's its source address; \
      special-purpose sources (private, reserved, ...) are counted by kind, never as a country; \
      records with no IP packet, and flow records with nothing to count, are counted by reason. A \
      malformed flow record is reported with its line and skipped; the input then counts as \
      damaged (exit status 65).

      Formats: table, json (the summary, which origincheck report renders again in any format), \
      csv, markdown and html (docs/report-formats.md).
      """)

  @OptionGroup var databases: DatabaseOptions

  @OptionGroup var outputOptions: OutputOptions

  @OptionGroup var checks: CheckOptions

  @Option(help: ArgumentHelp("Also evaluate claims within START/END (ISO 8601 with offset).", valueName: "start/end"))
  var window: String?

  @Option(help: ArgumentHelp("Count origins per time bucket (30s, 5m, 1h) and find bursts.", valueName: "duration"))
  var bucket: String?

  @Option(help: ArgumentHelp("A capture of normal traffic; claims report lift against it. Repeatable.", valueName: "file"))
  var baseline: [String] = []

  @Option(help: ArgumentHelp("Threads a plain pcap file is read on (default: the number of cores).", valueName: "n"))
  var threads: Int = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))

  @Option(
    help: ArgumentHelp(
      "Read every FILE (not --baseline) as this format instead of detecting it: \(InputFormatChoice.allCases.map(\.rawValue).joined(separator: ", ")).",
      valueName: "format"))
  var inputFormat: InputFormatChoice?

  @Option(
    help: ArgumentHelp(
      "CSV columns: src=COL,time=COL[,dst=,packets=,bytes=,flows=,proto=,sport=,dport=]; COL is a header name or a 1-based number, alternatives with |.",
      valueName: "mapping"))
  var columns: String?

  @Option(
    help: ArgumentHelp(
      "The name standard input (-) goes by in messages and in the summary's inputs, e.g. the URI its bytes came from.",
      valueName: "name"))
  var stdinName: String?

  @Argument(help: ArgumentHelp("Captures (pcap, pcapng) or flow logs, plain or gzip, or - for standard input.", valueName: "file"))
  var files: [String]

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one capture or flow log (or - for standard input)") }
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
    if let stdinName, stdinName.isEmpty || !(files + baseline).contains("-") {
      throw ValidationError("--stdin-name names standard input: give - as an input, and a non-empty name")
    }
    if outputOptions.by == .asn && databases.asnPath == nil { throw ValidationError("--by asn needs --asn-db") }
    if (files + baseline).filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
    if let bucket, Timestamp.parseDuration(bucket) == nil {
      throw ValidationError("--bucket '\(bucket)': expected a duration such as 30s, 5m or 1h")
    }
    if let window { _ = try Self.parseWindow(window) }
    if let columns {
      do { _ = try ColumnMapping(parsing: columns) } catch { throw ValidationError(error.description) }
      if let inputFormat, inputFormat != .csv {
        throw ValidationError("--columns maps CSV columns: it goes with --input-format csv (or no --input-format)")
      }
    }
  }

  /// Reading options for flow logs.
  func flowLogOptions() throws -> FlowLogOptions {
    var options = FlowLogOptions()
    if let columns { options.columns = try ColumnMapping(parsing: columns) }
    return options
  }

  static func parseWindow(_ text: String) throws -> TimeWindow {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    let expected = "expected START/END in ISO 8601 with an offset, e.g. 2025-03-10T09:30:00-04:00/2025-03-10T10:35:00-04:00"
    guard parts.count == 2 else { throw ValidationError("--window '\(text)': \(expected)") }
    guard let start = Timestamp.parseISO8601(parts[0]) else { throw ValidationError("--window: '\(parts[0])' is not a date-time: \(expected)") }
    guard let end = Timestamp.parseISO8601(parts[1]) else { throw ValidationError("--window: '\(parts[1])' is not a date-time: \(expected)") }
    guard start < end else { throw ValidationError("--window '\(text)': the end must come after the start") }
    return TimeWindow(start: start, end: end)
  }

  func run() throws {
    let countryDB = try databases.openCountry()
    let asnDB = try databases.openASN()
    let checked = try checks.setUp(countryDB: countryDB, asnDB: asnDB)
    let parsed = checked.claims
    var options = checked.options
    options.window = try window.map(Self.parseWindow)
    options.bucketWidth = bucket.flatMap { Timestamp.parseDuration($0) }

    let originTable = try OriginTable(countryDatabase: countryDB, asnDatabase: asnDB)
    let aggregator = Aggregator(origins: originTable, options: options)
    let flowOptions = try flowLogOptions()
    var ingest = InputDispatch(
      aggregator: aggregator, progress: Progress(), threads: threads, format: inputFormat, flowOptions: flowOptions)
    ingest.standardInputName = stdinName
    var damaged = 0
    var unreadable = 0
    func readAll(_ paths: [String], into ingest: inout InputDispatch) {
      for file in paths {
        switch ingest.read(path: file) {
        case .complete: break
        case .damaged(let message):
          printError("origincheck: \(message)")
          damaged += 1
        case .unreadable(let message):
          printError("origincheck: \(message)")
          unreadable += 1
        }
      }
    }
    readAll(files, into: &ingest)
    ingest.captures.progress?.finish()
    if unreadable == files.count {
      // Each unreadable input was named on its own line.
      throw CLIError("", status: .noInput)
    }
    let summary = aggregator.finish()

    var baselineSummary: Summary? = nil
    if !baseline.isEmpty {
      var baselineOptions = AggregatorOptions()
      baselineOptions.targets = options.targets
      baselineOptions.radiusAreas = options.radiusAreas
      baselineOptions.addressCapacity = options.addressCapacity
      let baselineAggregator = Aggregator(origins: originTable, options: baselineOptions)
      var baselineIngest = InputDispatch(
        aggregator: baselineAggregator, progress: nil, threads: threads, format: nil, flowOptions: flowOptions)
      baselineIngest.standardInputName = stdinName
      let before = unreadable
      readAll(baseline, into: &baselineIngest)
      if unreadable - before == baseline.count { throw CLIError("", status: .noInput) }
      baselineSummary = baselineAggregator.finish()
    }

    let space = try addressSpace(of: countryDB, for: parsed)
    let document = ReportDocument.evaluating(summary, baseline: baselineSummary, claims: parsed, addressSpace: space)
    let text = document.render(outputOptions.reportFormat, options: outputOptions.renderOptions)
    try emit(text, to: outputOptions.output)
    if damaged + unreadable > 0 {
      // Each damaged input was already named on its own line.
      throw CLIError("", status: .partialInput)
    }
    if checks.failing(document) {
      throw CLIError("", status: .claimDoesNotHold)
    }
  }
}
