import NetCore

/// Why summaries cannot be merged.
public struct MergeError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

extension Summary {
  /// Combines the summaries of separate runs (other files, other machines) into the summary of all
  /// their input.
  ///
  /// Packets, bytes, flows, per-bucket and per-window counters add exactly. Distinct sources are the
  /// size of the union of the runs' source sets: exact while the sets are exact, a HyperLogLog
  /// estimate beyond (`SourceSet`). Bursts are found again on the merged buckets. Per-address
  /// evidence (packets per source, hop counts, the spoof-free robust counts) cannot be joined
  /// address by address across runs: it adds, and `distinct.runs` says how many runs it came from
  /// (docs/summary.md, "Merging").
  ///
  /// The runs must have used the same databases (type and build date) and, when they counted
  /// buckets or a window, the same bucket width and window.
  public static func merged(_ parts: [Summary]) throws(MergeError) -> Summary {
    guard var out = parts.first else { throw MergeError("nothing to merge") }
    for (i, s) in parts.enumerated().dropFirst() {
      try out.merge(s, index: i + 1)
    }
    if parts.count > 1 {
      out.bursts = Bursts.detect(out.buckets).enumerated().map { i, range in out.burst(range, label: "burst-\(i + 1)") }
    }
    return out
  }

  private mutating func merge(_ s: Summary, index: Int) throws(MergeError) {
    let mine = databases.map { "\($0.role) \($0.type) \($0.buildDate.iso8601(fractionDigits: 0))" }
    let theirs = s.databases.map { "\($0.role) \($0.type) \($0.buildDate.iso8601(fractionDigits: 0))" }
    guard mine == theirs else {
      throw MergeError(
        "summary \(index) used other databases (\(theirs.joined(separator: ", "))) than summary 1 (\(mine.joined(separator: ", ")))")
    }
    if let w = window, let v = s.window, w.window != v.window {
      throw MergeError("summary \(index) counted another --window than summary 1")
    }
    if (window == nil) != (s.window == nil) { throw MergeError("summary \(index) and summary 1 differ in --window") }
    if bucketWidth != s.bucketWidth { throw MergeError("summary \(index) and summary 1 differ in --bucket width") }

    inputs += s.inputs
    if let theirs = s.capture {
      var combined = capture ?? CaptureCounts(interface: theirs.interface, filter: theirs.filter)
      combined.add(theirs)
      capture = combined
    }
    totals.addCounters(s.totals)
    totals.firstSeen = [totals.firstSeen, s.totals.firstSeen].compactMap { $0 }.min()
    totals.lastSeen = [totals.lastSeen, s.totals.lastSeen].compactMap { $0 }.max()
    for (k, v) in s.linkTypes {
      var c = linkTypes[k] ?? LinkTypeCounts(linkType: v.linkType, name: v.name)
      c.records &+= v.records
      c.ipPackets &+= v.ipPackets
      c.nonIP.add(v.nonIP)
      linkTypes[k] = c
    }
    skipped.add(s.skipped)
    evidence.add(s.evidence)
    Self.add(&robustCountries, s.robustCountries)
    Self.add(&robustASNs, s.robustASNs)
    Self.add(&robustRadius, s.robustRadius)

    distinct.samplingLevel = max(distinct.samplingLevel, s.distinct.samplingLevel)
    distinct.runs += s.distinct.runs
    distinct.total.formUnion(s.distinct.total)
    totals.sources = distinct.total.count
    Self.add(&countries, s.countries, sets: &distinct.countries, s.distinct.countries)
    Self.add(&continents, s.continents, sets: &distinct.continents, s.distinct.continents)
    Self.add(&asns, s.asns, sets: &distinct.asns, s.distinct.asns)
    Self.add(&radius, s.radius, sets: &distinct.radius, s.distinct.radius)

    if var w = window, let v = s.window {
      if var sets = distinct.window, let theirs = s.distinct.window {
        Self.add(&w.countries, v.countries, sets: &sets, theirs)
        distinct.window = sets
      } else {
        Self.add(&w.countries, v.countries)
        distinct.window = nil
      }
      Self.add(&w.radius, v.radius)
      w.totals = w.countries.values.reduce(into: OriginCounters()) { $0.add($1) }
      window = w
    }

    if let width = bucketWidth {
      var byStart: [Int64: WindowCounts] = [:]
      for b in buckets + s.buckets {
        if var existing = byStart[b.window.start.nanoseconds] {
          Self.add(&existing.countries, b.countries)
          Self.add(&existing.radius, b.radius)
          existing.totals.add(b.totals)
          byStart[b.window.start.nanoseconds] = existing
        } else {
          byStart[b.window.start.nanoseconds] = b
        }
      }
      var sets: [Int64: [OriginKey: SourceSet]]? = nil
      if let mineSets = distinct.buckets, let theirSets = s.distinct.buckets {
        var joined = mineSets
        for (start, cells) in theirSets {
          var cell = joined[start] ?? [:]
          for (key, set) in cells {
            var u = cell[key] ?? .empty
            u.formUnion(set)
            cell[key] = u
          }
          joined[start] = cell
        }
        sets = joined
        for (start, cells) in joined {
          guard var b = byStart[start] else { continue }
          b.totals.sources = 0
          for (key, set) in cells {
            b.countries[key]?.sources = set.count
            b.totals.sources &+= set.count
          }
          byStart[start] = b
        }
      }
      distinct.buckets = sets
      let starts = byStart.keys.sorted()
      if let first = starts.first, let last = starts.last {
        // As in one run: every bucket from the first to the last while they are fewer than
        // `AggregatorState.maximumBuckets` apart (and on one grid), else only the buckets with traffic.
        let (span, overflow) = last.subtractingReportingOverflow(first)
        let dense =
          !overflow && span / width < Int64(AggregatorState.maximumBuckets)
          && starts.allSatisfy { ($0 &- first) % width == 0 }
        if dense {
          buckets = stride(from: first, through: last, by: Int(width)).map { start in
            byStart[start]
              ?? WindowCounts(
                window: TimeWindow(start: Timestamp(nanoseconds: start), end: Timestamp(nanoseconds: start &+ width)),
                label: "bucket")
          }
        } else {
          buckets = starts.compactMap { byStart[$0] }
        }
      }
    }
  }

