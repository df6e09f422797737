import CMaxMindDB
import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// Metadata of a MaxMind DB file.
public struct MMDBMetadata: Sendable, Hashable {
  public var databaseType: String
  public var ipVersion: Int
  public var recordSize: Int
  public var nodeCount: Int
  /// Seconds since the Unix epoch.
  public var buildEpoch: UInt64
  public var languages: [String]
  public var description: [String: String]
  public var formatVersion: String

  public var buildDate: Timestamp { Timestamp(seconds: Int64(clamping: buildEpoch)) }
}

/// What a lookup found: the matched network and, when the network has data, the record's
/// offset in the data section (identical records share an offset).
public struct MMDBMatch: Sendable, Hashable {
  public var network: IPNetwork
  public var recordOffset: UInt32?
}

/// The geolocation fields OriginCheck reads from a record, from any of the common layouts
/// (GeoLite2/GeoIP2 and DB-IP: nested `country.iso_code`; IPinfo: flat `country_code`).
public struct GeoRecord: Sendable, Hashable {
  public var countryCode: String?
  public var countryName: String?
  public var continentCode: String?
  public var registeredCountryCode: String?
  public var cityName: String?
  public var latitude: Double?
  public var longitude: Double?
  /// Accuracy radius in kilometres.
  public var accuracyRadius: Int?
  public var asn: UInt32?
  public var asOrganization: String?

  public init(
    countryCode: String? = nil, countryName: String? = nil, continentCode: String? = nil,
    registeredCountryCode: String? = nil, cityName: String? = nil, latitude: Double? = nil,
    longitude: Double? = nil, accuracyRadius: Int? = nil, asn: UInt32? = nil, asOrganization: String? = nil
  ) {
    self.countryCode = countryCode
    self.countryName = countryName
    self.continentCode = continentCode
    self.registeredCountryCode = registeredCountryCode
    self.cityName = cityName
    self.latitude = latitude
    self.longitude = longitude
    self.accuracyRadius = accuracyRadius
    self.asn = asn
    self.asOrganization = asOrganization
  }

  public var isEmpty: Bool { self == GeoRecord() }
}

/// An open MaxMind DB file, memory-mapped by libmaxminddb. This is the only Swift type that
/// calls libmaxminddb.
///
/// `@unchecked Sendable`: after `MMDB_open` returns, libmaxminddb never writes to the `MMDB_s`
/// or the mapped file; lookups and value reads only read them, so any number of threads may
/// use one database at once. The handle is freed only in `deinit`, when no one holds it.
public final class MaxMindDatabase: @unchecked Sendable {
  public let path: String
  public let metadata: MMDBMetadata
  private let mmdb: UnsafeMutablePointer<MMDB_s>

