internal import CPcap
import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// Why a live capture could not start, or stopped: one line that says what is needed.
public struct LiveCaptureError: Error, CustomStringConvertible, Sendable {
  /// A reason class, stable enough to test and count by.
  public enum Kind: String, Sendable {
    /// No permission to capture: not root and without CAP_NET_RAW.
    case permissionDenied = "permission-denied"
    /// The interface does not exist.
    case noSuchInterface = "no-such-interface"
    /// The interface exists but is down.
    case interfaceDown = "interface-down"
    /// libpcap rejected the BPF filter.
    case badFilter = "bad-filter"
    /// The capture file given to save packets to cannot be written.
    case cannotWrite = "cannot-write"
    /// Any other libpcap failure (activation, reading).
    case failed
  }

  public let kind: Kind
  public let description: String

  init(_ kind: Kind, _ description: String) {
    self.kind = kind
    self.description = String(description.map { $0.isNewline ? " " : $0 })
  }
}

/// A live capture from a network interface with libpcap: immediate delivery, an optional BPF filter,
/// kernel and interface drop counts, and optionally every delivered packet saved to a pcap file.
///
/// The caller drives it: `wait` blocks in poll(2) until packets may be ready, another descriptor
/// becomes readable (a stop request) or a timeout passes, so a loop wakes on quiet interfaces too;
/// `readAvailable` hands out what is ready without blocking.
///
/// A handle: not `Sendable`, use it from one thread.
public final class LiveCapture {
  /// How the capture is opened.
  public struct Options: Sendable {
    /// Bytes kept of each packet.
    public var snapshotLength = 262_144
    /// Whether to put the interface in promiscuous mode.
    public var promiscuous = false
    /// The kernel buffer in bytes; nil keeps libpcap's default (2 MiB on Linux).
    public var bufferSize: Int? = nil
    /// A BPF filter expression (pcap-filter(7)); nil captures everything.
    public var filter: String? = nil
    public init() {}
  }

  /// Packet counts from `pcap_stats`, widened to 64 bits across wrap-arounds of libpcap's counters.
  public struct Statistics: Sendable, Hashable {
    /// Packets the kernel received for this capture (on Linux: every packet that passed the filter,
    /// the dropped ones included).
    public var received: UInt64 = 0
    /// Packets dropped because the capture buffer was full (the reader did not keep up).
    public var dropped: UInt64 = 0
    /// Packets the interface or its driver dropped, as far as the system reports it.
    public var interfaceDropped: UInt64 = 0
    public init(received: UInt64 = 0, dropped: UInt64 = 0, interfaceDropped: UInt64 = 0) {
      self.received = received
      self.dropped = dropped
      self.interfaceDropped = interfaceDropped
    }
  }

  /// The interface as named by the caller.
  public let interface: String
  /// LINKTYPE_ value of the interface (1 Ethernet, 113 Linux cooked, 101 raw IP, ...).
  public let linkType: UInt32
  /// libpcap's warnings at activation (promiscuous mode not supported, ...), one line each.
  public let warnings: [String]
  /// Packets handed out so far.
  public private(set) var packets = 0

  private let handle: OpaquePointer
  private let selectable: Int32
  private var dumper: OpaquePointer?
  private var stats = Statistics()
  private var lastRaw: (received: UInt32, dropped: UInt32, interfaceDropped: UInt32) = (0, 0, 0)
  private var closed = false
  /// Nanoseconds per unit of `pcap_pkthdr.ts.tv_usec`: 1 with nanosecond timestamps, else 1000.
  private let subsecondScale: Int64

