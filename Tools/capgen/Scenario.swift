import NetCore

/// The captures `capgen scenario NAME` writes. Every scenario is a fixed recipe of traffic components
/// (see `TrafficBuilder`); the seed changes the draws, `--scale` multiplies the counts of flows, bots,
/// spoofed packets and reflectors.
enum Scenario: String, CaseIterable {
  /// The March 10, 2025 X (Twitter) outages, seen at a tap in front of the victim network
  /// 104.244.42.0/24 (and 2001:db8:4242::/48 for IPv6), 05:00 to 15:00 US Eastern daylight time
  /// (UTC-4; DST began March 9). Attack bursts at 05:30-06:20, 09:30-10:35, 11:00-11:15, 13:00-13:35
  /// and 14:00-14:05 EDT, with a 10% ramp at each end. Components:
  /// - `clients`: HTTPS sessions of ordinary clients all day long (US-heavy mix; 10% IPv6), both
  ///   directions, rate rising through the morning;
  /// - `botnet`: 1,200 IPv4 bots apportioned over 28 countries (BR 14%, VN 10%, US 9%, IN 8%, ... UA
  ///   2.5%), each in one or two bursts sending runs of 4 to 10 SYN, ACK or UDP flood packets;
  /// - `botnet-ipv6`: 60 IPv6 bots doing the same;
  /// - `spoofed`: 4,000 SYNs from uniformly random IPv4 sources, one each, TTL 50 to 53.
  /// The capture is a sample: each bot's few-second runs stand for minutes of flooding, so the file
  /// stays under 2 MB while 5-minute buckets still show the bursts.
  case xOutage = "x-outage-2025-03-10"
  /// The same victim and client mix on a normal day, Monday 2025-03-03, 05:00 to 15:00 US Eastern
  /// standard time (UTC-5): the `clients` component of `x-outage-2025-03-10` alone.
  case xOutageBaseline = "x-outage-baseline"
  /// 200 bots, exactly 80% (160) in UA, the rest over the worldwide botnet mix, flooding
  /// 203.0.113.0/24 from 10:00 to 10:10 UTC on 2025-03-10.
  case botnetMostlyUA = "botnet-mostly-ua"
  /// 300 bots over the worldwide botnet mix with UA at exactly 2% (6 bots), same window and victim.
  case botnetWorldwide = "botnet-worldwide"
  /// 3,000 SYNs from distinct uniformly random IPv4 sources, one packet each, TTL 50 to 53.
  case spoofedRandom = "spoofed-random"
  /// 150 open reflectors worldwide (DNS, NTP, memcached, SSDP, CLDAP, SNMP) each sending 10 to 30
  /// amplified responses, from their service ports, to the victim.
  case reflection
  /// One hour (10:00 to 11:00 UTC) of worldwide traffic, clients and a worldwide botnet, with a
  /// five-minute burst at 10:30-10:35 from 60 bots of which 90% (54) are in UA.
  case uaSurgeInBurst = "ua-surge-in-burst"
  /// Five bots, all in UA, each sending several runs of 40 to 80 packets over half an hour.
  case fewSources = "few-sources"

  var summary: String {
    switch self {
    case .xOutage: return "X outage of 2025-03-10: clients plus botnet, IPv6 bots and spoofed bursts (EDT)"
    case .xOutageBaseline: return "the same victim's normal client traffic on 2025-03-03"
    case .botnetMostlyUA: return "200 bots, 80% of them in UA"
    case .botnetWorldwide: return "300 bots worldwide, 2% of them in UA"
    case .spoofedRandom: return "3,000 SYNs from uniformly random IPv4 sources, one each"
    case .reflection: return "amplified UDP from 150 DNS/NTP/memcached/SSDP/CLDAP/SNMP reflectors"
    case .uaSurgeInBurst: return "an hour of worldwide traffic with a 5-minute UA-dominated burst"
    case .fewSources: return "5 sources, all in UA"
    }
  }

  var victim4: IPNetwork {
    switch self {
    case .xOutage, .xOutageBaseline: return IPNetwork("104.244.42.0/24")!
    default: return IPNetwork("203.0.113.0/24")!
    }
  }

  var victim6: IPNetwork { IPNetwork("2001:db8:4242::/48")! }

  // MARK: Country mixes

  /// Clients of a large US social network.
  static let clientMix: [(String, Double)] = [
    ("US", 34), ("IN", 8), ("JP", 8), ("BR", 7), ("GB", 6), ("DE", 5), ("FR", 4), ("CA", 4), ("MX", 3),
    ("ID", 3), ("ES", 2.5), ("TR", 2.5), ("SA", 2), ("KR", 2), ("AU", 2), ("PH", 2), ("AR", 1.5),
    ("IT", 1.5), ("NL", 1), ("PL", 1), ("TH", 1), ("NG", 1), ("EG", 1), ("UA", 0.5),
  ]

