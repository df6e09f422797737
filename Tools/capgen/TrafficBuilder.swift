import NetCore

/// A span of time in which a component sends, with a trapezoid intensity: rising over the first
/// `ramp` fraction, flat, falling over the last `ramp` fraction.
struct TimeWindow {
  var start: Timestamp
  var end: Timestamp
  var ramp: Double = 0

  var duration: Int64 { end.nanoseconds - start.nanoseconds }

  /// A UTC date and time.
  static func utc(_ y: Int64, _ mo: Int64, _ d: Int64, _ h: Int64, _ mi: Int64, _ s: Int64 = 0) -> Timestamp {
    Timestamp(seconds: Timestamp.days(year: y, month: mo, day: d) * 86400 + h * 3600 + mi * 60 + s)
  }

  init(start: Timestamp, end: Timestamp, ramp: Double = 0) {
    self.start = start
    self.end = end
    self.ramp = ramp
  }

  /// A window given in local time at a fixed UTC offset (hours, e.g. -4 for US Eastern daylight time).
  init(date: (Int64, Int64, Int64), from: (Int64, Int64), to: (Int64, Int64), utcOffset: Int64, ramp: Double = 0) {
    start = TimeWindow.utc(date.0, date.1, date.2, from.0 - utcOffset, from.1)
    end = TimeWindow.utc(date.0, date.1, date.2, to.0 - utcOffset, to.1)
    self.ramp = ramp
  }

  /// A time inside the window drawn from its intensity profile.
  func sample(_ rng: inout SeededRandom) -> Timestamp {
    while true {
      let u = rng.unit()
      let edge = min(u, 1 - u)
      if ramp <= 0 || edge >= ramp || rng.unit() * ramp < edge {
        return Timestamp(nanoseconds: start.nanoseconds + Int64(u * Double(duration)))
      }
    }
  }

  /// One of `windows`, chosen in proportion to duration.
  static func pick(_ windows: [TimeWindow], _ rng: inout SeededRandom) -> TimeWindow {
    let total = windows.reduce(Int64(0)) { $0 + $1.duration }
    var r = Int64(rng.below(UInt64(total)))
    for w in windows {
      if r < w.duration { return w }
      r -= w.duration
    }
    return windows[windows.count - 1]
  }
}

/// A sending host and the traits it keeps for the whole capture.
struct Host {
  enum Kind {
    /// Linux, Android and most embedded devices: initial TTL 64, TCP timestamps.
    case linux
    /// Windows: initial TTL 128, no TCP timestamps.
    case windows
    /// macOS and iOS: initial TTL 64, TCP timestamps, a different option order.
    case apple
    /// Network gear and some appliances: initial TTL 255.
    case appliance
  }

  let address: IPAddress
  let kind: Kind
  /// The TTL (hop limit) as seen at the capture point: the initial value minus 5 to 25 hops.
  let ttl: UInt8
  /// Round-trip time to the victim, in nanoseconds.
  let rtt: Int64
  var ipID: UInt16

  init(address: IPAddress, kind: Kind, ttl: UInt8, rtt: Int64, ipID: UInt16) {
    self.address = address
    self.kind = kind
    self.ttl = ttl
    self.rtt = rtt
    self.ipID = ipID
  }

  /// Traits derived from the address alone, so a source keeps them wherever it appears.
  init(address: IPAddress, kindWeights: (linux: Int, windows: Int, apple: Int, appliance: Int), far: Bool) {
    self.address = address
    let (hi, lo) = address.bits128
    let h = SeededRandom.mix(hi ^ SeededRandom.mix(lo ^ 0x5eed_7711))
    let total = kindWeights.linux + kindWeights.windows + kindWeights.apple + kindWeights.appliance
    var r = Int(h % UInt64(max(total, 1)))
    if r < kindWeights.linux {
      kind = .linux
    } else {
      r -= kindWeights.linux
      if r < kindWeights.windows {
        kind = .windows
      } else {
        r -= kindWeights.windows
        kind = r < kindWeights.apple ? .apple : .appliance
      }
    }
    let initial: Int = kind == .windows ? 128 : (kind == .appliance ? 255 : 64)
    let hops = 5 + Int((h >> 20) % 21)
    ttl = UInt8(initial - hops)
    let base: Int64 = far ? 90_000_000 : 15_000_000
    rtt = base + Int64((h >> 32) % 120) * 1_000_000
    ipID = UInt16(truncatingIfNeeded: h >> 40)
  }

  mutating func nextID() -> UInt16 {
    ipID &+= 1
    return ipID
  }
}

