import NetCore

/// The fixed hash distinct-source counting uses everywhere. It has no seed and no per-process
/// randomness, so sketches and samples built by different runs, machines or versions hash the
/// same address to the same value and merge.
///
/// The hash is the MurmurHash3 64-bit finaliser (`fmix64`) over the address: an IPv4 address as its
/// 32-bit value, an IPv6 address as `fmix64(high ^ fmix64(low ^ 0x6))`, so the two families never
/// share inputs.
public enum SourceHash {
  @inline(__always)
  public static func mix(_ value: UInt64) -> UInt64 {
    var k = value
    k ^= k >> 33
    k = k &* 0xff51_afd7_ed55_8ccd
    k ^= k >> 33
    k = k &* 0xc4ce_b9fe_1a85_ec53
    k ^= k >> 33
    return k
  }

  @inline(__always)
  public static func ipv4(_ value: UInt32) -> UInt64 { mix(UInt64(value) | 0x4_0000_0000) }

  @inline(__always)
  public static func ipv6(high: UInt64, low: UInt64) -> UInt64 { mix(high ^ mix(low ^ 0x6)) }

  @inline(__always)
  public static func hash(_ address: IPAddress) -> UInt64 {
    switch address {
    case .v4(let a): return ipv4(a.value)
    case .v6(let a): return ipv6(high: a.high, low: a.low)
    }
  }
}

/// A HyperLogLog sketch of distinct sources (Flajolet et al. 2007, with the linear-counting
/// correction for small counts). `2^precision` one-byte registers; the relative standard error of
/// the estimate is `1.04 / sqrt(2^precision)`: 1.6% at precision 12, 6.5% at precision 8.
/// Sketches of the same precision merge by taking the larger register, whatever order and
/// split the addresses arrived in.
public struct HyperLogLog: Sendable, Hashable {
  public let precision: Int
  public private(set) var registers: [UInt8]

  public init(precision: Int) {
    precondition((4...16).contains(precision))
    self.precision = precision
    registers = [UInt8](repeating: 0, count: 1 << precision)
  }

  /// Rebuilds a sketch from its registers; nil when the count is not a power of two in range or a
  /// register is larger than a 64-bit hash allows.
  public init?(registers: [UInt8]) {
    let p = registers.count.trailingZeroBitCount
    guard registers.count == 1 << p, (4...16).contains(p) else { return nil }
    guard registers.allSatisfy({ Int($0) <= 64 - p + 1 }) else { return nil }
    precision = p
    self.registers = registers
  }

  @inline(__always)
  public mutating func insert(hash: UInt64) {
    let index = Int(truncatingIfNeeded: hash >> UInt64(64 - precision))
    let rest = hash << UInt64(precision)
    let rank = UInt8(truncatingIfNeeded: min(rest.leadingZeroBitCount, 64 - precision) + 1)
    if registers[index] < rank { registers[index] = rank }
  }

  public mutating func insert(_ address: IPAddress) { insert(hash: SourceHash.hash(address)) }

  /// Adds the other sketch's addresses. A sketch of a higher precision is first reduced to this
  /// one's; merging into a lower-precision sketch reduces this one.
  public mutating func merge(_ other: HyperLogLog) {
    if other.precision > precision { return merge(other.reduced(to: precision)) }
    if other.precision < precision {
      self = reduced(to: other.precision)
      return merge(other)
    }
    for i in registers.indices where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
  }

  /// The sketch the same addresses give at a lower precision: the index bits dropped become the
  /// leading bits of the rank's field.
  public func reduced(to p: Int) -> HyperLogLog {
    guard p < precision else { return self }
    var out = HyperLogLog(precision: p)
    let shift = precision - p
    let lowMask = (1 << shift) - 1
    for (i, r) in registers.enumerated() where r > 0 {
      let low = i & lowMask
      let rank: UInt8
      if low != 0 {
        // Leading zeros of `low` within a field of `shift` bits, plus one.
        rank = UInt8(shift - (Int.bitWidth - low.leadingZeroBitCount) + 1)
      } else {
        rank = UInt8(shift) + r
      }
      let j = i >> shift
      if out.registers[j] < rank { out.registers[j] = rank }
    }
    return out
  }

  /// The estimated number of distinct addresses inserted.
  public var estimate: UInt64 {
    let m = Double(registers.count)
    var sum = 0.0
    var zeros = 0
    for r in registers {
      sum += 1.0 / Double(UInt64(1) << UInt64(r))
      if r == 0 { zeros += 1 }
    }
    let alpha: Double
    switch registers.count {
    case 16: alpha = 0.673
    case 32: alpha = 0.697
    case 64: alpha = 0.709
    default: alpha = 0.7213 / (1 + 1.079 / m)
    }
    let raw = alpha * m * m / sum
    if raw <= 2.5 * m && zeros > 0 {
      return UInt64((m * log(m / Double(zeros))).rounded())
    }
    // Registers read back from a summary can claim more than 64 bits can count.
    return raw < 0x1p64 ? UInt64(raw.rounded()) : .max
  }

  /// Relative standard error of `estimate`.
  public var standardError: Double { 1.04 / Double(registers.count).squareRoot() }
}

/// The distinct source addresses of one origin: the exact set while it has at most `exactLimit`
/// addresses, a HyperLogLog sketch of precision 12 beyond. Sets merge exactly while their union
/// stays within the limit, and by sketch after.
public enum SourceSet: Sendable, Hashable {
  case exact(Set<IPAddress>)
  case sketch(HyperLogLog)

  /// Largest exact set a summary carries per origin.
  public static let exactLimit = 1024
  /// Sketch precision once a set is past the limit (1.6% relative standard error).
  public static let sketchPrecision = 12

  public static var empty: SourceSet { .exact([]) }

  public var count: UInt64 {
    switch self {
    case .exact(let s): return UInt64(s.count)
    case .sketch(let h): return h.estimate
    }
  }

  public var isEstimate: Bool {
    if case .sketch = self { return true }
    return false
  }

  public mutating func insert(_ address: IPAddress) {
    switch self {
    case .exact(var s):
      s.insert(address)
      self = s.count > Self.exactLimit ? .sketch(Self.sketch(of: s)) : .exact(s)
    case .sketch(var h):
      h.insert(address)
      self = .sketch(h)
    }
  }

  public mutating func formUnion(_ other: SourceSet) {
    switch (self, other) {
    case (.exact(let a), .exact(let b)):
      let u = a.union(b)
      self = u.count > Self.exactLimit ? .sketch(Self.sketch(of: u)) : .exact(u)
    case (.exact(let a), .sketch(var h)):
      for address in a { h.insert(address) }
      self = .sketch(h)
    case (.sketch(var h), .exact(let b)):
      for address in b { h.insert(address) }
      self = .sketch(h)
    case (.sketch(var h), .sketch(let g)):
      h.merge(g)
      self = .sketch(h)
    }
  }

  static func sketch(of addresses: some Sequence<IPAddress>) -> HyperLogLog {
    var h = HyperLogLog(precision: sketchPrecision)
    for a in addresses { h.insert(a) }
    return h
  }
}

#if canImport(Glibc)
  import Glibc
#endif
