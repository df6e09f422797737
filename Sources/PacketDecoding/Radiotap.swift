// Radiotap header (https://www.radiotap.org), little-endian:
//   0  version = 0
//   1  pad
//   2  length of the whole radiotap header, including this fixed part
//   4  present flags (extended while bit 31 is set), then the fields
// The 802.11 frame follows after `length` bytes. The Flags field's FCS-at-end bit is not read: a
// trailing FCS is never reached when decoding the headers.

extension PacketDecoder {
  static let radiotapFixedLength = 8

  /// Decodes a radiotap header at `offset` and the 802.11 frame after it.
  static func radiotap(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> DecodeOutcome {
    guard bytes.has(4, at: offset) else { return .truncated(.radiotap, 4, at: offset, in: bytes) }
    guard bytes[offset] == 0 else { return .malformed(.radiotap, .badRadiotapHeader) }
    let length = Int(bytes.littleEndianUInt16(at: offset &+ 2))
    guard length >= radiotapFixedLength else { return .malformed(.radiotap, .badRadiotapHeader) }
    guard bytes.has(length, at: offset) else {
      return .truncated(.radiotap, length, at: offset, in: bytes)
    }
    return ieee80211(bytes, at: offset &+ length)
  }
}
