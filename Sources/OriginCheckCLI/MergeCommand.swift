import Analysis
import ArgumentParser
import Report

/// `origincheck merge SUMMARY.json...`: one summary from the summaries of separate runs.
struct MergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge",
    abstract: "Merge summaries of separate runs (analyze --format json) into one, and render it.",
    discussion: """
      Packets, bytes, flows and per-bucket counters add; distinct sources are counted once across \
      runs, exactly while each origin's set has at most 1,024 addresses and by HyperLogLog sketch \
      (1.6% standard error) beyond; bursts are found again on the merged buckets. Per-source \
      evidence (packets per source, hop counts, robust counts) adds, so an address seen by several \
      runs counts in each (docs/summary.md, "Merging"). The summaries must come from the same \
      databases, bucket width and window. The claims are those of the first summary, evaluated \
      again on the merged counts, or --claim. Write the merged summary with --format json to merge \
      it again later.
      """)

  @OptionGroup var outputOptions: OutputOptions

  @Option(
    name: .customLong("claim"),
    help: ArgumentHelp("A claim to check instead of the saved ones, ORIGIN:ASSERTION[:METRIC]. Repeatable.", valueName: "claim"))
  var claims: [String] = []

  @OptionGroup var areaOptions: AreaOptions

  @Flag(help: "Exit with status 1 when any claim does not hold (or is inconclusive).")
  var failUnlessHolds = false

  @Argument(help: ArgumentHelp("Summaries written by analyze --format json (or by merge); - for standard input once.", valueName: "summary"))
  var summaries: [String]

  func validate() throws {
    if summaries.isEmpty { throw ValidationError("give at least one summary") }
    if summaries.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
    for c in claims {
      do { _ = try Claim.parse(c) } catch { throw ValidationError(error.message) }
    }
  }

  func run() throws {
    var parts: [DecodedSummary] = []
    for path in summaries {
      do {
        parts.append(try SummaryJSON.decode(try ReportCommand.read(path), path: path))
      } catch let error as SummaryDecodeError {
        throw CLIError(error.description, status: .noInput)
      }
    }
    var decoded = parts[0]
    do {
      decoded.summary = try Summary.merged(parts.map(\.summary))
    } catch {
      throw CLIError("merge: \(error.description)", status: .partialInput)
    }
    // A baseline is kept when every run compared against the same one.
    if parts.contains(where: { $0.baseline != parts[0].baseline }) { decoded.baseline = nil }
    try ReportCommand.render(
      decoded, named: "the merged summaries", claims: claims, areaOptions: areaOptions, outputOptions: outputOptions,
      failUnlessHolds: failUnlessHolds)
  }
}
