import Geo
import NetCore

/// What the aggregator keeps beyond per-origin totals.
public struct AggregatorOptions: Sendable {
  /// Only traffic toward these networks counts (`--target`); the rest is counted as skipped.
  public var targets: [IPNetwork] = []
  /// Per-origin counts within this window as well (`--window`).
  public var window: TimeWindow? = nil
  /// Per-bucket counts (`--bucket`), in nanoseconds.
  public var bucketWidth: Int64? = nil
  /// Radius areas whose membership is decided per source from the database's coordinates.
  public var radiusAreas: [(name: String, latitude: Double, longitude: Double, km: Double)] = []
  /// Distinct sources tracked one by one before the address table samples (see `AddressTable`).
  public var addressCapacity = Aggregator.defaultAddressCapacity
  public init() {}
}

/// Turns observations into a `Summary`.
///
/// Counters are kept per origin id (`OriginTable`), so a packet costs an address-table probe with a
/// fixed integer hash and array updates: no string hashing, no allocation once the tables have
/// grown. Distinct sources are exact up to `AggregatorOptions.addressCapacity`; beyond it the
/// address table keeps a hash-chosen sample and each origin's distinct sources are counted by a
/// HyperLogLog sketch (`docs/summary.md`, "Distinct sources").
///
/// Not `Sendable`: one aggregator per thread. Aggregators over the same `OriginTable` combine with
/// `absorb`, and the result does not depend on how the input was split between them.
public final class Aggregator {
  /// 2^19 sources: about 25 MB of per-address state.
  public static let defaultAddressCapacity = 1 << 19
  /// Sketch precisions: 12 (1.6% standard error) for countries, continents, radius areas and the
  /// total; 8 (6.5%) for autonomous systems, which can number tens of thousands.
  public static let sketchPrecision = 12
  public static let asnSketchPrecision = 8

  /// All mutable state lives in one struct, so a packet costs one exclusivity check, not one per
  /// field.
  private var state: AggregatorState

  public var origins: OriginTable { state.origins }
  public var options: AggregatorOptions { state.options }
  /// What was counted so far that is not per origin: inputs, link types, skips.
  public var summary: Summary { state.summary }

  public init(origins: OriginTable, options: AggregatorOptions = AggregatorOptions()) {
    state = AggregatorState(origins: origins, options: options)
  }

  /// Counts one observation.
  public func add(_ o: Observation) { state.add(o) }

  /// Counts a captured record that carried an IP packet, and the packet: `countRecord` and `add`
  /// in one call.
  public func addPacket(_ o: Observation, linkType: UInt32, name: @autoclosure () -> String) {
    state.countRecord(linkType: linkType, name: name(), nonIPReason: nil, timestamp: o.timestamp)
    state.add(o)
  }

  /// Counts a record that was read, per link type: an IP packet (`nonIPReason == nil`, then
  /// `add` counts its contents) or a record with no usable IP source, by reason.
  public func countRecord(linkType: UInt32, name: @autoclosure () -> String, nonIPReason: String?, timestamp: Timestamp) {
    state.countRecord(linkType: linkType, name: name(), nonIPReason: nonIPReason, timestamp: timestamp)
  }

  public func addInput(_ input: InputSummary) { state.summary.inputs.append(input) }

  /// Counts records that were read but carry nothing to count (flow-log lines, export datagrams),
  /// by reason, so nothing is dropped silently.
  public func countSkipped(_ reason: String, count: UInt64 = 1) { state.summary.skipped.add(reason, count) }

  /// Adds everything `other` counted, as if this aggregator had read `other`'s input after its own.
  /// Both must use the same `OriginTable` and options. Exact counts add; per-address state joins
  /// address by address; sketches merge.
  public func absorb(_ other: Aggregator) { state.absorb(other.state) }

  /// The summary with every origin's counters folded into its dimensions, windows and bursts.
  /// The aggregator can go on counting and finish again.
  public func finish() -> Summary { state.finish() }
}

/// The aggregator's state and counting logic.
struct AggregatorState {
  static let sketchPrecision = Aggregator.sketchPrecision
  static let asnSketchPrecision = Aggregator.asnSketchPrecision
  /// Longest bucket series written with every bucket, empty ones included.
  static let maximumBuckets = 100_000

  let origins: OriginTable
  let options: AggregatorOptions
  private let withASN: Bool

  /// One dimension's keys (country, continent or ASN), by dense index.
  private struct KeySpace {
    var keys: [OriginKey] = []
    var index: [OriginKey: Int32] = [:]
    var sketches: [HyperLogLog?] = []
    let precision: Int

    init(precision: Int) { self.precision = precision }

    mutating func intern(_ key: OriginKey) -> Int32 {
      if let i = index[key] { return i }
      let i = Int32(keys.count)
      keys.append(key)
      index[key] = i
      sketches.append(nil)
      return i
    }
  }

