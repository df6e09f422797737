import Foundation
import NetCore
import TestSupport
import Testing

/// `origincheck analyze` run as a user runs it: damaged and unreadable inputs, several inputs,
/// the options, and bad usage. Captures are written here byte by byte, so every count is known
/// by construction; origins come from the test database (GeoDB/test/country.csv).
@Suite struct AnalyzeCommandTests {
  static let testDB = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path

  /// One record of a capture: the source, the IP packet's length and the length on the wire.
  struct Record {
    var source: String?  // nil: a record with no IP packet
    var ipBytes: Int
    var wireBytes: Int
    /// The origin the test database gives the source: a country code, `special` or `unknown`.
    var origin: String
  }

  /// Records cycling over countries, special-purpose and unknown sources, IPv4 and IPv6.
  static let sources: [(String, String)] = [
    ("5.8.1.1", "UA"), ("5.9.0.1", "DE"), ("62.0.3.4", "GB"), ("5.8.7.9", "UA"), ("131.5.6.7", "US"),
    ("2a02:2378::5", "UA"), ("10.0.0.7", "special"), ("185.0.1.1", "XK"), ("143.0.0.5", "unknown"),
    ("2a00:1450::1", "IE"), ("fe80::1", "special"), ("9.9.9.9", "unknown"), ("5.8.1.1", "UA"),
  ]

  static func records(count: Int, offset: Int = 0) -> [Record] {
    (0..<count).map { i in
      let (source, origin) = sources[(i + offset) % sources.count]
      let ip = 40 + (i * 37) % 300 + (source.contains(":") ? 20 : 0)
      // Every fourth record was cut by a snap length: its wire length is longer.
      return Record(source: source, ipBytes: ip, wireBytes: ip + (i % 4 == 3 ? 100 : 0), origin: origin)
    }
  }

  /// A LINKTYPE_RAW pcap (little-endian, microseconds) of `records`, and the byte offset of each record.
  static func pcap(_ records: [Record]) -> (data: Data, offsets: [Int]) {
    var d = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
    u32(0xa1b2_c3d4); u16(2); u16(4); u32(0); u32(0); u32(65535); u32(101)
    var offsets: [Int] = []
    for (i, r) in records.enumerated() {
      offsets.append(d.count)
      let packet = ipPacket(r)
      u32(1_700_000_000 + UInt32(i)); u32(0); u32(UInt32(packet.count)); u32(UInt32(r.wireBytes))
      d.append(contentsOf: packet)
    }
    return (d, offsets)
  }

  /// The captured bytes of a record's IP packet (all of it unless it was cut by the snap length).
  static func ipPacket(_ r: Record) -> [UInt8] {
    guard let source = r.source, let address = IPAddress(source) else { return [0x00, 0x01, 0x02, 0x03] }
    var p: [UInt8]
    switch address {
    case .v4(let a):
      p = [0x45, 0, UInt8(r.ipBytes >> 8), UInt8(r.ipBytes & 0xff), 0, 1, 0, 0, 64, 17, 0, 0]
      p += withUnsafeBytes(of: a.value.bigEndian, Array.init)
      p += [93, 184, 216, 34]
    case .v6(let a):
      let payload = r.ipBytes - 40
      p = [0x60, 0, 0, 0, UInt8(payload >> 8), UInt8(payload & 0xff), 17, 64]
      p += withUnsafeBytes(of: a.high.bigEndian, Array.init) + withUnsafeBytes(of: a.low.bigEndian, Array.init)
      p += [0x2a, 0x00, 0x14, 0x50] + [UInt8](repeating: 0, count: 11) + [1]
    }
    p += [UInt8](repeating: 0xab, count: r.ipBytes - p.count)
    // A record whose wire length is longer was cut after 60 bytes.
    return r.wireBytes > r.ipBytes ? Array(p.prefix(60)) : p
  }

  typealias Counts = [String: [Int]]  // origin -> [packets, wireBytes, ipBytes, sources]

