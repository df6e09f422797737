import Analysis
import Capture
import Dispatch
import Foundation
import NetCore
import PacketDecoding

#if canImport(Glibc)
  import Glibc
#endif

/// Reads capture files into an aggregator: capture -> decode -> observation. Each input's
/// damage is reported as one line and recorded in the summary; what was read before it counts.
///
/// A plain classic pcap file is read by byte ranges (`PcapRangeFile`), split over `threads`
/// aggregators that are combined afterwards; the summary is the same for any split. Other inputs
/// (pcapng, gzip, standard input) are read in one pass.
struct CaptureIngest {
  let aggregator: Aggregator
  var progress: Progress?
  /// Threads a plain pcap file is split over.
  var threads = 1
  /// Smallest part worth a thread of its own.
  static let minimumPartBytes: Int64 = 1 << 20

  /// What happened to one input.
  enum Outcome {
    case complete
    /// Reading stopped early; the records before the damage were counted.
    case damaged(String)
    /// Nothing could be read.
    case unreadable(String)
  }

  mutating func read(path: String) -> Outcome {
    if let file = PcapRangeFile.open(path: path) {
      return readRanges(file)
    }
    let reader: CaptureFileReader
    do {
      reader = try CaptureFileReader(path: path)
    } catch {
      aggregator.addInput(InputSummary(path: path, format: "unknown", error: error.description))
      return .unreadable(error.description)
    }
    return readOnePass(reader)
  }

  /// Reads the rest of `reader` into the aggregator and records the input.
  private mutating func readOnePass(_ reader: CaptureFileReader) -> Outcome {
    let path = reader.path
    let aggregator = self.aggregator
    var progress = self.progress
    let status: ReadStatus
    do {
      status = try reader.forEachPacket { bytes, info in
        Self.count(bytes, info, into: aggregator)
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

  /// Reads a plain pcap file by ranges on up to `threads` threads, then reads on with libpcap from
  /// the first record the range reader left (damage, or a split point that was not a record start).
  private mutating func readRanges(_ file: PcapRangeFile) -> Outcome {
    let parts = max(1, min(threads, Int(file.size / Self.minimumPartBytes)))
    let offsets = file.splitOffsets(parts: parts)
    let n = offsets.count - 1
    let workers = [aggregator] + (1..<max(1, n)).map { _ in Aggregator(origins: aggregator.origins, options: aggregator.options) }
    let results = ResultSlots(count: n)
    let box = Unchecked(workers)
    let progress = Unchecked(self.progress)
    let path = file.path
    DispatchQueue.concurrentPerform(iterations: n) { i in
      let target = box.value[i]
      let result = file.read(offsets[i]..<offsets[i + 1]) { bytes, info in
        Self.count(bytes, info, into: target)
        if i == 0 { progress.value?.tick(path: path) }
      }
      results.set(i, result)
    }
    self.progress = progress.value

    let read = (0..<n).map { results.get($0)! }
    let join = file.join(read, offsets: offsets)
    var records = 0
    for i in 0..<join.ranges {
      if i > 0 { aggregator.absorb(workers[i]) }
      records += read[i].records
    }
    if let resume = join.resume {
      do {
        let reader = try CaptureFileReader(path: path, resumingAt: resume, recordsBefore: records)
        return readOnePass(reader)
      } catch {
        aggregator.addInput(InputSummary(path: path, format: "pcap", records: UInt64(records), error: error.description, damaged: true))
        return records == 0 ? .unreadable(error.description) : .damaged(error.description)
      }
    }
    aggregator.addInput(
      InputSummary(path: path, format: file.nanosecondFormat ? "pcap-ns" : "pcap", linkTypes: [LinkType(file.linkType).name], records: UInt64(records)))
    return .complete
  }

  /// Decodes one record and counts it.
  @inline(__always)
  static func count(_ bytes: UnsafeRawBufferPointer, _ info: PacketInfo, into aggregator: Aggregator) {
    let linkType = LinkType(info.linkType)
    switch PacketDecoder.decode(linkType: linkType, bytes: bytes) {
    case .ip(let p):
      aggregator.addPacket(
        Observation(
          timestamp: info.timestamp, source: p.source, destination: p.destination, protocolNumber: p.protocolNumber,
          wireBytes: UInt64(info.wireLength), ipBytes: UInt64(p.ipBytes), ttl: p.ttl, sourcePort: p.sourcePort,
          destinationPort: p.destinationPort, tcpFlags: p.tcpFlags),
        linkType: info.linkType, name: linkType.name)
    case let other:
      aggregator.countRecord(linkType: info.linkType, name: linkType.name, nonIPReason: other.summaryKey, timestamp: info.timestamp)
    }
  }
}

/// Hands a value to worker threads that each use only their own part of it.
private final class Unchecked<T>: @unchecked Sendable {
  var value: T
  init(_ value: T) { self.value = value }
}

/// One result per worker, each written by its worker only and read after all have finished.
private final class ResultSlots: @unchecked Sendable {
  private var slots: [PcapRangeFile.RangeResult?]
  init(count: Int) { slots = Array(repeating: nil, count: count) }
  func set(_ i: Int, _ r: PcapRangeFile.RangeResult) { slots[i] = r }
  func get(_ i: Int) -> PcapRangeFile.RangeResult? { slots[i] }
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
