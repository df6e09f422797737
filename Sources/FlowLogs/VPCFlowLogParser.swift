import Analysis
import NetCore

/// AWS VPC Flow Logs in text form: space-separated fields, in the default version 2 order when there is
/// no header (as delivered to CloudWatch Logs), or in the order a header line names (as delivered to
/// S3, and for custom formats with any of the version 3 to 8 fields).
///
/// The source is `pkt-srcaddr` when the format has it and it is set, else `srcaddr`; the time is `start`
/// (else `end`); packets and bytes are `packets` and `bytes`. NODATA and SKIPDATA records and records
/// whose source, counters or time are `-` are skipped by reason. REJECT records are counted: the
/// traffic reached the interface.
struct VPCFlowLogParser: LineRecordParser {
  /// The default (version 2) format, in order.
  static let defaultFields = [
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets",
    "bytes", "start", "end", "action", "log-status",
  ]

  /// Column positions of the fields that are used.
  struct Columns {
    var count: Int
    var srcaddr: Int?
    var pktSrcaddr: Int?
    var dstaddr: Int?
    var pktDstaddr: Int?
    var srcport: Int?
    var dstport: Int?
    var proto: Int?
    var packets: Int
    var bytes: Int
    var start: Int?
    var end: Int?
    var logStatus: Int?
    var tcpFlags: Int?

    /// Columns from field names; throws when a needed field is missing.
    init(names: [String], line: Int) throws(FlowLogError) {
      func index(_ name: String) -> Int? { names.firstIndex(of: name) }
      count = names.count
      srcaddr = index("srcaddr")
      pktSrcaddr = index("pkt-srcaddr")
      dstaddr = index("dstaddr")
      pktDstaddr = index("pkt-dstaddr")
      srcport = index("srcport")
      dstport = index("dstport")
      proto = index("protocol")
      start = index("start")
      end = index("end")
      logStatus = index("log-status")
      tcpFlags = index("tcp-flags")
      var missing: [String] = []
      if srcaddr == nil && pktSrcaddr == nil { missing.append("srcaddr or pkt-srcaddr") }
      if start == nil && end == nil { missing.append("start or end") }
      let packets = index("packets")
      let bytes = index("bytes")
      if packets == nil { missing.append("packets") }
      if bytes == nil { missing.append("bytes") }
      guard let packets, let bytes, missing.isEmpty else {
        throw FlowLogError(
          "line \(line): the VPC flow log header has no \(missing.joined(separator: ", ")) field (needed: srcaddr or pkt-srcaddr, start or end, packets, bytes)"
        )
      }
      self.packets = packets
      self.bytes = bytes
    }
  }

  private(set) var columns: Columns?
  private var fields: [UnsafeRawBufferPointer] = []

  /// A header line: field names only (letters, digits, `-` or `_`, starting with a letter), naming the
  /// source address. Names with `_` (as some exports write them) are read as their `-` form.
  static func headerNames(_ fields: [UnsafeRawBufferPointer]) -> [String]? {
    var names: [String] = []
    for field in fields {
      guard let first = field.first, (0x61...0x7a).contains(first) || (0x41...0x5a).contains(first) else { return nil }
      for c in field where !(c == 0x2d || c == 0x5f || (0x30...0x39).contains(c) || (0x61...0x7a).contains(c) || (0x41...0x5a).contains(c)) {
        return nil
      }
      names.append(String(decoding: field, as: UTF8.self).lowercased().replacingUnderscores())
    }
    guard names.contains("srcaddr") || names.contains("pkt-srcaddr") else { return nil }
    return names
  }

