import ArgumentParser
import Foundation
import Geo
import NetCore
import Report

/// `origincheck geodb build|info`.
struct GeoDBCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "geodb",
    abstract: "Build MaxMind-format databases from open sources, and describe databases.",
    subcommands: [Build.self, Info.self])

  struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Build a country (and optionally ASN) MaxMind DB from Tor geoip files or CSV ranges.",
      discussion: """
        Sources: Tor's geoip/geoip6 (Debian package tor-geoipdb: /usr/share/tor/geoip and
        /usr/share/tor/geoip6, IPFire Location data, CC BY-SA 4.0); CSV ranges
        first,last,country or cidr,country (DB-IP Lite, IP2Location LITE DB1 layouts);
        ASN CSV cidr,asn,organisation (GeoLite2-ASN layout) or first,last,asn,organisation.
        Country names and continents come from OriginCheck's own ISO 3166 table.
        """)

    @Option(help: ArgumentHelp("Tor geoip file (IPv4 ranges).", valueName: "path")) var tor: String?
    @Option(help: ArgumentHelp("Tor geoip6 file (IPv6 ranges).", valueName: "path")) var tor6: String?
    @Option(help: ArgumentHelp("Country CSV ranges (repeatable).", valueName: "path")) var csv: [String] = []
    @Option(help: ArgumentHelp("ASN CSV ranges (repeatable).", valueName: "path")) var asn: [String] = []
    @Option(name: .shortAndLong, help: ArgumentHelp("Database file to write.", valueName: "path")) var output: String
    @Option(help: ArgumentHelp("Build date YYYY-MM-DD (default: the sources' own date).", valueName: "date"))
    var buildDate: String?
    @Option(help: ArgumentHelp("Record size in bits: 24, 28 or 32 (default: smallest that fits).", valueName: "bits"))
    var recordSize: Int?
    @Flag(help: "Write an IPv4-only tree (IPv6 sources are refused).") var ipv4Only = false
    @Flag(help: "Print the build report as JSON.") var json = false

    func validate() throws {
      if let recordSize, ![24, 28, 32].contains(recordSize) {
        throw ValidationError("--record-size must be 24, 28 or 32, not \(recordSize)")
      }
      if let buildDate, parseDate(buildDate) == nil {
        throw ValidationError("--build-date expects YYYY-MM-DD, not '\(buildDate)'")
      }
      if tor == nil && tor6 == nil && csv.isEmpty && asn.isEmpty {
        throw ValidationError("give at least one source: --tor, --tor6, --csv or --asn")
      }
    }

    func parseDate(_ text: String) -> UInt64? {
      let parts = text.split(separator: "-")
      guard parts.count == 3, let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]),
        (1970...9999).contains(y), (1...12).contains(m), (1...31).contains(d)
      else { return nil }
      let seconds = Timestamp.days(year: y, month: m, day: d) * 86400
      return seconds > 0 ? UInt64(seconds) : nil
    }

    func run() throws {
      var options = GeoDatabaseBuilder.Options()
      options.countrySources = [tor, tor6].compactMap { $0 } + csv
      options.asnSources = asn
      options.buildEpoch = buildDate.flatMap(parseDate)
      options.ipVersion = ipv4Only ? 4 : 6
      options.recordSize = recordSize
      let start = Date()
      let report: GeoDatabaseBuilder.Report
      do {
        report = try GeoDatabaseBuilder.build(options, output: output)
      } catch {
        throw CLIError(error.message, status: error.kind == .writeFailed ? .cannotWrite : .noInput)
      }
      let seconds = Date().timeIntervalSince(start)
      let built = Timestamp(seconds: Int64(report.buildEpoch)).iso8601(fractionDigits: 0)
      let skipped = report.skipped.sorted { $0.key < $1.key }
      if json {
        let value = JSONValue.object([
          ("path", .string(output)), ("type", .string(report.databaseType)), ("buildDate", .string(built)),
          ("ranges", .int(Int64(report.ranges))), ("networks", .int(Int64(report.networks))),
          ("skipped", .object(skipped.map { ($0.key, .int(Int64($0.value))) })),
          ("nodeCount", .int(Int64(report.nodeCount))), ("recordSize", .int(Int64(report.recordSize))),
          ("bytes", .int(Int64(report.bytes))), ("seconds", .double((seconds * 100).rounded() / 100)),
        ])
        try emit(value.serialized(), to: nil)
      } else {
        var line = "wrote \(output): \(report.databaseType), built \(built.prefix(10)), \(report.ranges) ranges, "
        line += "\(report.networks) networks, \(report.nodeCount) nodes, \(report.recordSize)-bit records, "
        line += "\(report.bytes) bytes in \(String(format: "%.1f", seconds)) s"
        if !skipped.isEmpty {
          line += "\nskipped ranges: " + skipped.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        try emit(line, to: nil)
      }
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a MaxMind DB: type, build date, IP version, size.")

    @Argument(help: ArgumentHelp("Database file (default: the bundled country database).", valueName: "db"))
    var path: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
      var options = DatabaseOptions()
      options.countryPath = path
      let db = try options.openCountry()
      let m = db.metadata
      let built = m.buildDate.iso8601(fractionDigits: 0)
      let description = m.description.sorted { $0.key < $1.key }
      if json {
        try emit(
          JSONValue.object([
            ("path", .string(db.path)), ("type", .string(m.databaseType)), ("buildDate", .string(built)),
            ("buildEpoch", .uint(m.buildEpoch)), ("ipVersion", .int(Int64(m.ipVersion))),
            ("recordSize", .int(Int64(m.recordSize))), ("nodeCount", .int(Int64(m.nodeCount))),
            ("formatVersion", .string(m.formatVersion)), ("languages", .array(m.languages.map { .string($0) })),
            ("description", .object(description.map { ($0.key, .string($0.value)) })),
            ("libmaxminddb", .string(MaxMindDatabase.libraryVersion)),
          ]).serialized(), to: nil)
      } else {
        var rows = [
          ["path", db.path], ["type", m.databaseType], ["built", built], ["ip version", String(m.ipVersion)],
          ["record size", "\(m.recordSize) bits"], ["nodes", String(m.nodeCount)], ["format", m.formatVersion],
          ["languages", m.languages.joined(separator: ", ")],
        ]
        for (lang, text) in description { rows.append(["description (\(lang))", text]) }
        rows.append(["libmaxminddb", MaxMindDatabase.libraryVersion])
        let width = rows.map { $0[0].count }.max() ?? 0
        try emit(rows.map { $0[0] + String(repeating: " ", count: width - $0[0].count) + "  " + $0[1] }.joined(separator: "\n"), to: nil)
      }
    }
  }
}
