public import Analysis
public import NetCore

/// Receives what an export datagram holds.
public protocol ExportSink {
  /// One flow record as an observation. Its packets and bytes are already multiplied by
  /// `samplingInterval` (1 when the exporter announced no sampling).
  mutating func flow(_ observation: Observation, samplingInterval: UInt64)
  /// Parts of the datagram read but not counted as traffic.
  mutating func skip(_ reason: ExportSkip, count: UInt64)
}

/// Where and why a datagram could not be read to its end. What came before was decoded.
public struct ExportDamage: Error, Sendable, Hashable, CustomStringConvertible {
  public var reason: ExportSkip
  /// Byte offset in the datagram.
  public var offset: Int
  public var detail: String
  public var description: String { "byte \(offset): \(detail)" }
}

/// What decoding one datagram gave.
public struct DatagramResult: Sendable {
  /// The export version from the header (5, 9, 10), or what the first two bytes said.
  public var version: UInt16
  /// Flow records passed to the sink.
  public var records: Int
  /// Set when part of the datagram could not be read.
  public var damage: ExportDamage?
}

/// Decodes NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) export datagrams into
/// observations, reading the bytes in place.
///
/// Templates are kept per exporter address, version and observation domain (v9 source ID);
/// FlowSets and Sets are walked by their own lengths, never by the header's count. Limits bound
/// what an exporter can make it keep: see `Limits`. Not `Sendable`: one decoder per thread.
public final class ExportDecoder {
  /// Bounds on what exporters can make the decoder keep.
  public struct Limits: Sendable {
    /// Templates (data and options) kept per exporter and observation domain.
    public var templatesPerDomain = 1024
    /// Exporter and observation domain pairs kept.
    public var domains = 4096
    /// Fields in one template.
    public var fieldsPerTemplate = 512
    /// Samplers whose interval is kept per exporter and observation domain.
    public var samplersPerDomain = 256
    public init() {}
  }

  struct DomainKey: Hashable {
    var exporter: IPAddress
    var version: UInt16
    var domain: UInt32
  }

  public let limits: Limits
  var domains: [DomainKey: ExporterDomain] = [:]

  public init(limits: Limits = Limits()) {
    self.limits = limits
  }

  /// Templates currently kept, over all exporters.
  public var templateCount: Int { domains.values.reduce(0) { $0 + $1.templates.count } }

  /// Decodes one export datagram (the UDP payload) sent by `exporter`.
  public func decode<Sink: ExportSink>(
    _ bytes: UnsafeRawBufferPointer, exporter: IPAddress, into sink: inout Sink
  ) -> DatagramResult {
    guard bytes.count >= 2 else {
      var r = DatagramResult(version: 0, records: 0)
      fail(&r, .datagramTooShort, 0, "\(bytes.count) bytes: no version field", &sink)
      return r
    }
    let version = bytes.u16(0)
    switch version {
    case 5: return decodeV5(bytes, into: &sink)
    case 9: return decodeV9(bytes, exporter: exporter, into: &sink)
    case 10: return decodeIPFIX(bytes, exporter: exporter, into: &sink)
    default:
      var r = DatagramResult(version: version, records: 0)
      fail(&r, .unsupportedVersion, 0, "version \(version) is not NetFlow v5, v9 or IPFIX (10)", &sink)
      return r
    }
  }

  /// Records damage: the reason is counted and the first damage of the datagram kept.
  func fail<Sink: ExportSink>(
    _ result: inout DatagramResult, _ reason: ExportSkip, _ offset: Int, _ detail: @autoclosure () -> String,
    _ sink: inout Sink
  ) {
    sink.skip(reason, count: 1)
    if result.damage == nil { result.damage = ExportDamage(reason: reason, offset: offset, detail: detail()) }
  }

  /// The domain state for a key, created when there is room.
  func domain(_ key: DomainKey) -> ExporterDomain? {
    if let d = domains[key] { return d }
    guard domains.count < limits.domains else { return nil }
    let d = ExporterDomain()
    domains[key] = d
    return d
  }

  /// Turns a data record's values into an observation for the sink, with the domain's sampling.
  @inline(__always)
  func emit<Sink: ExportSink>(
    _ v: RecordValues, start: Timestamp, domain: ExporterDomain?, into sink: inout Sink, records: inout Int
  ) {
    guard let source = v.source else {
      sink.skip(.noSourceAddress, count: 1)
      return
    }
    var interval: UInt64 = 1
    if let n = v.statedSamplingInterval {
      interval = n
    } else if let d = domain {
      if let id = v.samplerID, let n = d.samplers[id] {
        interval = n
      } else if let n = d.samplingInterval {
        interval = n
      }
    }
    interval = max(1, interval)
    let packets = v.packetDelta ?? v.packetTotal ?? 0
    let octets = v.octetDelta ?? v.octetTotal ?? 0
    let scaledPackets = interval == 1 ? packets : Self.saturatingProduct(packets, interval)
    let scaledOctets = interval == 1 ? octets : Self.saturatingProduct(octets, interval)
    let destination = v.destination ?? (source.isIPv4 ? .v4(IPv4Address(0)) : .v6(IPv6Address(high: 0, low: 0)))
    sink.flow(
      Observation(
        timestamp: start, source: source, destination: destination, protocolNumber: v.protocolNumber,
        packets: scaledPackets, wireBytes: scaledOctets, ipBytes: scaledOctets, flows: 1,
        ttl: v.minimumTTL ?? v.ipTTL, sourcePort: v.sourcePort, destinationPort: v.destinationPort,
        tcpFlags: v.tcpFlags),
      samplingInterval: interval)
    records &+= 1
  }

  static func saturatingProduct(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (p, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? .max : p
  }

  /// Keeps what an options record says about the domain: its start time and sampling.
  func noteOptions(_ v: RecordValues, in domain: ExporterDomain) {
    if let t = v.systemInitTime { domain.systemInitTime = t }
    guard let interval = v.statedSamplingInterval else { return }
    if let id = v.samplerID {
      if domain.samplers[id] != nil || domain.samplers.count < limits.samplersPerDomain {
        domain.samplers[id] = interval
      }
    } else {
      domain.samplingInterval = interval
    }
  }
}
