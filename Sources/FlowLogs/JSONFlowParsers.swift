import Analysis
import NetCore

/// Suricata EVE JSON: `flow` events count; every other event type (alert, dns, tls, stats, ...) is
/// skipped as `not-flow-event`.
///
/// A flow event describes both directions of a flow; `src_ip` is the client (the side that sent the
/// first packet), and its direction is counted: `flow.pkts_toserver` packets and
/// `flow.bytes_toserver` bytes, from `flow.start` (else `timestamp`). Suricata counts whole packets as
/// captured, link-layer header included. Packets back to the client are not counted.
struct SuricataEveParser: JSONRecordParser {
  mutating func record(_ tape: JSONTape, at place: RecordPlace, context: RecordContext) {
    let root = tape.root
    let line = place.firstLine
    guard tape.kind(root) == .object else {
      return context.skip(.missingField, line: line, "a record that is not a JSON object")
    }
    guard let type = tape.member(root, "event_type") else {
      return context.skip(.missingField, line: line, "no event_type field")
    }
    guard let raw = tape.rawString(type), FieldParser.equals(raw, "flow") else {
      return context.skip(.notFlowEvent, line: line)
    }
    guard let src = tape.member(root, "src_ip") else { return context.skip(.missingField, line: line, "no src_ip field") }
    guard let text = tape.scalarText(src), let source = FieldParser.address(text) else {
      return context.skip(.badAddress, line: place.line(of: src, in: tape), "bad address \(tape.excerpt(src)) in src_ip")
    }
    guard let flow = tape.member(root, "flow"), tape.kind(flow) == .object else {
      return context.skip(.missingField, line: line, "no flow object")
    }
    guard let pkts = tape.member(flow, "pkts_toserver"), let bytes = tape.member(flow, "bytes_toserver") else {
      return context.skip(.missingField, line: line, "no flow.pkts_toserver or flow.bytes_toserver field")
    }
    guard let packets = tape.unsigned(pkts) else {
      return context.skip(.badNumber, line: place.line(of: pkts, in: tape), "flow.pkts_toserver is \(tape.excerpt(pkts)), not a count")
    }
    guard let byteCount = tape.unsigned(bytes) else {
      return context.skip(.badNumber, line: place.line(of: bytes, in: tape), "flow.bytes_toserver is \(tape.excerpt(bytes)), not a count")
    }
    guard let timeNode = tape.member(flow, "start") ?? tape.member(root, "timestamp") else {
      return context.skip(.missingField, line: line, "no flow.start or timestamp field")
    }
    guard let timeText = tape.scalarText(timeNode), let time = FieldParser.time(timeText) else {
      return context.skip(.badTime, line: place.line(of: timeNode, in: tape), "\(tape.excerpt(timeNode)) is not a time")
    }
    var destination = FlowValues.unspecified(like: source)
    if let dst = tape.member(root, "dest_ip"), let t = tape.scalarText(dst) {
      guard let d = FieldParser.address(t) else {
        return context.skip(.badAddress, line: place.line(of: dst, in: tape), "bad address \(tape.excerpt(dst)) in dest_ip")
      }
      destination = d
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let p = tape.member(root, "proto"), let name = tape.scalarText(p) {
      observation.protocolNumber = FieldParser.protocolNumber(name) ?? 0
    }
    if let p = tape.member(root, "src_port"), let port = tape.unsigned(p), port <= 65535 { observation.sourcePort = UInt16(port) }
    if let p = tape.member(root, "dest_port"), let port = tape.unsigned(p), port <= 65535 { observation.destinationPort = UInt16(port) }
    if let tcp = tape.member(root, "tcp"), let f = tape.member(tcp, "tcp_flags_ts") ?? tape.member(tcp, "tcp_flags"),
      let raw = tape.rawString(f), let flags = FieldParser.tcpFlags(letters: raw)
    {
      observation.tcpFlags = flags
    }
    context.add(observation)
  }
}

/// nfdump's JSON output (`nfdump -o json`): records of `"type" : "FLOW"` with `src4_addr` or
/// `src6_addr`, `in_packets`, `in_bytes`, `first` (local time of the machine nfdump ran on, without an
/// offset: read as UTC), `proto`, `src_port`, `dst_port`, `tcp_flags`. Other record types are skipped as
/// `not-flow-record`.
struct NfdumpJSONParser: JSONRecordParser {
  mutating func record(_ tape: JSONTape, at place: RecordPlace, context: RecordContext) {
    let root = tape.root
    let line = place.firstLine
    guard tape.kind(root) == .object else {
      return context.skip(.missingField, line: line, "a record that is not a JSON object")
    }
    if let type = tape.member(root, "type"), let raw = tape.rawString(type), !FieldParser.equals(raw, "FLOW") {
      return context.skip(.notFlowRecord, line: line)
    }
    guard let src = tape.member(root, "src4_addr") ?? tape.member(root, "src6_addr") else {
      return context.skip(.missingField, line: line, "no src4_addr or src6_addr field")
    }
    guard let text = tape.scalarText(src), let source = FieldParser.address(text) else {
      return context.skip(.badAddress, line: place.line(of: src, in: tape), "bad address \(tape.excerpt(src))")
    }
    guard let pkts = tape.member(root, "in_packets"), let bytes = tape.member(root, "in_bytes") else {
      return context.skip(.missingField, line: line, "no in_packets or in_bytes field")
    }
    guard let packets = tape.unsigned(pkts) else {
      return context.skip(.badNumber, line: place.line(of: pkts, in: tape), "in_packets is \(tape.excerpt(pkts)), not a count")
    }
    guard let byteCount = tape.unsigned(bytes) else {
      return context.skip(.badNumber, line: place.line(of: bytes, in: tape), "in_bytes is \(tape.excerpt(bytes)), not a count")
    }
    guard let first = tape.member(root, "first") ?? tape.member(root, "t_first") else {
      return context.skip(.missingField, line: line, "no first field")
    }
    guard let timeText = tape.scalarText(first), let time = FieldParser.time(timeText) else {
      return context.skip(.badTime, line: place.line(of: first, in: tape), "first is \(tape.excerpt(first)), not a time")
    }
    var destination = FlowValues.unspecified(like: source)
    if let dst = tape.member(root, "dst4_addr") ?? tape.member(root, "dst6_addr"), let t = tape.scalarText(dst) {
      guard let d = FieldParser.address(t) else {
        return context.skip(.badAddress, line: place.line(of: dst, in: tape), "bad address \(tape.excerpt(dst))")
      }
      destination = d
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let p = tape.member(root, "proto"), let name = tape.scalarText(p) {
      observation.protocolNumber = FieldParser.protocolNumber(name) ?? 0
    }
    if let p = tape.member(root, "src_port"), let port = tape.unsigned(p), port <= 65535 { observation.sourcePort = UInt16(port) }
    if let p = tape.member(root, "dst_port"), let port = tape.unsigned(p), port <= 65535 { observation.destinationPort = UInt16(port) }
    if let f = tape.member(root, "tcp_flags"), let raw = tape.rawString(f), let flags = FieldParser.tcpFlags(letters: raw) {
      observation.tcpFlags = flags
    }
    context.add(observation)
  }
}

/// Google Cloud VPC Flow Logs as Cloud Logging exports them (LogEntry JSON, one per line from a
/// storage sink, or an array from `gcloud logging read --format=json`): `jsonPayload.connection`
/// (`src_ip`, `dest_ip`, `src_port`, `dest_port`, `protocol`), `jsonPayload.packets_sent`,
/// `jsonPayload.bytes_sent` (int64 values, written as strings), `jsonPayload.start_time`.
///
/// Counts are those sent from `src_ip` to `dest_ip` (sampled flows as reported, not scaled). A flow
/// between two VMs that both log is reported twice, once by each (`reporter` SRC and DEST); both
/// reports are counted. Entries of other logs (a `logName` without `vpc_flows`, such as firewall rules
/// logging) and entries without `jsonPayload.connection` are not flow records.
struct GCPFlowLogParser: JSONRecordParser {
  mutating func record(_ tape: JSONTape, at place: RecordPlace, context: RecordContext) {
    let root = tape.root
    let line = place.firstLine
    guard tape.kind(root) == .object else {
      return context.skip(.missingField, line: line, "a record that is not a JSON object")
    }
    // Other logs carry a connection too (firewall rules logging): the log name says which are flow logs.
    if let name = tape.member(root, "logName"), let text = tape.string(name), !text.contains("vpc_flows") {
      return context.skip(.notFlowRecord, line: line)
    }
    guard let payload = tape.member(root, "jsonPayload"), let connection = tape.member(payload, "connection") else {
      return context.skip(.notFlowRecord, line: line)
    }
    guard let src = tape.member(connection, "src_ip") else {
      return context.skip(.missingField, line: line, "no jsonPayload.connection.src_ip field")
    }
    guard let text = tape.scalarText(src), let source = FieldParser.address(text) else {
      return context.skip(.badAddress, line: place.line(of: src, in: tape), "bad address \(tape.excerpt(src)) in src_ip")
    }
    guard let pkts = tape.member(payload, "packets_sent"), let bytes = tape.member(payload, "bytes_sent") else {
      return context.skip(.unsetCounters, line: line)
    }
    guard let packets = tape.unsigned(pkts) else {
      return context.skip(.badNumber, line: place.line(of: pkts, in: tape), "packets_sent is \(tape.excerpt(pkts)), not a count")
    }
    guard let byteCount = tape.unsigned(bytes) else {
      return context.skip(.badNumber, line: place.line(of: bytes, in: tape), "bytes_sent is \(tape.excerpt(bytes)), not a count")
    }
    guard let timeNode = tape.member(payload, "start_time") ?? tape.member(root, "timestamp") else {
      return context.skip(.missingField, line: line, "no jsonPayload.start_time or timestamp field")
    }
    guard let timeText = tape.scalarText(timeNode), let time = FieldParser.time(timeText) else {
      return context.skip(.badTime, line: place.line(of: timeNode, in: tape), "\(tape.excerpt(timeNode)) is not a time")
    }
    var destination = FlowValues.unspecified(like: source)
    if let dst = tape.member(connection, "dest_ip"), let t = tape.scalarText(dst) {
      guard let d = FieldParser.address(t) else {
        return context.skip(.badAddress, line: place.line(of: dst, in: tape), "bad address \(tape.excerpt(dst)) in dest_ip")
      }
      destination = d
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let p = tape.member(connection, "protocol"), let n = tape.unsigned(p), n <= 255 { observation.protocolNumber = UInt8(n) }
    if let p = tape.member(connection, "src_port"), let port = tape.unsigned(p), port <= 65535 { observation.sourcePort = UInt16(port) }
    if let p = tape.member(connection, "dest_port"), let port = tape.unsigned(p), port <= 65535 {
      observation.destinationPort = UInt16(port)
    }
    context.add(observation)
  }
}
