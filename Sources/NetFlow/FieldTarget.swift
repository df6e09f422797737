import NetCore

// The information elements the decoder reads (IANA "IP Flow Information Export (IPFIX)
// Entities"; NetFlow v9 field types 1-127 are the same numbers, RFC 3954 section 8). Every other
// field, and every enterprise-specific field, is skipped by its length.

/// What a template field is read into. `none`: skipped.
enum FieldTarget: UInt8 {
  case none
  case sourceIPv4, sourceIPv6, destinationIPv4, destinationIPv6
  case octetDelta, octetTotal, packetDelta, packetTotal
  case protocolNumber, sourcePort, destinationPort, tcpFlags, minimumTTL, ipTTL
  case startSysUpTime, startSeconds, startMilliseconds, startMicroseconds, startNanoseconds
  case startDeltaMicroseconds, systemInitTime
  case samplingInterval, samplerRandomInterval, samplingPacketInterval, samplingPacketSpace
  case samplingSize, samplingPopulation, samplerID

  /// The target of information element `id` with `length` bytes in a record, `none` when the
  /// element is not read or its length is not one the element can have.
  static func of(_ id: UInt16, length: Int) -> FieldTarget {
    let counter = (1...8).contains(length)
    switch id {
    case 8: return length == 4 ? .sourceIPv4 : .none  // sourceIPv4Address
    case 27: return length == 16 ? .sourceIPv6 : .none  // sourceIPv6Address
    case 12: return length == 4 ? .destinationIPv4 : .none  // destinationIPv4Address
    case 28: return length == 16 ? .destinationIPv6 : .none  // destinationIPv6Address
    case 1: return counter ? .octetDelta : .none  // octetDeltaCount
    case 85: return counter ? .octetTotal : .none  // octetTotalCount
    case 2: return counter ? .packetDelta : .none  // packetDeltaCount
    case 86: return counter ? .packetTotal : .none  // packetTotalCount
    case 4: return length == 1 ? .protocolNumber : .none  // protocolIdentifier
    case 7: return (1...2).contains(length) ? .sourcePort : .none  // sourceTransportPort
    case 11: return (1...2).contains(length) ? .destinationPort : .none  // destinationTransportPort
    case 6: return (1...2).contains(length) ? .tcpFlags : .none  // tcpControlBits
    case 52: return length == 1 ? .minimumTTL : .none  // minimumTTL
    case 192: return length == 1 ? .ipTTL : .none  // ipTTL
    case 22: return length == 4 ? .startSysUpTime : .none  // flowStartSysUpTime (v9 FIRST_SWITCHED)
    case 150: return length == 4 ? .startSeconds : .none  // flowStartSeconds
    case 152: return counter ? .startMilliseconds : .none  // flowStartMilliseconds
    case 154: return length == 8 ? .startMicroseconds : .none  // flowStartMicroseconds (NTP format)
    case 156: return length == 8 ? .startNanoseconds : .none  // flowStartNanoseconds (NTP format)
    case 158: return length == 4 ? .startDeltaMicroseconds : .none  // flowStartDeltaMicroseconds
    case 160: return counter ? .systemInitTime : .none  // systemInitTimeMilliseconds
    case 34: return counter ? .samplingInterval : .none  // samplingInterval
    case 50: return counter ? .samplerRandomInterval : .none  // samplerRandomInterval
    case 305: return counter ? .samplingPacketInterval : .none  // samplingPacketInterval
    case 306: return counter ? .samplingPacketSpace : .none  // samplingPacketSpace
    case 309: return counter ? .samplingSize : .none  // samplingSize
    case 310: return counter ? .samplingPopulation : .none  // samplingPopulation
    case 48, 302: return counter ? .samplerID : .none  // samplerId (v9 FLOW_SAMPLER_ID), selectorId
    default: return .none
    }
  }
}

/// The values of one data record that the decoder uses.
struct RecordValues {
  var source: IPAddress? = nil
  var destination: IPAddress? = nil
  var octetDelta: UInt64? = nil
  var octetTotal: UInt64? = nil
  var packetDelta: UInt64? = nil
  var packetTotal: UInt64? = nil
  var protocolNumber: UInt8 = 0
  var sourcePort: UInt16? = nil
  var destinationPort: UInt16? = nil
  var tcpFlags: UInt8? = nil
  var minimumTTL: UInt8? = nil
  var ipTTL: UInt8? = nil
  var startSysUpTime: UInt32? = nil
  var startSeconds: UInt32? = nil
  var startMilliseconds: UInt64? = nil
  /// flowStartMicroseconds or flowStartNanoseconds, converted to nanoseconds since 1970.
  var startNTP: Int64? = nil
  var startDeltaMicroseconds: UInt32? = nil
  var systemInitTime: UInt64? = nil
  var samplingInterval: UInt64? = nil
  var samplerRandomInterval: UInt64? = nil
  var samplingPacketInterval: UInt64? = nil
  var samplingPacketSpace: UInt64? = nil
  var samplingSize: UInt64? = nil
  var samplingPopulation: UInt64? = nil
  var samplerID: UInt64? = nil

