/// A value of the MaxMind DB data section (MaxMind DB File Format Specification 2.0, "Output Data Section").
public indirect enum MMDBValue: Hashable, Sendable {
  case string(String)
  case double(Double)
  case bytes([UInt8])
  case uint16(UInt16)
  case uint32(UInt32)
  case map([String: MMDBValue])
  case int32(Int32)
  case uint64(UInt64)
  case uint128(high: UInt64, low: UInt64)
  case array([MMDBValue])
  case boolean(Bool)
  case float(Float)

  /// The value at a key path through nested maps (`["country", "iso_code"]`).
  public subscript(path: String...) -> MMDBValue? { self[path] }

  public subscript(path: [String]) -> MMDBValue? {
    var current: MMDBValue = self
    for key in path {
      guard case .map(let m) = current, let next = m[key] else { return nil }
      current = next
    }
    return current
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// Any unsigned or signed integer type as `UInt64` (negative `int32` gives `nil`).
  public var integerValue: UInt64? {
    switch self {
    case .uint16(let v): return UInt64(v)
    case .uint32(let v): return UInt64(v)
    case .uint64(let v): return v
    case .int32(let v): return v >= 0 ? UInt64(v) : nil
    case .uint128(let h, let l): return h == 0 ? l : nil
    default: return nil
    }
  }

  public var doubleValue: Double? {
    switch self {
    case .double(let v): return v
    case .float(let v): return Double(v)
    default: return nil
    }
  }

  /// Merges two maps key by key (nested maps merge recursively; otherwise `other` wins).
  public func merging(_ other: MMDBValue) -> MMDBValue {
    guard case .map(let a) = self, case .map(let b) = other else { return other }
    var out = a
    for (k, v) in b { out[k] = out[k].map { $0.merging(v) } ?? v }
    return .map(out)
  }
}
