public import Capture

/// Reads a flow log into a sink: detects the format (or takes the one given), then hands every record
/// to that format's parser. A malformed record is counted and reported with its line, and reading goes
/// on; only a log that cannot be read at all throws.
public enum FlowLogReader {
  /// Reads `input` to its end.
  ///
  /// Throws `FlowLogError` (one line naming the file) when nothing can be read: unrecognised content, or
  /// a header the format needs that is missing or unusable before any record. Problems after records
  /// were read end the reading with `damage` set in the report instead.
  public static func read(
    _ input: TextInput, format forced: FlowLogFormat?, options: FlowLogOptions = FlowLogOptions(),
    into sink: any FlowRecordSink
  ) throws(FlowLogError) -> FlowLogReport {
    let name = input.name == "-" ? "<stdin>" : input.name
    let head = input.head(options.detectionLength)
    guard let format = forced ?? FormatDetector.detect(head, columns: options.columns) else {
      throw FlowLogError("\(name): \(unrecognised(head))")
    }
    let context = RecordContext(sink: sink, format: format.rawValue, problemsKept: options.problemsKept)
    do {
      switch format {
      case .vpc: try readLines(input, VPCFlowLogParser(), options, context)
      case .zeek: try readLines(input, ZeekTSVParser(), options, context)
      case .nfdumpCSV: try readLines(input, NfdumpCSVParser(), options, context)
      case .csv:
        try readLines(input, GenericCSVParser(mapping: options.columns, maximumRecordLength: options.maximumLineLength), options, context)
      case .zeekJSON: try readJSON(input, head: head, ZeekJSONParser(), options, context)
      case .eve: try readJSON(input, head: head, SuricataEveParser(), options, context)
      case .nfdumpJSON: try readJSON(input, head: head, NfdumpJSONParser(), options, context)
      case .gcp: try readJSON(input, head: head, GCPFlowLogParser(), options, context)
      case .azure:
        var parser = AzureFlowLogParser()
        try readDocuments(input, recordsKey: "records", &parser, options, context)
        context.report.format = parser.formatName
      }
    } catch {
      guard context.report.records > 0 else { throw FlowLogError("\(name): \(error.description)") }
      context.report.damage = "\(name): \(error.description)"
    }
    if context.report.damage == nil, let damage = input.damage {
      context.report.damage = damage.description
    }
    return context.report
  }

  /// The message for content that is no known flow log, with what was tried and how it starts.
  static func unrecognised(_ head: [UInt8]) -> String {
    let tried = "tried pcap, pcapng, " + FlowLogFormat.allCases.map(\.rawValue).joined(separator: ", ")
    if head.isEmpty { return "not a packet capture or a flow log (empty)" }
    if head.contains(0) {
      return "not a packet capture or a flow log (first bytes \(InputSniffer.hex(head.prefix(8))); \(tried))"
    }
    let first = FormatDetector.firstLines(head, limit: 1).first ?? []
    let hint = first.contains(UInt8(ascii: ",")) ? "; for CSV give --columns src=COLUMN,time=COLUMN" : ""
    return "not a packet capture or a flow log in a known format (\(tried)); first line \(FieldParser.excerpt(first, limit: 60))\(hint)"
  }

  private static func readLines<Parser: LineRecordParser>(
    _ input: TextInput, _ parser: Parser, _ options: FlowLogOptions, _ context: RecordContext
  ) throws(FlowLogError) {
    var parser = parser
    var failure: FlowLogError? = nil
    var last = 0
    _ = input.forEachLine(maximumLength: options.maximumLineLength) { line in
      last = line.number
      if let skipped = line.skippedLength {
        context.skip(.lineTooLong, line: line.number, "a line of \(skipped) bytes, over the limit of \(options.maximumLineLength)")
        return true
      }
      var bytes = line.bytes
      if line.number == 1, bytes.starts(with: [0xef, 0xbb, 0xbf]) { bytes = UnsafeRawBufferPointer(rebasing: bytes[3...]) }
      if Delimited.isBlank(bytes) { return true }
      do throws(FlowLogError) {
        try parser.line(bytes, number: line.number, context: context)
        return true
      } catch {
        failure = error
        return false
      }
    }
    if let failure { throw failure }
    parser.finish(line: last, context: context)
  }

  private static func readJSON<Parser: JSONRecordParser>(
    _ input: TextInput, head: [UInt8], _ parser: Parser, _ options: FlowLogOptions, _ context: RecordContext
  ) throws(FlowLogError) {
    if FormatDetector.jsonLines(head) {
      try readLines(input, JSONLinesParser(parser), options, context)
    } else {
      var parser = parser
      try readDocuments(input, recordsKey: nil, &parser, options, context)
    }
  }

  private static func readDocuments<Parser: JSONRecordParser>(
    _ input: TextInput, recordsKey: String?, _ parser: inout Parser, _ options: FlowLogOptions, _ context: RecordContext
  ) throws(FlowLogError) {
    var reader = JSONDocumentReader(input: input, recordsKey: recordsKey, maximumRecordLength: options.maximumRecordLength)
    var tape = JSONTape()
    do throws(JSONDocumentReader.Failure) {
      try reader.forEachRecord { record in
        switch record {
        case .tooLong(let length, let line):
          context.skip(.recordTooLong, line: line, "a record of \(length) bytes, over the limit of \(options.maximumRecordLength)")
        case .text(let bytes, let line):
          do throws(JSONTape.SyntaxError) {
            try tape.parse(bytes)
          } catch {
            var at = line
            for i in 0..<min(error.offset, bytes.count) where bytes[i] == 0x0a { at += 1 }
            context.skip(.badJSON, line: at, "not valid JSON: \(error.message)")
            return
          }
          parser.record(tape, at: RecordPlace(firstLine: line), context: context)
        }
      }
    } catch {
      // A damaged gzip stream also ends the document early: report the stream's damage, which says why.
      if input.damage == nil { throw FlowLogError("line \(error.line): JSON document breaks off: \(error.message)") }
    }
  }
}
