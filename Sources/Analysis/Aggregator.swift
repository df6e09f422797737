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
  public init() {}
}

/// Turns observations into a `Summary`.
///
/// Each distinct source address is resolved once: the address table gives its index, and the
/// per-address arrays hold its origin slot, packet count and hop count. A repeated source costs
/// one hash lookup. Not `Sendable`: one aggregator per thread; summaries merge.
public final class Aggregator {
  private let resolver: OriginResolver
  private let withASN: Bool
  public let options: AggregatorOptions

  /// Origin slots: the origin's keys in each dimension, radius membership and counters.
  private struct Slot {
    var country: OriginKey
    var continent: OriginKey
    var asn: OriginKey?
    /// Bit i set: inside radius area i. `nil`: the database has no coordinates for this origin.
    var radiusMask: UInt64?
    var counters = OriginCounters()
    var windowCounters = OriginCounters()
  }
  private struct SlotKey: Hashable {
    var origin: Origin
    var mask: UInt64?
  }
  private var slots: [Slot] = []
  private var slotIndex: [SlotKey: Int32] = [:]

  private var addresses: [IPAddress: Int32] = [:]
  private var addressSlot: [Int32] = []
  private var addressPackets: [UInt32] = []
  /// Wire bytes of the address's first packet (all of its bytes when it sent one).
  private var addressFirstBytes: [UInt32] = []
  /// Whether the address sent anything that was not reflection traffic.
  private var addressSentDirect: [Bool] = []
  private var addressInWindow: [Bool] = []
  private var addressLastBucket: [Int32] = []
  /// (address index, bucket index) each time an address appears in a new bucket, for exact
  /// distinct-source counts over runs of buckets (bursts).
  private var bucketAppearances: [(Int32, Int32)] = []
  private var bucketOrigin: Int64? = nil
  private var buckets: [Int32: [Int32: OriginCounters]] = [:]

  public private(set) var summary = Summary()

  public init(resolver: OriginResolver, options: AggregatorOptions = AggregatorOptions()) {
    self.resolver = resolver
    self.options = options
    withASN = resolver.asnDatabase != nil
    if let db = resolver.countryDatabase { summary.databases.append(DatabaseInfo(role: "country", database: db)) }
    if let db = resolver.asnDatabase { summary.databases.append(DatabaseInfo(role: "asn", database: db)) }
  }

  /// Counts one observation.
  public func add(_ o: Observation) {
    if !options.targets.isEmpty && !options.targets.contains(where: { $0.contains(o.destination) }) {
      summary.evidence.otherDestinationPackets &+= o.packets
      noteTime(o.timestamp)
      return
    }
    let index: Int
    let slot: Int
    if let known = addresses[o.source] {
      index = Int(known)
      slot = Int(addressSlot[index])
    } else {
      index = addressSlot.count
      let origin = resolver.resolve(o.source)
      slot = Int(self.slot(for: origin))
      addresses[o.source] = Int32(index)
      addressSlot.append(Int32(slot))
      addressPackets.append(0)
      addressFirstBytes.append(UInt32(truncatingIfNeeded: min(o.wireBytes, UInt64(UInt32.max))))
      addressSentDirect.append(false)
      addressInWindow.append(false)
      addressLastBucket.append(-1)
      slots[slot].counters.sources &+= 1
      if o.source.isIPv4 {
        summary.evidence.ipv4Sources &+= 1
        if origin.kind == .special { summary.evidence.ipv4SpecialSources &+= 1 }
      }
      if let ttl = o.ttl {
        let initial = EvidenceStats.initialTTL(ttl)
        summary.evidence.sourcesByHops[Int(initial - ttl)] &+= 1
        summary.evidence.sourcesByInitialTTL[initial, default: 0] &+= 1
      }
    }
    addressPackets[index] = addressPackets[index] &+ UInt32(truncatingIfNeeded: min(o.packets, UInt64(UInt32.max)))
    var c = slots[slot].counters
    c.count(o)
    if o.protocolNumber == 17, let port = o.sourcePort, EvidenceStats.amplificationPorts.contains(port) {
      c.reflectionPackets &+= o.packets
      c.reflectionBytes &+= o.wireBytes
      summary.evidence.reflectionPackets &+= o.packets
      summary.evidence.reflectionBytes &+= o.wireBytes
    } else {
      addressSentDirect[index] = true
    }
    slots[slot].counters = c

    if let window = options.window, window.contains(o.timestamp) {
      slots[slot].windowCounters.count(o)
      if !addressInWindow[index] {
        addressInWindow[index] = true
        slots[slot].windowCounters.sources &+= 1
      }
    }
    if let width = options.bucketWidth {
      let origin = bucketOrigin ?? (o.timestamp.nanoseconds - floorMod(o.timestamp.nanoseconds, width))
      bucketOrigin = origin
      let b64 = floorDiv(o.timestamp.nanoseconds - origin, width)
      let b = Int32(clamping: b64)
      var cell = buckets[b, default: [:]][Int32(slot), default: OriginCounters()]
      cell.count(o)
      if addressLastBucket[index] != b {
        addressLastBucket[index] = b
        cell.sources &+= 1
        bucketAppearances.append((Int32(index), b))
      }
      buckets[b, default: [:]][Int32(slot)] = cell
    }

    var t = summary.totals
    t.ipPackets &+= o.packets
    if o.source.isIPv4 { t.ipv4Packets &+= o.packets } else { t.ipv6Packets &+= o.packets }
    t.wireBytes &+= o.wireBytes
    t.ipBytes &+= o.ipBytes
    t.flows &+= o.flows
    summary.totals = t
    noteTime(o.timestamp)
  }