  mutating func line(_ bytes: UnsafeRawBufferPointer, number: Int, context: RecordContext) throws(FlowLogError) {
    Delimited.splitWhitespace(bytes, into: &fields)
    if let names = Self.headerNames(fields) {
      columns = try Columns(names: names, line: number)
      return
    }
    if columns == nil { columns = try Columns(names: Self.defaultFields, line: number) }
    guard let c = columns else { return }
    guard fields.count == c.count else {
      context.skip(
        .wrongFieldCount, line: number,
        "\(fields.count) fields, the \(c.count == 14 ? "default format" : "header") has \(c.count)")
      return
    }
    if let i = c.logStatus {
      if FieldParser.equals(fields[i], "NODATA") { return context.skip(.nodata, line: number) }
      if FieldParser.equals(fields[i], "SKIPDATA") { return context.skip(.skipdata, line: number) }
    }
    // The packet's own source (pkt-srcaddr) when set: it differs from srcaddr behind NAT gateways and
    // for traffic through intermediate interfaces.
    var sourceField: (index: Int, name: String)? = nil
    if let i = c.pktSrcaddr, !isUnset(fields[i]) {
      sourceField = (i, "pkt-srcaddr")
    } else if let i = c.srcaddr, !isUnset(fields[i]) {
      sourceField = (i, "srcaddr")
    }
    guard let sourceField else { return context.skip(.unsetSource, line: number) }
    guard let source = FieldParser.address(fields[sourceField.index]) else {
      return context.skip(
        .badAddress, line: number, "bad address \(FieldParser.excerpt(fields[sourceField.index])) in \(sourceField.name)")
    }
    var destination = FlowValues.unspecified(like: source)
    for i in [c.pktDstaddr, c.dstaddr].compactMap({ $0 }) where !isUnset(fields[i]) {
      guard let d = FieldParser.address(fields[i]) else {
        return context.skip(.badAddress, line: number, "bad address \(FieldParser.excerpt(fields[i])) in \(i == c.dstaddr ? "dstaddr" : "pkt-dstaddr")")
      }
      destination = d
      break
    }
    if isUnset(fields[c.packets]) || isUnset(fields[c.bytes]) { return context.skip(.unsetCounters, line: number) }
    guard let packets = FieldParser.unsigned(fields[c.packets]) else {
      return context.skip(.badNumber, line: number, "packets is \(FieldParser.excerpt(fields[c.packets])), not a count")
    }
    guard let byteCount = FieldParser.unsigned(fields[c.bytes]) else {
      return context.skip(.badNumber, line: number, "bytes is \(FieldParser.excerpt(fields[c.bytes])), not a count")
    }
    let timeField = [c.start, c.end].compactMap { $0 }.first { !isUnset(fields[$0]) }
    guard let timeField else { return context.skip(.unsetTime, line: number) }
    guard let time = FieldParser.epochSeconds(fields[timeField]) else {
      return context.skip(
        .badTime, line: number, "\(timeField == c.start ? "start" : "end") is \(FieldParser.excerpt(fields[timeField])), not epoch seconds")
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let i = c.proto, !isUnset(fields[i]) {
      guard let p = FieldParser.protocolNumber(fields[i]) else {
        return context.skip(.badNumber, line: number, "protocol is \(FieldParser.excerpt(fields[i])), not a protocol number")
      }
      observation.protocolNumber = p
    }
    if let i = c.srcport, !isUnset(fields[i]) {
      guard let p = FieldParser.port(fields[i]) else {
        return context.skip(.badNumber, line: number, "srcport is \(FieldParser.excerpt(fields[i])), not a port")
      }
      observation.sourcePort = p
    }
    if let i = c.dstport, !isUnset(fields[i]) {
      guard let p = FieldParser.port(fields[i]) else {
        return context.skip(.badNumber, line: number, "dstport is \(FieldParser.excerpt(fields[i])), not a port")
      }
      observation.destinationPort = p
    }
    if let i = c.tcpFlags, !isUnset(fields[i]), let flags = FieldParser.unsigned(fields[i]) {
      observation.tcpFlags = UInt8(truncatingIfNeeded: flags)
    }
    context.add(observation)
  }

  private func isUnset(_ field: UnsafeRawBufferPointer) -> Bool { field.count == 1 && field[0] == 0x2d }
}

extension String {
  fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