/// Collects the packets of a scenario's components, records each in the truth ledger, and writes them
/// to the capture in time order.
final class TrafficBuilder {
  struct Pending {
    let time: Timestamp
    let order: Int
    let frame: Frame
  }

  let geoip: TorGeoIP
  let ledger: TruthLedger
  let seed: UInt64
  let scale: Double
  let victim4: IPNetwork
  let victim6: IPNetwork
  private(set) var pending: [Pending] = []
  private var pools4: [CountryCode: AddressPool<UInt32>] = [:]
  private var pools6: [CountryCode: AddressPool<UInt128>] = [:]

  struct MissingCountry: Error, CustomStringConvertible {
    let code: String
    let family: String
    var description: String { "the geoip file has no \(family) range for country \(code)" }
  }

  init(geoip: TorGeoIP, ledger: TruthLedger, seed: UInt64, scale: Double, victim4: IPNetwork, victim6: IPNetwork) {
    self.geoip = geoip
    self.ledger = ledger
    self.seed = seed
    self.scale = scale
    self.victim4 = victim4
    self.victim6 = victim6
  }

  /// A count multiplied by the scale (at least one).
  func scaled(_ n: Int) -> Int { max(1, Int((Double(n) * scale).rounded())) }

  /// Names the scenario's random streams, so equal component names in two scenarios draw differently.
  var streamPrefix = ""

  /// The random stream of one component.
  func stream(_ name: String) -> SeededRandom { SeededRandom(seed: seed, stream: streamPrefix + "/" + name) }

  func pool4(_ cc: CountryCode) throws -> AddressPool<UInt32> {
    if let p = pools4[cc] { return p }
    guard let p = geoip.pool4(cc) else { throw MissingCountry(code: cc.description, family: "IPv4") }
    pools4[cc] = p
    return p
  }

  func pool6(_ cc: CountryCode) throws -> AddressPool<UInt128> {
    if let p = pools6[cc] { return p }
    guard let p = geoip.pool6(cc) else { throw MissingCountry(code: cc.description, family: "IPv6") }
    pools6[cc] = p
    return p
  }

  /// A fresh address of country `cc` not in `taken`, which it joins.
  func drawAddress(
    _ cc: CountryCode, ipv6: Bool, taken: inout Set<IPAddress>, _ rng: inout SeededRandom
  ) throws -> IPAddress {
    while true {
      let address: IPAddress
      if ipv6 {
        let v = try pool6(cc).draw(&rng)
        address = .v6(IPv6Address(high: UInt64(truncatingIfNeeded: v >> 64), low: UInt64(truncatingIfNeeded: v)))
      } else {
        address = .v4(IPv4Address(try pool4(cc).draw(&rng)))
      }
      if taken.insert(address).inserted { return address }
    }
  }

  /// A host address inside the victim network: one of the service addresses most of the time, any
  /// address of the network otherwise (carpet bombing).
  func victimAddress(ipv6: Bool, serviceOnly: Bool, _ rng: inout SeededRandom) -> IPAddress {
    switch ipv6 ? victim6.address : victim4.address {
    case .v4(let net):
      let service: [UInt32] = [1, 65, 129, 193]
      let hostBits = UInt32(32 - victim4.prefixLength)
      let offset =
        serviceOnly || rng.chance(0.7) || hostBits < 8
        ? rng.element(service) & ((1 << hostBits) - 1)
        : UInt32(truncatingIfNeeded: rng.below(UInt64(1) << UInt64(hostBits)))
      return .v4(IPv4Address(net.value | offset))
    case .v6(let net):
      let service: [UInt64] = [0x1, 0x65, 0x129, 0x193]
      return .v6(IPv6Address(high: net.high, low: net.low | rng.element(service)))
    }
  }

  func isTarget(_ address: IPAddress) -> Bool {
    victim4.contains(address) || victim6.contains(address)
  }

  /// Adds one packet.
  func emit(component: Int, time: Timestamp, source: IPAddress, frame: Frame, destination: IPAddress) {
    ledger.record(
      component: component, time: time, source: source, toTarget: isTarget(destination),
      wire: frame.wireLength, ip: frame.ipLength)
    pending.append(Pending(time: time, order: pending.count, frame: frame))
  }

  /// Writes every packet in time order (ties keep the order they were added in).
  func write(to writer: PcapWriter) throws {
    pending.sort { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
    for p in pending {
      try writer.write(time: p.time, bytes: p.frame.bytes, wireLength: p.frame.wireLength)
    }
  }
}
