import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// Builds a country database (optionally with ASN fields) from range sources.
///
/// Country records follow the GeoLite2-Country layout (`country`, `registered_country`,
/// `continent`, each with `names.en`), so every MMDB reader understands them; ASN fields follow
/// GeoLite2-ASN (`autonomous_system_number`, `autonomous_system_organization`). Names and
/// continents come from the project's ISO 3166 table, not from the source.
public enum GeoDatabaseBuilder {
  public struct Options: Sendable {
    /// Country range files (Tor geoip/geoip6 or country CSV).
    public var countrySources: [String] = []
    /// ASN range files (`cidr,asn,organisation` CSV).
    public var asnSources: [String] = []
    /// Seconds since the epoch; `nil` takes the newest `Generated:` date the sources state, else their newest file time.
    public var buildEpoch: UInt64? = nil
    /// 4 writes an IPv4-only tree (IPv6 sources are then refused); 6 (default) holds both families.
    public var ipVersion: Int = 6
    /// 24, 28 or 32; `nil` picks the smallest that fits.
    public var recordSize: Int? = nil
    public init() {}
  }

  /// What a build did, for the command's summary line.
  public struct Report: Sendable {
    public var databaseType: String
    public var ranges: Int
    public var networks: Int
    /// Ranges not stored, by reason (`unknown-country` for `??`, `withdrawn-code`, ...).
    public var skipped: [String: Int]
    public var buildEpoch: UInt64
    public var bytes: Int
    public var recordSize: Int
    public var nodeCount: Int
  }

  public static func build(_ options: Options, output: String) throws(GeoError) -> Report {
    guard !options.countrySources.isEmpty || !options.asnSources.isEmpty else {
      throw GeoError(.badArgument, "geodb build: give at least one source (--tor, --tor6, --csv or --asn)")
    }
    // The build date is the newest date the sources state in their headers; only when none
    // states one, the newest file modification time.
    var generated: [Int64] = []
    var modified: [Int64] = []
    var countryRanges: [(String, [SourceRange])] = []
    for path in options.countrySources {
      let (ranges, date) = try GeoSourceReader.read(path: path, layout: .country)
      countryRanges.append((path, ranges))
      if let date { generated.append(date) } else if let mtime = modificationTime(path) { modified.append(mtime) }
    }
    var asnRanges: [(String, [SourceRange])] = []
    for path in options.asnSources {
      let (ranges, date) = try GeoSourceReader.read(path: path, layout: .asn)
      asnRanges.append((path, ranges))
      if let date { generated.append(date) } else if let mtime = modificationTime(path) { modified.append(mtime) }
    }
    let epoch = options.buildEpoch ?? UInt64(max(1, generated.max() ?? modified.max() ?? 1))

    let type: String
    switch (countryRanges.isEmpty, asnRanges.isEmpty) {
    case (false, false): type = "OriginCheck-Country-ASN"
    case (false, true): type = "OriginCheck-Country"
    default: type = "OriginCheck-ASN"
    }
    let sourceNames = (options.countrySources + options.asnSources).map { $0.split(separator: "/").last.map(String.init) ?? $0 }
    var description = "\(type) built by origincheck from \(sourceNames.joined(separator: ", "))"
    if options.countrySources.contains(where: { $0.contains("tor") }) {
      description += " (IPFire Location data via tor-geoipdb, CC BY-SA 4.0)"
    }
    var writer = MMDBWriter(
      ipVersion: options.ipVersion,
      metadata: .init(databaseType: type, description: ["en": description], buildEpoch: epoch),
      recordSize: options.recordSize)

    var skipped: [String: Int] = [:]
    var networks = 0
    var rangeCount = 0
    var countryRecords: [String: MMDBWriter.RecordID?] = [:]
    for (path, ranges) in countryRanges {
      for range in ranges {
        rangeCount += 1
        let code = range.country ?? "??"
        let id: MMDBWriter.RecordID?
        if let cached = countryRecords[code] {
          id = cached
        } else {
          id = countryRecord(code).map { writer.record($0) }
          countryRecords[code] = id
        }
        guard let id else {
          skipped[skipReason(code), default: 0] += 1
          continue
        }
        for net in IPNetwork.covering(first: range.first, last: range.last) {
          do {
            try writer.insert(net, record: id)
          } catch {
            throw GeoError(.badSourceLine, "\(path): \(error)")
          }
          networks += 1
        }
      }
    }
    for (path, ranges) in asnRanges {
      for range in ranges {
        rangeCount += 1
        guard let asn = range.asn else { continue }
        var fields: [String: MMDBValue] = ["autonomous_system_number": .uint32(asn)]
        if let org = range.organization, !org.isEmpty { fields["autonomous_system_organization"] = .string(org) }
        let id = writer.record(.map(fields))
        for net in IPNetwork.covering(first: range.first, last: range.last) {
          do {
            if countryRanges.isEmpty { try writer.insert(net, record: id) } else { try writer.merge(net, record: id) }
          } catch {
            throw GeoError(.badSourceLine, "\(path): \(error)")
          }
          networks += 1
        }
      }
    }

    let bytes: [UInt8]
    do {
      bytes = try writer.serialize()
    } catch {
      throw GeoError(.writeFailed, "\(output): \(error)")
    }
    try writeAtomically(bytes, to: output)
    let recordSize = options.recordSize ?? (try? MaxMindDatabase(path: output).metadata.recordSize) ?? 0
    let nodeCount = (try? MaxMindDatabase(path: output).metadata.nodeCount) ?? 0
    return Report(
      databaseType: type, ranges: rangeCount, networks: networks, skipped: skipped, buildEpoch: epoch,
      bytes: bytes.count, recordSize: recordSize, nodeCount: nodeCount)
  }

  /// The record stored for a source's country code; `nil` for codes that name no place.
  public static func countryRecord(_ code: String) -> MMDBValue? {
    if let country = Countries.named(code) {
      let c: MMDBValue = .map(["iso_code": .string(country.code), "names": .map(["en": .string(country.name)])])
      return .map([
        "continent": .map([
          "code": .string(country.continent.rawValue), "names": .map(["en": .string(country.continent.name)]),
        ]),
        "country": c,
        "registered_country": c,
      ])
    }
    // Registry-level assignments with no country: keep the continent.
    if code == "EU" || code == "AP" {
      let continent: Continent = code == "EU" ? .europe : .asia
      return .map(["continent": .map(["code": .string(continent.rawValue), "names": .map(["en": .string(continent.name)])])])
    }
    return nil
  }

  static func skipReason(_ code: String) -> String {
    switch code {
    case "??", "--", "ZZ", "XX": return "unknown-country"
    default: return Countries.pseudoCodes[code] != nil ? "pseudo-code-\(code)" : "unrecognised-code-\(code)"
    }
  }

  static func modificationTime(_ path: String) -> Int64? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return Int64(st.st_mtim.tv_sec)
  }

  static func writeAtomically(_ bytes: [UInt8], to path: String) throws(GeoError) {
    let temporary = path + ".partial"
    guard let f = fopen(temporary, "wb") else {
      throw GeoError(.writeFailed, "\(path): cannot write: \(String(cString: strerror(errno)))")
    }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    let closed = fclose(f)
    guard written == bytes.count, closed == 0 else {
      unlink(temporary)
      throw GeoError(.writeFailed, "\(path): write failed: \(String(cString: strerror(errno)))")
    }
    guard rename(temporary, path) == 0 else {
      unlink(temporary)
      throw GeoError(.writeFailed, "\(path): cannot move into place: \(String(cString: strerror(errno)))")
    }
  }
}
