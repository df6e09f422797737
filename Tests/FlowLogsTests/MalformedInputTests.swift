import Analysis
import FlowLogs
import Foundation
import NetCore
import Testing

/// Damaged flow logs: every malformed record is skipped, counted by reason and reported with its
/// line, and the records around it still count. Line endings, gzip, blank lines and giant lines
/// change nothing else.
@Suite struct MalformedInputTests {
  /// The clean fixture's lines with `insert` placed before the (0-based) `at` line.
  static func lines(_ name: String, inserting insert: [String], at: Int) throws -> String {
    // "\r\n" is one Character in Swift: line ends are made "\n" before splitting.
    let text = try fixtureText(name).replacingOccurrences(of: "\r\n", with: "\n")
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    lines.insert(contentsOf: insert, at: at)
    return lines.joined(separator: "\n") + "\n"
  }

  /// A malformed line inserted into a clean fixture: the reason and the problem's text, at its line.
  struct Case: CustomTestStringConvertible, Sendable {
    var fixture: String
    var line: String
    var at: Int
    var reason: String
    var message: String
    var testDescription: String { "\(fixture): \(reason)" }
  }

  static let cases: [Case] = [
    Case(
      fixture: "vpc-default.log", line: "2 123456789012 eni-0a1b2c3d4e5f60718 5.8.1.10 10.0.1.25 44321 443 6 12 4830 1741600800 ACCEPT OK",
      at: 2, reason: "wrong-field-count", message: "line 3: 13 fields, the default format has 14"),
    Case(
      fixture: "vpc-default.log", line: "2 123456789012 eni-0a1b2c3d4e5f60718 5.8.1.10 10.0.1.25 44321 443 6 12x 4830 1741600800 1741600860 ACCEPT OK",
      at: 4, reason: "bad-number", message: "line 5: packets is '12x', not a count"),
    Case(
      fixture: "vpc-default.log", line: "2 123456789012 eni-0a1b2c3d4e5f60718 5.8.1 10.0.1.25 44321 443 6 12 4830 1741600800 1741600860 ACCEPT OK",
      at: 9, reason: "bad-address", message: "line 10: bad address '5.8.1' in srcaddr"),
    Case(
      fixture: "vpc-custom-s3.log", line: String(repeating: "5 ", count: 27) + "5",
      at: 1, reason: "bad-address", message: "line 2: bad address '5' in pkt-srcaddr"),
    Case(
      fixture: "zeek-conn.log", line: "1741600800.5\tCx\t5.8.3.4\t1\t203.0.113.10\t443\ttcp\tssl",
      at: 9, reason: "wrong-field-count", message: "line 10: 8 fields, #fields names 21"),
    Case(
      fixture: "zeek-conn.log",
      line: "yesterday\tCx\t5.8.3.4\t1\t203.0.113.10\t443\ttcp\tssl\t1.0\t1\t1\tSF\tF\tT\t0\tS\t1\t60\t0\t0\t-",
      at: 8, reason: "bad-time", message: "line 9: ts is 'yesterday', not a time"),
    Case(
      fixture: "zeek-conn.json", line: #"{"ts":1741600800.1,"uid":"Cx","id.orig_h":"5.8.3.4","id.orig_p":1,"orig_pkts":"#,
      at: 3, reason: "bad-json", message: "line 4: not valid JSON at column 79: the text ends where a value should be"),
    Case(
      fixture: "zeek-conn.json", line: #"{"ts":1741600800.1,"id.orig_h":"5.8.3.4","orig_pkts":-3,"orig_ip_bytes":60}"#,
      at: 0, reason: "bad-number", message: "line 1: orig_pkts is '-3', not a count"),
    Case(
      fixture: "eve.json", line: #"{"timestamp":"2025-03-10T10:05:00+0000","event_type":"flow","src_ip":"5.8.9.300","flow":{"pkts_toserver":1,"bytes_toserver":60,"start":"2025-03-10T10:05:00+0000"}}"#,
      at: 2, reason: "bad-address", message: "line 3: bad address '\"5.8.9.300\"' in src_ip"),
    Case(
      fixture: "eve.json", line: #"{"timestamp":"2025-03-10T10:05:00+0000","event_type":"flow","src_ip":"5.8.9.3","dest_ip":"10.0.0.1","flow":{"pkts_toserver":1,"bytes_toserver":60,"start":"soon"}}"#,
      at: 1, reason: "bad-time", message: "line 2: flow.start is '\"soon\"', not a time"),
    Case(
      fixture: "eve.json", line: #"{"timestamp":"2025-03-10T10:05:00+0000","event_type":"flow","src_ip":"5.8.9.3","dest_ip":"10.0.0","flow":{"pkts_toserver":1,"bytes_toserver":60,"start":"2025-03-10T10:05:00+0000"}}"#,
      at: 1, reason: "bad-address", message: "line 2: bad address '\"10.0.0\"' in dest_ip"),
    Case(
      fixture: "eve.json", line: #"{"timestamp":"2025-03-10T10:05:00+0000","event_type":"flow","src_ip":"5.8.9.3"}"#,
      at: 7, reason: "missing-field", message: "line 8: no flow object"),
    Case(
      fixture: "gcp-vpc-flows.json", line: #"{"jsonPayload":{"connection":{"src_ip":"5.8.1.1"},"packets_sent":"ten","bytes_sent":"100","start_time":"2025-03-10T10:00:00Z"},"logName":"projects/p/logs/compute.googleapis.com%2Fvpc_flows"}"#,
      at: 1, reason: "bad-number", message: "line 2: packets_sent is '\"ten\"', not a count"),
    Case(
      fixture: "nfdump.csv", line: "2025-03-10 10:00:01,2025-03-10 10:00:01,0.000,5.9.1.2,203.0.113.10,5000,53,UDP",
      at: 3, reason: "wrong-field-count", message: "line 4: 8 fields, the header has 48"),
    Case(
      fixture: "firewall-export.csv", line: #""2025-03-10T10:00:00Z","5.8.1.1","203.0.113.10","TCP","40001","443","12" packets,"4800","allow","x""#,
      at: 1, reason: "bad-csv", message: "line 2: text after a closing quote at column 73"),
  ]

