import NetCore

/// "Special-purpose classification, then the country database, then the ASN database" compiled
/// into range tables whose values are origin ids: the same answers as `OriginResolver.resolve`
/// for every address, in a few memory accesses and no allocation per IPv4 lookup.
///
/// IPv4: the special-purpose blocks, the country tree's IPv4 leaves and the ASN tree's IPv4
/// leaves are intersected into one sorted table of ranges (adjacent ranges with the same origin
/// merged), with a per-/16 index that holds the id itself when one range covers the whole /16.
/// IPv6: `SpecialPurpose.classify` runs first (special blocks, and the IPv6 forms that carry an
/// IPv4 address, which take the IPv4 origin with `embeddedVia` set); global unicast addresses
/// are then found in a table intersected from the country and ASN trees within `2000::/3`.
///
/// Ids are dense: `0..<count`. Identical origins share an id. The ids of the IPv4 table come
/// first (`0..<ipv4OriginCount`); then origins seen only in IPv6; then, for each of the four
/// embeddings (`ipv4-mapped`, `6to4`, `teredo`, `nat64`), one id per IPv4 origin.
///
/// Immutable after `init`, so one table serves any number of threads.
public final class OriginTable: Sendable {
  public let countryDatabase: MaxMindDatabase?
  public let asnDatabase: MaxMindDatabase?

  /// The origins with no embedding, as a part (an origin without ASN) and an ASN (all ones for
  /// none); the first `ipv4OriginCount` are those of the IPv4 table. With an ASN database there
  /// is one origin per country record and AS number seen together, which can be many.
  let parts: [Origin]
  let originParts: [UInt32]
  let originASNs: [UInt64]
  /// Number of origins in the IPv4 table: ids `0..<ipv4OriginCount`.
  public let ipv4OriginCount: Int
  /// Number of origins with no embedding: ids `0..<baseCount`. Id `baseCount + k *
  /// ipv4OriginCount + i` is IPv4 origin `i` reached through embedding `k` (`ipv4-mapped`,
  /// `6to4`, `teredo`, `nat64`).
  public var baseCount: Int { originParts.count }
  /// IPv4 ranges: first address and origin id, sorted, adjacent ids distinct.
  @usableFromInline let v4Starts: [UInt32]
  @usableFromInline let v4Ids: [UInt32]
  /// Per /16 block: `directFlag | id` when one range covers the block, else the first range in
  /// the low 32 bits and the last in the high 32 bits.
  @usableFromInline let v4Blocks: [UInt64]
  @inlinable static var directFlag: UInt64 { 0xFFFF_FFFF_0000_0000 }
  /// IPv6 ranges within `2000::/3` (outside it only `.notWalked` filler), sorted.
  let v6Starts: [UInt128]
  let v6Ids: [UInt32]
  /// The ids of special-purpose IPv6 origins, by kind.
  let specialIds: [SpecialKind: UInt32]

  /// The IPv6 forms that carry an IPv4 address, in id order.
  static let embeddings = ["ipv4-mapped", "6to4", "teredo", "nat64"]

  /// Number of distinct origin ids (ids are 0..<count, dense).
  public var count: Int { baseCount + Self.embeddings.count * ipv4OriginCount }

  /// Number of ranges in the IPv4 and IPv6 tables.
  public var rangeCounts: (ipv4: Int, ipv6: Int) { (v4Starts.count, v6Starts.count) }

  /// Approximate bytes held by the tables and origins (the origins' parts not counted).
  public var memoryBytes: Int { v4Starts.count * 8 + v4Blocks.count * 8 + v6Starts.count * 20 + baseCount * 12 }

