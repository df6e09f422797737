import NetCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// capgen: writes pcap captures whose origins are known by construction, with their ground truth.
//
//     capgen scenario NAME --output FILE [--seed N] [--scale X] [--geoip PATH] [--geoip6 PATH]
//                          [--nanosecond] [--truth PATH]
//     capgen bench --packets N --output FILE [--sources M] [--spoofed] [--seed N] [--rate PPS]
//                  [--geoip PATH] [--nanosecond] [--truth PATH]
//     capgen list
//
// The truth goes to `--truth`, by default next to the capture: `x.pcap` gets `x.truth.json`.

/// A mistake in the command line: reported with a pointer to the usage, exit status 2.
struct CommandLineError: Error, CustomStringConvertible {
  let description: String
}

let usage = """
  usage: capgen scenario NAME --output FILE [--seed N] [--scale X] [--geoip PATH] [--geoip6 PATH]
                              [--nanosecond] [--truth PATH]
         capgen bench --packets N --output FILE [--sources M] [--spoofed] [--seed N] [--rate PPS]
                      [--geoip PATH] [--nanosecond] [--truth PATH]
         capgen list

  Writes classic pcap captures (Ethernet, little-endian, microsecond timestamps unless --nanosecond)
  whose source origins are known by construction, and their ground truth as FILE.truth.json (FILE
  without its .pcap suffix). Country pools and the truth come from Tor's geoip files
  (--geoip, default /usr/share/tor/geoip; --geoip6, default /usr/share/tor/geoip6).
  The same arguments and geoip files give the same bytes on every machine.

  scenario   one of the scenarios listed by `capgen list`; --seed (default 1) changes the draws,
             --scale (default 1) multiplies flows, bots, spoofed packets and reflectors.
  bench      a large flood capture, fast: --packets N packets from --sources M bots (default 10000)
             drawn from the botnet country mix, or with --spoofed a fresh uniformly random IPv4
             source per packet; --rate sets packets per second of capture time (default 1000000).

  """

/// Parsed `--name value` options and flags.
struct Options {
  var values: [String: String] = [:]
  var flags: Set<String> = []
  var positional: [String] = []

  init(_ arguments: ArraySlice<String>, valued: Set<String>, flags allowed: Set<String>) throws {
    var i = arguments.startIndex
    while i < arguments.endIndex {
      let a = arguments[i]
      if a.hasPrefix("--") {
        var name = String(a.dropFirst(2))
        var inline: String?
        if let eq = name.firstIndex(of: "=") {
          inline = String(name[name.index(after: eq)...])
          name = String(name[..<eq])
        }
        if valued.contains(name) {
          if let inline {
            values[name] = inline
          } else {
            i += 1
            guard i < arguments.endIndex else { throw CommandLineError(description: "--\(name) needs a value") }
            values[name] = arguments[i]
          }
        } else if allowed.contains(name) && inline == nil {
          flags.insert(name)
        } else {
          throw CommandLineError(description: "unknown option --\(name)")
        }
      } else {
        positional.append(a)
      }
      i += 1
    }
  }

  func integer(_ name: String, default value: Int? = nil) throws -> Int? {
    guard let text = values[name] else { return value }
    let digits = text.filter { $0 != "_" }
    guard let n = Int(digits), n >= 0 else {
      throw CommandLineError(description: "--\(name) expects a non-negative integer, not '\(text)'")
    }
    return n
  }
}

/// `x.pcap` -> `x.truth.json`; any other name gets `.truth.json` appended.
func truthPath(for output: String) -> String {
  (output.hasSuffix(".pcap") ? String(output.dropLast(5)) : output) + ".truth.json"
}

func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fileName(_ path: String) -> String {
  path.split(separator: "/").last.map(String.init) ?? path
}

func geoipMetadata(_ geoip: TorGeoIP) -> String {
  var fields = ["\"ipv4\": \(TruthLedger.quote(geoip.path4))"]
  fields.append("\"ipv6\": " + (geoip.path6.map { TruthLedger.quote($0) } ?? "null"))
  fields.append("\"generated\": " + (geoip.generated.map { TruthLedger.quote($0) } ?? "null"))
  fields.append("\"ipv4Ranges\": \(geoip.ranges4.count)")
  fields.append("\"ipv6Ranges\": \(geoip.ranges6.count)")
  return "{ " + fields.joined(separator: ", ") + " }"
}