  @Test(arguments: cases)
  func malformedLineIsSkippedAndReported(_ c: Case) throws {
    let clean = try readFlowLog(path: fixture(c.fixture))
    let (report, sink) = try readFlowLog(try Self.lines(c.fixture, inserting: [c.line], at: c.at))
    #expect(report.format == clean.report.format)
    #expect(report.malformed.byReason == [c.reason: 1])
    #expect(report.firstProblems == [c.message])
    #expect(report.records == clean.report.records + 1)
    // Everything else counts as before.
    #expect(sink.bySource == clean.sink.bySource)
    #expect(sink.skipped == clean.sink.skipped.merging([c.reason: 1], uniquingKeysWith: +))
    #expect(report.damage == nil)
  }

  @Test(arguments: ["vpc-default.log", "zeek-conn.log", "eve.json", "nfdump.csv", "firewall-export.csv", "gcp-vpc-flows.json"])
  func lineEndingsBlankLinesAndGzipChangeNothing(name: String) throws {
    let clean = try readFlowLog(path: fixture(name))
    let text = try fixtureText(name)
    // CRLF line ends, blank lines (spaces, a tab) between the records, and no final line end.
    var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    let spaced = lines.enumerated().map { $0.offset % 3 == 2 ? "\($0.element)\r\n  \r\n\t" : String($0.element) }
    let variant = spaced.joined(separator: "\r\n")
    for gzip in [false, true] {
      let (report, sink) = try readFlowLog(variant, gzip: gzip)
      #expect(report.format == clean.report.format, "gzip \(gzip)")
      #expect(report.records == clean.report.records, "gzip \(gzip)")
      #expect(report.malformed.total == 0, "\(report.firstProblems)")
      #expect(sink.bySource == clean.sink.bySource, "gzip \(gzip)")
      #expect(sink.skipped == clean.sink.skipped, "gzip \(gzip)")
    }
  }

  @Test func giantLineIsOneSkipAndMemoryStaysBounded() throws {
    var options = FlowLogOptions()
    options.maximumLineLength = 4096
    let giant = "2 123456789012 eni-0a1b2c3d4e5f60718 " + String(repeating: "5.8.1.10 ", count: 40_000)
    let text = try Self.lines("vpc-default.log", inserting: [giant], at: 3)
    let clean = try readFlowLog(path: fixture("vpc-default.log"))
    let (report, sink) = try readFlowLog(text, options: options)
    #expect(report.malformed.byReason == ["line-too-long": 1])
    #expect(report.firstProblems == ["line 4: a line of \(giant.utf8.count) bytes, over the limit of 4096"])
    #expect(sink.bySource == clean.sink.bySource)
  }

  @Test func lineAtTheLimitIsRead() throws {
    var options = FlowLogOptions()
    let line = "2 123456789012 eni-0a1b2c3d4e5f60718 5.8.1.10 10.0.1.25 44321 443 6 12 4830 1741600800 1741600860 ACCEPT OK"
    options.maximumLineLength = line.utf8.count
    let (report, _) = try readFlowLog(line + "\r\n" + line + "x\n", options: options)
    #expect(report.counted == 1)
    #expect(report.malformed.byReason == ["line-too-long": 1])
  }

