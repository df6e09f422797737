import NetCore

/// Writes MaxMind DB files (format version 2.0).
///
/// Networks are inserted into a binary trie; a later, more specific network overrides the part
/// of an earlier one it covers (`insert`), or is merged into what is there (`merge`). `serialize`
/// prunes subtrees whose halves carry identical data, numbers the nodes breadth first, stores
/// every distinct record once in the data section, and picks the smallest record size (24, 28
/// or 32 bits) that can address it.
///
/// In an IPv6 tree, IPv4 networks live at `::a.b.c.d/(96+n)`, and the IPv4-mapped
/// (`::ffff:0:0/96`) and 6to4 (`2002::/16`) subtrees point at that same IPv4 subtree, as in
/// MaxMind's own databases, so an IPv4 lookup and a lookup of its mapped or 6to4 form agree.
/// Teredo (`2001::/32`) is not aliased: its IPv4 client address is obfuscated and sits in the
/// low bits, so a prefix alias would answer for the Teredo server instead.
public struct MMDBWriter {
  public struct Metadata: Sendable {
    public var databaseType: String
    public var languages: [String] = ["en"]
    public var description: [String: String] = [:]
    /// Seconds since the Unix epoch.
    public var buildEpoch: UInt64
    public init(databaseType: String, languages: [String] = ["en"], description: [String: String] = [:], buildEpoch: UInt64) {
      self.databaseType = databaseType
      self.languages = languages
      self.description = description
      self.buildEpoch = buildEpoch
    }
  }

  public let ipVersion: Int
  public var metadata: Metadata
  /// Forces a record size (24, 28 or 32); `nil` picks the smallest that fits.
  public var recordSize: Int?

  private let depth: Int
  /// Trie nodes: each child is `-1` (empty), `>= 0` (a node index) or `<= -2` (record `-(v+2)`).
  private var left: [Int32] = [-1]
  private var right: [Int32] = [-1]
  private var records: [MMDBValue] = []
  private var recordIndex: [MMDBValue: Int32] = [:]
  private var mergeCache: [Int64: Int32] = [:]

  public init(ipVersion: Int, metadata: Metadata, recordSize: Int? = nil) {
    precondition(ipVersion == 4 || ipVersion == 6, "ip_version is 4 or 6")
    self.ipVersion = ipVersion
    self.metadata = metadata
    self.recordSize = recordSize
    depth = ipVersion == 4 ? 32 : 128
  }

  public enum WriteError: Error, CustomStringConvertible, Sendable {
    case ipv6InIPv4Tree(IPNetwork)
    case tooLarge
    case badRecordSize(Int)
    /// libmaxminddb refuses a database whose `build_epoch` is zero.
    case zeroBuildEpoch
    public var description: String {
      switch self {
      case .ipv6InIPv4Tree(let n): return "cannot store IPv6 network \(n) in an IPv4 database"
      case .tooLarge: return "database too large for 32-bit records"
      case .badRecordSize(let n): return "record size \(n) is not 24, 28 or 32"
      case .zeroBuildEpoch: return "the build date must be after 1970-01-01T00:00:00Z"
      }
    }
  }

  /// A record registered with `record(_:)`, for inserting the same value many times without
  /// hashing it each time.
  public struct RecordID: Hashable, Sendable {
    fileprivate let index: Int32
  }

  /// Registers a value and returns its handle (identical values share one).
  public mutating func record(_ value: MMDBValue) -> RecordID { RecordID(index: recordID(value)) }

  /// Stores `value` for `network`, replacing whatever the network's addresses had.
  public mutating func insert(_ network: IPNetwork, _ value: MMDBValue) throws(WriteError) {
    try place(network, recordID(value), merge: false)
  }

  /// Stores a registered record for `network`, replacing whatever the network's addresses had.
  public mutating func insert(_ network: IPNetwork, record: RecordID) throws(WriteError) {
    try place(network, record.index, merge: false)
  }

  /// Merges `value` into the records already covering `network` (maps merge key by key);
  /// addresses of the network with no record get `value` itself.
  public mutating func merge(_ network: IPNetwork, _ value: MMDBValue) throws(WriteError) {
    try place(network, recordID(value), merge: true)
  }

  /// Merges a registered record into what covers `network` (see `merge(_:_:)`).
  public mutating func merge(_ network: IPNetwork, record: RecordID) throws(WriteError) {
    try place(network, record.index, merge: true)
  }

  private mutating func recordID(_ value: MMDBValue) -> Int32 {
    if let id = recordIndex[value] { return id }
    let id = Int32(records.count)
    records.append(value)
    recordIndex[value] = id
    return id
  }