  static func expected(_ records: some Sequence<Record>) -> Counts {
    var counts: Counts = [:]
    var seen: [String: Set<String>] = [:]
    for r in records {
      guard let source = r.source else { continue }
      var c = counts[r.origin] ?? [0, 0, 0, 0]
      c[0] += 1
      c[1] += r.wireBytes
      c[2] += r.ipBytes
      seen[r.origin, default: []].insert(source)
      c[3] = seen[r.origin]!.count
      counts[r.origin] = c
    }
    return counts
  }

  /// Per-origin counts in `analyze --format json` output, special kinds summed.
  static func counts(_ json: [String: Any]) -> Counts {
    var counts: Counts = [:]
    for o in json["origins"] as? [[String: Any]] ?? [] {
      let kind = o["kind"] as? String ?? "?"
      let key = kind == "country" ? o["code"] as? String ?? "?" : kind
      let values = ["packets", "wireBytes", "ipBytes", "sources"].map { (o[$0] as? NSNumber)?.intValue ?? -1 }
      counts[key] = zip(counts[key] ?? [0, 0, 0, 0], values).map { $0 + $1 }
    }
    return counts
  }

  static func totals(_ json: [String: Any], _ key: String) -> Int { ((json["totals"] as? [String: Any])?[key] as? NSNumber)?.intValue ?? -1 }

  func analyzeJSON(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, json: [String: Any]?, stderr: [Substring]) {
    let out = try origincheck(["analyze", "--format", "json", "--db", Self.testDB] + arguments, input: input)
    let lines = out.stderr.split(separator: "\n")
    let json = out.stdout.isEmpty ? nil : try #require(try parseJSON(out.stdout) as? [String: Any])
    return (out.status, json, lines)
  }

  // MARK: Damaged and unreadable inputs

  /// Where a capture of 12 records is cut: in record `record` (1-based), `into` bytes after its start.
  static let cuts: [(record: Int, into: Int)] = [
    (2, 5), (2, 16), (4, 19), (7, 8), (7, 40), (12, 1), (12, 16 + 20), (12, 16 + 59),
  ]

  @Test(arguments: 0..<cuts.count)
  func captureCutInsideARecord(cut: Int) throws {
    let (record, into) = Self.cuts[cut]
    let records = Self.records(count: 12)
    let (data, offsets) = Self.pcap(records)
    let end = offsets[record - 1] + into
    try #require(end < (record < 12 ? offsets[record] : data.count))
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("cut-\(end).pcap")
    try data.prefix(end).write(to: URL(fileURLWithPath: path))

    let (status, json, stderr) = try analyzeJSON([path])
    #expect(status == 65)
    #expect(stderr.count == 1, "one line expected: \(stderr)")
    #expect(stderr.first?.contains(path) == true && stderr.first?.contains("record \(record)") == true, "\(stderr)")
    let summary = try #require(json, "the summary of what was read is still printed")
    #expect(Self.totals(summary, "records") == record - 1)
    #expect(Self.counts(summary) == Self.expected(records.prefix(record - 1)))
    let input = try #require((summary["inputs"] as? [[String: Any]])?.first)
    #expect(input["damaged"] as? Bool == true)
    #expect((input["error"] as? String)?.contains("record \(record)") == true, "\(input)")

    // The same bytes gzip-compressed, and a gzip stream that itself ends early.
    let gz = try run("gzip", ["-k", "-n", path])
    try #require(gz.status == 0, "gzip: \(gz.stderr)")
    let fromGzip = try analyzeJSON([path + ".gz"])
    #expect(fromGzip.status == 65 && fromGzip.stderr.count == 1)
    #expect(Self.counts(try #require(fromGzip.json)) == Self.expected(records.prefix(record - 1)))
  }

