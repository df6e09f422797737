import Analysis
import NetCore
import TestSupport
import Testing

/// Distinct-source sketches: accuracy within the documented error, merging independent of order and split.
@Suite struct SketchTests {
  static func addresses(_ n: Int, seed: UInt64) -> [IPAddress] {
    var rng = SeededGenerator(seed: seed)
    return (0..<n).map { i in i % 10 == 9 ? randomIPv6(&rng) : randomIPv4(&rng) }
  }

  @Test(arguments: [100, 1_000, 10_000, 100_000, 1_000_000])
  func estimateWithinThreeStandardErrors(n: Int) {
    var h = HyperLogLog(precision: 12)
    for a in Self.addresses(n, seed: UInt64(n)) { h.insert(a) }
    let error = abs(Double(h.estimate) - Double(n)) / Double(n)
    #expect(error <= 3 * h.standardError, "n=\(n) estimate=\(h.estimate)")
  }

  @Test func precisionEightWithinItsError() {
    var h = HyperLogLog(precision: 8)
    for a in Self.addresses(50_000, seed: 8) { h.insert(a) }
    let error: Double = abs(Double(h.estimate) - 50_000) / 50_000
    let bound: Double = 3 * 1.04 / 16
    #expect(error <= bound)
  }

  @Test func duplicatesDoNotCount() {
    var h = HyperLogLog(precision: 12)
    let a = Self.addresses(5_000, seed: 3)
    for _ in 0..<4 { for x in a { h.insert(x) } }
    var once = HyperLogLog(precision: 12)
    for x in a { once.insert(x) }
    #expect(h == once)
  }

  @Test func mergeEqualsSketchOfUnionWhateverTheSplit() {
    let all = Self.addresses(30_000, seed: 11)
    var whole = HyperLogLog(precision: 12)
    for a in all { whole.insert(a) }
    for cut in [1, 7_000, 15_000, 29_999] {
      var left = HyperLogLog(precision: 12)
      var right = HyperLogLog(precision: 12)
      for a in all[..<cut] { left.insert(a) }
      for a in all[cut...].reversed() { right.insert(a) }
      left.merge(right)
      #expect(left == whole)
    }
  }

  @Test func reducedSketchEqualsTheSketchBuiltAtTheLowerPrecision() {
    let a = Self.addresses(20_000, seed: 21)
    var high = HyperLogLog(precision: 12)
    var low = HyperLogLog(precision: 8)
    for x in a {
      high.insert(x)
      low.insert(x)
    }
    #expect(high.reduced(to: 8) == low)
    var merged = HyperLogLog(precision: 12)
    for x in a[..<5_000] { merged.insert(x) }
    var other = HyperLogLog(precision: 8)
    for x in a[5_000...] { other.insert(x) }
    merged.merge(other)
    #expect(merged == low)
  }

  @Test func hashIsFixed() {
    // The hash is part of the summary format: sketches from other runs and versions must agree.
    #expect(SourceHash.hash(.v4(IPv4Address(192, 0, 2, 1))) == SourceHash.mix(0x4_c000_0201))
    #expect(SourceHash.mix(0) == 0)
    #expect(SourceHash.mix(1) == 0xb456_bcfc_34c2_cb2c)
  }

  @Test func registersRoundTripAndBadRegistersAreRejected() {
    var h = HyperLogLog(precision: 12)
    for a in Self.addresses(2_000, seed: 5) { h.insert(a) }
    #expect(HyperLogLog(registers: h.registers) == h)
    #expect(HyperLogLog(registers: [UInt8](repeating: 0, count: 1000)) == nil)
    #expect(HyperLogLog(registers: [UInt8](repeating: 60, count: 4096)) == nil)
  }

  @Test func sourceSetIsExactUpToTheLimitThenASketch() {
    let a = Self.addresses(SourceSet.exactLimit + 500, seed: 9)
    var s = SourceSet.empty
    for x in a[..<SourceSet.exactLimit] { s.insert(x) }
    #expect(!s.isEstimate)
    #expect(s.count == UInt64(SourceSet.exactLimit))
    for x in a[SourceSet.exactLimit...] { s.insert(x) }
    #expect(s.isEstimate)
    let n = Double(a.count)
    let error: Double = abs(Double(s.count) - n) / n
    #expect(error <= 0.05)
  }

  @Test func sourceSetUnionIsExactWhileSmall() {
    let a = Self.addresses(600, seed: 1)
    var left = SourceSet.empty
    var right = SourceSet.empty
    for x in a[..<400] { left.insert(x) }
    for x in a[200...] { right.insert(x) }
    left.formUnion(right)
    #expect(left == .exact(Set(a)))
    // Past the limit, the union is the sketch of all addresses, whichever side was exact.
    let b = Self.addresses(3_000, seed: 2)
    var big = SourceSet.empty
    for x in b[..<2_000] { big.insert(x) }
    var small = SourceSet.empty
    for x in b[2_000...] { small.insert(x) }
    small.formUnion(big)
    var reference = HyperLogLog(precision: SourceSet.sketchPrecision)
    for x in b { reference.insert(x) }
    #expect(small == .sketch(reference))
  }
}
