// IEEE 802.11 MAC header (IEEE Std 802.11-2020 clause 9.2), in wire order:
//   0  frame control: byte 0 = protocol version (bits 0-1), type (bits 2-3), subtype (bits 4-7);
//      byte 1 = To DS 0x01, From DS 0x02, More Fragments 0x04, Retry 0x08, Power Management 0x10,
//      More Data 0x20, Protected Frame 0x40, +HTC/Order 0x80
//   2  duration/ID
//   4  address 1, 10 address 2, 16 address 3 (6 bytes each)
//  22  sequence control
//  24  address 4, only when To DS and From DS are both set (mesh and WDS frames)
//  then QoS control (2 bytes) in QoS data subtypes (subtype bit 0x8), and HT control (4 bytes)
//  in QoS data frames with the +HTC/Order bit set (clause 9.2.4.1.10).
// Data frames (type 2) whose subtype has bit 0x4 set (Null, CF-Ack, CF-Poll, QoS Null) have no body.
// The body of an unprotected data frame is an 802.2 LLC/SNAP frame; with the A-MSDU Present bit
// (QoS control bit 7) it is a series of subframes, each with a 14-byte header (DA, SA, length)
// before its LLC/SNAP frame (clause 9.3.2.2.2); the first is decoded. A trailing FCS is ignored.

extension PacketDecoder {
  static let ieee80211HeaderLength = 24

  /// Decodes an 802.11 frame at `offset`.
  static func ieee80211(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> DecodeOutcome {
    guard bytes.has(2, at: offset) else { return .truncated(.ieee80211, 2, at: offset, in: bytes) }
    let control = bytes[offset]
    let flags = bytes[offset &+ 1]
    guard control & 0x03 == 0 else { return .malformed(.ieee80211, .badWLANHeader) }
    guard control & 0x0c == 0x08 else { return .nonIP(.wlanNonData) }  // type 2: data
    let subtype = control >> 4
    guard subtype & 0x04 == 0 else { return .nonIP(.wlanNonData) }
    guard flags & 0x40 == 0 else { return .nonIP(.wlanProtected) }

    var headerLength = ieee80211HeaderLength
    if flags & 0x03 == 0x03 { headerLength &+= 6 }  // address 4
    let qosControl = offset &+ headerLength
    let isQoS = subtype & 0x08 != 0
    if isQoS {
      headerLength &+= 2
      if flags & 0x80 != 0 { headerLength &+= 4 }
    }
    guard bytes.has(headerLength, at: offset) else {
      return .truncated(.ieee80211, headerLength, at: offset, in: bytes)
    }
    if isQoS, bytes[qosControl] & 0x80 != 0 {
      headerLength &+= 14  // first A-MSDU subframe header
      guard bytes.has(headerLength, at: offset) else {
        return .truncated(.ieee80211, headerLength, at: offset, in: bytes)
      }
    }
    return llc(bytes, at: offset &+ headerLength, depth: 0)
  }
}
