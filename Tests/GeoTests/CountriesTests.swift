import Geo
import Testing

@Suite struct CountriesTests {
  @Test func coversISOPlusKosovo() {
    #expect(Countries.all.count == 250)
    #expect(Countries.all.filter { !$0.isUserAssigned }.count == 249)
    #expect(Countries.all.filter(\.isUserAssigned).map(\.code) == ["XK"])
  }

  @Test func sortedByCode() {
    let codes = Countries.all.map(\.code)
    #expect(codes == codes.sorted())
  }

  @Test func codesAreUniqueAndWellFormed() {
    let all = Countries.all
    #expect(Set(all.map(\.code)).count == all.count)
    #expect(Set(all.map(\.alpha3)).count == all.count)
    #expect(Set(all.map(\.numeric)).count == all.count)
    #expect(Set(all.map(\.name)).count == all.count)
    let upper = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for country in all {
      #expect(country.code.count == 2 && country.code.allSatisfy(upper.contains), "\(country.code)")
      #expect(country.alpha3.count == 3 && country.alpha3.allSatisfy(upper.contains), "\(country.alpha3)")
      #expect((0...999).contains(country.numeric), "\(country.code)")
      #expect(!country.name.isEmpty, "\(country.code)")
    }
  }

  @Test func everyContinentIsUsed() {
    let used = Set(Countries.all.map(\.continent))
    #expect(used == Set(Continent.allCases))
    #expect(Countries.all.filter { $0.continent == .antarctica }.map(\.code) == ["AQ", "BV", "GS", "HM", "TF"])
  }

  @Test func everyCountryButAntarcticaHasAnM49Region() {
    let withoutRegion = Countries.all.filter { $0.m49Region == nil }.map(\.code)
    #expect(withoutRegion == ["AQ"])
    #expect(Countries.all.filter { $0.m49Region != nil && $0.m49SubRegion == nil }.isEmpty)
  }

  @Test func m49AssignmentsFollowTheHierarchy() throws {
    for country in Countries.all {
      if let code = country.m49Region {
        let region = try #require(M49.region(code: code), "\(country.code)")
        #expect(region.level == .region)
      }
      if let code = country.m49SubRegion {
        let sub = try #require(M49.region(code: code), "\(country.code)")
        #expect(sub.level == .subRegion)
        #expect(sub.parent == country.m49Region, "\(country.code)")
      }
      if let code = country.m49IntermediateRegion {
        let intermediate = try #require(M49.region(code: code), "\(country.code)")
        #expect(intermediate.level == .intermediateRegion)
        #expect(intermediate.parent == country.m49SubRegion, "\(country.code)")
      }
    }
    // Sub-regions that are divided leave no country outside their intermediate regions.
    for sub in [202, 419] {
      #expect(M49.countries(in: sub).allSatisfy { $0.m49IntermediateRegion != nil })
    }
  }

  @Test func knownFacts() throws {
    let ua = try #require(Countries.named("UA"))
    #expect(ua.alpha3 == "UKR")
    #expect(ua.numeric == 804)
    #expect(ua.name == "Ukraine")
    #expect(ua.continent == .europe)
    #expect(ua.m49Region == 150)
    #expect(ua.m49SubRegion == 151)
    #expect(ua.m49IntermediateRegion == nil)
    #expect(!ua.isEUMember)

    #expect(Countries.named("RU")?.continent == .europe)
    #expect(Countries.named("RU")?.name == "Russia")
    #expect(Countries.named("TR")?.continent == .asia)
    #expect(Countries.named("TR")?.m49SubRegion == 145)
    #expect(Countries.named("EG")?.continent == .africa)
    #expect(Countries.named("EG")?.m49SubRegion == 15)
    #expect(Countries.named("PA")?.continent == .northAmerica)
    #expect(Countries.named("PA")?.m49IntermediateRegion == 13)
    #expect(Countries.named("JM")?.continent == .northAmerica)
    #expect(Countries.named("JM")?.m49IntermediateRegion == 29)
    #expect(Countries.named("BR")?.m49IntermediateRegion == 5)
    #expect(Countries.named("NG")?.m49IntermediateRegion == 11)
    #expect(Countries.named("US")?.name == "United States")
    #expect(Countries.named("US")?.m49SubRegion == 21)
    #expect(Countries.named("KR")?.name == "South Korea")
    #expect(Countries.named("IR")?.name == "Iran")
    #expect(Countries.named("VN")?.name == "Vietnam")
    #expect(Countries.named("DE")?.isEUMember == true)
    #expect(Countries.named("GB")?.isEUMember == false)
    #expect(Countries.named("GB")?.numeric == 826)

    let xk = try #require(Countries.named("XK"))
    #expect(xk.name == "Kosovo")
    #expect(xk.continent == .europe)
    #expect(xk.m49Region == 150)
    #expect(xk.m49SubRegion == 39)
    #expect(xk.isUserAssigned)
    #expect(!ua.isUserAssigned)
  }