  @Test func gzipStreamThatEndsEarly() throws {
    let records = Self.records(count: 40)
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let plain = dir.path("whole.pcap")
    try Self.pcap(records).data.write(to: URL(fileURLWithPath: plain))
    try #require(try run("gzip", ["-n", plain]).status == 0)
    let compressed = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
    let path = dir.path("cut.pcap.gz")
    try compressed.prefix(compressed.count * 2 / 3).write(to: URL(fileURLWithPath: path))
    let (status, json, stderr) = try analyzeJSON([path])
    #expect(status == 65)
    #expect(stderr.count == 1 && stderr.first?.contains(path) == true, "\(stderr)")
    let summary = try #require(json)
    let read = Self.totals(summary, "records")
    #expect(read > 0 && read < 40)
    #expect(Self.counts(summary) == Self.expected(records.prefix(read)))
  }

  @Test func absurdRecordLength() throws {
    let records = Self.records(count: 8)
    let (data, offsets) = Self.pcap(records)
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    for record in [5, 1] {
      var d = data
      // The captured-length field is the third of the record header's four.
      let at = offsets[record - 1] + 8
      d.replaceSubrange(at..<at + 4, with: [0xff, 0xff, 0xff, 0x7f])
      let path = dir.path("absurd-\(record).pcap")
      try d.write(to: URL(fileURLWithPath: path))
      let (status, json, stderr) = try analyzeJSON([path])
      #expect(stderr.count == 1, "one line expected: \(stderr)")
      #expect(stderr.first?.contains(path) == true && stderr.first?.contains("record \(record)") == true, "\(stderr)")
      if record == 1 {
        #expect(status == 66)
        #expect(json == nil)
      } else {
        #expect(status == 65)
        let summary = try #require(json)
        #expect(Self.totals(summary, "records") == record - 1)
        #expect(Self.counts(summary) == Self.expected(records.prefix(record - 1)))
      }
    }
  }

