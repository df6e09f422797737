import Geo
import NetCore

/// The key an origin is counted under in one dimension (country, continent or ASN).
public struct OriginKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable, Comparable {
    case country, continent, asn, special, unknown
    public static func < (a: Kind, b: Kind) -> Bool { a.order < b.order }
    var order: Int {
      switch self {
      case .country: return 0
      case .continent: return 1
      case .asn: return 2
      case .special: return 3
      case .unknown: return 4
      }
    }
  }
  public var kind: Kind
  /// `UA`, `EU`, `AS15895`, `private`, `unknown`.
  public var code: String

  public init(kind: Kind, code: String) {
    self.kind = kind
    self.code = code
  }

  public static func < (a: OriginKey, b: OriginKey) -> Bool { (a.kind, a.code) < (b.kind, b.code) }
  public var description: String { kind == .special ? "special:\(code)" : code }

  /// A readable name: the country or continent name, the special kind, `unknown`.
  public var name: String {
    switch kind {
    case .country: return Countries.named(code)?.name ?? code
    case .continent: return Continent(rawValue: code)?.name ?? code
    case .asn: return code
    case .special: return code
    case .unknown: return "unknown"
    }
  }
}

/// Counters for one origin. All fields add when summaries merge.
public struct OriginCounters: Sendable, Hashable {
  public var packets: UInt64 = 0
  public var wireBytes: UInt64 = 0
  public var ipBytes: UInt64 = 0
  public var flows: UInt64 = 0
  /// Distinct source addresses seen for this origin.
  public var sources: UInt64 = 0
  /// Packets over UDP from well-known amplification source ports (reflection).
  public var reflectionPackets: UInt64 = 0
  public var reflectionBytes: UInt64 = 0

  public init() {}

  public mutating func add(_ other: OriginCounters) {
    packets &+= other.packets
    wireBytes &+= other.wireBytes
    ipBytes &+= other.ipBytes
    flows &+= other.flows
    sources &+= other.sources
    reflectionPackets &+= other.reflectionPackets
    reflectionBytes &+= other.reflectionBytes
  }

  /// Counts an observation's packets, bytes and flows (not its source).
  public mutating func count(_ o: Observation) {
    packets &+= o.packets
    wireBytes &+= o.wireBytes
    ipBytes &+= o.ipBytes
    flows &+= o.flows
  }

  /// The value of one claim metric.
  public func value(_ metric: Claim.Metric) -> UInt64 {
    switch metric {
    case .sources: return sources
    case .packets: return packets
    case .bytes: return wireBytes
    case .flows: return flows
    }
  }
}

/// Why a record carried no usable source address, with its count.
public struct SkipCounts: Sendable, Hashable {
  public var byReason: [String: UInt64] = [:]
  public init() {}
  public var total: UInt64 { byReason.values.reduce(0, &+) }
  public mutating func add(_ reason: String, _ n: UInt64 = 1) { byReason[reason, default: 0] &+= n }
  public mutating func add(_ other: SkipCounts) { for (k, v) in other.byReason { add(k, v) } }
}

/// Per link type counts.
public struct LinkTypeCounts: Sendable, Hashable {
  public var linkType: UInt32
  public var name: String
  public var records: UInt64 = 0
  public var ipPackets: UInt64 = 0
  /// Records with no IP packet, by reason (`arp`, `other-ethertype`, `truncated`, ...).
  public var nonIP = SkipCounts()

  public init(linkType: UInt32, name: String) {
    self.linkType = linkType
    self.name = name
  }
}

/// One input file as read.
public struct InputSummary: Sendable, Hashable {
  public var path: String
  /// `pcap`, `pcap-ns`, `pcapng`, ... (`unknown` when it could not be read).
  public var format: String
  public var compressed: Bool
  public var linkTypes: [String]
  public var records: UInt64
  /// The one-line error when the input was damaged or unreadable.
  public var error: String?
  /// True when reading stopped early: what was read before is counted.
  public var damaged: Bool
  /// Flow records whose packets and bytes were multiplied by the exporter's sampling interval
  /// (1 in N), by N. Empty when nothing was scaled.
  public var scaledRecords: [UInt64: UInt64] = [:]

