import NetCore

/// The kinds of traffic scenarios are assembled from. Each component draws from its own random stream
/// and is recorded as one component of the truth file.
extension TrafficBuilder {
  typealias KindWeights = (linux: Int, windows: Int, apple: Int, appliance: Int)

  /// Ordinary clients: phones (Android, iOS), desktops (Windows, macOS, Linux).
  static let clientKinds: KindWeights = (linux: 40, windows: 28, apple: 32, appliance: 0)
  /// Compromised devices: mostly embedded Linux (cameras, routers, DVRs), some Windows hosts.
  static let botKinds: KindWeights = (linux: 78, windows: 17, apple: 0, appliance: 5)

  /// Countries whose clients are close to the victim (shorter round trips).
  static let nearCountries: Set<CountryCode> = Set(["US", "CA", "MX"].compactMap { CountryCode($0) })

  /// Sends one packet from `host` and records it.
  func send(
    _ component: Int, at time: Int64, from host: inout Host, to destination: IPAddress,
    _ transport: Frame.Transport, payload: Int, dontFragment: Bool, outbound: Bool = false
  ) {
    let frame = Frame(
      source: host.address, destination: destination, ttl: host.ttl, ipID: host.nextID(),
      dontFragment: dontFragment, transport: transport, payloadLength: payload, outbound: outbound)
    emit(
      component: component, time: Timestamp(nanoseconds: time), source: host.address, frame: frame,
      destination: destination)
  }

  // MARK: Clients

  /// HTTPS client sessions to the victim's service addresses on TCP 443: handshake, TLS handshake,
  /// one to three request/response exchanges, and for some a FIN close. With `replies`, the server's
  /// packets (source: the victim) are in the capture too, as at a tap in front of the servers.
  func clientSessions(
    name: String, description: String, flows: Int, countries: WeightedTable<CountryCode>, ipv6Share: Double,
    windows: [(TimeWindow, Double)], replies: Bool
  ) throws {
    var rng = stream(name)
    let component = ledger.addComponent(
      name: name, description: description, windows: windows.map { ($0.0.start, $0.0.end) })
    // Weight each window by its duration times its relative rate.
    let weighted = WeightedTable(windows.map { ($0.0, Double($0.0.duration) / 1e9 * $0.1) })
    var clients: [Host] = []
    var taken = Set<IPAddress>()
    for _ in 0..<flows {
      var index: Int
      if !clients.isEmpty && rng.chance(0.15) {
        index = Int(rng.below(UInt64(clients.count)))
      } else {
        let cc = countries.pick(&rng)
        let v6 = rng.chance(ipv6Share) && geoip.pool6(cc) != nil
        let address = try drawAddress(cc, ipv6: v6, taken: &taken, &rng)
        clients.append(
          Host(
            address: address, kindWeights: TrafficBuilder.clientKinds, far: !TrafficBuilder.nearCountries.contains(cc)))
        index = clients.count - 1
      }
      let start = weighted.pick(&rng).sample(&rng)
      session(component, client: &clients[index], start: start.nanoseconds, replies: replies, &rng)
    }
  }

