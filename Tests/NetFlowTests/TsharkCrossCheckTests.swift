import Analysis
import Foundation
import NetCore
import NetFlow
import TestSupport
import Testing

/// The decoder against tshark's cflow dissector (`Tools/crosscheck-netflow.py tshark`) on the
/// same datagrams: NetFlow v5, v9 with IPv4 and IPv6 templates, IPFIX with enterprise-specific,
/// variable-length and reduced-size fields, from two exporters, in one capture.
@Suite struct TsharkCrossCheckTests {
  static let script = packageRoot.appendingPathComponent("Tools/crosscheck-netflow.py").path

  /// The datagrams and their exporters.
  static func datagrams() -> [(exporter: String, bytes: [UInt8])] {
    let seconds: UInt32 = 1_741_613_400
    var rng = SeededGenerator(seed: 42)
    func v4() -> String { "\(1 + rng.next() % 200).\(rng.next() % 256).\(rng.next() % 256).\(1 + rng.next() % 254)" }
    func n(_ range: ClosedRange<UInt64>) -> UInt64 { range.lowerBound + rng.next() % (range.upperBound - range.lowerBound + 1) }
    var out: [(String, [UInt8])] = []

    // NetFlow v5: 30 records.
    let v5Records = (0..<30).map { _ in
      Export.V5Record(
        source: v4(), destination: v4(), packets: UInt32(n(1...5000)), octets: UInt32(n(40...6_000_000)), first: 1000,
        last: 2000, sourcePort: UInt16(n(1...65535)), destinationPort: UInt16(n(1...65535)), tcpFlags: 0x18,
        protocolNumber: [6, 17, 1][Int(rng.next() % 3)])
    }
    out.append(("192.0.2.10", Export.v5(uptime: 5000, seconds: seconds, v5Records)))

    // NetFlow v9: templates, then IPv4 and IPv6 data in the next datagram.
    let t4: [Export.Field] = [.init(8, 4), .init(12, 4), .init(1, 4), .init(2, 4), .init(7, 2), .init(11, 2), .init(4, 1), .init(10, 2)]
    let t6: [Export.Field] = [.init(27, 16), .init(28, 16), .init(1, 8), .init(2, 8), .init(4, 1)]
    // The v9 header's count (records of all kinds) must be right for tshark, not for the decoder.
    out.append(("192.0.2.20", Export.v9(uptime: 9000, seconds: seconds, sourceID: 3, count: 2, [Export.set(0, Export.template(300, t4) + Export.template(301, t6))])))
    var data4: [UInt8] = []
    for _ in 0..<20 {
      data4 += Export.v4(v4()) + Export.v4(v4()) + Export.be32(UInt32(n(40...9_000_000))) + Export.be32(UInt32(n(1...9000)))
        + Export.be16(UInt16(n(1...65535))) + Export.be16(443) + [6] + Export.be16(1)
    }
    var data6: [UInt8] = []
    for i in 0..<10 {
      data6 += Export.v6("2a02:2378:\(i)::\(n(1...9999))") + Export.v6("2001:db8::1") + Export.be64(n(60...8_000_000_000))
        + Export.be64(n(1...9_000_000)) + [17]
    }
    out.append(("192.0.2.20", Export.v9(uptime: 9100, seconds: seconds + 1, sourceID: 3, count: 30, [Export.set(300, data4, padding: 3), Export.set(301, data6, padding: 1)])))

    // IPFIX: an enterprise field, variable-length fields (short and long form), 4-byte octets.
    let tx: [Export.Field] = [
      .init(7, 2), .init(8, 4), .init(82, 65535), .init(12, 4), .init(1, 4), .init(2, 8), .init(11, 2), .init(4, 1),
      .init(300, 4, enterprise: 424_242), .init(83, 65535),
    ]
    var datax: [UInt8] = []
    for i in 0..<25 {
      datax += Export.be16(UInt16(n(1...65535))) + Export.v4(v4()) + Export.variable(Array("if\(i)".utf8), long: i % 3 == 0)
        + Export.v4(v4()) + Export.be32(UInt32(n(40...4_000_000_000))) + Export.be64(n(1...2_000_000)) + Export.be16(53) + [17]
        + Export.be32(UInt32(i)) + Export.variable([UInt8](repeating: 0x61, count: i * 13), long: i % 2 == 0)
    }
    out.append(("192.0.2.30", Export.ipfix(exportTime: seconds, domain: 7, [Export.set(2, Export.template(500, tx)), Export.set(500, datax, padding: 2)])))
    return out
  }

  struct Record: Hashable, Comparable, CustomStringConvertible {
    var src: String
    var dst: String
    var packets: UInt64
    var octets: UInt64
    var srcport: Int
    var dstport: Int
    var proto: Int
    static func < (a: Record, b: Record) -> Bool { a.description < b.description }
    var description: String { "\(src)>\(dst) \(proto) \(srcport)>\(dstport) p\(packets) o\(octets)" }
  }

  @Test func tsharkFindsTheSameRecords() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let datagrams = Self.datagrams()
    let capture = dir.path("export.pcap")
    let frames = datagrams.map { UDPCapture.Datagram(source: $0.exporter, destinationPort: 2055, payload: $0.bytes) }
    try Data(UDPCapture.file(frames)).write(to: URL(fileURLWithPath: capture))

    let decoder = ExportDecoder()
    var sink = CollectingSink()
    for d in datagrams {
      let result = decoder.decode(d.bytes, from: d.exporter, into: &sink)
      #expect(result.damage == nil)
    }
    let ours = sink.flows.map {
      Record(
        src: "\($0.source)", dst: "\($0.destination)", packets: $0.packets, octets: $0.ipBytes, srcport: Int($0.sourcePort ?? 0),
        dstport: Int($0.destinationPort ?? 0), proto: Int($0.protocolNumber))
    }
    #expect(ours.count == 30 + 20 + 10 + 25)

    let out = try run("python3", [Self.script, "tshark", capture, "--port", "2055"])
    try #require(out.status == 0, "crosscheck-netflow.py tshark failed (needs tshark): \(out.stderr)")
    let parsed = try #require(try parseJSON(out.stdout) as? [[String: Any]])
    let theirs = parsed.map { r in
      Record(
        src: r["src"] as? String ?? "?", dst: r["dst"] as? String ?? "?", packets: (r["packets"] as? NSNumber)?.uint64Value ?? 0,
        octets: (r["octets"] as? NSNumber)?.uint64Value ?? 0, srcport: (r["srcport"] as? NSNumber)?.intValue ?? 0,
        dstport: (r["dstport"] as? NSNumber)?.intValue ?? 0, proto: (r["proto"] as? NSNumber)?.intValue ?? 0)
    }
    #expect(theirs.sorted() == ours.sorted())
  }
}
