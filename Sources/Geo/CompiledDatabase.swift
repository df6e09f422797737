import NetCore

/// A MaxMind DB's search tree compiled into sorted range tables, answering lookups with the same
/// network and record offset as `MaxMindDatabase.lookup` in a few memory accesses.
///
/// Built by walking the whole search tree once. IPv4 addresses (IPv4 trees, and the IPv4 subtree
/// of IPv6 trees at `::/96`) go to a table of the tree's leaves sorted by first address, with a
/// direct index on the top 16 bits: a lookup reads the index, then binary-searches the few leaves
/// of that /16. IPv6 addresses go to a sorted table of 128-bit leaf starts (binary search). Places
/// where an IPv6 tree links back to its IPv4 subtree (`::/96`, and the aliases `::ffff:0:0/96`,
/// `2002::/16`, `2001::/32` in MaxMind's databases) are one IPv6 entry each that continues in the
/// IPv4 table, so the IPv4 part is stored once.
///
/// Memory: 10 bytes per IPv4 leaf plus a 256 kB index, and 22 bytes per IPv6 leaf. The bundled
/// country database (1,280,772 tree nodes) compiles to 570,186 IPv4 and 710,588 IPv6 leaves,
/// 21.6 MB, in about 0.07 s. See docs/lookup-tables.md.
public final class CompiledDatabase: Sendable {
  /// The database this was compiled from.
  public let database: MaxMindDatabase

  /// The IPv4 leaves: first address, prefix length as `lookup` reports it, how the lookup ends.
  let v4: IPv4Leaves
  /// The IPv6 leaves (empty for an IPv4 tree).
  let v6Starts: [UInt128]
  let v6Depths: [UInt8]
  let v6Kinds: [LeafKind]
  let v6Offsets: [UInt32]

  /// How many leaves each table holds (IPv4, IPv6).
  public var leafCounts: (ipv4: Int, ipv6: Int) { (v4.count, v6Starts.count) }

  /// Approximate bytes held by the tables.
  public var memoryBytes: Int {
    v4.memoryBytes + v6Starts.count * (MemoryLayout<UInt128>.stride + 2 + MemoryLayout<UInt32>.stride)
  }

  /// Compiles `database`'s search tree. Throws when the tree cannot be walked (a node cannot be
  /// read, or nodes are shared so that the tree has far more paths than nodes).
  public init(_ database: MaxMindDatabase) throws(GeoError) {
    self.database = database
    let start = database.ipv4Start
    let v4Leaves = try database.searchTreeLeaves(from: start.value, depth: start.depth)
    v4 = IPv4Leaves(v4Leaves, ipv6Tree: database.metadata.ipVersion == 6)
    guard database.metadata.ipVersion == 6 else {
      v6Starts = []
      v6Depths = []
      v6Kinds = []
      v6Offsets = []
      return
    }
    // The IPv4 subtree may stand in for any subtree reached at a depth of at most 96 when every
    // IPv4 lookup ends within its 32 bits; elsewhere the tree is walked in full.
    let canAlias = start.depth == 96 && start.value < UInt32(database.metadata.nodeCount) && !v4Leaves.depthExhausted
    let leaves = try database.searchTreeLeaves(from: 0, depth: 0, alias: canAlias ? start.value : nil, aliasMaxDepth: 96)
    v6Starts = leaves.starts
    v6Depths = leaves.depths
    v6Kinds = leaves.ends.map(LeafKind.init)
    v6Offsets = leaves.ends.map { if case .record(let o) = $0 { o } else { 0 } }
  }

  /// The network and record `MaxMindDatabase.lookup` finds for `address`; `nil` where it throws
  /// (an IPv6 address in an IPv4 tree, a corrupt record).
  public func match(_ address: IPAddress) -> MMDBMatch? {
    switch address {
    case .v4(let a):
      return v4.match(a.value, reportedAs: address, prefixBase: 0)
    case .v6(let a):
      guard !v6Starts.isEmpty else { return nil }
      let value = UInt128(a.high) << 64 | UInt128(a.low)
      let i = lastIndex(atOrBefore: value)
      let depth = Int(v6Depths[i])
      switch v6Kinds[i] {
      case .alias:
        // The next 32 bits are the IPv4 address the subtree looks up.
        let embedded = UInt32(truncatingIfNeeded: value >> (96 - depth))
        return v4.match(embedded, reportedAs: address, prefixBase: depth)
      case .record:
        return IPNetwork(address: address, prefixLength: depth).map { MMDBMatch(network: $0, recordOffset: v6Offsets[i]) }
      case .empty:
        return IPNetwork(address: address, prefixLength: depth).map { MMDBMatch(network: $0, recordOffset: nil) }
      case .corrupt, .notWalked:
        return nil
      }
    }
  }