  /// One HTTPS session; times are at the capture point in front of the server.
  private func session(_ component: Int, client: inout Host, start: Int64, replies: Bool, _ rng: inout SeededRandom) {
    let v6 = !client.address.isIPv4
    let serverAddress = victimAddress(ipv6: v6, serviceOnly: true, &rng)
    var server = Host(address: serverAddress, kind: .linux, ttl: 64, rtt: 0, ipID: rng.uint16())
    let useTS = client.kind != .windows
    let clientPort: UInt16 =
      client.kind == .linux ? UInt16(rng.int(32768...60999)) : UInt16(rng.int(49152...65535))
    var clientSeq = rng.uint32()
    var serverSeq = rng.uint32()
    let clientTS = rng.uint32()
    let serverTS = rng.uint32()
    let mss = v6 ? 1440 : 1460
    let segment = mss - (useTS ? 12 : 0)
    let rtt = client.rtt + Int64(rng.below(2_000_000))
    var t = start

    func timestampOption(_ value: UInt32, _ echo: UInt32) -> [UInt8] {
      var o: [UInt8] = [1, 1, 8, 10]
      o.append32(value)
      o.append32(echo)
      return o
    }
    /// TCP timestamp clocks: a random origin, one tick per millisecond.
    func clientClock(_ time: Int64) -> UInt32 {
      clientTS &+ UInt32(truncatingIfNeeded: max(0, time - start) / 1_000_000)
    }
    func serverClock(_ time: Int64) -> UInt32 {
      serverTS &+ UInt32(truncatingIfNeeded: max(0, time - start) / 1_000_000)
    }
    func fromClient(_ flags: UInt8, _ payload: Int, options: [UInt8]? = nil, window: UInt16? = nil) {
      let win: UInt16 = window ?? (client.kind == .windows ? 1026 : (client.kind == .apple ? 2048 : 502))
      let tcp = Frame.TCPHeader(
        sourcePort: clientPort, destinationPort: 443, sequence: clientSeq,
        acknowledgment: flags & Frame.TCPHeader.ack != 0 ? serverSeq : 0, flags: flags, window: win,
        options: options ?? (useTS ? timestampOption(clientClock(t), serverClock(t - rtt / 2)) : []))
      send(component, at: t, from: &client, to: serverAddress, .tcp(tcp), payload: payload, dontFragment: true)
      clientSeq &+= UInt32(payload) &+ (flags & (Frame.TCPHeader.syn | Frame.TCPHeader.fin) != 0 ? 1 : 0)
    }
    func fromServer(_ flags: UInt8, _ payload: Int, options: [UInt8]? = nil) {
      let advance = UInt32(payload) &+ (flags & (Frame.TCPHeader.syn | Frame.TCPHeader.fin) != 0 ? 1 : 0)
      defer { serverSeq &+= advance }
      guard replies else { return }
      let tcp = Frame.TCPHeader(
        sourcePort: 443, destinationPort: clientPort, sequence: serverSeq, acknowledgment: clientSeq,
        flags: flags, window: flags & Frame.TCPHeader.syn != 0 ? 65160 : 501,
        options: options ?? (useTS ? timestampOption(serverClock(t), clientClock(t - rtt / 2)) : []))
      send(
        component, at: t, from: &server, to: client.address, .tcp(tcp), payload: payload, dontFragment: true,
        outbound: true)
    }
    /// Server data in full segments, the last one pushed; the client acknowledges every second one.
    func serverData(_ total: Int) {
      var left = total
      var sent = 0
      while left > 0 {
        let n = TrafficBuilder.segmentLength(left, segment)
        left -= n
        fromServer(Frame.TCPHeader.ack | (left == 0 ? Frame.TCPHeader.psh : 0), n)
        sent += 1
        t += 12_000 + Int64(rng.below(40_000))
        if sent % 2 == 0 || left == 0 {
          let saved = t
          t += rtt
          fromClient(Frame.TCPHeader.ack, 0)
          t = saved
        }
      }
      t += rtt
    }

    // Three-way handshake.
    var mssBytes: [UInt8] = [2, 4]
    mssBytes.append16(UInt16(mss))
    let ts = timestampOption(clientTS, 0)
    let synOptions: [UInt8]
    switch client.kind {
    case .windows: synOptions = mssBytes + [1, 3, 3, 8, 1, 1, 4, 2]
    case .apple: synOptions = mssBytes + [1, 3, 3, 6, 1, 1] + Array(ts[2...]) + [4, 2, 0, 0]
    default: synOptions = mssBytes + [4, 2] + Array(ts[2...]) + [1, 3, 3, 7]
    }
    let synWindow: UInt16 = client.kind == .apple ? 65535 : 64240
    fromClient(Frame.TCPHeader.syn, 0, options: synOptions, window: synWindow)
    t += 40_000 + Int64(rng.below(60_000))
    var serverMSS: [UInt8] = [2, 4]
    serverMSS.append16(UInt16(mss))
    let synAckOptions =
      useTS
      ? serverMSS + [4, 2] + Array(timestampOption(serverClock(t), clientTS)[2...]) + [1, 3, 3, 9]
      : serverMSS + [1, 1, 4, 2, 1, 3, 3, 9]
    fromServer(Frame.TCPHeader.syn | Frame.TCPHeader.ack, 0, options: synAckOptions)
    t += rtt
    fromClient(Frame.TCPHeader.ack, 0)

    // TLS: ClientHello (larger with a post-quantum key share), server flight, client Finished.
    t += 100_000 + Int64(rng.below(400_000))
    var hello = rng.chance(0.55) ? rng.int(1700...1900) : rng.int(512...620)
    while hello > 0 {
      let n = TrafficBuilder.segmentLength(hello, segment)
      hello -= n
      fromClient(Frame.TCPHeader.ack | (hello == 0 ? Frame.TCPHeader.psh : 0), n)
      t += 20_000
    }
    t += 300_000 + Int64(rng.below(1_500_000))
    serverData(rng.int(2600...4400))

    // Requests and responses.
    let exchanges = rng.int(1...3)
    for i in 0..<exchanges {
      if i > 0 { t += 200_000_000 + Int64(rng.below(15_000_000_000)) }
      fromClient(Frame.TCPHeader.ack | Frame.TCPHeader.psh, rng.int(90...900))
      t += 2_000_000 + Int64(rng.below(40_000_000))
      let r = rng.unit()
      serverData(r < 0.5 ? rng.int(200...1400) : (r < 0.85 ? rng.int(1500...6000) : rng.int(6000...30000)))
    }

    // Close, for some; the others stay open past the end of the capture's interest.
    if rng.chance(0.4) {
      t += 1_000_000_000 + Int64(rng.below(30_000_000_000))
      fromClient(Frame.TCPHeader.fin | Frame.TCPHeader.ack, 0)
      t += 60_000
      fromServer(Frame.TCPHeader.fin | Frame.TCPHeader.ack, 0)
      t += rtt
      fromClient(Frame.TCPHeader.ack, 0)
    }
  }

