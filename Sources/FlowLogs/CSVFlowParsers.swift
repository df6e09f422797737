import Analysis
import NetCore

/// nfdump's CSV output (`nfdump -o csv`): a header line `ts,te,td,sa,da,sp,dp,pr,flg,...,ipkt,ibyt,...`
/// (or none, with `-q`: then the columns are nfdump 1.6/1.7's default order), one flow per line, and a
/// `Summary` block at the end that is not flow records.
///
/// The source is `sa`; packets and bytes are `ipkt` and `ibyt` (nfdump's input counters: the bytes of
/// the flow's IP packets); the time is `ts`, the flow's first packet, which nfdump prints in the local
/// time of the machine it ran on, without an offset: it is read as UTC (run nfdump with `TZ=UTC`). nfdump's
/// CSV has no flow-count column: each line is one flow, unless a `fl` column is present.
struct NfdumpCSVParser: LineRecordParser {
  static let defaultHeader: [String] =
    [
      "ts", "te", "td", "sa", "da", "sp", "dp", "pr", "flg", "fwd", "stos", "ipkt", "ibyt", "opkt", "obyt", "in", "out",
      "sas", "das", "smk", "dmk", "dtos", "dir", "nh", "nhb", "svln", "dvln", "ismc", "odmc", "idmc", "osmc",
    ] + (1...10).map { "mpls\($0)" } + ["cl", "sl", "al", "ra", "eng", "exid", "tr"]

  struct Columns {
    var count: Int
    var ts: Int
    var sa: Int
    var da: Int?
    var sp: Int?
    var dp: Int?
    var pr: Int?
    var flg: Int?
    var ipkt: Int
    var ibyt: Int
    var fl: Int?

    init(names: [String], line: Int) throws(FlowLogError) {
      func index(_ name: String) -> Int? { names.firstIndex(of: name) }
      let missing = ["ts", "sa", "ipkt", "ibyt"].filter { index($0) == nil }
      guard missing.isEmpty, let ts = index("ts"), let sa = index("sa"), let ipkt = index("ipkt"), let ibyt = index("ibyt") else {
        throw FlowLogError("line \(line): the nfdump CSV header has no \(missing.joined(separator: ", ")) column")
      }
      count = names.count
      self.ts = ts
      self.sa = sa
      self.ipkt = ipkt
      self.ibyt = ibyt
      da = index("da")
      sp = index("sp")
      dp = index("dp")
      pr = index("pr")
      flg = index("flg")
      fl = index("fl")
    }
  }

  private(set) var columns: Columns? = nil
  /// After the `Summary` line: the summary's own header and values follow, not flows.
  private var inSummary = false
  private var fields: [UnsafeRawBufferPointer] = []

