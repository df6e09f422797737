// Unaligned big-endian loads from export datagrams. Every caller checks the range first.

extension UnsafeRawBufferPointer {
  @inline(__always)
  func u16(_ offset: Int) -> UInt16 {
    UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }

  @inline(__always)
  func u32(_ offset: Int) -> UInt32 {
    UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  @inline(__always)
  func u64(_ offset: Int) -> UInt64 {
    UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// An unsigned big-endian integer of 1 to 8 bytes (IPFIX reduced-size encoding, RFC 7011
  /// section 6.2). Longer fields give their last 8 bytes.
  @inline(__always)
  func unsigned(_ offset: Int, _ length: Int) -> UInt64 {
    switch length {
    case 1: return UInt64(self[offset])
    case 2: return UInt64(u16(offset))
    case 4: return UInt64(u32(offset))
    case 8: return u64(offset)
    default:
      var value: UInt64 = 0
      let start = length > 8 ? offset &+ length &- 8 : offset
      for i in start..<(offset &+ length) { value = value << 8 | UInt64(self[i]) }
      return value
    }
  }
}