  /// Counts over a run of merged buckets: counters add; sources are the union of the buckets'
  /// sets when they are kept, else the sum of the buckets' counts (an upper bound).
  func burst(_ range: ClosedRange<Int>, label: String) -> WindowCounts {
    var w = WindowCounts(window: TimeWindow(start: buckets[range.lowerBound].window.start, end: buckets[range.upperBound].window.end), label: label)
    var sets: [OriginKey: SourceSet] = [:]
    for i in range {
      let b = buckets[i]
      Self.add(&w.countries, b.countries)
      Self.add(&w.radius, b.radius)
      w.totals.add(b.totals)
      for (key, set) in distinct.buckets?[b.window.start.nanoseconds] ?? [:] {
        var u = sets[key] ?? .empty
        u.formUnion(set)
        sets[key] = u
      }
    }
    if distinct.buckets != nil {
      w.totals.sources = 0
      for (key, set) in sets {
        w.countries[key]?.sources = set.count
        w.totals.sources &+= set.count
      }
    }
    return w
  }

  private static func add<K: Hashable>(_ a: inout [K: OriginCounters], _ b: [K: OriginCounters]) {
    for (k, v) in b { a[k, default: OriginCounters()].add(v) }
  }

  /// Adds counters; sources become the size of the union of the two sets.
  private static func add<K: Hashable>(
    _ a: inout [K: OriginCounters], _ b: [K: OriginCounters], sets: inout [K: SourceSet], _ theirs: [K: SourceSet]
  ) {
    add(&a, b)
    for (k, set) in theirs {
      var u = sets[k] ?? .empty
      u.formUnion(set)
      sets[k] = u
    }
    for (k, set) in sets where a[k] != nil { a[k]!.sources = set.count }
  }
}
