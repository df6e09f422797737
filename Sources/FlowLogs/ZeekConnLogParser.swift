import Analysis
import NetCore

/// Zeek conn.log in Zeek's own TSV form: `#separator`, `#set_separator`, `#empty_field`,
/// `#unset_field`, `#path` and `#fields` header lines, then one connection per line. A new header block
/// (logs concatenated) takes effect where it appears.
///
/// The originator is the source: `id.orig_h`, with `orig_pkts` packets and `orig_ip_bytes` bytes (IP
/// bytes, headers included), at `ts`. The responder's counts (`resp_pkts`, `resp_ip_bytes`) are not
/// counted: they are traffic from the responder, which is not the connection's origin.
struct ZeekTSVParser: LineRecordParser {
  struct Columns {
    var count: Int
    var ts: Int
    var origH: Int
    var origP: Int?
    var respH: Int?
    var respP: Int?
    var proto: Int?
    var origPkts: Int
    var origIPBytes: Int
  }

  private var separator: UInt8 = 0x09
  private var unset: [UInt8] = Array("-".utf8)
  private var empty: [UInt8] = Array("(empty)".utf8)
  private var path: String? = nil
  private(set) var columns: Columns? = nil
  private var fields: [UnsafeRawBufferPointer] = []

  mutating func line(_ bytes: UnsafeRawBufferPointer, number: Int, context: RecordContext) throws(FlowLogError) {
    if bytes.first == 0x23 {
      try header(bytes, number: number)
      return
    }
    guard let c = columns else {
      throw FlowLogError("line \(number): a Zeek log line before any #fields header")
    }
    Delimited.split(bytes, separator: separator, into: &fields)
    guard fields.count == c.count else {
      return context.skip(.wrongFieldCount, line: number, "\(fields.count) fields, #fields names \(c.count)")
    }
    if isUnset(fields[c.origH]) { return context.skip(.unsetSource, line: number) }
    guard let source = FieldParser.address(fields[c.origH]) else {
      return context.skip(.badAddress, line: number, "bad address \(FieldParser.excerpt(fields[c.origH])) in id.orig_h")
    }
    if isUnset(fields[c.ts]) { return context.skip(.unsetTime, line: number) }
    guard let time = FieldParser.time(fields[c.ts]) else {
      return context.skip(.badTime, line: number, "ts is \(FieldParser.excerpt(fields[c.ts])), not a time")
    }
    if isUnset(fields[c.origPkts]) || isUnset(fields[c.origIPBytes]) {
      return context.skip(.unsetCounters, line: number)
    }
    guard let packets = FieldParser.unsigned(fields[c.origPkts]) else {
      return context.skip(.badNumber, line: number, "orig_pkts is \(FieldParser.excerpt(fields[c.origPkts])), not a count")
    }
    guard let byteCount = FieldParser.unsigned(fields[c.origIPBytes]) else {
      return context.skip(.badNumber, line: number, "orig_ip_bytes is \(FieldParser.excerpt(fields[c.origIPBytes])), not a count")
    }
    var destination = FlowValues.unspecified(like: source)
    if let i = c.respH, !isUnset(fields[i]) {
      guard let d = FieldParser.address(fields[i]) else {
        return context.skip(.badAddress, line: number, "bad address \(FieldParser.excerpt(fields[i])) in id.resp_h")
      }
      destination = d
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let i = c.proto, !isUnset(fields[i]) {
      observation.protocolNumber = ZeekValues.protocolNumber(fields[i], source: source)
    }
    if let i = c.origP, !isUnset(fields[i]) {
      guard let p = FieldParser.port(fields[i]) else {
        return context.skip(.badNumber, line: number, "id.orig_p is \(FieldParser.excerpt(fields[i])), not a port")
      }
      observation.sourcePort = p
    }
    if let i = c.respP, !isUnset(fields[i]) {
      guard let p = FieldParser.port(fields[i]) else {
        return context.skip(.badNumber, line: number, "id.resp_p is \(FieldParser.excerpt(fields[i])), not a port")
      }
      observation.destinationPort = p
    }
    context.add(observation)
  }

  /// A `#` line: a header that sets the separator, the unset and empty markers, the path or the fields.
  private mutating func header(_ bytes: UnsafeRawBufferPointer, number: Int) throws(FlowLogError) {
    let prefix = Array("#separator ".utf8)
    if bytes.count > prefix.count, Array(bytes.prefix(prefix.count)) == prefix {
      let value = Self.unescape(UnsafeRawBufferPointer(rebasing: bytes[prefix.count...]))
      guard value.count == 1 else {
        throw FlowLogError("line \(number): #separator must be one byte, found \(FieldParser.excerpt(value))")
      }
      separator = value[0]
      return
    }
    Delimited.split(bytes, separator: separator, into: &fields)
    let key = String(decoding: fields[0], as: UTF8.self)
    let values = fields.dropFirst().map { Self.unescape($0) }
    switch key {
    case "#unset_field": if let v = values.first { unset = v }
    case "#empty_field": if let v = values.first { empty = v }
    case "#path": path = values.first.map { String(decoding: $0, as: UTF8.self) }
    case "#fields":
      let names = values.map { String(decoding: $0, as: UTF8.self) }
      func index(_ name: String) -> Int? { names.firstIndex(of: name) }
      var missing: [String] = []
      for name in ["ts", "id.orig_h", "orig_pkts", "orig_ip_bytes"] where index(name) == nil { missing.append(name) }
      guard missing.isEmpty, let ts = index("ts"), let origH = index("id.orig_h"), let origPkts = index("orig_pkts"),
        let origIPBytes = index("orig_ip_bytes")
      else {
        let what = path.map { "a Zeek \($0) log" } ?? "this Zeek log"
        throw FlowLogError("line \(number): \(what) has no \(missing.joined(separator: ", ")) field: not a conn.log")
      }
      columns = Columns(
        count: names.count, ts: ts, origH: origH, origP: index("id.orig_p"), respH: index("id.resp_h"),
        respP: index("id.resp_p"), proto: index("proto"), origPkts: origPkts, origIPBytes: origIPBytes)
    default: break
    }
  }

  private func isUnset(_ field: UnsafeRawBufferPointer) -> Bool {
    field.elementsEqual(unset) || field.elementsEqual(empty) || field.isEmpty
  }

  /// Zeek's `\xHH` escapes in header values.
  static func unescape(_ text: UnsafeRawBufferPointer) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    while i < text.count {
      if text[i] == 0x5c, i + 3 < text.count, text[i + 1] == 0x78,
        let high = hex(text[i + 2]), let low = hex(text[i + 3])
      {
        out.append(high << 4 | low)
        i += 4
        continue
      }
      out.append(text[i])
      i += 1
    }
    return out
  }

