import Foundation
import Geo
import NetCore

/// A deterministic generator for test data (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A fresh temporary directory, removed by the caller with `cleanup()`.
struct TemporaryDirectory {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("origincheck-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
  func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The package root, found from this file's location.
let packageRoot: URL = {
  var url = URL(fileURLWithPath: #filePath)
  while url.path != "/" {
    url.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
  }
  fatalError("Package.swift not found above \(#filePath)")
}()

/// Runs a program and returns its standard output; fails the caller when it exits non-zero.
@discardableResult
func run(_ executable: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = [executable] + arguments
  let out = Pipe()
  // Standard error goes to a file so the child never blocks on a full pipe while stdout is read.
  let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
  FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let errHandle = try FileHandle(forWritingTo: errURL)
  defer { try? FileManager.default.removeItem(at: errURL) }
  process.standardOutput = out
  process.standardError = errHandle
  if let input {
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    inPipe.fileHandleForWriting.write(input)
    try inPipe.fileHandleForWriting.close()
  } else {
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }
  let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  try errHandle.close()
  let stderrData = (try? Data(contentsOf: errURL)) ?? Data()
  return (process.terminationStatus, String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
}

func randomIPv4(_ rng: inout SeededGenerator) -> IPAddress { .v4(IPv4Address(UInt32.random(in: .min ... .max, using: &rng))) }
func randomIPv6(_ rng: inout SeededGenerator) -> IPAddress {
  .v6(IPv6Address(high: rng.next(), low: rng.next()))
}
