import Foundation
import Geo
import NetCore
import TestSupport
import Testing

@Suite struct MMDBWriterTests {
  /// A record that identifies which inserted network answered.
  func record(_ i: Int) -> MMDBValue {
    let codes = ["UA", "US", "DE", "BR", "JP", "VN", "IN", "FR"]
    return .map([
      "country": .map(["iso_code": .string(codes[i % codes.count]), "names": .map(["en": .string("Country \(i % codes.count)")])]),
      "n": .uint32(UInt32(i)),
    ])
  }

  func randomNetwork(_ rng: inout SeededGenerator, v6: Bool) -> IPNetwork {
    if v6 {
      return IPNetwork(address: randomIPv6(&rng), prefixLength: Int.random(in: 8...128, using: &rng))!
    }
    return IPNetwork(address: randomIPv4(&rng), prefixLength: Int.random(in: 4...32, using: &rng))!
  }

  @Test(arguments: [(4, 24), (4, 28), (4, 32), (6, 24), (6, 28), (6, 32)])
  func roundTripThroughLibmaxminddb(ipVersion: Int, recordSize: Int) throws {
    var rng = SeededGenerator(seed: UInt64(ipVersion * 100 + recordSize))
    var writer = MMDBWriter(
      ipVersion: ipVersion, metadata: .init(databaseType: "Test", buildEpoch: 1_700_000_000), recordSize: recordSize)
    var inserted: [(IPNetwork, Int)] = []
    for i in 0..<400 {
      let net = randomNetwork(&rng, v6: ipVersion == 6 && i % 2 == 1)
      try writer.insert(net, record(i))
      inserted.append((net, i))
    }
    // A few nested networks so overrides are exercised.
    for i in 400..<440 {
      let (outer, _) = inserted[i - 400]
      let inner = IPNetwork(address: outer.address, prefixLength: min(outer.prefixLength + 3, outer.address.isIPv4 ? 32 : 128))!
      try writer.insert(inner, record(i))
      inserted.append((inner, i))
    }
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("t.mmdb")
    try Data(writer.serialize()).write(to: URL(fileURLWithPath: path))
    let db = try MaxMindDatabase(path: path)
    #expect(db.metadata.recordSize == recordSize)
    #expect(db.metadata.ipVersion == ipVersion)
    #expect(db.metadata.databaseType == "Test")
    #expect(db.metadata.buildEpoch == 1_700_000_000)

    var probes: [IPAddress] = []
    for (net, _) in inserted {
      probes.append(net.address)
      probes.append(net.lastAddress)
    }
    for _ in 0..<3000 { probes.append(randomIPv4(&rng)) }
    if ipVersion == 6 { for _ in 0..<3000 { probes.append(randomIPv6(&rng)) } }
    for address in probes {
      // The expected answer: the last inserted network that contains the address.
      let expected = inserted.last { $0.0.contains(address) }
      let match = try db.lookup(address)
      #expect(match.network.contains(address))
      if let (net, i) = expected {
        let offset = try #require(match.recordOffset, "\(address) should be found in \(net)")
        #expect(try db.value(at: offset) == record(i), "\(address)")
        // The matched network must not reach past the answering network.
        #expect(match.network.prefixLength >= net.prefixLength || inserted.allSatisfy { !match.network.contains($0.0.address) || $0.1 == i })
      } else {
        #expect(match.recordOffset == nil, "\(address) should have no record")
      }
    }
  }

  @Test func ipv4IsReachableThroughMappedAnd6to4() throws {
    var writer = MMDBWriter(ipVersion: 6, metadata: .init(databaseType: "Test", buildEpoch: 1_700_000_000))
    try writer.insert(IPNetwork("1.2.3.0/24")!, record(1))
    try writer.insert(IPNetwork("2001:db8::/32")!, record(2))
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try Data(writer.serialize()).write(to: URL(fileURLWithPath: dir.path("a.mmdb")))
    let db = try MaxMindDatabase(path: dir.path("a.mmdb"))
    let direct = try db.lookup(IPAddress("1.2.3.4")!)
    let mapped = try db.lookup(IPAddress("::ffff:1.2.3.4")!)
    let sixToFour = try db.lookup(IPAddress("2002:102:304::1")!)
    #expect(direct.recordOffset != nil)
    #expect(direct.network == IPNetwork("1.2.3.0/24"))
    #expect(mapped.recordOffset == direct.recordOffset)
    #expect(sixToFour.recordOffset == direct.recordOffset)
    #expect(try db.lookup(IPAddress("1.2.4.1")!).recordOffset == nil)
  }

