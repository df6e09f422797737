import NetCore
import Testing

/// Timestamps anywhere in the 64-bit range: before 1970, at both ends, and the text they print as.
@Suite("Timestamps at the ends of the range")
struct TimestampLimitsTests {
  static let seconds: [(nanoseconds: Int64, seconds: Int64)] = [
    (Int64.min, -9_223_372_037), (Int64.min + 1, -9_223_372_037), (-1, -1), (0, 0), (999_999_999, 0),
    (Int64.max, 9_223_372_036),
  ]

  @Test("seconds round toward the past for every value", arguments: seconds)
  func secondsRoundDown(nanoseconds: Int64, seconds: Int64) {
    #expect(Timestamp(nanoseconds: nanoseconds).seconds == seconds)
  }

  @Test("the ends of the range print, and read back")
  func endsPrintAndReadBack() throws {
    #expect(Timestamp(nanoseconds: Int64.min).iso8601(fractionDigits: 9) == "1677-09-21T00:12:43.145224192Z")
    #expect(Timestamp(nanoseconds: Int64.max).iso8601(fractionDigits: 9) == "2262-04-11T23:47:16.854775807Z")
    #expect(Timestamp(nanoseconds: -1).iso8601(fractionDigits: 9) == "1969-12-31T23:59:59.999999999Z")
    for value in [Int64.min, Int64.min + 1, -1_000_000_001, -1, 0, Int64.max] {
      let time = Timestamp(nanoseconds: value)
      #expect(Timestamp.parseISO8601(time.iso8601(fractionDigits: 9)) == time, "\(value)")
    }
  }

  @Test("seconds beyond the range clamp to its ends")
  func secondsClamp() {
    #expect(Timestamp(seconds: Int64.max).nanoseconds == Int64.max)
    #expect(Timestamp(seconds: Int64.min).nanoseconds == Int64.min)
    #expect(Timestamp(seconds: 9_223_372_036, nanoseconds: 999_999_999).nanoseconds == Int64.max)
    #expect(Timestamp(seconds: -9_223_372_037, nanoseconds: 145_224_193).nanoseconds == Int64.min + 1)
  }

  @Test("fractions finer than a nanosecond are read and cut to nanoseconds")
  func longFractions() {
    #expect(Timestamp.parseISO8601("1969-12-31T23:59:59.9999109999Z")?.nanoseconds == -89_001)
    #expect(Timestamp.parseISO8601("2025-03-10T09:30:00.123456789123456789Z")?.nanoseconds == 1_741_599_000_123_456_789)
  }

  @Test("dates outside four-digit years are not read")
  func parseRefusesOtherYears() {
    #expect(Timestamp.parseISO8601("10000-01-01T00:00:00Z") == nil)
    #expect(Timestamp.parseISO8601("0000-01-01T00:00:00Z") != nil)
  }

  @Test("line breaks of every kind become spaces")
  func oneLine() {
    #expect("a\nb\r\nc\rd\u{0B}e\u{0C}f\u{85}g\u{2028}h\u{2029}i".oneLine == "a b c d e f g h i")
    #expect("plain".oneLine == "plain")
  }

  @Test(
    "date-times as logs write them read only leniently",
    arguments: [
      ("2017-04-07T22:24:37.251547+0100", 1_491_600_277_251_547_000), ("2025-03-10 09:01:30", 1_741_597_290_000_000_000),
      ("2025-03-10T09:01:30,5Z", 1_741_597_290_500_000_000), ("2025-03-10T10:01:30+01", 1_741_597_290_000_000_000),
    ] as [(String, Int64)])
  func lenientForms(text: String, nanoseconds: Int64) {
    let lenient = Array(text.utf8).withUnsafeBytes { Timestamp.parseISO8601(bytes: $0, lenient: true) }
    #expect(lenient?.nanoseconds == nanoseconds)
    #expect(Timestamp.parseISO8601(text) == nil)
  }

  @Test("RFC 3339 date-times read alike either way", arguments: ["2025-03-10T09:30:00-04:00", "2025-03-10T13:30Z", "2025-03-10 13:30:00.5+00:00"])
  func strictForms(text: String) {
    let lenient = Array(text.utf8).withUnsafeBytes { Timestamp.parseISO8601(bytes: $0, lenient: true) }
    #expect(lenient != nil && lenient == Timestamp.parseISO8601(text))
  }
}