  /// Opens and memory-maps the database at `path`.
  /// The corresponding C function is `MMDB_open`.
  public init(path: String) throws(GeoError) {
    self.path = path
    var st = stat()
    guard stat(path, &st) == 0 else {
      throw GeoError(.unreadable, "\(path): cannot open database: \(String(cString: strerror(errno)))")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else {
      throw GeoError(.unreadable, "\(path): not a regular file")
    }
    mmdb = .allocate(capacity: 1)
    let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), mmdb)
    guard status == MMDB_SUCCESS else {
      let reason = String(cString: MMDB_strerror(status))
      mmdb.deallocate()
      throw GeoError(.invalidDatabase, "\(path): not a readable MaxMind DB: \(reason)")
    }
    let m = mmdb.pointee.metadata
    var languages: [String] = []
    for i in 0..<m.languages.count {
      if let name = m.languages.names[i] { languages.append(String(cString: name)) }
    }
    var descriptions: [String: String] = [:]
    for i in 0..<m.description.count {
      if let d = m.description.descriptions[i]?.pointee, let lang = d.language, let text = d.description {
        descriptions[String(cString: lang)] = String(cString: text)
      }
    }
    metadata = MMDBMetadata(
      databaseType: m.database_type.map { String(cString: $0) } ?? "",
      ipVersion: Int(m.ip_version), recordSize: Int(m.record_size), nodeCount: Int(m.node_count),
      buildEpoch: m.build_epoch, languages: languages, description: descriptions,
      formatVersion: "\(m.binary_format_major_version).\(m.binary_format_minor_version)")
  }

  deinit {
    MMDB_close(mmdb)
    mmdb.deallocate()
  }

  /// Looks up one address.
  /// The corresponding C function is `MMDB_lookup_sockaddr`.
  public func lookup(_ address: IPAddress) throws(GeoError) -> MMDBMatch {
    var error: Int32 = 0
    let result: MMDB_lookup_result_s
    switch address {
    case .v4(let a):
      var sin = sockaddr_in()
      sin.sin_family = sa_family_t(AF_INET)
      sin.sin_addr.s_addr = a.value.bigEndian
      result = withUnsafePointer(to: &sin) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MMDB_lookup_sockaddr(mmdb, $0, &error) }
      }
    case .v6(let a):
      guard metadata.ipVersion == 6 else {
        throw GeoError(.wrongFamily, "\(path): IPv6 address \(a) looked up in an IPv4-only database")
      }
      var sin6 = sockaddr_in6()
      sin6.sin6_family = sa_family_t(AF_INET6)
      withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
        raw.storeBytes(of: a.high.bigEndian, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: a.low.bigEndian, toByteOffset: 8, as: UInt64.self)
      }
      result = withUnsafePointer(to: &sin6) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { MMDB_lookup_sockaddr(mmdb, $0, &error) }
      }
    }
    guard error == MMDB_SUCCESS else {
      throw GeoError(.lookupFailed, "\(path): lookup of \(address) failed: \(String(cString: MMDB_strerror(error)))")
    }
    var prefix = Int(result.netmask)
    if address.isIPv4 && metadata.ipVersion == 6 { prefix = max(0, prefix - 96) }
    let network = IPNetwork(address: address, prefixLength: prefix)!
    return MMDBMatch(network: network, recordOffset: result.found_entry ? result.entry.offset : nil)
  }

  /// Reads the geolocation fields of the record at `offset` (from `MMDBMatch.recordOffset`).
  /// The corresponding C function is `MMDB_aget_value`.
  public func record(at offset: UInt32) throws(GeoError) -> GeoRecord {
    var entry = MMDB_entry_s(mmdb: mmdb, offset: offset)
    var r = GeoRecord()
    r.countryCode = try string(&entry, "country", "iso_code")
    if r.countryCode == nil { r.countryCode = try string(&entry, "country_code") }
    r.countryName = try string(&entry, "country", "names", "en")
    if r.countryName == nil, r.countryCode != nil, let flat = try string(&entry, "country"), flat.count > 2 {
      r.countryName = flat
    }
    r.continentCode = try string(&entry, "continent", "code")
    if r.continentCode == nil { r.continentCode = try string(&entry, "continent_code") }
    r.registeredCountryCode = try string(&entry, "registered_country", "iso_code")
    r.cityName = try string(&entry, "city", "names", "en")
    r.latitude = try double(&entry, "location", "latitude")
    r.longitude = try double(&entry, "location", "longitude")
    r.accuracyRadius = try integer(&entry, "location", "accuracy_radius").map { Int($0) }
    if let asn = try integer(&entry, "autonomous_system_number") {
      r.asn = UInt32(truncatingIfNeeded: asn)
    } else if let text = try string(&entry, "asn"), text.hasPrefix("AS"), let n = UInt32(text.dropFirst(2)) {
      r.asn = n
    }
    r.asOrganization = try string(&entry, "autonomous_system_organization")
    if r.asOrganization == nil { r.asOrganization = try string(&entry, "as_name") }
    return r
  }

  /// The whole record at `offset` as a value tree.
  /// The corresponding C function is `MMDB_get_entry_data_list`.
  public func value(at offset: UInt32) throws(GeoError) -> MMDBValue {
    var entry = MMDB_entry_s(mmdb: mmdb, offset: offset)
    var list: UnsafeMutablePointer<MMDB_entry_data_list_s>? = nil
    let status = MMDB_get_entry_data_list(&entry, &list)
    defer { MMDB_free_entry_data_list(list) }
    guard status == MMDB_SUCCESS, var cursor = list else {
      throw GeoError(.invalidDatabase, "\(path): cannot read record at offset \(offset): \(String(cString: MMDB_strerror(status)))")
    }
    return try decodeList(&cursor)
  }

  private func decodeList(_ cursor: inout UnsafeMutablePointer<MMDB_entry_data_list_s>) throws(GeoError) -> MMDBValue {
    let data = cursor.pointee.entry_data
    switch Int32(data.type) {
    case MMDB_DATA_TYPE_MAP:
      var map: [String: MMDBValue] = [:]
      let count = Int(data.data_size)
      for _ in 0..<count {
        guard let next = cursor.pointee.next else { break }
        cursor = next
        let keyData = cursor.pointee.entry_data
        let key = makeString(keyData.utf8_string, Int(keyData.data_size))
        guard let valueNode = cursor.pointee.next else { break }
        cursor = valueNode
        map[key] = try decodeList(&cursor)
      }
      return .map(map)
    case MMDB_DATA_TYPE_ARRAY:
      var items: [MMDBValue] = []
      for _ in 0..<Int(data.data_size) {
        guard let next = cursor.pointee.next else { break }
        cursor = next
        items.append(try decodeList(&cursor))
      }
      return .array(items)
    default:
      return scalar(data)
    }
  }

  private func makeString(_ pointer: UnsafePointer<CChar>?, _ count: Int) -> String {
    guard let pointer, count > 0 else { return "" }
    return pointer.withMemoryRebound(to: UInt8.self, capacity: count) {
      String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
    }
  }

  private func scalar(_ d: MMDB_entry_data_s) -> MMDBValue {
    switch Int32(d.type) {
    case MMDB_DATA_TYPE_UTF8_STRING: return .string(makeString(d.utf8_string, Int(d.data_size)))
    case MMDB_DATA_TYPE_DOUBLE: return .double(d.double_value)
    case MMDB_DATA_TYPE_FLOAT: return .float(d.float_value)
    case MMDB_DATA_TYPE_BYTES:
      return .bytes(d.bytes.map { Array(UnsafeBufferPointer(start: $0, count: Int(d.data_size))) } ?? [])
    case MMDB_DATA_TYPE_UINT16: return .uint16(d.uint16)
    case MMDB_DATA_TYPE_UINT32: return .uint32(d.uint32)
    case MMDB_DATA_TYPE_INT32: return .int32(d.int32)
    case MMDB_DATA_TYPE_UINT64: return .uint64(d.uint64)
    case MMDB_DATA_TYPE_UINT128:
      // The union's 128-bit member is not imported; read its two halves (host byte order).
      let offset = MaxMindDatabase.unionOffset
      return withUnsafeBytes(of: d) { raw in
        let low = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        let high = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
        return .uint128(high: high, low: low)
      }
    case MMDB_DATA_TYPE_BOOLEAN: return .boolean(d.boolean)
    default: return .map([:])
    }
  }

  /// Reads the scalar at a key path; `nil` when the path is absent.
  private func entryData(_ entry: inout MMDB_entry_s, _ path: [String]) throws(GeoError) -> MMDB_entry_data_s? {
    var data = MMDB_entry_data_s()
    // The path as NUL-terminated strings and a NULL-terminated pointer array, on the stack.
    let total = path.reduce(0) { $0 + $1.utf8.count + 1 }
    let status = withUnsafeTemporaryAllocation(of: CChar.self, capacity: max(1, total)) { chars in
      withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: path.count + 1) { pointers in
        var at = 0
        for (i, component) in path.enumerated() {
          pointers[i] = UnsafePointer(chars.baseAddress.map { $0 + at })
          for byte in component.utf8 {
            chars[at] = CChar(bitPattern: byte)
            at += 1
          }
          chars[at] = 0
          at += 1
        }
        pointers[path.count] = nil
        return MMDB_aget_value(&entry, &data, pointers.baseAddress!)
      }
    }
    if status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR || status == MMDB_INVALID_LOOKUP_PATH_ERROR { return nil }
    guard status == MMDB_SUCCESS else {
      throw GeoError(.invalidDatabase, "\(self.path): cannot read \(path.joined(separator: ".")): \(String(cString: MMDB_strerror(status)))")
    }
    return data.has_data ? data : nil
  }

  private func string(_ entry: inout MMDB_entry_s, _ path: String...) throws(GeoError) -> String? {
    guard let d = try entryData(&entry, path), Int32(d.type) == MMDB_DATA_TYPE_UTF8_STRING else { return nil }
    return makeString(d.utf8_string, Int(d.data_size))
  }

  private func double(_ entry: inout MMDB_entry_s, _ path: String...) throws(GeoError) -> Double? {
    guard let d = try entryData(&entry, path) else { return nil }
    return scalar(d).doubleValue
  }

  private func integer(_ entry: inout MMDB_entry_s, _ path: String...) throws(GeoError) -> UInt64? {
    guard let d = try entryData(&entry, path) else { return nil }
    return scalar(d).integerValue
  }

  /// Where the value union starts inside `MMDB_entry_data_s` (its members are not stored properties).
  private static let unionOffset: Int = {
    var probe = MMDB_entry_data_s()
    probe.uint64 = 0x0102_0304_0506_0708
    return withUnsafeBytes(of: probe) { raw in
      (0...(raw.count - 8)).first { raw.loadUnaligned(fromByteOffset: $0, as: UInt64.self) == 0x0102_0304_0506_0708 }!
    }
  }()

  /// The libmaxminddb version this binary runs with.
  public static var libraryVersion: String { String(cString: MMDB_lib_version()) }
}

