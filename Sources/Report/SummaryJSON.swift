import Analysis
import NetCore

/// The JSON form of a `Summary`: the documented, versioned contract (`docs/summary.md`,
/// `docs/summary.schema.json`). Keys are camelCase and appear in a fixed order.
public enum SummaryJSON {
  /// The summary, with claim results and evidence findings when claims were checked.
  public static func encode(_ s: Summary, claims: [ClaimResult] = [], evidence: [Finding]? = nil) -> JSONValue {
    var root: [(String, JSONValue)] = [
      ("schemaVersion", .int(Int64(Summary.schemaVersion))),
      ("inputs", .array(s.inputs.map(input))),
      ("databases", .array(s.databases.map(database))),
      ("totals", totals(s.totals)),
      (
        "linkTypes",
        .array(
          s.linkTypes.values.sorted { $0.linkType < $1.linkType }.map { lt in
            .object([
              ("linkType", .uint(UInt64(lt.linkType))), ("name", .string(lt.name)), ("records", .uint(lt.records)),
              ("ipPackets", .uint(lt.ipPackets)), ("nonIP", counts(lt.nonIP)),
            ])
          })
      ),
      ("skipped", counts(s.skipped)),
      ("origins", origins(s, .country)),
      ("continents", origins(s, .continent)),
    ]
    if let c = s.capture { root.insert(("capture", capture(c)), at: 6) }
    if s.databases.contains(where: { $0.role == "asn" }) { root.append(("asns", origins(s, .asn))) }
    if !claims.isEmpty { root.append(("claims", ClaimsReport.json(claims))) }
    if let evidence { root.append(("evidence", ClaimsReport.evidenceJSON(evidence, stats: s.evidence))) }
    if let w = s.window { root.append(("window", ClaimsReport.windowJSON(w))) }
    if let width = s.bucketWidth {
      root.append(("bucketSeconds", .double(Double(width) / 1e9)))
      root.append(("buckets", .array(s.buckets.map(ClaimsReport.windowJSON))))
      root.append(("bursts", .array(s.bursts.map(ClaimsReport.windowJSON))))
    }
    return .object(root)
  }

  static func input(_ i: InputSummary) -> JSONValue {
    .object([
      ("path", .string(i.path)), ("format", .string(i.format)), ("compressed", .bool(i.compressed)),
      ("linkTypes", .array(i.linkTypes.map { .string($0) })), ("records", .uint(i.records)),
      ("damaged", .bool(i.damaged)), ("error", .optional(i.error)),
    ])
  }

  static func capture(_ c: CaptureCounts) -> JSONValue {
    .object([
      ("interface", .string(c.interface)), ("filter", .optional(c.filter)), ("received", .uint(c.received)),
      ("dropped", .uint(c.dropped)), ("interfaceDropped", .uint(c.interfaceDropped)),
    ])
  }

  static func database(_ d: DatabaseInfo) -> JSONValue {
    .object([
      ("role", .string(d.role)), ("path", .string(d.path)), ("type", .string(d.type)),
      ("buildDate", .string(d.buildDate.iso8601(fractionDigits: 0))),
    ])
  }

  static func totals(_ t: Totals) -> JSONValue {
    .object([
      ("records", .uint(t.records)), ("ipPackets", .uint(t.ipPackets)), ("ipv4Packets", .uint(t.ipv4Packets)),
      ("ipv6Packets", .uint(t.ipv6Packets)), ("nonIPPackets", .uint(t.nonIPPackets)), ("wireBytes", .uint(t.wireBytes)),
      ("ipBytes", .uint(t.ipBytes)), ("flows", .uint(t.flows)), ("sources", .uint(t.sources)),
      ("firstSeen", .optional(t.firstSeen?.iso8601())), ("lastSeen", .optional(t.lastSeen?.iso8601())),
    ])
  }

  static func counts(_ c: SkipCounts) -> JSONValue {
    .object(c.byReason.sorted { $0.key < $1.key }.map { ($0.key, .uint($0.value)) })
  }

  static func origins(_ s: Summary, _ dimension: Summary.Dimension) -> JSONValue {
    .array(
      s.ranked(by: dimension).map { entry in
        .object([
          ("kind", .string(entry.key.kind.rawValue)), ("code", .string(entry.key.code)), ("name", .string(entry.key.name)),
          ("packets", .uint(entry.counters.packets)), ("wireBytes", .uint(entry.counters.wireBytes)),
          ("ipBytes", .uint(entry.counters.ipBytes)), ("flows", .uint(entry.counters.flows)),
          ("sources", .uint(entry.counters.sources)),
        ])
      })
  }
}
