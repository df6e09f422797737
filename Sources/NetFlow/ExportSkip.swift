/// Why part of an export datagram was read but not counted as traffic. Raw values are the keys of
/// the summary's `skipped` counts (docs/flows.md says what each counts).
public enum ExportSkip: String, Sendable, CaseIterable {
  // A whole datagram, or the rest of it from the damage on. Counted once per datagram.
  /// Shorter than the header of its version (or than 2 bytes).
  case datagramTooShort = "datagram-too-short"
  /// A version other than 5, 9 or 10.
  case unsupportedVersion = "unsupported-version"
  /// The IPFIX header's length is not the datagram's, or the v5 record count needs more bytes
  /// than the datagram has.
  case badDatagramLength = "bad-datagram-length"
  /// A FlowSet or Set shorter than its own 4-byte header, or running past the end of the datagram.
  /// Nothing after it can be found.
  case badSetLength = "bad-set-length"

  // Within a set. Counted once per set, template or record as named.
  /// A template or options template record that runs past its set or describes no data: the rest
  /// of the set is not read.
  case badTemplate = "bad-template"
  /// A data record with variable-length fields that runs past its set: the rest of the set is not read.
  case badRecord = "bad-record"
  /// A data set whose template has not been received (or was withdrawn): one per set, since its
  /// records cannot be told apart without the template.
  case noTemplate = "no-template"
  /// A template not stored because its exporter and domain already have the most templates kept,
  /// or because the most exporter/domain pairs are already kept.
  case templateLimit = "template-limit"
  /// A template with more fields than a template may have here.
  case templateTooManyFields = "template-too-many-fields"
  /// A set with a reserved set ID (v9: 2-255, IPFIX: 0, 1 and 4-255).
  case reservedSet = "reserved-set"
  /// An options data record: exporter metadata (sampling, system start time), not traffic.
  case optionsRecord = "options-record"
  /// A data record without a source address (no sourceIPv4Address or sourceIPv6Address).
  case noSourceAddress = "no-source-address"

  /// Whether this reason means the datagram was damaged (its exporter sent something malformed).
  public var isDamage: Bool {
    switch self {
    case .datagramTooShort, .unsupportedVersion, .badDatagramLength, .badSetLength, .badTemplate, .badRecord: true
    default: false
    }
  }
}