  /// Keys and radius membership of one origin id, worked out on first use.
  private struct SlotInfo {
    var valid = false
    var country: Int32 = 0
    var continent: Int32 = 0
    var asn: Int32 = -1
    var special = false
    /// Bit i set: inside radius area i. Meaningful when `hasCoordinates`.
    var radiusMask: UInt64 = 0
    var hasCoordinates = false
  }

  private var slotInfo: [SlotInfo] = []
  private var counters: [OriginCounters] = []
  private var windowCounters: [OriginCounters] = []
  private var countryKeys = KeySpace(precision: Aggregator.sketchPrecision)
  private var continentKeys = KeySpace(precision: Aggregator.sketchPrecision)
  private var asnKeys = KeySpace(precision: Aggregator.asnSketchPrecision)
  /// Per radius area, then one for origins without coordinates.
  private var radiusSketches: [HyperLogLog?]
  private var totalSketch: HyperLogLog? = nil

  private var table: AddressTable

  /// Bucket rows by absolute bucket number (`timestamp / width`, rounded down).
  private struct BucketRow {
    var countries: [OriginCounters] = []
    /// Per radius area, then one for origins without coordinates.
    var radius: [OriginCounters] = []
  }
  private var bucketRows: [Int64: Int] = [:]
  private var rows: [BucketRow] = []
  /// The bucket `currentRow` belongs to; nil before the first bucketed observation.
  private var currentBucket: Int64? = nil
  private var currentRow = 0
  /// (entry, bucket) each time an entry appears in a bucket other than its last one: exact
  /// distinct-source counts per bucket and over runs of buckets (bursts).
  private var appearances: [(entry: Int32, bucket: Int64)] = []

  private var totals = Totals()
  private var firstSeen = Int64.max
  private var lastSeen = Int64.min

  var summary = Summary()

  init(origins: OriginTable, options: AggregatorOptions) {
    self.origins = origins
    self.options = options
    withASN = origins.asnDatabase != nil
    table = AddressTable(capacity: options.addressCapacity)
    radiusSketches = [HyperLogLog?](repeating: nil, count: options.radiusAreas.count + 1)
    if let db = origins.countryDatabase { summary.databases.append(DatabaseInfo(role: "country", database: db)) }
    if let db = origins.asnDatabase { summary.databases.append(DatabaseInfo(role: "asn", database: db)) }
  }

  /// Counts one observation.
  mutating func add(_ o: Observation) {
    if !options.targets.isEmpty && !options.targets.contains(where: { $0.contains(o.destination) }) {
      summary.evidence.otherDestinationPackets &+= o.packets
      noteTime(o.timestamp.nanoseconds)
      return
    }
    let hash: UInt64
    var entry: Int?
    let id: UInt32
    switch o.source {
    case .v4(let a):
      hash = SourceHash.ipv4(a.value)
      entry = table.find(ipv4: a.value, hash: hash)
      if let e = entry {
        id = table.origin[e]
      } else {
        id = origins.id(ipv4: a.value)
        if table.admits(hash) { entry = track(o, high: 0, low: UInt64(a.value), isIPv6: false, hash: hash, id: id) }
      }
    case .v6(let a):
      hash = SourceHash.ipv6(high: a.high, low: a.low)
      entry = table.find(high: a.high, low: a.low, isIPv6: true, hash: hash)
      if let e = entry {
        id = table.origin[e]
      } else {
        id = origins.id(o.source)
        if table.admits(hash) { entry = track(o, high: a.high, low: a.low, isIPv6: true, hash: hash, id: id) }
      }
    }
    let slot = Int(id)
    if slot >= slotInfo.count || !slotInfo[slot].valid { prepareSlot(id) }

    counters[slot].count(o)
    var direct = true
    if o.protocolNumber == 17, let port = o.sourcePort, EvidenceStats.isAmplificationPort(port) {
      counters[slot].reflectionPackets &+= o.packets
      counters[slot].reflectionBytes &+= o.wireBytes
      summary.evidence.reflectionPackets &+= o.packets
      summary.evidence.reflectionBytes &+= o.wireBytes
      direct = false
    }
    if let e = entry {
      table.packets[e] = table.packets[e] &+ UInt32(truncatingIfNeeded: min(o.packets, UInt64(UInt32.max)))
      if direct { table.flags[e] |= AddressTable.sentDirect }
    }
    if let window = options.window, window.contains(o.timestamp) {
      windowCounters[slot].count(o)
      if let e = entry { table.flags[e] |= AddressTable.inWindow }
    }
    if let width = options.bucketWidth { countBucket(o, width: width, slot: slot, entry: entry) }
    if table.level > 0 { sketch(slot, hash) }

    totals.ipPackets &+= o.packets
    if o.source.isIPv4 { totals.ipv4Packets &+= o.packets } else { totals.ipv6Packets &+= o.packets }
    totals.wireBytes &+= o.wireBytes
    totals.ipBytes &+= o.ipBytes
    totals.flows &+= o.flows
    noteTime(o.timestamp.nanoseconds)
  }

