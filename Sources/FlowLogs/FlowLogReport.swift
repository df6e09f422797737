public import Analysis

/// Where the records of a flow log go: an `Aggregator`, or anything else that counts observations and
/// skipped records the same way.
public protocol FlowRecordSink: AnyObject {
  /// Counts one flow record.
  func add(_ observation: Observation)
  /// Counts records that were read but not counted, by reason.
  func countSkipped(_ reason: String, count: UInt64)
}

extension Aggregator: FlowRecordSink {}

/// Why a record of a flow log was not counted. The reason is the key in the summary's `skipped` counts.
public struct SkipReason: Hashable, Sendable, CustomStringConvertible {
  public let name: String
  /// A malformed record: the input is damaged (exit status 65). Otherwise the record is one the format
  /// itself marks as carrying no countable traffic.
  public let malformed: Bool

  public var description: String { name }

  // Records that carry nothing to count, by the format's own rules.
  /// AWS VPC: `log-status` NODATA (no traffic in the capture window).
  public static let nodata = SkipReason(name: "nodata", malformed: false)
  /// AWS VPC: `log-status` SKIPDATA (records lost by AWS in the capture window).
  public static let skipdata = SkipReason(name: "skipdata", malformed: false)
  /// The source address field is unset (`-` in VPC and Zeek logs, missing in JSON).
  public static let unsetSource = SkipReason(name: "unset-source", malformed: false)
  /// The packet or byte counter is unset.
  public static let unsetCounters = SkipReason(name: "unset-counters", malformed: false)
  /// The record's time is unset.
  public static let unsetTime = SkipReason(name: "unset-time", malformed: false)
  /// Suricata: an event that is not a `flow` event (alerts, DNS, TLS, stats...).
  public static let notFlowEvent = SkipReason(name: "not-flow-event", malformed: false)
  /// A JSON record that is not a flow record (nfdump records of another type, Cloud Logging entries
  /// that are not VPC flow logs).
  public static let notFlowRecord = SkipReason(name: "not-flow-record", malformed: false)

  // Malformed records.
  /// A line with a different number of fields than its header says.
  public static let wrongFieldCount = SkipReason(name: "wrong-field-count", malformed: true)
  /// An address field that is not an IPv4 or IPv6 address.
  public static let badAddress = SkipReason(name: "bad-address", malformed: true)
  /// A counter, port or protocol field that is not a number (or a known protocol name).
  public static let badNumber = SkipReason(name: "bad-number", malformed: true)
  /// A time field that is neither epoch seconds nor an ISO 8601 date-time.
  public static let badTime = SkipReason(name: "bad-time", malformed: true)
  /// A line or record that is not valid JSON (truncated, cut, not closed).
  public static let badJSON = SkipReason(name: "bad-json", malformed: true)
  /// A JSON record without a field the format requires, or with a field of the wrong type.
  public static let missingField = SkipReason(name: "missing-field", malformed: true)
  /// A line longer than the line limit: skipped without being held in memory.
  public static let lineTooLong = SkipReason(name: "line-too-long", malformed: true)
  /// A record of a JSON document larger than the record limit.
  public static let recordTooLong = SkipReason(name: "record-too-long", malformed: true)
  /// An Azure flow tuple with the wrong number of fields or an unknown letter code.
  public static let badTuple = SkipReason(name: "bad-tuple", malformed: true)
  /// A CSV line with a quoted field that is not closed, or text after a closing quote.
  public static let badCSV = SkipReason(name: "bad-csv", malformed: true)
}

/// What reading one flow log found.
public struct FlowLogReport: Sendable {
  /// The format as recorded in the summary: `vpc`, `zeek`, `zeek-json`, `eve`, `nfdump-csv`,
  /// `nfdump-json`, `gcp`, `azure-nsg`, `azure-vnet`, `csv`.
  public var format: String
  /// Records read: counted and skipped (header, comment and blank lines are not records).
  public var records: UInt64 = 0
  /// Records counted as observations.
  public var counted: UInt64 = 0
  /// Records skipped by the format's rules (`nodata`, `not-flow-event`, ...).
  public var skipped = SkipCounts()
  /// Records skipped as malformed, by reason.
  public var malformed = SkipCounts()
  /// The first problems with malformed records, each one line with its place (`line 17: bad address
  /// '1.2.3' in srcaddr`), without the file name.
  public var firstProblems: [String] = []
  /// Why reading stopped before the end (corrupt gzip data, a JSON document that breaks off): one line
  /// naming the file and the place; nil when the whole input was read.
  public var damage: String? = nil

  public init(format: String) { self.format = format }
}

/// A flow log that cannot be read at all: unrecognised content, a header the format needs is missing
/// or unusable, the forced format does not match. The description is one line naming the file.
public struct FlowLogError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// The state shared by the parsers while one input is read: the sink, the counts and the problems.
final class RecordContext {
  let sink: any FlowRecordSink
  var report: FlowLogReport
  let problemsKept: Int

  init(sink: any FlowRecordSink, format: String, problemsKept: Int) {
    self.sink = sink
    self.report = FlowLogReport(format: format)
    self.problemsKept = problemsKept
  }

  /// Counts a flow record.
  func add(_ observation: Observation) {
    report.records &+= 1
    report.counted &+= 1
    sink.add(observation)
  }

  /// Counts a record skipped by the format's rules, or a malformed one with where and why.
  /// The line and the detail are worked out only for problems that are kept.
  func skip(_ reason: SkipReason, line: @autoclosure () -> Int, _ detail: @autoclosure () -> String = "") {
    report.records &+= 1
    sink.countSkipped(reason.name, count: 1)
    if reason.malformed {
      report.malformed.add(reason.name)
      if report.firstProblems.count < problemsKept {
        let text = detail()
        report.firstProblems.append("line \(line()): \(text.isEmpty ? reason.name : text)")
      }
    } else {
      report.skipped.add(reason.name)
    }
  }
}
