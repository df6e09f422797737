/// The parsers OriginCheck owns, each with one fuzz entry point.
///
/// `run` feeds one input to the parser and checks what must hold for any input: the parser ends,
/// an error is one line naming the place, and counts agree with what was handed out. A broken
/// invariant stops the process (`FuzzCheck.require`), which libFuzzer records as a crash.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// `PacketDecoder.decode`: the first byte picks the link type, the rest is the frame.
  case packet
  /// Classic pcap: the project's range reader against libpcap on the same bytes.
  case pcap
  /// pcapng through the project's block reader.
  case pcapng
  /// gzip-compressed captures through the decompressing stream.
  case gzip
  /// Claims, durations, date-times, addresses and networks as typed on the command line.
  case claim
  /// Areas files (JSON).
  case areas
  /// `geodb build` sources: Tor geoip, country and ASN CSV, then a database written and read back.
  case geoSource = "geo-source"
  /// Observations with extreme timestamps and sizes through aggregation, claims and rendering.
  case aggregate
  /// Flow logs: the first byte picks the format (or detection), the rest is the log.
  case flowLog = "flow-log"
  /// Saved summaries read back (`report`, `merge`).
  case summaryJSON = "summary-json"
  /// NetFlow v5, v9 and IPFIX datagrams from several exporters, templates carried between them.
  case netflow

  /// One line on what the target feeds and checks.
  public var summary: String {
    switch self {
    case .packet: "one frame of any link type through PacketDecoder.decode"
    case .pcap: "a classic pcap file: range reader and libpcap agree record for record"
    case .pcapng: "a pcapng file through the block reader, every packet decoded"
    case .gzip: "gzip data through the decompressing stream and the capture readers"
    case .claim: "claim, duration, date-time, address and network syntax"
    case .areas: "an areas file"
    case .geoSource: "Tor geoip and CSV range lines, built into a database and read back"
    case .aggregate: "observations with extreme times and sizes: buckets, claims, JSON and table"
    case .flowLog: "a flow log of each format, or detected: every record counted or skipped by reason"
    case .summaryJSON: "a saved summary read back, rendered, merged and written again"
    case .netflow: "NetFlow v5/v9 and IPFIX datagrams with templates, from several exporters"
    }
  }

  /// The largest input worth trying: longer inputs only slow the search down.
  public var maximumLength: Int {
    switch self {
    case .packet: 4096
    case .pcap, .pcapng, .gzip: 65536
    case .claim: 256
    case .areas: 8192
    case .geoSource: 4096
    case .aggregate: 8192
    case .flowLog: 16384
    case .summaryJSON: 131072
    case .netflow: 16384
    }
  }

  /// Runs one input through the target.
  public func run(_ data: UnsafeRawBufferPointer) {
    switch self {
    case .packet: PacketTarget.run(data)
    case .pcap: CaptureTargets.runPcap(data)
    case .pcapng, .gzip: CaptureTargets.runCapture(data)
    case .claim: ClaimTarget.run(data)
    case .areas: AreasTarget.run(data)
    case .geoSource: GeoSourceTarget.run(data)
    case .aggregate: AggregateTarget.run(data)
    case .flowLog: FlowLogTarget.run(data)
    case .summaryJSON: SummaryJSONTarget.run(data)
    case .netflow: NetFlowTarget.run(data)
    }
  }

  /// Runs one input given as an array.
  public func run(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { run($0) }
  }
}

/// Invariant checks that hold in every build configuration.
enum FuzzCheck {
  /// Stops the process with `message` when `condition` is false.
  static func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
  ) {
    if !condition() { fatalError("fuzz invariant: \(message())", file: file, line: line) }
  }

  /// An error text is one line that starts with the name of the input.
  static func oneLine(_ text: String, naming name: String) {
    require(!text.contains(where: \.isNewline), "error is not one line: \(text)")
    require(text.hasPrefix(name), "error does not start with \(name): \(text)")
  }
}
