import Analysis
import ArgumentParser
import Geo
import Report

/// `origincheck analyze FILE...`: where the traffic in captures came from.
struct AnalyzeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "analyze",
    abstract: "Summarise where the packets in captures came from, by country, continent or ASN.",
    discussion: """
      Inputs are pcap or pcapng files, gzip-compressed or not (detected from content), or - for
      standard input. Several inputs aggregate into one summary. Each packet's source is the
      outermost IPv4/IPv6 header's; special-purpose sources (private, reserved, ...) are counted
      by kind, never as a country; records with no IP packet are counted by reason.
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

  @Argument(help: ArgumentHelp("Capture files (pcap, pcapng, gzip of either), or - for standard input.", valueName: "file"))
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
    if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
  }

  func run() throws {
    let resolver = OriginResolver(countryDatabase: try databases.openCountry(), asnDatabase: try databases.openASN())
    let aggregator = Aggregator(resolver: resolver)
    var ingest = CaptureIngest(aggregator: aggregator, progress: Progress())
    var damaged = 0
    var unreadable = 0
    for file in files {
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
    ingest.progress?.finish()
    if unreadable == files.count {
      // Each input was already named on its own line.
      throw CLIError("", status: .noInput)
    }
    let summary = aggregator.finish()
    let text: String
    switch format {
    case .json: text = SummaryJSON.encode(summary).serialized()
    case .table:
      text = SummaryTable.render(summary, by: Summary.Dimension(rawValue: by.rawValue)!, top: top)
    }
    try emit(text, to: output)
    if damaged + unreadable > 0 {
      // Each damaged input was already named on its own line.
      throw CLIError("", status: .partialInput)
    }
  }
}
