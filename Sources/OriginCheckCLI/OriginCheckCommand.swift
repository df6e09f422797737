import ArgumentParser

#if canImport(Glibc)
  import Glibc
#endif

/// `origincheck`: the root command.
public struct OriginCheckCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "origincheck",
    abstract: "Where did this traffic come from, and does the claim about it hold?",
    discussion: """
      Source-address geography is weak attribution: botnets, proxies and spoofing all move it.
      OriginCheck reports where packets say they came from and how far that can be trusted;
      it never names an actor.

      Exit status: 0 success; 1 a claim did not hold (with --fail-unless-holds); 64 bad usage;
      65 input partly read (damaged); 66 input unreadable (nothing read, or a summary that
      cannot be read back); 70 internal error; 73 output cannot be written.
      """,
    subcommands: [
      AnalyzeCommand.self, LiveCommand.self, CollectCommand.self, ReportCommand.self, MergeCommand.self, LookupCommand.self,
      GeoDBCommand.self, AreasCommand.self, LookupBenchCommand.self,
    ])

  public init() {}

  /// Runs the command line, printing errors as one line and exiting with the documented status.
  public static func runMain(_ arguments: [String]? = nil) -> Never {
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
      Glibc.exit(0)
    } catch let error as CLIError {
      if !error.message.isEmpty { printError("origincheck: \(error.message)") }
      Glibc.exit(error.status.rawValue)
    } catch {
      let code = exitCode(for: error)
      guard code.rawValue == ExitStatus.usage.rawValue else { exit(withError: error) }
      // Bad usage is one line too; `--help` shows the usage.
      let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
      let text = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
      printError("origincheck: \(text)")
      Glibc.exit(code.rawValue)
    }
  }
}

/// Exit statuses, from sysexits(3) where one fits.
public struct ExitStatus: RawRepresentable, Hashable, Sendable {
  public var rawValue: Int32
  public init(rawValue: Int32) { self.rawValue = rawValue }
  public static let success = ExitStatus(rawValue: 0)
  /// A claim did not hold and `--fail-unless-holds` was given.
  public static let claimDoesNotHold = ExitStatus(rawValue: 1)
  /// Bad usage: unknown option, malformed argument (`EX_USAGE`).
  public static let usage = ExitStatus(rawValue: 64)
  /// Some input was damaged or partly read; what was read is reported (`EX_DATAERR`).
  public static let partialInput = ExitStatus(rawValue: 65)
  /// An input could not be read at all (`EX_NOINPUT`).
  public static let noInput = ExitStatus(rawValue: 66)
  /// An output could not be written (`EX_CANTCREAT`).
  public static let cannotWrite = ExitStatus(rawValue: 73)
  /// A failure inside the tool (`EX_SOFTWARE`).
  public static let software = ExitStatus(rawValue: 70)
}

/// An error reported as one line with an exit status.
public struct CLIError: Error, CustomStringConvertible {
  public var message: String
  public var status: ExitStatus
  public init(_ message: String, status: ExitStatus) {
    self.message = message
    self.status = status
  }
  public var description: String { message }
}

/// Writes one line to standard error.
func printError(_ line: String) {
  let text = line + "\n"
  _ = text.withCString { write(2, $0, strlen($0)) }
}
