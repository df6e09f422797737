import NetCore
import NetFlow
import TestSupport
import Testing

/// NetFlow v9 datagrams built in the test: templates, data, options and the template cache.
@Suite struct NetFlowV9Tests {
  let seconds: UInt32 = 1_741_613_400
  let uptime: UInt32 = 7_200_000

  /// IPv4 template 256: src, dst, FIRST_SWITCHED, LAST_SWITCHED, bytes, packets, ports, protocol,
  /// flags, an unread field (INPUT_SNMP), minimumTTL. 33 bytes per record.
  static let ipv4Fields: [Export.Field] = [
    .init(8, 4), .init(12, 4), .init(22, 4), .init(21, 4), .init(1, 4), .init(2, 4), .init(7, 2), .init(11, 2),
    .init(4, 1), .init(6, 1), .init(10, 2), .init(52, 1),
  ]
  func ipv4Record(_ src: String, _ dst: String, first: UInt32, octets: UInt32, packets: UInt32, ttl: UInt8 = 50) -> [UInt8] {
    Export.v4(src) + Export.v4(dst) + Export.be32(first) + Export.be32(first + 10) + Export.be32(octets)
      + Export.be32(packets) + Export.be16(51000) + Export.be16(53) + [17, 0] + Export.be16(7) + [ttl]
  }

  /// IPv6 template 257: src, dst, 8-byte octetDeltaCount, 8-byte packetDeltaCount, protocol.
  static let ipv6Fields: [Export.Field] = [.init(27, 16), .init(28, 16), .init(1, 8), .init(2, 8), .init(4, 1)]
  func ipv6Record(_ src: String, octets: UInt64, packets: UInt64) -> [UInt8] {
    Export.v6(src) + Export.v6("2001:db8::1") + Export.be64(octets) + Export.be64(packets) + [58]
  }

  var templates: [UInt8] {
    Export.set(0, Export.template(256, Self.ipv4Fields) + Export.template(257, Self.ipv6Fields))
  }

