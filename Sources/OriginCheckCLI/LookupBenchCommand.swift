import ArgumentParser
import Geo

#if canImport(Glibc)
  import Glibc
#endif
import NetCore
import Report

/// `origincheck lookup-bench`: libmaxminddb lookups against the compiled lookup paths on the
/// same pseudo-random addresses, with every answer compared.
struct LookupBenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lookup-bench",
    abstract: "Time libmaxminddb lookups against the compiled lookup tables on random addresses.",
    discussion: """
      Generates COUNT addresses once (xorshift64* from SEED, the generator of
      Tools/bench/mmdb_random.c: IPv4 uniform over the whole space; with --mixed every tenth
      address is IPv6, uniform over 2000::/4), then times over the same addresses:
        libmaxminddb   MaxMindDatabase.lookup (MMDB_lookup_sockaddr) per database
        compiled       CompiledDatabase.match per database
        originTable    OriginTable.id (special-purpose ranges, country and ASN in one table)
      and compares every answer: matches with libmaxminddb's (network and record), origins with
      OriginResolver's. Prints one JSON object; the exit status is 70 when any answer differs.
      """,
    shouldDisplay: false)

  @OptionGroup var databases: DatabaseOptions

  @Option(help: ArgumentHelp("Addresses to look up.", valueName: "n"))
  var count: Int = 10_000_000

  @Option(help: ArgumentHelp("Seed of the address generator.", valueName: "s"))
  var seed: UInt64 = 1

  @Flag(help: "Make every tenth address IPv6 (uniform over 2000::/4).")
  var mixed = false

  func validate() throws {
    guard (1...1_000_000_000).contains(count) else { throw ValidationError("--count must be between 1 and 1000000000") }
  }

  func run() throws {
    let country = try databases.openCountry()
    let asn = try databases.openASN()
    let addresses = BenchAddresses(count: count, seed: seed, mixed: mixed)
    let dbs = [country] + (asn.map { [$0] } ?? [])

    let clock = ContinuousClock()
    do {
      var started = clock.now
      let cpuStarted = threadCPUSeconds()
      let table = try OriginTable(countryDatabase: country, asnDatabase: asn)
      let build = BuildTimes(seconds: seconds(clock.now - started), cpuSeconds: threadCPUSeconds() - cpuStarted)
      started = clock.now
      let compiled = try dbs.map { db throws(GeoError) in try CompiledDatabase(db) }
      let compiledSeconds = seconds(clock.now - started)
      try measure(addresses, dbs: dbs, compiled: compiled, table: table, build: build, compiledBuildSeconds: compiledSeconds)
    } catch let error as GeoError {
      throw CLIError(error.message, status: .noInput)
    }
  }

  private func measure(
    _ addresses: BenchAddresses, dbs: [MaxMindDatabase], compiled: [CompiledDatabase], table: OriginTable,
    build: BuildTimes, compiledBuildSeconds: Double
  ) throws {
    let clock = ContinuousClock()
    let resolver = OriginResolver(countryDatabase: dbs[0], asnDatabase: dbs.count > 1 ? dbs[1] : nil)
    var libTime = Duration.zero
    var compiledTime = Duration.zero
    var tableTime = Duration.zero
    var matchMismatches = 0
    var originMismatches = 0
    var found = 0
    // Answers are kept per chunk, so memory stays bounded whatever the count.
    let chunk = 1 << 20
    var expected = [UInt64](repeating: 0, count: chunk * dbs.count)
    var answers = expected
    var ids = [UInt32](repeating: 0, count: chunk)
    var first = 0
    while first < addresses.count {
      let range = first..<min(first + chunk, addresses.count)
      var t = clock.now
      for (d, db) in dbs.enumerated() {
        let base = d * chunk - range.lowerBound
        for i in range { expected[base + i] = Self.code(try? db.lookup(addresses[i])) }
      }
      libTime += clock.now - t
      t = clock.now
      for (d, c) in compiled.enumerated() {
        let base = d * chunk - range.lowerBound
        for i in range { answers[base + i] = Self.code(c.match(addresses[i])) }
      }
      compiledTime += clock.now - t
      t = clock.now
      for i in range {
        ids[i - range.lowerBound] = addresses.isIPv6(i) ? table.id(addresses[i]) : table.id(ipv4: addresses.ipv4(i))
      }
      tableTime += clock.now - t
      // Untimed: every answer against the reference.
      for j in 0..<(range.count) {
        for d in 0..<dbs.count where expected[d * chunk + j] != answers[d * chunk + j] { matchMismatches += 1 }
        if expected[j] >> 40 == 0 { found += 1 }
        if table.origin(ids[j]) != resolver.resolve(addresses[range.lowerBound + j]) { originMismatches += 1 }
      }
      first = range.upperBound
    }
    let n = Double(addresses.count)
    let lib = seconds(libTime)
    let comp = seconds(compiledTime)
    let tab = seconds(tableTime)
    let ranges = table.rangeCounts
    let json = JSONValue.object([
      ("count", .int(Int64(addresses.count))),
      ("libmaxminddbSeconds", .double(lib)),
      ("libmaxminddbPerSecond", .double(rate(n, lib))),
      ("compiledSeconds", .double(comp)),
      ("compiledPerSecond", .double(rate(n, comp))),
      ("originTableSeconds", .double(tab)),
      ("originTablePerSecond", .double(rate(n, tab))),
      ("buildSeconds", .double(build.seconds)),
      ("mismatches", .int(Int64(matchMismatches + originMismatches))),
      ("speedup", .double(comp > 0 ? lib / comp : 0)),
      ("originTableSpeedup", .double(tab > 0 ? lib / tab : 0)),
      ("buildCPUSeconds", .double(build.cpuSeconds)),
      ("compiledBuildSeconds", .double(compiledBuildSeconds)),
      ("matchMismatches", .int(Int64(matchMismatches))),
      ("originMismatches", .int(Int64(originMismatches))),
      ("found", .int(Int64(found))),
      ("ipv6", .int(Int64(addresses.ipv6Count))),
      ("databases", .array(dbs.map { .string($0.path) })),
      ("originIds", .int(Int64(table.count))),
      ("originTableRanges", .object([("ipv4", .int(Int64(ranges.ipv4))), ("ipv6", .int(Int64(ranges.ipv6)))])),
      ("originTableBytes", .int(Int64(table.memoryBytes))),
      ("compiledBytes", .int(Int64(compiled.reduce(0) { $0 + $1.memoryBytes }))),
      ("compiledLeaves", .object([
        ("ipv4", .int(Int64(compiled.reduce(0) { $0 + $1.leafCounts.ipv4 }))),
        ("ipv6", .int(Int64(compiled.reduce(0) { $0 + $1.leafCounts.ipv6 }))),
      ])),
    ])
    try emit(json.serialized(pretty: false), to: nil)
    if matchMismatches + originMismatches > 0 {
      throw CLIError(
        "lookup-bench: \(matchMismatches) compiled matches and \(originMismatches) origins differ from libmaxminddb's answers",
        status: .software)
    }
  }

  /// A lookup's answer in one word: record offset (or bit 40 set for no record) and prefix
  /// length in bits 32-39; all ones for a failed lookup.
  private static func code(_ match: MMDBMatch?) -> UInt64 {
    guard let match else { return .max }
    let prefix = UInt64(match.network.prefixLength) << 32
    return match.recordOffset.map { UInt64($0) | prefix } ?? (1 << 40 | prefix)
  }

  /// How long building the origin table took: wall clock, and this thread's CPU time (which
  /// other load on the machine does not inflate).
  struct BuildTimes {
    var seconds: Double
    var cpuSeconds: Double
  }

  private func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  }

  private func rate(_ n: Double, _ s: Double) -> Double { s > 0 ? (n / s).rounded() : 0 }
}

