public import Analysis
public import NetCore

/// Counts of what a run of export datagrams held.
public struct ExportStats: Sendable, Hashable {
  /// Datagrams handed to the decoder.
  public var datagrams: UInt64 = 0
  /// Datagrams by export version (5, 9, 10; others under their own number).
  public var datagramsByVersion: [UInt16: UInt64] = [:]
  /// Flow records counted.
  public var records: UInt64 = 0
  /// Datagrams that could not be read to their end.
  public var damagedDatagrams: UInt64 = 0
  /// Flow records whose packets and bytes were multiplied by a sampling interval, by interval.
  public var scaledRecords: [UInt64: UInt64] = [:]
  public init() {}
}

/// Feeds export datagrams to an aggregator: each flow record is added as an observation with
/// `flows` 1, its packets, and its octets as both wire and IP bytes (flow octets count layer-3
/// bytes); everything not counted is counted by reason with `Aggregator.countSkipped`. Keeps the
/// first few damage reports, one line each.
public final class ExportIngest: ExportSink {
  public let aggregator: Aggregator
  public let decoder: ExportDecoder
  public private(set) var stats = ExportStats()
  /// One-line reports of the first damaged datagrams (at most `maximumErrors`).
  public private(set) var errors: [String] = []
  public let maximumErrors: Int

  public init(aggregator: Aggregator, decoder: ExportDecoder = ExportDecoder(), maximumErrors: Int = 10) {
    self.aggregator = aggregator
    self.decoder = decoder
    self.maximumErrors = maximumErrors
  }

  /// Decodes one datagram from `exporter`. `place` names it in an error line (the input and the
  /// datagram's number); it is only called when the datagram is damaged.
  @discardableResult
  public func ingest(_ datagram: UnsafeRawBufferPointer, exporter: IPAddress, place: () -> String) -> DatagramResult {
    stats.datagrams &+= 1
    var sink = self
    let result = decoder.decode(datagram, exporter: exporter, into: &sink)
    stats.datagramsByVersion[result.version, default: 0] &+= 1
    if let damage = result.damage {
      stats.damagedDatagrams &+= 1
      if errors.count < maximumErrors {
        errors.append("\(place()): \(Self.versionName(result.version)) \(damage)")
      }
    }
    return result
  }

  /// `NetFlow v5`, `NetFlow v9`, `IPFIX`, or the version number.
  public static func versionName(_ version: UInt16) -> String {
    switch version {
    case 5: "NetFlow v5"
    case 9: "NetFlow v9"
    case 10: "IPFIX"
    default: "export version \(version)"
    }
  }

  /// Counts a flow record: in the aggregator, and in `stats` (scaled records by interval).
  public func flow(_ observation: Observation, samplingInterval: UInt64) {
    stats.records &+= 1
    if samplingInterval > 1 { stats.scaledRecords[samplingInterval, default: 0] &+= 1 }
    aggregator.add(observation)
  }

  /// Counts what was not traffic in the aggregator's `skipped`, by the reason's key.
  public func skip(_ reason: ExportSkip, count: UInt64) {
    aggregator.countSkipped(reason.rawValue, count: count)
  }
}
