import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Where `--metrics` serves: a numeric address and a port. Only loopback unless another address is
/// given explicitly.
struct MetricsAddress: Equatable, CustomStringConvertible {
  var host: String
  var port: UInt16
  var isIPv6: Bool

  /// `9464` (loopback), `127.0.0.1:9464`, `localhost:9464`, `[::1]:9464`, `0.0.0.0:9464`; port 0
  /// asks the system for a free port.
  init?(_ text: String) {
    var host = "127.0.0.1"
    var portText = text
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
      host = String(text[text.index(after: text.startIndex)..<close])
      portText = String(text[text.index(close, offsetBy: 2)...])
    } else if let colon = text.lastIndex(of: ":") {
      let given = String(text[..<colon])
      guard !given.contains(":") else { return nil }
      if !given.isEmpty { host = given == "localhost" ? "127.0.0.1" : given }
      portText = String(text[text.index(after: colon)...])
    }
    guard let port = UInt16(portText) else { return nil }
    let v6 = host.contains(":")
    var buffer = [UInt8](repeating: 0, count: 16)
    guard inet_pton(v6 ? AF_INET6 : AF_INET, host, &buffer) == 1 else { return nil }
    self.host = host
    self.port = port
    self.isIPv6 = v6
  }

  /// Whether the address is a loopback address (127.0.0.0/8 or ::1).
  var isLoopback: Bool { isIPv6 ? host == "::1" || host == "0:0:0:0:0:0:0:1" : host.hasPrefix("127.") }

  var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A small HTTP/1.1 responder for `GET /metrics` on its own thread: one connection at a time, the
/// request read with a short timeout, every response with `Connection: close`. Enough for a
/// Prometheus scraper or curl; nothing else is served.
final class MetricsServer: @unchecked Sendable {
  /// The address actually listened on (with the port the system chose for port 0).
  let address: MetricsAddress
  private let listener: Int32
  private let body: @Sendable () -> [UInt8]
  private let finished = DispatchSemaphore(value: 0)
  private let lock = NSLock()
  private var stopping = false

  /// Listens on `address`; `body` makes the exposition text for each scrape (on the server's thread).
  init(address: MetricsAddress, body: @escaping @Sendable () -> [UInt8]) throws {
    self.body = body
    let fd = socket(address.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw Self.error(address, "cannot open a socket") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var bound = address
    let ok: Bool
    if address.isIPv6 {
      var sa = sockaddr_in6()
      sa.sin6_family = sa_family_t(AF_INET6)
      sa.sin6_port = address.port.bigEndian
      inet_pton(AF_INET6, address.host, &sa.sin6_addr)
      ok = Self.bind(fd, &sa)
      bound.port = UInt16(bigEndian: sa.sin6_port)
    } else {
      var sa = sockaddr_in()
      sa.sin_family = sa_family_t(AF_INET)
      sa.sin_port = address.port.bigEndian
      inet_pton(AF_INET, address.host, &sa.sin_addr)
      ok = Self.bind(fd, &sa)
      bound.port = UInt16(bigEndian: sa.sin_port)
    }
    guard ok, listen(fd, 16) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw Self.error(address, "cannot listen: \(reason)")
    }
    listener = fd
    self.address = bound
  }

  /// Binds `fd` to the socket address `sa` and reads back the address bound (the port chosen for
  /// port 0). False when the bind fails.
  private static func bind<Address>(_ fd: Int32, _ sa: inout Address) -> Bool {
    let size = socklen_t(MemoryLayout<Address>.size)
    let ok = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, size) == 0 } }
    var length = size
    _ = withUnsafeMutablePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return ok
  }

  /// Starts answering on a thread of its own.
  func start() {
    let thread = Thread { [self] in
      serve()
      finished.signal()
    }
    thread.name = "metrics"
    thread.start()
  }

  /// Stops answering and waits for the thread to finish the request it is on.
  func stop() {
    lock.lock()
    let already = stopping
    stopping = true
    lock.unlock()
    guard !already else { return }
    shutdown(listener, Int32(SHUT_RDWR))
    finished.wait()
    close(listener)
  }

  private var isStopping: Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopping
  }

  private func serve() {
    while !isStopping {
      let client = accept(listener, nil, nil)
      if client < 0 {
        if errno == EINTR || errno == ECONNABORTED { continue }
        if isStopping { return }
        usleep(10_000)
        continue
      }
      var timeout = timeval(tv_sec: 2, tv_usec: 0)
      setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
      respond(client)
      close(client)
    }
  }

  /// Reads the request head (up to 8 KiB) and answers it.
  private func respond(_ client: Int32) {
    var request: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 2048)
    while request.count < 8192 {
      let n = recv(client, &chunk, chunk.count, 0)
      if n <= 0 { break }
      request += chunk[0..<n]
      if request.count >= 4 && Self.containsBlankLine(request) { break }
    }
    let line = request.split(separator: UInt8(ascii: "\r"), maxSplits: 1).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
    let parts = line.split(separator: " ")
    guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else {
      send(client, status: "400 Bad Request", body: Array("bad request\n".utf8))
      return
    }
    let method = parts[0]
    let path = parts[1].split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
    guard method == "GET" || method == "HEAD" else {
      send(client, status: "405 Method Not Allowed", extra: "Allow: GET, HEAD\r\n", body: Array("only GET and HEAD\n".utf8))
      return
    }
    guard path == "/metrics" else {
      send(client, status: "404 Not Found", body: Array("not found; the metrics are at /metrics\n".utf8), headOnly: method == "HEAD")
      return
    }
    send(
      client, status: "200 OK", contentType: "text/plain; version=0.0.4; charset=utf-8", body: body(),
      headOnly: method == "HEAD")
  }

  private func send(
    _ client: Int32, status: String, contentType: String = "text/plain; charset=utf-8", extra: String = "",
    body: [UInt8], headOnly: Bool = false
  ) {
    let head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n"
    var bytes = Array(head.utf8)
    if !headOnly { bytes += body }
    var sent = 0
    while sent < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
      if n <= 0 { return }
      sent += n
    }
  }

  private static func containsBlankLine(_ bytes: [UInt8]) -> Bool {
    guard bytes.count >= 4 else { return false }
    for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
      return true
    }
    return false
  }

  private static func error(_ address: MetricsAddress, _ reason: String) -> CLIError {
    CLIError("--metrics \(address): \(reason)", status: .cannotWrite)
  }
}
