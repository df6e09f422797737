import NetCore
import NetFlow
import TestSupport
import Testing

/// IPFIX messages built in the test: enterprise and variable-length fields, every time encoding,
/// withdrawal, options and sampling.
@Suite struct IPFIXTests {
  let exportTime: UInt32 = 1_741_613_400

  /// Template 400: an enterprise field (PEN 29305, reverse octets) before the source, a
  /// variable-length field (interfaceName) between the counters, another variable-length
  /// enterprise field at the end.
  static let mixedFields: [Export.Field] = [
    .init(1, 8, enterprise: 29305), .init(8, 4), .init(12, 4), .init(2, 4), .init(82, 65535), .init(1, 4),
    .init(7, 2), .init(11, 2), .init(4, 1), .init(152, 8), .init(6, 2), .init(5, 65535, enterprise: 9),
  ]

  func mixedRecord(_ src: String, packets: UInt32, octets: UInt32, name: [UInt8], blob: [UInt8], long: Bool = false, startMs: UInt64) -> [UInt8] {
    Export.be64(999_999) + Export.v4(src) + Export.v4("104.244.42.65") + Export.be32(packets)
      + Export.variable(name, long: long) + Export.be32(octets) + Export.be16(443) + Export.be16(51000) + [6]
      + Export.be64(startMs) + Export.be16(0x0012) + Export.variable(blob, long: long)
  }

