import Foundation
import TestSupport
import Testing

/// Every command's exit statuses (README "Exit status", docs/limits.md): 0 success, 1 a claim did
/// not hold with --fail-unless-holds, 64 bad usage, 65 damaged input partly read (or summaries that
/// cannot be merged), 66 input unreadable, 73 output not writable. A failure prints exactly one line on standard error, which
/// starts with `origincheck: `; success prints nothing there. (70 is for bugs: no input reaches it.)
@Suite struct ExitStatusTests {
  static let testDB = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path
  static let sample = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
  static let csv = packageRoot.appendingPathComponent("GeoDB/test/country.csv").path

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var arguments: [String]
    var status: Int32
    /// Standard output goes to /dev/full, where every write fails.
    var stdoutFull = false
    /// Lines a successful run prints on standard error (`collect` says where it listens).
    var infoLines = 0
    var testDescription: String { name }
  }

  static let summary = packageRoot.appendingPathComponent("Tests/ReportTests/Fixtures/summary.json").path

  /// Makes the files the cases name under `{dir}`: a damaged capture, a text file, an areas file, a
  /// cut summary and one made with another database.
  static func makeFiles(in directory: TemporaryDirectory) throws {
    let whole = try Data(contentsOf: URL(fileURLWithPath: sample))
    try whole.prefix(10_000).write(to: URL(fileURLWithPath: directory.path("cut.pcap")))
    let text = try String(contentsOfFile: summary, encoding: .utf8)
    try Data(text.utf8.prefix(5_000)).write(to: URL(fileURLWithPath: directory.path("cut.json")))
    try Data(text.replacingOccurrences(of: "OriginCheck-Country", with: "Other-Country").utf8)
      .write(to: URL(fileURLWithPath: directory.path("other-db.json")))
    try Data("not a capture\n".utf8).write(to: URL(fileURLWithPath: directory.path("text.pcap")))
    try Data(#"{"areas": [{"name": "wide", "countries": ["UA", "MD"]}]}"#.utf8)
      .write(to: URL(fileURLWithPath: directory.path("areas.json")))
  }

  static func path(_ name: String) -> String { "{dir}/" + name }

  static let cases: [Case] = [
    // analyze
    Case(name: "analyze ok", arguments: ["analyze", "--db", testDB, sample], status: 0),
    Case(
      name: "analyze claim does not hold",
      arguments: ["analyze", "--db", testDB, "--claim", "UA:primary", "--fail-unless-holds", sample], status: 1),
    Case(name: "analyze unknown option", arguments: ["analyze", "--no-such-option", sample], status: 64),
    Case(name: "analyze bad claim", arguments: ["analyze", "--db", testDB, "--claim", "UA", sample], status: 64),
    Case(name: "analyze unknown area", arguments: ["analyze", "--db", testDB, "--claim", "atlantis:primary", sample], status: 64),
    Case(name: "analyze damaged capture", arguments: ["analyze", "--db", testDB, path("cut.pcap")], status: 65),
    Case(name: "analyze missing capture", arguments: ["analyze", "--db", testDB, path("missing.pcap")], status: 66),
    Case(name: "analyze not a capture", arguments: ["analyze", "--db", testDB, path("text.pcap")], status: 66),
    Case(name: "analyze missing database", arguments: ["analyze", "--db", path("missing.mmdb"), sample], status: 66),
    Case(
      name: "analyze output in a missing directory",
      arguments: ["analyze", "--db", testDB, "--output", path("no/such/dir/out.txt"), sample], status: 73),
    Case(name: "analyze standard output full", arguments: ["analyze", "--db", testDB, sample], status: 73, stdoutFull: true),
    // report
    Case(name: "report ok", arguments: ["report", summary], status: 0),
    Case(name: "report claim does not hold", arguments: ["report", "--claim", "UA:share>=99%", "--fail-unless-holds", summary], status: 1),
    Case(name: "report unknown option", arguments: ["report", "--no-such-option", summary], status: 64),
    Case(name: "report missing summary", arguments: ["report", path("missing.json")], status: 66),
    Case(name: "report cut summary", arguments: ["report", path("cut.json")], status: 66),
    Case(name: "report output in a missing directory", arguments: ["report", "-o", path("no/such/dir/r.txt"), summary], status: 73),
    Case(name: "report standard output full", arguments: ["report", summary], status: 73, stdoutFull: true),
    // merge
    Case(name: "merge ok", arguments: ["merge", summary, summary], status: 0),
    Case(name: "merge claim does not hold", arguments: ["merge", "--claim", "UA:share>=99%", "--fail-unless-holds", summary, summary], status: 1),
    Case(name: "merge no summaries", arguments: ["merge"], status: 64),
    Case(name: "merge summaries of other databases", arguments: ["merge", summary, path("other-db.json")], status: 65),
    Case(name: "merge missing summary", arguments: ["merge", summary, path("missing.json")], status: 66),
    Case(name: "merge standard output full", arguments: ["merge", summary, summary], status: 73, stdoutFull: true),
    // lookup
    Case(name: "lookup ok", arguments: ["lookup", "--db", testDB, "5.8.1.1"], status: 0),
    Case(name: "lookup bad address", arguments: ["lookup", "--db", testDB, "5.8.1"], status: 64),
    Case(name: "lookup missing database", arguments: ["lookup", "--db", path("missing.mmdb"), "5.8.1.1"], status: 66),
    Case(name: "lookup standard output full", arguments: ["lookup", "--db", testDB, "5.8.1.1"], status: 73, stdoutFull: true),
    // geodb build
    Case(name: "geodb build ok", arguments: ["geodb", "build", "--csv", csv, "-o", path("built.mmdb")], status: 0),
    Case(name: "geodb build bad record size", arguments: ["geodb", "build", "--csv", csv, "--record-size", "20", "-o", path("x.mmdb")], status: 64),
    Case(name: "geodb build missing source", arguments: ["geodb", "build", "--csv", path("missing.csv"), "-o", path("x.mmdb")], status: 66),
    Case(name: "geodb build unwritable output", arguments: ["geodb", "build", "--csv", csv, "-o", path("no/such/dir/x.mmdb")], status: 73),
    // geodb info
    Case(name: "geodb info ok", arguments: ["geodb", "info", testDB], status: 0),
    Case(name: "geodb info unknown option", arguments: ["geodb", "info", "--no-such-option", testDB], status: 64),
    Case(name: "geodb info not a database", arguments: ["geodb", "info", path("text.pcap")], status: 66),
    Case(name: "geodb info standard output full", arguments: ["geodb", "info", testDB], status: 73, stdoutFull: true),
    // areas
    Case(name: "areas ok", arguments: ["areas", "--areas", path("areas.json"), "wide"], status: 0),
    Case(name: "areas unknown area", arguments: ["areas", "atlantis"], status: 64),
    Case(name: "areas missing areas file", arguments: ["areas", "--areas", path("missing.json")], status: 66),
    Case(name: "areas standard output full", arguments: ["areas"], status: 73, stdoutFull: true),
    // collect (damaged datagrams, 65, and claims, 1, are in CollectCommandTests: they need a sender)
    Case(name: "collect ok", arguments: ["collect", "--db", testDB, "--listen", "127.0.0.1:0", "--duration", "200ms"], status: 0, infoLines: 1),
    Case(name: "collect bad listen address", arguments: ["collect", "--db", testDB, "--listen", "localhost"], status: 64),
    Case(name: "collect address not on this host", arguments: ["collect", "--db", testDB, "--listen", "192.0.2.1:2055", "--duration", "1s"], status: 66),
    Case(
      name: "collect standard output full", arguments: ["collect", "--db", testDB, "--listen", "127.0.0.1:0", "--duration", "200ms"],
      status: 73, stdoutFull: true, infoLines: 1),
    // the root command
    Case(name: "help", arguments: ["--help"], status: 0),
    Case(name: "unknown command", arguments: ["no-such-command"], status: 64),
  ]

  /// `live` on the loopback interface for a moment (a successful run says on standard error where it
  /// captures and why it stopped; a run whose report cannot be written, where it captured and the
  /// error); capturing needs root, as in `LiveCaptureTests`.
  static let liveCases: [Case] = [
    Case(name: "live ok", arguments: ["live", "-i", "lo", "--db", testDB, "--duration", "300ms"], status: 0, infoLines: 2),
    Case(
      name: "live claim inconclusive",
      arguments: ["live", "-i", "lo", "--db", testDB, "--duration", "300ms", "--claim", "UA:primary", "--fail-unless-holds"],
      status: 1, infoLines: 2),
    Case(name: "live unknown option", arguments: ["live", "-i", "lo", "--no-such-option"], status: 64),
    Case(name: "live bad filter", arguments: ["live", "-i", "lo", "--db", testDB, "--filter", "tcp and and", "--duration", "300ms"], status: 64),
    Case(name: "live unknown interface", arguments: ["live", "-i", "nosuch0", "--db", testDB, "--duration", "300ms"], status: 66),
    Case(name: "live missing database", arguments: ["live", "-i", "lo", "--db", path("missing.mmdb"), "--duration", "300ms"], status: 66),
    Case(
      name: "live standard output full", arguments: ["live", "-i", "lo", "--db", testDB, "--duration", "300ms"],
      status: 73, stdoutFull: true, infoLines: 1),
  ]

  @Test(LiveCaptureTests.rootOnly, arguments: liveCases)
  func liveStatus(_ c: Case) throws { try status(c) }

  @Test(arguments: cases)
  func status(_ c: Case) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try Self.makeFiles(in: directory)
    let arguments = c.arguments.map { $0.replacingOccurrences(of: "{dir}", with: directory.url.path) }
    let out: (status: Int32, stdout: String, stderr: String)
    if c.stdoutFull {
      out = try run("/bin/sh", ["-c", "exec \"$0\" \"$@\" >/dev/full", try origincheckBinary()] + arguments)
    } else {
      out = try origincheck(arguments)
    }
    #expect(out.status == c.status, "\(c.arguments): status \(out.status), stderr \(out.stderr)")
    let lines = out.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    switch c.status {
    case 0, 1:
      #expect(lines.count == c.infoLines, "\(out.stderr)")
    default:
      #expect(lines.count == 1 + c.infoLines, "one line expected: \(out.stderr)")
      #expect(lines.last?.hasPrefix("origincheck: ") == true, "\(out.stderr)")
    }
  }
}
