import Analysis
import NetCore

/// What users type on the command line: claims and the areas they name, durations (`--bucket`),
/// date-times (`--window`), addresses and networks (`--target`, `lookup`). The input is the text;
/// its first 8 bytes are also a timestamp to print.
enum ClaimTarget {
  static func run(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    claim(text)
    area(text)
    duration(text)
    dateTime(text)
    address(text)
    if data.count >= 8 {
      let nanoseconds = data.loadUnaligned(as: Int64.self)
      printable(Timestamp(nanoseconds: nanoseconds))
    }
  }

  static func claim(_ text: String) {
    guard let claim = try? Claim.parse(text) else { return }
    FuzzCheck.require(claim.text == text, "claim text '\(claim.text)' from '\(text)'")
    FuzzCheck.require(!claim.origin.isEmpty, "claim '\(text)' without an origin")
    if case .atLeast(let share) = claim.assertion {
      FuzzCheck.require(share > 0 && share <= 1, "claim '\(text)': share \(share)")
    }
    // The canonical spelling parses back to the same origin, assertion kind and metric.
    let again = try? Claim.parse("\(claim.origin):\(assertionText(claim.assertion)):\(claim.metric.rawValue)")
    FuzzCheck.require(
      again?.origin == claim.origin && again?.metric == claim.metric
        && (again.map { assertionText($0.assertion) } == assertionText(claim.assertion)),
      "claim '\(text)' does not read back from its parts")
    _ = claim.asn
    area(claim.origin)
  }

  static func assertionText(_ assertion: Claim.Assertion) -> String {
    switch assertion {
    case .primary: "primary"
    case .atLeast(let share): "share>=\(share * 100)%"
    }
  }

  static func area(_ text: String) {
    do {
      let area = try AreaCatalog.builtIn.resolve(text)
      FuzzCheck.require(!area.name.isEmpty && !area.title.isEmpty, "area '\(text)' without a name or title")
      if case .radius(let km, let latitude, let longitude) = area.kind {
        FuzzCheck.require(
          km > 0 && km.isFinite && (-90...90).contains(latitude) && (-180...180).contains(longitude),
          "radius area '\(text)': \(km) km at \(latitude), \(longitude)")
      }
    } catch {
      _ = error.message
    }
  }

  static func duration(_ text: String) {
    guard let nanoseconds = Timestamp.parseDuration(text) else { return }
    FuzzCheck.require(nanoseconds > 0, "duration '\(text)' is \(nanoseconds) ns")
  }

  static func dateTime(_ text: String) {
    guard let time = Timestamp.parseISO8601(text) else { return }
    let printed = time.iso8601(fractionDigits: 9)
    FuzzCheck.require(
      Timestamp.parseISO8601(printed) == time, "date-time '\(text)' prints as \(printed), which reads back otherwise")
  }

  static func address(_ text: String) {
    if let address = IPAddress(text) {
      FuzzCheck.require(IPAddress(address.description) == address, "address '\(text)' prints as \(address)")
    }
    if let network = IPNetwork(text) {
      FuzzCheck.require(IPNetwork(network.description) == network, "network '\(text)' prints as \(network)")
      FuzzCheck.require(
        network.contains(network.address) && network.contains(network.lastAddress) && network.address <= network.lastAddress,
        "network '\(text)' does not hold its own bounds")
    }
  }

  /// A timestamp prints, and its printed date reads back when it has a four-digit year.
  static func printable(_ time: Timestamp) {
    let printed = time.iso8601(fractionDigits: 9)
    let year = Timestamp.civil(fromDays: Int64((Double(time.seconds) / 86400).rounded(.down))).year
    if (1...9999).contains(year) {
      FuzzCheck.require(Timestamp.parseISO8601(printed) == time, "\(time.nanoseconds) ns prints as \(printed)")
    }
  }
}
