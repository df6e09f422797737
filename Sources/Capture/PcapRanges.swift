import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// A plain (uncompressed, regular) classic pcap file read in large blocks with `pread`, by byte
/// range, so that several threads can read parts of one file at once.
///
/// Only records that are plainly well formed are handed out here: a record whose captured length is
/// above the snapshot length or `CaptureLimits.maximumRangeRecordLength`, or that the end of the
/// file cuts, stops a range as an *anomaly* at that record's offset. The caller then reads on from
/// there with `CaptureFileReader` (`resumingAt:`), so damaged files get exactly libpcap's treatment
/// and messages.
///
/// Immutable after opening: `Sendable`; each `read` call uses its own buffer.
public final class PcapRangeFile: Sendable {
  public let path: String
  /// LINKTYPE_ value from the file header.
  public let linkType: UInt32
  /// File size when opened.
  public let size: Int64
  private let descriptor: Int32
  private let bigEndian: Bool
  private let nanoseconds: Bool
  /// Whether timestamps are in nanoseconds (magic a1b23c4d).
  public var nanosecondFormat: Bool { nanoseconds }
  /// Largest captured length read here; longer records are left to libpcap.
  private let limit: UInt32

  /// Where records begin.
  public static let headerLength: Int64 = 24
  static let recordHeaderLength = 16
  static let blockSize = 4 << 20

  /// Opens `path` when it is a regular, uncompressed classic pcap file (version 2.4) with 16-byte
  /// record headers; nil for anything else (pcapng, gzip, standard input, the 24-byte-header
  /// variant, other versions, an unreadable file), which `CaptureFileReader` handles.
  public static func open(path: String) -> PcapRangeFile? {
    // Standard input, or an input opened already and handed over to the capture reader.
    guard path != "-", !InputHandOff.isParked(path) else { return nil }
    var descriptor: Int32
    repeat { descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC) } while descriptor < 0 && errno == EINTR
    guard descriptor >= 0 else { return nil }
    var info = stat()
    var header = [UInt8](repeating: 0, count: 24)
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size >= 24,
      pread(descriptor, &header, 24, 0) == 24
    else {
      close(descriptor)
      return nil
    }
    let magic = header[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    let bigEndian: Bool
    let nanoseconds: Bool
    switch magic {
    case 0xa1b2_c3d4: (bigEndian, nanoseconds) = (true, false)
    case 0xd4c3_b2a1: (bigEndian, nanoseconds) = (false, false)
    case 0xa1b2_3c4d: (bigEndian, nanoseconds) = (true, true)
    case 0x4d3c_b2a1: (bigEndian, nanoseconds) = (false, true)
    default:
      close(descriptor)
      return nil
    }
    func word(_ at: Int) -> UInt32 {
      let value = header[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
      return bigEndian ? value : value.byteSwapped
    }
    func half(_ at: Int) -> UInt16 {
      bigEndian ? UInt16(header[at]) << 8 | UInt16(header[at + 1]) : UInt16(header[at + 1]) << 8 | UInt16(header[at])
    }
    // Version 2.4 only: libpcap refuses later minor versions and may swap the two lengths of
    // records in earlier ones, so those files are left to it.
    guard half(4) == 2, half(6) == 4 else {
      close(descriptor)
      return nil
    }
    let snaplen = word(16)
    let maximum = UInt32(CaptureLimits.maximumRangeRecordLength)
    return PcapRangeFile(
      path: path, descriptor: descriptor, size: Int64(info.st_size), linkType: word(20) & 0xffff,
      bigEndian: bigEndian, nanoseconds: nanoseconds,
      limit: snaplen == 0 || snaplen > maximum ? maximum : snaplen)
  }

  private init(
    path: String, descriptor: Int32, size: Int64, linkType: UInt32, bigEndian: Bool, nanoseconds: Bool, limit: UInt32
  ) {
    self.path = path
    self.descriptor = descriptor
    self.size = size
    self.linkType = linkType
    self.bigEndian = bigEndian
    self.nanoseconds = nanoseconds
    self.limit = limit
  }

  deinit { close(descriptor) }

  /// How a range read ended.
  public struct RangeResult: Sendable {
    /// Records handed out.
    public var records: Int
    /// Offset after the last record handed out: the start of the next record (or of the anomaly).
    public var end: Int64
    /// Reading stopped at a record this reader leaves to libpcap (or at a read error).
    public var anomaly: Bool
  }

  /// Hands out the records that start in `range` (a record starting inside it is read whole), in
  /// order, with record numbers from `firstRecordNumber`.
  public func read(
    _ range: Range<Int64>, firstRecordNumber: Int = 1, _ body: (UnsafeRawBufferPointer, PacketInfo) -> Void
  ) -> RangeResult {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.blockSize + CaptureLimits.maximumRangeRecordLength + 16, alignment: 16)
    defer { buffer.deallocate() }
    var offset = range.lowerBound
    var records = 0
    // Bytes of the file from `blockStart` are in the buffer up to `filled`.
    var blockStart = offset
    var filled = 0
    let base = buffer.baseAddress!
    while offset < range.upperBound && offset < size {
      var at = Int(offset - blockStart)
      if at + Self.recordHeaderLength > filled {
        guard refill(buffer, &blockStart, &filled, from: offset) else { return RangeResult(records: records, end: offset, anomaly: true) }
        at = 0
        if filled < Self.recordHeaderLength { return RangeResult(records: records, end: offset, anomaly: true) }
      }
      let seconds = word(base + at)
      let fraction = word(base + at + 4)
      let captured = word(base + at + 8)
      let wire = word(base + at + 12)
      if captured > limit { return RangeResult(records: records, end: offset, anomaly: true) }
      let total = Self.recordHeaderLength + Int(captured)
      if at + total > filled {
        guard refill(buffer, &blockStart, &filled, from: offset) else { return RangeResult(records: records, end: offset, anomaly: true) }
        at = 0
        if total > filled { return RangeResult(records: records, end: offset, anomaly: true) }
      }
      records += 1
      let nanos = Int64(seconds) &* 1_000_000_000 &+ (nanoseconds ? Int64(fraction) : Int64(fraction) &* 1000)
      let info = PacketInfo(
        timestamp: Timestamp(nanoseconds: nanos), capturedLength: Int(captured), wireLength: Int(wire),
        linkType: linkType, interfaceIndex: 0, recordNumber: firstRecordNumber + records - 1)
      body(UnsafeRawBufferPointer(start: base + at + Self.recordHeaderLength, count: Int(captured)), info)
      offset += Int64(total)
    }
    return RangeResult(records: records, end: offset, anomaly: false)
  }

