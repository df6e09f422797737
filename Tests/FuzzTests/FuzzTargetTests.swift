import Analysis
import Foundation
@testable import FuzzTargets
import NetCore
import NetFlow
import PacketDecoding
import TestSupport
import Testing

/// The fuzz targets in an ordinary (debug) build, with its bounds checks: each target over its
/// built-in seeds and over the inputs saved in Fuzz/Regressions/TARGET (crashes found by fuzzing,
/// minimised). A failure here stops the test process, as it would stop the fuzzer.
@Suite("Fuzz targets")
struct FuzzTargetTests {
  static let regressions = packageRoot.appendingPathComponent("Fuzz/Regressions")

  @Test("built-in seeds and saved regressions run clean", arguments: FuzzTarget.allCases)
  func seedsAndRegressions(target: FuzzTarget) throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanup() }
    try FuzzSeeds.write(to: directory.url.path, captures: [])
    var ran = 0
    for folder in [directory.url.appendingPathComponent(target.rawValue), Self.regressions.appendingPathComponent(target.rawValue)] {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      for name in names.sorted() {
        let data = try Data(contentsOf: folder.appendingPathComponent(name))
        target.run([UInt8](data))
        ran += 1
      }
    }
    #expect(ran > 0 || target == .gzip)
  }
}

/// The built-in seeds are valid inputs of their formats, so the search starts from real structure.
@Suite("Fuzz seeds")
struct FuzzSeedTests {
  @Test("the export seeds decode to flows without damage")
  func exportSeedsDecode() {
    let decoder = ExportDecoder()
    var sink = SeedSink()
    for datagram in [SeedExports.v5, SeedExports.v9Template, SeedExports.v9Data, SeedExports.ipfix] {
      let result = datagram.withUnsafeBytes { decoder.decode($0, exporter: IPAddress("192.0.2.1")!, into: &sink) }
      #expect(result.damage == nil, "\(result.damage.map(String.init(describing:)) ?? "")")
    }
    #expect(sink.flows == 2 + 2 + 1)
  }

  @Test("the frame seeds decode to IP packets (and one ARP frame)")
  func frameSeedsDecode() {
    for frame in SeedFrames.all where PacketTarget.linkType(selector: frame[0]) != LinkType(147) {
      let linkType = PacketTarget.linkType(selector: frame[0])
      let outcome = frame.dropFirst().withUnsafeBytes { PacketDecoder.decode(linkType: linkType, bytes: $0) }
      #expect(outcome.packet != nil || outcome == .nonIP(.arp), "\(linkType): \(outcome)")
    }
  }

  @Test("the capture file seeds read whole")
  func captureSeedsRead() {
    for file in SeedFiles.pcaps + SeedFiles.pcapngs {
      let reading = file.withUnsafeBytes { ScratchFile.with($0) { CaptureTargets.readOnePass(path: $0) } }
      #expect(reading.error == nil && !reading.records.isEmpty, "\(reading.error ?? "")")
    }
  }

  struct SeedSink: ExportSink {
    var flows = 0
    mutating func flow(_ observation: Observation, samplingInterval: UInt64) { flows += 1 }
    mutating func skip(_ reason: ExportSkip, count: UInt64) {}
  }
}
