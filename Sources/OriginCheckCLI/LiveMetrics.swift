import Analysis
import Geo
import Prometheus
import Report

/// The live summary as Prometheus metrics (docs/live.md): packets, bytes and distinct sources per
/// origin, labelled by country and continent; the capture's received and dropped counts; and each
/// claim's verdict. Updated by the capture loop at each interval; the registry is read by the
/// metrics server's thread.
final class LiveMetrics {
  let registry = PrometheusCollectorRegistry()
  private var counted: [String: UInt64] = [:]
  private let rate: Gauge

  init() {
    rate = registry.makeGauge(
      descriptor: MetricNameDescriptor(
        namespace: "origincheck", metricName: "packets_per_second", unitName: "",
        helpText: "Captured packets per second over the last interval."))
  }

  /// Sets every metric from a snapshot and the last interval's packet rate.
  func update(_ document: ReportDocument, packetsPerSecond: Double) {
    let s = document.summary
    rate.set(packetsPerSecond)
    advance("records", "Records captured (IP or not).", [], to: s.totals.records)
    for (key, c) in s.countries {
      let labels = Self.labels(key)
      advance("packets", "IP packets by the origin of their source address.", labels, to: c.packets)
      advance("bytes", "Wire bytes by the origin of the packets' source address.", labels, to: c.wireBytes)
      gauge("sources", "Distinct source addresses by origin.", labels).set(Int64(clamping: c.sources))
    }
    if let capture = s.capture {
      advance("capture_received", "Packets the kernel received for the capture, dropped ones included.", [], to: capture.received)
      advance("capture_dropped", "Packets dropped because the capture buffer was full.", [], to: capture.dropped)
      advance("capture_interface_dropped", "Packets the interface dropped.", [], to: capture.interfaceDropped)
    }
    for result in document.claims {
      let labels = [("claim", result.claim.text), ("origin", result.origin.name)]
      let value: Int64 = result.verdict == .holds ? 1 : result.verdict == .doesNotHold ? 0 : -1
      gauge("claim_verdict", "Claim verdict so far: 1 holds, 0 does not hold, -1 inconclusive.", labels).set(value)
      let share = result.overall.share(result.claim.metric)?.share ?? 0
      gauge("claim_share", "The claimed origin's share under the claim's metric (0 to 1).", labels + [("metric", result.claim.metric.rawValue)])
        .set(share)
    }
  }

  /// The exposition text.
  var text: String { registry.emitToString() }

  /// `country` (the ISO code, the special-purpose kind or `unknown`), `continent` (its code, or
  /// empty) and `kind` (`country`, `special`, `unknown`).
  static func labels(_ key: OriginKey) -> [(String, String)] {
    let continent = key.kind == .country ? Countries.named(key.code)?.continent.rawValue ?? "" : ""
    return [("country", key.code), ("continent", continent), ("kind", key.kind.rawValue)]
  }

  /// Moves a counter up to `value` (counters only rise; a lower value leaves it).
  private func advance(_ name: String, _ help: String, _ labels: [(String, String)], to value: UInt64) {
    let id = name + labels.map { "\u{1}\($0.0)=\($0.1)" }.joined()
    let before = counted[id] ?? 0
    guard value > before else { return }
    let descriptor = MetricNameDescriptor(namespace: "origincheck", metricName: name, unitName: "total", helpText: help)
    let counter = labels.isEmpty ? registry.makeCounter(descriptor: descriptor) : registry.makeCounter(descriptor: descriptor, labels: labels)
    counter.increment(by: Int64(clamping: value - before))
    counted[id] = value
  }

  private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
    registry.makeGauge(
      descriptor: MetricNameDescriptor(namespace: "origincheck", metricName: name, unitName: "", helpText: help), labels: labels)
  }
}
