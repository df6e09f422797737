/// Burst detection over a bucket series.
///
/// The rule: a bucket is part of a burst when its packet count is at least `factor` (3) times the
/// median packet count of all buckets in the series (empty buckets included), and at least
/// `minimumPackets` (10). Adjacent burst buckets form one burst.
public enum Bursts {
  public static let factor: Double = 3
  public static let minimumPackets: UInt64 = 10

  public static func detect(_ series: [WindowCounts]) -> [ClosedRange<Int>] {
    guard !series.isEmpty else { return [] }
    let counts = series.map(\.totals.packets).sorted()
    let median: Double =
      counts.count % 2 == 1
      ? Double(counts[counts.count / 2]) : (Double(counts[counts.count / 2 - 1]) + Double(counts[counts.count / 2])) / 2
    let threshold = max(Double(minimumPackets), factor * median)
    var out: [ClosedRange<Int>] = []
    var start: Int? = nil
    for (i, w) in series.enumerated() {
      if Double(w.totals.packets) >= threshold {
        if start == nil { start = i }
      } else if let s = start {
        out.append(s...(i - 1))
        start = nil
      }
    }
    if let s = start { out.append(s...(series.count - 1)) }
    return out
  }
}
