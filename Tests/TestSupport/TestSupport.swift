import Foundation
import NetCore

/// A deterministic generator for test data (SplitMix64).
public struct SeededGenerator: RandomNumberGenerator {
  public var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A fresh temporary directory, removed by the caller with `cleanup()`.
public struct TemporaryDirectory {
  public let url: URL
  public init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("origincheck-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
  public func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The package root, found from this file's location.
public let packageRoot: URL = {
  var url = URL(fileURLWithPath: #filePath)
  while url.path != "/" {
    url.deleteLastPathComponent()
    if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
  }
  fatalError("Package.swift not found above \(#filePath)")
}()

/// Runs a program and returns its exit status, standard output and standard error. `environment`
/// adds to (or overrides) the test process's environment.
@discardableResult
public func run(
  _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]
) throws -> (status: Int32, stdout: String, stderr: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = [executable] + arguments
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  }
  let out = Pipe()
  // Standard error goes to a file so the child never blocks on a full pipe while stdout is read.
  let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
  FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let errHandle = try FileHandle(forWritingTo: errURL)
  defer { try? FileManager.default.removeItem(at: errURL) }
  process.standardOutput = out
  process.standardError = errHandle
  if let input {
    // The child may stop reading early (damaged input): its end of the pipe closes, and the write
    // must fail with EPIPE instead of killing the test process. Writing on another thread keeps a
    // child that writes much output from blocking on us while we write.
    signal(SIGPIPE, SIG_IGN)
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    let writer = inPipe.fileHandleForWriting
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
      try? writer.write(contentsOf: input)
      try? writer.close()
      done.signal()
    }
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    done.wait()
    try errHandle.close()
    let stderrData = (try? Data(contentsOf: errURL)) ?? Data()
    return (process.terminationStatus, String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
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

public func randomIPv4(_ rng: inout SeededGenerator) -> IPAddress { .v4(IPv4Address(UInt32.random(in: .min ... .max, using: &rng))) }
public func randomIPv6(_ rng: inout SeededGenerator) -> IPAddress {
  .v6(IPv6Address(high: rng.next(), low: rng.next()))
}

/// The `origincheck` executable built for these tests (`swift build` puts it beside them).
public func origincheckBinary() throws -> String {
  for config in ["debug", "release"] {
    for dir in [".build/\(config)", ".build/x86_64-unknown-linux-gnu/\(config)", ".build/aarch64-unknown-linux-gnu/\(config)"] {
      let path = packageRoot.appendingPathComponent("\(dir)/origincheck").path
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
  }
  throw TestSupportError("origincheck is not built: run `swift build` before `swift test`")
}

/// Runs `origincheck` with arguments.
public func origincheck(
  _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]
) throws -> (status: Int32, stdout: String, stderr: String) {
  try run(try origincheckBinary(), arguments, input: input, environment: environment)
}

public struct TestSupportError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Parses JSON text with Foundation, for assertions.
public func parseJSON(_ text: String) throws -> Any {
  try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}