  /// Adds an admitted address to the table; returns its entry, or nil when the table filled and
  /// the raised sampling level no longer admits it.
  private mutating func track(_ o: Observation, high: UInt64, low: UInt64, isIPv6: Bool, hash: UInt64, id: UInt32) -> Int? {
    let e = table.insert(high: high, low: low, isIPv6: isIPv6, hash: hash, origin: id)
    table.firstBytes[e] = UInt32(truncatingIfNeeded: min(o.wireBytes, UInt64(UInt32.max)))
    if let ttl = o.ttl {
      table.firstTTL[e] = ttl
      table.flags[e] |= AddressTable.hasTTL
    }
    guard table.isFull else { return e }
    let remap = raiseLevel(to: table.level + 1)
    let moved = remap[e]
    return moved < 0 ? nil : Int(moved)
  }

  /// Raises the table's sampling level (starting the sketches when it leaves 0) until it has
  /// room; returns the old-to-new entry numbers.
  @discardableResult
  private mutating func raiseLevel(to target: Int) -> [Int32] {
    if table.level == 0 && target > 0 {
      for e in 0..<table.count {
        let id = table.origin[e]
        if Int(id) >= slotInfo.count || !slotInfo[Int(id)].valid { prepareSlot(id) }
        sketch(Int(id), table.hashes[e])
      }
    }
    var remap = table.raiseLevel(to: target)
    while table.isFull {
      let step = table.raiseLevel()
      remap = remap.map { $0 < 0 ? -1 : step[Int($0)] }
    }
    appearances = appearances.compactMap { a in
      let n = remap[Int(a.entry)]
      return n < 0 ? nil : (n, a.bucket)
    }
    return remap
  }

  /// Inserts a source hash into the sketches of the slot's keys.
  @inline(__always)
  private mutating func sketch(_ slot: Int, _ hash: UInt64) {
    let info = slotInfo[slot]
    Self.insert(hash, into: &countryKeys.sketches[Int(info.country)], precision: countryKeys.precision)
    Self.insert(hash, into: &continentKeys.sketches[Int(info.continent)], precision: continentKeys.precision)
    if info.asn >= 0 { Self.insert(hash, into: &asnKeys.sketches[Int(info.asn)], precision: asnKeys.precision) }
    if !options.radiusAreas.isEmpty {
      if info.hasCoordinates {
        var mask = info.radiusMask
        while mask != 0 {
          let i = mask.trailingZeroBitCount
          Self.insert(hash, into: &radiusSketches[i], precision: Self.sketchPrecision)
          mask &= mask - 1
        }
      } else {
        Self.insert(hash, into: &radiusSketches[options.radiusAreas.count], precision: Self.sketchPrecision)
      }
    }
    Self.insert(hash, into: &totalSketch, precision: Self.sketchPrecision)
  }

  @inline(__always)
  private static func insert(_ hash: UInt64, into sketch: inout HyperLogLog?, precision: Int) {
    if sketch == nil { sketch = HyperLogLog(precision: precision) }
    sketch!.insert(hash: hash)
  }

  private mutating func countBucket(_ o: Observation, width: Int64, slot: Int, entry: Int?) {
    let b = floorDiv(o.timestamp.nanoseconds, width)
    if b != currentBucket {
      currentBucket = b
      if let r = bucketRows[b] {
        currentRow = r
      } else {
        currentRow = rows.count
        bucketRows[b] = currentRow
        rows.append(BucketRow())
      }
    }
    let info = slotInfo[slot]
    let c = Int(info.country)
    if rows[currentRow].countries.count <= c {
      rows[currentRow].countries.append(
        contentsOf: repeatElement(OriginCounters(), count: countryKeys.keys.count - rows[currentRow].countries.count))
    }
    rows[currentRow].countries[c].count(o)
    if !options.radiusAreas.isEmpty {
      if rows[currentRow].radius.isEmpty {
        rows[currentRow].radius = [OriginCounters](repeating: OriginCounters(), count: options.radiusAreas.count + 1)
      }
      if info.hasCoordinates {
        var mask = info.radiusMask
        while mask != 0 {
          rows[currentRow].radius[mask.trailingZeroBitCount].count(o)
          mask &= mask - 1
        }
      } else {
        rows[currentRow].radius[options.radiusAreas.count].count(o)
      }
    }
    if let e = entry {
      // The low 32 bits of the bucket number tell buckets apart (2^32 buckets apart is never the
      // same run of traffic); Int32.min marks an entry not seen in any bucket yet.
      let low = Int32(truncatingIfNeeded: b)
      if table.lastBucket[e] != low || low == Int32.min {
        table.lastBucket[e] = low
        appearances.append((Int32(e), b))
      }
    }
  }

  private mutating func noteTime(_ t: Int64) {
    if t < firstSeen { firstSeen = t }
    if t > lastSeen { lastSeen = t }
  }

