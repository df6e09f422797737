import NetCore
import Testing

/// Ranges at the top of the address space (found by the geo-source fuzz target: `geodb build`
/// trapped on an IPv6 range ending at ffff:...:ffff).
@Suite("Networks at the ends of the address space")
struct NetworkLimitsTests {
  @Test("IPv6 ranges ending at the last address")
  func ipv6Top() {
    let last = IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")!
    #expect(IPNetwork.covering(first: IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00")!, last: last).map(\.description) == ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120"])
    #expect(IPNetwork.covering(first: IPAddress("ff00::")!, last: last).map(\.description) == ["ff00::/8"])
    #expect(IPNetwork.covering(first: IPAddress("::")!, last: last).map(\.description) == ["::/0"])
    #expect(IPNetwork.covering(first: last, last: last).map(\.description) == ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"])
    let split = IPNetwork.covering(first: IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fe01")!, last: last)
    #expect(split.count == 9 && split.last?.lastAddress == last)
  }

  @Test("IPv4 ranges ending at the last address")
  func ipv4Top() {
    let last = IPAddress("255.255.255.255")!
    #expect(IPNetwork.covering(first: IPAddress("255.255.255.0")!, last: last).map(\.description) == ["255.255.255.0/24"])
    #expect(IPNetwork.covering(first: IPAddress("0.0.0.0")!, last: last).map(\.description) == ["0.0.0.0/0"])
  }
}
