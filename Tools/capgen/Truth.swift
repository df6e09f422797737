import NetCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The ground truth of a generated capture, written next to it as `NAME.truth.json`.
///
/// Every packet is counted under the origin Tor's geoip files give its source address: a country code,
/// `??` (a range Tor lists without a country) or `unlisted` (in no range). The last two are "special".
/// Counts are kept for the whole capture, for the packets sent to the victim network (`toTarget`), and
/// for each traffic component of the scenario with the time windows it covers, and for the scenario's
/// windows of interest (all packets with `start <= time < end`, whatever their component). Sources in
/// IANA special-purpose blocks are counted per block (`specialPurpose`), whatever Tor says of them.
///
/// Format (keys in this order; countries sorted by code):
/// ```
/// { "format": "capgen-truth/1", "capture": "x.pcap", "scenario": "...", "command": "capgen ...",
///   "seed": 1, "scale": 1,
///   "geoip": { "ipv4": PATH, "ipv6": PATH, "generated": DATE, "ipv4Ranges": N, "ipv6Ranges": N },
///   "victim": { "ipv4": CIDR, "ipv6": CIDR }, "timestampPrecision": "microsecond", "snaplen": 96,
///   "first": RFC3339, "last": RFC3339,
///   "totals": C, "countries": { "BR": C, ... }, "special": { "??": C, "unlisted": C },
///   "specialPurpose": { "10.0.0.0/8": C, ... },
///   "toTarget": { "totals": C, "countries": {...}, "special": {...} },
///   "windows": [ { "name": ..., "start": T, "end": T, "totals": C, "countries": {...}, "special": {...} } ],
///   "components": [ { "name": ..., "description": ..., "windows": [ { "start": T, "end": T } ],
///                     "totals": C, "countries": {...}, "special": {...} } ] }
/// ```
/// where `C` is `{ "packets": N, "wireBytes": N, "ipBytes": N, "distinctSources": N }`: wire bytes are
/// the frames' original lengths, IP bytes the IPv4 total lengths or IPv6 payload lengths plus 40.
final class TruthLedger {
  struct Counter {
    var packets: UInt64 = 0
    var wireBytes: UInt64 = 0
    var ipBytes: UInt64 = 0
    var sources: Set<IPAddress> = []
    /// Used where sources are known distinct by construction and too many to keep in a set.
    var distinctOverride: UInt64? = nil

    mutating func add(source: IPAddress?, wire: Int, ip: Int, count: UInt64 = 1) {
      packets += count
      wireBytes += UInt64(wire) * count
      ipBytes += UInt64(ip) * count
      if let source { sources.insert(source) }
    }

    var distinct: UInt64 { distinctOverride ?? UInt64(sources.count) }

    var json: String {
      "{ \"packets\": \(packets), \"wireBytes\": \(wireBytes), \"ipBytes\": \(ipBytes), \"distinctSources\": \(distinct) }"
    }
  }

  /// Counters by origin, with their total.
  struct Tally {
    var totals = Counter()
    var byOrigin: [TorOrigin: Counter] = [:]

    mutating func add(origin: TorOrigin, source: IPAddress, wire: Int, ip: Int) {
      totals.add(source: source, wire: wire, ip: ip)
      byOrigin[origin, default: Counter()].add(source: source, wire: wire, ip: ip)
    }

    func json(indent: String) -> String {
      let countries = byOrigin.compactMap { (origin, counter) -> (CountryCode, Counter)? in
        if case .country(let cc) = origin { return (cc, counter) }
        return nil
      }.sorted { $0.0 < $1.0 }
      var out = "\(indent)\"totals\": \(totals.json),\n"
      out += "\(indent)\"countries\": {"
      out += countries.isEmpty ? "},\n" : "\n"
      for (i, (cc, c)) in countries.enumerated() {
        out += "\(indent)  \"\(cc)\": \(c.json)\(i + 1 < countries.count ? "," : "")\n"
      }
      if !countries.isEmpty { out += "\(indent)},\n" }
      let unknown = byOrigin[.unknown] ?? Counter()
      let unlisted = byOrigin[.unlisted] ?? Counter()
      out += "\(indent)\"special\": {\n"
      out += "\(indent)  \"??\": \(unknown.json),\n"
      out += "\(indent)  \"unlisted\": \(unlisted.json)\n"
      out += "\(indent)}"
      return out
    }
  }

  struct Component {
    let name: String
    let description: String
    let windows: [(Timestamp, Timestamp)]
    var tally = Tally()
  }

  let geoip: TorGeoIP
  var metadata: [(String, String)] = []
  private(set) var all = Tally()
  private(set) var toTarget = Tally()
  private(set) var specialPurpose: [Int: Counter] = [:]
  private(set) var components: [Component] = []
  private(set) var windows: [(name: String, start: Timestamp, end: Timestamp, tally: Tally)] = []
  private(set) var first: Timestamp?
  private(set) var last: Timestamp?

  init(geoip: TorGeoIP) { self.geoip = geoip }