  /// The counts of the link type records are arriving in, kept out of `summary.linkTypes`
  /// until the link type changes, so a record costs no hash lookup.
  private var currentLinkType: LinkTypeCounts? = nil

  /// Counts a record that was read, per link type: an IP packet (`nonIPReason == nil`, then
  /// `add` counts its contents) or a record with no usable IP source, by reason.
  mutating func countRecord(linkType: UInt32, name: @autoclosure () -> String, nonIPReason: String?, timestamp: Timestamp) {
    if currentLinkType?.linkType != linkType {
      storeCurrentLinkType()
      currentLinkType = summary.linkTypes.removeValue(forKey: linkType) ?? LinkTypeCounts(linkType: linkType, name: name())
    }
    totals.records &+= 1
    currentLinkType!.records &+= 1
    if let reason = nonIPReason {
      totals.nonIPPackets &+= 1
      currentLinkType!.nonIP.add(reason)
      noteTime(timestamp.nanoseconds)
    } else {
      currentLinkType!.ipPackets &+= 1
    }
  }

  private mutating func storeCurrentLinkType() {
    if let c = currentLinkType { summary.linkTypes[c.linkType] = c }
    currentLinkType = nil
  }

  /// Works out the keys and radius membership of an origin id.
  private mutating func prepareSlot(_ id: UInt32) {
    let slot = Int(id)
    if slot >= slotInfo.count {
      // Grown geometrically as ids appear, not to every id at once: with an ASN database the ids
      // number in the millions.
      let n = max(slot + 1, min(origins.count, slotInfo.count * 2 + 64))
      slotInfo.append(contentsOf: repeatElement(SlotInfo(), count: n - slotInfo.count))
      counters.append(contentsOf: repeatElement(OriginCounters(), count: n - counters.count))
      windowCounters.append(contentsOf: repeatElement(OriginCounters(), count: n - windowCounters.count))
    }
    let origin = origins.origin(id)
    var info = SlotInfo()
    info.valid = true
    if !options.radiusAreas.isEmpty, let lat = origin.latitude, let lon = origin.longitude {
      info.hasCoordinates = true
      for (i, area) in options.radiusAreas.enumerated() where i < 64 {
        if haversineKilometres(lat, lon, area.latitude, area.longitude) <= area.km { info.radiusMask |= 1 << UInt64(i) }
      }
    }
    let country: OriginKey
    let continent: OriginKey
    switch origin.kind {
    case .special:
      country = OriginKey(kind: .special, code: origin.special?.rawValue ?? "special")
      continent = country
      info.special = true
    case .country:
      country = OriginKey(kind: .country, code: origin.countryCode ?? "unknown")
      continent = origin.continentCode.map { OriginKey(kind: .continent, code: $0) } ?? OriginKey(kind: .unknown, code: "unknown")
    case .unknown:
      country = OriginKey(kind: .unknown, code: "unknown")
      continent = origin.continentCode.map { OriginKey(kind: .continent, code: $0) } ?? country
    }
    info.country = countryKeys.intern(country)
    info.continent = continentKeys.intern(continent)
    if withASN {
      let asn: OriginKey
      if origin.kind == .special {
        asn = country
      } else {
        asn = origin.asn.map { OriginKey(kind: .asn, code: "AS\($0)") } ?? OriginKey(kind: .unknown, code: "unknown")
      }
      info.asn = asnKeys.intern(asn)
    }
    slotInfo[slot] = info
  }
}

// MARK: - Combining aggregators