  @Test func zeekLogWithoutFieldsOrNotConn() throws {
    let noFields = "#separator \\x09\n#path\tconn\n1741600800.1\tC\t5.8.3.4\n"
    #expect(throws: FlowLogError.self) { try readFlowLog(noFields, format: .zeek) }
    do {
      _ = try readFlowLog(noFields, format: .zeek)
    } catch {
      #expect("\(error)".hasSuffix("line 3: a Zeek log line before any #fields header"))
    }
    let dns = "#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tquery\n1741600800.1\tC\t5.8.3.4\texample.org\n"
    do {
      _ = try readFlowLog(dns)
      Issue.record("a dns.log was read as conn.log")
    } catch {
      #expect("\(error)".hasSuffix("line 3: a Zeek dns log has no orig_pkts, orig_ip_bytes field: not a conn.log"))
    }
  }

  @Test func vpcHeaderWithoutCountsIsRefused() throws {
    let text = "version srcaddr dstaddr start end action log-status\n2 5.8.1.1 10.0.0.1 1741600800 1741600860 ACCEPT OK\n"
    do {
      _ = try readFlowLog(text)
      Issue.record("read a VPC log without packets and bytes")
    } catch {
      #expect("\(error)".contains("line 1: the VPC flow log header has no packets, bytes field"))
    }
  }

  @Test func truncatedAzureDocumentKeepsTheRecordsBeforeTheBreak() throws {
    let text = try fixtureText("azure-nsg-v2.json")
    // Cut inside the second record.
    let cut = text.range(of: "1741600925")!.lowerBound
    let lastLine = text[..<cut].filter { $0 == "\n" }.count + 1
    let (report, sink) = try readFlowLog(String(text[..<cut]))
    #expect(report.counted == 7)
    #expect(sink.bySource["5.8.50.1"] == [34, 17778, 1])
    let damage = try #require(report.damage)
    #expect(damage.contains("JSON document breaks off: the input ends inside a string"))
    #expect(damage.contains(": line \(lastLine): "))
  }

  @Test func azureTupleProblems() throws {
    let text = try fixtureText("azure-nsg-v2.json")
      .replacingOccurrences(of: "1741600810,37.9.9.10,10.5.16.4,28750,3389,T,I,D,B,,,,", with: "1741600810,37.9.9.10,10.5.16.4,28750,3389,X,I,D,B,,,,")
      .replacingOccurrences(of: "1741600864,62.0.99.1,10.5.16.4,40000,443,U,I,A,E,12,14400,2,200", with: "1741600864,62.0.99.1,10.5.16.4,40000")
    let (report, _) = try readFlowLog(text)
    #expect(report.malformed.byReason == ["bad-tuple": 2])
    #expect(
      report.firstProblems == [
        "line 20: flow tuple protocol 'X' is not T or U",
        "line 35: flow tuple '1741600864,62.0.99.1,10.5.16.4,40000' has 4 fields, not 8 (version 1) or 13 (version 2)",
      ])
    #expect(report.counted == 7)
  }

  @Test func oversizedJSONRecordIsSkipped() throws {
    var options = FlowLogOptions()
    options.maximumRecordLength = 1000
    let (report, sink) = try readFlowLog(path: fixture("nfdump.json"), options: options)
    #expect(report.malformed.total == 0)
    options.maximumRecordLength = 200
    let small = try readFlowLog(path: fixture("nfdump.json"), options: options)
    // Every record of nfdump's pretty-printed JSON is over 200 bytes.
    #expect(small.report.malformed.byReason == ["record-too-long": 6])
    #expect(small.report.firstProblems.first?.hasPrefix("line 2: a record of ") == true)
    #expect(sink.observations.count == 6 && small.sink.observations.isEmpty)
  }

  @Test func unterminatedQuoteAtTheEnd() throws {
    let text = try fixtureText("firewall-export.csv") + "1741600803,5.8.1.1,203.0.113.10,TCP,1,2,3,4,allow,\"never closed\n"
    let (report, sink) = try readFlowLog(text)
    #expect(report.malformed.byReason == ["bad-csv": 1])
    #expect(report.firstProblems == ["line 6: a quoted field is not closed before the end of the input"])
    #expect(sink.observations.count == 3)
  }

  @Test func corruptGzipIsDamageAfterTheRecordsBefore() throws {
    // Many records, compressed, then the compressed stream cut in half.
    let line = "2 123456789012 eni-0a1b2c3d4e5f60718 5.8.1.10 10.0.1.25 44321 443 6 12 4830 1741600800 1741600860 ACCEPT OK\n"
    var text = ""
    for i in 0..<20000 { text += line.replacingOccurrences(of: "44321", with: String(i % 60000)) }
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.path("vpc.log")
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    #expect(try run("gzip", ["-n", path]).status == 0)
    let full = try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
    try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: path + ".gz"))
    let (report, sink) = try readFlowLog(path: path + ".gz")
    let damage = try #require(report.damage)
    #expect(damage.contains("corrupt gzip data"))
    #expect(damage.contains("decompressed byte offset"))
    #expect(sink.observations.count > 1000 && sink.observations.count < 20000)
  }
}

import TestSupport
