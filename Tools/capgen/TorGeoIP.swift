import NetCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A two-letter country code packed into 16 bits (`"UA"` is `0x5541`).
struct CountryCode: Hashable, Comparable, CustomStringConvertible {
  let raw: UInt16

  init?(_ text: some StringProtocol) {
    let bytes = Array(text.utf8)
    guard bytes.count == 2 else { return nil }
    raw = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
  }

  init(raw: UInt16) { self.raw = raw }

  /// Tor's code for a range it lists without a country.
  static let unknown = CountryCode(raw: 0x3f3f)  // "??"

  static func < (a: CountryCode, b: CountryCode) -> Bool { a.raw < b.raw }

  var description: String {
    String(decoding: [UInt8(raw >> 8), UInt8(raw & 0xff)], as: UTF8.self)
  }
}

/// What Tor's geoip files say about one address.
enum TorOrigin: Hashable, Comparable {
  /// Inside a range with a country code.
  case country(CountryCode)
  /// Inside a range listed as `??`.
  case unknown
  /// Inside no range at all: a gap of the file (special-purpose space, unallocated space).
  case unlisted

  /// The key the truth file uses: the country code, `??` or `unlisted`.
  var key: String {
    switch self {
    case .country(let cc): return cc.description
    case .unknown: return "??"
    case .unlisted: return "unlisted"
    }
  }
}

/// Tor's geoip (`INTLOW,INTHIGH,CC`) and geoip6 (`V6LOW,V6HIGH,CC`) files: address pools by country for
/// drawing sources, and the lookup that gives every drawn or random address its true origin.
struct TorGeoIP {
  struct Range4 {
    var low: UInt32
    var high: UInt32
    var country: CountryCode
  }

  struct Range6 {
    var low: UInt128
    var high: UInt128
    var country: CountryCode
  }

  let path4: String
  let path6: String?
  /// The `Generated:` date of the IPv4 file's export header, when it has one.
  private(set) var generated: String?
  /// Sorted by `low`, non-overlapping.
  private(set) var ranges4: [Range4] = []
  private(set) var ranges6: [Range6] = []
  /// For each top 16 bits of an IPv4 address, the first range that could hold it (speeds lookups).
  private var index4: [Int32] = []

  enum LoadError: Error, CustomStringConvertible {
    case unreadable(String)
    case badLine(String, Int, String)

    var description: String {
      switch self {
      case .unreadable(let path): return "\(path): cannot read the file"
      case .badLine(let path, let line, let why): return "\(path):\(line): \(why)"
      }
    }
  }

  init(ipv4 path4: String, ipv6 path6: String?) throws {
    self.path4 = path4
    self.path6 = path6
    let (lines4, generated) = try TorGeoIP.lines(of: path4)
    self.generated = generated
    for (number, line) in lines4 {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == 3, let low = UInt32(fields[0]), let high = UInt32(fields[1]), low <= high,
        let cc = CountryCode(fields[2])
      else { throw LoadError.badLine(path4, number, "expected INTLOW,INTHIGH,CC") }
      ranges4.append(Range4(low: low, high: high, country: cc))
    }
    ranges4.sort { $0.low < $1.low }
    for i in ranges4.indices.dropFirst() where ranges4[i].low <= ranges4[i - 1].high {
      throw LoadError.badLine(path4, 0, "ranges overlap at \(IPv4Address(ranges4[i].low))")
    }
    if let path6 {
      for (number, line) in try TorGeoIP.lines(of: path6).lines {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 3, let low = IPv6Address(fields[0]), let high = IPv6Address(fields[1]),
          let cc = CountryCode(fields[2])
        else { throw LoadError.badLine(path6, number, "expected V6LOW,V6HIGH,CC") }
        let l = UInt128(low.high) << 64 | UInt128(low.low)
        let h = UInt128(high.high) << 64 | UInt128(high.low)
        guard l <= h else { throw LoadError.badLine(path6, number, "range ends before it starts") }
        ranges6.append(Range6(low: l, high: h, country: cc))
      }
      ranges6.sort { $0.low < $1.low }
    }
    // index4[p] is the number of ranges that end before p << 16, i.e. the first candidate for prefix p.
    index4 = [Int32](repeating: 0, count: 65537)
    var r = 0
    for p in 0...65536 {
      let start = UInt64(p) << 16
      while r < ranges4.count && UInt64(ranges4[r].high) < start { r += 1 }
      index4[p] = Int32(r)
    }
  }