extension AggregatorState {
  mutating func absorb(_ other: AggregatorState) {
    precondition(other.origins === origins)
    var other = other
    other.storeCurrentLinkType()
    storeCurrentLinkType()
    summary.inputs += other.summary.inputs
    for (k, v) in other.summary.linkTypes {
      var mine = summary.linkTypes[k] ?? LinkTypeCounts(linkType: v.linkType, name: v.name)
      mine.records &+= v.records
      mine.ipPackets &+= v.ipPackets
      mine.nonIP.add(v.nonIP)
      summary.linkTypes[k] = mine
    }
    summary.skipped.add(other.summary.skipped)
    summary.evidence.reflectionPackets &+= other.summary.evidence.reflectionPackets
    summary.evidence.reflectionBytes &+= other.summary.evidence.reflectionBytes
    summary.evidence.otherDestinationPackets &+= other.summary.evidence.otherDestinationPackets
    totals.addCounters(other.totals)
    firstSeen = min(firstSeen, other.firstSeen)
    lastSeen = max(lastSeen, other.lastSeen)

    // Origin counters, by id.
    for id in other.slotInfo.indices where other.slotInfo[id].valid {
      if id >= slotInfo.count || !slotInfo[id].valid { prepareSlot(UInt32(id)) }
      counters[id].add(other.counters[id])
      windowCounters[id].add(other.windowCounters[id])
    }

    // Sketches: bring both sides to sketching, then merge theirs key by key.
    let level = max(table.level, other.table.level)
    if level > table.level { raiseLevel(to: level) }
    if table.level > 0 {
      if other.table.level == 0 {
        for e in 0..<other.table.count { sketch(Int(other.table.origin[e]), other.table.hashes[e]) }
      } else {
        Self.mergeSketches(&countryKeys, other.countryKeys)
        Self.mergeSketches(&continentKeys, other.continentKeys)
        Self.mergeSketches(&asnKeys, other.asnKeys)
        for i in radiusSketches.indices { Self.merge(&radiusSketches[i], other.radiusSketches[i]) }
        Self.merge(&totalSketch, other.totalSketch)
      }
    }

    // Addresses.
    var remap = [Int32](repeating: -1, count: other.table.count)
    for e in 0..<other.table.count {
      let hash = other.table.hashes[e]
      guard table.admits(hash) else { continue }
      let isIPv6 = other.table.flags[e] & AddressTable.isIPv6 != 0
      let high = other.table.high[e]
      let low = other.table.low[e]
      if let mine = table.find(high: high, low: low, isIPv6: isIPv6, hash: hash) {
        table.packets[mine] = table.packets[mine] &+ other.table.packets[e]
        let theirs = other.table.flags[e]
        if table.flags[mine] & AddressTable.hasTTL == 0 && theirs & AddressTable.hasTTL != 0 {
          table.firstTTL[mine] = other.table.firstTTL[e]
        }
        table.flags[mine] |= theirs & (AddressTable.sentDirect | AddressTable.inWindow | AddressTable.hasTTL)
        remap[e] = Int32(mine)
      } else {
        let n = table.insert(high: high, low: low, isIPv6: isIPv6, hash: hash, origin: other.table.origin[e])
        table.packets[n] = other.table.packets[e]
        table.firstBytes[n] = other.table.firstBytes[e]
        table.firstTTL[n] = other.table.firstTTL[e]
        table.flags[n] = other.table.flags[e]
        remap[e] = Int32(n)
        if table.isFull {
          let step = raiseLevel(to: table.level + 1)
          remap = remap.map { $0 < 0 ? -1 : step[Int($0)] }
        }
      }
    }

    // Buckets, by absolute bucket number and key.
    for (b, r) in other.bucketRows {
      let row: Int
      if let mine = bucketRows[b] {
        row = mine
      } else {
        row = rows.count
        bucketRows[b] = row
        rows.append(BucketRow())
      }
      for (c, counts) in other.rows[r].countries.enumerated() where counts.packets > 0 || counts.flows > 0 {
        let key = other.countryKeys.keys[c]
        let i = Int(countryKeys.intern(key))
        if rows[row].countries.count <= i {
          rows[row].countries.append(contentsOf: repeatElement(OriginCounters(), count: i + 1 - rows[row].countries.count))
        }
        rows[row].countries[i].add(counts)
      }
      if !other.rows[r].radius.isEmpty {
        if rows[row].radius.isEmpty {
          rows[row].radius = [OriginCounters](repeating: OriginCounters(), count: options.radiusAreas.count + 1)
        }
        for i in other.rows[r].radius.indices { rows[row].radius[i].add(other.rows[r].radius[i]) }
      }
    }
    currentBucket = nil
    for a in other.appearances {
      let n = remap[Int(a.entry)]
      if n >= 0 { appearances.append((n, a.bucket)) }
    }
  }

  private static func merge(_ mine: inout HyperLogLog?, _ theirs: HyperLogLog?) {
    guard let theirs else { return }
    if mine == nil { mine = theirs } else { mine!.merge(theirs) }
  }

  private static func mergeSketches(_ mine: inout KeySpace, _ theirs: KeySpace) {
    for (i, sketch) in theirs.sketches.enumerated() {
      let k = Int(mine.intern(theirs.keys[i]))
      merge(&mine.sketches[k], sketch)
    }
  }
}

// MARK: - Finishing