  /// The next segment's length for `left` bytes to send: a full segment, but never leaving a tail of
  /// fewer than 24 bytes (the smallest TLS record with a payload), so no segment is that small.
  static func segmentLength(_ left: Int, _ segment: Int) -> Int {
    left > segment && left - segment < 24 ? left - 24 : min(segment, left)
  }

  // MARK: Botnet

  enum AttackVector {
    /// TCP SYN to 443 or 80, fresh source port and sequence number per packet.
    case synFlood
    /// TCP ACK with a payload to 443, random sequence numbers.
    case ackFlood
    /// UDP with a fixed-size payload to random high ports or to 443.
    case udpFlood
  }

  /// Compromised hosts flooding the victim. Bots are apportioned to countries exactly by `countries`
  /// (largest remainder), each with a fresh address drawn from its country's pool. Each bot takes part
  /// in `runs` bursts of `packetsPerRun` packets spread over `runLength` seconds, placed inside
  /// `windows` (chosen by duration, following each window's intensity ramp).
  func botnet(
    name: String, description: String, bots: Int, countries: WeightedTable<CountryCode>, ipv6: Bool,
    windows: [TimeWindow], runs: ClosedRange<Int>, packetsPerRun: ClosedRange<Int>,
    runLength: ClosedRange<Int>, vectors: WeightedTable<AttackVector>
  ) throws {
    var rng = stream(name)
    let component = ledger.addComponent(
      name: name, description: description, windows: windows.map { ($0.start, $0.end) })
    var taken = Set<IPAddress>()
    for (cc, count) in countries.apportion(bots) {
      for _ in 0..<count {
        let address = try drawAddress(cc, ipv6: ipv6, taken: &taken, &rng)
        var bot = Host(address: address, kindWeights: TrafficBuilder.botKinds, far: true)
        // A bot's attack code fixes its style: vectors, SYN options, UDP payload size.
        let primary = vectors.pick(&rng)
        let secondary = vectors.pick(&rng)
        let synOptions = rng.chance(0.5)
        let udpPayload = rng.element([512, 512, 512, 1024, 1400, 1458])
        let udpPort: UInt16? = rng.chance(0.5) ? nil : 443
        for _ in 0..<rng.int(runs) {
          let window = TimeWindow.pick(windows, &rng)
          let length = Int64(rng.int(runLength)) * 1_000_000_000
          var t = window.sample(&rng).nanoseconds
          let n = rng.int(packetsPerRun)
          let gap = max(Int64(1), length / Int64(n))
          for _ in 0..<n {
            let vector = rng.chance(0.8) ? primary : secondary
            let destination = victimAddress(ipv6: ipv6, serviceOnly: false, &rng)
            switch vector {
            case .synFlood:
              var options: [UInt8] = []
              if synOptions {
                options = [2, 4, 5, 0xb4, 4, 2, 8, 10]
                options.append32(rng.uint32())
                options += [0, 0, 0, 0, 1, 3, 3, 6]
              }
              let tcp = Frame.TCPHeader(
                sourcePort: UInt16(rng.int(1024...65535)), destinationPort: rng.chance(0.8) ? 443 : 80,
                sequence: rng.uint32(), acknowledgment: 0, flags: Frame.TCPHeader.syn,
                window: UInt16(rng.int(1024...65535)), options: options)
              send(component, at: t, from: &bot, to: destination, .tcp(tcp), payload: 0, dontFragment: true)
            case .ackFlood:
              let tcp = Frame.TCPHeader(
                sourcePort: UInt16(rng.int(1024...65535)), destinationPort: 443, sequence: rng.uint32(),
                acknowledgment: rng.uint32(), flags: Frame.TCPHeader.ack | Frame.TCPHeader.psh,
                window: UInt16(rng.int(1024...65535)))
              send(component, at: t, from: &bot, to: destination, .tcp(tcp), payload: 512, dontFragment: true)
            case .udpFlood:
              let port = udpPort ?? UInt16(rng.int(1024...65535))
              let payload = ipv6 ? min(udpPayload, 1440) : udpPayload
              send(
                component, at: t, from: &bot, to: destination,
                .udp(sourcePort: UInt16(rng.int(1024...65535)), destinationPort: port), payload: payload,
                dontFragment: false)
            }
            t += gap / 2 + Int64(rng.below(UInt64(gap)))
          }
        }
      }
    }
  }