  public init(path: String, format: String, compressed: Bool = false, linkTypes: [String] = [], records: UInt64 = 0, error: String? = nil, damaged: Bool = false) {
    self.path = path
    self.format = format
    self.compressed = compressed
    self.linkTypes = linkTypes
    self.records = records
    self.error = error
    self.damaged = damaged
  }
}

/// A database used for the summary, named in every output.
public struct DatabaseInfo: Sendable, Hashable {
  public var role: String
  public var path: String
  public var type: String
  public var buildDate: Timestamp

  public init(role: String, path: String, type: String, buildDate: Timestamp) {
    self.role = role
    self.path = path
    self.type = type
    self.buildDate = buildDate
  }

  public init(role: String, database: MaxMindDatabase) {
    self.init(role: role, path: database.path, type: database.metadata.databaseType, buildDate: database.metadata.buildDate)
  }
}

/// What a live capture's system reported: packets received, and packets lost before they could be
/// counted (kernel buffer full, interface drops). Lost packets are in no other count.
public struct CaptureCounts: Sendable, Hashable {
  /// The interface captured on (interfaces joined with `+` after a merge of different ones).
  public var interface: String
  /// The BPF filter, when one was given (nil after a merge of runs with different filters).
  public var filter: String?
  /// Packets the kernel received for the capture (on Linux: every packet that passed the filter,
  /// dropped ones included).
  public var received: UInt64
  /// Packets dropped because the capture buffer was full.
  public var dropped: UInt64
  /// Packets the interface or its driver dropped.
  public var interfaceDropped: UInt64

  public init(interface: String, filter: String? = nil, received: UInt64 = 0, dropped: UInt64 = 0, interfaceDropped: UInt64 = 0) {
    self.interface = interface
    self.filter = filter
    self.received = received
    self.dropped = dropped
    self.interfaceDropped = interfaceDropped
  }

  /// Packets lost before counting, by the kernel or the interface.
  public var lost: UInt64 { dropped &+ interfaceDropped }

  /// The share of the traffic lost: lost packets over those received plus the interface's drops
  /// (0 when nothing was received).
  public var lostShare: Double {
    let seen = received &+ interfaceDropped
    return seen == 0 ? 0 : Double(lost) / Double(seen)
  }

  /// The counts of two captures together.
  public mutating func add(_ other: CaptureCounts) {
    if other.interface != interface { interface += "+" + other.interface }
    if other.filter != filter { filter = nil }
    received &+= other.received
    dropped &+= other.dropped
    interfaceDropped &+= other.interfaceDropped
  }
}

/// Totals over everything read.
public struct Totals: Sendable, Hashable {
  public var records: UInt64 = 0
  public var ipPackets: UInt64 = 0
  public var ipv4Packets: UInt64 = 0
  public var ipv6Packets: UInt64 = 0
  public var nonIPPackets: UInt64 = 0
  public var wireBytes: UInt64 = 0
  public var ipBytes: UInt64 = 0
  public var flows: UInt64 = 0
  public var sources: UInt64 = 0
  public var firstSeen: Timestamp? = nil
  public var lastSeen: Timestamp? = nil
  public init() {}

  /// Adds the counters of `other` (records, packets, bytes, flows). Distinct sources and the
  /// first and last times do not add; their owners combine them.
  public mutating func addCounters(_ other: Totals) {
    records &+= other.records
    ipPackets &+= other.ipPackets
    ipv4Packets &+= other.ipv4Packets
    ipv6Packets &+= other.ipv6Packets
    nonIPPackets &+= other.nonIPPackets
    wireBytes &+= other.wireBytes
    ipBytes &+= other.ipBytes
    flows &+= other.flows
  }
}

/// Everything a run learned: the unit that is rendered, saved as JSON and merged.
public struct Summary: Sendable, Equatable {
  /// The version of the JSON summary (docs/summary.md): raised when a key is removed or renamed,
  /// a meaning changes, or a key becomes required to read a summary back.
  public static let schemaVersion = 2