extension MaxMindDatabase {
  /// Whether records carry countries: by the database type, or failing that by probing
  /// well-populated networks.
  public var hasCountryData: Bool {
    hasType(["country", "city", "enterprise", "insights"]) || probe { $0.countryCode != nil }
  }

  /// Whether records carry coordinates (a city database), by type or by probing.
  public var hasCoordinates: Bool {
    hasType(["city", "enterprise", "insights"]) || probe { $0.latitude != nil && $0.longitude != nil }
  }

  private func hasType(_ words: [String]) -> Bool {
    let type = metadata.databaseType.lowercased()
    return words.contains { type.contains($0) }
  }

  /// Whether any record of a few well-populated networks (public resolvers, large ISPs, and the
  /// networks MaxMind's test databases use) satisfies `test`.
  private func probe(_ test: (GeoRecord) -> Bool) -> Bool {
    let probes = [
      "1.1.1.1", "8.8.8.8", "9.9.9.9", "2.16.0.1", "5.8.1.1", "31.128.0.1", "193.0.0.1", "2a00:1450::1",
      "81.2.69.160", "2.125.160.216", "89.160.20.112",
    ]
    for text in probes {
      guard let address = IPAddress(text), let match = try? lookup(address), let offset = match.recordOffset,
        let record = try? record(at: offset)
      else { continue }
      if test(record) { return true }
    }
    return false
  }
}

