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
    let fields = JSONFieldReader(tape: tape, place: place, context: context)
    guard let source = fields.address(src, "src_ip") else { return }
    guard let flow = tape.member(root, "flow"), tape.kind(flow) == .object else {
      return context.skip(.missingField, line: line, "no flow object")
    }
    guard let pkts = tape.member(flow, "pkts_toserver"), let bytes = tape.member(flow, "bytes_toserver") else {
      return context.skip(.missingField, line: line, "no flow.pkts_toserver or flow.bytes_toserver field")
    }
    guard let packets = fields.count(pkts, "flow.pkts_toserver"), let byteCount = fields.count(bytes, "flow.bytes_toserver") else { return }
    let start = tape.member(flow, "start")
    guard let timeNode = start ?? tape.member(root, "timestamp") else {
      return context.skip(.missingField, line: line, "no flow.start or timestamp field")
    }
    guard let time = fields.time(timeNode, start != nil ? "flow.start" : "timestamp"),
      let destination = fields.destination(tape.member(root, "dest_ip"), "dest_ip", like: source)
    else { return }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let p = tape.member(root, "proto"), let name = tape.scalarText(p) {
      observation.protocolNumber = FieldParser.protocolNumber(name) ?? 0
    }
    observation.sourcePort = fields.port(tape.member(root, "src_port"))
    observation.destinationPort = fields.port(tape.member(root, "dest_port"))
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
    let fields = JSONFieldReader(tape: tape, place: place, context: context)
    guard let source = fields.address(src, tape.member(root, "src4_addr") != nil ? "src4_addr" : "src6_addr") else { return }
    guard let pkts = tape.member(root, "in_packets"), let bytes = tape.member(root, "in_bytes") else {
      return context.skip(.missingField, line: line, "no in_packets or in_bytes field")
    }
    guard let packets = fields.count(pkts, "in_packets"), let byteCount = fields.count(bytes, "in_bytes") else { return }
    guard let first = tape.member(root, "first") ?? tape.member(root, "t_first") else {
      return context.skip(.missingField, line: line, "no first field")
    }
    let dst4 = tape.member(root, "dst4_addr")
    guard let time = fields.time(first, "first"),
      let destination = fields.destination(dst4 ?? tape.member(root, "dst6_addr"), dst4 != nil ? "dst4_addr" : "dst6_addr", like: source)
    else { return }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let p = tape.member(root, "proto"), let name = tape.scalarText(p) {
      observation.protocolNumber = FieldParser.protocolNumber(name) ?? 0
    }
    observation.sourcePort = fields.port(tape.member(root, "src_port"))
    observation.destinationPort = fields.port(tape.member(root, "dst_port"))
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
    let fields = JSONFieldReader(tape: tape, place: place, context: context)
    guard let source = fields.address(src, "src_ip") else { return }
    guard let pkts = tape.member(payload, "packets_sent"), let bytes = tape.member(payload, "bytes_sent") else {
      return context.skip(.unsetCounters, line: line)
    }
    guard let packets = fields.count(pkts, "packets_sent"), let byteCount = fields.count(bytes, "bytes_sent") else { return }
    let start = tape.member(payload, "start_time")
    guard let timeNode = start ?? tape.member(root, "timestamp") else {
      return context.skip(.missingField, line: line, "no jsonPayload.start_time or timestamp field")
    }
    guard let time = fields.time(timeNode, start != nil ? "start_time" : "timestamp"),
      let destination = fields.destination(tape.member(connection, "dest_ip"), "dest_ip", like: source)
    else { return }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: 0, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: 1)
    if let p = tape.member(connection, "protocol"), let n = tape.unsigned(p), n <= 255 { observation.protocolNumber = UInt8(n) }
    observation.sourcePort = fields.port(tape.member(connection, "src_port"))
    observation.destinationPort = fields.port(tape.member(connection, "dest_port"))
    context.add(observation)
  }
}