extension AggregatorState {
  mutating func finish() -> Summary {
    storeCurrentLinkType()
    var out = summary
    out.totals = totals
    // Nothing seen leaves first after last; a single time at either end of the range is still a time.
    let seen = firstSeen <= lastSeen
    out.totals.firstSeen = seen ? Timestamp(nanoseconds: firstSeen) : nil
    out.totals.lastSeen = seen ? Timestamp(nanoseconds: lastSeen) : nil
    let sampled = table.level > 0
    let scale = UInt64(1) << UInt64(table.level)
    let areaCount = options.radiusAreas.count

    // Per-address evidence, from the table (every source, or the sample times its scale).
    var slotSources = [UInt64](repeating: 0, count: slotInfo.count)
    var robustSources = [UInt64](repeating: 0, count: slotInfo.count)
    var onePacketPackets = [UInt64](repeating: 0, count: slotInfo.count)
    var onePacketBytes = [UInt64](repeating: 0, count: slotInfo.count)
    var windowSources = [UInt64](repeating: 0, count: countryKeys.keys.count)
    var windowAreaSources = [UInt64](repeating: 0, count: areaCount + 1)
    var evidence = out.evidence
    for e in 0..<table.count {
      let s = Int(table.origin[e])
      let p = table.packets[e]
      let flags = table.flags[e]
      slotSources[s] &+= 1
      let bin = p <= 1 ? 0 : min(32, 32 - p.leadingZeroBitCount - 1)
      evidence.sourcesByPackets[bin] &+= scale
      if flags & AddressTable.isIPv6 == 0 {
        evidence.ipv4Sources &+= scale
        if slotInfo[s].special { evidence.ipv4SpecialSources &+= scale }
      }
      if flags & AddressTable.hasTTL != 0 {
        let ttl = table.firstTTL[e]
        let initial = EvidenceStats.initialTTL(ttl)
        evidence.sourcesByHops[Int(initial - ttl)] &+= scale
        evidence.sourcesByInitialTTL[initial, default: 0] &+= scale
      }
      let direct = flags & AddressTable.sentDirect != 0
      if p > 1 && direct { robustSources[s] &+= 1 }
      if p <= 1 && direct {
        onePacketPackets[s] &+= UInt64(p)
        onePacketBytes[s] &+= UInt64(table.firstBytes[e])
      }
      if flags & AddressTable.inWindow != 0 {
        windowSources[Int(slotInfo[s].country)] &+= 1
        forEachArea(slotInfo[s]) { windowAreaSources[$0] &+= 1 }
      }
    }
    out.evidence = evidence

    // Origins by dimension; sources exact from the table, or from the keys' sketches.
    out.countries = [:]
    out.continents = [:]
    out.asns = [:]
    out.radius = [:]
    out.robustCountries = [:]
    out.robustASNs = [:]
    out.robustRadius = [:]
    for (s, info) in slotInfo.enumerated() where info.valid {
      var c = counters[s]
      c.sources = sampled ? 0 : slotSources[s]
      out.countries[countryKeys.keys[Int(info.country)], default: OriginCounters()].add(c)
      out.continents[continentKeys.keys[Int(info.continent)], default: OriginCounters()].add(c)
      if info.asn >= 0 { out.asns[asnKeys.keys[Int(info.asn)], default: OriginCounters()].add(c) }
      addRadius(info, c, into: &out.radius)

      // Robust counts: less the traffic of one-packet sources and of reflection.
      var r = counters[s]
      r.packets -= min(r.packets, r.reflectionPackets)
      r.wireBytes -= min(r.wireBytes, r.reflectionBytes)
      r.packets -= min(r.packets, onePacketPackets[s] &* scale)
      r.wireBytes -= min(r.wireBytes, onePacketBytes[s] &* scale)
      r.ipBytes = 0
      r.reflectionPackets = 0
      r.reflectionBytes = 0
      r.sources = robustSources[s] &* scale
      out.robustCountries[countryKeys.keys[Int(info.country)], default: OriginCounters()].add(r)
      if info.asn >= 0 { out.robustASNs[asnKeys.keys[Int(info.asn)], default: OriginCounters()].add(r) }
      addRadius(info, r, into: &out.robustRadius)
    }
    out.totals.sources = sampled ? (totalSketch?.estimate ?? 0) : UInt64(table.count)

    // Distinct-source sets for merging: exact sets from the table, or the sketches.
    var distinct = DistinctSources()
    distinct.samplingLevel = table.level
    if sampled {
      for (i, key) in countryKeys.keys.enumerated() { if let h = countryKeys.sketches[i] { distinct.countries[key] = .sketch(h) } }
      for (i, key) in continentKeys.keys.enumerated() { if let h = continentKeys.sketches[i] { distinct.continents[key] = .sketch(h) } }
      for (i, key) in asnKeys.keys.enumerated() { if let h = asnKeys.sketches[i] { distinct.asns[key] = .sketch(h) } }
      for (i, area) in radiusAreaNames.enumerated() { if let h = radiusSketches[i] { distinct.radius[area] = .sketch(h) } }
      distinct.total = totalSketch.map { .sketch($0) } ?? .empty
      for (key, set) in distinct.countries { out.countries[key]?.sources = set.count }
      for (key, set) in distinct.continents { out.continents[key]?.sources = set.count }
      for (key, set) in distinct.asns { out.asns[key]?.sources = set.count }
      for (area, set) in distinct.radius { out.radius[area]?.sources = set.count }
    } else {
      var byCountry: [Int32: [Int]] = [:]
      var byContinent: [Int32: [Int]] = [:]
      var byASN: [Int32: [Int]] = [:]
      var byArea = [[Int]](repeating: [], count: areaCount + 1)
      for e in 0..<table.count {
        let info = slotInfo[Int(table.origin[e])]
        byCountry[info.country, default: []].append(e)
        byContinent[info.continent, default: []].append(e)
        if info.asn >= 0 { byASN[info.asn, default: []].append(e) }
        if areaCount > 0 {
          if info.hasCoordinates {
            var mask = info.radiusMask
            while mask != 0 {
              byArea[mask.trailingZeroBitCount].append(e)
              mask &= mask - 1
            }
          } else {
            byArea[areaCount].append(e)
          }
        }
      }
      for (k, es) in byCountry { distinct.countries[countryKeys.keys[Int(k)]] = sourceSet(es, precision: Self.sketchPrecision) }
      for (k, es) in byContinent { distinct.continents[continentKeys.keys[Int(k)]] = sourceSet(es, precision: Self.sketchPrecision) }
      for (k, es) in byASN { distinct.asns[asnKeys.keys[Int(k)]] = sourceSet(es, precision: Self.asnSketchPrecision) }
      for (i, area) in radiusAreaNames.enumerated() where !byArea[i].isEmpty {
        distinct.radius[area] = sourceSet(byArea[i], precision: Self.sketchPrecision)
      }
      distinct.total = sourceSet(Array(0..<table.count), precision: Self.sketchPrecision)
      if options.window != nil {
        var byKey: [Int32: [Int]] = [:]
        for e in 0..<table.count where table.flags[e] & AddressTable.inWindow != 0 {
          byKey[slotInfo[Int(table.origin[e])].country, default: []].append(e)
        }
        distinct.window = Dictionary(uniqueKeysWithValues: byKey.map { (countryKeys.keys[Int($0.key)], sourceSet($0.value, precision: Self.sketchPrecision)) })
      }
    }

    if let window = options.window {
      var w = WindowCounts(window: window, label: "window")
      for (s, info) in slotInfo.enumerated() where info.valid && windowCounters[s].packets > 0 {
        var c = windowCounters[s]
        c.sources = 0
        w.countries[countryKeys.keys[Int(info.country)], default: OriginCounters()].add(c)
        w.totals.add(c)
        addRadius(info, c, into: &w.radius)
      }
      for (k, n) in windowSources.enumerated() where n > 0 {
        w.countries[countryKeys.keys[k], default: OriginCounters()].sources = n &* scale
        w.totals.sources &+= n &* scale
      }
      for (i, n) in windowAreaSources.enumerated() where n > 0 { w.radius[radiusAreaNames[i]]?.sources = n &* scale }
      out.window = w
    }

    if let width = options.bucketWidth, let first = bucketRows.keys.min(), let last = bucketRows.keys.max() {
      // Distinct (entry, bucket) pairs.
      let pairs = uniqueAppearances()
      if !sampled {
        var byCell: [Int64: [Int32: [Int]]] = [:]
        for (e, b) in pairs { byCell[b, default: [:]][slotInfo[Int(table.origin[Int(e)])].country, default: []].append(Int(e)) }
        var sets: [Int64: [OriginKey: SourceSet]] = [:]
        for (b, cells) in byCell {
          sets[bucketStart(b, width: width)] = Dictionary(uniqueKeysWithValues: cells.map { (countryKeys.keys[Int($0.key)], sourceSet($0.value, precision: Self.sketchPrecision)) })
        }
        distinct.buckets = sets
      }
      var bucketSources: [Int64: [Int32: UInt64]] = [:]
      var bucketAreaSources: [Int64: [Int: UInt64]] = [:]
      for (e, b) in pairs {
        let info = slotInfo[Int(table.origin[Int(e)])]
        bucketSources[b, default: [:]][info.country, default: 0] &+= 1
        forEachArea(info) { bucketAreaSources[b, default: [:]][$0, default: 0] &+= 1 }
      }
      var series: [WindowCounts] = []
      // A clock jump can put buckets years apart: past `maximumBuckets` the series keeps only the
      // buckets that have traffic.
      let (span, overflow) = last.subtractingReportingOverflow(first)
      let dense = !overflow && span < Int64(Self.maximumBuckets)
      let numbers = dense ? Array(first...last) : bucketRows.keys.sorted()
      series.reserveCapacity(numbers.count)
      for b in numbers {
        let start = bucketStart(b, width: width)
        let (end, overflow) = start.addingReportingOverflow(width)
        var w = WindowCounts(
          window: TimeWindow(start: Timestamp(nanoseconds: start), end: Timestamp(nanoseconds: overflow ? .max : end)),
          label: "bucket")
        if let r = bucketRows[b] {
          for (c, counts) in rows[r].countries.enumerated() where counts.packets > 0 || counts.flows > 0 {
            w.countries[countryKeys.keys[c], default: OriginCounters()].add(counts)
            w.totals.add(counts)
          }
          for (i, counts) in rows[r].radius.enumerated() where counts.packets > 0 || counts.flows > 0 {
            w.radius[radiusAreaNames[i], default: OriginCounters()].add(counts)
          }
        }
        for (c, n) in bucketSources[b] ?? [:] {
          w.countries[countryKeys.keys[Int(c)], default: OriginCounters()].sources = n &* scale
          w.totals.sources &+= n &* scale
        }
        for (i, n) in bucketAreaSources[b] ?? [:] { w.radius[radiusAreaNames[i]]?.sources = n &* scale }
        series.append(w)
      }
      out.bucketWidth = width
      out.buckets = series
      out.bursts = Bursts.detect(series).enumerated().map { i, range in
        burstCounts(range, numbers: numbers, series: series, pairs: pairs, scale: scale, label: "burst-\(i + 1)")
      }
    }
    out.distinct = distinct
    return out
  }