  mutating func line(_ bytes: UnsafeRawBufferPointer, number: Int, context: RecordContext) throws(FlowLogError) {
    if inSummary { return }
    let line = Delimited.trimmed(bytes)
    if FieldParser.equals(line, "Summary") {
      inSummary = true
      return
    }
    Delimited.split(line, separator: 0x2c, into: &fields)
    if FieldParser.equals(Delimited.trimmed(fields[0]), "ts") {
      columns = try Columns(names: fields.map { String(decoding: Delimited.trimmed($0), as: UTF8.self) }, line: number)
      return
    }
    if columns == nil { columns = try Columns(names: Self.defaultHeader, line: number) }
    guard let c = columns else { return }
    guard fields.count == c.count else {
      return context.skip(.wrongFieldCount, line: number, "\(fields.count) fields, the \(number == 1 ? "default layout" : "header") has \(c.count)")
    }
    func field(_ i: Int) -> UnsafeRawBufferPointer { Delimited.trimmed(fields[i]) }
    guard let source = FieldParser.address(field(c.sa)) else {
      return context.skip(.badAddress, line: number, "bad address \(FieldParser.excerpt(field(c.sa))) in sa")
    }
    guard let time = FieldParser.time(field(c.ts)) else {
      return context.skip(.badTime, line: number, "ts is \(FieldParser.excerpt(field(c.ts))), not a time")
    }
    guard let packets = FieldParser.unsigned(field(c.ipkt)) else {
      return context.skip(.badNumber, line: number, "ipkt is \(FieldParser.excerpt(field(c.ipkt))), not a count")
    }
    guard let byteCount = FieldParser.unsigned(field(c.ibyt)) else {
      return context.skip(.badNumber, line: number, "ibyt is \(FieldParser.excerpt(field(c.ibyt))), not a count")
    }
    var flows: UInt64 = 1
    if let i = c.fl {
      guard let f = FieldParser.unsigned(field(i)) else {
        return context.skip(.badNumber, line: number, "fl is \(FieldParser.excerpt(field(i))), not a count")
      }
      flows = f
    }
    var destination = FlowValues.unspecified(like: source)
    if let i = c.da {
      guard let d = FieldParser.address(field(i)) else {
        return context.skip(.badAddress, line: number, "bad address \(FieldParser.excerpt(field(i))) in da")
      }
      destination = d
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: flows)
    if let i = c.pr { observation.protocolNumber = FieldParser.protocolNumber(field(i)) ?? 0 }
    if let i = c.sp { observation.sourcePort = FieldParser.port(field(i)) }
    if let i = c.dp { observation.destinationPort = FieldParser.port(field(i)) }
    if let i = c.flg { observation.tcpFlags = FieldParser.tcpFlags(letters: field(i)) }
    context.add(observation)
  }
}

/// Which CSV columns hold which values, for generic CSV (`--columns src=COL,bytes=COL,...`).
public struct ColumnMapping: Sendable, Equatable {
  /// The values a CSV record can give.
  public enum Field: String, CaseIterable, Sendable {
    case src, dst, time, packets, bytes, flows, proto, sport, dport
  }

  /// For each field, the columns to take it from, in order: the first that is not empty in a record
  /// is used (`src=ip.src|ipv6.src`). A column is a header name, or a 1-based column number.
  public var columns: [Field: [String]]

  public init(columns: [Field: [String]]) { self.columns = columns }

