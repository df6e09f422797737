import Capture
import Foundation
@testable import FuzzTargets
import TestSupport
import Testing

/// Damaged inputs made from valid ones: cut at every offset of their first records, every byte of
/// those records flipped, and every length field set to extremes. Each damaged file is read in
/// process with the fuzz targets' checks (one-line errors naming the file, record numbers, every
/// packet decoded; for classic pcap, the threaded range reader equals libpcap record for record),
/// and what was read before the damage must equal the valid file's records. A sample of the files
/// also goes through `origincheck analyze`.
@Suite("Damaged inputs made from valid ones")
struct DamagedInputSuiteTests {
  /// A valid input and where its records start.
  struct Valid: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    var format: Format
    var testDescription: String { name }

    enum Format: Sendable { case pcap, pcapng }

    /// Each unit's byte range (pcap: file header, then records; pcapng: blocks), and whether it is
    /// a packet record.
    var units: [(range: Range<Int>, isPacket: Bool)] {
      var out: [(Range<Int>, Bool)] = []
      switch format {
      case .pcap:
        let big = bytes[0] == 0xa1
        out.append((0..<24, false))
        var at = 24
        while at + 16 <= bytes.count {
          let end = at + 16 + Int(FuzzSeeds.word(bytes, at + 8, bigEndian: big))
          guard end <= bytes.count else { break }
          out.append((at..<end, true))
          at = end
        }
      case .pcapng:
        var at = 0
        var big = false
        while at + 12 <= bytes.count {
          let type = FuzzSeeds.word(bytes, at, bigEndian: big)
          if type == 0x0A0D_0D0A { big = bytes[at + 8] == 0x1a }
          let end = at + Int(FuzzSeeds.word(bytes, at + 4, bigEndian: big))
          out.append((at..<end, [2, 3, 6].contains(type)))
          at = end
        }
      }
      return out
    }

    /// The offset where the fourth packet record starts (or the end): the region mutated.
    var mutatedEnd: Int {
      let packets = units.filter(\.isPacket)
      return packets.count > 3 ? packets[3].range.lowerBound : bytes.count
    }

