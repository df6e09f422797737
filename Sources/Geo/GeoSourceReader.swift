import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// One range of a geolocation source with its country or ASN.
public struct SourceRange: Sendable, Hashable {
  public var first: IPAddress
  public var last: IPAddress
  /// ISO 3166-1 alpha-2 code as the source spells it (`UA`, `??`, `EU`).
  public var country: String?
  public var asn: UInt32?
  public var organization: String?
}

/// Reads the range files `geodb build` accepts, line by line, with the line number in every error.
///
/// Layouts, detected per line:
/// - Tor `geoip`: `INTLOW,INTHIGH,CC` with IPv4 addresses as integers; Tor `geoip6`:
///   `LOW,HIGH,CC` with IPv6 addresses (the files of Debian's `tor-geoipdb`, IPFire Location data).
/// - Country CSV: `first,last,country` (DB-IP Lite; IP2Location LITE DB1 with quoted integer
///   addresses and a fourth name column) or `cidr,country`.
/// - ASN CSV: `cidr,asn,organisation` (GeoLite2-ASN CSV) or `first,last,asn,organisation`
///   (DB-IP ASN Lite). An `AS` prefix on the number is accepted.
/// A first line that does not parse as data is taken as a header when it has no digits in its
/// first field. `#` starts a comment line; blank lines are skipped.
public enum GeoSourceReader {
  public enum Layout: Sendable { case country, asn }

