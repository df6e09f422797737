import Foundation
import NetCore
import Testing

@testable import FlowLogs

/// Format detection from content, and the value parsers every format relies on.
@Suite struct DetectionAndParsingTests {
  @Test(arguments: [
    ("vpc-default.log", FlowLogFormat.vpc), ("vpc-custom-s3.log", .vpc), ("zeek-conn.log", .zeek),
    ("zeek-conn.json", .zeekJSON), ("eve.json", .eve), ("nfdump.csv", .nfdumpCSV), ("nfdump-q.csv", .nfdumpCSV),
    ("nfdump.json", .nfdumpJSON), ("gcp-vpc-flows.json", .gcp), ("gcp-vpc-flows-gcloud.json", .gcp),
    ("azure-nsg-v1.json", .azure), ("azure-nsg-v2.json", .azure), ("azure-vnet.json", .azure), ("firewall-export.csv", .csv),
  ])
  func detectsEveryFixture(name: String, format: FlowLogFormat) throws {
    let head = Array(try Data(contentsOf: URL(fileURLWithPath: fixture(name))))
    #expect(FormatDetector.detect(head) == format)
    // A byte-order mark and CRLF line ends change nothing.
    let text = String(decoding: head, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    let crlf = Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
    #expect(FormatDetector.detect([0xef, 0xbb, 0xbf] + crlf) == format)
  }

  @Test func unknownContentIsNotGuessed() {
    let samples = [
      "", "\n\n  \n", "hello world\n", "a,b,c\n1,2,3\n", "{\"message\":\"started\"}\n", "[1, 2, 3]\n",
      "#path\tdns\n", "GET / HTTP/1.1\r\nHost: example.org\r\n", "2 123 eni-1 5.8.1.1 10.0.0.1 1 2 6 1 1 1 1 ACCEPT\n",
    ]
    for text in samples { #expect(FormatDetector.detect(Array(text.utf8)) == nil, "\(text)") }
    #expect(FormatDetector.detect([0x00, 0x01, 0x02, 0x0a]) == nil)
  }

  @Test func csvHeaderNamedByColumns() throws {
    let head = Array("Client,When,Octets\n5.8.0.1,1741600800,100\n".utf8)
    #expect(FormatDetector.detect(head) == nil)
    #expect(FormatDetector.detect(head, columns: try ColumnMapping(parsing: "src=Client,time=When")) == .csv)
    #expect(FormatDetector.detect(head, columns: try ColumnMapping(parsing: "src=Client,time=Then")) == nil)
  }

  @Test func columnMappingSyntax() throws {
    let m = try ColumnMapping(parsing: "src=ip.src|ipv6.src, time=frame.time_epoch,bytes=3")
    #expect(m.columns[.src] == ["ip.src", "ipv6.src"])
    #expect(m.columns[.time] == ["frame.time_epoch"])
    #expect(m.columns[.bytes] == ["3"])
    for bad in ["src", "src=a", "time=t", "src=a,time=t,colour=red", "src=a,time=t,src=b", "src=,time=t"] {
      #expect(throws: FlowLogError.self, "\(bad)") { try ColumnMapping(parsing: bad) }
    }
  }

  @Test func jsonTapeReadsValuesInPlace() throws {
    let text = #" {"a": {"b": [1, "two\n\u00e9\ud83d\ude00", true, null, -0.5e3]}, "k\"q": "v", "n": "123"} "#
    var tape = JSONTape()
    try Array(text.utf8).withUnsafeBytes { bytes in
      try tape.parse(bytes)
      let root = tape.root
      #expect(tape.keys(root) == ["a", "k\"q", "n"])
      let list = try #require(tape.member(root, "a", "b"))
      let items = tape.elements(list)
      #expect(items.count == 5)
      #expect(tape.unsigned(items[0]) == 1)
      #expect(tape.string(items[1]) == "two\né😀")
      #expect(tape.bool(items[2]) == true)
      #expect(tape.kind(items[3]) == .null)
      #expect(tape.unsigned(items[4]) == nil)
      #expect(tape.member(root, "k\"q").flatMap { tape.string($0) } == "v")
      // Numbers written as strings (Cloud Logging's int64) read as numbers.
      #expect(tape.member(root, "n").flatMap { tape.unsigned($0) } == 123)
    }
  }

  @Test func jsonTapeRefusesWhatIsNotJSON() {
    let bad = [
      "", "{", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "\"open", "01", "1.", "-", "tru", "{\"a\":1}x", "\"\\q\"", "[\"a\nb\"]",
      String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
    ]
    for text in bad {
      var tape = JSONTape()
      let parsed = Array(text.utf8).withUnsafeBytes { bytes in (try? tape.parse(bytes)) != nil }
      #expect(!parsed, "\(text)")
    }
  }

  @Test func timesAsLogsWriteThem() {
    func time(_ s: String) -> Timestamp? { Array(s.utf8).withUnsafeBytes { FieldParser.time($0) } }
    let t = Timestamp.iso("2025-03-10T10:00:00Z")
    #expect(time("1741600800") == t)
    #expect(time("1741600800.25") == Timestamp(nanoseconds: t.nanoseconds + 250_000_000))
    #expect(time("2025-03-10T10:00:00Z") == t)
    #expect(time("2025-03-10 10:00:00") == t)
    #expect(time("2025-03-10T11:00:00+0100") == t)
    #expect(time("2025-03-10T11:00:00+01:00") == t)
    #expect(time("2025-03-10T05:00:00-05") == t)
    #expect(time("2025-03-10T10:00:00.123456789Z") == Timestamp(nanoseconds: t.nanoseconds + 123_456_789))
    for bad in ["", "yesterday", "1741600800.", "2025-13-10T10:00:00Z", "2025-03-10T10:00:00+2500", "17416008000000000"] {
      #expect(time(bad) == nil, "\(bad)")
    }
  }

  @Test func addressesAndCounters() {
    func address(_ s: String) -> IPAddress? { Array(s.utf8).withUnsafeBytes { FieldParser.address($0) } }
    #expect(address("5.8.1.1") == IPAddress("5.8.1.1"))
    #expect(address("2a02:2378::1") == IPAddress("2a02:2378::1"))
    #expect(address("fe80::1%eth0") == IPAddress("fe80::1"))
    for bad in ["5.8.1", "5.8.1.256", "05.8.1.1", "5.8.1.1 ", "::g", "-", ""] { #expect(address(bad) == nil, "\(bad)") }
    func count(_ s: String) -> UInt64? { Array(s.utf8).withUnsafeBytes { FieldParser.unsigned($0) } }
    #expect(count("18446744073709551615") == UInt64.max)
    #expect(count("18446744073709551616") == nil)
    #expect(count("-1") == nil && count("1e3") == nil && count("") == nil)
  }
}
