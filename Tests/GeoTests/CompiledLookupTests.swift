import Foundation
import Geo
import NetCore
import TestSupport
import Testing

/// The compiled lookup paths against libmaxminddb: `CompiledDatabase.match` must give the same
/// network and record as `MaxMindDatabase.lookup` (`MMDB_lookup_sockaddr`), and `OriginTable`
/// the same origin as `OriginResolver.resolve`, for every address tried: seeded random addresses
/// of every family and embedding, and the first and last address of every network and the
/// addresses just outside it. Networks come from Python's `maxminddb` (an independent reader) and
/// from libmaxminddb's own lookups.
@Suite struct CompiledLookupTests {
  static let root = packageRoot.appendingPathComponent("GeoDB")

  static func mmdbFiles(_ folder: String) -> [String] {
    let dir = root.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".mmdb") }.sorted().map { "\(folder)/\($0)" }
  }

  /// Every test database, MaxMind's good test databases and the bundled default.
  static let databases: [String] = mmdbFiles("test") + mmdbFiles("third-party/good") + ["default/country.mmdb"]

  static func open(_ name: String) throws -> MaxMindDatabase {
    let path = root.appendingPathComponent(name).path
    try #require(
      FileManager.default.fileExists(atPath: path),
      "\(path) is missing: Tools/setup builds the default database and fetches MaxMind's test databases")
    return try MaxMindDatabase(path: path)
  }

  @Test func theDatabasesArePresent() {
    #expect(Self.mmdbFiles("test").count >= 5)
    #expect(Self.mmdbFiles("third-party/good").count >= 20, "run Tools/fetch-mmdb-test-data (Tools/setup does)")
  }

  @Test(arguments: databases)
  func compiledLookupsEqualLibmaxminddb(name: String) throws {
    let db = try Self.open(name)
    let compiled = try CompiledDatabase(db)
    let table = try OriginTable(countryDatabase: db)
    var rng = SeededGenerator(seed: 0x5EED_0000 &+ UInt64(name.utf8.count) &* 7919)
    let random = (0..<200_000).map { _ in Probes.random(&rng) }
    let networks = try Probes.networks(listedIn: db.path)
    // The networks random addresses fall in, with or without a record.
    let reached = Set(random.compactMap { try? db.lookup($0).network }).subtracting(networks)
    let probes = Probes.boundaries(of: networks, embedAll: networks.count < 50_000) + random
      + Probes.boundaries(of: reached.sorted { $0.address < $1.address }, embedAll: reached.count < 50_000)
    let found = try Checker.check(probes, db: db, compiled: compiled, table: table, asn: nil)
    // The probes must reach data where the database has any.
    #expect(networks.isEmpty || found > 0, "\(name): no probe found a record")
  }

  /// Country and ASN databases together, including mixed IPv4-only and IPv6 trees.
  @Test(arguments: [
    ("test/country.mmdb", "test/asn.mmdb"), ("test/country-v4.mmdb", "test/asn.mmdb"),
    ("test/country.mmdb", "test/country-v4.mmdb"), ("third-party/good/GeoLite2-Country-Test.mmdb", "third-party/good/GeoLite2-ASN-Test.mmdb"),
    ("third-party/good/GeoIP2-City-Test.mmdb", "third-party/good/GeoIP2-ISP-Test.mmdb"),
    ("default/country.mmdb", "test/asn.mmdb"),
  ])
  func originTableWithAnASNDatabase(country: String, asn: String) throws {
    let countryDB = try Self.open(country)
    let asnDB = try Self.open(asn)
    let table = try OriginTable(countryDatabase: countryDB, asnDatabase: asnDB)
    var rng = SeededGenerator(seed: 0xA5)
    let random = (0..<200_000).map { _ in Probes.random(&rng) }
    let countryNetworks = try Probes.networks(listedIn: countryDB.path)
    let asnNetworks = try Probes.networks(listedIn: asnDB.path)
    // Every network of each database alone is covered above; here the ASN networks and (for
    // the large default database, every 8th of) the country networks meet.
    let step = countryNetworks.count < 50_000 ? 1 : 8
    let sampled = stride(from: 0, to: countryNetworks.count, by: step).map { countryNetworks[$0] }
    let probes = Probes.boundaries(of: asnNetworks, embedAll: true)
      + Probes.boundaries(of: sampled, embedAll: step == 1) + random
    _ = try Checker.check(probes, db: countryDB, compiled: nil, table: table, asn: asnDB)
    // ASN numbers must actually come through for some addresses.
    if asnDB.metadata.databaseType.contains("ASN") || asnDB.metadata.databaseType.contains("ISP") {
      #expect(probes.contains { table.origin(table.id($0)).asn != nil }, "\(country) + \(asn): no origin carries an ASN")
    }
  }

  @Test func noDatabaseGivesSpecialOrUnknown() throws {
    let table = try OriginTable(countryDatabase: nil)
    let resolver = OriginResolver(countryDatabase: nil)
    var rng = SeededGenerator(seed: 3)
    for _ in 0..<20_000 {
      let a = Probes.random(&rng)
      #expect(table.origin(table.id(a)) == resolver.resolve(a), "\(a)")
    }
    #expect(table.rangeCounts.ipv6 == 1)
  }

  /// Ids are dense and name distinct origins; every id names the origin it came from.
  @Test(arguments: ["test/country.mmdb", "third-party/good/GeoIP2-City-Test.mmdb", "default/country.mmdb"])
  func idsAreDenseAndDistinct(name: String) throws {
    let table = try OriginTable(countryDatabase: try Self.open(name))
    let origins = (0..<table.count).map { table.origin(UInt32($0)) }
    #expect(Set(origins).count == table.count)
    var rng = SeededGenerator(seed: 11)
    for _ in 0..<50_000 {
      let id = table.id(Probes.random(&rng))
      #expect(Int(id) < table.count)
    }
    // Country origins, specials and every embedding appear.
    #expect(origins.contains { $0.kind == .country && $0.embeddedVia == nil })
    #expect(origins.contains { $0.special == .private && $0.embeddedVia == nil })
    for via in ["ipv4-mapped", "6to4", "teredo", "nat64"] {
      #expect(origins.contains { $0.kind == .country && $0.embeddedVia == via })
    }
  }

  /// Trees written by the project's writer with random nested networks, every record size, both
  /// tree kinds.
  @Test(arguments: [(4, 24), (4, 28), (4, 32), (6, 24), (6, 28), (6, 32)])
  func randomTreesCompileExactly(ipVersion: Int, recordSize: Int) throws {
    var rng = SeededGenerator(seed: UInt64(ipVersion * 1000 + recordSize))
    var writer = MMDBWriter(ipVersion: ipVersion, metadata: .init(databaseType: "Test", buildEpoch: 1_700_000_000), recordSize: recordSize)
    var networks: [IPNetwork] = []
    let codes = ["UA", "US", "DE", "BR", "JP", "VN", "IN", "FR", "PL", "RU"]
    for i in 0..<3000 {
      let v6 = ipVersion == 6 && i % 3 == 2
      let address = v6 ? Probes.random(&rng, ipv6Only: true) : randomIPv4(&rng)
      let net = IPNetwork(address: address, prefixLength: Int.random(in: v6 ? 4...128 : 2...32, using: &rng))!
      try writer.insert(net, .map(["country": .map(["iso_code": .string(codes[i % codes.count])]), "n": .uint32(UInt32(i % 97))]))
      networks.append(net)
    }
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("random.mmdb")
    try Data(writer.serialize()).write(to: URL(fileURLWithPath: path))
    let db = try MaxMindDatabase(path: path)
    let random = (0..<100_000).map { _ in Probes.random(&rng) }
    let probes = Probes.boundaries(of: networks, embedAll: true) + random
    _ = try Checker.check(
      probes, db: db, compiled: try CompiledDatabase(db), table: try OriginTable(countryDatabase: db), asn: nil)
  }

  /// Records that point past the data section make libmaxminddb's lookups fail; the compiled
  /// database fails the same lookups (no match) and the origin table counts them as unknown.
  @Test(arguments: [4, 6])
  func corruptRecordsFailTheSameLookups(ipVersion: Int) throws {
    var writer = MMDBWriter(ipVersion: ipVersion, metadata: .init(databaseType: "Test", buildEpoch: 1_700_000_000), recordSize: 32)
    for (i, cidr) in ["1.0.0.0/8", "1.2.0.0/16", "9.9.9.0/24", "200.0.0.0/5"].enumerated() {
      try writer.insert(IPNetwork(cidr)!, .map(["country": .map(["iso_code": .string(["UA", "PL", "US", "BR"][i])])]))
    }
    var bytes = try writer.serialize()
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let original = dir.path("original.mmdb")
    try Data(bytes).write(to: URL(fileURLWithPath: original))
    let nodeCount = try MaxMindDatabase(path: original).metadata.nodeCount
    // With 32-bit records a node is 8 bytes: left record, right record, big-endian. Point every
    // third data record 1 GB past the data section.
    var changed = 0
    for node in 0..<nodeCount {
      for side in 0..<2 {
        let at = node * 8 + side * 4
        let value = bytes[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Int(value) > nodeCount else { continue }
        changed += 1
        guard changed % 3 == 0 else { continue }
        let bad = value + 1 << 30
        for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: bad >> (24 - 8 * UInt32(k))) }
      }
    }
    let path = dir.path("corrupt.mmdb")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let db = try MaxMindDatabase(path: path)
    var rng = SeededGenerator(seed: 99)
    let networks = ["1.0.0.0/8", "1.2.0.0/16", "9.9.9.0/24", "200.0.0.0/5"].compactMap(IPNetwork.init)
    let probes = Probes.boundaries(of: networks, embedAll: true) + (0..<50_000).map { _ in Probes.random(&rng) }
    let failing = probes.filter { (try? db.lookup($0)) == nil && ($0.isIPv4 || ipVersion == 6) }
    #expect(!failing.isEmpty, "the patched database should make some lookups fail")
    _ = try Checker.check(probes, db: db, compiled: try CompiledDatabase(db), table: try OriginTable(countryDatabase: db), asn: nil)
  }

  /// Databases that libmaxminddb opens from MaxMind's corpus of broken files either compile to
  /// the same answers or are refused with a one-line error naming the file.
  @Test func brokenDatabasesCompileExactlyOrAreRefused() throws {
    let bad = Self.mmdbFiles("third-party/bad")
    #expect(bad.count >= 10, "run Tools/fetch-mmdb-test-data (Tools/setup does)")
    var rng = SeededGenerator(seed: 7)
    let probes = (0..<5_000).map { _ in Probes.random(&rng) }
    for name in bad {
      guard let db = try? MaxMindDatabase(path: Self.root.appendingPathComponent(name).path) else { continue }
      do {
        let compiled = try CompiledDatabase(db)
        let table = try OriginTable(countryDatabase: db)
        _ = try Checker.check(probes, db: db, compiled: compiled, table: table, asn: nil)
      } catch let error as GeoError {
        #expect(error.message.hasPrefix(db.path) && !error.message.contains("\n"), "\(error.message)")
      }
    }
  }
}