  @Test func enterpriseAndVariableLengthFieldsAreSkippedByLength() {
    let templates = Export.set(2, Export.template(400, Self.mixedFields))
    let start: UInt64 = 1_741_613_399_123
    let data = Export.set(
      400,
      mixedRecord("5.8.1.1", packets: 3, octets: 180, name: Array("eth0".utf8), blob: [], startMs: start)
        + mixedRecord("77.1.2.3", packets: 5, octets: 900, name: [], blob: [UInt8](repeating: 0xAB, count: 300), startMs: start + 1)
        + mixedRecord("176.36.0.1", packets: 7, octets: 700, name: Array("ge-0/0/1".utf8), blob: [1, 2], long: true, startMs: start + 2),
      padding: 3)
    var sink = CollectingSink()
    let result = ExportDecoder().decode(Export.ipfix(exportTime: exportTime, [templates, data]), into: &sink)
    #expect(result.damage == nil)
    #expect(sink.skipped.isEmpty)
    #expect(
      sink.flows.map(\.summary) == [
        "5.8.1.1->104.244.42.65 p6 443->51000 pk3 by180/180 fl1 ttl- tcp18 t\(Int64(start) * 1_000_000)",
        "77.1.2.3->104.244.42.65 p6 443->51000 pk5 by900/900 fl1 ttl- tcp18 t\(Int64(start + 1) * 1_000_000)",
        "176.36.0.1->104.244.42.65 p6 443->51000 pk7 by700/700 fl1 ttl- tcp18 t\(Int64(start + 2) * 1_000_000)",
      ])
  }

  @Test func everyStartTimeEncoding() throws {
    let decoder = ExportDecoder()
    var sink = CollectingSink()
    let t = ns(1_741_613_000, ms: 456)  // 2025-03-10 13:23:20.456 UTC
    let initTime: UInt64 = 1_741_600_000_000
    // One template per encoding, each with the source and one start time field.
    let templates = Export.set(
      2,
      Export.template(500, [.init(8, 4), .init(150, 4)]) + Export.template(501, [.init(8, 4), .init(152, 8)])
        + Export.template(502, [.init(8, 4), .init(154, 8)]) + Export.template(503, [.init(8, 4), .init(156, 8)])
        + Export.template(504, [.init(8, 4), .init(22, 4), .init(160, 8)]) + Export.template(505, [.init(8, 4), .init(158, 4)])
        + Export.template(506, [.init(8, 4), .init(22, 4)]) + Export.template(507, [.init(8, 4), .init(2, 4)]))
    let src = Export.v4("5.8.1.1")
    let sets = [
      templates,
      Export.set(500, src + Export.be32(UInt32(t / 1_000_000_000))),
      Export.set(501, src + Export.be64(UInt64(t / 1_000_000))),
      Export.set(502, src + Export.ntp(t + 789_000)),
      Export.set(503, src + Export.ntp(t + 789_123)),
      Export.set(504, src + Export.be32(UInt32(UInt64(t / 1_000_000) - initTime)) + Export.be64(initTime)),
      Export.set(505, src + Export.be32(1_500_000)),
    ]
    let result = decoder.decode(Export.ipfix(exportTime: exportTime, sets), into: &sink)
    #expect(result.damage == nil)
    let times = sink.flows.map(\.timestamp.nanoseconds)
    try #require(times.count == 6)
    #expect(times[0] == t - 456_000_000)
    #expect(times[1] == t)
    #expect(abs(times[2] - (t + 789_000)) < 1_000)  // microseconds: the low 11 fraction bits are dropped
    #expect(times[3] == t + 789_123)
    #expect(times[4] == t)
    #expect(times[5] == ns(Int64(exportTime)) - 1_500_000_000)

    // flowStartSysUpTime with systemInitTimeMilliseconds from an options record (scope:
    // meteringProcessId), as softflowd exports them; before the options record, the export time.
    sink = CollectingSink()
    let uptimeRecord = Export.set(506, src + Export.be32(60_000))
    decoder.decode(Export.ipfix(exportTime: exportTime, [uptimeRecord]), into: &sink)
    let options = Export.set(3, Export.ipfixOptionsTemplate(600, scope: [.init(143, 4)], options: [.init(160, 8)]))
    let optionData = Export.set(600, Export.be32(1) + Export.be64(initTime))
    decoder.decode(Export.ipfix(exportTime: exportTime, [options, optionData, uptimeRecord]), into: &sink)
    #expect(sink.flows.map(\.timestamp.nanoseconds) == [ns(Int64(exportTime)), Int64(initTime + 60_000) * 1_000_000])
    #expect(sink.skipped == ["options-record": 1])

    // No start time at all: the export time.
    sink = CollectingSink()
    decoder.decode(Export.ipfix(exportTime: exportTime, [Export.set(507, src + Export.be32(1))]), into: &sink)
    #expect(sink.flows.map(\.timestamp.nanoseconds) == [ns(Int64(exportTime))])
  }

  @Test func withdrawalRemovesOneTemplateOrAll() {
    let decoder = ExportDecoder()
    var sink = CollectingSink()
    let fields: [Export.Field] = [.init(8, 4), .init(2, 4)]
    let define = Export.set(2, Export.template(700, fields) + Export.template(701, fields))
    let defineOptions = Export.set(3, Export.ipfixOptionsTemplate(702, scope: [.init(143, 4)], options: [.init(160, 8)]))
    decoder.decode(Export.ipfix(exportTime: exportTime, [define, defineOptions]), into: &sink)
    #expect(decoder.templateCount == 3)
    // Withdraw 700 (field count 0).
    decoder.decode(Export.ipfix(exportTime: exportTime, [Export.set(2, Export.be16(700) + Export.be16(0))]), into: &sink)
    #expect(decoder.templateCount == 2)
    let data700 = Export.set(700, Export.v4("5.8.1.1") + Export.be32(1))
    let data701 = Export.set(701, Export.v4("5.8.1.1") + Export.be32(1))
    let r = decoder.decode(Export.ipfix(exportTime: exportTime, [data700, data701]), into: &sink)
    #expect(r.records == 1)
    #expect(sink.skipped == ["no-template": 1])
    // Withdraw all templates (template ID 2 in a template set): the options template stays.
    decoder.decode(Export.ipfix(exportTime: exportTime, [Export.set(2, Export.be16(2) + Export.be16(0))]), into: &sink)
    #expect(decoder.templateCount == 1)
    // Withdraw all options templates.
    decoder.decode(Export.ipfix(exportTime: exportTime, [Export.set(3, Export.be16(3) + Export.be16(0))]), into: &sink)
    #expect(decoder.templateCount == 0)
  }

  @Test func packetIntervalAndSpaceScaleCounts() {
    // softflowd's options: meteringProcessId scope; systemInitTimeMilliseconds,
    // samplingPacketInterval, samplingPacketSpace, selectorAlgorithm, interfaceName (16 bytes).
    let options = Export.set(
      3,
      Export.ipfixOptionsTemplate(
        256, scope: [.init(143, 4)], options: [.init(160, 8), .init(305, 4), .init(306, 4), .init(304, 2), .init(82, 16)]))
    func optionData(interval: UInt32, space: UInt32) -> [UInt8] {
      Export.set(256, Export.be32(1) + Export.be64(0) + Export.be32(interval) + Export.be32(space) + Export.be16(1) + [UInt8](repeating: 0x41, count: 16))
    }
    let template = Export.set(2, Export.template(1024, [.init(8, 4), .init(1, 4), .init(2, 4)]))
    let data = Export.set(1024, Export.v4("5.8.1.1") + Export.be32(300) + Export.be32(4))
    let decoder = ExportDecoder()
    var sink = CollectingSink()
    decoder.decode(Export.ipfix(exportTime: exportTime, [options, optionData(interval: 1, space: 0), template, data]), into: &sink)
    decoder.decode(Export.ipfix(exportTime: exportTime, [optionData(interval: 1, space: 9), data]), into: &sink)
    decoder.decode(Export.ipfix(exportTime: exportTime, [optionData(interval: 2, space: 198), data]), into: &sink)
    #expect(sink.flows.map(\.packets) == [4, 40, 400])
    #expect(sink.flows.map(\.ipBytes) == [300, 3_000, 30_000])
    #expect(sink.intervals == [1, 10, 100])
  }

  @Test func totalCountersAndTTLAreRead() {
    let template = Export.set(2, Export.template(800, [.init(27, 16), .init(85, 4), .init(86, 2), .init(192, 1), .init(4, 1)]))
    let data = Export.set(800, Export.v6("2a02:2378::5") + Export.be32(123_456) + Export.be16(321) + [63, 17])
    var sink = CollectingSink()
    ExportDecoder().decode(Export.ipfix(exportTime: exportTime, [template, data]), into: &sink)
    #expect(sink.flows.map(\.summary) == ["2a02:2378::5->:: p17 -->- pk321 by123456/123456 fl1 ttl63 tcp- t\(ns(Int64(exportTime)))"])
  }
}
