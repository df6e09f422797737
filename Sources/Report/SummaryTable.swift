import Analysis
import NetCore

/// The plain-text summary: a header that says what was read with which database, then the
/// top origins, readable in an 80-column terminal.
public enum SummaryTable {
  public static func render(_ s: Summary, by dimension: Summary.Dimension, top: Int, baseline: Summary? = nil) -> String {
    var out = ""
    let t = s.totals
    let inputs = s.inputs.count == 1 ? s.inputs[0].path : "\(s.inputs.count) inputs"
    // Captures count records and non-IP records; flow logs count flows.
    let flowLogs = t.flows > 0 || (t.records == 0 && t.ipPackets > 0)
    let captures = t.records > 0 || !flowLogs
    var read: [String] = []
    if captures { read.append(plural(t.records, "record")) }
    if flowLogs { read.append(plural(t.flows, "flow")) }
    read.append("\(plural(t.ipPackets, "IP packet")) (\(group(t.ipv4Packets)) IPv4, \(group(t.ipv6Packets)) IPv6)")
    if captures { read.append("\(group(t.nonIPPackets)) non-IP") }
    out += "\(inputs): \(read.joined(separator: ", "))\n"
    if let first = t.firstSeen, let last = t.lastSeen {
      out += "time: \(shortTime(first)) to \(shortTime(last)) (UTC)\n"
    }
    for db in s.databases {
      out += "\(db.role) database: \(db.path) (\(db.type), built \(db.buildDate.iso8601(fractionDigits: 0).prefix(10)))\n"
    }
    if let c = s.capture {
      out += "capture: \(c.interface)\(c.filter.map { " (filter: \($0))" } ?? ""), \(group(c.received)) received, "
      out += "\(group(c.dropped)) dropped by the kernel, \(group(c.interfaceDropped)) by the interface\n"
    }
    for input in s.inputs where input.error != nil {
      out += "\(input.damaged ? "damaged" : "unreadable"): \(input.error!)\n"
    }
    let nonIP = s.linkTypes.values.reduce(into: SkipCounts()) { $0.add($1.nonIP) }
    if !nonIP.byReason.isEmpty {
      out += wrap("non-IP records: ", nonIP.byReason.sorted { $0.key < $1.key }.map { "\(group($0.value)) \($0.key)" })
    }
    if !s.skipped.byReason.isEmpty {
      out += wrap("skipped records: ", s.skipped.byReason.sorted { $0.key < $1.key }.map { "\(group($0.value)) \($0.key)" })
    }
    for input in s.inputs where !input.scaledRecords.isEmpty {
      out += wrap(
        "sampled: ",
        input.scaledRecords.sorted { $0.key < $1.key }.map {
          "\(plural($0.value, "flow record")) of \(input.path) with 1-in-\(group($0.key)) sampling (packets and bytes x\(group($0.key)))"
        })
    }
    out += "\n"

    let ranked = s.ranked(by: dimension)
    let totalSources = max(1, t.sources)
    var rows: [[String]]
    if let baseline {
      // With a baseline: the baseline's own packets and share, and the lift of the packet share.
      let base = baseline.origins(by: dimension)
      let baseTotal = baseline.totals.ipPackets
      rows = [[dimension == .asn ? "ASN" : "ORIGIN", "PACKETS", "%PKT", "SOURCES", "%SRC", "BASE PKT", "BASE%", "LIFT"]]
      for entry in ranked.prefix(top) {
        let c = entry.counters
        let b = base[entry.key]?.packets ?? 0
        rows.append([
          label(entry.key), group(c.packets), percent(c.packets, t.ipPackets), group(c.sources), percent(c.sources, totalSources),
          group(b), percent(b, baseTotal), lift(c.packets, t.ipPackets, b, baseTotal),
        ])
      }
      if ranked.count > top {
        let rest = ranked.dropFirst(top).reduce(into: OriginCounters()) { $0.add($1.counters) }
        let b = ranked.dropFirst(top).reduce(UInt64(0)) { $0 + (base[$1.key]?.packets ?? 0) }
        rows.append([
          "(\(ranked.count - top) more)", group(rest.packets), percent(rest.packets, t.ipPackets), group(rest.sources),
          percent(rest.sources, totalSources), group(b), percent(b, baseTotal), lift(rest.packets, t.ipPackets, b, baseTotal),
        ])
      }
      out += TextTable.render(rows, rightAligned: [1, 2, 3, 4, 5, 6, 7])
      out += "\nBaseline: \(baseline.inputs.map(\.path).joined(separator: ", ")), \(plural(baseTotal, "IP packet")). Lift is\n"
      out += "the packet share here over the share in the baseline.\n"
      out += footer
      return out
    }
    rows = [[dimension == .asn ? "ASN" : "ORIGIN", "PACKETS", "%PKT", "BYTES", "%BYTE", "SOURCES", "%SRC"]]
    for entry in ranked.prefix(top) {
      let c = entry.counters
      rows.append([
        label(entry.key), group(c.packets), percent(c.packets, t.ipPackets), bytes(c.wireBytes),
        percent(c.wireBytes, t.wireBytes), group(c.sources), percent(c.sources, totalSources),
      ])
    }
    if ranked.count > top {
      let rest = ranked.dropFirst(top).reduce(into: OriginCounters()) { $0.add($1.counters) }
      rows.append([
        "(\(ranked.count - top) more)", group(rest.packets), percent(rest.packets, t.ipPackets), bytes(rest.wireBytes),
        percent(rest.wireBytes, t.wireBytes), group(rest.sources), percent(rest.sources, totalSources),
      ])
    }
    out += TextTable.render(rows, rightAligned: [1, 2, 3, 4, 5, 6])
    out += flowLogs ? "\nBytes are wire bytes; a flow record's are its IP bytes.\n" + footer : "\nBytes are wire bytes. " + footer
    return out
  }