  /// How the range reads of consecutive parts join up.
  public struct Join: Sendable, Equatable {
    /// The leading ranges whose records count.
    public var ranges: Int
    /// Where libpcap reads on (the record a range left), or nil when the counted ranges read the
    /// file to its end.
    public var resume: Int64?

    public init(ranges: Int, resume: Int64?) {
      self.ranges = ranges
      self.resume = resume
    }
  }

  /// Joins `results`, the reads of the ranges between `offsets` (from `splitOffsets`). A range
  /// counts while every range before it ended exactly on its split point. The first range that
  /// stops at an anomaly, or ends anywhere else, is the last that counts: libpcap reads on from
  /// where it stopped; or, when it read past its split point to the end of the file, nothing is
  /// left, and the ranges after it (read from a point that was no record start) do not count.
  public func join(_ results: [RangeResult], offsets: [Int64]) -> Join {
    precondition(offsets.count == results.count + 1, "one result per range")
    for (i, r) in results.enumerated() where r.anomaly || r.end != offsets[i + 1] {
      return Join(ranges: i + 1, resume: r.anomaly || r.end < size ? r.end : nil)
    }
    return Join(ranges: results.count, resume: nil)
  }

  @inline(__always)
  private func word(_ p: UnsafeMutableRawPointer) -> UInt32 {
    let v = p.loadUnaligned(as: UInt32.self)
    return bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
  }

  /// Reads the next block starting at `offset`. False on a read error.
  private func refill(_ buffer: UnsafeMutableRawBufferPointer, _ blockStart: inout Int64, _ filled: inout Int, from offset: Int64) -> Bool {
    let want = Int(min(Int64(buffer.count), size - offset))
    var got = 0
    while got < want {
      let n = pread(descriptor, buffer.baseAddress! + got, want - got, off_t(offset) + off_t(got))
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      got += n
    }
    if got < 0 { return false }
    blockStart = offset
    filled = got
    return true
  }

  /// Offsets that split the records into up to `parts` ranges of similar size: the header end, the
  /// start of a record found near each split point, and the file size. A split point is where a run
  /// of 32 consecutive plausible record headers starts (or the end of the file is reached exactly);
  /// the reader of the range before it confirms the point by ending exactly on it.
  public func splitOffsets(parts: Int) -> [Int64] {
    var offsets: [Int64] = [Self.headerLength]
    guard parts > 1 else { return offsets + [size] }
    let body = size - Self.headerLength
    for i in 1..<parts {
      let target = Self.headerLength + body * Int64(i) / Int64(parts)
      if let found = recordStart(near: target), found > offsets.last!, found < size { offsets.append(found) }
    }
    return offsets + [size]
  }

  /// The first offset at or after `target` (within 1 MiB) where plausible records follow.
  private func recordStart(near target: Int64) -> Int64? {
    let window = 1 << 20
    let length = Int(min(Int64(window + 32 * (16 + Int(limit))), size - target))
    guard length > 16 else { return nil }
    var bytes = [UInt8](repeating: 0, count: length)
    let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, length, off_t(target)) }
    guard got == length else { return nil }
    return bytes.withUnsafeBytes { raw -> Int64? in
      for start in 0..<min(window, length - 16) where plausibleRun(raw, from: start, fileOffset: target) {
        return target + Int64(start)
      }
      return nil
    }
  }

  private func plausibleRun(_ raw: UnsafeRawBufferPointer, from start: Int, fileOffset: Int64) -> Bool {
    var at = start
    var previous: UInt32? = nil
    for _ in 0..<32 {
      if fileOffset + Int64(at) == size { return true }
      guard at + 16 <= raw.count else { return false }
      func w(_ o: Int) -> UInt32 {
        let v = raw.loadUnaligned(fromByteOffset: at + o, as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
      }
      let seconds = w(0)
      let fraction = w(4)
      let captured = w(8)
      let wire = w(12)
      guard fraction < (nanoseconds ? 1_000_000_000 : 1_000_000), captured > 0, captured <= limit, captured <= wire,
        Int(wire) <= CaptureLimits.maximumRangeRecordLength
      else { return false }
      // Consecutive records within a day of each other.
      if let p = previous, seconds &- p > 86_400 && p &- seconds > 86_400 { return false }
      previous = seconds
      at += 16 + Int(captured)
    }
    return true
  }
}
