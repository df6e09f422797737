import Analysis
import NetCore

/// The JSON form of a report: the documented, versioned contract (`docs/summary.md`,
/// `docs/summary.schema.json`). Keys are camelCase and appear in a fixed order.
///
/// The JSON carries everything a renderer needs, so `decode` gives back the same summary, baseline
/// and claims, and any format rendered from it equals the one rendered by the run that wrote it.
/// The top level is a list of sections (`sections`), each writing and reading its own keys; a new
/// section is one more entry there.
public enum SummaryJSON {
  /// The summary version this build writes and reads.
  public static var schemaVersion: Int { Summary.schemaVersion }

  /// The report as JSON.
  public static func encode(_ doc: ReportDocument) -> JSONValue {
    var root: [(String, JSONValue)] = [("schemaVersion", .int(Int64(schemaVersion)))]
    for section in sections { root += section.encode(doc) }
    return .object(root)
  }

  /// The summary, with claim results and evidence findings when claims were checked.
  public static func encode(_ s: Summary, claims: [ClaimResult] = [], evidence: [Finding] = []) -> JSONValue {
    encode(ReportDocument(summary: s, claims: claims, evidence: evidence))
  }

  /// Reads a summary back from JSON text. Errors name `path` and the place: a line and column for
  /// a syntax error, a JSON path for a missing or wrong field, or the schema version.
  public static func decode(_ bytes: [UInt8], path: String) throws(SummaryDecodeError) -> DecodedSummary {
    let value: JSONValue
    do {
      value = try JSONParser.parse(bytes)
    } catch {
      throw SummaryDecodeError(file: path, place: "line \(error.line), column \(error.column)", message: error.message)
    }
    let root = JSONNode(value: value, path: "$", file: path)
    guard case .object = value else {
      throw root.fail("expected a summary (a JSON object with schemaVersion), found \(JSONNode.describe(value))")
    }
    let object = try root.object()
    guard let versionNode = object.optional("schemaVersion") else {
      throw SummaryDecodeError(
        file: path, place: "$", message: "missing \"schemaVersion\": not an OriginCheck summary (analyze --format json writes one)")
    }
    let version = try versionNode.int()
    guard version == Int64(schemaVersion) else {
      let age = version < Int64(schemaVersion) ? "an older" : "a newer"
      throw versionNode.fail(
        "schema version \(version) (written by \(age) origincheck); this origincheck reads version \(schemaVersion): re-run analyze with this version")
    }
    var out = DecodedSummary()
    for section in sections { try section.decode(object, &out) }
    return out
  }

  /// Reads a summary back from JSON text.
  public static func decode(_ text: String, path: String) throws(SummaryDecodeError) -> DecodedSummary {
    try decode(Array(text.utf8), path: path)
  }

  // MARK: - Sections

  /// One part of the top level: the keys it writes (none when it has nothing to say) and how
  /// it reads them back into a decoded summary.
  struct Section: Sendable {
    /// Whether the baseline (a summary nested under `baseline`) has this section too.
    var inBaseline: Bool
    var encode: @Sendable (ReportDocument) -> [(String, JSONValue)]
    var decode: @Sendable (JSONObjectNode, inout DecodedSummary) throws(SummaryDecodeError) -> Void
  }