  /// Compiles the databases' search trees. Throws when a tree cannot be walked (see
  /// `CompiledDatabase.init`).
  public init(countryDatabase: MaxMindDatabase?, asnDatabase: MaxMindDatabase? = nil) throws(GeoError) {
    self.countryDatabase = countryDatabase
    self.asnDatabase = asnDatabase
    var builder = Builder(countryDatabase: countryDatabase, asnDatabase: asnDatabase)

    // IPv4: special-purpose blocks x country leaves x ASN leaves.
    let special = Self.ipv4SpecialSegments()
    let country4 = try Self.ipv4Leaves(countryDatabase)
    let asn4 = try Self.ipv4Leaves(asnDatabase)
    var starts4: [UInt32] = []
    var ids4: [UInt32] = []
    Self.intersect(special.starts, country4.starts, asn4.starts) { start, s, c, a in
      let id = builder.id(special: special.kinds[s], country: country4.ends[c], asn: asn4.ends[a])
      if ids4.last != id {
        starts4.append(UInt32(truncatingIfNeeded: start))
        ids4.append(id)
      }
    }
    ipv4OriginCount = builder.originParts.count

    // IPv6 global unicast: country leaves x ASN leaves.
    let country6 = try Self.ipv6Leaves(countryDatabase)
    let asn6 = try Self.ipv6Leaves(asnDatabase)
    var starts6: [UInt128] = []
    var ids6: [UInt32] = []
    Self.intersect([0], country6.starts, asn6.starts) { start, _, c, a in
      let id = builder.id(special: nil, country: country6.ends[c], asn: asn6.ends[a])
      if ids6.last != id {
        starts6.append(start)
        ids6.append(id)
      }
    }

    // Every kind IPv6 classification can give.
    var kinds = Set(SpecialPurpose.ipv6.map(\.kind).filter { !$0.rawValue.isEmpty })
    kinds.formUnion([.unspecified, .loopback, .reserved])
    var specialIds: [SpecialKind: UInt32] = [:]
    for kind in kinds.sorted() {
      specialIds[kind] = builder.id(special: kind)
    }

    parts = builder.parts
    originParts = builder.originParts
    originASNs = builder.originASNs
    v4Starts = starts4
    v4Ids = ids4
    v4Blocks = Self.blockIndex(starts4, ids4)
    v6Starts = starts6
    v6Ids = ids6
    self.specialIds = specialIds
  }

  /// The origin with this id (`id < count`, as every `id(...)` answer is).
  public func origin(_ id: UInt32) -> Origin {
    var i = Int(id)
    var via: String? = nil
    if i >= baseCount {
      let variant = i - baseCount
      i = variant % ipv4OriginCount
      via = Self.embeddings[variant / ipv4OriginCount]
    }
    var origin = parts[Int(originParts[i])]
    let asn = originASNs[i]
    origin.asn = asn == .max ? nil : UInt32(truncatingIfNeeded: asn)
    origin.embeddedVia = via
    return origin
  }

  /// Hot path: the origin id of an IPv4 address (host byte order), a few memory accesses, no allocation.
  @inlinable
  public func id(ipv4 value: UInt32) -> UInt32 {
    let block = v4Blocks[Int(value >> 16)]
    if block & Self.directFlag == Self.directFlag { return UInt32(truncatingIfNeeded: block) }
    var low = Int(UInt32(truncatingIfNeeded: block))
    var count = Int(block >> 32) - low + 1
    while count > 1 {
      let half = count >> 1
      if v4Starts[low + half] <= value { low += half }
      count -= half
    }
    return v4Ids[low]
  }

  /// Any address (IPv6, including IPv4-mapped/6to4/NAT64/Teredo forms handled like OriginResolver does).
  public func id(_ address: IPAddress) -> UInt32 {
    switch address {
    case .v4(let a):
      return id(ipv4: a.value)
    case .v6(let a):
      switch SpecialPurpose.classify(a) {
      case .special(let kind):
        // Every kind IPv6 classification gives has an id; reserved is the registry's catch-all.
        return specialIds[kind] ?? specialIds[.reserved] ?? 0
      case .embedded(let v4, let via):
        let base = id(ipv4: v4.value)
        guard let k = Self.embeddings.firstIndex(of: via) else { return base }
        return UInt32(baseCount + k * ipv4OriginCount) + base
      case .global:
        let value = UInt128(a.high) << 64 | UInt128(a.low)
        var low = 0
        var count = v6Starts.count
        while count > 1 {
          let half = count >> 1
          if v6Starts[low + half] <= value { low += half }
          count -= half
        }
        return v6Ids[low]
      }
    }
  }
}

