import Analysis
import FlowLogs
import Foundation
import NetCore
import Testing

/// Every format read from a realistic fixture (Tests/FlowLogsTests/Fixtures): the format is detected
/// from content, every record lands with its source, packets, bytes and flows as the format defines
/// them, and the records the format marks as empty are skipped by reason. Counts below are worked out
/// by hand from the fixture lines.
@Suite struct FormatFixtureTests {
  @Test func awsVPCDefaultFormat() throws {
    let (report, sink) = try readFlowLog(path: fixture("vpc-default.log"))
    #expect(report.format == "vpc")
    #expect(report.records == 9)
    #expect(report.malformed.total == 0)
    #expect(sink.skipped == ["nodata": 1, "skipdata": 1])
    #expect(
      sink.bySource == [
        "5.8.1.10": [12, 4830, 1], "10.0.1.25": [10, 8200, 1], "62.0.7.7": [1, 40, 1], "5.8.200.3": [25, 11250, 1],
        "131.5.9.9": [3, 228, 1], "2a02:2378:10::5": [8, 2560, 1], "143.0.2.2": [2, 104, 1],
      ])
    let first = try #require(sink.observations.first)
    #expect(first.timestamp == Timestamp(seconds: 1_741_600_800))
    #expect(first.destination == IPAddress("10.0.1.25"))
    #expect(first.protocolNumber == 6)
    #expect(first.sourcePort == 44321 && first.destinationPort == 443)
    #expect(first.wireBytes == first.ipBytes)
  }

  @Test func awsVPCCustomFormatPrefersPacketSource() throws {
    let (report, sink) = try readFlowLog(path: fixture("vpc-custom-s3.log"))
    #expect(report.format == "vpc")
    #expect(report.records == 6)
    #expect(report.malformed.total == 0)
    #expect(sink.skipped == ["nodata": 1])
    // Behind the NAT gateway srcaddr is 10.0.2.15; pkt-srcaddr names the real origin. Where
    // pkt-srcaddr is `-`, srcaddr is the source.
    #expect(
      sink.bySource == [
        "77.1.2.3": [30, 15000, 1], "10.0.1.25": [28, 41000, 1], "37.1.2.3": [4, 240, 1], "52.94.133.131": [9, 9873, 1],
        "212.1.9.9": [6, 420, 1],
      ])
    let egress = try #require(sink.observations.first { $0.source == IPAddress("10.0.1.25") })
    #expect(egress.destination == IPAddress("77.1.2.3"))
    #expect(egress.tcpFlags == 19)
  }

  @Test(arguments: ["zeek-conn.log", "zeek-conn.json"])
  func zeekConnLog(name: String) throws {
    let (report, sink) = try readFlowLog(path: fixture(name))
    #expect(report.format == (name.hasSuffix(".json") ? "zeek-json" : "zeek"))
    #expect(report.records == 6)
    #expect(report.malformed.total == 0)
    // The last connection has no packet counts (unset in TSV, absent in JSON).
    #expect(sink.skipped == ["unset-counters": 1])
    // Originator counts only: 5.8.3.4's responses (35 + 12 packets) are not its traffic.
    #expect(
      sink.bySource == [
        "5.8.3.4": [30, 3960, 2], "5.9.0.77": [1, 70, 1], "2a02:2378:1::9": [2, 208, 1], "131.7.7.7": [1, 60, 1],
      ])
    let icmp = try #require(sink.observations.first { $0.source == IPAddress("2a02:2378:1::9") })
    #expect(icmp.protocolNumber == 58)
    #expect(icmp.timestamp == Timestamp(seconds: 1_741_600_802, nanoseconds: 1000))
    let udp = try #require(sink.observations.first { $0.source == IPAddress("5.9.0.77") })
    #expect(udp.protocolNumber == 17 && udp.sourcePort == 3478 && udp.destinationPort == 53)
    #expect(udp.timestamp == Timestamp(seconds: 1_741_600_801, nanoseconds: 500_000_000))
  }

  @Test func suricataEveFlowEvents() throws {
    let (report, sink) = try readFlowLog(path: fixture("eve.json"))
    #expect(report.format == "eve")
    #expect(report.records == 7)
    #expect(sink.skipped == ["not-flow-event": 3])
    #expect(
      sink.bySource == [
        "5.8.9.9": [14, 2268, 1], "62.0.3.3": [1, 85, 1], "2a00:1450:4001:82a::200e": [40, 52400, 1], "5.8.44.1": [5, 490, 1],
      ])
    let tls = try #require(sink.observations.first)
    // flow.start, with Suricata's offset without a colon.
    #expect(tls.timestamp == Timestamp.iso("2025-03-10T10:04:31.518243Z"))
    #expect(tls.tcpFlags == 0x1b)
    #expect(sink.observations.last?.protocolNumber == 1)
  }

  @Test(arguments: ["nfdump.csv", "nfdump-q.csv", "nfdump.json"])
  func nfdumpOutput(name: String) throws {
    // Written by nfdump 1.7.1 (nfpcapd, then nfdump -o csv / -q -o csv / -o json with TZ=UTC) from a
    // ten-packet capture.
    let (report, sink) = try readFlowLog(path: fixture(name))
    #expect(report.format == (name.hasSuffix(".json") ? "nfdump-json" : "nfdump-csv"))
    #expect(report.records == 6)
    #expect(report.malformed.total == 0)
    #expect(sink.skipped.isEmpty)
    #expect(
      sink.bySource == [
        "5.9.1.2": [2, 116, 2], "131.9.9.9": [1, 28, 1], "5.8.7.1": [3, 420, 1], "203.0.113.10": [1, 40, 1],
        "2a02:2378:5::1": [2, 160, 1],
      ])
    let tcp = try #require(sink.observations.first { $0.source == IPAddress("5.8.7.1") })
    #expect(tcp.timestamp == Timestamp.iso("2025-03-10T10:00:00Z"))
    #expect(tcp.protocolNumber == 6 && tcp.sourcePort == 40001 && tcp.destinationPort == 443)
    // ...AP.S. : ACK, PSH, SYN.
    #expect(tcp.tcpFlags == UInt8(0x10 | 0x08 | 0x02))
  }

  @Test func gcpCloudLoggingLines() throws {
    let (report, sink) = try readFlowLog(path: fixture("gcp-vpc-flows.json"))
    #expect(report.format == "gcp")
    #expect(report.records == 7)
    // A firewall-rules entry and an audit entry are not flow records.
    #expect(sink.skipped == ["not-flow-record": 2])
    // The intra-VPC flow is reported by both ends; both reports count.
    #expect(
      sink.bySource == [
        "5.8.12.34": [41, 15644, 1], "5.9.44.4": [7, 980, 1], "2001:470:1:2::3": [3, 3600, 1], "10.128.0.9": [238, 190400, 2],
      ])
    let first = try #require(sink.observations.first)
    #expect(first.timestamp == Timestamp(seconds: 1_741_600_800, nanoseconds: 218_940_183))
    #expect(first.destinationPort == 443 && first.protocolNumber == 6)
  }

  @Test func gcpGcloudArray() throws {
    let (report, sink) = try readFlowLog(path: fixture("gcp-vpc-flows-gcloud.json"))
    #expect(report.format == "gcp")
    #expect(report.records == 2)
    #expect(sink.bySource == ["5.8.12.34": [41, 15644, 1], "2001:470:1:2::3": [3, 3600, 1]])
  }

  @Test func azureNSGVersion2() throws {
    let (report, sink) = try readFlowLog(path: fixture("azure-nsg-v2.json"))
    #expect(report.format == "azure-nsg")
    #expect(report.records == 9)
    #expect(report.malformed.total == 0)
    // Begin tuples count the flow; continuation and end tuples add packets and bytes since the last one.
    // Denied flows have only a begin tuple: flows without packets.
    #expect(
      sink.bySource == [
        "37.9.9.9": [0, 0, 1], "37.9.9.10": [0, 0, 1], "5.8.50.1": [34, 17778, 1], "62.0.99.1": [12, 14400, 1],
        "10.5.16.4": [9, 1200, 1],
      ])
    let udp = try #require(sink.observations.first { $0.source == IPAddress("62.0.99.1") })
    #expect(udp.protocolNumber == 17 && udp.destinationPort == 443)
    #expect(udp.timestamp == Timestamp(seconds: 1_741_600_804))
  }

  @Test func azureNSGVersion1() throws {
    let (report, sink) = try readFlowLog(path: fixture("azure-nsg-v1.json"))
    #expect(report.format == "azure-nsg")
    #expect(
      sink.bySource == ["101.1.2.3": [0, 0, 1], "5.10.66.17": [0, 0, 1], "5.10.218.34": [0, 0, 1], "91.2.89.229": [0, 0, 1]])
  }

  @Test func azureVNet() throws {
    let (report, sink) = try readFlowLog(path: fixture("azure-vnet.json"))
    #expect(report.format == "azure-vnet")
    #expect(report.records == 9)
    #expect(
      sink.bySource == [
        "10.0.0.6": [3, 767, 1], "5.8.218.153": [0, 0, 1], "5.9.200.164": [0, 0, 1], "5.8.2.10": [1073, 618048, 1],
        "2a02:2378:77::51": [10, 12000, 1],
      ])
    // Milliseconds since the epoch.
    #expect(sink.observations.first?.timestamp == Timestamp(nanoseconds: 1_741_600_803_599_000_000))
  }

  @Test func azureDocumentsConcatenatedOrOnePerLine() throws {
    let v2 = try fixtureText("azure-nsg-v2.json")
    let vnet = try fixtureText("azure-vnet.json")
    let alone = try readFlowLog(path: fixture("azure-nsg-v2.json")).sink.bySource
    let vnetAlone = try readFlowLog(path: fixture("azure-vnet.json")).sink.bySource
    // Blobs appended to one another, and the same documents one per line.
    let compact = try [v2, vnet].map { text -> String in
      let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
      return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
    for text in [v2 + vnet, compact.joined(separator: "\n") + "\n"] {
      let (report, sink) = try readFlowLog(text)
      #expect(report.records == 18)
      #expect(report.malformed.total == 0)
      #expect(report.format == "azure")
      #expect(sink.bySource == alone.merging(vnetAlone) { a, b in zip(a, b).map { $0 + $1 } })
    }
  }

  @Test func genericCSVWithWellKnownHeaders() throws {
    let (report, sink) = try readFlowLog(path: fixture("firewall-export.csv"))
    #expect(report.format == "csv")
    #expect(report.records == 3)
    #expect(report.malformed.total == 0)
    #expect(sink.bySource == ["5.8.1.1": [12, 4800, 1], "5.9.2.2": [1, 76, 1], "62.0.2.2": [3, 180, 1]])
    // ISO 8601 with an offset, and epoch seconds with a fraction; the third record spans two lines.
    #expect(sink.observations[1].timestamp == Timestamp.iso("2025-03-10T09:00:01Z"))
    #expect(sink.observations[2].timestamp == Timestamp(seconds: 1_741_600_802, nanoseconds: 500_000_000))
    #expect(sink.observations[0].protocolNumber == 6 && sink.observations[1].protocolNumber == 17)
  }

  @Test func genericCSVWithColumnMapping() throws {
    var options = FlowLogOptions()
    options.columns = try ColumnMapping(parsing: "src=Client|Client6,time=When,bytes=Octets,packets=3")
    let csv = """
      When,Client,Pkts,Octets,Client6
      1741600800,5.8.0.1,4,400,
      1741600801,,2,100,2a02:2378::77
      1741600802,62.0.0.9,,50,

      """
    let (report, sink) = try readFlowLog(csv, format: .csv, options: options)
    #expect(report.records == 3)
    // Column 3 (Pkts) is empty in the last record: its counters are unset.
    #expect(sink.skipped == ["unset-counters": 1])
    #expect(sink.bySource == ["5.8.0.1": [4, 400, 1], "2a02:2378::77": [2, 100, 1]])
  }
}