  /// Reads every range of a file. `generated` is the source's own date, when its header gives one.
  public static func read(path: String, layout: Layout) throws(GeoError) -> (ranges: [SourceRange], generated: Int64?) {
    let text = try readFile(path)
    var ranges: [SourceRange] = []
    var generated: Int64? = nil
    var lineNumber = 0
    var sawData = false
    // "\r\n" is one Character in Swift: splitting on "\n" alone would leave a CRLF file one line.
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
      lineNumber += 1
      var line = Substring(rawLine)
      if line.hasSuffix("\r") { line = line.dropLast() }
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
      if line.hasPrefix("#") {
        if generated == nil, let r = line.firstRange(of: "Generated:") {
          generated = parseRFC2822(line[r.upperBound...].trimmingCharacters(in: " "))
        }
        continue
      }
      let fields = splitCSV(line)
      do {
        let range = try parse(fields, layout: layout)
        ranges.append(range)
        sawData = true
      } catch let reason {
        if !sawData && lineNumber <= 1 + (generated == nil ? 0 : 0), isHeader(fields) { continue }
        throw GeoError(.badSourceLine, "\(path):\(lineNumber): \(reason.text): \(preview(line))")
      }
    }
    if ranges.isEmpty {
      throw GeoError(.badSourceLine, "\(path): no ranges found (expected \(layout == .country ? "first,last,country or cidr,country" : "cidr,asn,organisation") lines)")
    }
    return (ranges, generated)
  }

  struct Reason: Error { let text: String }

  static func isHeader(_ fields: [Substring]) -> Bool {
    guard let first = fields.first else { return false }
    return !first.contains(where: { $0.isNumber }) && !first.contains(":")
  }

  static func preview(_ line: Substring) -> String {
    line.count > 80 ? String(line.prefix(77)) + "..." : String(line)
  }

  /// A field as quoted in an error: at most 40 characters, so a giant line gives a short message.
  static func short(_ field: some StringProtocol) -> String {
    field.count > 40 ? String(field.prefix(37)) + "..." : String(field)
  }

  static func parse(_ fields: [Substring], layout: Layout) throws(Reason) -> SourceRange {
    switch layout {
    case .country:
      if fields.count == 2 {
        guard let net = IPNetwork(fields[0]), fields[0].contains("/") else {
          throw Reason(text: "expected cidr,country; '\(short(fields[0]))' is not a network")
        }
        return SourceRange(first: net.address, last: net.lastAddress, country: try code(fields[1]))
      }
      guard fields.count >= 3 else {
        throw Reason(text: "expected first,last,country or cidr,country (\(fields.count) field\(fields.count == 1 ? "" : "s"))")
      }
      let (first, last) = try bounds(fields[0], fields[1])
      return SourceRange(first: first, last: last, country: try code(fields[2]))
    case .asn:
      if fields.count >= 2, fields[0].contains("/") {
        guard let net = IPNetwork(fields[0]) else { throw Reason(text: "'\(short(fields[0]))' is not a network") }
        return SourceRange(
          first: net.address, last: net.lastAddress, asn: try asn(fields[1]),
          organization: fields.count > 2 ? String(fields[2]) : nil)
      }
      guard fields.count >= 3 else { throw Reason(text: "expected cidr,asn,organisation or first,last,asn,organisation") }
      let (first, last) = try bounds(fields[0], fields[1])
      return SourceRange(first: first, last: last, asn: try asn(fields[2]), organization: fields.count > 3 ? String(fields[3]) : nil)
    }
  }

  static func code(_ field: Substring) throws(Reason) -> String {
    let c = field.trimmingCharacters(in: " ")
    guard c == "-" || (c.count == 2 && c.utf8.allSatisfy({ ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 63 })) else {
      throw Reason(text: "'\(short(c))' is not a two-letter country code")
    }
    return c == "-" ? "??" : c.uppercased()
  }

  static func asn(_ field: Substring) throws(Reason) -> UInt32 {
    var f = field.trimmingCharacters(in: " ")
    if f.uppercased().hasPrefix("AS") { f = String(f.dropFirst(2)) }
    guard let n = UInt32(f) else { throw Reason(text: "'\(short(field))' is not an AS number") }
    return n
  }

  /// Parses a range's bounds: addresses in text, or integers (Tor IPv4, IP2Location).
  static func bounds(_ a: Substring, _ b: Substring) throws(Reason) -> (IPAddress, IPAddress) {
    guard let first = address(a) else { throw Reason(text: "'\(short(a))' is not an address") }
    guard let last = address(b) else { throw Reason(text: "'\(short(b))' is not an address") }
    guard first.isIPv4 == last.isIPv4 else { throw Reason(text: "range mixes IPv4 and IPv6") }
    guard first <= last else { throw Reason(text: "range ends before it starts") }
    return (first, last)
  }

  static func address(_ field: Substring) -> IPAddress? {
    let f = field.trimmingCharacters(in: " ")
    if !f.isEmpty, f.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), f.count <= 39 {
      // An integer: IPv4 up to 2^32-1, otherwise IPv6 (IPv4-mapped values become IPv4).
      guard let v = UInt128(f) else { return nil }
      if v <= UInt128(UInt32.max) { return .v4(IPv4Address(UInt32(v))) }
      let six = IPv6Address(high: UInt64(truncatingIfNeeded: v >> 64), low: UInt64(truncatingIfNeeded: v))
      if let mapped = six.mappedIPv4 { return .v4(mapped) }
      return .v6(six)
    }
    return IPAddress(f)
  }

  /// Splits a CSV line (RFC 4180 quoting).
  static func splitCSV(_ line: Substring) -> [Substring] {
    if !line.contains("\"") { return line.split(separator: ",", omittingEmptySubsequences: false) }
    var out: [Substring] = []
    var current = ""
    var quoted = false
    var iterator = line.makeIterator()
    while let c = iterator.next() {
      if quoted {
        if c == "\"" {
          quoted = false
        } else {
          current.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        out.append(Substring(current))
        current = ""
      } else {
        current.append(c)
      }
    }
    out.append(Substring(current))
    return out
  }

  static func readFile(_ path: String) throws(GeoError) -> String {
    guard let f = fopen(path, "rb") else {
      throw GeoError(.unreadable, "\(path): cannot open: \(String(cString: strerror(errno)))")
    }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = fread(&buffer, 1, buffer.count, f)
      if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
      if n < buffer.count {
        if ferror(f) != 0 { throw GeoError(.unreadable, "\(path): read error: \(String(cString: strerror(errno)))") }
        break
      }
    }
    if bytes.starts(with: [0x1f, 0x8b]) {
      throw GeoError(.badSourceLine, "\(path): compressed; decompress it first (gunzip)")
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Parses `Thu, 25 Jun 2026 04:33:59 GMT` to seconds since the epoch.
  static func parseRFC2822(_ text: String) -> Int64? {
    let parts = text.split(separator: " ")
    guard parts.count >= 5 else { return nil }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard let day = Int64(parts[1]), let m = months.firstIndex(of: String(parts[2])), let year = Int64(parts[3]),
      (1...31).contains(day), (1...9999).contains(year)
    else { return nil }
    let hms = parts[4].split(separator: ":").compactMap { Int64($0) }
    guard hms.count == 3, (0..<24).contains(hms[0]), (0..<60).contains(hms[1]), (0...60).contains(hms[2]) else { return nil }
    return Timestamp.days(year: year, month: Int64(m + 1), day: day) * 86400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
  }
}

extension StringProtocol {
  func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set || s.first == "\t" { s = s.dropFirst() }
    while s.last == set || s.last == "\t" { s = s.dropLast() }
    return String(s)
  }
}
