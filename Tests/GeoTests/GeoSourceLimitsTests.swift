import Foundation
import Geo
import NetCore
import TestSupport
import Testing

/// Range sources with the line endings, blank and giant lines and dates found in the wild or made
/// by a fuzzer: every line is read or named in a one-line error.
@Suite("geodb sources: line limits")
struct GeoSourceLimitsTests {
  func read(_ text: String, layout: GeoSourceReader.Layout = .country) throws(GeoError) -> (
    ranges: [SourceRange], generated: Int64?, path: String
  ) {
    let directory = try! TemporaryDirectory()
    defer { directory.cleanup() }
    let path = directory.path("source.csv")
    try! Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let (ranges, generated) = try GeoSourceReader.read(path: path, layout: layout)
    return (ranges, generated, path)
  }

  func error(_ text: String, layout: GeoSourceReader.Layout = .country) -> String? {
    do {
      _ = try read(text, layout: layout)
      return nil
    } catch {
      return error.message
    }
  }

  @Test("CRLF line endings: every line is read (IP2Location ships CRLF files)")
  func crlf() throws {
    let text = "\"16777216\",\"16777471\",\"AU\",\"Australia\"\r\n\"16777472\",\"16778239\",\"CN\",\"China\"\r\n"
    let ranges = try read(text).ranges
    #expect(ranges.map(\.country) == ["AU", "CN"])
    #expect(ranges.map(\.last) == [IPAddress("1.0.0.255")!, IPAddress("1.0.3.255")!])
  }

  @Test("an error in a CRLF file names its line")
  func crlfErrorLine() throws {
    let message = try #require(error("1.0.0.0,1.0.0.255,AU\r\n1.0.1.0,1.0.1.255,CN\r\n1.0.2.0,x,JP\r\n"))
    #expect(message.hasSuffix(":3: 'x' is not an address: 1.0.2.0,x,JP"))
  }

  @Test("line breaks other than LF and CRLF stay inside a one-line error", arguments: ["\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}"])
  func otherLineBreaks(separator: String) throws {
    let message = try #require(error("1.0.0.0,1.0.0.255,AU\(separator)1.0.1.0,1.0.1.255,CN\n", layout: .asn))
    #expect(message.oneLine == message)
    #expect(message.contains(":1: "))
  }

  @Test("blank and whitespace-only lines are skipped")
  func blankLines() throws {
    let ranges = try read("\n\n   \n\t\n1.0.0.0,1.0.0.255,AU\n\n\n5.8.0.0/16,UA\n\n").ranges
    #expect(ranges.count == 2)
  }

  @Test("a giant line gets a short one-line error")
  func giantLine() throws {
    let giant = String(repeating: "1234567890", count: 200_000)
    let message = try #require(error("1.0.0.0,1.0.0.255,AU\n\(giant),AU\n"))
    #expect(message.contains(":2: "))
    #expect(message.count < 300)
  }

  @Test("a Generated: date out of range is ignored, not a crash", arguments: [
    "Thu, 25 Jun 99999999999999 04:33:59 GMT", "Thu, 99 Jun 2026 04:33:59 GMT", "Thu, 25 Jun 2026 99:33:59 GMT",
    "Thu, 25 Jun -9223372036854775808 04:33:59 GMT",
  ])
  func generatedOutOfRange(date: String) throws {
    let result = try read("# Generated: \(date)\n1.0.0.0,1.0.0.255,AU\n")
    #expect(result.generated == nil)
    #expect(result.ranges.count == 1)
  }
}
