import Capture
import FlowLogs
import Foundation
import NetCore
import PacketDecoding

/// Seed corpora: built-in inputs for every target, plus frames and file prefixes cut from captures.
public enum FuzzSeeds {
  /// Records kept from the start of each capture for the file-level targets.
  static let recordsPerFile = 12
  /// Frames kept from each capture for the packet target.
  static let framesPerCapture = 300

  /// Writes `DIRECTORY/TARGET/NAME` seed files for every target, and returns how many per target.
  /// Captures (pcap or pcapng, any link type) add their frames to `packet` and their first records
  /// to `pcap` or `pcapng`.
  @discardableResult
  public static func write(to directory: String, captures: [String]) throws -> [FuzzTarget: Int] {
    var seeds: [FuzzTarget: [String: [UInt8]]] = [:]
    for target in FuzzTarget.allCases {
      for (index, seed) in builtIn(target).enumerated() { seeds[target, default: [:]]["builtin-\(index)"] = seed }
    }
    for (index, path) in captures.enumerated() {
      let name = "\(index)-" + (path.split(separator: "/").last.map(String.init) ?? "capture")
      let head = [UInt8](FileManager.default.contents(atPath: path)?.prefix(65536) ?? Data())
      if InputSniffer.sniff(prefix: head) == .unknown {
        if head.first == UInt8(ascii: "{"), String(decoding: head.prefix(200), as: UTF8.self).contains("schemaVersion") {
          seeds[.summaryJSON, default: [:]][name] = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        } else if let format = FormatDetector.detect(head) {
          let log = logPrefix(head, length: 8192)
          seeds[.flowLog, default: [:]][name] = [FlowLogTarget.selector(for: format)] + log
          seeds[.flowLog, default: [:]][name + "-detected"] = [FlowLogTarget.selector(for: nil)] + log
        }
        continue
      }
      for (frameIndex, frame) in frames(of: path).enumerated() {
        seeds[.packet, default: [:]]["\(name)-\(frameIndex)"] = frame
      }
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      if let prefix = pcapPrefix(bytes, records: recordsPerFile) {
        seeds[.pcap, default: [:]][name] = prefix
      } else if let prefix = pcapngPrefix(bytes, packets: recordsPerFile) {
        seeds[.pcapng, default: [:]][name] = prefix
      }
    }
    var counts: [FuzzTarget: Int] = [:]
    for (target, files) in seeds {
      let folder = directory + "/" + target.rawValue
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      var written = Set<[UInt8]>()
      for (name, bytes) in files.sorted(by: { $0.key < $1.key }) where bytes.count <= target.maximumLength {
        guard written.insert(bytes).inserted else { continue }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
      }
      counts[target] = written.count
    }
    return counts
  }

  /// The lines of a log that fit in `length` bytes (all of it when it is shorter).
  static func logPrefix(_ bytes: [UInt8], length: Int) -> [UInt8] {
    guard bytes.count > length else { return bytes }
    let cut = bytes[..<length].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? length
    return Array(bytes[..<cut])
  }

  /// Distinct frames of a capture, each prefixed with its link type's selector byte.
  static func frames(of path: String) -> [[UInt8]] {
    guard let reader = try? CaptureFileReader(path: path) else { return [] }
    var frames: [[UInt8]] = []
    var seen = Set<[UInt8]>()
    _ = try? reader.forEachPacket { bytes, info in
      if let selector = PacketTarget.selector(for: LinkType(info.linkType)) {
        let frame = [selector] + Array(bytes.prefix(FuzzTarget.packet.maximumLength - 1))
        if seen.insert(frame).inserted { frames.append(frame) }
      }
      return frames.count < framesPerCapture
    }
    return frames
  }

  /// The file header and first `records` records of a classic pcap file; nil for other content.
  static func pcapPrefix(_ bytes: [UInt8], records: Int) -> [UInt8]? {
    guard bytes.count >= 24 else { return nil }
    let magic = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
    let bigEndian: Bool
    switch magic {
    case 0xa1b2_c3d4, 0xa1b2_3c4d: bigEndian = true
    case 0xd4c3_b2a1, 0x4d3c_b2a1: bigEndian = false
    default: return nil
    }
    var end = 24
    for _ in 0..<records {
      guard end + 16 <= bytes.count else { break }
      let captured = Int(word(bytes, end + 8, bigEndian: bigEndian))
      guard end + 16 + captured <= bytes.count else { break }
      end += 16 + captured
    }
    return Array(bytes[..<end])
  }

  /// The blocks of a pcapng file up to and including its `packets`-th packet block; nil for other content.
  static func pcapngPrefix(_ bytes: [UInt8], packets: Int) -> [UInt8]? {
    guard bytes.count >= 12, bytes[0..<4] == [0x0a, 0x0d, 0x0d, 0x0a] else { return nil }
    let bigEndian = bytes[8] == 0x1a
    var end = 0
    var seen = 0
    while seen < packets, end + 12 <= bytes.count {
      let type = word(bytes, end, bigEndian: bigEndian)
      let length = Int(word(bytes, end + 4, bigEndian: bigEndian))
      guard length >= 12, end + length <= bytes.count else { break }
      if type == 2 || type == 3 || type == 6 { seen += 1 }
      end += length
    }
    return Array(bytes[..<end])
  }

  static func word(_ bytes: [UInt8], _ at: Int, bigEndian: Bool) -> UInt32 {
    let value = UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    return bigEndian ? value : value.byteSwapped
  }

