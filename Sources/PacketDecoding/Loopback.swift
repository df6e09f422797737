// BSD loopback encapsulations (https://www.tcpdump.org/linktypes/LINKTYPE_NULL.html, LINKTYPE_LOOP.html):
// a 4-byte address family, then the packet.
//   LINKTYPE_NULL (0): in the byte order of the host that wrote the capture.
//   LINKTYPE_LOOP (108): in network byte order.
// AF_INET is 2 everywhere. AF_INET6 is 24 (NetBSD, OpenBSD, BSD/OS), 28 (FreeBSD, DragonFly BSD) or
// 30 (macOS, iOS); 10 is Linux's value, which tools writing these headers on Linux (scapy) use.

/// Address family values found in loopback headers.
enum LoopbackFamily {
  static let inet: UInt32 = 2
  static let inet6Linux: UInt32 = 10
  static let inet6BSD: UInt32 = 24
  static let inet6FreeBSD: UInt32 = 28
  static let inet6Darwin: UInt32 = 30
}

extension PacketDecoder {
  static let loopbackHeaderLength = 4

  /// Decodes a LINKTYPE_NULL frame, whose family may be in either byte order.
  static func null(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(loopbackHeaderLength, at: 0) else {
      return .truncated(.null, loopbackHeaderLength, at: 0, in: bytes)
    }
    // Families are small numbers: the byte order that yields one is the writer's.
    let littleEndian = bytes.littleEndianUInt32(at: 0)
    let family = littleEndian <= 0xffff ? littleEndian : bytes.bigEndianUInt32(at: 0)
    return loopbackPayload(family: family, bytes)
  }

  /// Decodes a LINKTYPE_LOOP frame.
  static func loop(_ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    guard bytes.has(loopbackHeaderLength, at: 0) else {
      return .truncated(.loop, loopbackHeaderLength, at: 0, in: bytes)
    }
    return loopbackPayload(family: bytes.bigEndianUInt32(at: 0), bytes)
  }

  static func loopbackPayload(family: UInt32, _ bytes: UnsafeRawBufferPointer) -> DecodeOutcome {
    switch family {
    case LoopbackFamily.inet: ipv4(bytes, at: loopbackHeaderLength)
    case LoopbackFamily.inet6Linux, LoopbackFamily.inet6BSD, LoopbackFamily.inet6FreeBSD,
      LoopbackFamily.inet6Darwin:
      ipv6(bytes, at: loopbackHeaderLength)
    default: .nonIP(.otherAddressFamily)
    }
  }
}