  private mutating func mergedID(_ existing: Int32, _ incoming: Int32) -> Int32 {
    let key = Int64(existing) << 32 | Int64(incoming)
    if let id = mergeCache[key] { return id }
    let id = recordID(records[Int(existing)].merging(records[Int(incoming)]))
    mergeCache[key] = id
    return id
  }

  private func bit(_ bits: (UInt64, UInt64), _ i: Int) -> Bool {
    i < 64 ? (bits.0 >> UInt64(63 - i)) & 1 == 1 : (bits.1 >> UInt64(127 - i)) & 1 == 1
  }

  private mutating func newNode(_ l: Int32, _ r: Int32) -> Int32 {
    left.append(l)
    right.append(r)
    return Int32(left.count - 1)
  }

  private mutating func place(_ network: IPNetwork, _ id: Int32, merge: Bool) throws(WriteError) {
    var bits: (UInt64, UInt64)
    var length = network.prefixLength
    switch network.address {
    case .v4(let a):
      if ipVersion == 4 {
        bits = (UInt64(a.value) << 32, 0)
      } else {
        bits = (0, UInt64(a.value))
        length += 96
      }
    case .v6(let a):
      guard ipVersion == 6 else { throw .ipv6InIPv4Tree(network) }
      bits = (a.high, a.low)
    }
    if length == 0 {
      // The whole space: the root's two halves take the record.
      let root = (left[0], right[0])
      left[0] = apply(root.0, id, merge: merge)
      right[0] = apply(root.1, id, merge: merge)
      return
    }
    var node: Int32 = 0
    for i in 0..<length {
      let goRight = bit(bits, i)
      var child = goRight ? right[Int(node)] : left[Int(node)]
      if i == length - 1 {
        child = apply(child, id, merge: merge)
        if goRight { right[Int(node)] = child } else { left[Int(node)] = child }
        return
      }
      if child < 0 {
        // Empty or a record: split it so the more specific network can be placed below.
        let split = newNode(child, child)
        if goRight { right[Int(node)] = split } else { left[Int(node)] = split }
        child = split
      }
      node = child
    }
  }

  /// The new child value after placing record `id` over `child`.
  private mutating func apply(_ child: Int32, _ id: Int32, merge: Bool) -> Int32 {
    guard merge else { return -(id + 2) }
    if child == -1 { return -(id + 2) }
    if child <= -2 { return -(mergedID(-(child + 2), id) + 2) }
    // A subtree: merge into every record below it.
    var stack = [child]
    while let n = stack.popLast() {
      for goRight in [false, true] {
        let c = goRight ? right[Int(n)] : left[Int(n)]
        let updated: Int32
        if c >= 0 {
          stack.append(c)
          continue
        } else if c == -1 {
          updated = -(id + 2)
        } else {
          updated = -(mergedID(-(c + 2), id) + 2)
        }
        if goRight { right[Int(n)] = updated } else { left[Int(n)] = updated }
      }
    }
    return child
  }

