import Analysis
import NetCore

/// The `distinct` section of the summary: the source sets behind the `sources` counts, so that
/// summaries merge (`docs/summary.md`, "Merging"). A set is either
/// `{"ipv4": BASE64, "ipv6": BASE64}` (the addresses, sorted, 4 or 16 bytes each, network order) or
/// `{"precision": P, "registers": BASE64}` (a HyperLogLog sketch, one byte per register).
enum DistinctJSON {
  static let hashName = "murmur3-fmix64"

  static func encode(_ d: DistinctSources) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("hash", .string(hashName)), ("exactLimit", .int(Int64(SourceSet.exactLimit))),
      ("samplingLevel", .int(Int64(d.samplingLevel))), ("runs", .int(Int64(d.runs))), ("total", set(d.total)),
      ("origins", keyed(d.countries)), ("continents", keyed(d.continents)),
    ]
    if !d.asns.isEmpty { fields.append(("asns", keyed(d.asns))) }
    if !d.radius.isEmpty {
      fields.append(("radius", .array(d.radius.sorted { $0.key < $1.key }.map { .object([("area", .string($0.key)), ("set", set($0.value))]) })))
    }
    if let w = d.window { fields.append(("window", keyed(w))) }
    if let b = d.buckets {
      fields.append(
        (
          "buckets",
          .array(
            b.sorted { $0.key < $1.key }.map {
              .object([("start", .string(SummaryJSON.time(Timestamp(nanoseconds: $0.key)))), ("origins", keyed($0.value))])
            })
        ))
    }
    return .object(fields)
  }

  static func keyed(_ sets: [OriginKey: SourceSet]) -> JSONValue {
    .array(
      sets.sorted { $0.key < $1.key }.map {
        .object([("kind", .string($0.key.kind.rawValue)), ("code", .string($0.key.code)), ("set", set($0.value))])
      })
  }

  static func set(_ s: SourceSet) -> JSONValue {
    switch s {
    case .exact(let addresses):
      var v4: [UInt8] = []
      var v6: [UInt8] = []
      for a in addresses.sorted() {
        switch a {
        case .v4(let x): withUnsafeBytes(of: x.value.bigEndian) { v4.append(contentsOf: $0) }
        case .v6(let x):
          withUnsafeBytes(of: x.high.bigEndian) { v6.append(contentsOf: $0) }
          withUnsafeBytes(of: x.low.bigEndian) { v6.append(contentsOf: $0) }
        }
      }
      return .object([("ipv4", .string(Base64.encode(v4))), ("ipv6", .string(Base64.encode(v6)))])
    case .sketch(let h):
      return .object([("precision", .int(Int64(h.precision))), ("registers", .string(Base64.encode(h.registers)))])
    }
  }

  static func decode(_ n: JSONNode) throws(SummaryDecodeError) -> DistinctSources {
    let o = try n.object()
    let hash = try o.required("hash")
    guard try hash.string() == hashName else {
      throw hash.fail("sets were hashed with \"\(try hash.string())\", not \(hashName): they cannot merge")
    }
    var d = DistinctSources()
    let level = try o.required("samplingLevel")
    d.samplingLevel = Int(try level.int())
    guard (0...64).contains(d.samplingLevel) else { throw level.fail("expected 0 to 64, found \(d.samplingLevel)") }
    let runs = try o.required("runs")
    d.runs = Int(try runs.int())
    guard d.runs >= 1 else { throw runs.fail("expected at least 1, found \(d.runs)") }
    d.total = try set(o.required("total"))
    d.countries = try keyed(o.required("origins"))
    d.continents = try keyed(o.required("continents"))
    if let n = o.optional("asns") { d.asns = try keyed(n) }
    if let n = o.optional("radius") {
      for item in try n.array() {
        let r = try item.object()
        let area = try r.required("area").string()
        guard d.radius[area] == nil else { throw item.fail("radius area \"\(area)\" appears twice") }
        d.radius[area] = try set(r.required("set"))
      }
    }
    if let n = o.optional("window") { d.window = try keyed(n) }
    if let n = o.optional("buckets") {
      var buckets: [Int64: [OriginKey: SourceSet]] = [:]
      for item in try n.array() {
        let b = try item.object()
        let start = try b.required("start").timestamp().nanoseconds
        guard buckets[start] == nil else { throw item.fail("bucket \(start) appears twice") }
        buckets[start] = try keyed(b.required("origins"))
      }
      d.buckets = buckets
    }
    return d
  }

  static func keyed(_ n: JSONNode) throws(SummaryDecodeError) -> [OriginKey: SourceSet] {
    var out: [OriginKey: SourceSet] = [:]
    for item in try n.array() {
      let o = try item.object()
      let kind = try o.required("kind").oneOf(OriginKey.Kind.self, SummaryJSON.kindNames)
      let key = OriginKey(kind: kind, code: try o.required("code").string())
      guard out[key] == nil else { throw item.fail("origin \(kind.rawValue) \"\(key.code)\" appears twice") }
      out[key] = try set(o.required("set"))
    }
    return out
  }

  static func set(_ n: JSONNode) throws(SummaryDecodeError) -> SourceSet {
    let o = try n.object()
    if let p = o.optional("precision") {
      let registersNode = try o.required("registers")
      guard let registers = Base64.decode(try registersNode.string()) else { throw registersNode.fail("not base64") }
      guard let h = HyperLogLog(registers: registers), h.precision == Int(try p.int()) else {
        throw registersNode.fail("not a sketch of precision \(try p.int()): \(registers.count) registers")
      }
      return .sketch(h)
    }
    var addresses = Set<IPAddress>()
    for (key, width) in [("ipv4", 4), ("ipv6", 16)] {
      let node = try o.required(key)
      guard let bytes = Base64.decode(try node.string()), bytes.count % width == 0 else {
        throw node.fail("expected base64 of \(width)-byte addresses")
      }
      var i = 0
      while i < bytes.count {
        if width == 4 {
          addresses.insert(.v4(IPv4Address(bytes[i..<i + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })))
        } else {
          let high = bytes[i..<i + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
          let low = bytes[i + 8..<i + 16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
          addresses.insert(.v6(IPv6Address(high: high, low: low)))
        }
        i += width
      }
    }
    guard addresses.count <= SourceSet.exactLimit else { throw n.fail("an exact set of more than \(SourceSet.exactLimit) addresses") }
    return .exact(addresses)
  }
}

/// RFC 4648 base64 with padding.
enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  private static let values: [UInt8] = {
    var v = [UInt8](repeating: 0xff, count: 256)
    for (i, c) in alphabet.enumerated() { v[Int(c)] = UInt8(i) }
    return v
  }()

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
      let b0 = UInt32(bytes[i])
      let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let n = b0 << 16 | b1 << 8 | b2
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func decode(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 4 * 3)
    var i = 0
    while i < chars.count {
      var n: UInt32 = 0
      var pad = 0
      for j in 0..<4 {
        let c = chars[i + j]
        if c == UInt8(ascii: "=") && i + 4 == chars.count && j >= 2 {
          pad += 1
          n <<= 6
          continue
        }
        let v = values[Int(c)]
        guard v != 0xff, pad == 0 else { return nil }
        n = n << 6 | UInt32(v)
      }
      out.append(UInt8(n >> 16 & 0xff))
      if pad < 2 { out.append(UInt8(n >> 8 & 0xff)) }
      if pad < 1 { out.append(UInt8(n & 0xff)) }
      i += 4
    }
    return out
  }
}