extension MaxMindDatabase {
  /// The number of IPv4 addresses behind each data record, from a walk of the search tree's IPv4
  /// part (the whole tree of an IPv4 database; `::/96` of an IPv6 one). Keys are record offsets,
  /// as in `MMDBMatch.recordOffset`.
  /// The corresponding C function is `MMDB_read_node`.
  public func ipv4AddressesByRecord() throws(GeoError) -> [UInt32: UInt64] {
    var out: [UInt32: UInt64] = [:]
    var startNode: UInt32 = 0
    if metadata.ipVersion == 6 {
      // Follow the left branch 96 times to the IPv4 subtree.
      var node: UInt32 = 0
      for _ in 0..<96 {
        var n = MMDB_search_node_s()
        let status = MMDB_read_node(mmdb, node, &n)
        guard status == MMDB_SUCCESS else {
          throw GeoError(.invalidDatabase, "\(path): cannot read node \(node): \(String(cString: MMDB_strerror(status)))")
        }
        switch Int32(n.left_record_type) {
        case MMDB_RECORD_TYPE_SEARCH_NODE:
          node = UInt32(n.left_record)
        case MMDB_RECORD_TYPE_DATA:
          // One record covers all of IPv4.
          out[n.left_record_entry.offset, default: 0] += 1 << 32
          return out
        default:
          return out
        }
      }
      startNode = node
    }
    var stack: [(UInt32, Int)] = [(startNode, 0)]
    var visited = 0
    while let (node, depth) = stack.popLast() {
      visited += 1
      guard visited <= metadata.nodeCount + 1 else {
        throw GeoError(.invalidDatabase, "\(path): search tree has a cycle")
      }
      var n = MMDB_search_node_s()
      let status = MMDB_read_node(mmdb, node, &n)
      guard status == MMDB_SUCCESS else {
        throw GeoError(.invalidDatabase, "\(path): cannot read node \(node): \(String(cString: MMDB_strerror(status)))")
      }
      let size: UInt64 = depth >= 31 ? 1 : 1 << UInt64(31 - depth)
      for (type, record, entry) in [
        (n.left_record_type, n.left_record, n.left_record_entry), (n.right_record_type, n.right_record, n.right_record_entry),
      ] {
        switch Int32(type) {
        case MMDB_RECORD_TYPE_SEARCH_NODE where depth < 31:
          stack.append((UInt32(record), depth + 1))
        case MMDB_RECORD_TYPE_DATA:
          out[entry.offset, default: 0] += size
        default:
          break
        }
      }
    }
    return out
  }

