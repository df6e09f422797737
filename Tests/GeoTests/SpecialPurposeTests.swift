import Geo
import NetCore
import TestSupport
import Testing

@Suite struct SpecialPurposeTests {
  @Test(arguments: [
    ("0.0.0.0", "unspecified"), ("0.1.2.3", "this-network"), ("10.0.0.1", "private"), ("10.255.255.255", "private"),
    ("100.64.0.0", "shared"), ("100.127.255.255", "shared"), ("127.0.0.1", "loopback"), ("169.254.1.1", "link-local"),
    ("172.16.0.0", "private"), ("172.31.255.255", "private"), ("192.0.0.1", "ietf-protocol"),
    ("192.0.2.7", "documentation"), ("192.168.1.1", "private"), ("198.18.0.1", "benchmarking"),
    ("198.19.255.255", "benchmarking"), ("198.51.100.9", "documentation"), ("203.0.113.200", "documentation"),
    ("224.0.0.1", "multicast"), ("239.255.255.255", "multicast"), ("240.0.0.1", "reserved"),
    ("255.255.255.254", "reserved"), ("255.255.255.255", "broadcast"),
    ("::", "unspecified"), ("::1", "loopback"), ("::2", "reserved"), ("fe80::1", "link-local"),
    ("fc00::1", "unique-local"), ("fdff:ffff::1", "unique-local"), ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"), ("3fff:fff::1", "documentation"), ("2001:2::5", "benchmarking"),
    ("2001:100::1", "ietf-protocol"), ("100::1", "discard-only"), ("64:ff9b:1::1", "translation"),
    ("5f00::1", "segment-routing"), ("4000::1", "reserved"), ("1234::1", "reserved"),
  ])
  func specialAddresses(text: String, kind: String) {
    #expect(SpecialPurpose.classify(IPAddress(text)!) == .special(SpecialKind(rawValue: kind)), "\(text)")
  }

  @Test(arguments: [
    "1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
    "128.0.0.0", "169.253.255.255", "172.15.255.255", "172.32.0.0", "192.0.0.9", "192.0.0.10", "192.0.1.255",
    "192.0.3.0", "192.88.99.1", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
    "203.0.112.255", "223.255.255.255", "2a00:1450::1", "2606:4700::1111", "2001:4:112::1", "2001:1::1",
    "2001:20::1", "2001:3::1", "2001:200::1", "3fff:1000::1",
  ])
  func globalAddresses(text: String) {
    #expect(SpecialPurpose.classify(IPAddress(text)!) == .global, "\(text)")
  }

  @Test func embeddedIPv4IsFound() {
    #expect(SpecialPurpose.classify(IPAddress("::ffff:5.6.7.8")!) == .embedded(IPv4Address("5.6.7.8")!, via: "ipv4-mapped"))
    #expect(SpecialPurpose.classify(IPAddress("2002:c000:0204::1")!) == .embedded(IPv4Address("192.0.2.4")!, via: "6to4"))
    #expect(SpecialPurpose.classify(IPAddress("64:ff9b::1.2.3.4")!) == .embedded(IPv4Address("1.2.3.4")!, via: "nat64"))
    // RFC 4380 section 4 example: client 192.0.2.45 is carried as 3fff:fdd2 (inverted).
    #expect(
      SpecialPurpose.classify(IPAddress("2001:0000:4136:e378:8000:63bf:3fff:fdd2")!)
        == .embedded(IPv4Address("192.0.2.45")!, via: "teredo"))
  }

  /// The fast IPv4 path agrees with the registry table at every block edge and at random.
  @Test func fastPathMatchesTable() {
    func fromTable(_ a: IPv4Address) -> AddressClass {
      for e in SpecialPurpose.ipv4 where e.network.contains(.v4(a)) {
        return e.kind.rawValue.isEmpty ? .global : .special(e.kind)
      }
      return .global
    }
    var probes: [IPv4Address] = []
    for e in SpecialPurpose.ipv4 {
      guard case .v4(let first) = e.network.address, case .v4(let last) = e.network.lastAddress else { continue }
      probes += [first, last, IPv4Address(first.value &- 1), IPv4Address(last.value &+ 1)]
    }
    var rng = SeededGenerator(seed: 7)
    for _ in 0..<200_000 { probes.append(IPv4Address(UInt32.random(in: .min ... .max, using: &rng))) }
    for a in probes {
      #expect(SpecialPurpose.classify(a) == fromTable(a), "\(a)")
    }
  }

  /// The fast IPv6 path agrees with the registry table at every block edge.
  @Test func ipv6EdgesMatchTable() {
    for e in SpecialPurpose.ipv6 {
      for address in [e.network.address, e.network.lastAddress] {
        guard case .v6 = address else { continue }
        let expected: AddressClass = e.kind.rawValue.isEmpty ? .global : .special(e.kind)
        let got = SpecialPurpose.classify(address)
        if case .embedded = got { continue }
        // The first matching entry in table order is the most specific one.
        let firstMatch = SpecialPurpose.ipv6.first { $0.network.contains(address) }!
        #expect(got == (firstMatch.kind.rawValue.isEmpty ? .global : .special(firstMatch.kind)), "\(address) in \(e.network)")
        _ = expected
      }
    }
  }
}
