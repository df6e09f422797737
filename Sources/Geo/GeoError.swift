import NetCore

/// An error from the geolocation layer: one line that names the file (and line, where there is one).
public struct GeoError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What went wrong, as a stable short name.
  public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The file could not be opened or read.
    public static let unreadable = Kind(rawValue: "unreadable")
    /// libmaxminddb refused the file (not an MMDB, truncated, corrupt).
    public static let invalidDatabase = Kind(rawValue: "invalid-database")
    /// The database has no data of the kind needed (no country data, no ASN data).
    public static let missingData = Kind(rawValue: "missing-data")
    /// An IPv6 address was looked up in an IPv4-only database.
    public static let wrongFamily = Kind(rawValue: "wrong-family")
    /// A lookup failed inside libmaxminddb.
    public static let lookupFailed = Kind(rawValue: "lookup-failed")
    /// A source line (CSV, Tor geoip) could not be parsed.
    public static let badSourceLine = Kind(rawValue: "bad-source-line")
    /// An argument could not be understood (an address, a network).
    public static let badArgument = Kind(rawValue: "bad-argument")
    /// The database could not be written.
    public static let writeFailed = Kind(rawValue: "write-failed")
  }

  public var kind: Kind
  /// The one-line message, already naming the file and place.
  public var message: String

  /// `message` is kept on one line (line breaks in quoted input become spaces).
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message.oneLine
  }

  public var description: String { message }
}
