import Analysis
import NetCore

/// Azure Network Watcher flow logs: network security group (NSG) flow logs, version 1 and 2, and
/// virtual network (VNet) flow logs. Both are JSON documents `{"records": [...]}`; each record holds
/// comma-separated flow tuples, and each tuple is one flow record here:
///
/// - NSG: `records[].properties.flows[].flows[].flowTuples[]`, tuples
///   `time,src,dst,sport,dport,T|U,I|O,A|D` (version 1) and, in version 2, then
///   `B|C|E,packets src→dst,bytes src→dst,packets dst→src,bytes dst→src`; time in epoch seconds.
/// - VNet: `records[].flowRecords.flows[].flowGroups[].flowTuples[]`, tuples
///   `time,src,dst,sport,dport,protocol number,I|O,B|C|E|D,encryption,packets src→dst,bytes src→dst,
///   packets dst→src,bytes dst→src`; time in epoch milliseconds.
///
/// The tuple's source sent the `src→dst` counts. A flow is counted once, at its begin tuple (`B`, or
/// `D` for a denied VNet flow); continuation and end tuples (`C`, `E`) add their packets and bytes,
/// which count since the previous tuple of the same flow. Version 1 tuples and begin tuples carry no
/// counts: they count as a flow with no packets.
struct AzureFlowLogParser: JSONRecordParser {
  /// What the tuples seen so far were: decides the summary's format name.
  private(set) var sawNSG = false
  private(set) var sawVNet = false
  private var fields: [UnsafeRawBufferPointer] = []

  mutating func record(_ tape: JSONTape, at place: RecordPlace, context: RecordContext) {
    let root = tape.root
    guard tape.kind(root) == .object else {
      return context.skip(.missingField, line: place.firstLine, "a record that is not a JSON object")
    }
    if let flows = tape.member(root, "properties", "flows") {
      sawNSG = true
      for rule in tape.elements(flows) {
        guard let inner = tape.member(rule, "flows") else { continue }
        for group in tape.elements(inner) {
          guard let tuples = tape.member(group, "flowTuples") else { continue }
          for tuple in tape.elements(tuples) { self.tuple(tuple, vnet: false, tape: tape, place: place, context: context) }
        }
      }
    } else if let flows = tape.member(root, "flowRecords", "flows") {
      sawVNet = true
      for acl in tape.elements(flows) {
        guard let groups = tape.member(acl, "flowGroups") else { continue }
        for group in tape.elements(groups) {
          guard let tuples = tape.member(group, "flowTuples") else { continue }
          for tuple in tape.elements(tuples) { self.tuple(tuple, vnet: true, tape: tape, place: place, context: context) }
        }
      }
    } else {
      context.skip(.notFlowRecord, line: place.firstLine)
    }
  }

  var formatName: String {
    switch (sawNSG, sawVNet) {
    case (true, false): return "azure-nsg"
    case (false, true): return "azure-vnet"
    default: return "azure"
    }
  }

  private mutating func tuple(_ node: Int, vnet: Bool, tape: JSONTape, place: RecordPlace, context: RecordContext) {
    // Counting lines to the tuple costs a scan of the record: done only for a message.
    func line() -> Int { place.line(of: node, in: tape) }
    guard let text = tape.rawString(node) else {
      return context.skip(.badTuple, line: line(), "flow tuple \(tape.excerpt(node)) is not a plain string")
    }
    Delimited.split(text, separator: 0x2c, into: &fields)
    let expected = vnet ? [13] : [8, 13]
    guard expected.contains(fields.count) else {
      return context.skip(
        .badTuple, line: line(),
        "flow tuple \(FieldParser.excerpt(text)) has \(fields.count) fields, not \(vnet ? "13" : "8 (version 1) or 13 (version 2)")")
    }
    guard let source = FieldParser.address(fields[1]) else {
      return context.skip(.badAddress, line: line(), "bad source address \(FieldParser.excerpt(fields[1])) in flow tuple")
    }
    guard let destination = FieldParser.address(fields[2]) else {
      return context.skip(.badAddress, line: line(), "bad destination address \(FieldParser.excerpt(fields[2])) in flow tuple")
    }
    // VNet tuples give milliseconds; NSG tuples seconds. Either is read by its size.
    guard let stamp = FieldParser.unsigned(fields[0]) else {
      return context.skip(.badTime, line: line(), "flow tuple time \(FieldParser.excerpt(fields[0])) is not epoch time")
    }
    let time = stamp >= 100_000_000_000 ? FieldParser.epochMilliseconds(fields[0]) : FieldParser.epochSeconds(fields[0])
    guard let time else {
      return context.skip(.badTime, line: line(), "flow tuple time \(FieldParser.excerpt(fields[0])) is not epoch time")
    }
    let protocolNumber: UInt8
    if vnet {
      guard let p = FieldParser.unsigned(fields[5]), p <= 255 else {
        return context.skip(.badTuple, line: line(), "flow tuple protocol \(FieldParser.excerpt(fields[5])) is not a protocol number")
      }
      protocolNumber = UInt8(p)
    } else if FieldParser.equals(fields[5], "T") {
      protocolNumber = 6
    } else if FieldParser.equals(fields[5], "U") {
      protocolNumber = 17
    } else {
      return context.skip(.badTuple, line: line(), "flow tuple protocol \(FieldParser.excerpt(fields[5])) is not T or U")
    }
    var flows: UInt64 = 1
    var packets: UInt64 = 0
    var byteCount: UInt64 = 0
    if fields.count == 13 {
      let state = fields[vnet ? 7 : 8]
      let begins = FieldParser.equals(state, "B") || (vnet && FieldParser.equals(state, "D"))
      let continues = FieldParser.equals(state, "C") || FieldParser.equals(state, "E")
      guard begins || continues else {
        return context.skip(.badTuple, line: line(), "flow tuple state \(FieldParser.excerpt(state)) is not B, C, E\(vnet ? " or D" : "")")
      }
      flows = begins ? 1 : 0
      let p = fields[9]
      let b = fields[10]
      if !(p.isEmpty && b.isEmpty) {
        guard let pv = FieldParser.unsigned(p), let bv = FieldParser.unsigned(b) else {
          return context.skip(.badNumber, line: line(), "flow tuple counts \(FieldParser.excerpt(p)), \(FieldParser.excerpt(b)) are not counts")
        }
        packets = pv
        byteCount = bv
      }
    }
    var observation = Observation(
      timestamp: time, source: source, destination: destination, protocolNumber: protocolNumber, packets: packets,
      wireBytes: byteCount, ipBytes: byteCount, flows: flows)
    observation.sourcePort = FieldParser.port(fields[3])
    observation.destinationPort = FieldParser.port(fields[4])
    context.add(observation)
  }
}
