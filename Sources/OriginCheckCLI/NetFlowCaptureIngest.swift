import Analysis
import Capture
import NetCore
import NetFlow
import PacketDecoding

/// Reads a capture (pcap or pcapng, plain or gzip) of NetFlow v5/v9 or IPFIX export packets: the
/// payload of every UDP datagram in it is decoded exactly as `collect` decodes what it receives,
/// with templates kept per exporter (the packet's source address) and observation domain.
///
/// Frames that carry no export datagram are counted in `skipped` by reason (`not-ip`,
/// `malformed-frame`, `not-udp`, `ip-fragment`, `truncated-datagram`); so are the parts of
/// datagrams that could not be decoded, whose first few are reported as one line each.
enum NetFlowCaptureIngest {
  /// Export datagrams damaged beyond this many are counted, not reported one by one.
  static let reportedErrors = 5

  /// Reads `path` into `aggregator`; `warn` gets one line per damaged datagram reported.
  static func read(path: String, into aggregator: Aggregator, warn: (String) -> Void = printError) -> CaptureIngest.Outcome {
    let reader: CaptureFileReader
    do {
      reader = try CaptureFileReader(path: path)
    } catch {
      aggregator.addInput(InputSummary(path: path, format: "netflow", error: error.description))
      return .unreadable(error.description)
    }
    let ingest = ExportIngest(aggregator: aggregator, maximumErrors: reportedErrors)
    let status: ReadStatus
    do {
      status = try reader.forEachPacket { bytes, info in
        let outcome = PacketDecoder.decode(linkType: LinkType(info.linkType), bytes: bytes)
        let packet: DecodedPacket
        switch outcome {
        case .ip(let p): packet = p
        case .nonIP:
          aggregator.countSkipped("not-ip")
          return true
        case .truncated, .malformed:
          aggregator.countSkipped("malformed-frame")
          return true
        }
        switch packet.udpPayload(in: bytes) {
        case .payload(let range):
          ingest.ingest(UnsafeRawBufferPointer(rebasing: bytes[range]), exporter: packet.source) {
            "\(path): record \(info.recordNumber) (from \(packet.source) port \(packet.sourcePort ?? 0))"
          }
        case .notUDP: aggregator.countSkipped("not-udp")
        case .laterFragment: aggregator.countSkipped("ip-fragment")
        case .truncated, .badLength: aggregator.countSkipped("truncated-datagram")
        }
        return true
      }
    } catch {
      let message = "\(path): \(error)"
      aggregator.addInput(InputSummary(path: path, format: "netflow", compressed: reader.compressed, error: message))
      return .unreadable(message)
    }
    var input = InputSummary(
      path: path, format: "netflow", compressed: reader.compressed,
      linkTypes: Array(Set(reader.linkTypes)).sorted().map { LinkType($0).name }, records: UInt64(status.records))
    input.scaledRecords = ingest.stats.scaledRecords
    for line in ingest.errors { warn("origincheck: \(line)") }
    let stats = ingest.stats
    if stats.damagedDatagrams > UInt64(ingest.errors.count) {
      warn("origincheck: \(path): \(stats.damagedDatagrams - UInt64(ingest.errors.count)) more damaged export datagrams")
    }
    if let damage = status.damage {
      input.error = damage.description
      input.damaged = true
      aggregator.addInput(input)
      return status.records == 0 ? .unreadable(damage.description) : .damaged(damage.description)
    }
    aggregator.addInput(input)
    if stats.damagedDatagrams > 0 {
      return .damaged("\(path): \(stats.damagedDatagrams) of \(stats.datagrams) export datagrams could not be decoded in full")
    }
    return .complete
  }
}