  private static func hex(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: return c - 0x30
    case 0x61...0x66: return c - 0x61 + 10
    case 0x41...0x46: return c - 0x41 + 10
    default: return nil
    }
  }
}

/// Zeek conn.log as JSON (`LogAscii::use_json`, or JSON streaming): one object per line with the keys
/// `ts`, `id.orig_h`, `id.orig_p`, `id.resp_h`, `id.resp_p`, `proto`, `orig_pkts`, `orig_ip_bytes`
/// (a nested `id` object with `orig_h`... is read too). `ts` is epoch seconds or an ISO 8601 string. A
/// record whose `_path` names another log is not a flow record.
struct ZeekJSONParser: JSONRecordParser {
  mutating func record(_ tape: JSONTape, at place: RecordPlace, context: RecordContext) {
    let root = tape.root
    let line = place.firstLine
    guard tape.kind(root) == .object else {
      return context.skip(.missingField, line: line, "a record that is not a JSON object")
    }
    if let p = tape.member(root, "_path"), let path = tape.string(p), path != "conn" {
      return context.skip(.notFlowRecord, line: line)
    }
    func field(_ dotted: StaticString, _ nested: StaticString) -> Int? {
      tape.member(root, dotted) ?? tape.member(root, "id", nested)
    }
    guard let origH = field("id.orig_h", "orig_h") else {
      return context.skip(.missingField, line: line, "no id.orig_h field")
    }
    if tape.kind(origH) == .null { return context.skip(.unsetSource, line: line) }
    let fields = JSONFieldReader(tape: tape, place: place, context: context)
    guard let source = fields.address(origH, "id.orig_h") else { return }
    guard let ts = tape.member(root, "ts") else { return context.skip(.missingField, line: line, "no ts field") }
    guard let time = fields.time(ts, "ts") else { return }
    guard let pkts = tape.member(root, "orig_pkts"), let ipBytes = tape.member(root, "orig_ip_bytes") else {
      return context.skip(.unsetCounters, line: line)
    }
    guard let packets = fields.count(pkts, "orig_pkts"), let byteCount = fields.count(ipBytes, "orig_ip_bytes"),
      let destination = fields.destination(field("id.resp_h", "resp_h"), "id.resp_h", like: source)
    else { return }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let p = tape.member(root, "proto"), let name = tape.scalarText(p) {
      observation.protocolNumber = name.withUnsafeBytes { ZeekValues.protocolNumber($0, source: source) }
    }
    observation.sourcePort = fields.port(field("id.orig_p", "orig_p"))
    observation.destinationPort = fields.port(field("id.resp_p", "resp_p"))
    context.add(observation)
  }
}

enum ZeekValues {
  /// Zeek's transport names: `tcp`, `udp`, `icmp` (ICMPv6 for an IPv6 source), `unknown_transport` (0).
  static func protocolNumber(_ name: UnsafeRawBufferPointer, source: IPAddress) -> UInt8 {
    if FieldParser.equals(name, "icmp") { return source.isIPv4 ? 1 : 58 }
    return FieldParser.protocolNumber(name) ?? 0
  }
}
