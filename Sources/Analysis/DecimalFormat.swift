/// Locale-independent decimal text for reports: the one place numbers become strings.
public enum DecimalFormat {
  /// A fixed-point decimal: `fixed(1.234, 2)` is `1.23`.
  /// Values that are not finite, or too large for fixed point, are written as Swift writes them
  /// (`inf`, `1e+20`): counts read from a damaged summary can make any ratio.
  public static func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    guard value.isFinite, abs(value) * scale < 9e15 else { return "\(value)" }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int64(scaled / scale)
    let frac = Int64(scaled - Double(whole) * scale)
    let sign = value < 0 && scaled > 0 ? "-" : ""
    guard digits > 0 else { return sign + String(whole) }
    let f = String(frac)
    return "\(sign)\(whole).\(String(repeating: "0", count: digits - f.count))\(f)"
  }

  /// A share (0...1) with one decimal: `12.3%`; `<0.1%` for a small non-zero share.
  public static func percent(_ share: Double) -> String {
    if share > 0 && share < 0.0005 { return "<0.1%" }
    return fixed(share * 100, 1) + "%"
  }

  /// `part` of `whole` as `percent`; `-` when `whole` is zero.
  public static func percent(_ part: UInt64, of whole: UInt64) -> String {
    whole == 0 ? "-" : percent(Double(part) / Double(whole))
  }

  /// A threshold as written in a claim: `10%`, `12.5%`.
  public static func threshold(_ share: Double) -> String {
    let p = (share * 1000).rounded() / 10
    return p == p.rounded() && abs(p) < 9e15 ? "\(Int(p))%" : "\(fixed(p, 1))%"
  }
}
