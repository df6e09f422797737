import Analysis
import ArgumentParser
import Foundation
import Report

/// `origincheck report SUMMARY.json`: any report format from a saved summary.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Render a saved summary (analyze --format json) as a table, JSON, CSV, Markdown or HTML.",
    discussion: """
      The summary carries everything a report needs: counts by origin, the robust counts, the \
      evidence counts, windows, buckets and bursts, the baseline, and the claims with their \
      origins. Claims are evaluated again from those counts, so the report equals the one analyze \
      renders in the same format. --claim replaces the saved claims with new ones (a radius claim \
      needs the radius counts of an analyze run with that claim; an AS claim needs ASN counts).

      A summary of another schema version, or damaged JSON, is an error naming the file and the \
      place (line and column, or the JSON path of the field) with exit status 66. Formats: \
      docs/report-formats.md.
      """)

  @OptionGroup var outputOptions: OutputOptions

  @Option(
    name: .customLong("claim"),
    help: ArgumentHelp(
      "A claim to check instead of the saved ones, ORIGIN:ASSERTION[:METRIC]. Repeatable.", valueName: "claim"))
  var claims: [String] = []

  @OptionGroup var areaOptions: AreaOptions

  @Flag(help: "Exit with status 1 when any claim does not hold (or is inconclusive).")
  var failUnlessHolds = false

  @Argument(help: ArgumentHelp("A summary written by analyze --format json, or - for standard input.", valueName: "summary"))
  var summary: String

  func validate() throws {
    for c in claims {
      do { _ = try Claim.parse(c) } catch { throw ValidationError(error.message) }
    }
  }

  func run() throws {
    let bytes = try Self.read(summary)
    let decoded: DecodedSummary
    do {
      decoded = try SummaryJSON.decode(bytes, path: summary)
    } catch {
      throw CLIError(error.description, status: .noInput)
    }
    try Self.render(
      decoded, named: summary, claims: claims, areaOptions: areaOptions, outputOptions: outputOptions,
      failUnlessHolds: failUnlessHolds)
  }

  /// Renders a decoded summary (`named` in messages) with its saved claims or `claims` instead.
  static func render(
    _ decoded: DecodedSummary, named name: String, claims: [String], areaOptions: AreaOptions, outputOptions: OutputOptions,
    failUnlessHolds: Bool
  ) throws {
    let s = decoded.summary
    let hasASN = s.databases.contains { $0.role == "asn" } || !s.asns.isEmpty
    if outputOptions.by == .asn && !hasASN {
      throw CLIError("--by asn: \(name) has no ASN counts (analyze ran without --asn-db)", status: .usage)
    }
    var checked: [CheckedClaim]? = nil
    if !claims.isEmpty {
      let resolver = ClaimResolver(catalog: try areaOptions.catalog(), hasASN: hasASN) { area, text in
        guard s.radius[area.name] != nil || s.robustRadius[area.name] != nil else {
          throw CLIError(
            "claim '\(text)': \(name) has no counts for \(area.name): run analyze with this claim and a city database",
            status: .usage)
        }
      }
      checked = try claims.map(resolver.resolve)
    }
    let document = decoded.document(claims: checked)
    if failUnlessHolds && document.claims.isEmpty {
      throw CLIError("--fail-unless-holds: \(name) has no claims; give one with --claim", status: .usage)
    }
    try emit(document.render(outputOptions.reportFormat, options: outputOptions.renderOptions), to: outputOptions.output)
    if failUnlessHolds && document.claims.contains(where: { $0.verdict != .holds }) {
      throw CLIError("", status: .claimDoesNotHold)
    }
  }

  /// The bytes of a file, or of standard input for `-`.
  static func read(_ path: String) throws -> [UInt8] {
    if path == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw CLIError("\(path): no such file", status: .noInput)
    }
    if isDirectory.boolValue { throw CLIError("\(path): is a directory, not a summary", status: .noInput) }
    guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("\(path): cannot open for reading", status: .noInput) }
    defer { try? handle.close() }
    do {
      return [UInt8](try handle.readToEnd() ?? Data())
    } catch {
      throw CLIError("\(path): cannot read: \(error.localizedDescription)", status: .noInput)
    }
  }
}
