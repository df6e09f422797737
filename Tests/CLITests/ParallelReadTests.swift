import Foundation
import TestSupport
import Testing

/// Plain pcap files are read by byte ranges on several threads. The summary must not depend on the
/// split, and damaged files must get exactly what the one-pass libpcap reader (standard input) gives.
@Suite struct ParallelReadTests {
  static func capgen() throws -> String {
    try origincheckBinary().replacingOccurrences(of: "/origincheck", with: "/capgen")
  }

  /// A generated flood capture of a few megabytes (several 1 MiB parts).
  static func capture(_ dir: TemporaryDirectory, _ arguments: [String]) throws -> String {
    let path = dir.path("flood.pcap")
    let out = try run(try capgen(), ["bench", "--output", path] + arguments)
    try #require(out.status == 0, "\(out.stderr)")
    return path
  }

  /// `analyze` of a file, and of the same bytes on standard input, with the path made equal.
  static func analyzeBoth(_ path: String, threads: Int, _ extra: [String] = []) throws -> (file: (Int32, String, String), stdin: (Int32, String, String)) {
    let args = ["analyze", "--format", "json", "--bucket", "1s", "--claim", "ukraine-area:primary"] + extra
    let f = try origincheck(args + ["--threads", String(threads), path])
    let s = try origincheck(args + ["-"], input: try Data(contentsOf: URL(fileURLWithPath: path)))
    let fileOut = f.stdout.replacingOccurrences(of: "\"path\": \"\(path)\"", with: "\"path\": \"-\"")
      .replacingOccurrences(of: path, with: "<stdin>")
    return ((f.status, fileOut, f.stderr.replacingOccurrences(of: path, with: "<stdin>")), (s.status, s.stdout, s.stderr))
  }

  /// Byte offsets of the records of a little-endian classic pcap.
  static func recordOffsets(_ data: Data) -> [Int] {
    var offsets: [Int] = []
    var at = 24
    while at + 16 <= data.count {
      offsets.append(at)
      let caplen = data.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self))) }
      at += 16 + caplen
    }
    return offsets
  }

  @Test func threadsDoNotChangeTheSummary() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = try Self.capture(dir, ["--packets", "60000", "--sources", "5000", "--rate", "2000"])
    let one = try origincheck(["analyze", "--format", "json", "--bucket", "1s", "--threads", "1", path])
    try #require(one.status == 0, "\(one.stderr)")
    for threads in [2, 3, 4] {
      let both = try Self.analyzeBoth(path, threads: threads)
      #expect(both.file.0 == 0)
      #expect(both.file.1 == both.stdin.1, "threads \(threads)")
    }
  }

  @Test func sampledSourcesDoNotDependOnThreads() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = try Self.capture(dir, ["--packets", "80000", "--spoofed"])
    let exact = try origincheck(["analyze", "--format", "json", "--threads", "1", path])
    let sampledOne = try origincheck(["analyze", "--format", "json", "--threads", "1", "--exact-sources", "4000", path])
    let sampledThree = try origincheck(["analyze", "--format", "json", "--threads", "3", "--exact-sources", "4000", path])
    try #require(exact.status == 0 && sampledOne.status == 0 && sampledThree.status == 0)
    #expect(sampledOne.stdout == sampledThree.stdout)
    let e = try #require(try parseJSON(exact.stdout) as? [String: Any])
    let s = try #require(try parseJSON(sampledOne.stdout) as? [String: Any])
    let et = try #require(e["totals"] as? [String: Any])
    let st = try #require(s["totals"] as? [String: Any])
    #expect(et["ipPackets"] as? Int == st["ipPackets"] as? Int)
    let exactSources = try #require(et["sources"] as? Int)
    let estimate = try #require(st["sources"] as? Int)
    #expect(exactSources > 70_000)
    let error = abs(Double(estimate - exactSources)) / Double(exactSources)
    #expect(error <= 3 * 1.04 / 64, "estimate \(estimate) of \(exactSources)")
    let origins = try #require(e["origins"] as? [[String: Any]])
    let sampledOrigins = try #require(s["origins"] as? [[String: Any]])
    for o in origins {
      let match = try #require(sampledOrigins.first { ($0["code"] as? String) == (o["code"] as? String) })
      #expect(match["packets"] as? Int == o["packets"] as? Int)
      #expect(match["wireBytes"] as? Int == o["wireBytes"] as? Int)
    }
  }

  /// Damage anywhere (a cut record, an absurd length) gives the same counts, message and status
  /// with threads as the one-pass libpcap reader.
  @Test func damagedFilesReadLikeOnePass() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = try Self.capture(dir, ["--packets", "50000", "--sources", "3000", "--rate", "5000"])
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let offsets = Self.recordOffsets(data)
    var cases: [(String, Data)] = []
    for fraction in [0.1, 0.45, 0.55, 0.9] {
      let at = offsets[Int(Double(offsets.count) * fraction)]
      cases.append(("cut at \(fraction)", data.prefix(at + 9)))
      var absurd = data
      absurd.replaceSubrange(at + 8..<at + 12, with: [0xff, 0xff, 0xff, 0x00])
      cases.append(("absurd length at \(fraction)", absurd))
    }
    cases.append(("cut inside the last record", data.prefix(data.count - 3)))
    for (name, bytes) in cases {
      let damaged = dir.path("damaged.pcap")
      try bytes.write(to: URL(fileURLWithPath: damaged))
      for threads in [1, 3] {
        let both = try Self.analyzeBoth(damaged, threads: threads)
        #expect(both.file.0 == both.stdin.0, "\(name), threads \(threads)")
        #expect(both.file.0 == 65, "\(name)")
        #expect(both.file.1 == both.stdin.1, "\(name), threads \(threads)")
        #expect(both.file.2 == both.stdin.2, "\(name), threads \(threads)")
      }
    }
  }
}