  // MARK: Spoofing

  /// SYN packets with uniformly random IPv4 source addresses over the whole 32-bit space (bogons
  /// included, as uniform draws give them), one packet per address, all distinct. They come from a few
  /// real machines, so their TTLs sit in a narrow band (50 to 53) whatever the claimed origins.
  func spoofedFlood(name: String, description: String, packets: Int, windows: [TimeWindow]) {
    var rng = stream(name)
    let component = ledger.addComponent(
      name: name, description: description, windows: windows.map { ($0.start, $0.end) })
    var taken = Set<UInt32>()
    for _ in 0..<packets {
      var source = rng.uint32()
      while !taken.insert(source).inserted { source = rng.uint32() }
      let address = IPAddress.v4(IPv4Address(source))
      var host = Host(address: address, kind: .linux, ttl: UInt8(50 + rng.below(4)), rtt: 0, ipID: rng.uint16())
      let time = TimeWindow.pick(windows, &rng).sample(&rng)
      let tcp = Frame.TCPHeader(
        sourcePort: UInt16(rng.int(1024...65535)), destinationPort: 443, sequence: rng.uint32(),
        acknowledgment: 0, flags: Frame.TCPHeader.syn, window: 512)
      send(
        component, at: time.nanoseconds, from: &host, to: victimAddress(ipv6: false, serviceOnly: false, &rng),
        .tcp(tcp), payload: 0, dontFragment: false)
    }
  }

  // MARK: Reflection

  /// Amplified UDP responses from open reflectors (DNS 53, NTP 123, memcached 11211, SSDP 1900, CLDAP 389,
  /// SNMP 161) to the victim, which the attacker named as the requests' source. The sources are the
  /// reflectors' real addresses. Responses are at most one full frame (no IP fragments).
  func reflection(
    name: String, description: String, reflectors: Int, countries: WeightedTable<CountryCode>,
    windows: [TimeWindow], responsesPerReflector: ClosedRange<Int>
  ) throws {
    var rng = stream(name)
    let component = ledger.addComponent(
      name: name, description: description, windows: windows.map { ($0.start, $0.end) })
    let services = WeightedTable<(port: UInt16, sizes: ClosedRange<Int>)>([
      ((53, 1200...1472), 35), ((123, 440...440), 20), ((11211, 1400...1400), 5),
      ((1900, 260...360), 15), ((389, 1472...1472), 15), ((161, 900...1472), 10),
    ])
    var taken = Set<IPAddress>()
    for (cc, count) in countries.apportion(reflectors) {
      for _ in 0..<count {
        let address = try drawAddress(cc, ipv6: false, taken: &taken, &rng)
        let service = services.pick(&rng)
        let kinds: KindWeights =
          service.port == 123 || service.port == 161 ? (20, 0, 0, 80) : (80, 15, 0, 5)
        var host = Host(address: address, kindWeights: kinds, far: true)
        let window = TimeWindow.pick(windows, &rng)
        let victimPorts = (0..<rng.int(1...4)).map { _ in UInt16(rng.int(1024...65535)) }
        let victim = victimAddress(ipv6: false, serviceOnly: false, &rng)
        for _ in 0..<rng.int(responsesPerReflector) {
          let time = window.sample(&rng)
          send(
            component, at: time.nanoseconds, from: &host, to: victim,
            .udp(sourcePort: service.port, destinationPort: rng.element(victimPorts)),
            payload: rng.int(service.sizes), dontFragment: false)
        }
      }
    }
  }
}
