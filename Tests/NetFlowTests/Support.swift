import Analysis
import NetCore
import TestSupport
import NetFlow

/// Collects what the decoder hands out.
struct CollectingSink: ExportSink {
  var flows: [Observation] = []
  var intervals: [UInt64] = []
  var skipped: [String: UInt64] = [:]

  mutating func flow(_ observation: Observation, samplingInterval: UInt64) {
    flows.append(observation)
    intervals.append(samplingInterval)
  }

  mutating func skip(_ reason: ExportSkip, count: UInt64) { skipped[reason.rawValue, default: 0] += count }
}

extension ExportDecoder {
  /// Decodes `datagram` from `exporter` into `sink`.
  @discardableResult
  func decode(_ datagram: [UInt8], from exporter: String = "192.0.2.10", into sink: inout CollectingSink) -> DatagramResult {
    datagram.withUnsafeBytes { decode($0, exporter: IPAddress(exporter)!, into: &sink) }
  }
}

/// Nanoseconds of a time given in whole seconds plus milliseconds.
func ns(_ seconds: Int64, ms: Int64 = 0) -> Int64 { seconds * 1_000_000_000 + ms * 1_000_000 }

extension Observation {
  /// The fields a test compares, as one readable value.
  var summary: String {
    "\(source)->\(destination) p\(protocolNumber) \(sourcePort.map(String.init) ?? "-")->\(destinationPort.map(String.init) ?? "-") pk\(packets) by\(wireBytes)/\(ipBytes) fl\(flows) ttl\(ttl.map(String.init) ?? "-") tcp\(tcpFlags.map(String.init) ?? "-") t\(timestamp.nanoseconds)"
  }
}
