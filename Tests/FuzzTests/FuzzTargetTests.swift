import Foundation
import FuzzTargets
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