  /// Opens and activates a capture on `interface`, in non-blocking immediate mode with nanosecond
  /// timestamps where the system has them, and installs the filter.
  public init(interface: String, options: Options) throws(LiveCaptureError) {
    self.interface = interface
    var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    guard let handle = pcap_create(interface, &errbuf) else {
      throw LiveCaptureError(.failed, "\(interface): cannot capture: \(Self.text(errbuf))")
    }
    pcap_set_snaplen(handle, Int32(clamping: options.snapshotLength))
    pcap_set_promisc(handle, options.promiscuous ? 1 : 0)
    pcap_set_immediate_mode(handle, 1)
    pcap_set_timeout(handle, 100)
    if let size = options.bufferSize { pcap_set_buffer_size(handle, Int32(clamping: size)) }
    _ = pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))

    let status = pcap_activate(handle)
    if status < 0 {
      let detail = String(cString: pcap_geterr(handle))
      pcap_close(handle)
      throw Self.activationError(status, interface: interface, detail: detail)
    }
    var warnings: [String] = []
    if status > 0 {
      let detail = String(cString: pcap_geterr(handle))
      warnings.append("\(interface): \(detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail)")
    }
    self.warnings = warnings
    self.handle = handle
    linkType = Self.linkType(dlt: pcap_datalink(handle))
    subsecondScale = pcap_get_tstamp_precision(handle) == Int32(PCAP_TSTAMP_PRECISION_NANO) ? 1 : 1000
    if pcap_setnonblock(handle, 1, &errbuf) != 0 {
      pcap_close(handle)
      throw LiveCaptureError(.failed, "\(interface): cannot capture: \(Self.text(errbuf))")
    }
    selectable = pcap_get_selectable_fd(handle)
    // Fully initialized from here: a throw closes the handle in `deinit`.
    if let filter = options.filter { try install(filter: filter) }
  }

  deinit { close() }

  private func install(filter: String) throws(LiveCaptureError) {
    var program = bpf_program()
    guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
      throw LiveCaptureError(.badFilter, "filter '\(filter)': \(String(cString: pcap_geterr(handle)))")
    }
    defer { pcap_freecode(&program) }
    guard pcap_setfilter(handle, &program) == 0 else {
      throw LiveCaptureError(.badFilter, "filter '\(filter)': \(String(cString: pcap_geterr(handle)))")
    }
  }

  /// Saves every packet handed out from now on to a pcap file at `path` (nanosecond pcap when the
  /// capture has nanosecond timestamps), replacing the file.
  public func write(to path: String) throws(LiveCaptureError) {
    guard let dumper = pcap_dump_open(handle, path) else {
      var detail = String(cString: pcap_geterr(handle))
      if detail.hasPrefix(path + ": ") { detail.removeFirst(path.count + 2) }
      throw LiveCaptureError(.cannotWrite, "\(path): cannot write: \(detail)")
    }
    self.dumper = dumper
  }

  /// Pushes the packets saved so far to the file, so it is a complete capture up to here.
  public func flush() {
    if let dumper { pcap_dump_flush(dumper) }
  }

  /// Waits until packets may be ready, `wake` (a descriptor, or -1) becomes readable, or
  /// `milliseconds` pass. Returns true when `wake` is readable.
  @discardableResult
  public func wait(milliseconds: Int32, wake: Int32 = -1) -> Bool {
    var fds = [pollfd(fd: selectable, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
    let result = poll(&fds, wake >= 0 ? 2 : 1, max(0, milliseconds))
    return result > 0 && wake >= 0 && fds[1].revents & Int16(POLLIN) != 0
  }

  /// Hands out the packets ready now, at most `limit`, without blocking; returns how many. The bytes
  /// are valid only during the call of `body`. Throws when the capture fails (the interface went
  /// away, ...).
  public func readAvailable(limit: Int, _ body: (UnsafeRawBufferPointer, PacketInfo) -> Void) throws(LiveCaptureError) -> Int {
    var header: UnsafeMutablePointer<pcap_pkthdr>?
    var data: UnsafePointer<UInt8>?
    var count = 0
    while count < limit {
      let result = pcap_next_ex(handle, &header, &data)
      guard result == 1, let header, let data else {
        if result == 0 || result == PCAP_ERROR_BREAK { break }
        throw LiveCaptureError(.failed, "\(interface): capture failed: \(String(cString: pcap_geterr(handle)))")
      }
      count += 1
      packets += 1
      if let dumper { pcap_dump(UnsafeMutablePointer<UInt8>(dumper), header, data) }
      let packet = header.pointee
      let info = PacketInfo(
        timestamp: Timestamp(nanoseconds: Int64(packet.ts.tv_sec) &* 1_000_000_000 &+ Int64(packet.ts.tv_usec) &* subsecondScale),
        capturedLength: Int(packet.caplen), wireLength: Int(packet.len), linkType: linkType, interfaceIndex: 0,
        recordNumber: packets)
      body(UnsafeRawBufferPointer(start: data, count: Int(packet.caplen)), info)
    }
    return count
  }

  /// The drop counts so far; nil when the system does not report them.
  public func statistics() -> Statistics? {
    guard !closed else { return stats }
    var raw = pcap_stat()
    guard pcap_stats(handle, &raw) == 0 else { return nil }
    // libpcap's counters are 32 bits wide: add the differences, which wrap correctly.
    stats.received &+= UInt64(raw.ps_recv &- lastRaw.received)
    stats.dropped &+= UInt64(raw.ps_drop &- lastRaw.dropped)
    stats.interfaceDropped &+= UInt64(raw.ps_ifdrop &- lastRaw.interfaceDropped)
    lastRaw = (raw.ps_recv, raw.ps_drop, raw.ps_ifdrop)
    return stats
  }

  /// Ends the capture: the saved file is flushed and closed. Statistics stay readable.
  public func close() {
    guard !closed else { return }
    _ = statistics()
    closed = true
    if let dumper {
      pcap_dump_close(dumper)
      self.dumper = nil
    }
    pcap_close(handle)
  }

  /// The names of the interfaces libpcap can capture on (also without capture permission).
  public static func interfaceNames() -> [String] {
    var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    var list: UnsafeMutablePointer<pcap_if_t>?
    guard pcap_findalldevs(&list, &errbuf) == 0 else { return [] }
    defer { pcap_freealldevs(list) }
    var names: [String] = []
    var next = list
    while let device = next {
      names.append(String(cString: device.pointee.name))
      next = device.pointee.next
    }
    return names
  }

  /// The one-line error for a failed `pcap_activate`.
  static func activationError(_ status: Int32, interface: String, detail: String) -> LiveCaptureError {
    switch status {
    case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED:
      return LiveCaptureError(
        .permissionDenied,
        "\(interface): permission denied (\(detail.isEmpty ? "no capture permission" : detail)): live capture needs root or CAP_NET_RAW; run as root (sudo) or grant CAP_NET_RAW: setcap cap_net_raw,cap_net_admin=eip \(executablePath() ?? "$(command -v origincheck)")"
      )
    case PCAP_ERROR_NO_SUCH_DEVICE:
      let names = interfaceNames()
      return LiveCaptureError(
        .noSuchInterface,
        "\(interface): no such interface; available: \(names.isEmpty ? "none found" : names.joined(separator: ", "))")
    case PCAP_ERROR_IFACE_NOT_UP:
      return LiveCaptureError(.interfaceDown, "\(interface): the interface is down; bring it up first (ip link set \(interface) up)")
    default:
      let reason = detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail
      return LiveCaptureError(.failed, "\(interface): cannot capture: \(reason)")
    }
  }

  /// LINKTYPE_ value for a DLT_ value: the two differ only for a few old types.
  static func linkType(dlt: Int32) -> UInt32 {
    switch dlt {
    case 12, 14: return 101  // DLT_RAW on Linux and most systems (12), on BSD/OS (14): LINKTYPE_RAW
    case 11: return 100  // DLT_ATM_RFC1483: LINKTYPE_ATM_RFC1483
    default: return UInt32(bitPattern: dlt)
    }
  }

  /// The running executable, for the capability hint.
  static func executablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: 4097)
    let n = readlink("/proc/self/exe", &buffer, 4096)
    guard n > 0 else { return nil }
    return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  static func text(_ errbuf: [CChar]) -> String {
    errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }
}