extension OriginTable {
  /// Leaves as plain arrays, in one bit space (IPv4: the address; IPv6: 128 bits).
  struct Leaves {
    var starts: [UInt128]
    var ends: [SearchTreeEnd]
    /// No database, or none for this family: one leaf with no record.
    static let none = Leaves(starts: [0], ends: [.empty])
  }

  /// The IPv4 leaves of a database, addresses in the low 32 bits.
  static func ipv4Leaves(_ db: MaxMindDatabase?) throws(GeoError) -> Leaves {
    guard let db else { return .none }
    let start = db.ipv4Start
    let leaves = try db.searchTreeLeaves(from: start.value, depth: start.depth)
    let starts = leaves.starts.map { $0 & 0xFFFF_FFFF }
    return Leaves(starts: starts, ends: leaves.ends)
  }

  /// The IPv6 leaves of a database within the space `SpecialPurpose.classify` calls global
  /// (`2000::/3` without 6to4 and Teredo, which carry IPv4 addresses); `.notWalked` elsewhere.
  static func ipv6Leaves(_ db: MaxMindDatabase?) throws(GeoError) -> Leaves {
    guard let db, db.metadata.ipVersion == 6 else { return .none }
    let leaves = try db.searchTreeLeaves(from: 0, depth: 0) { start, depth in
      (depth >= 3 && start >> 125 != 1) || (depth >= 16 && start >> 112 == 0x2002)
        || (depth >= 32 && start >> 96 == 0x2001_0000)
    }
    return Leaves(starts: leaves.starts, ends: leaves.ends)
  }

  /// The IPv4 special-purpose blocks as segments covering the whole space: each starts where an
  /// entry of `SpecialPurpose.ipv4` starts or ends, with the classification of its first address.
  static func ipv4SpecialSegments() -> (starts: [UInt128], kinds: [SpecialKind?]) {
    var bounds: Set<UInt64> = [0]
    for e in SpecialPurpose.ipv4 {
      guard case .v4(let first) = e.network.address, case .v4(let last) = e.network.lastAddress else { continue }
      bounds.insert(UInt64(first.value))
      if last.value < .max { bounds.insert(UInt64(last.value) + 1) }
    }
    let starts = bounds.sorted()
    let kinds: [SpecialKind?] = starts.map {
      if case .special(let kind) = SpecialPurpose.classify(IPv4Address(UInt32($0))) { kind } else { nil }
    }
    return (starts.map { UInt128($0) }, kinds)
  }

  /// Walks the elementary segments of three segmentations of the same space (each sorted,
  /// starting at 0): `body(start, i, j, k)` for each point where any of them starts a segment,
  /// with the index of the segment of each that holds it.
  static func intersect(
    _ a: [UInt128], _ b: [UInt128], _ c: [UInt128], _ body: (UInt128, Int, Int, Int) -> Void
  ) {
    var i = 0
    var j = 0
    var k = 0
    var position: UInt128 = 0
    while true {
      body(position, i, j, k)
      var next = UInt128.max
      var any = false
      if i + 1 < a.count { next = min(next, a[i + 1]); any = true }
      if j + 1 < b.count { next = min(next, b[j + 1]); any = true }
      if k + 1 < c.count { next = min(next, c[k + 1]); any = true }
      guard any else { return }
      if i + 1 < a.count && a[i + 1] == next { i += 1 }
      if j + 1 < b.count && b[j + 1] == next { j += 1 }
      if k + 1 < c.count && c[k + 1] == next { k += 1 }
      position = next
    }
  }

  /// For every /16 block: the id when one range covers it, else its first and last range.
  static func blockIndex(_ starts: [UInt32], _ ids: [UInt32]) -> [UInt64] {
    var blocks = [UInt64](repeating: 0, count: 65536)
    var first = 0
    for block in 0..<65536 {
      let low = UInt32(block) << 16
      let high = low | 0xFFFF
      while first + 1 < starts.count && starts[first + 1] <= low { first += 1 }
      var last = first
      while last + 1 < starts.count && starts[last + 1] <= high { last += 1 }
      blocks[block] = first == last ? directFlag | UInt64(ids[first]) : UInt64(last) << 32 | UInt64(first)
    }
    return blocks
  }