    /// Packet records that end at or before `offset`, with nothing before them touched.
    func packetsBefore(_ offset: Int) -> Int {
      units.prefix { $0.range.upperBound <= offset }.filter(\.isPacket).count
    }
  }

  static let sample: [UInt8] = {
    let path = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
    let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    return FuzzSeeds.pcapPrefix(bytes, records: 8) ?? []
  }()

  static let packets: [[UInt8]] = (0..<6).map { i in
    Array(SeedFiles.packet.prefix(34 + i * 4)) + [UInt8](repeating: UInt8(i), count: i)
  }

  static let valid: [Valid] = [
    Valid(name: "pcap little-endian microseconds", bytes: SeedFiles.pcap(bigEndian: false, nanoseconds: false, snaplen: 65535, packets: packets), format: .pcap),
    Valid(name: "pcap big-endian nanoseconds", bytes: SeedFiles.pcap(bigEndian: true, nanoseconds: true, snaplen: 65535, packets: packets), format: .pcap),
    Valid(name: "pcap from the sample capture", bytes: sample, format: .pcap),
    Valid(name: "pcapng little-endian", bytes: SeedFiles.section(bigEndian: false), format: .pcapng),
    Valid(name: "pcapng big-endian, then a little-endian section", bytes: SeedFiles.section(bigEndian: true) + SeedFiles.section(bigEndian: false), format: .pcapng),
  ]

  /// Reads `bytes` as `analyze` does, with the fuzz targets' checks.
  static func read(_ bytes: [UInt8], _ format: Valid.Format) -> CaptureTargets.Reading {
    if format == .pcap { FuzzTarget.pcap.run(bytes) }
    return bytes.withUnsafeBytes { data in ScratchFile.with(data) { CaptureTargets.readOnePass(path: $0) } }
  }

  /// The records read before the damage are the valid file's first records.
  static func expectPrefix(
    _ reading: CaptureTargets.Reading, of original: CaptureTargets.Reading, atLeast count: Int, _ what: String
  ) {
    #expect(reading.records.count >= count, "\(what): \(reading.records.count) records, \(count) expected before the damage")
    #expect(Array(reading.records.prefix(count)) == Array(original.records.prefix(count)), "\(what)")
  }

  @Test("the valid inputs read whole", arguments: valid)
  func validInputs(_ valid: Valid) {
    let reading = Self.read(valid.bytes, valid.format)
    #expect(reading.error == nil)
    #expect(reading.records.count == valid.units.filter(\.isPacket).count)
    #expect(reading.records.count >= 4)
  }

  @Test("cut at every offset: exactly the whole records before the cut are read", arguments: valid)
  func cuts(_ valid: Valid) {
    let original = Self.read(valid.bytes, valid.format)
    let boundaries = Set(valid.units.map(\.range.upperBound))
    for cut in 0...valid.mutatedEnd {
      let reading = Self.read(Array(valid.bytes.prefix(cut)), valid.format)
      let whole = valid.packetsBefore(cut)
      #expect(reading.records.count == whole, "cut at \(cut)")
      Self.expectPrefix(reading, of: original, atLeast: whole, "cut at \(cut)")
      // Damage, unless the cut falls between records (after the first header).
      #expect((reading.error == nil) == (boundaries.contains(cut) && cut >= valid.units[0].range.upperBound), "cut at \(cut): \(reading.error ?? "no error")")
    }
  }

  @Test("every byte of the first records flipped: the records before it are read unchanged", arguments: valid)
  func flips(_ valid: Valid) {
    let original = Self.read(valid.bytes, valid.format)
    for offset in 0..<valid.mutatedEnd {
      var bytes = valid.bytes
      bytes[offset] ^= 0xff
      let unit = valid.units.firstIndex { $0.range.contains(offset) } ?? 0
      let before = valid.units.prefix(unit).filter(\.isPacket).count
      Self.expectPrefix(Self.read(bytes, valid.format), of: original, atLeast: before, "byte \(offset) flipped")
    }
  }

  static let extremes: [UInt32] = [0, 1, 12, 13, 65535, 65536, 262_144, 262_145, 16 << 20, (16 << 20) + 4, 0x7fff_ffff, 0x8000_0000, 0xffff_fffc, 0xffff_ffff]

  @Test("every length field set to extremes: the records before it are read unchanged", arguments: valid)
  func extremeLengths(_ valid: Valid) {
    let original = Self.read(valid.bytes, valid.format)
    let big = valid.bytes[0] == 0xa1 || (valid.format == .pcapng && valid.bytes[8] == 0x1a)
    for (index, unit) in valid.units.enumerated() where unit.range.lowerBound < valid.mutatedEnd {
      // pcap: the snapshot length, then each record's captured and original lengths;
      // pcapng: each block's two total lengths, and a packet block's captured and original lengths.
      var fields: [Int]
      switch valid.format {
      case .pcap: fields = index == 0 ? [16] : [unit.range.lowerBound + 8, unit.range.lowerBound + 12]
      case .pcapng:
        fields = [unit.range.lowerBound + 4, unit.range.upperBound - 4]
        if unit.isPacket && unit.range.count >= 32 { fields += [unit.range.lowerBound + 20, unit.range.lowerBound + 24] }
      }
      let before = valid.units.prefix(index).filter(\.isPacket).count
      for field in fields {
        for value in Self.extremes {
          var bytes = valid.bytes
          let encoded = big ? value.bigEndian : value.littleEndian
          withUnsafeBytes(of: encoded) { bytes.replaceSubrange(field..<(field + 4), with: $0) }
          let reading = Self.read(bytes, valid.format)
          Self.expectPrefix(reading, of: original, atLeast: before, "length at \(field) set to \(value)")
        }
      }
    }
  }

  @Test("gzip cut at every offset and flipped: a prefix of the records, or damage")
  func gzipDamage() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let plain = Self.valid[0].bytes
    try Data(plain).write(to: URL(fileURLWithPath: directory.path("valid.pcap")))
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try gzipFile(directory.path("valid.pcap")))))
    let original = Self.read(plain, .pcap)
    #expect(Self.read(bytes, .pcap) == original)
    for cut in 0..<bytes.count {
      // Every record may have come out before the cut (the stream's last bytes hold no data), but
      // the stream's end is missing: damage.
      let reading = Self.read(Array(bytes.prefix(cut)), .pcap)
      #expect(reading.error != nil, "cut at \(cut)")
      Self.expectPrefix(reading, of: original, atLeast: 0, "cut at \(cut)")
      #expect(original.records.starts(with: reading.records), "cut at \(cut)")
    }
    for offset in 0..<bytes.count {
      var flipped = bytes
      flipped[offset] ^= 0xff
      // A flip inside the deflate data may change records before zlib's check at the end finds it;
      // the fuzz targets' checks still hold, and an input read without error is the original.
      let reading = Self.read(flipped, .pcap)
      if reading.error == nil, offset >= 10 { #expect(reading == original, "byte \(offset) flipped") }
    }
  }

  /// `path.gz`, written by gzip.
  func gzipFile(_ path: String) throws -> String {
    try run("gzip", ["-n", "-k", "-f", path])
    return path + ".gz"
  }

  @Test("a sample of damaged captures through analyze: documented status, one line, the counts read in process")
  func analyzeSample() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    let database = packageRoot.appendingPathComponent("GeoDB/test/country.mmdb").path
    var cases: [(String, [UInt8], Valid.Format)] = []
    for valid in Self.valid {
      let third = valid.units.filter(\.isPacket)[2].range
      var flipped = valid.bytes
      flipped[third.lowerBound + 9] ^= 0xff
      cases += [
        ("\(valid.name), cut inside the third record", Array(valid.bytes.prefix(third.lowerBound + 20)), valid.format),
        ("\(valid.name), third record's length flipped", flipped, valid.format),
        ("\(valid.name), cut in the header", Array(valid.bytes.prefix(10)), valid.format),
        ("\(valid.name), whole", valid.bytes, valid.format),
      ]
    }
    for (index, (name, bytes, format)) in cases.enumerated() {
      let path = directory.path("case-\(index)")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      let inProcess = Self.read(bytes, format)
      var outputs: [String] = []
      for threads in ["1", "3"] {
        let out = try origincheck(["analyze", "--db", database, "--format", "json", "--threads", threads, path])
        let lines = out.stderr.split(separator: "\n")
        let expected: Int32 = inProcess.error == nil ? 0 : (inProcess.records.isEmpty ? 66 : 65)
        #expect(out.status == expected, "\(name): status \(out.status), \(out.stderr)")
        #expect(lines.count == (expected == 0 ? 0 : 1), "\(name): \(out.stderr)")
        if expected == 66 { continue }
        let json = try #require(try parseJSON(out.stdout) as? [String: Any])
        let totals = try #require(json["totals"] as? [String: Any])
        #expect((totals["records"] as? Int) == inProcess.records.count, "\(name)")
        outputs.append(out.stdout)
      }
      #expect(Set(outputs).count <= 1, "\(name): --threads 1 and 3 differ")
    }
  }
}