  /// The top-level sections in the order they are written.
  static let sections: [Section] = [
    Section(
      inBaseline: true,
      encode: { [("inputs", .array($0.summary.inputs.map(input)))] },
      decode: { o, d throws(SummaryDecodeError) in d.summary.inputs = try o.required("inputs").array().map(decodeInput) }),
    Section(
      inBaseline: true,
      encode: { [("databases", .array($0.summary.databases.map(database)))] },
      decode: { o, d throws(SummaryDecodeError) in d.summary.databases = try o.required("databases").array().map(decodeDatabase) }),
    Section(
      inBaseline: true,
      encode: { [("totals", totals($0.summary.totals))] },
      decode: { o, d throws(SummaryDecodeError) in d.summary.totals = try decodeTotals(o.required("totals")) }),
    Section(
      inBaseline: true,
      encode: { [("linkTypes", .array($0.summary.linkTypes.values.sorted { $0.linkType < $1.linkType }.map(linkType)))] },
      decode: { o, d throws(SummaryDecodeError) in
        for node in try o.required("linkTypes").array() {
          let lt = try decodeLinkType(node)
          guard d.summary.linkTypes[lt.linkType] == nil else { throw node.fail("link type \(lt.linkType) appears twice") }
          d.summary.linkTypes[lt.linkType] = lt
        }
      }),
    Section(
      inBaseline: true,
      encode: { [("skipped", counts($0.summary.skipped))] },
      decode: { o, d throws(SummaryDecodeError) in d.summary.skipped = try decodeCounts(o.required("skipped")) }),
    Section(
      inBaseline: true,
      encode: { doc in doc.summary.capture.map { [("capture", capture($0))] } ?? [] },
      decode: { o, d throws(SummaryDecodeError) in
        if let n = o.optional("capture") { d.summary.capture = try decodeCapture(n) }
      }),
    Section(
      inBaseline: true,
      encode: { [("origins", originList($0.summary, .country)), ("continents", originList($0.summary, .continent))] },
      decode: { o, d throws(SummaryDecodeError) in
        d.summary.countries = try decodeOrigins(o.required("origins"), kinds: [.country, .special, .unknown])
        d.summary.continents = try decodeOrigins(o.required("continents"), kinds: [.continent, .special, .unknown])
      }),
    Section(
      inBaseline: true,
      encode: { doc in
        guard doc.summary.databases.contains(where: { $0.role == "asn" }) || !doc.summary.asns.isEmpty else { return [] }
        return [("asns", originList(doc.summary, .asn))]
      },
      decode: { o, d throws(SummaryDecodeError) in
        if let n = o.optional("asns") { d.summary.asns = try decodeOrigins(n, kinds: [.asn, .special, .unknown]) }
      }),
    Section(
      inBaseline: true,
      encode: { doc in
        var out: [(String, JSONValue)] = [("robustOrigins", originList(ranked(doc.summary.robustCountries), names: false))]
        if doc.summary.databases.contains(where: { $0.role == "asn" }) || !doc.summary.robustASNs.isEmpty {
          out.append(("robustAsns", originList(ranked(doc.summary.robustASNs), names: false)))
        }
        return out
      },
      decode: { o, d throws(SummaryDecodeError) in
        d.summary.robustCountries = try decodeOrigins(o.required("robustOrigins"), kinds: [.country, .special, .unknown])
        if let n = o.optional("robustAsns") { d.summary.robustASNs = try decodeOrigins(n, kinds: [.asn, .special, .unknown]) }
      }),
    Section(
      inBaseline: true,
      encode: { doc in
        var out: [(String, JSONValue)] = []
        if !doc.summary.radius.isEmpty { out.append(("radius", radiusList(doc.summary.radius))) }
        if !doc.summary.robustRadius.isEmpty { out.append(("robustRadius", radiusList(doc.summary.robustRadius))) }
        return out
      },
      decode: { o, d throws(SummaryDecodeError) in
        if let n = o.optional("radius") { d.summary.radius = try decodeRadius(n) }
        if let n = o.optional("robustRadius") { d.summary.robustRadius = try decodeRadius(n) }
      }),
    Section(
      inBaseline: false,
      encode: { doc in doc.claims.isEmpty ? [] : [("claims", ClaimsReport.json(doc.claims))] },
      decode: { o, d throws(SummaryDecodeError) in
        if let n = o.optional("claims") { d.claims = try n.array().map(decodeClaim) }
      }),
    Section(
      inBaseline: true,
      encode: { doc in [("evidence", evidence(doc))] },
      decode: { o, d throws(SummaryDecodeError) in try decodeEvidence(o.required("evidence"), into: &d) }),
    Section(
      inBaseline: false,
      encode: { doc in doc.summary.window.map { [("window", windowCounts($0))] } ?? [] },
      decode: { o, d throws(SummaryDecodeError) in
        if let n = o.optional("window") { d.summary.window = try decodeWindow(n) }
      }),
    Section(
      inBaseline: false,
      encode: { doc in
        guard let width = doc.summary.bucketWidth else { return [] }
        return [
          ("bucketSeconds", .double(Double(width) / 1e9)),
          ("buckets", .array(doc.summary.buckets.map(windowCounts))),
          ("bursts", .array(doc.summary.bursts.map(windowCounts))),
        ]
      },
      decode: { o, d throws(SummaryDecodeError) in
        guard let n = o.optional("bucketSeconds") else { return }
        let seconds = try n.number()
        guard seconds > 0, seconds * 1e9 < 9e18 else { throw n.fail("expected a positive number of seconds, found \(seconds)") }
        d.summary.bucketWidth = Int64((seconds * 1e9).rounded())
        d.summary.buckets = try o.required("buckets").array().map(decodeWindow)
        d.summary.bursts = try o.required("bursts").array().map(decodeWindow)
      }),
    Section(
      inBaseline: false,
      encode: { doc in
        guard let baseline = doc.baseline else { return [] }
        let inner = ReportDocument(summary: baseline)
        return [("baseline", .object(sections.filter(\.inBaseline).flatMap { $0.encode(inner) }))]
      },
      decode: { o, d throws(SummaryDecodeError) in
        guard let n = o.optional("baseline") else { return }
        let object = try n.object()
        var inner = DecodedSummary()
        for section in sections where section.inBaseline { try section.decode(object, &inner) }
        d.baseline = inner.summary
      }),
    Section(
      inBaseline: false,
      encode: { doc in [("distinct", DistinctJSON.encode(doc.summary.distinct))] },
      decode: { o, d throws(SummaryDecodeError) in d.summary.distinct = try DistinctJSON.decode(o.required("distinct")) }),
  ]

