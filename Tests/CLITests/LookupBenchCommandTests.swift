import Foundation
import TestSupport
import Testing

/// `origincheck lookup-bench`: times the lookup paths and checks every answer.
@Suite struct LookupBenchCommandTests {
  static let country = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
  static let asn = packageRoot.appendingPathComponent("GeoDB/test/asn.mmdb").path

  @Test func timesEveryPathAndFindsNoMismatch() throws {
    try #require(FileManager.default.fileExists(atPath: Self.country), "run Tools/setup to build the default database")
    let out = try origincheck(["lookup-bench", "--db", Self.country, "--asn-db", Self.asn, "--count", "30000", "--seed", "7", "--mixed"])
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    #expect(json["count"] as? Int == 30000)
    #expect(json["ipv6"] as? Int == 3000)
    #expect(json["mismatches"] as? Int == 0)
    for key in ["libmaxminddb", "compiled", "originTable"] {
      #expect((json["\(key)Seconds"] as? Double ?? 0) > 0, "\(key)")
      #expect((json["\(key)PerSecond"] as? Double ?? 0) > 0, "\(key)")
    }
    #expect((json["buildSeconds"] as? Double ?? -1) >= 0)
    #expect((json["speedup"] as? Double ?? 0) > 0)
    #expect(json["databases"] as? [String] == [Self.country, Self.asn])

    // Python's maxminddb on the same addresses (the xorshift64* generator of mmdb_random.c):
    // the number that have a record in the country database.
    let script = """
      import ipaddress, sys, maxminddb
      n, state = int(sys.argv[2]), int(sys.argv[3])
      M = (1 << 64) - 1
      def nxt():
          global state
          state ^= state >> 12
          state ^= (state << 25) & M
          state ^= state >> 27
          return (state * 0x2545F4914F6CDD1D) & M
      r = maxminddb.open_database(sys.argv[1])
      found = 0
      for i in range(n):
          if i % 10 == 9:
              hi = (nxt() & 0x0FFFFFFFFFFFFFFF) | 0x2000000000000000
              ip = ipaddress.IPv6Address((hi << 64) | nxt())
          else:
              ip = ipaddress.IPv4Address(nxt() >> 32)
          if r.get(ip) is not None:
              found += 1
      print(found)
      """
    let python = try run("python3", ["-c", script, Self.country, "30000", "7"])
    #expect(python.status == 0, "\(python.stderr)")
    let expected = Int(python.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    #expect((expected ?? 0) > 10000)
    #expect(json["found"] as? Int == expected)
  }

  @Test func ipv4OnlyByDefault() throws {
    let db = packageRoot.appendingPathComponent("GeoDB/test/country-v4.mmdb").path
    let out = try origincheck(["lookup-bench", "--db", db, "--count", "5000"])
    #expect(out.status == 0, "\(out.stderr)")
    let json = try #require(try parseJSON(out.stdout) as? [String: Any])
    #expect(json["ipv6"] as? Int == 0)
    #expect(json["mismatches"] as? Int == 0)
  }

  @Test func badUsageAndMissingDatabases() throws {
    let zero = try origincheck(["lookup-bench", "--db", Self.asn, "--count", "0"])
    #expect(zero.status == 64)
    #expect(zero.stderr.contains("--count"))
    let missing = try origincheck(["lookup-bench", "--db", "/nonexistent/x.mmdb", "--count", "10"])
    #expect(missing.status == 66)
    #expect(missing.stderr.contains("/nonexistent/x.mmdb"))
    #expect(missing.stderr.split(separator: "\n").count == 1)
  }

  /// A benchmark, not an everyday command: hidden from the command list, but with its own help.
  @Test func hiddenFromTheCommandList() throws {
    let help = try origincheck(["--help"])
    #expect(!help.stdout.contains("lookup-bench"))
    let own = try origincheck(["lookup-bench", "--help"])
    #expect(own.stdout.contains("origincheck lookup-bench"))
  }
}