func runScenario(_ arguments: ArraySlice<String>) throws {
  let options = try Options(
    arguments, valued: ["output", "seed", "scale", "geoip", "geoip6", "truth"], flags: ["nanosecond"])
  guard options.positional.count == 1, let scenario = Scenario(rawValue: options.positional[0]) else {
    throw CommandLineError(
      description: "scenario: name one of " + Scenario.allCases.map(\.rawValue).joined(separator: ", "))
  }
  guard let output = options.values["output"] else {
    throw CommandLineError(description: "scenario: --output FILE is required")
  }
  let seed = UInt64(try options.integer("seed", default: 1)!)
  let scaleText = options.values["scale"] ?? "1"
  guard let scale = Double(scaleText), scale > 0, scale <= 1000 else {
    throw CommandLineError(description: "--scale expects a number in (0, 1000], not '\(scaleText)'")
  }
  let geoip = try TorGeoIP(
    ipv4: options.values["geoip"] ?? "/usr/share/tor/geoip", ipv6: options.values["geoip6"] ?? "/usr/share/tor/geoip6")
  let ledger = TruthLedger(geoip: geoip)
  let nanosecond = options.flags.contains("nanosecond")
  let snaplen: UInt32 = 96
  ledger.metadata = [
    ("format", "\"capgen-truth/1\""),
    ("capture", TruthLedger.quote(fileName(output))),
    ("scenario", TruthLedger.quote(scenario.rawValue)),
    ("command", TruthLedger.quote((["capgen"] + CommandLine.arguments.dropFirst()).joined(separator: " "))),
    ("seed", "\(seed)"),
    ("scale", "\(scaleText)"),
    ("geoip", geoipMetadata(geoip)),
    ("victim", "{ \"ipv4\": \"\(scenario.victim4)\", \"ipv6\": \"\(scenario.victim6)\" }"),
    ("timestampPrecision", nanosecond ? "\"nanosecond\"" : "\"microsecond\""),
    ("snaplen", "\(snaplen)"),
  ]
  let builder = TrafficBuilder(
    geoip: geoip, ledger: ledger, seed: seed, scale: scale, victim4: scenario.victim4, victim6: scenario.victim6)
  builder.streamPrefix = scenario.rawValue
  for (name, window) in scenario.truthWindows {
    ledger.addWindow(name: name, start: window.start, end: window.end)
  }
  try scenario.build(builder)
  let writer = try PcapWriter(path: output, snaplen: snaplen, nanosecond: nanosecond)
  try builder.write(to: writer)
  try writer.close()
  let truth = options.values["truth"] ?? truthPath(for: output)
  try ledger.write(to: truth)
  print(
    "\(output): \(writer.packets) packets (\(scenario.rawValue), seed \(seed), scale \(scaleText)); truth in \(truth)")
}

func runBench(_ arguments: ArraySlice<String>) throws {
  let options = try Options(
    arguments, valued: ["packets", "output", "sources", "seed", "rate", "geoip", "geoip6", "truth"],
    flags: ["spoofed", "nanosecond"])
  guard options.positional.isEmpty else {
    throw CommandLineError(description: "bench: unexpected '\(options.positional[0])'")
  }
  guard let packets = try options.integer("packets") else {
    throw CommandLineError(description: "bench: --packets N is required")
  }
  guard let output = options.values["output"] else {
    throw CommandLineError(description: "bench: --output FILE is required")
  }
  let spoofed = options.flags.contains("spoofed")
  let sources = try options.integer("sources", default: 10_000)!
  if spoofed && options.values["sources"] != nil {
    throw CommandLineError(description: "bench: --sources and --spoofed exclude each other")
  }
  guard spoofed || sources > 0 else { throw CommandLineError(description: "bench: --sources must be positive") }
  guard packets <= Int(UInt32.max) else { throw CommandLineError(description: "bench: at most 4294967295 packets") }
  let seed = UInt64(try options.integer("seed", default: 1)!)
  let rate = try options.integer("rate", default: 1_000_000)!
  let begin = monotonicSeconds()
  let geoip = try TorGeoIP(ipv4: options.values["geoip"] ?? "/usr/share/tor/geoip", ipv6: options.values["geoip6"])
  let ledger = TruthLedger(geoip: geoip)
  let nanosecond = options.flags.contains("nanosecond")
  let snaplen: UInt32 = 96
  ledger.metadata = [
    ("format", "\"capgen-truth/1\""),
    ("capture", TruthLedger.quote(fileName(output))),
    ("scenario", spoofed ? "\"bench-spoofed\"" : "\"bench\""),
    ("command", TruthLedger.quote((["capgen"] + CommandLine.arguments.dropFirst()).joined(separator: " "))),
    ("seed", "\(seed)"),
    ("scale", "1"),
    ("geoip", geoipMetadata(geoip)),
    ("victim", "{ \"ipv4\": \"104.244.42.0/24\", \"ipv6\": null }"),
    ("timestampPrecision", nanosecond ? "\"nanosecond\"" : "\"microsecond\""),
    ("snaplen", "\(snaplen)"),
  ]
  let writer = try PcapWriter(path: output, snaplen: snaplen, nanosecond: nanosecond, bufferSize: 16 << 20)
  let bench = Bench(packets: packets, sources: sources, spoofed: spoofed, seed: seed, rate: rate, geoip: geoip)
  let result = try bench.run(writer: writer, ledger: ledger)
  try writer.close()
  let truth = options.values["truth"] ?? truthPath(for: output)
  try ledger.write(to: truth)
  let elapsed = monotonicSeconds() - begin
  let mb = Double(result.bytesWritten) / 1e6
  print(
    "\(output): \(result.packets) packets, \(Int(mb.rounded())) MB in \((elapsed * 100).rounded() / 100) s "
      + "(\(Int((Double(result.packets) / elapsed).rounded())) packets/s); truth in \(truth)")
}

/// Writes `text` to standard error.
func printError(_ text: String) {
  var bytes = Array(text.utf8)
  _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

func main() -> Int32 {
  let arguments = CommandLine.arguments.dropFirst()
  guard let command = arguments.first else {
    printError(usage)
    return 2
  }
  do {
    switch command {
    case "scenario": try runScenario(arguments.dropFirst())
    case "bench": try runBench(arguments.dropFirst())
    case "list":
      for s in Scenario.allCases {
        print(s.rawValue.padding(to: 22) + s.summary)
      }
    case "help", "--help", "-h": print(usage, terminator: "")
    default: throw CommandLineError(description: "unknown command '\(command)'")
    }
    return 0
  } catch let error as CommandLineError {
    printError("capgen: \(error.description) (see capgen help)\n")
    return 2
  } catch {
    printError("capgen: \(error)\n")
    return 1
  }
}

extension String {
  func padding(to width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}

exit(main())
