import NetCore

// NetFlow v5 (Cisco), in wire order.
// Header, 24 bytes:
//   0  version (5)           2  count (records, 1-30)    4  sysUptime (ms)
//   8  unix_secs            12  unix_nsecs              16  flow_sequence
//  20  engine_type          21  engine_id               22  sampling: mode (2 bits), interval (14 bits)
// Record, 48 bytes:
//   0  srcaddr    4  dstaddr    8  nexthop   12  input     14  output
//  16  dPkts     20  dOctets   24  First (sysUptime ms at the first packet)   28  Last
//  32  srcport   34  dstport   36  pad1      37  tcp_flags 38  prot   39  tos
//  40  src_as    42  dst_as    44  src_mask  45  dst_mask  46  pad2

extension ExportDecoder {
  static let v5HeaderLength = 24
  static let v5RecordLength = 48

  func decodeV5<Sink: ExportSink>(_ bytes: UnsafeRawBufferPointer, into sink: inout Sink) -> DatagramResult {
    var result = DatagramResult(version: 5, records: 0)
    guard bytes.count >= Self.v5HeaderLength else {
      fail(&result, .datagramTooShort, 0, "NetFlow v5 header needs 24 bytes, the datagram has \(bytes.count)", &sink)
      return result
    }
    let count = Int(bytes.u16(2))
    let sysUptime = bytes.u32(4)
    let exportTime = Int64(bytes.u32(8)) * 1_000_000_000 + Int64(bytes.u32(12) % 1_000_000_000)
    let interval = UInt64(bytes.u16(22) & 0x3FFF)
    let held = (bytes.count - Self.v5HeaderLength) / Self.v5RecordLength
    var records = 0
    for i in 0..<min(count, held) {
      let at = Self.v5HeaderLength + i * Self.v5RecordLength
      var v = RecordValues()
      v.source = .v4(IPv4Address(bytes.u32(at)))
      v.destination = .v4(IPv4Address(bytes.u32(at + 4)))
      v.packetDelta = UInt64(bytes.u32(at + 16))
      v.octetDelta = UInt64(bytes.u32(at + 20))
      v.sourcePort = bytes.u16(at + 32)
      v.destinationPort = bytes.u16(at + 34)
      v.tcpFlags = bytes[at + 37]
      v.protocolNumber = bytes[at + 38]
      // The header's sampling interval stands for every record of the datagram.
      if interval > 1 { v.samplingInterval = interval }
      let start = Self.uptimeTime(exportTime: exportTime, sysUptime: sysUptime, at: bytes.u32(at + 24))
      emit(v, start: start, domain: nil, into: &sink, records: &records)
    }
    result.records = records
    if count > held {
      fail(
        &result, .badDatagramLength, Self.v5HeaderLength + held * Self.v5RecordLength,
        "NetFlow v5 header counts \(count) records, the datagram holds \(held)", &sink)
    }
    return result
  }

  /// The time of an event stamped `at` milliseconds of exporter uptime, in a datagram exported at
  /// `exportTime` when the exporter had been up `sysUptime` milliseconds. The difference is taken
  /// modulo 2^32, so uptimes that wrapped (after 49.7 days) still convert.
  static func uptimeTime(exportTime: Int64, sysUptime: UInt32, at: UInt32) -> Timestamp {
    let before = Int64(Int32(bitPattern: sysUptime &- at))
    return Timestamp(nanoseconds: exportTime - before * 1_000_000)
  }
}
