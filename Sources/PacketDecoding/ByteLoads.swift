// Unaligned loads from captured bytes. Every caller checks the range against `count` first; the
// buffer's own bounds checks (debug builds) back that up.

extension UnsafeRawBufferPointer {
  /// The big-endian 16-bit value at `offset`.
  @inline(__always)
  func bigEndianUInt16(at offset: Int) -> UInt16 {
    UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }

  /// The big-endian 32-bit value at `offset`.
  @inline(__always)
  func bigEndianUInt32(at offset: Int) -> UInt32 {
    UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  /// The big-endian 64-bit value at `offset`.
  @inline(__always)
  func bigEndianUInt64(at offset: Int) -> UInt64 {
    UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  /// The little-endian 16-bit value at `offset`.
  @inline(__always)
  func littleEndianUInt16(at offset: Int) -> UInt16 {
    UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }

  /// The little-endian 32-bit value at `offset`.
  @inline(__always)
  func littleEndianUInt32(at offset: Int) -> UInt32 {
    UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  /// Whether `length` bytes starting at `offset` were captured.
  @inline(__always)
  func has(_ length: Int, at offset: Int) -> Bool {
    count &- offset >= length
  }
}

extension DecodeOutcome {
  /// `length` bytes at `offset` are needed for `layer`, and `bytes` ends before them.
  @inline(__always)
  static func truncated(
    _ layer: DecodeLayer, _ length: Int, at offset: Int, in bytes: UnsafeRawBufferPointer
  )
    -> DecodeOutcome
  {
    .truncated(layer, needed: offset &+ length, available: bytes.count)
  }
}