  /// Parses `src=COL,bytes=COL,...` (`COL` may list alternatives with `|`). Needs `src` and `time`.
  public init(parsing text: String) throws(FlowLogError) {
    var columns: [Field: [String]] = [:]
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard pieces.count == 2, !pieces[1].isEmpty else {
        throw FlowLogError("--columns: '\(part)' is not FIELD=COLUMN (fields: \(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      let name = pieces[0].trimmingSpaces().lowercased()
      guard let field = Field(rawValue: name) else {
        throw FlowLogError("--columns: unknown field '\(name)' (fields: \(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      guard columns[field] == nil else { throw FlowLogError("--columns: \(name) is given twice") }
      columns[field] = pieces[1].split(separator: "|").map { $0.trimmingSpaces() }
    }
    for needed in [Field.src, .time] where columns[needed] == nil {
      throw FlowLogError("--columns: \(needed.rawValue)=COLUMN is needed (every record needs a source and a time)")
    }
    self.columns = columns
  }

  /// Header names recognised without `--columns`, compared without case.
  public static let wellKnownNames: [Field: [String]] = [
    .src: [
      "src", "src_ip", "srcip", "src_addr", "srcaddr", "source", "source_ip", "sourceip", "saddr", "sa", "ip.src", "ipv6.src",
      "source ip", "src ip", "source address",
    ],
    .dst: [
      "dst", "dst_ip", "dstip", "dst_addr", "dstaddr", "destination", "destination_ip", "dest_ip", "daddr", "da", "ip.dst",
      "ipv6.dst", "destination ip", "dst ip", "destination address",
    ],
    .time: ["time", "timestamp", "ts", "start", "start_time", "first", "first_seen", "datetime", "frame.time_epoch", "@timestamp"],
    .packets: ["packets", "pkts", "packet_count", "in_packets", "ipkt"],
    .bytes: ["bytes", "octets", "byte_count", "in_bytes", "ibyt", "ip.len"],
    .flows: ["flows", "flow_count", "fl"],
    .proto: ["proto", "protocol", "pr", "ip.proto"],
    .sport: ["sport", "src_port", "srcport", "sp", "tcp.srcport", "udp.srcport", "source port"],
    .dport: ["dport", "dst_port", "dstport", "dest_port", "dp", "tcp.dstport", "udp.dstport", "destination port"],
  ]

  /// The well-known columns found in a header, or nil when it has no source or no time column.
  static func recognised(in header: [String]) -> ColumnMapping? {
    let lowered = header.map { $0.lowercased() }
    var columns: [Field: [String]] = [:]
    for (field, names) in wellKnownNames {
      let found = lowered.enumerated().filter { names.contains($0.element) }.map { header[$0.offset] }
      if !found.isEmpty { columns[field] = found }
    }
    guard columns[.src] != nil, columns[.time] != nil else { return nil }
    return ColumnMapping(columns: columns)
  }
}

/// Generic CSV flow records (RFC 4180) with a header line, mapped by `ColumnMapping`: each record is
/// one flow (or `flows`), with `packets` packets (1 when unmapped) and `bytes` bytes (0 when unmapped)
/// from `src` at `time` (epoch seconds, or ISO 8601; without an offset, UTC).
struct GenericCSVParser: LineRecordParser {
  let mapping: ColumnMapping?
  let maximumRecordLength: Int
  private var csv = CSVRecordParser()
  private var indices: [ColumnMapping.Field: [Int]]? = nil
  private var columnCount = 0
  private var pending: [UInt8]? = nil
  private var pendingLine = 0

  init(mapping: ColumnMapping?, maximumRecordLength: Int) {
    self.mapping = mapping
    self.maximumRecordLength = maximumRecordLength
  }

  mutating func line(_ bytes: UnsafeRawBufferPointer, number: Int, context: RecordContext) throws(FlowLogError) {
    if var text = pending {
      text.append(0x0a)
      text.append(contentsOf: bytes)
      pending = nil
      guard text.count <= maximumRecordLength else {
        return context.skip(.lineTooLong, line: pendingLine, "a quoted field runs past \(maximumRecordLength) bytes")
      }
      let first = pendingLine
      let outcome: Result<Void, FlowLogError> = text.withUnsafeBytes { all in
        do throws(FlowLogError) {
          try record(all, number: first, context: context)
          return .success(())
        } catch {
          return .failure(error)
        }
      }
      try outcome.get()
      return
    }
    try record(bytes, number: number, context: context)
  }

  mutating func finish(line: Int, context: RecordContext) {
    if pending != nil {
      pending = nil
      context.skip(.badCSV, line: pendingLine, "a quoted field is not closed before the end of the input")
    }
  }

  private mutating func record(_ text: UnsafeRawBufferPointer, number: Int, context: RecordContext) throws(FlowLogError) {
    switch csv.parse(text) {
    case .open:
      pending = Array(text)
      pendingLine = number
      return
    case .textAfterQuote(let offset):
      if indices == nil { throw FlowLogError("line \(number): the CSV header has text after a closing quote at column \(offset + 1)") }
      return context.skip(.badCSV, line: number, "text after a closing quote at column \(offset + 1)")
    case .record:
      break
    }
    guard let indices else {
      try readHeader(number: number)
      return
    }
    let fields = csv.fields
    guard fields.count == columnCount else {
      return context.skip(.wrongFieldCount, line: number, "\(fields.count) fields, the header has \(columnCount)")
    }
    func value(_ field: ColumnMapping.Field) -> [UInt8]? {
      for i in indices[field] ?? [] {
        let v = fields[i].trimmedSpaces()
        if !v.isEmpty { return v }
      }
      return nil
    }
    func name(_ field: ColumnMapping.Field) -> String { mappedName(field) }
    guard let src = value(.src) else { return context.skip(.unsetSource, line: number) }
    guard let source = FieldParser.address(src) else {
      return context.skip(.badAddress, line: number, "bad address \(FieldParser.excerpt(src)) in \(name(.src))")
    }
    guard let timeText = value(.time) else { return context.skip(.unsetTime, line: number) }
    guard let time = FieldParser.time(timeText) else {
      return context.skip(.badTime, line: number, "\(name(.time)) is \(FieldParser.excerpt(timeText)), not epoch seconds or ISO 8601")
    }
    var counts: [UInt64] = []
    for (field, fallback) in [(ColumnMapping.Field.packets, UInt64(1)), (.bytes, 0), (.flows, 1)] {
      guard indices[field] != nil else {
        counts.append(fallback)
        continue
      }
      guard let text = value(field) else { return context.skip(.unsetCounters, line: number) }
      guard let v = FieldParser.unsigned(text) else {
        return context.skip(.badNumber, line: number, "\(name(field)) is \(FieldParser.excerpt(text)), not a count")
      }
      counts.append(v)
    }
    var destination = FlowValues.unspecified(like: source)
    if let d = value(.dst) {
      guard let address = FieldParser.address(d) else {
        return context.skip(.badAddress, line: number, "bad address \(FieldParser.excerpt(d)) in \(name(.dst))")
      }
      destination = address
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: counts[0],
      wireBytes: counts[1], ipBytes: counts[1], flows: counts[2])
    if let p = value(.proto) { observation.protocolNumber = FieldParser.protocolNumber(p) ?? 0 }
    if let p = value(.sport) { observation.sourcePort = p.withUnsafeBytes { FieldParser.port($0) } }
    if let p = value(.dport) { observation.destinationPort = p.withUnsafeBytes { FieldParser.port($0) } }
    context.add(observation)
  }

  private var resolvedNames: [ColumnMapping.Field: String] = [:]

  private func mappedName(_ field: ColumnMapping.Field) -> String { resolvedNames[field] ?? field.rawValue }

  /// Resolves the mapping against the header line just parsed.
  private mutating func readHeader(number: Int) throws(FlowLogError) {
    let header = csv.fields.map { String(decoding: $0.trimmedSpaces(), as: UTF8.self) }
    guard let mapping = mapping ?? ColumnMapping.recognised(in: header) else {
      throw FlowLogError(
        "line \(number): the CSV header names no source and time columns OriginCheck knows; give --columns src=COLUMN,time=COLUMN,... (header: \(header.prefix(12).joined(separator: ",")))"
      )
    }
    var resolved: [ColumnMapping.Field: [Int]] = [:]
    for (field, names) in mapping.columns {
      var list: [Int] = []
      for name in names {
        if let i = header.firstIndex(of: name) ?? header.firstIndex(where: { $0.lowercased() == name.lowercased() }) {
          list.append(i)
        } else if let n = Int(name), n >= 1, n <= header.count {
          list.append(n - 1)
        } else {
          throw FlowLogError(
            "line \(number): the CSV header has no column '\(name)' (for \(field.rawValue)=); columns: \(header.prefix(12).joined(separator: ","))"
          )
        }
      }
      resolved[field] = list
      resolvedNames[field] = names.joined(separator: "|")
    }
    indices = resolved
    columnCount = header.count
  }
}

extension Array where Element == UInt8 {
  fileprivate func trimmedSpaces() -> [UInt8] {
    var a = startIndex
    var b = endIndex
    while a < b, self[a] == 0x20 || self[a] == 0x09 { a += 1 }
    while b > a, self[b - 1] == 0x20 || self[b - 1] == 0x09 { b -= 1 }
    return Array(self[a..<b])
  }
}

extension Substring {
  fileprivate func trimmingSpaces() -> String {
    var s = self
    while s.first == " " { s.removeFirst() }
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}
