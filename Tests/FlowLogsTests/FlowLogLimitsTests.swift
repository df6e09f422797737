import FlowLogs
import Foundation
import Testing

/// Flow-log errors and problems quote what they read, and stay one line whatever that holds (found
/// by the flow-log fuzz target); every record read is counted or skipped by reason.
@Suite struct FlowLogLimitsTests {
  @Test("a CSV header with a carriage return inside a name: the error is one line")
  func headerWithCarriageReturn() throws {
    var options = FlowLogOptions()
    options.columns = try ColumnMapping(parsing: "src=source,time=time")
    let error = #expect(throws: FlowLogError.self) {
      try readFlowLog("source,dst,t\rime,packets\n5.8.1.1,10.0.0.1,1741597200,3\n", format: .csv, options: options)
    }
    let text = error?.description ?? ""
    #expect(text.oneLineCount == 1 && text.contains("t ime"), "\(text)")
  }

  @Test("problems quoting line breaks are one line; records add up")
  func problemsAreOneLine() throws {
    let text = "source,dst,time,packets\n5.8.1.1,10.0.0.1,1741597200,3\n\"5.8\r1.1\",10.0.0.1,1741597200,3\n5.8.1.2,10.0.0.1,x\u{0B}y,3\n"
    let (report, sink) = try readFlowLog(text, format: .csv)
    #expect(report.records == report.counted + report.skipped.total + report.malformed.total)
    #expect(UInt64(sink.observations.count) == report.counted)
    #expect(report.malformed.total == 2)
    for problem in report.firstProblems {
      #expect(problem.oneLineCount == 1, "\(problem)")
    }
  }

  /// Found by the flow-log fuzz target: milliseconds past 2262 overflowed in nanoseconds.
  @Test("Azure VNet times in milliseconds past 2262 clamp to the end of the range, as seconds do")
  func millisecondsPastTheRange() throws {
    let text = try fixtureText("azure-vnet.json")
    for (ms, expected) in [("1741600803599", Int64(1_741_600_803_599_000_000)), ("9007199254740991", Int64.max)] {
      let (report, sink) = try readFlowLog(text.replacingOccurrences(of: "1741600803599", with: ms))
      #expect(report.records == 9 && report.malformed.total == 0)
      #expect(sink.observations.first?.timestamp.nanoseconds == expected, "\(ms)")
    }
  }
}

extension String {
  /// Lines in the text, counting every kind of line break.
  fileprivate var oneLineCount: Int { split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count }
}
