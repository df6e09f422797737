import NetCore

/// `capgen bench`: a large flood capture written fast, for throughput tests.
///
/// 256 frame templates (SYN floods with and without options, ACK floods, UDP floods of four payload
/// sizes, to the service addresses and the rest of 104.244.42.0/24) are built once with a zero source.
/// Each packet copies a template into the write buffer and patches the source address, TTL, IP ID,
/// source port and (TCP) sequence number, recomputes the IPv4 header checksum and adjusts the TCP/UDP
/// checksum incrementally. Timestamps advance at `rate` packets per second with jitter, from
/// 2025-03-10 13:45:00 UTC.
///
/// Sources: with `spoofed`, packet `i` has source `permute(i)`, a keyed bijection of the 32-bit space,
/// so every packet has a fresh, uniformly spread address and distinct sources equal packets. Otherwise
/// `sources` bots are apportioned over the botnet country mix and drawn from the country pools, and each
/// packet comes from a uniformly chosen bot.
struct Bench {
  let packets: Int
  let sources: Int
  let spoofed: Bool
  let seed: UInt64
  let rate: Int
  let geoip: TorGeoIP
  let victim = IPNetwork("104.244.42.0/24")!

  struct Template {
    var bytes: [UInt8]
    var wireLength: Int
    var ipLength: Int
    var isTCP: Bool
    /// The one's-complement sum of the transport checksum's inputs with the patched fields at zero.
    var partialSum: UInt32
  }

  struct Result {
    var packets: Int
    var bytesWritten: Int
  }

  func makeTemplates(_ rng: inout SeededRandom) -> [Template] {
    let hosts = VictimHosts(network: victim)
    var templates: [Template] = []
    for i in 0..<256 {
      let destination = hosts.address(&rng)
      let zero = IPAddress.v4(IPv4Address(0))
      let frame: Frame
      switch i % 8 {
      case 0, 1, 2:
        frame = Frame(
          source: zero, destination: destination, ttl: 0, ipID: 0, dontFragment: true,
          transport: .tcp(
            Frame.TCPHeader(
              sourcePort: 0, destinationPort: rng.chance(0.8) ? 443 : 80, sequence: 0, acknowledgment: 0,
              flags: Frame.TCPHeader.syn, window: UInt16(rng.int(1024...65535)))), payloadLength: 0)
      case 3:
        var options: [UInt8] = [2, 4, 5, 0xb4, 4, 2, 8, 10]
        options.append32(rng.uint32())
        options += [0, 0, 0, 0, 1, 3, 3, 6]
        frame = Frame(
          source: zero, destination: destination, ttl: 0, ipID: 0, dontFragment: true,
          transport: .tcp(
            Frame.TCPHeader(
              sourcePort: 0, destinationPort: 443, sequence: 0, acknowledgment: 0, flags: Frame.TCPHeader.syn,
              window: 64240, options: options)), payloadLength: 0)
      case 4:
        frame = Frame(
          source: zero, destination: destination, ttl: 0, ipID: 0, dontFragment: true,
          transport: .tcp(
            Frame.TCPHeader(
              sourcePort: 0, destinationPort: 443, sequence: 0, acknowledgment: rng.uint32(),
              flags: Frame.TCPHeader.ack | Frame.TCPHeader.psh, window: UInt16(rng.int(1024...65535)))),
          payloadLength: 512)
      default:
        frame = Frame(
          source: zero, destination: destination, ttl: 0, ipID: 0, dontFragment: false,
          transport: .udp(sourcePort: 0, destinationPort: rng.chance(0.5) ? 443 : UInt16(rng.int(1024...65535))),
          payloadLength: rng.element([512, 1024, 1400, 1458]))
      }
      let isTCP = frame.bytes[23] == 6
      let at = isTCP ? 34 + 16 : 34 + 6
      let stored = UInt32(frame.bytes[at]) << 8 | UInt32(frame.bytes[at + 1])
      // A UDP template never stores 0; the all-ones form stands for a sum of zero, as does ~0xffff.
      templates.append(
        Template(
          bytes: frame.bytes, wireLength: frame.wireLength, ipLength: frame.ipLength, isTCP: isTCP,
          partialSum: ~stored & 0xffff))
    }
    return templates
  }

  /// A keyed bijection of the 32-bit space (xorshift-multiply rounds, each invertible).
  @inline(__always)
  static func permute(_ i: UInt32, key: UInt64) -> UInt32 {
    var x = i &+ UInt32(truncatingIfNeeded: key)
    x ^= x >> 16
    x &*= 0x7feb_352d
    x ^= x >> 15
    x &*= 0x846c_a68b
    x ^= x >> 16
    x &+= UInt32(truncatingIfNeeded: key >> 32)
    x ^= x >> 13
    x &*= 0x5bd1_e995
    x ^= x >> 15
    return x
  }

