public import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// Why a UDP socket could not be opened or read.
public struct ListenError: Error, Sendable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// A bound UDP socket that hands out datagrams in place, with its sender.
///
/// The receive buffer is made large (forced past `net.core.rmem_max` when the process may) so bursts
/// wait in the kernel rather than being dropped; the kernel's count of datagrams dropped on this
/// socket is readable at any time. A handle: not `Sendable`, use it from one thread.
public final class UDPListener {
  public let fileDescriptor: Int32
  /// The bound address and port (the port the kernel chose when 0 was asked for).
  public let address: IPAddress
  public let port: UInt16
  /// The receive buffer the kernel granted, in bytes (as `SO_RCVBUF` reports it).
  public let receiveBufferBytes: Int
  private let buffer: UnsafeMutableRawBufferPointer
  private var sender = sockaddr_storage()

  /// Binds `address`:`port`, asking for a receive buffer of `receiveBuffer` bytes. The socket is
  /// non-blocking: wait for it with `poll`.
  public init(address: IPAddress, port: UInt16, receiveBuffer: Int = 64 << 20) throws(ListenError) {
    let family = address.isIPv4 ? AF_INET : AF_INET6
    let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw ListenError("cannot open a UDP socket: \(Self.errnoText())") }
    var size = Int32(clamping: receiveBuffer)
    // SO_RCVBUFFORCE needs CAP_NET_ADMIN; otherwise SO_RCVBUF, capped by net.core.rmem_max.
    if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)) != 0 {
      _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    var granted: Int32 = 0
    var grantedLength = socklen_t(MemoryLayout<Int32>.size)
    _ = getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &grantedLength)
    receiveBufferBytes = Int(granted)

    var storage = sockaddr_storage()
    let length = Self.fill(&storage, address, port)
    let bound = withUnsafePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else {
      let text = Self.errnoText()
      close(fd)
      throw ListenError("cannot listen on udp \(Self.name(address, port)): \(text)")
    }
    var actual = sockaddr_storage()
    var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &actual) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
    }
    fileDescriptor = fd
    self.address = address
    self.port = Self.decode(actual)?.1 ?? port
    buffer = .allocate(byteCount: 65536, alignment: 8)
  }

  deinit {
    close(fileDescriptor)
    buffer.deallocate()
  }

  /// `127.0.0.1:2055`, `[::1]:2055`.
  public static func name(_ address: IPAddress, _ port: UInt16) -> String {
    address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
  }

  /// What one call to `receive` found.
  public enum Received {
    /// A datagram was handed to the body.
    case datagram
    /// Nothing is queued.
    case empty
  }

  /// Receives one queued datagram, if any, and calls `body` with its bytes (valid only during the
  /// call), its sender's address and port.
  public func receive(_ body: (UnsafeRawBufferPointer, IPAddress, UInt16) -> Void) throws(ListenError) -> Received {
    while true {
      var senderLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
      let n = withUnsafeMutablePointer(to: &sender) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          recvfrom(fileDescriptor, buffer.baseAddress, buffer.count, 0, $0, &senderLength)
        }
      }
      if n >= 0 {
        let (from, fromPort) = Self.decode(sender) ?? (.v4(IPv4Address(0)), 0)
        body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), from, fromPort)
        return .datagram
      }
      switch errno {
      case EAGAIN, EWOULDBLOCK: return .empty
      case EINTR: continue
      default: throw ListenError("udp \(Self.name(address, port)): cannot receive: \(Self.errnoText())")
      }
    }
  }

  /// Datagrams the kernel dropped on this socket since it was opened (full receive buffer, bad
  /// checksum): `SK_MEMINFO_DROPS` from `SO_MEMINFO`. `nil` where the kernel does not say.
  public var kernelDrops: UInt64? {
    var info = [UInt32](repeating: 0, count: 16)
    var length = socklen_t(info.count * 4)
    let soMeminfo: Int32 = 55
    let ok = info.withUnsafeMutableBytes { getsockopt(fileDescriptor, SOL_SOCKET, soMeminfo, $0.baseAddress, &length) }
    guard ok == 0, length >= 36 else { return nil }
    return UInt64(info[8])
  }

  /// Waits until a datagram is queued, `otherDescriptor` (if any, e.g. a signalfd) is readable, or
  /// `timeoutMilliseconds` pass. Returns whether each is ready.
  public func wait(otherDescriptor: Int32?, timeoutMilliseconds: Int32) -> (datagram: Bool, other: Bool) {
    var fds = [pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)]
    if let other = otherDescriptor { fds.append(pollfd(fd: other, events: Int16(POLLIN), revents: 0)) }
    let n = poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
    guard n > 0 else { return (false, false) }
    return (fds[0].revents != 0, fds.count > 1 && fds[1].revents != 0)
  }

  private static func fill(_ storage: inout sockaddr_storage, _ address: IPAddress, _ port: UInt16) -> socklen_t {
    switch address {
    case .v4(let a):
      var sin = sockaddr_in()
      sin.sin_family = sa_family_t(AF_INET)
      sin.sin_port = port.bigEndian
      sin.sin_addr = in_addr(s_addr: a.value.bigEndian)
      withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin, as: sockaddr_in.self) }
      return socklen_t(MemoryLayout<sockaddr_in>.size)
    case .v6(let a):
      var sin6 = sockaddr_in6()
      sin6.sin6_family = sa_family_t(AF_INET6)
      sin6.sin6_port = port.bigEndian
      withUnsafeMutableBytes(of: &sin6.sin6_addr) { raw in
        for (i, b) in a.bytes.enumerated() { raw[i] = b }
      }
      withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: sin6, as: sockaddr_in6.self) }
      return socklen_t(MemoryLayout<sockaddr_in6>.size)
    }
  }

  private static func decode(_ storage: sockaddr_storage) -> (IPAddress, UInt16)? {
    withUnsafeBytes(of: storage) { raw in
      switch Int32(raw.load(as: sa_family_t.self)) {
      case AF_INET:
        let sin = raw.load(as: sockaddr_in.self)
        return (.v4(IPv4Address(UInt32(bigEndian: sin.sin_addr.s_addr))), UInt16(bigEndian: sin.sin_port))
      case AF_INET6:
        let sin6 = raw.load(as: sockaddr_in6.self)
        let bytes = withUnsafeBytes(of: sin6.sin6_addr) { Array($0) }
        return (.v6(IPv6Address(bytes: bytes)), UInt16(bigEndian: sin6.sin6_port))
      default:
        return nil
      }
    }
  }

  static func errnoText() -> String { String(cString: strerror(errno)) }
}
