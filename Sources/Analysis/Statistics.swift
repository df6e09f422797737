/// Interval estimates for shares.
public enum Statistics {
  /// z for a two-sided 95% interval.
  public static let z95 = 1.959963984540054

  /// The Wilson score interval for a share `p` observed over `n` independent units
  /// (E. B. Wilson, 1927). `n == 0` gives `0...1`.
  public static func wilson(share p: Double, n: Double, z: Double = z95) -> ClosedRange<Double> {
    guard n > 0 else { return 0...1 }
    let z2 = z * z
    let denominator = 1 + z2 / n
    let centre = (p + z2 / (2 * n)) / denominator
    let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
    return max(0, centre - half)...min(1, centre + half)
  }

  /// Total variation distance between two distributions over the same keys (missing keys are 0):
  /// half the sum of absolute differences, from 0 (identical) to 1 (disjoint).
  public static func totalVariation<K: Hashable>(_ a: [K: Double], _ b: [K: Double]) -> Double {
    let sa = a.values.reduce(0, +)
    let sb = b.values.reduce(0, +)
    guard sa > 0, sb > 0 else { return 1 }
    var sum = 0.0
    for key in Set(a.keys).union(b.keys) {
      sum += abs((a[key] ?? 0) / sa - (b[key] ?? 0) / sb)
    }
    return sum / 2
  }

  /// The share of the IPv4 space in special-purpose blocks: what a uniformly random IPv4 source
  /// falls into. 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24 (less the two
  /// anycast addresses), 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24 and 224/3.
  public static let ipv4SpecialFraction: Double = {
    let blocks: [Int] = [8, 8, 10, 8, 16, 12, 24, 24, 16, 15, 24, 24, 3]
    let sum = blocks.reduce(0.0) { $0 + 1 / Double(UInt64(1) << UInt64($1)) }
    return sum - 2 / 4_294_967_296.0
  }()
}