  @Test func templateAndDataInOneDatagram() {
    let data4 = ipv4Record("5.8.1.1", "104.244.42.1", first: uptime - 5_000, octets: 1_500, packets: 3)
      + ipv4Record("203.0.113.9", "104.244.42.2", first: uptime, octets: 80, packets: 1, ttl: 240)
    let data6 = ipv6Record("2a02:2378::1", octets: 5_000_000_000, packets: 4_000_000)
    // The v4 set ends in 2 bytes of padding, the v6 set in 3; the header's count is wrong on purpose.
    let datagram = Export.v9(
      uptime: uptime, seconds: seconds, count: 99,
      [templates, Export.set(256, data4, padding: 2), Export.set(257, data6, padding: 3)])
    var sink = CollectingSink()
    let result = ExportDecoder().decode(datagram, into: &sink)
    #expect(result.damage == nil)
    #expect(result.records == 3)
    #expect(sink.skipped.isEmpty)
    let export = ns(Int64(seconds))
    #expect(
      sink.flows.map(\.summary) == [
        "5.8.1.1->104.244.42.1 p17 51000->53 pk3 by1500/1500 fl1 ttl50 tcp0 t\(export - ns(5))",
        "203.0.113.9->104.244.42.2 p17 51000->53 pk1 by80/80 fl1 ttl240 tcp0 t\(export)",
        "2a02:2378::1->2001:db8::1 p58 -->- pk4000000 by5000000000/5000000000 fl1 ttl- tcp- t\(export)",
      ])
  }

  @Test func dataBeforeItsTemplateIsSkippedNotGuessed() {
    let decoder = ExportDecoder()
    var sink = CollectingSink()
    let data = Export.set(256, ipv4Record("5.8.1.1", "104.244.42.1", first: uptime, octets: 100, packets: 1))
    let early = decoder.decode(Export.v9(uptime: uptime, seconds: seconds, [data]), into: &sink)
    #expect(early.records == 0)
    #expect(early.damage == nil)
    #expect(sink.skipped == ["no-template": 1])
    // The template arrives; the same data now decodes.
    decoder.decode(Export.v9(uptime: uptime, seconds: seconds, [templates]), into: &sink)
    let late = decoder.decode(Export.v9(uptime: uptime, seconds: seconds, [data]), into: &sink)
    #expect(late.records == 1)
    #expect(decoder.templateCount == 2)
  }

  @Test func templatesBelongToTheirExporterAndSourceID() {
    let decoder = ExportDecoder()
    var sink = CollectingSink()
    decoder.decode(Export.v9(uptime: uptime, seconds: seconds, sourceID: 1, [templates]), from: "192.0.2.10", into: &sink)
    let data = Export.set(256, ipv4Record("5.8.1.1", "104.244.42.1", first: uptime, octets: 100, packets: 1))
    let sameSourceID = decoder.decode(Export.v9(uptime: uptime, seconds: seconds, sourceID: 1, [data]), from: "192.0.2.10", into: &sink)
    let otherSourceID = decoder.decode(Export.v9(uptime: uptime, seconds: seconds, sourceID: 2, [data]), from: "192.0.2.10", into: &sink)
    let otherExporter = decoder.decode(Export.v9(uptime: uptime, seconds: seconds, sourceID: 1, [data]), from: "192.0.2.11", into: &sink)
    // An IPFIX message from the same exporter and domain does not see v9 templates either.
    let ipfix = decoder.decode(Export.ipfix(exportTime: seconds, domain: 1, [data]), from: "192.0.2.10", into: &sink)
    #expect([sameSourceID.records, otherSourceID.records, otherExporter.records, ipfix.records] == [1, 0, 0, 0])
    #expect(sink.skipped == ["no-template": 3])
  }

  @Test func aRedefinedTemplateReplacesTheOldOne() {
    let decoder = ExportDecoder()
    var sink = CollectingSink()
    decoder.decode(Export.v9(uptime: uptime, seconds: seconds, [templates]), into: &sink)
    let narrow: [Export.Field] = [.init(8, 4), .init(2, 4)]
    decoder.decode(Export.v9(uptime: uptime, seconds: seconds, [Export.set(0, Export.template(256, narrow))]), into: &sink)
    let data = Export.set(256, Export.v4("5.8.1.1") + Export.be32(7) + Export.v4("5.8.1.2") + Export.be32(9))
    let result = decoder.decode(Export.v9(uptime: uptime, seconds: seconds, [data]), into: &sink)
    #expect(result.records == 2)
    #expect(sink.flows.map(\.packets) == [7, 9])
    #expect(sink.flows.map(\.wireBytes) == [0, 0])
  }

  @Test func optionsDataSetsSamplingPerExporterAndPerSampler() {
    let decoder = ExportDecoder()
    var sink = CollectingSink()
    // Options template 300: scope System (type 1, 4 bytes); options SAMPLING_INTERVAL (34, 4 bytes),
    // SAMPLING_ALGORITHM (35, 1 byte). Options template 301: scope System; FLOW_SAMPLER_ID (48, 1),
    // FLOW_SAMPLER_MODE (49, 1), FLOW_SAMPLER_RANDOM_INTERVAL (50, 4).
    let options = Export.set(
      1,
      Export.v9OptionsTemplate(300, scope: [.init(1, 4)], options: [.init(34, 4), .init(35, 1)])
        + Export.v9OptionsTemplate(301, scope: [.init(1, 4)], options: [.init(48, 1), .init(49, 1), .init(50, 4)]),
      padding: 0)
    // Template 258: IPv4 source, packets, octets, FLOW_SAMPLER_ID.
    let sampled = Export.set(0, Export.template(258, [.init(8, 4), .init(2, 4), .init(1, 4), .init(48, 1)]))
    let optionData =
      Export.set(300, Export.be32(0) + Export.be32(10) + [1], padding: 3)
      + Export.set(301, Export.be32(0) + [7, 2] + Export.be32(1000), padding: 2)
    let data = Export.set(
      258,
      Export.v4("5.8.1.1") + Export.be32(2) + Export.be32(100) + [7]  // sampler 7: 1 in 1000
        + Export.v4("5.8.1.2") + Export.be32(3) + Export.be32(200) + [9],  // unknown sampler: exporter's 1 in 10
      padding: 2)
    let result = decoder.decode(
      Export.v9(uptime: uptime, seconds: seconds, [options, sampled, optionData, data]), into: &sink)
    #expect(result.damage == nil)
    #expect(result.records == 2)
    #expect(sink.skipped == ["options-record": 2])
    #expect(sink.flows.map(\.packets) == [2_000, 30])
    #expect(sink.flows.map(\.wireBytes) == [100_000, 2_000])
    #expect(sink.intervals == [1000, 10])
  }

  @Test func recordsWithoutASourceAddressAreCounted() {
    let template = Export.set(0, Export.template(260, [.init(12, 4), .init(2, 4)]))
    let data = Export.set(260, Export.v4("104.244.42.1") + Export.be32(5))
    var sink = CollectingSink()
    let result = ExportDecoder().decode(Export.v9(uptime: uptime, seconds: seconds, [template, data]), into: &sink)
    #expect(result.records == 0)
    #expect(sink.skipped == ["no-source-address": 1])
  }
}