  private func noteTime(_ t: Timestamp) {
    if summary.totals.firstSeen.map({ t < $0 }) ?? true { summary.totals.firstSeen = t }
    if summary.totals.lastSeen.map({ t > $0 }) ?? true { summary.totals.lastSeen = t }
  }

  /// The counts of the link type records are arriving in, kept out of `summary.linkTypes`
  /// until the link type changes, so a record costs no hash lookup.
  private var currentLinkType: LinkTypeCounts? = nil

  /// Counts a record that was read, per link type: an IP packet (`nonIPReason == nil`, then
  /// `add` counts its contents) or a record with no usable IP source, by reason.
  public func countRecord(linkType: UInt32, name: @autoclosure () -> String, nonIPReason: String?, timestamp: Timestamp) {
    if currentLinkType?.linkType != linkType {
      storeCurrentLinkType()
      currentLinkType = summary.linkTypes.removeValue(forKey: linkType) ?? LinkTypeCounts(linkType: linkType, name: name())
    }
    summary.totals.records &+= 1
    currentLinkType!.records &+= 1
    if let reason = nonIPReason {
      summary.totals.nonIPPackets &+= 1
      currentLinkType!.nonIP.add(reason)
      noteTime(timestamp)
    } else {
      currentLinkType!.ipPackets &+= 1
    }
  }

  private func storeCurrentLinkType() {
    if let c = currentLinkType { summary.linkTypes[c.linkType] = c }
    currentLinkType = nil
  }

  public func addInput(_ input: InputSummary) { summary.inputs.append(input) }

  /// Counts records that were read but carry nothing to count (flow-log lines, export datagrams),
  /// by reason, so nothing is dropped silently.
  public func countSkipped(_ reason: String, count: UInt64 = 1) { summary.skipped.add(reason, count) }

  private func slot(for origin: Origin) -> Int32 {
    var mask: UInt64? = nil
    if !options.radiusAreas.isEmpty, let lat = origin.latitude, let lon = origin.longitude {
      var m: UInt64 = 0
      for (i, area) in options.radiusAreas.enumerated() where i < 64 {
        if haversineKilometres(lat, lon, area.latitude, area.longitude) <= area.km { m |= 1 << UInt64(i) }
      }
      mask = m
    }
    // Coordinates matter only through the mask: strip them so one slot serves a country.
    var keyOrigin = origin
    keyOrigin.latitude = nil
    keyOrigin.longitude = nil
    let key = SlotKey(origin: keyOrigin, mask: mask)
    if let s = slotIndex[key] { return s }
    let country: OriginKey
    let continent: OriginKey
    switch origin.kind {
    case .special:
      country = OriginKey(kind: .special, code: origin.special?.rawValue ?? "special")
      continent = country
    case .country:
      country = OriginKey(kind: .country, code: origin.countryCode!)
      continent = origin.continentCode.map { OriginKey(kind: .continent, code: $0) } ?? OriginKey(kind: .unknown, code: "unknown")
    case .unknown:
      country = OriginKey(kind: .unknown, code: "unknown")
      continent = origin.continentCode.map { OriginKey(kind: .continent, code: $0) } ?? country
    }
    var asn: OriginKey? = nil
    if withASN {
      if origin.kind == .special {
        asn = country
      } else {
        asn = origin.asn.map { OriginKey(kind: .asn, code: "AS\($0)") } ?? OriginKey(kind: .unknown, code: "unknown")
      }
    }
    let s = Int32(slots.count)
    slots.append(Slot(country: country, continent: continent, asn: asn, radiusMask: mask))
    slotIndex[key] = s
    return s
  }