  /// The index of the last IPv6 leaf that starts at or before `value`.
  private func lastIndex(atOrBefore value: UInt128) -> Int {
    var low = 0
    var count = v6Starts.count
    while count > 1 {
      let half = count / 2
      if v6Starts[low + half] <= value { low += half }
      count -= half
    }
    return low
  }
}

/// How a compiled leaf ends, one byte per leaf.
enum LeafKind: UInt8, Sendable {
  case record, empty, corrupt, alias, notWalked

  init(_ end: SearchTreeEnd) {
    switch end {
    case .record: self = .record
    case .empty: self = .empty
    case .corrupt: self = .corrupt
    case .alias: self = .alias
    case .notWalked: self = .notWalked
    }
  }
}

/// The IPv4 leaves of a search tree, sorted by first address, with an index on the top 16 bits.
struct IPv4Leaves: Sendable {
  let starts: [UInt32]
  /// Prefix length within IPv4 (0...32), as `lookup` reports it.
  let prefixes: [UInt8]
  let kinds: [LeafKind]
  let offsets: [UInt32]
  /// `index[b]` is the leaf holding address `b << 16`; entry 65536 is the last leaf. The leaves
  /// of /16 block `b` are `index[b]...index[b + 1]`.
  let index: [UInt32]

  var count: Int { starts.count }
  var memoryBytes: Int { starts.count * 10 + index.count * 4 }

  /// Takes the leaves of a walk from the IPv4 start node. In an IPv6 tree the depths count from
  /// the root, so the first 96 bits are subtracted (down to 0, as `lookup` does).
  init(_ leaves: SearchTreeLeaves, ipv6Tree: Bool) {
    starts = leaves.starts.map { UInt32(truncatingIfNeeded: $0) }
    prefixes = leaves.depths.map { ipv6Tree ? UInt8(max(0, Int($0) - 96)) : $0 }
    kinds = leaves.ends.map(LeafKind.init)
    offsets = leaves.ends.map { if case .record(let o) = $0 { o } else { 0 } }
    index = IPv4Leaves.blockIndex(starts)
  }

  /// For every /16 block, the leaf holding its first address; a final entry for the last leaf.
  static func blockIndex(_ starts: [UInt32]) -> [UInt32] {
    var index = [UInt32](repeating: 0, count: 65537)
    var leaf = 0
    for block in 0..<65536 {
      let first = UInt32(block) << 16
      while leaf + 1 < starts.count && starts[leaf + 1] <= first { leaf += 1 }
      index[block] = UInt32(leaf)
    }
    index[65536] = UInt32(max(0, starts.count - 1))
    return index
  }

  /// The index of the last leaf starting at or before `value`.
  @inline(__always)
  func leaf(_ value: UInt32) -> Int {
    let block = Int(value >> 16)
    var low = Int(index[block])
    var count = Int(index[block + 1]) - low + 1
    while count > 1 {
      let half = count / 2
      if starts[low + half] <= value { low += half }
      count -= half
    }
    return low
  }

  /// The match of IPv4 `value`, with the network's prefix counted after `prefixBase` bits of
  /// `reportedAs` (0 for an IPv4 address; the alias depth for an IPv6 address that reaches the
  /// IPv4 subtree).
  func match(_ value: UInt32, reportedAs address: IPAddress, prefixBase: Int) -> MMDBMatch? {
    guard !starts.isEmpty else { return nil }
    let i = leaf(value)
    guard let network = IPNetwork(address: address, prefixLength: prefixBase + Int(prefixes[i])) else { return nil }
    switch kinds[i] {
    case .record: return MMDBMatch(network: network, recordOffset: offsets[i])
    case .empty: return MMDBMatch(network: network, recordOffset: nil)
    default: return nil
    }
  }
}