  /// The non-comment, non-empty lines of a file with their 1-based line numbers, and the value of a
  /// `# Generated:` comment.
  private static func lines(of path: String) throws -> (lines: [(Int, Substring)], generated: String?) {
    guard let file = fopen(path, "rb") else { throw LoadError.unreadable(path) }
    defer { fclose(file) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = fread(&chunk, 1, chunk.count, file)
      if n <= 0 { break }
      data.append(contentsOf: chunk[0..<n])
    }
    let text = String(decoding: data, as: UTF8.self)
    var out: [(Int, Substring)] = []
    var generated: String?
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      if line.hasPrefix("#") {
        if generated == nil, let r = line.firstRange(of: "Generated:") {
          generated = String(line[r.upperBound...].drop { $0 == " " })
        }
        continue
      }
      if line.isEmpty { continue }
      out.append((i + 1, line))
    }
    return (out, generated)
  }

  // MARK: Lookup

  func origin(_ address: UInt32) -> TorOrigin {
    let p = Int(address >> 16)
    var lo = Int(index4[p])
    var hi = Int(index4[p + 1])
    // Ranges that start before this /16 but reach into it are at index4[p]; search [lo, hi].
    hi = min(hi + 1, ranges4.count)
    while lo < hi {
      let mid = (lo + hi) / 2
      if ranges4[mid].high < address { lo = mid + 1 } else { hi = mid }
    }
    guard lo < ranges4.count, ranges4[lo].low <= address else { return .unlisted }
    let cc = ranges4[lo].country
    return cc == .unknown ? .unknown : .country(cc)
  }

  func origin(_ address: UInt128) -> TorOrigin {
    var lo = 0
    var hi = ranges6.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if ranges6[mid].high < address { lo = mid + 1 } else { hi = mid }
    }
    guard lo < ranges6.count, ranges6[lo].low <= address else { return .unlisted }
    let cc = ranges6[lo].country
    return cc == .unknown ? .unknown : .country(cc)
  }

  func origin(_ address: IPAddress) -> TorOrigin {
    switch address {
    case .v4(let a): return origin(a.value)
    case .v6(let a): return origin(UInt128(a.high) << 64 | UInt128(a.low))
    }
  }

  // MARK: Pools

  /// Every IPv4 range of a country, for drawing addresses weighted by range size.
  static func carriesIPv4(_ address: UInt128) -> Bool {
    let top = UInt64(truncatingIfNeeded: address >> 64)
    return top >> 48 == 0x2002 || top >> 32 == 0x2001_0000
  }

  func pool4(_ country: CountryCode) -> AddressPool<UInt32>? {
    let ranges = ranges4.filter { $0.country == country }.map { (UInt128($0.low), UInt128($0.high)) }
    return ranges.isEmpty ? nil : AddressPool(country: country, ranges: ranges)
  }

  /// Every IPv6 range of a country, less the blocks whose addresses carry an IPv4 address
  /// (6to4 `2002::/16`, Teredo `2001::/32`): their origin is that IPv4 address's, not the range's.
  func pool6(_ country: CountryCode) -> AddressPool<UInt128>? {
    let ranges = ranges6.filter { $0.country == country && !TorGeoIP.carriesIPv4($0.low) }.map { ($0.low, $0.high) }
    return ranges.isEmpty ? nil : AddressPool(country: country, ranges: ranges)
  }
}

/// The address ranges of one country. A draw picks a range with probability proportional to its size,
/// then an address inside it: together, a uniform draw over the country's listed space.
struct AddressPool<Address: FixedWidthInteger & UnsignedInteger> {
  let country: CountryCode
  private let lows: [UInt128]
  /// Running totals of range sizes.
  private let cumulative: [UInt128]

  init(country: CountryCode, ranges: [(UInt128, UInt128)]) {
    self.country = country
    var total: UInt128 = 0
    var lows: [UInt128] = []
    var cumulative: [UInt128] = []
    for (low, high) in ranges {
      // A range covering the whole IPv6 space cannot occur in a country file; clamp anyway.
      total = total.addingReportingOverflow(high - low).partialValue &+ 1
      lows.append(low)
      cumulative.append(total)
    }
    self.lows = lows
    self.cumulative = cumulative
  }

  /// The number of addresses in the pool.
  var size: UInt128 { cumulative[cumulative.count - 1] }

  func draw(_ rng: inout SeededRandom) -> Address {
    let r = rng.below128(size)
    var lo = 0
    var hi = cumulative.count - 1
    while lo < hi {
      let mid = (lo + hi) / 2
      if cumulative[mid] > r { hi = mid } else { lo = mid + 1 }
    }
    let before: UInt128 = lo == 0 ? 0 : cumulative[lo - 1]
    return Address(truncatingIfNeeded: lows[lo] + (r - before))
  }
}