  /// Declares a component and returns its number for `record`.
  func addComponent(name: String, description: String, windows: [(Timestamp, Timestamp)]) -> Int {
    components.append(Component(name: name, description: description, windows: windows))
    return components.count - 1
  }

  /// Declares a window of interest: its packets are also counted on their own.
  func addWindow(name: String, start: Timestamp, end: Timestamp) {
    windows.append((name, start, end, Tally()))
  }

  func record(component: Int, time: Timestamp, source: IPAddress, toTarget inbound: Bool, wire: Int, ip: Int) {
    let origin = geoip.origin(source)
    for i in windows.indices where windows[i].start <= time && time < windows[i].end {
      windows[i].tally.add(origin: origin, source: source, wire: wire, ip: ip)
    }
    all.add(origin: origin, source: source, wire: wire, ip: ip)
    if inbound { toTarget.add(origin: origin, source: source, wire: wire, ip: ip) }
    components[component].tally.add(origin: origin, source: source, wire: wire, ip: ip)
    if let block = SpecialPurposeBlocks.index(of: source) {
      specialPurpose[block, default: Counter()].add(source: source, wire: wire, ip: ip)
    }
    if first == nil || time < first! { first = time }
    if last == nil || time > last! { last = time }
  }

  /// Replaces the counts with ones gathered in bulk (the bench generator), as one component.
  func setBulk(
    all: Tally, toTarget: Tally, specialPurpose: [Int: Counter], first: Timestamp, last: Timestamp,
    component: (name: String, description: String)
  ) {
    self.all = all
    self.toTarget = toTarget
    self.specialPurpose = specialPurpose
    self.first = first
    self.last = last
    components = [
      Component(name: component.name, description: component.description, windows: [(first, last)], tally: all)
    ]
  }

  var json: String {
    var out = "{\n"
    for (key, value) in metadata { out += "  \"\(key)\": \(value),\n" }
    if let first, let last {
      out += "  \"first\": \(TruthLedger.quote(first.description)),\n"
      out += "  \"last\": \(TruthLedger.quote(last.description)),\n"
    }
    out += all.json(indent: "  ") + ",\n"
    out += "  \"specialPurpose\": {"
    let blocks = specialPurpose.keys.sorted()
    out += blocks.isEmpty ? "},\n" : "\n"
    for (i, b) in blocks.enumerated() {
      out += "    \"\(SpecialPurposeBlocks.blocks[b])\": \(specialPurpose[b]!.json)\(i + 1 < blocks.count ? "," : "")\n"
    }
    if !blocks.isEmpty { out += "  },\n" }
    out += "  \"toTarget\": {\n" + toTarget.json(indent: "    ") + "\n  },\n"
    out += "  \"windows\": ["
    out += windows.isEmpty ? "],\n" : "\n"
    for (i, w) in windows.enumerated() {
      out += "    {\n"
      out += "      \"name\": \(TruthLedger.quote(w.name)),\n"
      out += "      \"start\": \"\(w.start)\",\n"
      out += "      \"end\": \"\(w.end)\",\n"
      out += w.tally.json(indent: "      ") + "\n"
      out += "    }\(i + 1 < windows.count ? "," : "")\n"
    }
    if !windows.isEmpty { out += "  ],\n" }
    out += "  \"components\": ["
    out += components.isEmpty ? "]\n" : "\n"
    for (i, c) in components.enumerated() {
      out += "    {\n"
      out += "      \"name\": \(TruthLedger.quote(c.name)),\n"
      out += "      \"description\": \(TruthLedger.quote(c.description)),\n"
      out += "      \"windows\": ["
      out += c.windows.map { "{ \"start\": \"\($0.0)\", \"end\": \"\($0.1)\" }" }.joined(separator: ", ")
      out += "],\n"
      out += c.tally.json(indent: "      ") + "\n"
      out += "    }\(i + 1 < components.count ? "," : "")\n"
    }
    if !components.isEmpty { out += "  ]\n" }
    out += "}\n"
    return out
  }

  func write(to path: String) throws {
    guard let file = fopen(path, "wb") else {
      throw PcapWriter.WriteError(description: "\(path): cannot create the file")
    }
    let text = json
    let ok =
      text.utf8.withContiguousStorageIfAvailable { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
      ?? Array(text.utf8).withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
    if fclose(file) != 0 || !ok {
      throw PcapWriter.WriteError(description: "\(path): write failed")
    }
  }

  /// A JSON string literal.
  static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}

/// IANA special-purpose address blocks (the IPv4 and IPv6 Special-Purpose Address Registries of RFC 6890
/// and their updates) plus multicast and the IPv4 reserved block 240/4.
enum SpecialPurposeBlocks {
  static let blocks: [String] = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",
    "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4",
    "::/127", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
    "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "ff00::/8",
  ]
  static let networks: [IPNetwork] = blocks.map { IPNetwork($0)! }

  /// The index of the first block holding `address` (255.255.255.255 falls in 240/4).
  static func index(of address: IPAddress) -> Int? {
    networks.firstIndex { $0.contains(address) }
  }
}