  /// Reads the field of `length` bytes at `offset` into its target.
  @inline(__always)
  mutating func read(_ target: FieldTarget, _ bytes: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) {
    switch target {
    case .none: break
    case .sourceIPv4: source = .v4(IPv4Address(bytes.u32(offset)))
    case .sourceIPv6: source = .v6(IPv6Address(high: bytes.u64(offset), low: bytes.u64(offset &+ 8)))
    case .destinationIPv4: destination = .v4(IPv4Address(bytes.u32(offset)))
    case .destinationIPv6: destination = .v6(IPv6Address(high: bytes.u64(offset), low: bytes.u64(offset &+ 8)))
    case .octetDelta: octetDelta = bytes.unsigned(offset, length)
    case .octetTotal: octetTotal = bytes.unsigned(offset, length)
    case .packetDelta: packetDelta = bytes.unsigned(offset, length)
    case .packetTotal: packetTotal = bytes.unsigned(offset, length)
    case .protocolNumber: protocolNumber = bytes[offset]
    case .sourcePort: sourcePort = UInt16(truncatingIfNeeded: bytes.unsigned(offset, length))
    case .destinationPort: destinationPort = UInt16(truncatingIfNeeded: bytes.unsigned(offset, length))
    case .tcpFlags: tcpFlags = UInt8(truncatingIfNeeded: bytes.unsigned(offset, length))
    case .minimumTTL: minimumTTL = bytes[offset]
    case .ipTTL: ipTTL = bytes[offset]
    case .startSysUpTime: startSysUpTime = bytes.u32(offset)
    case .startSeconds: startSeconds = bytes.u32(offset)
    case .startMilliseconds: startMilliseconds = bytes.unsigned(offset, length)
    case .startMicroseconds:
      // RFC 7011 section 6.1.9: NTP format; the low 11 bits of the fraction are not significant.
      startNTP = Self.ntpNanoseconds(seconds: bytes.u32(offset), fraction: bytes.u32(offset &+ 4) & ~0x7FF)
    case .startNanoseconds: startNTP = Self.ntpNanoseconds(seconds: bytes.u32(offset), fraction: bytes.u32(offset &+ 4))
    case .startDeltaMicroseconds: startDeltaMicroseconds = bytes.u32(offset)
    case .systemInitTime: systemInitTime = bytes.unsigned(offset, length)
    case .samplingInterval: samplingInterval = bytes.unsigned(offset, length)
    case .samplerRandomInterval: samplerRandomInterval = bytes.unsigned(offset, length)
    case .samplingPacketInterval: samplingPacketInterval = bytes.unsigned(offset, length)
    case .samplingPacketSpace: samplingPacketSpace = bytes.unsigned(offset, length)
    case .samplingSize: samplingSize = bytes.unsigned(offset, length)
    case .samplingPopulation: samplingPopulation = bytes.unsigned(offset, length)
    case .samplerID: samplerID = bytes.unsigned(offset, length)
    }
  }

  /// Seconds since 1900 in the NTP era 0 (RFC 5905), with a 2^-32 s fraction, as nanoseconds
  /// since 1970.
  static func ntpNanoseconds(seconds: UInt32, fraction: UInt32) -> Int64 {
    let unixSeconds = Int64(seconds) - 2_208_988_800
    return unixSeconds * 1_000_000_000 + Int64((UInt64(fraction) * 1_000_000_000) >> 32)
  }

  /// The sampling interval (1 in N) the record states, if it states one: samplingInterval,
  /// samplerRandomInterval, samplingPacketInterval with samplingPacketSpace ((interval + space) /
  /// interval, RFC 5477), or samplingPopulation / samplingSize. `nil` when none is complete.
  var statedSamplingInterval: UInt64? {
    if let n = samplingInterval, n > 0 { return n }
    if let n = samplerRandomInterval, n > 0 { return n }
    if let interval = samplingPacketInterval, let space = samplingPacketSpace, interval > 0 {
      return (interval &+ space) / interval
    }
    if let size = samplingSize, let population = samplingPopulation, size > 0, population >= size {
      return population / size
    }
    return nil
  }
}