  /// An IoT botnet of 2025: Brazil, Vietnam, the US, India, Indonesia, China and Russia lead; UA is
  /// 2.5 of 100.5 parts (2.49%).
  static let botnetMix: [(String, Double)] = [
    ("BR", 14), ("VN", 10), ("US", 9), ("IN", 8), ("ID", 7), ("CN", 7), ("RU", 5), ("TH", 4), ("MX", 3),
    ("TR", 3), ("IR", 3), ("EG", 3), ("AR", 3), ("UA", 2.5), ("KR", 2), ("TW", 2), ("PK", 2), ("CO", 2),
    ("PH", 2), ("ZA", 1.5), ("BD", 1.5), ("MY", 1), ("RO", 1), ("DE", 1), ("IT", 1), ("FR", 1), ("PL", 1),
    ("UZ", 1),
  ]

  /// IPv6 bots: countries with wide IPv6 deployment.
  static let botnetMix6: [(String, Double)] = [
    ("US", 20), ("BR", 15), ("IN", 15), ("VN", 10), ("DE", 8), ("CN", 8), ("JP", 6), ("MX", 5), ("FR", 5),
    ("MY", 4), ("UA", 2), ("GB", 2),
  ]

  /// Open reflectors (resolvers, NTP servers, SSDP devices, ...).
  static let reflectorMix: [(String, Double)] = [
    ("US", 20), ("CN", 12), ("BR", 6), ("RU", 6), ("IN", 5), ("KR", 5), ("TW", 4), ("DE", 4), ("ID", 4),
    ("VN", 3), ("IT", 3), ("JP", 3), ("FR", 3), ("GB", 3), ("TR", 3), ("MX", 2), ("UA", 2), ("PL", 2),
    ("IR", 2), ("TH", 2), ("AR", 2), ("ZA", 1), ("EG", 1), ("CO", 1),
  ]

  static func table(_ mix: [(String, Double)]) -> WeightedTable<CountryCode> {
    WeightedTable(mix.map { (CountryCode($0.0)!, $0.1) })
  }

  /// `mix` with country `cc` set to exactly `share` of the whole and the others scaled to the rest.
  static func table(_ mix: [(String, Double)], setting cc: String, to share: Double) -> WeightedTable<CountryCode> {
    let others = mix.filter { $0.0 != cc }
    let rest = others.reduce(0) { $0 + $1.1 }
    // Weights in parts per 100,000 so apportionment is exact for counts up to that size.
    var entries = others.map { (CountryCode($0.0)!, ($0.1 / rest * (1 - share) * 100_000).rounded() / 1000) }
    entries.insert((CountryCode(cc)!, (share * 100_000).rounded() / 1000), at: 0)
    return WeightedTable(entries)
  }

  /// The x-outage bursts, in US Eastern daylight time (UTC-4).
  static let outageBursts: [TimeWindow] = [
    TimeWindow(date: (2025, 3, 10), from: (5, 30), to: (6, 20), utcOffset: -4, ramp: 0.1),
    TimeWindow(date: (2025, 3, 10), from: (9, 30), to: (10, 35), utcOffset: -4, ramp: 0.1),
    TimeWindow(date: (2025, 3, 10), from: (11, 0), to: (11, 15), utcOffset: -4, ramp: 0.1),
    TimeWindow(date: (2025, 3, 10), from: (13, 0), to: (13, 35), utcOffset: -4, ramp: 0.1),
    TimeWindow(date: (2025, 3, 10), from: (14, 0), to: (14, 5), utcOffset: -4, ramp: 0.1),
  ]

  static let surgeBurst = TimeWindow(
    start: TimeWindow.utc(2025, 3, 10, 10, 30), end: TimeWindow.utc(2025, 3, 10, 10, 35))

  /// Windows whose packets the truth file counts on their own.
  var truthWindows: [(String, TimeWindow)] {
    switch self {
    case .xOutage: return Scenario.outageBursts.enumerated().map { ("burst-\($0.offset + 1)", $0.element) }
    case .uaSurgeInBurst: return [("ua-burst", Scenario.surgeBurst)]
    default: return []
    }
  }

  // MARK: Recipes

