/// A point in time as nanoseconds since the Unix epoch (UTC); negative before 1970.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var nanoseconds: Int64

  public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

  public init(seconds: Int64, nanoseconds: Int64 = 0) {
    self.nanoseconds = Int64(clamping: Int128(seconds) * 1_000_000_000 + Int128(nanoseconds))
  }

  /// Whole seconds since the epoch, rounded down (toward the past), for every value of `nanoseconds`.
  public var seconds: Int64 { secondsAndFraction.seconds }

  /// Whole seconds rounded down, and the nanoseconds past them (0..<1,000,000,000), for every value
  /// of `nanoseconds`.
  public var secondsAndFraction: (seconds: Int64, fraction: Int64) {
    let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
    return remainder < 0 ? (quotient - 1, remainder + 1_000_000_000) : (quotient, remainder)
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

  /// RFC 3339 in UTC with fractional seconds to the microsecond: `2025-03-10T09:30:00.000000Z`.
  public var description: String { iso8601(fractionDigits: 6) }

  public func iso8601(fractionDigits: Int = 6) -> String {
    let (secs, frac) = secondsAndFraction
    let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
    let rem = secs - days * 86400
    let (y, m, d) = Timestamp.civil(fromDays: days)
    func pad(_ v: Int64, _ w: Int) -> String {
      let s = String(v)
      return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
    }
    var out = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2))"
    if fractionDigits > 0 {
      var f = frac
      for _ in 0..<(9 - min(9, fractionDigits)) { f /= 10 }
      out += "." + pad(f, min(9, fractionDigits))
    }
    return out + "Z"
  }

  /// Converts days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
  public static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let z = z0 + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let y = yoe + era * 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (m <= 2 ? y + 1 : y, m, d)
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date.
  public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }
}

extension Timestamp {
  /// Parses RFC 3339 / ISO 8601 date-times with an offset: `2025-03-10T09:30:00-04:00`,
  /// `2025-03-10T13:30Z`, `2025-03-10 13:30:00.5+00:00`. `nil` when the text is not one.
  public static func parseISO8601(_ text: some StringProtocol) -> Timestamp? {
    var copy = String(text)
    return copy.withUTF8 { parseISO8601(bytes: UnsafeRawBufferPointer($0), lenient: false) }
  }

  /// Parses the UTF-8 bytes of an ISO 8601 date-time: `T`, `t` or a space between date and time,
  /// optional seconds and fraction (digits past the ninth are read and dropped), and an offset
  /// `Z` or `+01:00`. `lenient` reads it the way logs write it as well: a comma before the fraction,
  /// an offset `+0100` or `+01`, or none, which means UTC (`2017-04-07T22:24:37.251547+0100`,
  /// `2025-03-10 09:01:30`).
  public static func parseISO8601(bytes s: UnsafeRawBufferPointer, lenient: Bool) -> Timestamp? {
    var i = 0
    func number(_ digits: Int) -> Int64? {
      guard i + digits <= s.count else { return nil }
      var v: Int64 = 0
      for k in 0..<digits {
        let c = s[i + k]
        guard c >= 0x30 && c <= 0x39 else { return nil }
        v = v * 10 + Int64(c - 0x30)
      }
      i += digits
      return v
    }
    func expect(_ c: UInt8) -> Bool {
      guard i < s.count, s[i] == c else { return false }
      i += 1
      return true
    }
    guard let year = number(4), expect(0x2d), let month = number(2), expect(0x2d), let day = number(2),
      (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    guard i < s.count, s[i] == 0x54 || s[i] == 0x74 || s[i] == 0x20 else { return nil }
    i += 1
    guard let hour = number(2), expect(0x3a), let minute = number(2), hour < 24, minute < 60 else { return nil }
    var second: Int64 = 0
    var nanos: Int64 = 0
    if expect(0x3a) {
      guard let sec = number(2), sec < 61 else { return nil }
      second = sec
      if expect(0x2e) || (lenient && expect(0x2c)) {
        var digits = 0
        while i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
          if digits < 9 { nanos = nanos * 10 + Int64(s[i] - 0x30) }
          digits += 1
          i += 1
        }
        guard digits > 0 else { return nil }
        if digits < 9 { for _ in digits..<9 { nanos *= 10 } }
      }
    }
    var offset: Int64 = 0
    if i < s.count {
      if s[i] == 0x5a || s[i] == 0x7a {
        i += 1
      } else if s[i] == 0x2b || s[i] == 0x2d {
        let sign: Int64 = s[i] == 0x2d ? -1 : 1
        i += 1
        guard let oh = number(2), oh < 24 else { return nil }
        var om: Int64 = 0
        if expect(0x3a) {
          guard let m = number(2) else { return nil }
          om = m
        } else if lenient && i < s.count {
          guard let m = number(2) else { return nil }
          om = m
        } else if !lenient {
          return nil
        }
        guard om < 60 else { return nil }
        offset = sign * (oh * 3600 + om * 60)
      } else {
        return nil
      }
    } else if !lenient {
      return nil
    }
    guard i == s.count else { return nil }
    let days = Timestamp.days(year: year, month: month, day: day)
    return Timestamp(seconds: days * 86400 + hour * 3600 + minute * 60 + second - offset, nanoseconds: nanos)
  }

  /// Parses a duration: `500ms`, `30s`, `5m`, `1h`, `1d` (a number and a unit), in nanoseconds.
  public static func parseDuration(_ text: some StringProtocol) -> Int64? {
    let units: [(String, Int64)] = [("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", 86_400_000_000_000)]
    for (unit, scale) in units where text.hasSuffix(unit) {
      let number = text.dropLast(unit.count)
      if unit == "s" && number.hasSuffix("m") { continue }
      guard let v = Double(number), v > 0, v.isFinite, v * Double(scale) < 9e18 else { return nil }
      let ns = Int64((v * Double(scale)).rounded())
      return ns > 0 ? ns : nil
    }
    return nil
  }
}
