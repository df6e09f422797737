import ArgumentParser
import Geo
import NetCore
import Report

/// `origincheck lookup IP...`: what the databases say about addresses.
struct LookupCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lookup",
    abstract: "Show the origin of IP addresses: special-purpose range, country, continent, ASN.")

  @OptionGroup var databases: DatabaseOptions

  @Flag(name: .long, help: "Print JSON instead of a table.")
  var json = false

  @Argument(help: ArgumentHelp("IPv4 or IPv6 addresses.", valueName: "ip"))
  var addresses: [String]

  func validate() throws {
    if addresses.isEmpty { throw ValidationError("give at least one IP address") }
    for a in addresses where IPAddress(a) == nil {
      throw ValidationError("'\(a)' is not an IPv4 or IPv6 address")
    }
  }

  func run() throws {
    let country = try databases.openCountry()
    let asn = try databases.openASN()
    var rows: [JSONValue] = []
    var lines: [[String]] = [["ADDRESS", "NETWORK", "ORIGIN", "CONTINENT", "ASN"]]
    for text in addresses {
      let address = IPAddress(text)!
      let result = try lookup(address, country: country, asn: asn)
      rows.append(result.json)
      lines.append(result.row)
    }
    if json {
      var dbs = [databaseJSON(country, role: "country")]
      if let asn { dbs.append(databaseJSON(asn, role: "asn")) }
      try emit(JSONValue.object([("databases", .array(dbs)), ("results", .array(rows))]).serialized(), to: nil)
    } else {
      var out = "database: \(databaseLine(country))\n"
      if let asn { out += "asn database: \(databaseLine(asn))\n" }
      out += TextTable.render(lines, rightAligned: [])
      try emit(out, to: nil)
    }
  }

  struct Result {
    var json: JSONValue
    var row: [String]
  }

  func lookup(_ address: IPAddress, country: MaxMindDatabase, asn: MaxMindDatabase?) throws -> Result {
    var target = address
    var via: String? = nil
    var fields: [(String, JSONValue)] = [("address", .string(address.description))]
    switch SpecialPurpose.classify(address) {
    case .special(let kind):
      let entry = SpecialPurpose.entry(for: address)
      fields += [
        ("kind", .string("special")), ("special", .string(kind.rawValue)),
        ("network", .optional(entry?.network.description)), ("registry", .optional(entry?.name)),
        ("reference", .optional(entry?.reference)),
      ]
      return Result(json: .object(fields), row: [address.description, entry?.network.description ?? "-", "special: \(kind)", "-", "-"])
    case .embedded(let v4, let how):
      target = .v4(v4)
      via = how
      fields.append(("embeddedIPv4", .string(v4.description)))
      fields.append(("via", .string(how)))
      if case .special(let kind) = SpecialPurpose.classify(v4) {
        fields += [("kind", .string("special")), ("special", .string(kind.rawValue))]
        return Result(json: .object(fields), row: [address.description, "-", "special: \(kind) (\(how) \(v4))", "-", "-"])
      }
    case .global:
      break
    }
    let match: MMDBMatch
    let record: GeoRecord?
    do {
      match = try country.lookup(target)
      record = try match.recordOffset.map { offset throws(GeoError) in try country.record(at: offset) }
    } catch {
      throw CLIError(error.message, status: .noInput)
    }
    var asnRecord: GeoRecord? = nil
    var asnNetwork: IPNetwork? = nil
    if let asn {
      do {
        let m = try asn.lookup(target)
        asnNetwork = m.network
        asnRecord = try m.recordOffset.map { offset throws(GeoError) in try asn.record(at: offset) }
      } catch {
        throw CLIError(error.message, status: .noInput)
      }
    }
    let code = record?.countryCode
    let name = code.flatMap { Countries.named($0)?.name } ?? record?.countryName
    fields.append(("kind", .string(code == nil ? "unknown" : "country")))
    fields.append(("network", .string(match.network.description)))
    fields.append(("country", code.map { .object([("code", .string($0)), ("name", .optional(name))]) } ?? .null))
    fields.append(("continent", .optional(record?.continentCode)))
    fields.append(("registeredCountry", .optional(record?.registeredCountryCode)))
    if let city = record?.cityName { fields.append(("city", .string(city))) }
    if let lat = record?.latitude, let lon = record?.longitude {
      var location: [(String, JSONValue)] = [("latitude", .double(lat)), ("longitude", .double(lon))]
      if let r = record?.accuracyRadius { location.append(("accuracyRadiusKm", .int(Int64(r)))) }
      fields.append(("location", .object(location)))
    }
    let asnNumber = asnRecord?.asn ?? record?.asn
    let org = asnRecord?.asOrganization ?? record?.asOrganization
    fields.append(("asn", asnNumber.map { .uint(UInt64($0)) } ?? .null))
    fields.append(("asOrganization", .optional(org)))
    if let asnNetwork { fields.append(("asnNetwork", .string(asnNetwork.description))) }
    var origin = code.map { "\($0) \(name ?? "")" } ?? "unknown (no record)"
    if let via { origin += " (\(via) \(target))" }
    var asnText = asnNumber.map { "AS\($0)" } ?? "-"
    if let org { asnText += " \(org)" }
    return Result(
      json: .object(fields),
      row: [address.description, match.network.description, origin, record?.continentCode ?? "-", asnText])
  }
}
