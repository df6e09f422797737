import Geo
import NetCore

/// Turns observations into a `Summary`.
///
/// Each distinct source address is resolved once: the address table maps it to its origin slot,
/// and doubles as the distinct-source set, so a repeated source costs one hash lookup.
/// Not `Sendable`: one aggregator per thread; summaries of separate aggregators merge.
public final class Aggregator {
  private let resolver: OriginResolver
  private let withASN: Bool

  /// Origin slots: the origin's keys in each dimension and its counters.
  private struct Slot {
    var country: OriginKey
    var continent: OriginKey
    var asn: OriginKey?
    var counters = OriginCounters()
  }
  private var slots: [Slot] = []
  private var slotIndex: [Origin: Int32] = [:]
  private var addresses: [IPAddress: Int32] = [:]

  public private(set) var summary = Summary()

  public init(resolver: OriginResolver) {
    self.resolver = resolver
    withASN = resolver.asnDatabase != nil
    if let db = resolver.countryDatabase { summary.databases.append(DatabaseInfo(role: "country", database: db)) }
    if let db = resolver.asnDatabase { summary.databases.append(DatabaseInfo(role: "asn", database: db)) }
  }

  /// Counts one observation.
  public func add(_ o: Observation) {
    let slot: Int
    if let known = addresses[o.source] {
      slot = Int(known)
    } else {
      slot = Int(self.slot(for: resolver.resolve(o.source)))
      addresses[o.source] = Int32(slot)
      slots[slot].counters.sources &+= 1
    }
    slots[slot].counters.packets &+= o.packets
    slots[slot].counters.wireBytes &+= o.wireBytes
    slots[slot].counters.ipBytes &+= o.ipBytes
    slots[slot].counters.flows &+= o.flows

    var t = summary.totals
    t.ipPackets &+= o.packets
    if o.source.isIPv4 { t.ipv4Packets &+= o.packets } else { t.ipv6Packets &+= o.packets }
    t.wireBytes &+= o.wireBytes
    t.ipBytes &+= o.ipBytes
    t.flows &+= o.flows
    if t.firstSeen.map({ o.timestamp < $0 }) ?? true { t.firstSeen = o.timestamp }
    if t.lastSeen.map({ o.timestamp > $0 }) ?? true { t.lastSeen = o.timestamp }
    summary.totals = t
  }

  /// Counts a record that was read (packet or flow), before decoding.
  public func countRecord(linkType: UInt32, name: String) {
    summary.totals.records &+= 1
    summary.linkTypes[linkType, default: LinkTypeCounts(linkType: linkType, name: name)].records &+= 1
  }

  /// Counts a record that carried an IP packet, per link type.
  public func countIP(linkType: UInt32) {
    summary.linkTypes[linkType]?.ipPackets &+= 1
  }

  /// Counts a record with no usable IP source, by reason.
  public func countNonIP(linkType: UInt32, reason: String, timestamp: Timestamp? = nil) {
    summary.totals.nonIPPackets &+= 1
    summary.linkTypes[linkType]?.nonIP.add(reason)
    if let timestamp {
      if summary.totals.firstSeen.map({ timestamp < $0 }) ?? true { summary.totals.firstSeen = timestamp }
      if summary.totals.lastSeen.map({ timestamp > $0 }) ?? true { summary.totals.lastSeen = timestamp }
    }
  }

  public func addInput(_ input: InputSummary) { summary.inputs.append(input) }

  private func slot(for origin: Origin) -> Int32 {
    if let s = slotIndex[origin] { return s }
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
    slots.append(Slot(country: country, continent: continent, asn: asn))
    slotIndex[origin] = s
    return s
  }

  /// The summary with every origin's counters folded into its dimensions.
  public func finish() -> Summary {
    var out = summary
    out.countries = [:]
    out.continents = [:]
    out.asns = [:]
    for slot in slots {
      out.countries[slot.country, default: OriginCounters()].add(slot.counters)
      out.continents[slot.continent, default: OriginCounters()].add(slot.counters)
      if let asn = slot.asn { out.asns[asn, default: OriginCounters()].add(slot.counters) }
    }
    out.totals.sources = UInt64(addresses.count)
    return out
  }
}
