import Analysis
import NetCore
import NetFlow

/// A series of NetFlow v5, v9 and IPFIX export datagrams from up to four exporters, decoded by one
/// decoder, so templates sent in one datagram describe the data of later ones. Small limits make
/// the template, domain and sampler caps reachable with small inputs.
///
/// Input: repeated `[exporter selector][length, 2 bytes little-endian][datagram]`.
///
/// Checks: the templates kept never exceed the caps; a datagram's damage is counted under a
/// damage reason and only then; the records the result counts are the flows the sink received;
/// the damage offset lies in the datagram.
enum NetFlowTarget {
  static let exporters: [IPAddress] = [
    IPAddress("192.0.2.1")!, IPAddress("192.0.2.2")!, IPAddress("2001:db8::1")!, IPAddress("198.51.100.7")!,
  ]

  static var limits: ExportDecoder.Limits {
    var limits = ExportDecoder.Limits()
    limits.templatesPerDomain = 8
    limits.domains = 4
    limits.fieldsPerTemplate = 64
    limits.samplersPerDomain = 4
    return limits
  }

  /// Counts what one datagram gave.
  struct CountingSink: ExportSink {
    var flows = 0
    var damageSkips: UInt64 = 0
    var skips = SkipCounts()
    mutating func flow(_ observation: Observation, samplingInterval: UInt64) {
      flows += 1
      FuzzCheck.require(samplingInterval >= 1, "sampling interval \(samplingInterval)")
      FuzzCheck.require(observation.flows == 1, "a flow record standing for \(observation.flows) flows")
      _ = observation.timestamp.description
    }
    mutating func skip(_ reason: ExportSkip, count: UInt64) {
      if reason.isDamage { damageSkips += count }
      skips.add(reason.rawValue, count)
    }
  }

  static func run(_ data: UnsafeRawBufferPointer) {
    let decoder = ExportDecoder(limits: limits)
    let cap = limits.templatesPerDomain * limits.domains
    var at = 0
    while at + 3 <= data.count {
      let exporter = exporters[Int(data[at]) % exporters.count]
      let length = min(Int(data[at + 1]) | Int(data[at + 2]) << 8, data.count - at - 3)
      let datagram = UnsafeRawBufferPointer(rebasing: data[(at + 3)..<(at + 3 + length)])
      at += 3 + length
      var sink = CountingSink()
      let result = decoder.decode(datagram, exporter: exporter, into: &sink)
      FuzzCheck.require(result.records == sink.flows, "result says \(result.records) records, sink got \(sink.flows)")
      FuzzCheck.require(decoder.templateCount <= cap, "\(decoder.templateCount) templates kept, cap \(cap)")
      if let damage = result.damage {
        FuzzCheck.require(sink.damageSkips >= 1, "damage \(damage) not counted")
        FuzzCheck.require((0...datagram.count).contains(damage.offset), "damage at byte \(damage.offset) of \(datagram.count)")
        FuzzCheck.require(damage.description.oneLine == damage.description, "damage is not one line: \(damage)")
      } else {
        FuzzCheck.require(sink.damageSkips == 0, "\(sink.damageSkips) damage skips without damage: \(sink.skips.byReason)")
      }
    }
  }
}