  private var radiusAreaNames: [String] { options.radiusAreas.map(\.name) + [""] }

  /// The set of the given entries' addresses: exact up to the limit, else a sketch.
  private func sourceSet(_ entries: [Int], precision: Int) -> SourceSet {
    if entries.count <= SourceSet.exactLimit {
      return .exact(Set(entries.map { table.address($0) }))
    }
    var h = HyperLogLog(precision: precision)
    for e in entries { h.insert(hash: table.hashes[e]) }
    return .sketch(h)
  }

  private func uniqueAppearances() -> [(entry: Int32, bucket: Int64)] {
    var sorted = appearances.sorted { $0.bucket != $1.bucket ? $0.bucket < $1.bucket : $0.entry < $1.entry }
    var w = 0
    for i in sorted.indices where i == 0 || sorted[i] != sorted[w - 1] {
      sorted[w] = sorted[i]
      w += 1
    }
    sorted.removeLast(sorted.count - w)
    return sorted
  }

  /// Calls `body` with the index of each radius area the slot is in (the last index: no coordinates).
  private func forEachArea(_ info: SlotInfo, _ body: (Int) -> Void) {
    guard !options.radiusAreas.isEmpty else { return }
    guard info.hasCoordinates else { return body(options.radiusAreas.count) }
    var mask = info.radiusMask
    while mask != 0 {
      body(mask.trailingZeroBitCount)
      mask &= mask - 1
    }
  }