  /// Folds a slot's counters into radius-area counters (areas without coordinates go to `""`).
  private func addRadius(_ slot: Slot, _ counters: OriginCounters, into radius: inout [String: OriginCounters]) {
    guard !options.radiusAreas.isEmpty else { return }
    guard let mask = slot.radiusMask else {
      radius["", default: OriginCounters()].add(counters)
      return
    }
    for (i, area) in options.radiusAreas.enumerated() where i < 64 && mask & (1 << UInt64(i)) != 0 {
      radius[area.name, default: OriginCounters()].add(counters)
    }
  }

  /// The summary with every origin's counters folded into its dimensions, windows and bursts.
  public func finish() -> Summary {
    storeCurrentLinkType()
    var out = summary
    out.countries = [:]
    out.continents = [:]
    out.asns = [:]
    out.radius = [:]
    for slot in slots {
      out.countries[slot.country, default: OriginCounters()].add(slot.counters)
      out.continents[slot.continent, default: OriginCounters()].add(slot.counters)
      if let asn = slot.asn { out.asns[asn, default: OriginCounters()].add(slot.counters) }
      addRadius(slot, slot.counters, into: &out.radius)
    }
    out.totals.sources = UInt64(addressSlot.count)
    // Robust counts: each slot less its one-packet sources and its reflection traffic.
    var robust = slots.map { slot -> OriginCounters in
      var c = slot.counters
      c.packets -= min(c.packets, c.reflectionPackets)
      c.wireBytes -= min(c.wireBytes, c.reflectionBytes)
      c.ipBytes = 0
      c.reflectionPackets = 0
      c.reflectionBytes = 0
      return c
    }
    for (i, p) in addressPackets.enumerated() {
      let bin = p <= 1 ? 0 : min(32, 32 - p.leadingZeroBitCount - 1)
      out.evidence.sourcesByPackets[bin] &+= 1
      let s = Int(addressSlot[i])
      if p <= 1 || !addressSentDirect[i] {
        robust[s].sources -= min(robust[s].sources, 1)
      }
      if p <= 1 && addressSentDirect[i] {
        robust[s].packets -= min(robust[s].packets, UInt64(p))
        robust[s].wireBytes -= min(robust[s].wireBytes, UInt64(addressFirstBytes[i]))
      }
    }
    for (i, slot) in slots.enumerated() {
      out.robustCountries[slot.country, default: OriginCounters()].add(robust[i])
      if let asn = slot.asn { out.robustASNs[asn, default: OriginCounters()].add(robust[i]) }
      addRadius(slot, robust[i], into: &out.robustRadius)
    }
    if let window = options.window {
      var w = WindowCounts(window: window, label: "window")
      for slot in slots where slot.windowCounters.packets > 0 {
        w.countries[slot.country, default: OriginCounters()].add(slot.windowCounters)
        w.totals.add(slot.windowCounters)
        addRadius(slot, slot.windowCounters, into: &w.radius)
      }
      out.window = w
    }
    if let width = options.bucketWidth, let origin = bucketOrigin, let last = buckets.keys.max() {
      var series: [WindowCounts] = []
      for b in 0...last {
        let start = Timestamp(nanoseconds: origin + Int64(b) * width)
        var w = WindowCounts(window: TimeWindow(start: start, end: Timestamp(nanoseconds: start.nanoseconds + width)), label: "bucket")
        for (s, counters) in buckets[b] ?? [:] {
          w.countries[slots[Int(s)].country, default: OriginCounters()].add(counters)
          w.totals.add(counters)
          addRadius(slots[Int(s)], counters, into: &w.radius)
        }
        series.append(w)
      }
      out.bucketWidth = width
      out.buckets = series
      out.bursts = Bursts.detect(series).enumerated().map { i, range in burstCounts(range, series: series, label: "burst-\(i + 1)") }
    }
    return out
  }

  /// Exact counts over a run of buckets: packets and bytes add; sources are counted once each
  /// from the bucket appearance log.
  private func burstCounts(_ range: ClosedRange<Int>, series: [WindowCounts], label: String) -> WindowCounts {
    var w = WindowCounts(
      window: TimeWindow(start: series[range.lowerBound].window.start, end: series[range.upperBound].window.end), label: label)
    var perSlot: [Int32: OriginCounters] = [:]
    for b in range {
      for (s, c) in buckets[Int32(b)] ?? [:] {
        var add = c
        add.sources = 0
        perSlot[s, default: OriginCounters()].add(add)
      }
    }
    var seen = Set<Int32>()
    for (address, b) in bucketAppearances where range.contains(Int(b)) && seen.insert(address).inserted {
      perSlot[addressSlot[Int(address)], default: OriginCounters()].sources &+= 1
    }
    for (s, c) in perSlot {
      w.countries[slots[Int(s)].country, default: OriginCounters()].add(c)
      w.totals.add(c)
      addRadius(slots[Int(s)], c, into: &w.radius)
    }
    return w
  }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