  @Test func inputsWithNothingToRead() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let (data, offsets) = Self.pcap(Self.records(count: 4))
    var badMagic = data
    badMagic.replaceSubrange(0..<4, with: [0x00, 0x01, 0x02, 0x03])
    try badMagic.write(to: URL(fileURLWithPath: dir.path("bad-magic.pcap")))
    try data.prefix(offsets[0] + 10).write(to: URL(fileURLWithPath: dir.path("cut-first.pcap")))
    try data.prefix(10).write(to: URL(fileURLWithPath: dir.path("cut-header.pcap")))
    try Data().write(to: URL(fileURLWithPath: dir.path("empty.pcap")))
    try "hello,world\nthis is not a capture\n".write(toFile: dir.path("text.csv"), atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: dir.path("a-directory"), withIntermediateDirectories: false)
    let cases: [(String, String)] = [
      ("bad-magic.pcap", "not a packet capture"), ("cut-first.pcap", "record 1"), ("cut-header.pcap", "truncated header"),
      ("empty.pcap", "empty"), ("text.csv", "not a packet capture"), ("missing.pcap", "no such file"),
      ("a-directory", "directory"),
    ]
    for (name, message) in cases {
      let path = dir.path(name)
      let (status, json, stderr) = try analyzeJSON([path])
      #expect(status == 66, "\(name)")
      #expect(json == nil, "\(name): nothing to summarise")
      #expect(stderr.count == 1, "\(name): one line expected: \(stderr)")
      #expect(stderr.first?.contains(path) == true && stderr.first?.contains(message) == true, "\(name): \(stderr)")
    }
  }

  @Test func oneUnreadableInputAmongGoodOnes() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let records = Self.records(count: 9)
    try Self.pcap(records).data.write(to: URL(fileURLWithPath: dir.path("good.pcap")))
    let (status, json, stderr) = try analyzeJSON([dir.path("good.pcap"), dir.path("missing.pcap")])
    #expect(status == 65)
    #expect(stderr.count == 1 && stderr.first?.contains(dir.path("missing.pcap")) == true, "\(stderr)")
    let summary = try #require(json)
    #expect(Self.counts(summary) == Self.expected(records))
    let inputs = try #require(summary["inputs"] as? [[String: Any]])
    #expect(inputs.count == 2)
    #expect(inputs.last?["error"] is String)
  }

  // MARK: Several inputs and the options

  @Test func severalInputsAggregate() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let a = Self.records(count: 13)
    // Sources other than a's, of the same origins.
    let b = [
      ("5.8.9.9", "UA"), ("5.9.3.3", "DE"), ("131.7.7.7", "US"), ("2a02:2378::77", "UA"), ("192.168.5.5", "special"),
      ("9.9.9.10", "unknown"), ("62.0.9.9", "GB"),
    ].enumerated().map { i, s in Record(source: s.0, ipBytes: 100 + i, wireBytes: 114 + i, origin: s.1) }
    try Self.pcap(a).data.write(to: URL(fileURLWithPath: dir.path("a.pcap")))
    try Self.pcap(b).data.write(to: URL(fileURLWithPath: dir.path("b.pcap")))
    let ca = try #require(try analyzeJSON([dir.path("a.pcap")]).json)
    let cb = try #require(try analyzeJSON([dir.path("b.pcap")]).json)
    let both = try analyzeJSON([dir.path("a.pcap"), dir.path("b.pcap")])
    #expect(both.status == 0 && both.stderr.isEmpty)
    let ab = try #require(both.json)
    #expect(Self.counts(ca) == Self.expected(a))
    #expect(Self.counts(cb) == Self.expected(b))
    #expect(Self.counts(ab) == Self.expected(a + b))
    for key in ["records", "ipPackets", "wireBytes", "ipBytes"] {
      #expect(Self.totals(ab, key) == Self.totals(ca, key) + Self.totals(cb, key), "\(key)")
    }
    // The same file twice: every count doubles except distinct sources.
    let twice = try #require(try analyzeJSON([dir.path("a.pcap"), dir.path("a.pcap")]).json)
    #expect(Self.counts(twice) == Self.counts(ca).mapValues { [$0[0] * 2, $0[1] * 2, $0[2] * 2, $0[3]] })
    #expect(Self.totals(twice, "sources") == Self.totals(ca, "sources"))
    #expect((twice["inputs"] as? [Any])?.count == 2)
  }

  func table(_ arguments: [String]) throws -> [Substring] {
    let out = try origincheck(["analyze"] + arguments)
    #expect(out.status == 0, "\(out.stderr)")
    return out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
  }

  /// The origin rows of a table: between the dashed rule and the blank line after it.
  func rows(_ lines: [Substring]) -> [Substring] {
    guard let rule = lines.firstIndex(where: { $0.hasPrefix("----") }) else { return [] }
    return Array(lines[(rule + 1)...].prefix { !$0.isEmpty })
  }

  /// The cells of a table row: columns are two or more spaces apart.
  func cells(_ row: Substring) -> [String] {
    row.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  @Test func byContinentAndTop() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("c.pcap")
    try Self.pcap(Self.records(count: 26)).data.write(to: URL(fileURLWithPath: path))

    let byCountry = rows(try table(["--db", Self.testDB, path]))
    #expect(byCountry.first?.hasPrefix("UA Ukraine") == true, "\(byCountry)")
    #expect(byCountry.count == 9)  // UA DE GB US IE XK, special: private, special: link-local, unknown

    let byContinent = rows(try table(["--db", Self.testDB, "--by", "continent", path]))
    let labels = byContinent.map { cells($0).first ?? "" }
    #expect(Set(labels) == ["EU Europe", "NA North America", "special: private", "special: link-local", "unknown"], "\(labels)")
    // Europe: UA (8 of 26), DE, GB, IE, XK (2 each).
    #expect(byContinent.first?.hasPrefix("EU Europe") == true)
    #expect(byContinent.first.map(cells)?.dropFirst().first == "16", "\(byContinent)")

    let top = rows(try table(["--db", Self.testDB, "--top", "2", path]))
    #expect(top.count == 3, "\(top)")
    #expect(top.last?.hasPrefix("(7 more)") == true, "\(top)")
    // The folded row holds the rest of the packets: 26 - UA 8 - the second row's.
    let packets = top.map { Int(cells($0).dropFirst().first ?? "") ?? -1 }
    #expect(packets.reduce(0, +) == 26, "\(top)")
  }

  @Test func outputToAFile() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("c.pcap")
    let records = Self.records(count: 10)
    try Self.pcap(records).data.write(to: URL(fileURLWithPath: path))
    let out = try origincheck(["analyze", "--db", Self.testDB, "--format", "json", "--output", dir.path("s.json"), path])
    #expect(out.status == 0 && out.stdout.isEmpty && out.stderr.isEmpty, "\(out)")
    let written = try String(contentsOfFile: dir.path("s.json"), encoding: .utf8)
    let json = try #require(try parseJSON(written) as? [String: Any])
    #expect(json["schemaVersion"] as? Int == 2)
    #expect(Self.counts(json) == Self.expected(records))
    for key in ["inputs", "databases", "totals", "linkTypes", "origins", "continents"] {
      #expect(json[key] != nil, "\(key)")
    }
    let tableOut = try origincheck(["analyze", "--db", Self.testDB, "-o", dir.path("s.txt"), path])
    #expect(tableOut.status == 0 && tableOut.stdout.isEmpty)
    let text = try String(contentsOfFile: dir.path("s.txt"), encoding: .utf8)
    #expect(text.contains("UA Ukraine"))
    #expect(text == (try origincheck(["analyze", "--db", Self.testDB, path]).stdout))
  }

  @Test func tableFitsEightyColumnsWithLongCountryNames() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let long = ["GS", "UM", "VC", "IO", "HM", "KN", "PM", "TC", "CD", "CF", "VI", "ST"]
    var csv = "network,country\n"
    var records: [Record] = []
    for (i, code) in long.enumerated() {
      csv += "\(20 + i).0.0.0/8,\(code)\n"
      for j in 0..<(i + 1) {
        records.append(Record(source: "\(20 + i).1.2.\(j + 1)", ipBytes: 1400, wireBytes: 123_456_789, origin: code))
      }
    }
    try csv.write(toFile: dir.path("long.csv"), atomically: true, encoding: .utf8)
    let db = dir.path("long.mmdb")
    let built = try origincheck(["geodb", "build", "--csv", dir.path("long.csv"), "-o", db])
    try #require(built.status == 0, "\(built.stderr)")
    // Large counts too: many records of a large wire length.
    let path = dir.path("long.pcap")
    try Self.pcap(records + records.map { var r = $0; r.source = "10.0.0.1"; r.origin = "special"; return r })
      .data.write(to: URL(fileURLWithPath: path))
    let lines = try table(["--db", db, "--top", "30", path])
    #expect(rows(lines).count == long.count + 1)
    #expect(lines.contains { $0.contains("…") }, "long names are shortened")
    for line in lines where !line.contains(path) && !line.contains(db) {
      #expect(line.count <= 80, "\(line.count) columns: \(line)")
    }
  }

  @Test func badUsage() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("c.pcap")
    try Self.pcap(Self.records(count: 3)).data.write(to: URL(fileURLWithPath: path))
    let cases: [([String], String)] = [
      (["--top", "0", path], "--top"), (["--by", "asn", path], "--asn-db"), ([], "<file>"),
      (["--format", "xml", path], "xml"), (["--by", "city", path], "city"), (["-", "-"], "standard input"),
    ]
    for (arguments, message) in cases {
      let out = try origincheck(["analyze", "--db", Self.testDB] + arguments)
      #expect(out.status == 64, "\(arguments)")
      #expect(out.stdout.isEmpty, "\(arguments)")
      let lines = out.stderr.split(separator: "\n")
      #expect(lines.count == 1 && lines.first?.contains(message) == true, "\(arguments): \(out.stderr)")
    }
  }
}
