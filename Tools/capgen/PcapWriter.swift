import NetCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a classic pcap file: little-endian, Ethernet link type, microsecond timestamps (magic
/// `a1b2c3d4`) or nanosecond ones (magic `a1b23c4d`), through one large buffer.
final class PcapWriter {
  let path: String
  let nanosecond: Bool
  private let file: UnsafeMutablePointer<FILE>
  private let buffer: UnsafeMutableRawPointer
  private let capacity: Int
  private var used = 0
  private(set) var packets = 0

  struct WriteError: Error, CustomStringConvertible {
    let description: String
  }

  init(path: String, snaplen: UInt32, nanosecond: Bool, bufferSize: Int = 8 << 20) throws {
    guard let file = fopen(path, "wb") else {
      throw WriteError(description: "\(path): cannot create the file: \(String(cString: strerror(errno)))")
    }
    self.path = path
    self.nanosecond = nanosecond
    self.file = file
    capacity = bufferSize
    buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 16)
    var header = [UInt8]()
    header.appendLE32(nanosecond ? 0xa1b2_3c4d : 0xa1b2_c3d4)
    header.appendLE16(2)  // version 2.4
    header.appendLE16(4)
    header.appendLE32(0)  // thiszone
    header.appendLE32(0)  // sigfigs
    header.appendLE32(snaplen)
    header.appendLE32(1)  // LINKTYPE_ETHERNET
    try header.withUnsafeBytes { try append($0) }
  }

  deinit {
    buffer.deallocate()
  }

  /// Room left in the buffer; callers writing records in place use it with `reserve` and `commit`.
  func reserve(_ bytes: Int) throws -> UnsafeMutableRawPointer {
    if used + bytes > capacity { try flush() }
    return buffer + used
  }

  func commit(_ bytes: Int, packets count: Int) {
    used += bytes
    packets += count
  }

  func write(time: Timestamp, bytes: [UInt8], wireLength: Int) throws {
    let p = try reserve(16 + bytes.count)
    PcapWriter.storeRecordHeader(
      at: p, time: time, nanosecond: nanosecond, capturedLength: bytes.count, wireLength: wireLength)
    bytes.withUnsafeBytes { (p + 16).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    commit(16 + bytes.count, packets: 1)
  }

  /// Stores a 16-byte record header at `p`.
  @inline(__always)
  static func storeRecordHeader(
    at p: UnsafeMutableRawPointer, time: Timestamp, nanosecond: Bool, capturedLength: Int, wireLength: Int
  ) {
    let seconds = time.seconds
    let fraction = time.nanoseconds - seconds * 1_000_000_000
    p.storeBytes(of: UInt32(truncatingIfNeeded: seconds).littleEndian, as: UInt32.self)
    p.storeBytes(
      of: UInt32(nanosecond ? fraction : fraction / 1000).littleEndian, toByteOffset: 4, as: UInt32.self)
    p.storeBytes(of: UInt32(capturedLength).littleEndian, toByteOffset: 8, as: UInt32.self)
    p.storeBytes(of: UInt32(wireLength).littleEndian, toByteOffset: 12, as: UInt32.self)
  }

  private func append(_ raw: UnsafeRawBufferPointer) throws {
    let p = try reserve(raw.count)
    p.copyMemory(from: raw.baseAddress!, byteCount: raw.count)
    used += raw.count
  }

  func flush() throws {
    guard used > 0 else { return }
    if fwrite(buffer, 1, used, file) != used {
      throw WriteError(description: "\(path): write failed: \(String(cString: strerror(errno)))")
    }
    used = 0
  }

  func close() throws {
    try flush()
    if fclose(file) != 0 {
      throw WriteError(description: "\(path): close failed: \(String(cString: strerror(errno)))")
    }
  }
}

extension [UInt8] {
  mutating func appendLE16(_ v: UInt16) {
    append(UInt8(v & 0xff))
    append(UInt8(v >> 8))
  }

  mutating func appendLE32(_ v: UInt32) {
    append(UInt8(v & 0xff))
    append(UInt8(v >> 8 & 0xff))
    append(UInt8(v >> 16 & 0xff))
    append(UInt8(v >> 24))
  }
}