/// Pseudo-random addresses generated once: IPv4 in one array, and with `mixed` every tenth
/// address IPv6 in another.
struct BenchAddresses {
  let count: Int
  let mixed: Bool
  private var v4: [UInt32] = []
  private var v6: [IPv6Address] = []

  var ipv6Count: Int { v6.count }

  /// The generator and address distributions of Tools/bench/mmdb_random.c: xorshift64*, IPv4
  /// from the high 32 bits of one draw, IPv6 from two draws with the top 4 bits set to `2`.
  init(count: Int, seed: UInt64, mixed: Bool) {
    self.count = count
    self.mixed = mixed
    var state = seed == 0 ? 1 : seed
    func next() -> UInt64 {
      state ^= state >> 12
      state ^= state << 25
      state ^= state >> 27
      return state &* 0x2545_F491_4F6C_DD1D
    }
    v4.reserveCapacity(count)
    if mixed { v6.reserveCapacity(count / 10) }
    for i in 0..<count {
      if mixed && i % 10 == 9 {
        let high = next() & 0x0FFF_FFFF_FFFF_FFFF | 0x2000_0000_0000_0000
        v6.append(IPv6Address(high: high, low: next()))
      } else {
        v4.append(UInt32(truncatingIfNeeded: next() >> 32))
      }
    }
  }

  @inline(__always) func isIPv6(_ i: Int) -> Bool { mixed && i % 10 == 9 }

  /// The IPv4 address at position `i` (which must not be an IPv6 position).
  @inline(__always) func ipv4(_ i: Int) -> UInt32 { v4[mixed ? i - i / 10 : i] }

  @inline(__always) subscript(i: Int) -> IPAddress {
    isIPv6(i) ? .v6(v6[i / 10]) : .v4(IPv4Address(ipv4(i)))
  }
}
