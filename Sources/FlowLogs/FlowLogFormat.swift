/// The flow-log formats OriginCheck reads, by the name `--input-format` takes.
public enum FlowLogFormat: String, CaseIterable, Sendable {
  /// AWS VPC Flow Logs, text (default format or a header line).
  case vpc
  /// Zeek conn.log, TSV with `#fields`.
  case zeek
  /// Zeek conn.log as JSON lines.
  case zeekJSON = "zeek-json"
  /// Suricata EVE JSON.
  case eve
  /// `nfdump -o csv`.
  case nfdumpCSV = "nfdump-csv"
  /// `nfdump -o json`.
  case nfdumpJSON = "nfdump-json"
  /// Google Cloud VPC Flow Logs exported from Cloud Logging.
  case gcp
  /// Azure NSG flow logs (version 1 and 2) and VNet flow logs.
  case azure
  /// Generic CSV with a header, mapped with `--columns`.
  case csv

  /// Whether records are JSON values.
  var isJSON: Bool {
    switch self {
    case .zeekJSON, .eve, .nfdumpJSON, .gcp, .azure: return true
    case .vpc, .zeek, .nfdumpCSV, .csv: return false
    }
  }
}

/// Reading limits and options.
public struct FlowLogOptions: Sendable {
  /// Longest line read, in bytes; a longer line is skipped as `line-too-long` without being held.
  public var maximumLineLength = 1 << 20
  /// Largest record of a JSON document (an Azure record, an element of nfdump's JSON array), in bytes;
  /// a larger one is skipped as `record-too-long`.
  public var maximumRecordLength = 64 << 20
  /// Bytes looked at to detect the format.
  public var detectionLength = 64 << 10
  /// Column mapping for generic CSV.
  public var columns: ColumnMapping? = nil
  /// How many malformed-record problems are kept with their place.
  public var problemsKept = 5

  public init() {}
}
