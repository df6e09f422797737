import ArgumentParser
import Foundation
import Geo
import Report

/// `--db` and `--asn-db`, shared by every command that geolocates.
struct DatabaseOptions: ParsableArguments {
  @Option(
    name: .customLong("db"),
    help: ArgumentHelp(
      "Country (or city) MaxMind DB. Default: $ORIGINCHECK_DB, else the bundled GeoDB/default/country.mmdb.",
      valueName: "path"))
  var countryPath: String?

  @Option(name: .customLong("asn-db"), help: ArgumentHelp("ASN MaxMind DB (GeoLite2-ASN layout).", valueName: "path"))
  var asnPath: String?

  /// Where the bundled default database is looked for, in order.
  static func defaultCandidates() -> [String] {
    var out: [String] = []
    if let env = ProcessInfo.processInfo.environment["ORIGINCHECK_DB"], !env.isEmpty { out.append(env) }
    // The executable lives in .build/<config>/ (or .build/<triple>/<config>/) inside the checkout.
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
      out.append(dir.appendingPathComponent("GeoDB/default/country.mmdb").path)
      dir.deleteLastPathComponent()
    }
    out.append(FileManager.default.currentDirectoryPath + "/GeoDB/default/country.mmdb")
    out.append("/usr/local/share/origincheck/country.mmdb")
    return out
  }

  /// Opens the country database (the default when `--db` is not given).
  func openCountry() throws -> MaxMindDatabase {
    func checked(_ db: MaxMindDatabase) throws -> MaxMindDatabase {
      guard db.hasCountryData else {
        throw CLIError(
          "\(db.path): has no country data (database type \(db.metadata.databaseType)); pass a country or city database with --db",
          status: .noInput)
      }
      return db
    }
    if let countryPath { return try checked(open(countryPath)) }
    for candidate in Self.defaultCandidates() where FileManager.default.fileExists(atPath: candidate) {
      return try checked(open(candidate))
    }
    throw CLIError(
      "no country database: run Tools/setup to build the bundled default, or pass --db PATH", status: .noInput)
  }

  func openASN() throws -> MaxMindDatabase? {
    guard let asnPath else { return nil }
    let db = try open(asnPath)
    return db
  }

  private func open(_ path: String) throws -> MaxMindDatabase {
    do {
      return try MaxMindDatabase(path: path)
    } catch {
      throw CLIError(error.message, status: .noInput)
    }
  }
}

/// How a database is named in every output: path, type and build date.
func databaseJSON(_ db: MaxMindDatabase, role: String) -> JSONValue {
  .object([
    ("role", .string(role)),
    ("path", .string(db.path)),
    ("type", .string(db.metadata.databaseType)),
    ("buildDate", .string(db.metadata.buildDate.iso8601(fractionDigits: 0))),
    ("ipVersion", .int(Int64(db.metadata.ipVersion))),
  ])
}

func databaseLine(_ db: MaxMindDatabase) -> String {
  "\(db.path) (\(db.metadata.databaseType), built \(String(db.metadata.buildDate.iso8601(fractionDigits: 0).prefix(10))))"
}

/// Writes text to `--output` or standard output.
func emit(_ text: String, to output: String?) throws {
  // A CRLF ending (CSV) is one Character, so look at the last byte.
  let data = Data((text.utf8.last == UInt8(ascii: "\n") ? text : text + "\n").utf8)
  if let output, output != "-" {
    do {
      try data.write(to: URL(fileURLWithPath: output))
    } catch {
      throw CLIError("\(output): cannot write: \(error.localizedDescription)", status: .cannotWrite)
    }
  } else {
    FileHandle.standardOutput.write(data)
  }
}