/// Addresses to try.
enum Probes {
  /// A seeded random address: uniform IPv4, uniform IPv6, global unicast, and the IPv6 forms that
  /// carry IPv4 (`::ffff:0:0/96`, `2002::/16`, `64:ff9b::/96`, Teredo `2001::/32`, `::/96`).
  static func random(_ rng: inout SeededGenerator, ipv6Only: Bool = false) -> IPAddress {
    let v4 = UInt64(UInt32.random(in: .min ... .max, using: &rng))
    let pick = ipv6Only ? UInt64.random(in: 35..<100, using: &rng) : UInt64.random(in: 0..<100, using: &rng)
    switch pick {
    case 0..<35: return .v4(IPv4Address(UInt32(v4)))
    case 35..<45: return .v6(IPv6Address(high: rng.next(), low: rng.next()))
    case 45..<65: return .v6(IPv6Address(high: rng.next() >> 4 | 0x2000_0000_0000_0000, low: rng.next()))
    case 65..<75: return .v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000 | v4))
    case 75..<84: return .v6(IPv6Address(high: 0x2002_0000_0000_0000 | v4 << 16 | rng.next() & 0xFFFF, low: rng.next()))
    case 84..<90: return .v6(IPv6Address(high: 0x0064_FF9B_0000_0000, low: v4))
    case 90..<97: return .v6(IPv6Address(high: 0x2001_0000_0000_0000 | rng.next() & 0xFFFF_FFFF, low: rng.next()))
    default: return .v6(IPv6Address(high: 0, low: v4))
    }
  }

  /// The forms an IPv6 tree may reach an IPv4 address through.
  static func embeddings(_ v4: UInt32) -> [IPAddress] {
    let v = UInt64(v4)
    return [
      .v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000 | v)), .v6(IPv6Address(high: 0x2002_0000_0000_0000 | v << 16, low: 1)),
      .v6(IPv6Address(high: 0x0064_FF9B_0000_0000, low: v)), .v6(IPv6Address(high: 0x2001_0000_0000_0000, low: v)),
      .v6(IPv6Address(high: 0x2001_0000_0000_0000 | v, low: 0)), .v6(IPv6Address(high: 0, low: v)),
    ]
  }

  /// The first and last address of each network and the addresses just outside; for IPv4
  /// networks also their IPv6 embeddings (for every network when `embedAll`, else every 16th).
  static func boundaries(of networks: [IPNetwork], embedAll: Bool) -> [IPAddress] {
    var out: [IPAddress] = []
    out.reserveCapacity(networks.count * 4)
    for (n, network) in networks.enumerated() {
      switch (network.address, network.lastAddress) {
      case (.v4(let first), .v4(let last)):
        var values = [first.value, last.value]
        if first.value > 0 { values.append(first.value - 1) }
        if last.value < .max { values.append(last.value + 1) }
        out += values.map { .v4(IPv4Address($0)) }
        if embedAll || n % 16 == 0 { out += values.flatMap(embeddings) }
      case (.v6(let first), .v6(let last)):
        let f = UInt128(first.high) << 64 | UInt128(first.low)
        let l = UInt128(last.high) << 64 | UInt128(last.low)
        var values = [f, l]
        if f > 0 { values.append(f - 1) }
        if l < .max { values.append(l + 1) }
        out += values.map { .v6(IPv6Address(high: UInt64(truncatingIfNeeded: $0 >> 64), low: UInt64(truncatingIfNeeded: $0))) }
      default:
        break
      }
    }
    return out
  }

  /// The data networks Python's `maxminddb` lists for a database (IPv4 networks of an IPv6 tree
  /// as IPv4). A database whose records Python refuses to decode lists what came before.
  static func networks(listedIn path: String) throws -> [IPNetwork] {
    let script = """
      import sys, maxminddb
      out = []
      try:
          for network, _ in maxminddb.open_database(sys.argv[1]):
              out.append(str(network))
      except Exception as e:
          print(f"listing stopped: {e}", file=sys.stderr)
      sys.stdout.write("\\n".join(out))
      """
    let listed = try run("python3", ["-c", script, path])
    #expect(listed.status == 0, "\(path): \(listed.stderr)")
    return listed.stdout.split(separator: "\n").compactMap { IPNetwork($0) }
  }
}