  /// Folds counters into radius-area counters (origins without coordinates go to `""`).
  private func addRadius(_ info: SlotInfo, _ counters: OriginCounters, into radius: inout [String: OriginCounters]) {
    guard !options.radiusAreas.isEmpty else { return }
    guard info.hasCoordinates else {
      radius["", default: OriginCounters()].add(counters)
      return
    }
    var mask = info.radiusMask
    while mask != 0 {
      radius[options.radiusAreas[mask.trailingZeroBitCount].name, default: OriginCounters()].add(counters)
      mask &= mask - 1
    }
  }

  /// Exact counts over a run of buckets: packets and bytes add; sources are counted once each.
  private func burstCounts(
    _ range: ClosedRange<Int>, numbers: [Int64], series: [WindowCounts], pairs: [(entry: Int32, bucket: Int64)],
    scale: UInt64, label: String
  ) -> WindowCounts {
    var w = WindowCounts(
      window: TimeWindow(start: series[range.lowerBound].window.start, end: series[range.upperBound].window.end), label: label)
    for i in range {
      for (key, c) in series[i].countries {
        var add = c
        add.sources = 0
        w.countries[key, default: OriginCounters()].add(add)
        w.totals.add(add)
      }
      for (area, c) in series[i].radius {
        var add = c
        add.sources = 0
        w.radius[area, default: OriginCounters()].add(add)
      }
    }
    let lo = numbers[range.lowerBound]
    let hi = numbers[range.upperBound]
    var seen = Set<Int32>()
    var byKey: [Int32: UInt64] = [:]
    var byArea: [Int: UInt64] = [:]
    for (e, b) in pairs where b >= lo && b <= hi && seen.insert(e).inserted {
      let info = slotInfo[Int(table.origin[Int(e)])]
      byKey[info.country, default: 0] &+= 1
      forEachArea(info) { byArea[$0, default: 0] &+= 1 }
    }
    for (i, n) in byArea { w.radius[radiusAreaNames[i]]?.sources = n &* scale }
    for (c, n) in byKey {
      w.countries[countryKeys.keys[Int(c)], default: OriginCounters()].sources = n &* scale
      w.totals.sources &+= n &* scale
    }
    return w
  }
}

/// `a / b` rounded toward negative infinity, for every `a` and every `b > 0`.
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
  let (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
  return remainder < 0 ? quotient - 1 : quotient
}

/// The start of bucket `bucket` of `width` nanoseconds, clamped to the range of a timestamp: the
/// first bucket of a time near the lower end of that range starts before it.
func bucketStart(_ bucket: Int64, width: Int64) -> Int64 {
  let (start, overflow) = bucket.multipliedReportingOverflow(by: width)
  return overflow ? (bucket < 0 ? .min : .max) : start
}