  public var inputs: [InputSummary] = []
  public var databases: [DatabaseInfo] = []
  public var totals = Totals()
  public var linkTypes: [UInt32: LinkTypeCounts] = [:]
  /// Records of non-capture inputs (flow logs, export datagrams) that were read but not counted,
  /// by reason (`malformed-line`, `no-template`, `nodata`, ...).
  public var skipped = SkipCounts()
  /// By country (with special-purpose kinds and unknown).
  public var countries: [OriginKey: OriginCounters] = [:]
  /// By continent (with special-purpose kinds and unknown).
  public var continents: [OriginKey: OriginCounters] = [:]
  /// By autonomous system, when an ASN database was given (with special and unknown).
  public var asns: [OriginKey: OriginCounters] = [:]
  /// Radius areas by name; `""` collects origins the database has no coordinates for.
  public var radius: [String: OriginCounters] = [:]
  public var evidence = EvidenceStats()
  /// By country, without the traffic of sources that sent one packet (spoofing suspects) and
  /// without reflection traffic: the counts a verdict must also hold on.
  public var robustCountries: [OriginKey: OriginCounters] = [:]
  public var robustRadius: [String: OriginCounters] = [:]
  public var robustASNs: [OriginKey: OriginCounters] = [:]
  /// Counts within `--window`.
  public var window: WindowCounts? = nil
  /// Bucket width in nanoseconds and the bucket series (`--bucket`), with the bursts found in it.
  public var bucketWidth: Int64? = nil
  public var buckets: [WindowCounts] = []
  public var bursts: [WindowCounts] = []
  /// The distinct source addresses behind the `sources` counts, for merging summaries.
  public var distinct = DistinctSources()
  /// Drop counts of a live capture; nil for files and flow logs.
  public var capture: CaptureCounts? = nil

  public init() {}

  public enum Dimension: String, Sendable, CaseIterable {
    case country, continent, asn
  }

  public func origins(by dimension: Dimension) -> [OriginKey: OriginCounters] {
    switch dimension {
    case .country: return countries
    case .continent: return continents
    case .asn: return asns
    }
  }

  /// Origins sorted by packets (then bytes, then key), largest first.
  public func ranked(by dimension: Dimension) -> [(key: OriginKey, counters: OriginCounters)] {
    origins(by: dimension).map { (key: $0.key, counters: $0.value) }.sorted {
      if $0.counters.packets != $1.counters.packets { return $0.counters.packets > $1.counters.packets }
      if $0.counters.wireBytes != $1.counters.wireBytes { return $0.counters.wireBytes > $1.counters.wireBytes }
      return $0.key < $1.key
    }
  }
}

/// The distinct sources of each origin as sets or sketches (`SourceSet`), so that summaries of
/// separate runs merge without counting an address twice.
public struct DistinctSources: Sendable, Hashable {
  public var countries: [OriginKey: SourceSet] = [:]
  public var continents: [OriginKey: SourceSet] = [:]
  public var asns: [OriginKey: SourceSet] = [:]
  /// Radius areas by name; `""`: origins without coordinates.
  public var radius: [String: SourceSet] = [:]
  public var total: SourceSet = .empty
  /// Per country within `--window`, when every source was tracked.
  public var window: [OriginKey: SourceSet]? = nil
  /// Per bucket (by its start, in nanoseconds since the epoch) and country, when every source was
  /// tracked.
  public var buckets: [Int64: [OriginKey: SourceSet]]? = nil
  /// Runs whose summaries were merged into this one (1 for a single run).
  public var runs = 1
  /// 0 when every source was tracked one by one; L when per-address evidence (packets per source,
  /// hop counts, robust counts, per-bucket sources) was estimated from a 1-in-2^L sample.
  public var samplingLevel = 0

  public init() {}

  /// Whether any `sources` count is an estimate.
  public var isEstimate: Bool {
    samplingLevel > 0 || total.isEstimate
  }
}
