#if canImport(Glibc)
  import Glibc
#endif

/// The write end of the stop pipe, for the signal handler. Set once, before any handler is
/// installed, and never changed after.
nonisolated(unsafe) private var stopPipeWriteEnd: Int32 = -1

/// A request to stop a long-running command, from SIGINT or SIGTERM.
///
/// The handler does only what is safe in a signal handler: it writes the signal's number to a
/// pipe. The loop waits in poll(2) on the pipe's read end (`descriptor`) beside its input, so it
/// wakes at once, on whichever thread the signal arrived.
final class StopSignal {
  /// Readable once a signal came.
  let descriptor: Int32
  private let signals: [Int32]
  private var previous: [Int32: sigaction] = [:]
  private(set) var received: Int32?

  /// Installs the handlers. One per process: a second call is an internal error.
  init(signals: [Int32] = [SIGINT, SIGTERM]) throws {
    guard stopPipeWriteEnd < 0 else { throw CLIError("stop handlers installed twice", status: .software) }
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      throw CLIError("cannot create a pipe: \(String(cString: strerror(errno)))", status: .software)
    }
    for end in ends {
      _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
    }
    descriptor = ends[0]
    stopPipeWriteEnd = ends[1]
    self.signals = signals
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { number in
      var byte = UInt8(truncatingIfNeeded: number)
      _ = write(stopPipeWriteEnd, &byte, 1)
    }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for signal in signals {
      var old = sigaction()
      sigaction(signal, &action, &old)
      previous[signal] = old
      sigaddset(&unblock, signal)
    }
    // A parent may have started us with these signals blocked; threads started from here on
    // inherit the mask.
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
  }

  /// The signal that asked to stop, if one came; never blocks.
  func check() -> Int32? {
    if received != nil { return received }
    var byte: UInt8 = 0
    if read(descriptor, &byte, 1) == 1 { received = Int32(byte) }
    return received
  }

  /// Puts the earlier handlers back: a second Ctrl-C while the final report is written then ends
  /// the process as usual.
  func restore() {
    for (signal, old) in previous {
      var action = old
      sigaction(signal, &action, nil)
    }
    previous = [:]
  }

  /// `SIGINT`, `SIGTERM`, or the number.
  static func name(_ signal: Int32) -> String {
    switch signal {
    case SIGINT: return "SIGINT"
    case SIGTERM: return "SIGTERM"
    default: return "signal \(signal)"
    }
  }
}

/// Something a session drains: packets from an interface, datagrams from a socket.
protocol SessionSource {
  /// Waits at most `milliseconds` for input, or until `wake` becomes readable.
  func wait(milliseconds: Int32, wake: Int32)
  /// Handles the items ready now, at most `limit`, without blocking; returns how many.
  func drain(limit: Int) throws -> Int
}

/// How often a session reports and when it ends by itself.
struct SessionLimits {
  /// Time between interval reports.
  var interval: Duration
  /// The session ends after this long.
  var duration: Duration? = nil
  /// The session ends after this many items.
  var count: UInt64? = nil
}

/// Where a session stands at an interval report or at its end.
struct SessionTick {
  /// 1 for the first interval; at the end, the number of intervals begun.
  var number: Int
  /// Since the session started.
  var elapsed: Duration
  /// Since the previous report (or the start).
  var sinceLast: Duration
  /// Items handled since the start.
  var items: UInt64
  /// Items handled since the previous report.
  var itemsSinceLast: UInt64

  /// Items per second since the previous report.
  var rate: Double {
    let seconds = sinceLast.seconds
    return seconds > 0 ? Double(itemsSinceLast) / seconds : 0
  }
}

/// Why a session ended.
enum SessionEnd: Equatable, CustomStringConvertible {
  case signal(Int32)
  case duration
  case count

  var description: String {
    switch self {
    case .signal(let number): return StopSignal.name(number)
    case .duration: return "duration"
    case .count: return "count"
    }
  }
}

/// Runs a source until a stop signal, the duration or the count, calling back every interval.
/// Intervals fire on time on a quiet source too: the wait never outlasts the next deadline.
struct LiveSession {
  let limits: SessionLimits
  let stop: StopSignal
  /// Items handled between checks of the clock and the stop signal, at most.
  static let batch = 4096

  /// Drains `source` until the session ends; `onInterval` gets each interval's tick. Returns why
  /// it ended and the final tick. Rethrows the source's and the callback's errors.
  func run(_ source: some SessionSource, onInterval: (SessionTick) throws -> Void) throws -> (end: SessionEnd, last: SessionTick) {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = limits.duration.map { start + $0 }
    var nextReport = start + limits.interval
    var lastReport = start
    var items: UInt64 = 0
    var itemsAtLastReport: UInt64 = 0
    var number = 0
    func tick(_ now: ContinuousClock.Instant) -> SessionTick {
      SessionTick(
        number: number, elapsed: now - start, sinceLast: now - lastReport, items: items,
        itemsSinceLast: items - itemsAtLastReport)
    }
    while true {
      if let signal = stop.check() { return (.signal(signal), tick(clock.now)) }
      if let count = limits.count, items >= count { return (.count, tick(clock.now)) }
      var now = clock.now
      if let deadline, now >= deadline { return (.duration, tick(now)) }
      if now >= nextReport {
        number += 1
        try onInterval(tick(now))
        lastReport = now
        itemsAtLastReport = items
        nextReport = nextReport + limits.interval
        now = clock.now
        if nextReport <= now { nextReport = now + limits.interval }
        continue
      }
      let limit = limits.count.map { Int(min($0 - items, UInt64(Self.batch))) } ?? Self.batch
      let handled = try source.drain(limit: limit)
      items += UInt64(handled)
      if handled == 0 {
        let until = min(nextReport, deadline ?? nextReport)
        source.wait(milliseconds: (until - now).milliseconds, wake: stop.descriptor)
      }
    }
  }
}

extension Duration {
  /// Seconds as a floating-point number.
  var seconds: Double {
    let (s, attoseconds) = components
    return Double(s) + Double(attoseconds) / 1e18
  }

  /// Whole milliseconds, rounded up, within 0 and `Int32.max`.
  var milliseconds: Int32 {
    let (s, attoseconds) = components
    guard s >= 0 else { return 0 }
    let ms = s * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: ms)
  }
}