  // MARK: Built-in seeds

  static func builtIn(_ target: FuzzTarget) -> [[UInt8]] {
    switch target {
    case .packet: SeedFrames.all
    case .pcap: SeedFiles.pcaps
    case .pcapng: SeedFiles.pcapngs
    case .gzip: []
    case .claim: claims.map { Array($0.utf8) } + timestamps
    case .areas: areaFiles.map { Array($0.utf8) }
    case .geoSource: geoSources.map { Array($0.utf8) }
    case .aggregate: SeedObservations.all
    case .flowLog: flowLogs.map { [FlowLogTarget.selector(for: $0.0)] + Array($0.1.utf8) }
    case .summaryJSON: SeedObservations.summaries
    case .netflow: SeedExports.all
    }
  }

  static let claims = [
    "ukraine-area:primary", "UA:share>=20%:packets", "AS15895:significant", "within:500km:50.45,30.52:primary",
    "eastern-europe:significant>=5%:bytes", "eu:share>=33.3%:flows", "within:300mi:48.5,-3.2", "UKR", "world",
    "30s", "5m", "1.5h", "500ms", "1d", "2025-03-10T09:30:00-04:00", "2025-03-10 13:30:00.5+00:00",
    "1969-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59Z", "104.244.42.0/24", "2001:db8::/32", "::ffff:77.1.2.3",
    "10.0.0.1", "fe80::1%eth0", "0.0.0.0/0", "::/0",
  ]

  /// Texts whose first 8 bytes are extreme timestamps.
  static let timestamps: [[UInt8]] = [Int64.min, Int64.min + 1, -1, 0, Int64.max, -2_208_988_800_000_000_000]
    .map { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }

  static let areaFiles = [
    #"{"areas": [{"name": "ukraine-wide", "title": "Ukraine and neighbours", "countries": ["UA", "MD", "BY"], "include": ["eastern-europe"]}]}"#,
    #"{"areas": [{"name": "kyiv-500km", "within": {"km": 500, "latitude": 50.45, "longitude": 30.52}}]}"#,
    #"{"comment": "x", "areas": [{"name": "a", "countries": ["DE"]}, {"name": "b", "include": ["a", "eu"], "comment": "y"}]}"#,
    #"{"areas": [{"name": "eu", "replace": true, "countries": ["FR"]}, {"name": "m", "within": {"mi": 10, "latitude": -90, "longitude": 180}}]}"#,
    #"{"areas": [{"name": "bad", "countries": ["EU"]}]}"#,
    #"{"areas": [{"name": "x", "within": {"km": 1e400, "latitude": 0, "longitude": 0}}]}"#,
  ]

  static let flowLogs: [(FlowLogFormat?, String)] = [
    (.vpc, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
      + "2 123456789010 eni-1 5.8.1.1 10.0.0.1 443 49152 6 20 4249 1741597200 1741597260 ACCEPT OK\n"
      + "2 123456789010 eni-1 - - - - - - - 1741597200 1741597260 - NODATA\n"),
    (.zeek, "#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_pkts\torig_ip_bytes\n"
      + "1741597200.5\tC1\t5.8.1.1\t40000\t10.0.0.1\t443\ttcp\t3\t180\n"),
    (.zeekJSON, #"{"ts":1741597200.5,"id.orig_h":"5.8.1.1","id.orig_p":1,"id.resp_h":"10.0.0.1","id.resp_p":443,"proto":"tcp","orig_pkts":3,"orig_ip_bytes":180}"# + "\n"),
    (.eve, #"{"timestamp":"2025-03-10T09:00:00.000000+0000","event_type":"flow","src_ip":"5.8.1.1","dest_ip":"10.0.0.1","proto":"TCP","flow":{"pkts_toserver":3,"bytes_toserver":180}}"# + "\n"),
    (nil, "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt\n2025-03-10 09:00:00,2025-03-10 09:00:01,1,5.8.1.1,10.0.0.1,1,443,TCP,,0,0,3,180\n"),
    (.csv, "source,dst,time,packets,bytes,proto,sport,dport\n5.8.1.1,10.0.0.1,1741597200,3,180,6,1,443\n\"5.8.1.2\",x,,,,,,\n"),
    (.azure, #"{"records":[{"time":"2025-03-10T09:00:00Z","properties":{"Version":2,"flows":[{"flows":[{"flowTuples":["1741597200,5.8.1.1,10.0.0.1,1,443,T,I,A,B,,,,"]}]}]}}]}"#),
  ]

  static let geoSources = [
    "# Generated: Thu, 25 Jun 2026 04:33:59 GMT\n16777216,16777471,AU\n16777472,16778239,CN\n",
    "2001:db8::,2001:db8::ffff,UA\n2001:db9::,2001:db9:ffff:ffff:ffff:ffff:ffff:ffff,??\n",
    "start,end,country\n1.0.0.0,1.0.0.255,AU\n5.8.0.0,5.8.255.255,UA\n",
    "\"16777216\",\"16777471\",\"AU\",\"Australia\"\r\n\"16777472\",\"16778239\",\"CN\",\"China\"\r\n",
    "network,country\n5.8.0.0/16,UA\n2a02:2378::/32,UA\n",
    "network,autonomous_system_number,autonomous_system_organization\n5.8.0.0/16,15895,\"Kyivstar PJSC\"\n",
    "1.0.0.0,1.0.0.255,13335,Cloudflare\n5.8.0.0,5.8.255.255,AS15895,Kyivstar\n",
  ]
}