  /// Encodes the database.
  public func serialize() throws(WriteError) -> [UInt8] {
    guard metadata.buildEpoch > 0 else { throw .zeroBuildEpoch }
    // Prune: a node whose two children are the same record (or both empty) becomes that record.
    var l = left
    var r = right
    func prune(_ n: Int32) -> Int32 {
      // Iterative post-order over the trie.
      var stack: [(Int32, Bool)] = [(n, false)]
      var result: [Int32: Int32] = [:]
      while let (node, visited) = stack.popLast() {
        if !visited {
          stack.append((node, true))
          if l[Int(node)] >= 0 { stack.append((l[Int(node)], false)) }
          if r[Int(node)] >= 0 { stack.append((r[Int(node)], false)) }
        } else {
          if l[Int(node)] >= 0 { l[Int(node)] = result[l[Int(node)]]! }
          if r[Int(node)] >= 0 { r[Int(node)] = result[r[Int(node)]]! }
          result[node] = (l[Int(node)] < 0 && l[Int(node)] == r[Int(node)]) ? l[Int(node)] : node
        }
      }
      return result[n]!
    }
    var rootValue = prune(0)
    if rootValue < 0 {
      // The tree needs at least one node.
      l[0] = rootValue
      r[0] = rootValue
      rootValue = 0
    }

    // In an IPv6 tree, find the IPv4 subtree (::/96) so the aliases can point at it.
    var ipv4Root: Int32? = nil
    if ipVersion == 6 {
      var node: Int32 = 0
      var value: Int32 = 0
      for _ in 0..<96 {
        value = l[Int(node)]
        if value < 0 { break }
        node = value
      }
      ipv4Root = value
      // Point the IPv4-mapped and 6to4 prefixes at the IPv4 subtree, creating their paths.
      func alias(_ prefix: (UInt64, UInt64), length: Int, to target: Int32) {
        var node: Int32 = 0
        for i in 0..<length {
          let goRight = bit(prefix, i)
          if i == length - 1 {
            if goRight { r[Int(node)] = target } else { l[Int(node)] = target }
            return
          }
          let child = goRight ? r[Int(node)] : l[Int(node)]
          if child >= 0 {
            node = child
            continue
          }
          l.append(child)
          r.append(child)
          let created = Int32(l.count - 1)
          if goRight { r[Int(node)] = created } else { l[Int(node)] = created }
          node = created
        }
      }
      if let root = ipv4Root, root != -1 {
        alias((0, 0x0000_ffff_0000_0000), length: 96, to: root)
        alias((0x2002_0000_0000_0000, 0), length: 16, to: root)
      }
    }

    // Number the reachable nodes breadth first.
    var order: [Int32] = [0]
    var number: [Int32: UInt32] = [0: 0]
    var head = 0
    while head < order.count {
      let n = order[head]
      head += 1
      for c in [l[Int(n)], r[Int(n)]] where c >= 0 && number[c] == nil {
        number[c] = UInt32(order.count)
        order.append(c)
      }
    }
    let nodeCount = UInt64(order.count)

    // Data section: each record used by the tree, encoded once, in first-use order.
    var encoder = MMDBEncoder()
    var dataOffset: [Int32: UInt64] = [:]
    for n in order {
      for c in [l[Int(n)], r[Int(n)]] where c <= -2 {
        let id = -(c + 2)
        if dataOffset[id] == nil { dataOffset[id] = UInt64(encoder.appendDeduplicated(records[Int(id)])) }
      }
    }

    let maxValue = nodeCount + 16 + UInt64(encoder.bytes.count)
    let size: Int
    if let forced = recordSize {
      guard [24, 28, 32].contains(forced) else { throw .badRecordSize(forced) }
      size = forced
    } else {
      size = maxValue < 1 << 24 ? 24 : (maxValue < 1 << 28 ? 28 : 32)
    }
    guard maxValue < (UInt64(1) << UInt64(size)) else {
      throw size == 32 ? .tooLarge : .badRecordSize(size)
    }

    func recordValue(_ c: Int32) -> UInt64 {
      if c >= 0 { return UInt64(number[c]!) }
      if c == -1 { return nodeCount }
      return nodeCount + 16 + dataOffset[-(c + 2)]!
    }

    var out: [UInt8] = []
    out.reserveCapacity(Int(nodeCount) * size / 4 + 16 + encoder.bytes.count + 512)
    for n in order {
      let a = recordValue(l[Int(n)])
      let b = recordValue(r[Int(n)])
      switch size {
      case 24:
        out += [UInt8(a >> 16 & 0xff), UInt8(a >> 8 & 0xff), UInt8(a & 0xff)]
        out += [UInt8(b >> 16 & 0xff), UInt8(b >> 8 & 0xff), UInt8(b & 0xff)]
      case 28:
        out += [UInt8(a >> 16 & 0xff), UInt8(a >> 8 & 0xff), UInt8(a & 0xff)]
        out.append(UInt8((a >> 24 & 0x0f) << 4 | (b >> 24 & 0x0f)))
        out += [UInt8(b >> 16 & 0xff), UInt8(b >> 8 & 0xff), UInt8(b & 0xff)]
      default:
        out += [UInt8(a >> 24 & 0xff), UInt8(a >> 16 & 0xff), UInt8(a >> 8 & 0xff), UInt8(a & 0xff)]
        out += [UInt8(b >> 24 & 0xff), UInt8(b >> 16 & 0xff), UInt8(b >> 8 & 0xff), UInt8(b & 0xff)]
      }
    }
    // The data section separator: sixteen zero bytes.
    out += [UInt8](repeating: 0, count: 16)
    out += encoder.bytes
    // The metadata start marker, then the metadata map.
    out += [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)
    var meta = MMDBEncoder()
    meta.usesPointers = false
    meta.integersTakeAByte = true
    meta.append(
      .map([
        "binary_format_major_version": .uint16(2),
        "binary_format_minor_version": .uint16(0),
        "build_epoch": .uint64(metadata.buildEpoch),
        "database_type": .string(metadata.databaseType),
        "description": .map(metadata.description.mapValues { .string($0) }),
        "ip_version": .uint16(UInt16(ipVersion)),
        "languages": .array(metadata.languages.map { .string($0) }),
        "node_count": .uint32(UInt32(nodeCount)),
        "record_size": .uint16(UInt16(size)),
      ]))
    out += meta.bytes
    return out
  }
}
