import Analysis
import Capture
import Foundation
import NetCore
import PacketDecoding

#if canImport(Glibc)
  import Glibc
#endif

/// Reads capture files into an aggregator: capture -> decode -> observation. Each input's
/// damage is reported as one line and recorded in the summary; what was read before it counts.
struct CaptureIngest {
  let aggregator: Aggregator
  var progress: Progress?

  /// What happened to one input.
  enum Outcome {
    case complete
    /// Reading stopped early; the records before the damage were counted.
    case damaged(String)
    /// Nothing could be read.
    case unreadable(String)
  }

  mutating func read(path: String) -> Outcome {
    let reader: CaptureFileReader
    do {
      reader = try CaptureFileReader(path: path)
    } catch {
      aggregator.addInput(InputSummary(path: path, format: "unknown", error: error.description))
      return .unreadable(error.description)
    }
    let aggregator = self.aggregator
    var progress = self.progress
    let status: ReadStatus
    do {
      status = try reader.forEachPacket { bytes, info in
        let linkType = LinkType(info.linkType)
        switch PacketDecoder.decode(linkType: linkType, bytes: bytes) {
        case .ip(let p):
          aggregator.countRecord(linkType: info.linkType, name: linkType.name, nonIPReason: nil, timestamp: info.timestamp)
          aggregator.add(
            Observation(
              timestamp: info.timestamp, source: p.source, destination: p.destination, protocolNumber: p.protocolNumber,
              wireBytes: UInt64(info.wireLength), ipBytes: UInt64(p.ipBytes), ttl: p.ttl, sourcePort: p.sourcePort,
              destinationPort: p.destinationPort, tcpFlags: p.tcpFlags))
        case let other:
          aggregator.countRecord(linkType: info.linkType, name: linkType.name, nonIPReason: other.summaryKey, timestamp: info.timestamp)
        }
        progress?.tick(path: path)
        return true
      }
    } catch {
      let message = "\(path): \(error)"
      aggregator.addInput(InputSummary(path: path, format: reader.format.rawValue, compressed: reader.compressed, error: message))
      return .unreadable(message)
    }
    self.progress = progress
    let linkTypes = Array(Set(reader.linkTypes)).sorted().map { LinkType($0).name }
    var input = InputSummary(
      path: path, format: reader.format.rawValue, compressed: reader.compressed, linkTypes: linkTypes,
      records: UInt64(status.records))
    if let damage = status.damage {
      input.error = damage.description
      input.damaged = true
      aggregator.addInput(input)
      return status.records == 0 ? .unreadable(damage.description) : .damaged(damage.description)
    }
    aggregator.addInput(input)
    return .complete
  }
}

/// A progress line on standard error, only when it is a terminal, at most twice a second.
struct Progress {
  private var count: UInt64 = 0
  private var lastPrint = Date()
  private let start = Date()
  private var printed = false

  init?() {
    guard isatty(2) == 1 else { return nil }
  }

  mutating func tick(path: String) {
    count &+= 1
    guard count & 0xFFFF == 0 else { return }
    let now = Date()
    guard now.timeIntervalSince(lastPrint) >= 0.5 else { return }
    lastPrint = now
    printed = true
    let rate = Double(count) / max(0.001, now.timeIntervalSince(start))
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let line = "\r\(name): \(count) records, \(Int(rate)) records/s  "
    _ = line.withCString { write(2, $0, strlen($0)) }
  }

  func finish() {
    guard printed else { return }
    let clear = "\r\u{1B}[K"
    _ = clear.withCString { write(2, $0, strlen($0)) }
  }
}
