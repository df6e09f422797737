import Analysis
import Foundation
import ArgumentParser
import Geo
import NetCore
import Report

/// `origincheck analyze FILE...`: where the traffic in captures came from.
struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Summarise where the packets in captures came from, by country, continent or ASN.",
    discussion: """
      Inputs are pcap or pcapng files, gzip-compressed or not (detected from content), or - for \
      standard input. Several inputs aggregate into one summary. Each packet's source is the \
      outermost IPv4/IPv6 header's; special-purpose sources (private, reserved, ...) are counted \
      by kind, never as a country; records with no IP packet are counted by reason.

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

  @Argument(help: ArgumentHelp("Capture files (pcap, pcapng, gzip of either), or - for standard input.", valueName: "file"))
  var files: [String]

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one capture file (or - for standard input)") }
    if threads < 1 { throw ValidationError("--threads must be at least 1") }
    if outputOptions.by == .asn && databases.asnPath == nil { throw ValidationError("--by asn needs --asn-db") }
    if (files + baseline).filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
    if let bucket, Timestamp.parseDuration(bucket) == nil {
      throw ValidationError("--bucket '\(bucket)': expected a duration such as 30s, 5m or 1h")
    }
    if let window { _ = try Self.parseWindow(window) }
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
    var ingest = CaptureIngest(aggregator: aggregator, progress: Progress(), threads: threads)
    var damaged = 0
    var unreadable = 0
    func readAll(_ paths: [String], into ingest: inout CaptureIngest) {
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
    ingest.progress?.finish()
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
      var baselineIngest = CaptureIngest(aggregator: baselineAggregator, progress: nil, threads: threads)
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
