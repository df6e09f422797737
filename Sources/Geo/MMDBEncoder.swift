/// Encodes data-section values (MaxMind DB File Format Specification 2.0, "Output Data Section").
struct MMDBEncoder {
  private(set) var bytes: [UInt8] = []
  /// Whether repeated strings become pointers (off for the metadata section, which has no pointers).
  var usesPointers = true
  /// Whether integers take at least one byte. libmaxminddb refuses metadata whose integers
  /// (a zero `build_epoch`, say) are stored in zero bytes, so the metadata section sets this.
  var integersTakeAByte = false
  /// Offsets of values already written, so repeated strings and records become pointers.
  private var written: [MMDBValue: Int] = [:]

  /// Appends `value` unless an identical value was appended before; returns its offset.
  mutating func appendDeduplicated(_ value: MMDBValue) -> Int {
    if let offset = written[value] { return offset }
    let offset = bytes.count
    append(value)
    written[value] = offset
    return offset
  }

  /// Type numbers of the specification.
  private enum TypeNumber: Int {
    case pointer = 1, string, double, bytes, uint16, uint32, map, int32, uint64, uint128, array
    case container, endMarker, boolean, float
  }

  /// Writes a control byte (and extended type byte and size bytes) for `type` and `size`.
  private mutating func control(_ type: TypeNumber, _ size: Int) {
    var first: UInt8
    var extended: UInt8? = nil
    if type.rawValue <= 7 {
      first = UInt8(type.rawValue) << 5
    } else {
      first = 0
      extended = UInt8(type.rawValue - 7)
    }
    var sizeBytes: [UInt8] = []
    if size < 29 {
      first |= UInt8(size)
    } else if size < 29 + 256 {
      first |= 29
      sizeBytes = [UInt8(size - 29)]
    } else if size < 285 + 65536 {
      first |= 30
      let v = size - 285
      sizeBytes = [UInt8(v >> 8), UInt8(v & 0xff)]
    } else {
      first |= 31
      let v = size - 65821
      sizeBytes = [UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }
    bytes.append(first)
    if let e = extended { bytes.append(e) }
    bytes += sizeBytes
  }

  /// Writes a pointer to `offset` in the data section.
  private mutating func pointer(_ offset: Int) {
    if offset < 1 << 11 {
      bytes += [0x20 | UInt8(offset >> 8), UInt8(offset & 0xff)]
    } else if offset < (1 << 19) + 2048 {
      let v = offset - 2048
      bytes += [0x28 | UInt8(v >> 16), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    } else if offset < (1 << 27) + 526336 {
      let v = offset - 526336
      bytes += [0x30 | UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    } else {
      bytes += [0x38, UInt8(offset >> 24 & 0xff), UInt8(offset >> 16 & 0xff), UInt8(offset >> 8 & 0xff), UInt8(offset & 0xff)]
    }
  }

  /// Minimal big-endian bytes of an unsigned integer.
  private func minimal(_ v: UInt64) -> [UInt8] {
    if v == 0 && integersTakeAByte { return [0] }
    var out: [UInt8] = []
    var x = v
    while x != 0 {
      out.insert(UInt8(x & 0xff), at: 0)
      x >>= 8
    }
    return out
  }

  mutating func append(_ value: MMDBValue) {
    switch value {
    case .string(let s):
      // Strings of some length are stored once and pointed to afterwards.
      if usesPointers, s.utf8.count >= 3, let offset = written[value] {
        pointer(offset)
        return
      }
      let offset = bytes.count
      let utf8 = Array(s.utf8)
      control(.string, utf8.count)
      bytes += utf8
      if usesPointers && utf8.count >= 3 { written[value] = offset }
    case .double(let d):
      control(.double, 8)
      bytes += minimalFixed(d.bitPattern, 8)
    case .float(let f):
      control(.float, 4)
      bytes += minimalFixed(UInt64(f.bitPattern), 4)
    case .bytes(let b):
      control(.bytes, b.count)
      bytes += b
    case .uint16(let v):
      let m = minimal(UInt64(v))
      control(.uint16, m.count)
      bytes += m
    case .uint32(let v):
      let m = minimal(UInt64(v))
      control(.uint32, m.count)
      bytes += m
    case .uint64(let v):
      let m = minimal(v)
      control(.uint64, m.count)
      bytes += m
    case .uint128(let h, let l):
      let m = h == 0 ? minimal(l) : minimal(h) + minimalFixed(l, 8)
      control(.uint128, m.count)
      bytes += m
    case .int32(let v):
      // Signed values are stored in full when negative so the sign is kept.
      let m = v < 0 ? minimalFixed(UInt64(UInt32(bitPattern: v)), 4) : minimal(UInt64(v))
      control(.int32, m.count)
      bytes += m
    case .boolean(let b):
      control(.boolean, b ? 1 : 0)
    case .array(let items):
      control(.array, items.count)
      for item in items { append(item) }
    case .map(let m):
      control(.map, m.count)
      for key in m.keys.sorted() {
        append(.string(key))
        append(m[key]!)
      }
    }
  }

  private func minimalFixed(_ v: UInt64, _ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * (count - 1 - $0))) }
  }
}
