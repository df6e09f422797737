import NetCore
import NetFlow
import TestSupport
import Testing

/// Damaged datagrams: each is counted by reason with the place of the damage, what came before
/// the damage is still decoded, and nothing loops or reads out of bounds.
@Suite struct MalformedExportTests {
  let seconds: UInt32 = 1_741_613_400
  let template = Export.set(2, Export.template(300, [.init(8, 4), .init(2, 4), .init(1, 4)]))
  func record(_ src: String) -> [UInt8] { Export.v4(src) + Export.be32(2) + Export.be32(120) }

  func decode(_ datagram: [UInt8], decoder: ExportDecoder = ExportDecoder()) -> (DatagramResult, CollectingSink) {
    var sink = CollectingSink()
    let result = decoder.decode(datagram, into: &sink)
    return (result, sink)
  }

  @Test func shortHeaders() {
    for (datagram, text) in [
      ([UInt8]([0]), "byte 0: 1 bytes: no version field"),
      (Array(Export.v9(uptime: 1, seconds: seconds, []).prefix(19)), "byte 0: NetFlow v9 header needs 20 bytes, the datagram has 19"),
      (Array(Export.ipfix(exportTime: seconds, []).prefix(15)), "byte 0: IPFIX header needs 16 bytes, the datagram has 15"),
    ] {
      let (result, sink) = decode(datagram)
      #expect(result.records == 0)
      #expect(result.damage?.description == text)
      #expect(sink.skipped == ["datagram-too-short": 1])
    }
  }

  @Test func unsupportedVersion() {
    let (result, sink) = decode(Export.be16(7) + [UInt8](repeating: 0, count: 30))
    #expect(result.version == 7)
    #expect(result.damage?.reason == .unsupportedVersion)
    #expect(sink.skipped == ["unsupported-version": 1])
  }

  @Test func setLengthPastTheEndKeepsTheSetsBefore() {
    let good = Export.set(300, record("5.8.1.1"))
    let bad = Export.set(300, record("5.8.1.2"), length: 200)
    let datagram = Export.ipfix(exportTime: seconds, [template, good, bad])
    let (result, sink) = decode(datagram)
    #expect(result.records == 1)
    #expect(sink.flows.map(\.source) == [IPAddress("5.8.1.1")!])
    let offset = 16 + template.count + good.count
    #expect(result.damage?.reason == .badSetLength)
    #expect(result.damage?.description == "byte \(offset): Set 300 has length 200, past the end of the datagram (16 bytes left)")
    #expect(sink.skipped == ["bad-set-length": 1])
  }

  @Test func zeroSetLengthEndsTheWalk() {
    // A set of length 0 would never advance; it is damage, and decoding returns.
    for datagram in [
      Export.ipfix(exportTime: seconds, [template, Export.set(300, record("5.8.1.1"), length: 0)]),
      Export.v9(uptime: 1, seconds: seconds, [Export.set(0, [], length: 0), Export.set(256, [], length: 3)]),
    ] {
      let (result, sink) = decode(datagram)
      #expect(result.records == 0)
      #expect(result.damage?.reason == .badSetLength)
      #expect(sink.skipped == ["bad-set-length": 1])
    }
  }

  @Test func ipfixLengthThatIsNotTheDatagrams() {
    // Longer than the datagram (cut in transit): the sets that are there are read.
    let cut = Export.ipfix(exportTime: seconds, length: 100, [template, Export.set(300, record("5.8.1.1"))])
    let (r1, s1) = decode(cut)
    #expect(r1.records == 1)
    #expect(r1.damage?.reason == .badDatagramLength)
    #expect(s1.skipped == ["bad-datagram-length": 1])
    // Shorter than its header.
    let (r2, _) = decode(Export.ipfix(exportTime: seconds, length: 8, [template]))
    #expect(r2.damage?.reason == .badDatagramLength)
  }

  @Test func templateRunningPastItsSet() {
    // Field count 5, but only 2 field specifiers before the set ends.
    let broken = Export.set(2, Export.be16(301) + Export.be16(5) + Export.be16(8) + Export.be16(4) + Export.be16(2) + Export.be16(4))
    let datagram = Export.ipfix(exportTime: seconds, [broken, template, Export.set(300, record("5.8.1.1"))])
    let decoder = ExportDecoder()
    let (result, sink) = decode(datagram, decoder: decoder)
    // The next sets are intact: their template is kept and their record counted.
    #expect(result.records == 1)
    #expect(result.damage?.reason == .badTemplate)
    #expect(result.damage?.offset == 20)
    #expect(sink.skipped == ["bad-template": 1])
    #expect(decoder.templateCount == 1)
  }

  @Test func reservedTemplateIDsAndEmptyRecords() {
    let reservedID = Export.set(2, Export.template(5, [.init(8, 4)]))
    let (r1, _) = decode(Export.ipfix(exportTime: seconds, [reservedID]))
    #expect(r1.damage?.reason == .badTemplate)
    // Every field 0 bytes long: records of 0 bytes cannot be walked.
    let empty = Export.set(0, Export.template(256, [.init(8, 0), .init(2, 0)]))
    let decoder = ExportDecoder()
    let (r2, _) = decode(Export.v9(uptime: 1, seconds: seconds, [empty, Export.set(256, [1, 2, 3, 4])]), decoder: decoder)
    #expect(r2.damage?.reason == .badTemplate)
    #expect(decoder.templateCount == 0)
    // A v9 template with no fields.
    let (r3, _) = decode(Export.v9(uptime: 1, seconds: seconds, [Export.set(0, Export.be16(256) + Export.be16(0))]))
    #expect(r3.damage?.reason == .badTemplate)
  }

