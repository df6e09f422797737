import NetCore

/// One Ethernet II frame as it appears in a capture: the captured bytes, the length on the wire, and the
/// IP datagram length (what an analyser counts as "IP bytes").
///
/// Frames are built whole in principle (headers, then the transport payload, then Ethernet padding up to
/// the 60-byte minimum) and cut after the transport header, the way a header-slicing capture does:
/// `bytes` holds the Ethernet, IP and TCP/UDP headers (TCP options included) and any padding of a short
/// frame; payload bytes are never stored. Lengths in every header describe the whole frame, and the
/// TCP/UDP checksums are those of the whole frame with an all-zero payload.
struct Frame {
  var bytes: [UInt8]
  var wireLength: Int
  var ipLength: Int

  /// The link-layer addresses used throughout: the victim's router and the victim's servers.
  static let routerMAC: [UInt8] = [0x00, 0x1c, 0x73, 0x5a, 0x10, 0x01]
  static let serverMAC: [UInt8] = [0x00, 0x25, 0x90, 0x3e, 0x42, 0x07]

  enum Transport {
    case tcp(TCPHeader)
    case udp(sourcePort: UInt16, destinationPort: UInt16)
  }

  struct TCPHeader {
    var sourcePort: UInt16
    var destinationPort: UInt16
    var sequence: UInt32
    var acknowledgment: UInt32
    var flags: UInt8
    var window: UInt16
    /// Option bytes, a multiple of four long.
    var options: [UInt8] = []

    static let fin: UInt8 = 0x01
    static let syn: UInt8 = 0x02
    static let rst: UInt8 = 0x04
    static let psh: UInt8 = 0x08
    static let ack: UInt8 = 0x10
  }

  /// Builds an inbound frame (router to server) or, with `outbound`, the reverse.
  init(
    source: IPAddress, destination: IPAddress, ttl: UInt8, ipID: UInt16, dontFragment: Bool,
    transport: Transport, payloadLength: Int, outbound: Bool = false
  ) {
    var b: [UInt8] = []
    b.reserveCapacity(96)
    b += outbound ? Frame.routerMAC : Frame.serverMAC
    b += outbound ? Frame.serverMAC : Frame.routerMAC

    let l4Header: [UInt8]
    let protocolNumber: UInt8
    switch transport {
    case .tcp(let t):
      protocolNumber = 6
      var h: [UInt8] = []
      h.append16(t.sourcePort)
      h.append16(t.destinationPort)
      h.append32(t.sequence)
      h.append32(t.acknowledgment)
      h.append(UInt8((20 + t.options.count) / 4) << 4)
      h.append(t.flags)
      h.append16(t.window)
      h += [0, 0, 0, 0]  // checksum, urgent pointer
      h += t.options
      l4Header = h
    case .udp(let sp, let dp):
      protocolNumber = 17
      var h: [UInt8] = []
      h.append16(sp)
      h.append16(dp)
      h.append16(UInt16(8 + payloadLength))
      h += [0, 0]
      l4Header = h
    }
    let l4Length = l4Header.count + payloadLength
    var l4 = l4Header

    switch (source, destination) {
    case (.v4(let s), .v4(let d)):
      b.append16(0x0800)
      ipLength = 20 + l4Length
      var ip: [UInt8] = [0x45, 0]
      ip.append16(UInt16(ipLength))
      ip.append16(ipID)
      ip.append16(dontFragment ? 0x4000 : 0)
      ip += [ttl, protocolNumber, 0, 0]
      ip.append32(s.value)
      ip.append32(d.value)
      let ipSum = Checksum.finish(Checksum.add(ip, to: 0))
      ip[10] = UInt8(ipSum >> 8)
      ip[11] = UInt8(ipSum & 0xff)
      var pseudo: [UInt8] = []
      pseudo.append32(s.value)
      pseudo.append32(d.value)
      pseudo += [0, protocolNumber]
      pseudo.append16(UInt16(l4Length))
      Frame.setTransportChecksum(&l4, pseudo: pseudo, isTCP: protocolNumber == 6)
      b += ip
    case (.v6(let s), .v6(let d)):
      b.append16(0x86dd)
      ipLength = 40 + l4Length
      let flowLabel = UInt32(truncatingIfNeeded: SeededRandom.mix(s.low ^ d.low) & 0xfffff)
      var ip: [UInt8] = []
      ip.append32(6 << 28 | flowLabel)
      ip.append16(UInt16(l4Length))
      ip += [protocolNumber, ttl]
      ip += s.bytes
      ip += d.bytes
      var pseudo: [UInt8] = s.bytes + d.bytes
      pseudo.append32(UInt32(l4Length))
      pseudo += [0, 0, 0, protocolNumber]
      Frame.setTransportChecksum(&l4, pseudo: pseudo, isTCP: protocolNumber == 6)
      b += ip
    default:
      preconditionFailure("source and destination of different families")
    }
    b += l4
    let headerLength = b.count
    wireLength = max(60, 14 + ipLength)
    if wireLength == 60 && headerLength < 60 {
      // A short frame is stored whole: headers, zero payload, Ethernet padding.
      b += [UInt8](repeating: 0, count: 60 - headerLength)
    }
    bytes = b
  }

  private static func setTransportChecksum(_ l4: inout [UInt8], pseudo: [UInt8], isTCP: Bool) {
    var sum = Checksum.add(pseudo, to: 0)
    sum = Checksum.add(l4, to: sum)  // the payload is zeros and adds nothing
    var value = Checksum.finish(sum)
    if !isTCP && value == 0 { value = 0xffff }  // UDP sends a computed zero as all ones
    let at = isTCP ? 16 : 6
    l4[at] = UInt8(value >> 8)
    l4[at + 1] = UInt8(value & 0xff)
  }
}

/// The Internet checksum (RFC 1071) in pieces: add big-endian 16-bit words, then fold and complement.
enum Checksum {
  static func add(_ bytes: [UInt8], to sum: UInt64) -> UInt64 {
    var s = sum
    var i = 0
    while i + 1 < bytes.count {
      s += UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
      i += 2
    }
    if i < bytes.count { s += UInt64(bytes[i]) << 8 }
    return s
  }

  static func finish(_ sum: UInt64) -> UInt16 {
    var s = sum
    while s >> 16 != 0 { s = (s & 0xffff) + (s >> 16) }
    return ~UInt16(s)
  }
}

extension [UInt8] {
  mutating func append16(_ v: UInt16) {
    append(UInt8(v >> 8))
    append(UInt8(v & 0xff))
  }

  mutating func append32(_ v: UInt32) {
    append(UInt8(v >> 24))
    append(UInt8(v >> 16 & 0xff))
    append(UInt8(v >> 8 & 0xff))
    append(UInt8(v & 0xff))
  }
}
