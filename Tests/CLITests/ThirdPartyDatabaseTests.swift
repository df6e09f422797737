import Foundation
import Geo
import NetCore
import TestSupport
import Testing

/// OriginCheck against MaxMind DB files it did not write: MaxMind's own test databases and
/// their corpus of broken databases (fetched by `Tools/fetch-mmdb-test-data`, run by `Tools/setup`).
@Suite struct ThirdPartyDatabaseTests {
  static let directory = packageRoot.appendingPathComponent("GeoDB/third-party")

  static func databases(_ folder: String) -> [String] {
    let dir = directory.appendingPathComponent(folder)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.filter { $0.hasSuffix(".mmdb") }.sorted().map { dir.appendingPathComponent($0).path }
  }

  @Test func theThirdPartyDatabasesArePresent() {
    #expect(
      Self.databases("good").count >= 20 && Self.databases("bad").count >= 10,
      "run Tools/fetch-mmdb-test-data (Tools/setup does) to fetch MaxMind's test databases")
  }

  /// Python's maxminddb lists every network with its record; origincheck and mmdblookup must agree.
  @Test(arguments: ["GeoIP2-Country-Test.mmdb", "GeoIP2-City-Test.mmdb", "GeoLite2-City-Test.mmdb", "GeoLite2-Country-Test.mmdb"])
  func lookupAgreesOnEveryNetwork(name: String) throws {
    let db = Self.directory.appendingPathComponent("good/\(name)").path
    let script = """
      import json, sys, maxminddb
      r = maxminddb.open_database(sys.argv[1])
      out = []
      for n, rec in r:
          rec = rec or {}
          loc = rec.get("location", {})
          out.append([str(n), rec.get("country", {}).get("iso_code"), rec.get("city", {}).get("names", {}).get("en"),
                      loc.get("latitude"), loc.get("longitude")])
      print(json.dumps(out))
      """
    let listed = try run("python3", ["-c", script, db])
    #expect(listed.status == 0, "\(listed.stderr)")
    let networks = try #require(try parseJSON(listed.stdout) as? [[Any]])
    #expect(networks.count >= 10)
    var addresses: [String] = []
    var truth: [String: [Any]] = [:]
    for n in networks {
      let net = try #require(IPNetwork(n[0] as! String))
      // IPv4 networks seen through the IPv6 tree's aliases are the same records again.
      if case .v6 = net.address, case .embedded = SpecialPurpose.classify(net.address) { continue }
      for a in [net.address, net.lastAddress] where SpecialPurpose.classify(a) == .global {
        addresses.append(a.description)
        truth[a.description] = n
      }
    }
    let out = try origincheck(["lookup", "--json", "--db", db] + addresses)
    #expect(out.status == 0, "\(out.stderr)")
    let results = try #require((try parseJSON(out.stdout) as? [String: Any])?["results"] as? [[String: Any]])
    #expect(results.count == addresses.count)
    for r in results {
      let address = r["address"] as! String
      let n = truth[address]!
      let ours = (r["country"] as? [String: Any])?["code"] as? String
      #expect(ours == n[1] as? String, "\(name) \(address): origincheck \(ours ?? "none"), maxminddb \(n[1])")
      #expect(r["network"] as? String == n[0] as? String, "\(name) \(address)")
      #expect(r["city"] as? String == n[2] as? String, "\(name) \(address): city")
      let location = r["location"] as? [String: Any]
      #expect(location?["latitude"] as? Double == n[3] as? Double, "\(name) \(address): latitude")
      #expect(location?["longitude"] as? Double == n[4] as? Double, "\(name) \(address): longitude")
      let mm = try run("mmdblookup", ["--file", db, "--ip", address, "country", "iso_code"])
      let mmCode = mm.stdout.split(separator: "\"").dropFirst().first.map(String.init)
      #expect(mmCode == ours, "\(name) \(address): mmdblookup \(mmCode ?? "none")")
    }
  }

  @Test func asnDatabaseAgreesWithMaxminddb() throws {
    let asn = Self.directory.appendingPathComponent("good/GeoLite2-ASN-Test.mmdb").path
    let country = Self.directory.appendingPathComponent("good/GeoLite2-Country-Test.mmdb").path
    let script = """
      import json, sys, maxminddb
      r = maxminddb.open_database(sys.argv[1])
      print(json.dumps([[str(n), rec.get("autonomous_system_number"), rec.get("autonomous_system_organization")] for n, rec in r]))
      """
    let listed = try run("python3", ["-c", script, asn])
    let networks = try #require(try parseJSON(listed.stdout) as? [[Any]])
    var addresses: [String] = []
    var truth: [String: [Any]] = [:]
    for n in networks {
      let net = try #require(IPNetwork(n[0] as! String))
      if case .v6 = net.address, case .embedded = SpecialPurpose.classify(net.address) { continue }
      guard SpecialPurpose.classify(net.address) == .global else { continue }
      addresses.append(net.address.description)
      truth[net.address.description] = n
    }
    #expect(addresses.count >= 10)
    let out = try origincheck(["lookup", "--json", "--db", country, "--asn-db", asn] + addresses)
    #expect(out.status == 0, "\(out.stderr)")
    let results = try #require((try parseJSON(out.stdout) as? [String: Any])?["results"] as? [[String: Any]])
    for r in results {
      let n = truth[r["address"] as! String]!
      #expect(r["asn"] as? Int == n[1] as? Int, "\(r["address"]!)")
      #expect(r["asOrganization"] as? String == n[2] as? String, "\(r["address"]!)")
      #expect(r["asnNetwork"] as? String == n[0] as? String, "\(r["address"]!)")
    }
  }

  /// Broken databases: a one-line error or a clean answer, never a crash or a hang.
  @Test(arguments: databases("bad"))
  func brokenDatabasesNeverCrash(path: String) throws {
    let name = URL(fileURLWithPath: path).lastPathComponent
    for arguments in [
      ["geodb", "info", path], ["lookup", "--db", path, "1.1.1.1", "::1.1.1.1", "2001:218::1", "81.2.69.160"],
      ["lookup", "--json", "--db", path, "1.1.1.1", "89.160.20.112", "2a02:cf40::1"],
    ] {
      let out = try origincheck(arguments)
      #expect([0, 66].contains(out.status), "\(name) \(arguments[0]): status \(out.status): \(out.stderr)")
      let errorLines = out.stderr.split(separator: "\n")
      #expect(errorLines.count <= 1, "\(name): \(out.stderr)")
      if out.status != 0 { #expect(out.stderr.contains(name), "\(name): the error names the file") }
    }
  }
}
