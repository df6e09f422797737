import NetCore
import NetFlow
import TestSupport
import Testing

/// NetFlow v5 datagrams built in the test, decoded field by field.
@Suite struct NetFlowV5Tests {
  // Exported at 2025-03-10 13:30:00.250 UTC with the exporter up 3,600,000 ms.
  let seconds: UInt32 = 1_741_613_400
  let uptime: UInt32 = 3_600_000

  @Test func recordsBecomeObservations() throws {
    var a = Export.V5Record()
    a.first = uptime - 90_000  // 90 s before export
    a.last = uptime - 1_000
    var b = Export.V5Record(
      source: "77.1.2.3", destination: "10.0.0.1", packets: 1, octets: 60, first: uptime - 1, sourcePort: 53,
      destinationPort: 33000, tcpFlags: 0, protocolNumber: 17)
    b.last = uptime
    let datagram = Export.v5(uptime: uptime, seconds: seconds, nanoseconds: 250_000_000, [a, b])
    var sink = CollectingSink()
    let result = ExportDecoder().decode(datagram, into: &sink)
    #expect(result.version == 5)
    #expect(result.records == 2)
    #expect(result.damage == nil)
    #expect(sink.skipped.isEmpty)
    let export = ns(Int64(seconds), ms: 250)
    #expect(
      sink.flows.map(\.summary) == [
        "5.8.1.1->104.244.42.1 p6 40000->443 pk10 by4000/4000 fl1 ttl- tcp18 t\(export - ns(90))",
        "77.1.2.3->10.0.0.1 p17 53->33000 pk1 by60/60 fl1 ttl- tcp0 t\(export - ns(0, ms: 1))",
      ])
    #expect(sink.intervals == [1, 1])
  }

  @Test func uptimeThatWrappedStillConverts() {
    // The flow began 2 s before the exporter's millisecond uptime wrapped past 2^32.
    var r = Export.V5Record()
    r.first = UInt32.max - 1_999
    let datagram = Export.v5(uptime: 1_000, seconds: seconds, [r])
    var sink = CollectingSink()
    ExportDecoder().decode(datagram, into: &sink)
    #expect(sink.flows.first?.timestamp.nanoseconds == ns(Int64(seconds)) - ns(3, ms: 0))
  }

  @Test func headerSamplingScalesPacketsAndBytes() {
    // Mode 1 (deterministic), interval 100.
    let datagram = Export.v5(uptime: uptime, seconds: seconds, sampling: 0x4000 | 100, [Export.V5Record()])
    var sink = CollectingSink()
    ExportDecoder().decode(datagram, into: &sink)
    #expect(sink.flows.first?.packets == 1_000)
    #expect(sink.flows.first?.wireBytes == 400_000)
    #expect(sink.flows.first?.ipBytes == 400_000)
    #expect(sink.flows.first?.flows == 1)
    #expect(sink.intervals == [100])
  }

  @Test func countBeyondTheDatagramIsDamageAfterTheRecordsItHolds() {
    let datagram = Export.v5(uptime: uptime, seconds: seconds, count: 3, [Export.V5Record(), Export.V5Record()])
    var sink = CollectingSink()
    let result = ExportDecoder().decode(datagram, into: &sink)
    #expect(result.records == 2)
    #expect(result.damage?.reason == .badDatagramLength)
    #expect(result.damage?.offset == 24 + 2 * 48)
    #expect(sink.skipped == ["bad-datagram-length": 1])
  }

  @Test func shortHeaderIsDamage() {
    let datagram = Array(Export.v5(uptime: uptime, seconds: seconds, []).prefix(23))
    var sink = CollectingSink()
    let result = ExportDecoder().decode(datagram, into: &sink)
    #expect(result.records == 0)
    #expect(result.damage?.reason == .datagramTooShort)
    #expect(result.damage?.description == "byte 0: NetFlow v5 header needs 24 bytes, the datagram has 23")
  }
}
