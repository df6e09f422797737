/// xoshiro256** seeded through SplitMix64.
///
/// Every number capgen draws comes from here, and only integer arithmetic and correctly rounded
/// floating-point operations are applied to the draws, so the same seed gives the same capture on every
/// machine and every Swift version. It deliberately does not conform to `RandomNumberGenerator`: the
/// standard library's `random(in:using:)` algorithms are not promised to stay the same.
struct SeededRandom {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  init(seed: UInt64) {
    var state = seed
    func splitMix() -> UInt64 {
      state &+= 0x9e37_79b9_7f4a_7c15
      return SeededRandom.mix(state)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  /// A generator for one named stream of the same seed: components draw from their own streams, so
  /// changing one component leaves the numbers of every other unchanged.
  init(seed: UInt64, stream: String) {
    self.init(seed: seed ^ SeededRandom.fnv1a(stream))
  }

  /// The SplitMix64 finaliser: a bijective 64-bit mix, also used to derive stable per-address traits.
  static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }

  /// FNV-1a over the UTF-8 bytes of `text`.
  static func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return hash
  }

  mutating func next() -> UInt64 {
    let result = (s1 &* 5).rotatedLeft(7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = s3.rotatedLeft(45)
    return result
  }

  /// A uniform value in `0..<bound` (Lemire's multiply-and-reject); `bound` must be positive.
  mutating func below(_ bound: UInt64) -> UInt64 {
    precondition(bound > 0)
    var product = next().multipliedFullWidth(by: bound)
    if product.low < bound {
      let threshold = (0 &- bound) % bound
      while product.low < threshold {
        product = next().multipliedFullWidth(by: bound)
      }
    }
    return product.high
  }

  /// A uniform value in `0..<bound` for 128-bit bounds (masked rejection).
  mutating func below128(_ bound: UInt128) -> UInt128 {
    precondition(bound > 0)
    if bound <= UInt128(UInt64.max) { return UInt128(below(UInt64(bound))) }
    let bits = 128 - (bound - 1).leadingZeroBitCount
    let mask: UInt128 = bits == 128 ? .max : (UInt128(1) << bits) - 1
    while true {
      let value = (UInt128(next()) << 64 | UInt128(next())) & mask
      if value < bound { return value }
    }
  }

  /// A uniform integer in `range`.
  mutating func int(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(below(UInt64(range.upperBound - range.lowerBound) + 1))
  }

  /// A uniform value in `[0, 1)` with 53 random bits.
  mutating func unit() -> Double {
    Double(next() >> 11) * 0x1p-53
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool { unit() < p }

  mutating func uint16() -> UInt16 { UInt16(truncatingIfNeeded: next() >> 48) }
  mutating func uint32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 32) }

  /// A uniformly chosen element of a non-empty array.
  mutating func element<T>(_ array: [T]) -> T {
    array[Int(below(UInt64(array.count)))]
  }
}

extension UInt64 {
  fileprivate func rotatedLeft(_ k: UInt64) -> UInt64 { (self << k) | (self >> (64 - k)) }
}

/// A fixed table of weighted choices, drawn with integer arithmetic only.
struct WeightedTable<Element> {
  let elements: [Element]
  /// Running totals of the integer weights.
  private let cumulative: [UInt64]

  /// Weights are fractional (`2.5` means 2.5 parts); they are held as integer thousandths.
  init(_ entries: [(Element, Double)]) {
    var total: UInt64 = 0
    var elements: [Element] = []
    var cumulative: [UInt64] = []
    for (element, weight) in entries where weight > 0 {
      total += UInt64((weight * 1000).rounded())
      elements.append(element)
      cumulative.append(total)
    }
    precondition(total > 0, "a weighted table needs a positive weight")
    self.elements = elements
    self.cumulative = cumulative
  }

  func pick(_ rng: inout SeededRandom) -> Element {
    let r = rng.below(cumulative[cumulative.count - 1])
    var lo = 0
    var hi = cumulative.count - 1
    while lo < hi {
      let mid = (lo + hi) / 2
      if cumulative[mid] > r { hi = mid } else { lo = mid + 1 }
    }
    return elements[lo]
  }

  /// Splits `total` over the elements in proportion to their weights (largest remainder, ties to the
  /// earlier element), so a "2% of sources" mix gives exactly the rounded share instead of a random one.
  func apportion(_ total: Int) -> [(Element, Int)] {
    var previous: UInt64 = 0
    let weights = cumulative.map { c -> UInt64 in
      defer { previous = c }
      return c - previous
    }
    let sum = cumulative[cumulative.count - 1]
    var counts = weights.map { Int(UInt64(total) * $0 / sum) }
    let remainders = weights.map { UInt64(total) * $0 % sum }
    var left = total - counts.reduce(0, +)
    let order = remainders.indices.sorted {
      remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1
    }
    for i in order where left > 0 {
      counts[i] += 1
      left -= 1
    }
    return Array(zip(elements, counts))
  }
}