  @Test func variableLengthRecordPastItsSet() {
    let t = Export.set(2, Export.template(310, [.init(8, 4), .init(82, 65535)]))
    // The second record says its name has 200 bytes; the set ends first.
    let data = Export.set(310, Export.v4("5.8.1.1") + Export.variable([1, 2]) + Export.v4("5.8.1.2") + [200, 1, 2, 3])
    let (result, sink) = decode(Export.ipfix(exportTime: seconds, [t, data]))
    #expect(result.records == 1)
    #expect(result.damage?.reason == .badRecord)
    #expect(sink.skipped == ["bad-record": 1])
  }

  @Test func reservedSetIDsAreSkipped() {
    let (r1, s1) = decode(Export.ipfix(exportTime: seconds, [Export.set(4, [1, 2, 3, 4]), template, Export.set(300, record("5.8.1.1"))]))
    #expect(r1.records == 1)
    #expect(r1.damage == nil)
    #expect(s1.skipped == ["reserved-set": 1])
    let (r2, s2) = decode(Export.v9(uptime: 1, seconds: seconds, [Export.set(255, [0, 0, 0, 0])]))
    #expect(r2.damage == nil)
    #expect(s2.skipped == ["reserved-set": 1])
  }

  @Test func trailingBytesAfterTheLastSet() {
    let zeros = Export.v9(uptime: 1, seconds: seconds, []) + [0, 0, 0]
    #expect(decode(zeros).0.damage == nil)
    let junk = Export.v9(uptime: 1, seconds: seconds, []) + [1, 2]
    #expect(decode(junk).0.damage?.reason == .badSetLength)
  }

  @Test func limitsBoundTemplatesAndFields() {
    var limits = ExportDecoder.Limits()
    limits.templatesPerDomain = 3
    limits.fieldsPerTemplate = 4
    limits.domains = 2
    let decoder = ExportDecoder(limits: limits)
    var sink = CollectingSink()
    let five: [Export.Field] = [.init(8, 4), .init(2, 4), .init(1, 4), .init(4, 1), .init(7, 2)]
    let set = Export.set(
      2,
      (256...260).flatMap { Export.template(UInt16($0), [.init(8, 4), .init(2, 4)]) } + Export.template(261, five))
    decoder.decode(Export.ipfix(exportTime: seconds, [set]), into: &sink)
    #expect(decoder.templateCount == 3)
    #expect(sink.skipped == ["template-limit": 2, "template-too-many-fields": 1])
    // Redefining a kept template is always allowed.
    decoder.decode(Export.ipfix(exportTime: seconds, [Export.set(2, Export.template(256, [.init(8, 4)]))]), into: &sink)
    #expect(sink.skipped["template-limit"] == 2)
    // A third exporter/domain pair is not kept: its templates are not stored, its data not guessed.
    decoder.decode(Export.ipfix(exportTime: seconds, domain: 1, [Export.set(2, Export.template(256, [.init(8, 4)]))]), into: &sink)
    decoder.decode(Export.ipfix(exportTime: seconds, domain: 2, [Export.set(2, Export.template(256, [.init(8, 4)]))]), into: &sink)
    #expect(decoder.templateCount == 4)
    #expect(sink.skipped["template-limit"] == 3)
  }

  /// Seeded random damage to valid datagrams of every version: decoding always returns, never
  /// reports more records than the datagram can hold, and damage offsets lie inside it.
  @Test func randomDamageNeverCrashesOrLoops() {
    var rng = SeededGenerator(seed: 7)
    let v5 = Export.v5(uptime: 1000, seconds: seconds, [Export.V5Record(), Export.V5Record()])
    let v9 = Export.v9(
      uptime: 1000, seconds: seconds,
      [
        Export.set(0, Export.template(256, [.init(8, 4), .init(2, 4), .init(1, 4)])),
        Export.set(1, Export.v9OptionsTemplate(257, scope: [.init(1, 4)], options: [.init(34, 4)])),
        Export.set(257, Export.be32(0) + Export.be32(10)),
        Export.set(256, record("5.8.1.1") + record("5.8.1.2")),
      ])
    let ipfix = Export.ipfix(
      exportTime: seconds,
      [
        Export.set(2, Export.template(400, IPFIXTests.mixedFields)),
        Export.set(3, Export.ipfixOptionsTemplate(401, scope: [.init(143, 4)], options: [.init(160, 8)])),
        Export.set(401, Export.be32(1) + Export.be64(5)),
        Export.set(400, [UInt8](repeating: 0, count: 8) + record("5.8.1.1") + [3, 1, 2, 3] + [UInt8](repeating: 9, count: 15) + [0]),
      ])
    let decoder = ExportDecoder()
    for base in [v5, v9, ipfix] {
      for _ in 0..<3_000 {
        var d = base
        switch rng.next() % 4 {
        case 0: d = Array(d.prefix(Int(rng.next() % UInt64(d.count + 1))))
        case 1:
          for _ in 0...(rng.next() % 4) { d[Int(rng.next() % UInt64(d.count))] = UInt8(truncatingIfNeeded: rng.next()) }
        case 2:
          let i = Int(rng.next() % UInt64(d.count - 1))
          d[i] = 0
          d[i + 1] = UInt8(truncatingIfNeeded: rng.next() % 8)
        default:
          d += (0..<(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        var sink = CollectingSink()
        let result = decoder.decode(d, into: &sink)
        #expect(result.records == sink.flows.count)
        #expect(result.records <= d.count / 4)
        if let damage = result.damage { #expect(damage.offset >= 0 && damage.offset <= d.count) }
      }
    }
  }
}