  func run(writer: PcapWriter, ledger: TruthLedger) throws -> Result {
    var rng = SeededRandom(seed: seed, stream: "bench")
    let templates = makeTemplates(&rng)

    // Bots: address and TTL.
    var botAddresses: [UInt32] = []
    var botTTLs: [UInt8] = []
    if !spoofed {
      var taken = Set<UInt32>()
      var pools: [CountryCode: AddressPool<UInt32>] = [:]
      for (cc, count) in Scenario.table(Scenario.botnetMix).apportion(sources) {
        guard let pool = pools[cc] ?? geoip.pool4(cc) else {
          throw TrafficBuilder.MissingCountry(code: cc.description, family: "IPv4")
        }
        pools[cc] = pool
        for _ in 0..<count {
          var a = pool.draw(&rng)
          while !taken.insert(a).inserted { a = pool.draw(&rng) }
          botAddresses.append(a)
          let host = Host(address: .v4(IPv4Address(a)), kindWeights: TrafficBuilder.botKinds, far: true)
          botTTLs.append(host.ttl)
        }
      }
    }
    let key = rng.next()

    // Truth counters by origin slot: a country's 16-bit code, 0x3f3f for "??", 0 for unlisted.
    var slotPackets = [UInt64](repeating: 0, count: 65536)
    var slotWire = [UInt64](repeating: 0, count: 65536)
    var slotIP = [UInt64](repeating: 0, count: 65536)
    var botPackets = [UInt64](repeating: 0, count: botAddresses.count)
    var botWire = [UInt64](repeating: 0, count: botAddresses.count)
    var botIP = [UInt64](repeating: 0, count: botAddresses.count)
    var specialCounters: [Int: TruthLedger.Counter] = [:]
    let special = Bench.specialPurpose4()

    let start = TimeWindow.utc(2025, 3, 10, 13, 45).nanoseconds
    let step = max(Int64(1), 1_000_000_000 / Int64(max(rate, 1)))
    var time = start
    var written = 24
    let nanosecond = writer.nanosecond

    for i in 0..<packets {
      let r1 = rng.next()
      let r2 = rng.next()
      let template = templates[Int(r1 & 0xff)]
      let source: UInt32
      let ttl: UInt8
      var bot = 0
      if spoofed {
        source = Bench.permute(UInt32(truncatingIfNeeded: i), key: key)
        ttl = 50 + UInt8(truncatingIfNeeded: r1 >> 8 & 3)
      } else {
        bot = Int(((r2 >> 32) &* UInt64(botAddresses.count)) >> 32)
        source = botAddresses[bot]
        ttl = botTTLs[bot]
      }
      let sourcePort = UInt16(1024 + (r1 >> 16 & 0xffff) % 64512)
      let ipID = UInt16(truncatingIfNeeded: r1 >> 32)
      let sequence = UInt32(truncatingIfNeeded: r2)
      time += step / 2 + Int64((r1 >> 48) % UInt64(step))

      let count = template.bytes.count
      let p = try writer.reserve(16 + count)
      PcapWriter.storeRecordHeader(
        at: p, time: Timestamp(nanoseconds: time), nanosecond: nanosecond, capturedLength: count,
        wireLength: template.wireLength)
      let f = p + 16
      template.bytes.withUnsafeBytes { f.copyMemory(from: $0.baseAddress!, byteCount: count) }
      Bench.store16(f, 18, ipID)
      f.storeBytes(of: ttl, toByteOffset: 22, as: UInt8.self)
      Bench.store32(f, 26, source)
      // IPv4 header checksum over the 20 bytes at 14.
      f.storeBytes(of: 0, toByteOffset: 24, as: UInt16.self)
      var sum: UInt32 = 0
      for w in 0..<10 { sum &+= Bench.load16(f, 14 + 2 * w) }
      Bench.store16(f, 24, Bench.fold(sum))
      // Transport: source port, sequence number, checksum.
      Bench.store16(f, 34, sourcePort)
      var l4 = template.partialSum &+ (source >> 16) &+ (source & 0xffff) &+ UInt32(sourcePort)
      if template.isTCP {
        Bench.store32(f, 38, sequence)
        l4 &+= (sequence >> 16) &+ (sequence & 0xffff)
        Bench.store16(f, 50, Bench.fold(l4))
      } else {
        let c = Bench.fold(l4)
        Bench.store16(f, 40, c == 0 ? 0xffff : c)
      }
      writer.commit(16 + count, packets: 1)
      written += 16 + count

      if spoofed {
        let slot = Bench.slot(geoip.origin(source))
        slotPackets[slot] += 1
        slotWire[slot] += UInt64(template.wireLength)
        slotIP[slot] += UInt64(template.ipLength)
        if special.firstOctets[Int(source >> 24)] {
          for net in special.blocks where source & net.mask == net.value {
            // Every spoofed source is fresh, so distinct sources equal packets.
            specialCounters[net.index, default: TruthLedger.Counter()].add(
              source: nil, wire: template.wireLength, ip: template.ipLength)
            specialCounters[net.index]!.distinctOverride = specialCounters[net.index]!.packets
            break
          }
        }
      } else {
        botPackets[bot] += 1
        botWire[bot] += UInt64(template.wireLength)
        botIP[bot] += UInt64(template.ipLength)
      }
    }

    // Fold the counters into the ledger.
    var distinct = [UInt64](repeating: 0, count: 65536)
    if spoofed {
      distinct = slotPackets
    } else {
      for (b, a) in botAddresses.enumerated() where botPackets[b] > 0 {
        let slot = Bench.slot(geoip.origin(a))
        slotPackets[slot] += botPackets[b]
        slotWire[slot] += botWire[b]
        slotIP[slot] += botIP[b]
        distinct[slot] += 1
        if let block = SpecialPurposeBlocks.index(of: .v4(IPv4Address(a))) {
          var counter = specialCounters[block] ?? TruthLedger.Counter()
          counter.sources.insert(.v4(IPv4Address(a)))
          counter.packets += botPackets[b]
          counter.wireBytes += botWire[b]
          counter.ipBytes += botIP[b]
          specialCounters[block] = counter
        }
      }
    }
    var tally = TruthLedger.Tally()
    for slot in 0..<65536 where slotPackets[slot] > 0 {
      let origin: TorOrigin =
        slot == 0
        ? .unlisted : (slot == Int(CountryCode.unknown.raw) ? .unknown : .country(CountryCode(raw: UInt16(slot))))
      let counter = TruthLedger.Counter(
        packets: slotPackets[slot], wireBytes: slotWire[slot], ipBytes: slotIP[slot], sources: [],
        distinctOverride: distinct[slot])
      tally.byOrigin[origin] = counter
      tally.totals.packets += counter.packets
      tally.totals.wireBytes += counter.wireBytes
      tally.totals.ipBytes += counter.ipBytes
      tally.totals.distinctOverride = (tally.totals.distinctOverride ?? 0) + distinct[slot]
    }
    ledger.setBulk(
      all: tally, toTarget: tally, specialPurpose: specialCounters, first: Timestamp(nanoseconds: start),
      last: Timestamp(nanoseconds: time),
      component: (
        spoofed ? "spoofed" : "botnet",
        spoofed
          ? "floods from a fresh uniformly random IPv4 source per packet"
          : "floods from \(botAddresses.count) bots over the botnet country mix"
      ))
    return Result(packets: packets, bytesWritten: written)
  }

