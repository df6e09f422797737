import NetCore

/// A claim about where traffic came from: `ORIGIN:ASSERTION[:METRIC]`.
///
/// - ORIGIN: an area name (`ukraine-area`, `eastern-europe`, `eu`), a country code (`UA`), an
///   autonomous system (`AS15895`), or a radius area (`within:500km:50.45,30.52`).
/// - ASSERTION: `primary` (the largest origin), `significant` (at least 10% share), or
///   `share>=N%`.
/// - METRIC: `sources` (distinct source addresses; the default, since the claim is about IP
///   addresses), `packets`, `bytes` (wire bytes) or `flows`.
public struct Claim: Sendable, Hashable, CustomStringConvertible {
  public enum Assertion: Sendable, Hashable {
    case primary
    /// At least this share (0...1).
    case atLeast(Double)
  }

  public enum Metric: String, Sendable, Hashable, CaseIterable {
    case sources, packets, bytes, flows
  }

  /// The share `significant` means when no number is given.
  public static let significantShare = 0.10

  /// The origin as written (an area name, a country code, `AS1234`, a radius spec).
  public var origin: String
  public var assertion: Assertion
  public var metric: Metric
  /// The text the claim was parsed from.
  public var text: String

  public init(origin: String, assertion: Assertion, metric: Metric = .sources, text: String? = nil) {
    self.origin = origin
    self.assertion = assertion
    self.metric = metric
    self.text = text ?? "\(origin):\(Claim.describe(assertion)):\(metric.rawValue)"
  }

  public var description: String { text }

  public var isASN: Bool { asn != nil }

  /// The AS number when the origin is `AS1234`.
  public var asn: UInt32? {
    guard origin.count > 2, origin.uppercased().hasPrefix("AS") else { return nil }
    return UInt32(origin.dropFirst(2))
  }

  static func describe(_ a: Assertion) -> String {
    switch a {
    case .primary: return "primary"
    case .atLeast(let s): return "share>=\(DecimalFormat.threshold(s))"
    }
  }

  /// Parses `ORIGIN:ASSERTION[:METRIC]`; the error says what was expected.
  public static func parse(_ text: String) throws(ClaimError) -> Claim {
    var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    let expected = "expected ORIGIN:ASSERTION[:METRIC], e.g. ukraine-area:primary or UA:share>=20%:packets"
    guard parts.count >= 2 else { throw ClaimError("claim '\(text)': \(expected)") }
    var metric = Metric.sources
    if let m = Metric(rawValue: parts.last!.lowercased()) {
      metric = m
      parts.removeLast()
    }
    guard parts.count >= 2, let last = parts.last else { throw ClaimError("claim '\(text)': \(expected)") }
    let assertionText = last.lowercased().replacingSpaces()
    let assertion: Assertion
    if assertionText == "primary" {
      assertion = .primary
    } else if assertionText == "significant" {
      assertion = .atLeast(significantShare)
    } else if assertionText.hasPrefix("share>=") || assertionText.hasPrefix("significant>=") {
      let number = assertionText.drop { $0 != "=" }.dropFirst()
      guard number.hasSuffix("%"), let value = Double(number.dropLast()), value > 0, value <= 100 else {
        throw ClaimError("claim '\(text)': '\(last)': expected share>=N% with 0 < N <= 100")
      }
      assertion = .atLeast(value / 100)
    } else {
      throw ClaimError(
        "claim '\(text)': unknown assertion '\(last)': expected primary, significant or share>=N% (metric, if given, last: sources, packets, bytes or flows)")
    }
    parts.removeLast()
    let origin = parts.joined(separator: ":")
    guard !origin.isEmpty else { throw ClaimError("claim '\(text)': no origin: \(expected)") }
    return Claim(origin: origin, assertion: assertion, metric: metric, text: text)
  }
}

/// A claim that could not be parsed or resolved; the message says what was expected.
public struct ClaimError: Error, CustomStringConvertible, Sendable {
  public let message: String
  /// `message` is kept on one line (line breaks in quoted input become spaces).
  public init(_ message: String) { self.message = message.oneLine }
  public var description: String { message }
}

extension String {
  fileprivate func replacingSpaces() -> String { filter { $0 != " " } }
}