  func build(_ b: TrafficBuilder) throws {
    switch self {
    case .xOutage:
      let date: (Int64, Int64, Int64) = (2025, 3, 10)
      try b.clientSessions(
        name: "clients", description: "HTTPS clients of the victim, both directions, 05:00-15:00 EDT",
        flows: b.scaled(240), countries: Scenario.table(Scenario.clientMix), ipv6Share: 0.1,
        windows: Scenario.businessDay(date, utcOffset: -4), replies: true)
      let bursts = Scenario.outageBursts
      let vectors = WeightedTable<TrafficBuilder.AttackVector>([(.synFlood, 55), (.udpFlood, 35), (.ackFlood, 10)])
      try b.botnet(
        name: "botnet", description: "IPv4 botnet flooding the victim in the five bursts",
        bots: b.scaled(1200), countries: Scenario.table(Scenario.botnetMix), ipv6: false, windows: bursts,
        runs: 1...2, packetsPerRun: 4...10, runLength: 1...5, vectors: vectors)
      try b.botnet(
        name: "botnet-ipv6", description: "IPv6 bots flooding the victim's IPv6 addresses in the bursts",
        bots: b.scaled(60), countries: Scenario.table(Scenario.botnetMix6), ipv6: true, windows: bursts,
        runs: 1...2, packetsPerRun: 3...6, runLength: 1...5, vectors: vectors)
      b.spoofedFlood(
        name: "spoofed", description: "SYNs from uniformly random IPv4 sources, one each, in the bursts",
        packets: b.scaled(4000), windows: bursts)

    case .xOutageBaseline:
      try b.clientSessions(
        name: "clients", description: "HTTPS clients of the victim, both directions, 05:00-15:00 EST",
        flows: b.scaled(240), countries: Scenario.table(Scenario.clientMix), ipv6Share: 0.1,
        windows: Scenario.businessDay((2025, 3, 3), utcOffset: -5), replies: true)

    case .botnetMostlyUA, .botnetWorldwide:
      let mostlyUA = self == .botnetMostlyUA
      let window = TimeWindow(
        start: TimeWindow.utc(2025, 3, 10, 10, 0), end: TimeWindow.utc(2025, 3, 10, 10, 10), ramp: 0.1)
      try b.botnet(
        name: "botnet", description: mostlyUA ? "bots, 80% in UA" : "bots worldwide, 2% in UA",
        bots: b.scaled(mostlyUA ? 200 : 300),
        countries: Scenario.table(Scenario.botnetMix, setting: "UA", to: mostlyUA ? 0.8 : 0.02), ipv6: false,
        windows: [window], runs: 1...2, packetsPerRun: mostlyUA ? 5...15 : 4...10, runLength: 1...5,
        vectors: WeightedTable([(.synFlood, 60), (.udpFlood, 40)]))

    case .spoofedRandom:
      b.spoofedFlood(
        name: "spoofed", description: "SYNs from uniformly random IPv4 sources, one each",
        packets: b.scaled(3000),
        windows: [TimeWindow(start: TimeWindow.utc(2025, 3, 10, 10, 0), end: TimeWindow.utc(2025, 3, 10, 10, 10))])

    case .reflection:
      try b.reflection(
        name: "reflectors", description: "amplified UDP responses from open reflectors",
        reflectors: b.scaled(150), countries: Scenario.table(Scenario.reflectorMix),
        windows: [TimeWindow(start: TimeWindow.utc(2025, 3, 10, 10, 0), end: TimeWindow.utc(2025, 3, 10, 10, 10))],
        responsesPerReflector: 10...30)

    case .uaSurgeInBurst:
      let hour = TimeWindow(start: TimeWindow.utc(2025, 3, 10, 10, 0), end: TimeWindow.utc(2025, 3, 10, 11, 0))
      let burst = Scenario.surgeBurst
      let vectors = WeightedTable<TrafficBuilder.AttackVector>([(.synFlood, 60), (.udpFlood, 40)])
      try b.clientSessions(
        name: "clients", description: "HTTPS clients worldwide, client side only",
        flows: b.scaled(60), countries: Scenario.table(Scenario.clientMix), ipv6Share: 0,
        windows: [(hour, 1)], replies: false)
      try b.botnet(
        name: "botnet", description: "a worldwide botnet over the whole hour",
        bots: b.scaled(200), countries: Scenario.table(Scenario.botnetMix), ipv6: false, windows: [hour],
        runs: 1...1, packetsPerRun: 5...10, runLength: 1...5, vectors: vectors)
      try b.botnet(
        name: "ua-burst", description: "the burst: 60 bots, 90% in UA",
        bots: b.scaled(60), countries: Scenario.table(Scenario.botnetMix, setting: "UA", to: 0.9), ipv6: false,
        windows: [burst], runs: 1...1, packetsPerRun: 15...30, runLength: 2...10, vectors: vectors)

    case .fewSources:
      try b.botnet(
        name: "bots", description: "five bots, all in UA",
        bots: 5, countries: Scenario.table([("UA", 1)]), ipv6: false,
        windows: [TimeWindow(start: TimeWindow.utc(2025, 3, 10, 10, 0), end: TimeWindow.utc(2025, 3, 10, 10, 30))],
        runs: 3...6, packetsPerRun: 40...80, runLength: 5...20,
        vectors: WeightedTable([(.synFlood, 60), (.udpFlood, 40)]))
    }
  }

  /// 05:00 to 15:00 local time with the client rate rising through the morning (relative rates 0.6,
  /// 0.85, then 1).
  static func businessDay(_ date: (Int64, Int64, Int64), utcOffset: Int64) -> [(TimeWindow, Double)] {
    [
      (TimeWindow(date: date, from: (5, 0), to: (7, 0), utcOffset: utcOffset), 0.6),
      (TimeWindow(date: date, from: (7, 0), to: (9, 0), utcOffset: utcOffset), 0.85),
      (TimeWindow(date: date, from: (9, 0), to: (15, 0), utcOffset: utcOffset), 1),
    ]
  }
}