  @Test func everyValueTypeRoundTrips() throws {
    let long = String(repeating: "é", count: 200)
    let longer = String(repeating: "x", count: 70_000)
    let value: MMDBValue = .map([
      "string": .string("Kyiv – Київ"), "empty": .string(""), "long": .string(long), "longer": .string(longer),
      "double": .double(-12.5), "float": .float(3.25), "bytes": .bytes([0, 1, 2, 255]),
      "u16": .uint16(65535), "u32": .uint32(4_000_000_000), "u64": .uint64(.max), "zero": .uint32(0),
      "u128": .uint128(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10),
      "i32": .int32(-123_456), "true": .boolean(true), "false": .boolean(false),
      "array": .array([.string("a"), .uint16(7), .map(["k": .string("v")])]),
      "nested": .map(["deeper": .map(["deepest": .string("yes")])]),
    ])
    var writer = MMDBWriter(ipVersion: 4, metadata: .init(databaseType: "Types", buildEpoch: 42))
    try writer.insert(IPNetwork("10.0.0.0/8")!, value)
    try writer.insert(IPNetwork("11.0.0.0/8")!, value)
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let bytes = try writer.serialize()
    try Data(bytes).write(to: URL(fileURLWithPath: dir.path("t.mmdb")))
    let db = try MaxMindDatabase(path: dir.path("t.mmdb"))
    let a = try #require(try db.lookup(IPAddress("10.1.2.3")!).recordOffset)
    let b = try #require(try db.lookup(IPAddress("11.1.2.3")!).recordOffset)
    #expect(a == b, "identical records are stored once")
    #expect(try db.value(at: a) == value)
    // The adjacent /8s with the same data are pruned into one /7.
    #expect(try db.lookup(IPAddress("10.1.2.3")!).network == IPNetwork("10.0.0.0/7"))
    // The 70,000-byte string appears once.
    #expect(bytes.count < 71_000 + 1000)
  }

  @Test func mergeCombinesFields() throws {
    var writer = MMDBWriter(ipVersion: 6, metadata: .init(databaseType: "Test", buildEpoch: 1_700_000_000))
    try writer.insert(IPNetwork("5.0.0.0/8")!, .map(["country": .map(["iso_code": .string("DE")])]))
    try writer.merge(IPNetwork("5.1.0.0/16")!, .map(["autonomous_system_number": .uint32(64500)]))
    try writer.merge(IPNetwork("4.0.0.0/6")!, .map(["autonomous_system_number": .uint32(64501)]))
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try Data(writer.serialize()).write(to: URL(fileURLWithPath: dir.path("m.mmdb")))
    let db = try MaxMindDatabase(path: dir.path("m.mmdb"))
    let inner = try db.record(at: try #require(try db.lookup(IPAddress("5.1.2.3")!).recordOffset))
    #expect(inner.countryCode == "DE")
    #expect(inner.asn == 64501, "the later merge wins for the same key")
    let outside = try db.record(at: try #require(try db.lookup(IPAddress("6.1.2.3")!).recordOffset))
    #expect(outside.countryCode == nil)
    #expect(outside.asn == 64501)
  }

  @Test func ipv6NetworkInIPv4TreeIsRefused() {
    var writer = MMDBWriter(ipVersion: 4, metadata: .init(databaseType: "Test", buildEpoch: 1_700_000_000))
    #expect(throws: MMDBWriter.WriteError.self) { try writer.insert(IPNetwork("2001:db8::/32")!, .string("x")) }
  }
}
