import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A program running beside the test (a collector, an exporter), its standard output and error
/// going to files the test can read while it runs.
///
/// A child inherits the signal mask of the thread that starts it, and the threads tests run on
/// block asynchronous signals; the program is started with an empty mask (through a one-line
/// Python `exec`) so that SIGTERM and SIGINT reach it.
public final class BackgroundProcess {
  static let unblockAndExec =
    "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execvp(sys.argv[1], sys.argv[1:])"

  public let process = Process()
  private let outURL: URL
  private let errURL: URL

  public init(_ executable: String, _ arguments: [String]) throws {
    let dir = FileManager.default.temporaryDirectory
    outURL = dir.appendingPathComponent("bg-out-\(UUID().uuidString)")
    errURL = dir.appendingPathComponent("bg-err-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", Self.unblockAndExec, executable] + arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    try process.run()
  }

  deinit {
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(at: outURL)
    try? FileManager.default.removeItem(at: errURL)
  }

  public var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
  public var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

  /// Waits until standard error matches `pattern` (a regular expression) and returns its first
  /// capture group, or throws after `timeout` seconds or when the process ends first.
  public func waitForStderr(_ pattern: String, timeout: Double = 120) throws -> String {
    let regex = try NSRegularExpression(pattern: pattern)
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let text = stderr
      if let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
        let r = m.numberOfRanges > 1 ? m.range(at: 1) : m.range
        return String(text[Range(r, in: text)!])
      }
      if !process.isRunning { break }
      usleep(20_000)
    }
    throw TestSupportError("no '\(pattern)' on standard error of \(process.arguments ?? []); it says: \(stderr)")
  }

  /// Sends `signal` (SIGTERM by default) and waits for the process to end, at most `timeout`
  /// seconds (then it is killed and this throws).
  @discardableResult
  public func stop(signal: Int32 = SIGTERM, timeout: Double = 60) throws -> Int32 {
    if process.isRunning { kill(process.processIdentifier, signal) }
    return try wait(timeout: timeout)
  }

  /// Waits for the process to end by itself, at most `timeout` seconds (then it is killed and
  /// this throws).
  @discardableResult
  public func wait(timeout: Double = 120) throws -> Int32 {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      throw TestSupportError("\(process.arguments ?? []) did not end within \(timeout) s; stderr: \(stderr)")
    }
    return process.terminationStatus
  }
}

/// A UDP socket that sends datagrams to a port on 127.0.0.1 (or ::1).
public final class UDPSender {
  public let fd: Int32
  private let ipv6: Bool
  public let port: UInt16

  public init(port: UInt16, ipv6: Bool = false) throws {
    self.ipv6 = ipv6
    self.port = port
    fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
  }

  deinit { close(fd) }

  /// The local port the kernel gave the socket (after the first send).
  public var localPort: UInt16 {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return withUnsafeBytes(of: storage) { raw in
      ipv6 ? UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port) : UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
    }
  }

  public func send(_ bytes: [UInt8]) throws {
    let sent: Int
    if ipv6 {
      var sin6 = sockaddr_in6()
      sin6.sin6_family = sa_family_t(AF_INET6)
      sin6.sin6_port = port.bigEndian
      sin6.sin6_addr = in6addr_loopback
      sent = withUnsafePointer(to: &sin6) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
      }
    } else {
      var sin = sockaddr_in()
      sin.sin_family = sa_family_t(AF_INET)
      sin.sin_port = port.bigEndian
      sin.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
      sent = withUnsafePointer(to: &sin) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
    }
    guard sent == bytes.count else { throw TestSupportError("sendto: \(String(cString: strerror(errno)))") }
  }

  /// A UDP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
  public static func freePort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var sin = sockaddr_in()
    sin.sin_family = sa_family_t(AF_INET)
    sin.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    let bound = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw TestSupportError("bind: \(String(cString: strerror(errno)))") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: sin.sin_port)
  }
}