  @Test func euHas27Members() {
    let members = Countries.all.filter(\.isEUMember).map(\.code)
    #expect(members.count == 27)
    #expect(members == [
      "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
      "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    ])
  }

  @Test func easternEurope() throws {
    let region = try #require(M49.region(slug: "eastern-europe"))
    #expect(region.code == 151)
    #expect(region.name == "Eastern Europe")
    #expect(region.level == .subRegion)
    #expect(region.parent == 150)
    #expect(M49.countries(in: 151).map(\.code) == ["BG", "BY", "CZ", "HU", "MD", "PL", "RO", "RU", "SK", "UA"])
  }

  @Test func m49Groupings() {
    #expect(M49.countries(in: 830).map(\.code) == ["GG", "JE"])
    let americas = Set(M49.countries(in: 19).map(\.code))
    let parts = Set(M49.countries(in: 419).map(\.code)).union(M49.countries(in: 21).map(\.code))
    #expect(americas == parts)
    #expect(M49.countries(in: 419).count
      == M49.countries(in: 29).count + M49.countries(in: 13).count + M49.countries(in: 5).count)
    #expect(M49.countries(in: 150).contains { $0.code == "XK" })
    #expect(M49.countries(in: 30).contains { $0.code == "TW" })
    #expect(M49.countries(in: 999).isEmpty)
    let regionTotal = [2, 19, 142, 150, 9].map { M49.countries(in: $0).count }.reduce(0, +)
    #expect(regionTotal == Countries.all.count - 1)  // all but AQ
  }

  @Test func m49Slugs() {
    let slugs = M49.regions.map(\.slug)
    #expect(Set(slugs).count == slugs.count)
    #expect(Set(M49.regions.map(\.code)).count == M49.regions.count)
    let allowed = Set("abcdefghijklmnopqrstuvwxyz-")
    #expect(slugs.allSatisfy { $0.allSatisfy(allowed.contains) })
    #expect(M49.region(slug: "latin-america-and-the-caribbean")?.code == 419)
    #expect(M49.region(slug: "sub-saharan-africa")?.code == 202)
    #expect(M49.region(slug: "south-eastern-asia")?.code == 35)
    #expect(M49.region(slug: "Channel-Islands")?.code == 830)
    #expect(M49.region(slug: "europe")?.level == .region)
    #expect(M49.region(slug: "atlantis") == nil)
    for region in M49.regions where region.level != .region {
      #expect(M49.region(code: region.parent ?? -1) != nil, "\(region.slug)")
    }
    #expect(M49.regions.filter { $0.level == .region }.allSatisfy { $0.parent == nil })
  }

  @Test func lookupsAreCaseInsensitive() {
    #expect(Countries.named("ua")?.code == "UA")
    #expect(Countries.named("Ua")?.code == "UA")
    #expect(Countries.named("ukr")?.code == "UA")
    #expect(Countries.named("UKR")?.code == "UA")
    #expect(Countries.named("xkx")?.code == "XK")
    let line = "src=UA;"
    #expect(Countries.named(line.dropFirst(4).prefix(2))?.code == "UA")  // Substring
    #expect(Countries.named("") == nil)
    #expect(Countries.named("U") == nil)
    #expect(Countries.named("QQ") == nil)
  }

  @Test func normalize() {
    #expect(Countries.normalize("uk") == "GB")
    #expect(Countries.normalize("UK") == "GB")
    #expect(Countries.normalize("gb") == "GB")
    #expect(Countries.normalize("ua") == "UA")
    #expect(Countries.normalize("UKR") == "UA")
    #expect(Countries.normalize("xk") == "XK")
    #expect(Countries.normalize("EL") == "GR")
    for code in ["AN", "CS", "EU", "AP", "A1", "A2", "O1", "ZZ", "--", "QQ"] {
      #expect(Countries.normalize(code) == nil, "\(code)")
      #expect(Countries.normalize(code.lowercased()) == nil, "\(code)")
    }
  }

  @Test func pseudoCodesAreNotCountries() {
    for code in ["EU", "AP", "AN", "CS", "A1", "A2", "O1"] {
      #expect(Countries.pseudoCodes[code] != nil, "\(code)")
    }
    #expect(Countries.pseudoCodes["XK"] == nil)
    for code in Countries.pseudoCodes.keys {
      #expect(Countries.named(code) == nil, "\(code)")
      #expect(Countries.aliases[code] == nil, "\(code)")
    }
    for (alias, target) in Countries.aliases {
      #expect(Countries.all.contains { $0.code == target }, "\(alias)")
      #expect(!Countries.all.contains { $0.code == alias }, "\(alias)")
    }
  }

  @Test func continentNames() {
    #expect(Continent.europe.name == "Europe")
    #expect(Continent.northAmerica.name == "North America")
    #expect(Continent(rawValue: "AN") == .antarctica)
    #expect(Continent.allCases.count == 7)
  }
}