/// Compares the compiled paths with libmaxminddb and `OriginResolver` over a list of addresses.
enum Checker {
  /// Returns how many probes found a record. Records one expectation per kind of mismatch, with
  /// the first few mismatching addresses.
  static func check(
    _ probes: [IPAddress], db: MaxMindDatabase, compiled: CompiledDatabase?, table: OriginTable, asn: MaxMindDatabase?,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> Int {
    let resolver = OriginResolver(countryDatabase: db, asnDatabase: asn)
    var matchMismatches: [String] = []
    var originMismatches: [String] = []
    var matchCount = 0
    var originCount = 0
    var found = 0
    for address in probes {
      let expected = try? db.lookup(address)
      if expected?.recordOffset != nil { found += 1 }
      if let compiled {
        let got = compiled.match(address)
        if got != expected {
          matchCount += 1
          if matchMismatches.count < 5 {
            matchMismatches.append("\(address): libmaxminddb \(describe(expected)), compiled \(describe(got))")
          }
        }
      }
      let origin = resolver.resolve(address)
      let id = table.id(address)
      if Int(id) >= table.count || table.origin(id) != origin {
        originCount += 1
        if originMismatches.count < 5 {
          let got = Int(id) < table.count ? "\(table.origin(id))" : "id \(id) of \(table.count)"
          originMismatches.append("\(address): resolver \(origin), table \(got)")
        }
      }
    }
    #expect(matchCount == 0, "\(db.path): \(matchCount) of \(probes.count) matches differ: \(matchMismatches)", sourceLocation: sourceLocation)
    #expect(originCount == 0, "\(db.path): \(originCount) of \(probes.count) origins differ: \(originMismatches)", sourceLocation: sourceLocation)
    return found
  }

  static func describe(_ match: MMDBMatch?) -> String {
    guard let match else { return "error" }
    return "\(match.network) \(match.recordOffset.map(String.init) ?? "no record")"
  }
}
