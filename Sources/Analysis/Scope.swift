import NetCore

/// A time window `[start, end)`.
public struct TimeWindow: Sendable, Hashable {
  public var start: Timestamp
  public var end: Timestamp
  public init(start: Timestamp, end: Timestamp) {
    self.start = start
    self.end = end
  }
  public func contains(_ t: Timestamp) -> Bool { t >= start && t < end }
}

/// Counters of origins within a time window (a `--window`, a bucket or a burst).
public struct WindowCounts: Sendable, Hashable {
  public var window: TimeWindow
  /// What the window is: `window`, `bucket`, `burst-1`, ...
  public var label: String
  public var countries: [OriginKey: OriginCounters] = [:]
  /// Radius areas by name.
  public var radius: [String: OriginCounters] = [:]
  public var totals = OriginCounters()

  public init(window: TimeWindow, label: String) {
    self.window = window
    self.label = label
  }
}