  static func slot(_ origin: TorOrigin) -> Int {
    switch origin {
    case .country(let cc): return Int(cc.raw)
    case .unknown: return Int(CountryCode.unknown.raw)
    case .unlisted: return 0
    }
  }

  /// The IPv4 special-purpose blocks as value/mask pairs, with a table of the first octets they cover.
  static func specialPurpose4() -> (blocks: [(value: UInt32, mask: UInt32, index: Int)], firstOctets: [Bool]) {
    var blocks: [(value: UInt32, mask: UInt32, index: Int)] = []
    var octets = [Bool](repeating: false, count: 256)
    for (index, net) in SpecialPurposeBlocks.networks.enumerated() {
      guard case .v4(let a) = net.address else { continue }
      let mask: UInt32 = net.prefixLength == 0 ? 0 : ~0 << UInt32(32 - net.prefixLength)
      blocks.append((a.value, mask, index))
      let span = net.prefixLength >= 8 ? 1 : 1 << (8 - net.prefixLength)
      for o in 0..<span { octets[Int(a.value >> 24) + o] = true }
    }
    return (blocks, octets)
  }

  @inline(__always) static func fold(_ sum: UInt32) -> UInt16 {
    var s = sum
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~UInt16(truncatingIfNeeded: s)
  }

  @inline(__always) static func load16(_ p: UnsafeMutableRawPointer, _ at: Int) -> UInt32 {
    UInt32(p.load(fromByteOffset: at, as: UInt8.self)) << 8 | UInt32(p.load(fromByteOffset: at + 1, as: UInt8.self))
  }

  @inline(__always) static func store16(_ p: UnsafeMutableRawPointer, _ at: Int, _ v: UInt16) {
    p.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt16.self)
  }

  @inline(__always) static func store32(_ p: UnsafeMutableRawPointer, _ at: Int, _ v: UInt32) {
    p.storeBytes(of: v.bigEndian, toByteOffset: at, as: UInt32.self)
  }
}

/// Destination addresses in the victim network: the four service addresses 70% of the time.
private struct VictimHosts {
  let network: IPNetwork

  func address(_ rng: inout SeededRandom) -> IPAddress {
    guard case .v4(let net) = network.address else { preconditionFailure("an IPv4 victim network") }
    let offset: UInt32 = rng.chance(0.7) ? rng.element([1, 65, 129, 193]) : UInt32(rng.below(256))
    return .v4(IPv4Address(net.value | offset))
  }
}