  /// Each country's number of IPv4 addresses in this database.
  public func ipv4AddressesByCountry() throws(GeoError) -> [String: UInt64] {
    var out: [String: UInt64] = [:]
    for (offset, count) in try ipv4AddressesByRecord() {
      if let code = try record(at: offset).countryCode { out[code, default: 0] += count }
    }
    return out
  }
}

// MARK: - Search-tree walk

/// How a lookup that stops at a point of the search tree ends, decided exactly as libmaxminddb's
/// `find_address_in_search_tree` decides it.
enum SearchTreeEnd: Hashable, Sendable {
  /// A data record at this offset of the data section (`MMDBMatch.recordOffset`).
  case record(UInt32)
  /// No data: the lookup succeeds with no record.
  case empty
  /// The record points past the data section: the lookup fails (`MMDB_CORRUPT_SEARCH_TREE_ERROR`).
  case corrupt
  /// The walk stopped at the alias node it was given (the IPv4 subtree of an IPv6 tree); lookups
  /// below continue there.
  case alias
  /// The walk skipped this subtree on request.
  case notWalked
}

/// The leaves of (part of) a search tree in address order. Leaf `i` covers the addresses whose
/// first `depths[i]` bits equal those of `starts[i]`, counted in the tree's own bit space (32
/// bits in an IPv4 tree, 128 in an IPv6 tree; addresses sit in the low bits of `starts`).
/// Together the leaves cover the walked part of the space with no gap or overlap.
struct SearchTreeLeaves: Sendable {
  var starts: [UInt128] = []
  var depths: [UInt8] = []
  var ends: [SearchTreeEnd] = []
  /// Whether some lookup stops only because it ran out of address bits, on a search node.
  var depthExhausted = false

  var count: Int { starts.count }
}

/// Where IPv4 lookups start in the search tree.
struct IPv4StartNode: Sendable, Hashable {
  /// A node number, or (when `depth < 96` in an IPv6 tree) the record that ends every IPv4 lookup.
  var value: UInt32
  /// The bit at which the search continues: 96 in a regular IPv6 tree, 0 in an IPv4 tree.
  var depth: Int
}

extension MaxMindDatabase {
  /// Address bits in the search tree: 32 (IPv4 tree) or 128 (IPv6 tree).
  var treeDepth: Int { Int(mmdb.pointee.depth) }

