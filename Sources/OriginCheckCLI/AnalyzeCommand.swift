import Analysis
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
      Inputs are pcap or pcapng captures or flow logs (AWS VPC, Zeek conn.log TSV or JSON, Suricata
      eve.json, nfdump CSV or JSON, GCP VPC, Azure NSG and VNet flow logs, CSV with --columns),
      gzip-compressed or not, detected from content (--input-format forces one), or - for standard
      input. Several inputs, of any formats, aggregate into one summary. Each packet's source is the
      outermost IPv4/IPv6 header's, each flow record's its source address; special-purpose sources
      (private, reserved, ...) are counted by kind, never as a country; records with no IP packet,
      and flow records with nothing to count, are counted by reason. A malformed flow record is
      reported with its line and skipped; the input then counts as damaged (exit status 65).
      """)

  @OptionGroup var databases: DatabaseOptions

  @Option(help: ArgumentHelp("Group origins by country, continent or asn (asn needs --asn-db).", valueName: "dimension"))
  var by: Dimension = .country

  @Option(help: ArgumentHelp("Rows in the table before the rest is folded into one.", valueName: "n"))
  var top: Int = 20

  @Option(help: ArgumentHelp("Output format: table or json.", valueName: "format"))
  var format: OutputFormat = .table

  @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to a file instead of standard output.", valueName: "path"))
  var output: String?

  @Option(
    name: .customLong("claim"),
    help: ArgumentHelp(
      "A claim to check, ORIGIN:ASSERTION[:METRIC], e.g. ukraine-area:primary, UA:share>=20%:packets, AS15895:significant. Repeatable.",
      valueName: "claim"))
  var claims: [String] = []

  @OptionGroup var areaOptions: AreaOptions

  @Option(help: ArgumentHelp("Also evaluate claims within START/END (ISO 8601 with offset).", valueName: "start/end"))
  var window: String?

  @Option(help: ArgumentHelp("Only count traffic toward this network (the victim). Repeatable.", valueName: "cidr"))
  var target: [String] = []

  @Option(help: ArgumentHelp("Count origins per time bucket (30s, 5m, 1h) and find bursts.", valueName: "duration"))
  var bucket: String?

  @Option(help: ArgumentHelp("A capture of normal traffic; claims report lift against it. Repeatable.", valueName: "file"))
  var baseline: [String] = []

  @Flag(help: "Exit with status 1 when any claim does not hold (or is inconclusive).")
  var failUnlessHolds = false

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

  @Argument(help: ArgumentHelp("Captures (pcap, pcapng) or flow logs, plain or gzip, or - for standard input.", valueName: "file"))
  var files: [String]

  enum Dimension: String, ExpressibleByArgument, CaseIterable {
    case country, continent, asn
  }

  enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

  func validate() throws {
    if files.isEmpty { throw ValidationError("give at least one capture file (or - for standard input)") }
    if top < 1 { throw ValidationError("--top must be at least 1") }
    if by == .asn && databases.asnPath == nil { throw ValidationError("--by asn needs --asn-db") }
    if (files + baseline).filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
    for c in claims {
      do { _ = try Claim.parse(c) } catch { throw ValidationError(error.message) }
    }
    for t in target where IPNetwork(t) == nil {
      throw ValidationError("--target '\(t)': expected a network such as 104.244.42.0/24 or 2001:db8::/32")
    }
    if let bucket, Timestamp.parseDuration(bucket) == nil {
      throw ValidationError("--bucket '\(bucket)': expected a duration such as 30s, 5m or 1h")
    }
    if let window { _ = try Self.parseWindow(window) }
    if failUnlessHolds && claims.isEmpty { throw ValidationError("--fail-unless-holds needs at least one --claim") }
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
    // Claims and their origins.
    let catalog = try areaOptions.catalog()
    var parsed: [(Claim, ClaimedOrigin)] = []
    var options = AggregatorOptions()
    for text in claims {
      let claim = try Claim.parse(text)
      if let asn = claim.asn {
        guard asnDB != nil else { throw CLIError("claim '\(text)': an AS claim needs --asn-db", status: .usage) }
        parsed.append((claim, ClaimedOrigin(name: "AS\(asn)", title: "AS\(asn)", membership: .asn("AS\(asn)"))))
        continue
      }
      let area: Area
      do {
        area = try catalog.resolve(claim.origin)
      } catch {
        throw CLIError("claim '\(text)': \(error.message)", status: .usage)
      }
      switch area.kind {
      case .countries(let set):
        parsed.append((claim, ClaimedOrigin(name: area.name, title: area.title, membership: .countries(set))))
      case .radius(let km, let lat, let lon):
        guard countryDB.hasCoordinates else {
          throw CLIError(
            "claim '\(text)': \(countryDB.path) has no coordinates (\(countryDB.metadata.databaseType)); a radius area needs a city database (--db)",
            status: .usage)
        }
        options.radiusAreas.append((name: area.name, latitude: lat, longitude: lon, km: km))
        parsed.append((claim, ClaimedOrigin(name: area.name, title: area.title, membership: .radius(area.name))))
      }
    }
    options.targets = target.compactMap { IPNetwork($0) }
    options.window = try window.map(Self.parseWindow)
    options.bucketWidth = bucket.flatMap { Timestamp.parseDuration($0) }

    let resolver = OriginResolver(countryDatabase: countryDB, asnDatabase: asnDB)
    let aggregator = Aggregator(resolver: resolver, options: options)
    let flowOptions = try flowLogOptions()
    var ingest = InputDispatch(aggregator: aggregator, progress: Progress(), format: inputFormat, flowOptions: flowOptions)
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
      let baselineAggregator = Aggregator(resolver: OriginResolver(countryDatabase: countryDB, asnDatabase: asnDB), options: baselineOptions)
      var baselineIngest = InputDispatch(aggregator: baselineAggregator, progress: nil, format: nil, flowOptions: flowOptions)
      let before = unreadable
      readAll(baseline, into: &baselineIngest)
      if unreadable - before == baseline.count { throw CLIError("", status: .noInput) }
      baselineSummary = baselineAggregator.finish()
    }

    var results: [ClaimResult] = []
    var evidence: [Finding]? = nil
    if !parsed.isEmpty {
      let space: [String: UInt64]
      do {
        space = try countryDB.ipv4AddressesByCountry()
      } catch {
        throw CLIError(error.message, status: .noInput)
      }
      let evaluator = ClaimEvaluator(summary: summary, baseline: baselineSummary, addressSpace: space)
      results = parsed.map { evaluator.evaluate($0.0, origin: $0.1) }
      evidence = ClaimEvaluator.evidence(summary, addressSpace: space)
    }

    let text: String
    switch format {
    case .json: text = SummaryJSON.encode(summary, claims: results, evidence: evidence).serialized()
    case .table:
      text = ClaimsReport.table(results)
        + SummaryTable.render(summary, by: Summary.Dimension(rawValue: by.rawValue)!, top: top, baseline: baselineSummary)
    }
    try emit(text, to: output)
    if damaged + unreadable > 0 {
      // Each damaged input was already named on its own line.
      throw CLIError("", status: .partialInput)
    }
    if failUnlessHolds && results.contains(where: { $0.verdict != .holds }) {
      throw CLIError("", status: .claimDoesNotHold)
    }
  }
}
