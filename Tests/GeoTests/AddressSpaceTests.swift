import Geo
import NetCore
import TestSupport
import Testing

@Suite struct AddressSpaceTests {
  /// The tree walk's per-country IPv4 totals equal the sizes of the fixture's ranges.
  @Test(arguments: ["country.mmdb", "country-v4.mmdb"])
  func countsEqualTheSourceRanges(name: String) throws {
    let db = try MaxMindDatabase(path: packageRoot.appendingPathComponent("GeoDB/test/\(name)").path)
    let csv = name == "country.mmdb" ? "country.csv" : "country-v4.csv"
    let (ranges, _) = try GeoSourceReader.read(path: packageRoot.appendingPathComponent("GeoDB/test/\(csv)").path, layout: .country)
    var expected: [String: UInt64] = [:]
    for r in ranges where r.first.isIPv4 {
      guard let code = r.country, Countries.named(code) != nil, case .v4(let f) = r.first, case .v4(let l) = r.last else { continue }
      expected[Countries.named(code)!.code, default: 0] += UInt64(l.value - f.value) + 1
    }
    #expect(try db.ipv4AddressesByCountry() == expected)
  }
}