  static let footer = "Source-address geography is not attribution: spoofing,\nproxies and botnets all move it.\n"

  /// The lift of a share over its baseline share: `2.35x`; `new` when the baseline has none.
  static func lift(_ part: UInt64, _ whole: UInt64, _ basePart: UInt64, _ baseWhole: UInt64) -> String {
    guard whole > 0, baseWhole > 0 else { return "-" }
    guard basePart > 0 else { return part > 0 ? "new" : "-" }
    let l = (Double(part) / Double(whole)) / (Double(basePart) / Double(baseWhole))
    return fixed(l, 2) + "x"
  }

  static func label(_ key: OriginKey) -> String {
    let text: String
    switch key.kind {
    case .country, .continent: text = "\(key.code) \(key.name)"
    case .asn: text = key.code
    case .special: text = "special: \(key.code)"
    case .unknown: text = "unknown"
    }
    return text.count > 22 ? String(text.prefix(21)) + "…" : text
  }

  /// `prefix` and the items joined with commas, wrapped at 80 columns with indented continuations.
  static func wrap(_ prefix: String, _ items: [String], width: Int = 80) -> String {
    var out = ""
    var line = prefix
    for (i, item) in items.enumerated() {
      let piece = item + (i < items.count - 1 ? "," : "")
      if line.count + 1 + piece.count > width && line.count > prefix.count {
        out += line + "\n"
        line = "  " + piece
      } else {
        line += (line == prefix ? "" : " ") + piece
      }
    }
    return out + line + "\n"
  }

  static func plural(_ n: UInt64, _ noun: String) -> String { "\(group(n)) \(noun)\(n == 1 ? "" : "s")" }

  /// `1234567` as `1,234,567`.
  public static func group(_ n: UInt64) -> String {
    let digits = Array(String(n))
    var out = ""
    for (i, d) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
      out.append(d)
    }
    return out
  }

  static func percent(_ part: UInt64, _ whole: UInt64) -> String { DecimalFormat.percent(part, of: whole) }

  /// Bytes in binary-free decimal units: `512 B`, `1.2 kB`, `3.4 MB`, `5.6 GB`.
  public static func bytes(_ n: UInt64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB"]
    var value = Double(n)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(n) B" : "\(fixed(value, 1)) \(units[unit])"
  }

  static func fixed(_ value: Double, _ digits: Int) -> String { DecimalFormat.fixed(value, digits) }

  static func shortTime(_ t: Timestamp) -> String {
    let s = t.iso8601(fractionDigits: 0)
    return s.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
  }
}

extension String {
  fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
    split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
  }
}