  /// Assigns origin ids while the tables are built, decoding each database record once.
  ///
  /// `OriginResolver` makes a looked-up address's origin from the country record (country,
  /// continent, coordinates, ASN) with the ASN record's number, when it has one, in place of
  /// the country record's. So an origin is a part (the country record's origin without ASN) and
  /// an AS number, and two origins are equal exactly when both are: origins are deduplicated by
  /// that pair of small numbers, without hashing whole origins.
  struct Builder {
    let countryDatabase: MaxMindDatabase?
    let asnDatabase: MaxMindDatabase?
    /// Distinct parts: origins without ASN or embedding.
    var parts: [Origin] = []
    /// Each origin's part and AS number (all ones for none).
    var originParts: [UInt32] = []
    var originASNs: [UInt64] = []
    private var partIndex: [Origin: UInt32] = [:]
    private var ids: [UInt64: UInt32] = [:]
    private var specialIds: [SpecialKind: UInt32] = [:]
    /// Country record offset -> (part, the record's AS number); ASN record offset -> AS number.
    private var countryRecords: [UInt32: (part: UInt32, asn: UInt64)] = [:]
    private var asnRecords: [UInt32: UInt64] = [:]
    private var last: (key: UInt64, id: UInt32)? = nil

    init(countryDatabase: MaxMindDatabase?, asnDatabase: MaxMindDatabase?) {
      self.countryDatabase = countryDatabase
      self.asnDatabase = asnDatabase
    }

    private mutating func part(_ origin: Origin) -> UInt32 {
      if let index = partIndex[origin] { return index }
      let index = UInt32(parts.count)
      parts.append(origin)
      partIndex[origin] = index
      return index
    }

    private mutating func id(part: UInt32, asn: UInt64) -> UInt32 {
      let key = asn == .max ? UInt64(part) << 33 : UInt64(part) << 33 | 1 << 32 | asn
      if let id = ids[key] { return id }
      let id = UInt32(originParts.count)
      originParts.append(part)
      originASNs.append(asn)
      ids[key] = id
      return id
    }

    /// The id of the special-purpose origin of this kind.
    mutating func id(special: SpecialKind) -> UInt32 {
      if let id = specialIds[special] { return id }
      let id = id(part: part(Origin(kind: .special, special: special)), asn: .max)
      specialIds[special] = id
      return id
    }

    /// The id of the origin `OriginResolver` gives for these lookup results: special space is
    /// never looked up; a failed lookup or record read counts as no record.
    mutating func id(special: SpecialKind?, country: SearchTreeEnd, asn: SearchTreeEnd) -> UInt32 {
      if let special { return id(special: special) }
      var countryOffset = UInt32.max
      var asnOffset = UInt32.max
      if case .record(let o) = country { countryOffset = o }
      if case .record(let o) = asn { asnOffset = o }
      // A record at offset 0xFFFFFFFF cannot be read, and an unreadable record counts as none,
      // so all ones stands for "no record".
      let key = UInt64(asnOffset) << 32 | UInt64(countryOffset)
      // Neighbouring ranges often share their records.
      if let last, last.key == key { return last.id }
      let (part, countryASN) = countryPart(countryOffset)
      let asnNumber = asnOffset == .max ? UInt64.max : asnRecordNumber(asnOffset)
      let id = id(part: part, asn: asnNumber != .max ? asnNumber : countryASN)
      last = (key, id)
      return id
    }

    private mutating func countryPart(_ offset: UInt32) -> (part: UInt32, asn: UInt64) {
      if let known = countryRecords[offset] { return known }
      let record = offset == .max ? nil : try? countryDatabase?.record(at: offset)
      var origin = Origin(country: record, asn: nil, embeddedVia: nil)
      let asn = origin.asn.map(UInt64.init) ?? .max
      origin.asn = nil
      let result = (part(origin), asn)
      countryRecords[offset] = result
      return result
    }

    private mutating func asnRecordNumber(_ offset: UInt32) -> UInt64 {
      if let known = asnRecords[offset] { return known }
      let record = try? asnDatabase?.record(at: offset)
      let number = record?.asn.map(UInt64.init) ?? .max
      asnRecords[offset] = number
      return number
    }
  }
}