  /// Where IPv4 lookups start: libmaxminddb's `ipv4_start_node`, found by `MMDB_open` (the node
  /// at `::/96` of an IPv6 tree, or the record that ends the walk before it); the root of an IPv4 tree.
  var ipv4Start: IPv4StartNode {
    guard metadata.ipVersion == 6 else { return IPv4StartNode(value: 0, depth: 0) }
    return IPv4StartNode(value: mmdb.pointee.ipv4_start_node.node_value, depth: Int(mmdb.pointee.ipv4_start_node.netmask))
  }

  /// How a lookup ends on the record `value`, as `find_address_in_search_tree` decides after its
  /// loop (32-bit arithmetic included).
  private func end(of value: UInt32) -> SearchTreeEnd {
    let nodeCount = mmdb.pointee.metadata.node_count
    if value >= nodeCount &+ mmdb.pointee.data_section_size { return .corrupt }
    if value == nodeCount { return .empty }
    // MMDB_DATA_SECTION_SEPARATOR is 16 bytes.
    return .record(value &- nodeCount &- 16)
  }

  /// Walks the search tree from `node` at bit `depth` (with the bits above `depth` taken from
  /// `prefix`) and lists its leaves in address order, exactly where `MMDB_lookup_sockaddr` stops.
  ///
  /// - `alias`: a search node at which the walk stops with `.alias` when it reaches it at a depth
  ///   of at most `aliasMaxDepth` (the IPv4 subtree, reachable from several places of an IPv6 tree).
  /// - `skip`: called with each search node's prefix and depth; `true` stops the walk there with
  ///   `.notWalked`.
  ///
  /// A tree whose nodes are shared so that it has far more paths than nodes (a loop through the
  /// root, or a forged tree) is refused once the leaves exceed a bound proportional to the node count.
  /// The corresponding C function is `MMDB_read_node`.
  func searchTreeLeaves(
    from node: UInt32, depth: Int, prefix: UInt128 = 0, alias: UInt32? = nil, aliasMaxDepth: Int = 0,
    skip: ((UInt128, Int) -> Bool)? = nil
  ) throws(GeoError) -> SearchTreeLeaves {
    let width = treeDepth
    let nodeCount = mmdb.pointee.metadata.node_count
    let limit = 16 * (Int(nodeCount) + 1) + 1024
    var out = SearchTreeLeaves()
    // A tree without shared nodes has one leaf more than it has nodes.
    let expected = Int(nodeCount) + 1
    out.starts.reserveCapacity(expected)
    out.depths.reserveCapacity(expected)
    out.ends.reserveCapacity(expected)
    var stack: [(value: UInt32, depth: Int, start: UInt128)] = [(node, depth, prefix)]
    func emit(_ start: UInt128, _ depth: Int, _ end: SearchTreeEnd) {
      out.starts.append(start)
      out.depths.append(UInt8(depth))
      out.ends.append(end)
    }
    while let (value, depth, start) = stack.popLast() {
      if value >= nodeCount || depth >= width {
        if value < nodeCount { out.depthExhausted = true }
        emit(start, depth, end(of: value))
      } else if let alias, value == alias, depth <= aliasMaxDepth {
        emit(start, depth, .alias)
      } else if let skip, skip(start, depth) {
        emit(start, depth, .notWalked)
      } else {
        var n = MMDB_search_node_s()
        let status = MMDB_read_node(mmdb, value, &n)
        guard status == MMDB_SUCCESS else {
          throw GeoError(.invalidDatabase, "\(path): cannot read search node \(value): \(String(cString: MMDB_strerror(status)))")
        }
        let bit = UInt128(1) << (width - 1 - depth)
        stack.append((UInt32(truncatingIfNeeded: n.right_record), depth + 1, start | bit))
        stack.append((UInt32(truncatingIfNeeded: n.left_record), depth + 1, start))
      }
      if out.count > limit {
        throw GeoError(.invalidDatabase, "\(path): search tree has more than \(limit) leaves for \(nodeCount) nodes (shared or looping nodes)")
      }
    }
    return out
  }
}