  // MARK: - Encoding

  /// A time as RFC 3339 in UTC with as many fractional digits (none, 3, 6 or 9) as it needs to be
  /// exact.
  static func time(_ t: Timestamp) -> String {
    let frac = t.nanoseconds - t.seconds * 1_000_000_000
    let digits = frac == 0 ? 0 : frac % 1_000_000 == 0 ? 3 : frac % 1000 == 0 ? 6 : 9
    return t.iso8601(fractionDigits: digits)
  }

  static func input(_ i: InputSummary) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("path", .string(i.path)), ("format", .string(i.format)), ("compressed", .bool(i.compressed)),
      ("linkTypes", .array(i.linkTypes.map { .string($0) })), ("records", .uint(i.records)),
      ("damaged", .bool(i.damaged)), ("error", .optional(i.error)),
    ]
    if !i.scaledRecords.isEmpty {
      fields.append(
        (
          "sampling",
          .array(
            i.scaledRecords.sorted { $0.key < $1.key }.map {
              .object([("interval", .uint($0.key)), ("records", .uint($0.value))])
            })
        ))
    }
    return .object(fields)
  }

  static func capture(_ c: CaptureCounts) -> JSONValue {
    .object([
      ("interface", .string(c.interface)), ("filter", .optional(c.filter)), ("received", .uint(c.received)),
      ("dropped", .uint(c.dropped)), ("interfaceDropped", .uint(c.interfaceDropped)),
    ])
  }

  static func database(_ d: DatabaseInfo) -> JSONValue {
    .object([
      ("role", .string(d.role)), ("path", .string(d.path)), ("type", .string(d.type)), ("buildDate", .string(time(d.buildDate))),
    ])
  }

  static func totals(_ t: Totals) -> JSONValue {
    .object([
      ("records", .uint(t.records)), ("ipPackets", .uint(t.ipPackets)), ("ipv4Packets", .uint(t.ipv4Packets)),
      ("ipv6Packets", .uint(t.ipv6Packets)), ("nonIPPackets", .uint(t.nonIPPackets)), ("wireBytes", .uint(t.wireBytes)),
      ("ipBytes", .uint(t.ipBytes)), ("flows", .uint(t.flows)), ("sources", .uint(t.sources)),
      ("firstSeen", .optional(t.firstSeen.map(time))), ("lastSeen", .optional(t.lastSeen.map(time))),
    ])
  }

  static func linkType(_ lt: LinkTypeCounts) -> JSONValue {
    .object([
      ("linkType", .uint(UInt64(lt.linkType))), ("name", .string(lt.name)), ("records", .uint(lt.records)),
      ("ipPackets", .uint(lt.ipPackets)), ("nonIP", counts(lt.nonIP)),
    ])
  }

  static func counts(_ c: SkipCounts) -> JSONValue {
    .object(c.byReason.sorted { $0.key < $1.key }.map { ($0.key, .uint($0.value)) })
  }

  /// Origins largest first by packets, then bytes, then key.
  static func ranked(_ table: [OriginKey: OriginCounters]) -> [(key: OriginKey, counters: OriginCounters)] {
    table.map { (key: $0.key, counters: $0.value) }.sorted {
      if $0.counters.packets != $1.counters.packets { return $0.counters.packets > $1.counters.packets }
      if $0.counters.wireBytes != $1.counters.wireBytes { return $0.counters.wireBytes > $1.counters.wireBytes }
      return $0.key < $1.key
    }
  }

  static func originList(_ s: Summary, _ dimension: Summary.Dimension) -> JSONValue {
    originList(s.ranked(by: dimension), names: true)
  }

  static func originList(_ entries: [(key: OriginKey, counters: OriginCounters)], names: Bool) -> JSONValue {
    .array(
      entries.map { entry in
        var fields: [(String, JSONValue)] = [("kind", .string(entry.key.kind.rawValue)), ("code", .string(entry.key.code))]
        if names { fields.append(("name", .string(entry.key.name))) }
        return .object(fields + counters(entry.counters, reflection: .always))
      })
  }

  enum ReflectionFields { case always, whenNonZero }

  /// An origin's counters: packets, wire bytes, IP bytes, flows, distinct sources and reflection traffic.
  static func counters(_ c: OriginCounters, reflection: ReflectionFields) -> [(String, JSONValue)] {
    var out: [(String, JSONValue)] = [
      ("packets", .uint(c.packets)), ("wireBytes", .uint(c.wireBytes)), ("ipBytes", .uint(c.ipBytes)), ("flows", .uint(c.flows)),
      ("sources", .uint(c.sources)),
    ]
    if reflection == .always || c.reflectionPackets != 0 || c.reflectionBytes != 0 {
      out += [("reflectionPackets", .uint(c.reflectionPackets)), ("reflectionBytes", .uint(c.reflectionBytes))]
    }
    return out
  }

  static func radiusList(_ radius: [String: OriginCounters]) -> JSONValue {
    .array(
      radius.sorted { $0.key < $1.key }.map { .object([("area", .string($0.key))] + counters($0.value, reflection: .always)) })
  }

  static func evidence(_ doc: ReportDocument) -> JSONValue {
    let e = doc.summary.evidence
    var fields: [(String, JSONValue)] = []
    if !doc.claims.isEmpty { fields.append(("findings", .array(doc.evidence.map(ClaimsReport.finding)))) }
    fields += [
      ("ipv4Sources", .uint(e.ipv4Sources)), ("ipv4SpecialSources", .uint(e.ipv4SpecialSources)),
      ("sourcesByPackets", .array(e.sourcesByPackets.map { .uint($0) })),
      ("sourcesByHops", .array(e.sourcesByHops.map { .uint($0) })),
      ("sourcesByInitialTTL", .object(e.sourcesByInitialTTL.sorted { $0.key < $1.key }.map { (String($0.key), .uint($0.value)) })),
      ("reflectionPackets", .uint(e.reflectionPackets)), ("reflectionBytes", .uint(e.reflectionBytes)),
      ("otherDestinationPackets", .uint(e.otherDestinationPackets)),
    ]
    if !doc.addressSpace.isEmpty {
      fields.append(("ipv4AddressSpace", .object(doc.addressSpace.sorted { $0.key < $1.key }.map { ($0.key, .uint($0.value)) })))
    }
    return .object(fields)
  }

  /// A time window's counts: in total, by country and by radius area.
  static func windowCounts(_ w: WindowCounts) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("label", .string(w.label)), ("start", .string(time(w.window.start))), ("end", .string(time(w.window.end))),
    ]
    fields += counters(w.totals, reflection: .whenNonZero)
    fields.append(
      (
        "origins",
        .array(
          ranked(w.countries).map {
            .object([("kind", .string($0.key.kind.rawValue)), ("code", .string($0.key.code))] + counters($0.counters, reflection: .whenNonZero))
          })
      ))
    if !w.radius.isEmpty { fields.append(("radius", radiusList(w.radius))) }
    return .object(fields)
  }

  // MARK: - Decoding

  static func decodeInput(_ n: JSONNode) throws(SummaryDecodeError) -> InputSummary {
    let o = try n.object()
    var input = InputSummary(
      path: try o.required("path").string(), format: try o.required("format").string(),
      compressed: try o.required("compressed").bool(), linkTypes: try o.required("linkTypes").array().map { n throws(SummaryDecodeError) in try n.string() },
      records: try o.required("records").count(), error: try o.required("error").optionalString(),
      damaged: try o.required("damaged").bool())
    if let sampling = o.optional("sampling") {
      for item in try sampling.array() {
        let entry = try item.object()
        let interval = try entry.required("interval")
        guard input.scaledRecords[try interval.count()] == nil else { throw interval.fail("sampling interval appears twice") }
        input.scaledRecords[try interval.count()] = try entry.required("records").count()
      }
    }
    return input
  }

  static func decodeCapture(_ n: JSONNode) throws(SummaryDecodeError) -> CaptureCounts {
    let o = try n.object()
    return CaptureCounts(
      interface: try o.required("interface").string(), filter: try o.required("filter").optionalString(),
      received: try o.required("received").count(), dropped: try o.required("dropped").count(),
      interfaceDropped: try o.required("interfaceDropped").count())
  }

  static func decodeDatabase(_ n: JSONNode) throws(SummaryDecodeError) -> DatabaseInfo {
    let o = try n.object()
    return DatabaseInfo(
      role: try o.required("role").string(), path: try o.required("path").string(), type: try o.required("type").string(),
      buildDate: try o.required("buildDate").timestamp())
  }

  static func decodeTotals(_ n: JSONNode) throws(SummaryDecodeError) -> Totals {
    let o = try n.object()
    var t = Totals()
    t.records = try o.required("records").count()
    t.ipPackets = try o.required("ipPackets").count()
    t.ipv4Packets = try o.required("ipv4Packets").count()
    t.ipv6Packets = try o.required("ipv6Packets").count()
    t.nonIPPackets = try o.required("nonIPPackets").count()
    t.wireBytes = try o.required("wireBytes").count()
    t.ipBytes = try o.required("ipBytes").count()
    t.flows = try o.required("flows").count()
    t.sources = try o.required("sources").count()
    t.firstSeen = try o.required("firstSeen").optionalTimestamp()
    t.lastSeen = try o.required("lastSeen").optionalTimestamp()
    return t
  }

  static func decodeLinkType(_ n: JSONNode) throws(SummaryDecodeError) -> LinkTypeCounts {
    let o = try n.object()
    let number = try o.required("linkType")
    let value = try number.count()
    guard value <= UInt64(UInt32.max) else { throw number.fail("expected a link type number below 2^32, found \(value)") }
    var lt = LinkTypeCounts(linkType: UInt32(value), name: try o.required("name").string())
    lt.records = try o.required("records").count()
    lt.ipPackets = try o.required("ipPackets").count()
    lt.nonIP = try decodeCounts(o.required("nonIP"))
    return lt
  }

  static func decodeCounts(_ n: JSONNode) throws(SummaryDecodeError) -> SkipCounts {
    var c = SkipCounts()
    for (key, node) in try n.object().members { c.byReason[key] = try node.count() }
    return c
  }

  static let kindNames = ["country", "continent", "asn", "special", "unknown"]

  static func decodeCounters(_ o: JSONObjectNode, reflectionRequired: Bool) throws(SummaryDecodeError) -> OriginCounters {
    var c = OriginCounters()
    c.packets = try o.required("packets").count()
    c.wireBytes = try o.required("wireBytes").count()
    c.ipBytes = try o.required("ipBytes").count()
    c.flows = try o.required("flows").count()
    c.sources = try o.required("sources").count()
    if reflectionRequired {
      c.reflectionPackets = try o.required("reflectionPackets").count()
      c.reflectionBytes = try o.required("reflectionBytes").count()
    } else {
      c.reflectionPackets = try o.optional("reflectionPackets")?.count() ?? 0
      c.reflectionBytes = try o.optional("reflectionBytes")?.count() ?? 0
    }
    return c
  }

  static func decodeOrigins(
    _ n: JSONNode, kinds: Set<OriginKey.Kind>, reflectionRequired: Bool = true
  ) throws(SummaryDecodeError) -> [OriginKey: OriginCounters] {
    var out: [OriginKey: OriginCounters] = [:]
    for item in try n.array() {
      let o = try item.object()
      let kindNode = try o.required("kind")
      let kind = try kindNode.oneOf(OriginKey.Kind.self, kindNames)
      guard kinds.contains(kind) else {
        throw kindNode.fail("an origin of kind \"\(kind.rawValue)\" does not belong here (expected \(kinds.sorted().map(\.rawValue).joined(separator: ", ")))")
      }
      let key = OriginKey(kind: kind, code: try o.required("code").string())
      guard out[key] == nil else { throw item.fail("origin \(key.kind.rawValue) \"\(key.code)\" appears twice") }
      out[key] = try decodeCounters(o, reflectionRequired: reflectionRequired)
    }
    return out
  }

  static func decodeRadius(_ n: JSONNode) throws(SummaryDecodeError) -> [String: OriginCounters] {
    var out: [String: OriginCounters] = [:]
    for item in try n.array() {
      let o = try item.object()
      let area = try o.required("area").string()
      guard out[area] == nil else { throw item.fail("radius area \"\(area)\" appears twice") }
      out[area] = try decodeCounters(o, reflectionRequired: true)
    }
    return out
  }

  static func decodeEvidence(_ n: JSONNode, into d: inout DecodedSummary) throws(SummaryDecodeError) {
    let o = try n.object()
    var e = EvidenceStats()
    e.ipv4Sources = try o.required("ipv4Sources").count()
    e.ipv4SpecialSources = try o.required("ipv4SpecialSources").count()
    e.sourcesByPackets = try histogram(o.required("sourcesByPackets"), length: e.sourcesByPackets.count)
    e.sourcesByHops = try histogram(o.required("sourcesByHops"), length: e.sourcesByHops.count)
    for (key, node) in try o.required("sourcesByInitialTTL").object().members {
      guard let ttl = UInt8(key), [32, 64, 128, 255].contains(ttl) else {
        throw node.fail("expected an initial TTL of 32, 64, 128 or 255 as the key, found \"\(key)\"")
      }
      e.sourcesByInitialTTL[ttl] = try node.count()
    }
    e.reflectionPackets = try o.required("reflectionPackets").count()
    e.reflectionBytes = try o.required("reflectionBytes").count()
    e.otherDestinationPackets = try o.required("otherDestinationPackets").count()
    d.summary.evidence = e
    if let space = o.optional("ipv4AddressSpace") {
      for (key, node) in try space.object().members { d.addressSpace[key] = try node.count() }
    }
  }

  static func histogram(_ n: JSONNode, length: Int) throws(SummaryDecodeError) -> [UInt64] {
    let items = try n.array()
    guard items.count == length else { throw n.fail("expected an array of \(length) counts, found \(items.count)") }
    return try items.map { n throws(SummaryDecodeError) in try n.count() }
  }

  static func decodeWindow(_ n: JSONNode) throws(SummaryDecodeError) -> WindowCounts {
    let o = try n.object()
    let startNode = try o.required("start")
    let start = try startNode.timestamp()
    let end = try o.required("end").timestamp()
    guard start <= end else { throw startNode.fail("the window starts after it ends") }
    var w = WindowCounts(window: TimeWindow(start: start, end: end), label: try o.required("label").string())
    w.totals = try decodeCounters(o, reflectionRequired: false)
    w.countries = try decodeOrigins(o.required("origins"), kinds: [.country, .special, .unknown], reflectionRequired: false)
    if let r = o.optional("radius") { w.radius = try decodeRadius(r) }
    return w
  }

  static let originKinds = ["countries", "radius", "asn"]

  static func decodeClaim(_ n: JSONNode) throws(SummaryDecodeError) -> CheckedClaim {
    let o = try n.object()
    let textNode = try o.required("claim")
    let text = try textNode.string()
    let claim: Claim
    do {
      claim = try Claim.parse(text)
    } catch {
      throw textNode.fail(error.message)
    }
    let name = try o.required("origin").string()
    let title = try o.required("originTitle").string()
    let kindNode = try o.required("originKind")
    let membership: ClaimedOrigin.Membership
    switch try kindNode.string() {
    case "countries":
      let codes = try o.required("originCountries").array().map { n throws(SummaryDecodeError) in try n.string() }
      membership = .countries(Set(codes))
    case "radius": membership = .radius(name)
    case "asn": membership = .asn(name)
    case let other: throw kindNode.fail("expected one of \(originKinds.map { "\"\($0)\"" }.joined(separator: ", ")), found \"\(other)\"")
    }
    return CheckedClaim(claim: claim, origin: ClaimedOrigin(name: name, title: title, membership: membership))
  }
}
