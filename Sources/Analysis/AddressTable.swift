import NetCore

/// The per-address state of one run: an open-addressing hash table over source addresses with
/// parallel arrays of what each address did, bounded in size by adaptive sampling.
///
/// While the table holds fewer than `capacity` addresses it holds every source (sampling level 0).
/// When it fills, the level goes up by one and every address whose hash does not start with `level`
/// zero bits is dropped; from then on only such addresses are admitted. The addresses kept are
/// therefore exactly those whose fixed hash (`SourceHash`) falls below a threshold: a uniform
/// sample of 1 in 2^level distinct sources that does not depend on arrival order or on how the
/// input was split, and that merges by taking the higher level. Per-address evidence
/// (packets per source, hop counts, robust counts) is estimated from the sample times 2^level.
struct AddressTable {
  /// Bits of `flags`.
  static let sentDirect: UInt8 = 1
  static let inWindow: UInt8 = 2
  static let isIPv6: UInt8 = 4
  static let hasTTL: UInt8 = 8

  let capacity: Int
  private(set) var level = 0

  private(set) var hashes: [UInt64] = []
  private(set) var high: [UInt64] = []
  private(set) var low: [UInt64] = []
  /// Origin id of the address.
  private(set) var origin: [UInt32] = []
  var packets: [UInt32] = []
  /// Wire bytes of the address's first packet (all of its bytes when it sent one).
  var firstBytes: [UInt32] = []
  /// TTL or hop limit of the first packet, when `hasTTL`.
  var firstTTL: [UInt8] = []
  var flags: [UInt8] = []
  /// Last bucket the address was seen in (`Int32.min`: none yet).
  var lastBucket: [Int32] = []

  /// Slots of the open-addressing index: entry number + 1, 0 when empty.
  private var index: [Int32]
  private var mask: Int

  init(capacity: Int) {
    self.capacity = max(16, capacity)
    let size = 64
    index = [Int32](repeating: 0, count: size)
    mask = size - 1
  }

  var count: Int { hashes.count }

  /// Whether an address with this hash is admitted at the current level.
  @inline(__always)
  func admits(_ hash: UInt64) -> Bool { level == 0 || hash >> UInt64(64 - level) == 0 }

  /// The entry of an IPv4 address, or nil.
  @inline(__always)
  func find(ipv4 value: UInt32, hash: UInt64) -> Int? {
    var i = Int(truncatingIfNeeded: hash) & mask
    while true {
      let e = Int(index[i])
      if e == 0 { return nil }
      if hashes[e - 1] == hash && low[e - 1] == UInt64(value) && flags[e - 1] & Self.isIPv6 == 0 { return e - 1 }
      i = (i &+ 1) & mask
    }
  }

  @inline(__always)
  func find(high h: UInt64, low l: UInt64, isIPv6: Bool, hash: UInt64) -> Int? {
    let family = isIPv6 ? Self.isIPv6 : 0
    var i = Int(truncatingIfNeeded: hash) & mask
    while true {
      let e = Int(index[i])
      if e == 0 { return nil }
      if hashes[e - 1] == hash && low[e - 1] == l && high[e - 1] == h && flags[e - 1] & Self.isIPv6 == family {
        return e - 1
      }
      i = (i &+ 1) & mask
    }
  }

  /// Adds an address known to be absent and admitted; returns its entry. The caller checks
  /// `isFull` afterwards and raises the level when needed.
  mutating func insert(high h: UInt64, low l: UInt64, isIPv6: Bool, hash: UInt64, origin id: UInt32) -> Int {
    let e = hashes.count
    hashes.append(hash)
    high.append(h)
    low.append(l)
    origin.append(id)
    packets.append(0)
    firstBytes.append(0)
    firstTTL.append(0)
    flags.append(isIPv6 ? Self.isIPv6 : 0)
    lastBucket.append(Int32.min)
    if (e + 1) * 2 > index.count { grow() } else { place(e, hash) }
    return e
  }

  var isFull: Bool { count >= capacity }

  func address(_ e: Int) -> IPAddress {
    flags[e] & Self.isIPv6 != 0
      ? .v6(IPv6Address(high: high[e], low: low[e])) : .v4(IPv4Address(UInt32(truncatingIfNeeded: low[e])))
  }

  /// Raises the sampling level by one and drops the entries it no longer admits. Returns, for each
  /// old entry number, its new number or -1 (for logs that refer to entries).
  @discardableResult
  mutating func raiseLevel() -> [Int32] {
    level += 1
    var remap = [Int32](repeating: -1, count: count)
    var w = 0
    for e in 0..<count where admits(hashes[e]) {
      remap[e] = Int32(w)
      hashes[w] = hashes[e]
      high[w] = high[e]
      low[w] = low[e]
      origin[w] = origin[e]
      packets[w] = packets[e]
      firstBytes[w] = firstBytes[e]
      firstTTL[w] = firstTTL[e]
      flags[w] = flags[e]
      lastBucket[w] = lastBucket[e]
      w += 1
    }
    let n = count - w
    hashes.removeLast(n)
    high.removeLast(n)
    low.removeLast(n)
    origin.removeLast(n)
    packets.removeLast(n)
    firstBytes.removeLast(n)
    firstTTL.removeLast(n)
    flags.removeLast(n)
    lastBucket.removeLast(n)
    rebuildIndex(size: index.count)
    return remap
  }

  /// Raises the level to at least `target`.
  @discardableResult
  mutating func raiseLevel(to target: Int) -> [Int32] {
    var remap = Array(Int32(0)..<Int32(count))
    while level < target {
      let step = raiseLevel()
      remap = remap.map { $0 < 0 ? -1 : step[Int($0)] }
    }
    return remap
  }

  private mutating func place(_ e: Int, _ hash: UInt64) {
    var i = Int(truncatingIfNeeded: hash) & mask
    while index[i] != 0 { i = (i &+ 1) & mask }
    index[i] = Int32(e + 1)
  }

  private mutating func grow() { rebuildIndex(size: index.count * 2) }

  private mutating func rebuildIndex(size: Int) {
    var size = size
    while count * 2 > size { size *= 2 }
    index = [Int32](repeating: 0, count: size)
    mask = size - 1
    for e in 0..<count { place(e, hashes[e]) }
  }
}
