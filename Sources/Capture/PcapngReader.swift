internal import CPcap
import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// Reads pcapng (draft-ietf-opsawg-pcapng) block by block from a stream, through a buffer that holds at
/// least one whole block; packets are handed out as slices of that buffer.
///
/// Handles several sections (each with its own byte order and interfaces), interfaces with different link
/// types, Enhanced, Simple and obsolete Packet Blocks, `if_tsresol` and `if_tsoffset`. Other blocks are
/// skipped by their length.
final class PcapngReader {
  /// The largest block accepted; anything longer is treated as damage.
  static let maximumBlockLength = CaptureLimits.maximumBlockLength
  /// Initial buffer size; the buffer grows to hold the largest block seen.
  static let initialBufferLength = 1 << 20

  /// Block types (draft-ietf-opsawg-pcapng, section 10.1).
  enum BlockType {
    static let sectionHeader: UInt32 = 0x0A0D_0D0A
    static let interfaceDescription: UInt32 = 1
    static let packet: UInt32 = 2  // obsolete
    static let simplePacket: UInt32 = 3
    static let enhancedPacket: UInt32 = 6
  }

  /// One interface of the current section.
  struct Interface {
    var linkType: UInt32
    var snapLength: UInt32
    var scale: TimestampScale
    /// `if_tsoffset`, in nanoseconds.
    var offsetNanoseconds: Int64
  }

  /// How to turn 64-bit timestamp units into nanoseconds (`if_tsresol`).
  enum TimestampScale {
    case multiply(UInt64)
    case divide(UInt64)
    /// Units of 2^-n seconds.
    case binary(Int)
    /// A resolution so fine that every timestamp is below a nanosecond.
    case zero

    init(resolution: UInt8) {
      if resolution & 0x80 != 0 {
        self = .binary(Int(resolution & 0x7f))
        return
      }
      let exponent = Int(resolution)
      func power(_ n: Int) -> UInt64 { (0..<n).reduce(UInt64(1)) { value, _ in value * 10 } }
      if exponent <= 9 {
        self = .multiply(power(9 - exponent))
      } else if exponent - 9 <= 19 {
        self = .divide(power(exponent - 9))
      } else {
        self = .zero
      }
    }

    func nanoseconds(_ units: UInt64) -> Int64 {
      switch self {
      case .multiply(let factor):
        let (product, overflow) = units.multipliedReportingOverflow(by: factor)
        return overflow ? .max : Int64(clamping: product)
      case .divide(let divisor):
        return Int64(clamping: units / divisor)
      case .binary(let shift):
        return Int64(clamping: (UInt128(units) * 1_000_000_000) >> shift)
      case .zero:
        return 0
      }
    }
  }

  private let stream: UnsafeMutablePointer<oc_stream>
  private let name: String
  private let compressed: Bool

  private var buffer: UnsafeMutableRawPointer
  private var capacity: Int
  /// Unread bytes are `buffer[start..<end]`.
  private var start = 0
  private var end = 0
  /// Offset in the (decompressed) content of `buffer[start]`.
  private var position: Int64 = 0
  private var endOfInput = false
  private var readFailed = false

  /// Byte order of the current section.
  private var bigEndian = false
  private(set) var interfaces: [Interface] = []
  private var blocks = 0
  private var records = 0
  /// Timestamp of the last packet that had one (Simple Packet Blocks carry none).
  private var lastTimestamp = Timestamp(nanoseconds: 0)
  private var damage: CaptureError?

  /// Takes over the source's stream and reads the first Section Header Block.
  init(source: InputSource) throws(CaptureError) {
    name = source.name
    compressed = source.compressed
    guard let taken = source.takeStream() else {
      throw CaptureError(.unreadable("input already consumed"), file: source.name)
    }
    stream = taken
    capacity = Self.initialBufferLength
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    switch step() {
    case .other:
      return
    case .damage(let error):
      // A damaged first section header means nothing could be read: report it as a header problem.
      var reason = error.reason
      if case .truncatedRecord(let detail) = reason { reason = .truncatedHeader(detail) }
      throw CaptureError(
        reason, file: name, blockNumber: 1, byteOffset: 0, offsetIsDecompressed: compressed,
        damagedUnitIsRecord: false)
    case .end, .packet:
      throw CaptureError(.truncatedHeader("no section header block"), file: name)
    }
  }

  deinit {
    buffer.deallocate()
    oc_stream_close(stream)
  }

  var linkTypes: [UInt32] { interfaces.map(\.linkType) }

  func forEachPacket(_ body: (UnsafeRawBufferPointer, PacketInfo) throws -> Bool) throws -> ReadStatus {
    while damage == nil {
      switch step() {
      case .packet(let bytes, let info):
        if try !body(bytes, info) { return ReadStatus(records: records) }
      case .other:
        continue
      case .end:
        return ReadStatus(records: records)
      case .damage(let error):
        damage = error
      }
    }
    return ReadStatus(records: records, damage: damage)
  }

  // MARK: Blocks

  private enum Step {
    case packet(UnsafeRawBufferPointer, PacketInfo)
    case other
    case end
    case damage(CaptureError)
  }

  /// Reads and handles one block.
  private func step() -> Step {
    let blockOffset = position
    var available = fill(atLeast: 8)
    if available == 0 {
      if let problem = streamProblem() { return .damage(error(problem, at: blockOffset, isPacket: false)) }
      return .end
    }
    if available < 8 {
      let cutPacket = available >= 4 && Self.isPacket(type: word(0))
      return .damage(truncated("block header is \(available) of 8 bytes", at: blockOffset, isPacket: cutPacket))
    }
    let type = word(0)
    if type == BlockType.sectionHeader {
      // The section's byte order comes from its byte-order magic, after the type and length.
      available = fill(atLeast: 12)
      if available < 12 {
        return .damage(truncated("section header is \(available) of 28 bytes", at: blockOffset, isPacket: false))
      }
      let magic = (buffer + start + 8).loadUnaligned(as: UInt32.self)
      if UInt32(bigEndian: magic) == 0x1A2B_3C4D {
        bigEndian = true
      } else if UInt32(littleEndian: magic) == 0x1A2B_3C4D {
        bigEndian = false
      } else {
        let bytes = UnsafeRawBufferPointer(start: buffer + start + 8, count: 4)
        return .damage(
          error(
            .badMagic("section header byte-order magic is \(InputSniffer.hex(bytes)), not 1a 2b 3c 4d"),
            at: blockOffset, isPacket: false))
      }
    }
    let isPacket = Self.isPacket(type: type)
    let length = Int(word(4))
    if length < 12 || length % 4 != 0 {
      return .damage(
        error(
          .malformedBlock("block length \(length) is \(length < 12 ? "below 12" : "not a multiple of 4")"),
          at: blockOffset, isPacket: isPacket))
    }
    if length > Self.maximumBlockLength {
      return .damage(
        error(
          .malformedBlock("block length \(length) exceeds the limit of \(Self.maximumBlockLength)"),
          at: blockOffset, isPacket: isPacket))
    }
    available = fill(atLeast: length)
    if available < length {
      return .damage(
        truncated("block header says \(length) bytes, only \(available) remain", at: blockOffset, isPacket: isPacket))
    }
    let trailer = Int(word(length - 4))
    if trailer != length {
      return .damage(
        error(
          .malformedBlock("trailing block length \(trailer) differs from the leading \(length)"),
          at: blockOffset, isPacket: isPacket))
    }
    let result: Step
    switch type {
    case BlockType.sectionHeader: result = sectionHeader(length: length, at: blockOffset)
    case BlockType.interfaceDescription: result = interfaceDescription(length: length, at: blockOffset)
    case BlockType.enhancedPacket, BlockType.packet: result = packet(type: type, length: length, at: blockOffset)
    case BlockType.simplePacket: result = simplePacket(length: length, at: blockOffset)
    default: result = .other
    }
    if case .damage = result { return result }
    // The block is consumed before a packet is handed out; its bytes stay in place until the next fill.
    blocks += 1
    start += length
    position += Int64(length)
    return result
  }

  static func isPacket(type: UInt32) -> Bool {
    type == BlockType.enhancedPacket || type == BlockType.simplePacket || type == BlockType.packet
  }

  /// Section Header Block: byte-order magic, version, section length, options.
  private func sectionHeader(length: Int, at offset: Int64) -> Step {
    guard length >= 28 else {
      return .damage(
        error(.malformedBlock("section header block of \(length) bytes, below 28"), at: offset, isPacket: false))
    }
    let major = half(12)
    let minor = half(14)
    guard major == 1 else {
      return .damage(error(.unsupported("pcapng version \(major).\(minor)"), at: offset, isPacket: false))
    }
    interfaces.removeAll(keepingCapacity: true)
    return .other
  }

  /// Interface Description Block: link type, snapshot length, options (`if_tsresol`, `if_tsoffset`).
  private func interfaceDescription(length: Int, at offset: Int64) -> Step {
    guard length >= 20 else {
      return .damage(
        error(.malformedBlock("interface description block of \(length) bytes, below 20"), at: offset, isPacket: false))
    }
    guard interfaces.count < CaptureLimits.maximumInterfaces else {
      return .damage(
        error(
          .malformedBlock("the section describes more than \(CaptureLimits.maximumInterfaces) interfaces"), at: offset,
          isPacket: false))
    }
    var interface = Interface(
      linkType: UInt32(half(8)), snapLength: word(12), scale: .multiply(1000), offsetNanoseconds: 0)
    var at = 16
    let limit = length - 4
    while at + 4 <= limit {
      let code = half(at)
      let valueLength = Int(half(at + 2))
      let value = at + 4
      if code == 0 || value + valueLength > limit { break }
      if code == 9 && valueLength >= 1 {  // if_tsresol
        interface.scale = TimestampScale(resolution: (buffer + start + value).load(as: UInt8.self))
      } else if code == 14 && valueLength >= 8 {  // if_tsoffset, seconds
        let seconds = Int64(bitPattern: doubleWord(value))
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        interface.offsetNanoseconds = overflow ? (seconds < 0 ? .min : .max) : product
      }
      at = value + (valueLength + 3) & ~3
    }
    interfaces.append(interface)
    return .other
  }

  /// Enhanced Packet Block (type 6) or the obsolete Packet Block (type 2): same layout, except that the
  /// Packet Block has a 16-bit interface ID followed by a 16-bit drop count.
  private func packet(type: UInt32, length: Int, at offset: Int64) -> Step {
    guard length >= 32 else {
      return .damage(error(.malformedBlock("packet block of \(length) bytes, below 32"), at: offset, isPacket: true))
    }
    let interfaceID = type == BlockType.enhancedPacket ? Int(word(8)) : Int(half(8))
    let units = UInt64(word(12)) << 32 | UInt64(word(16))
    let capturedLength = Int(word(20))
    let wireLength = Int(word(24))
    guard interfaceID < interfaces.count else {
      return .damage(
        error(
          .malformedBlock("packet names interface \(interfaceID), the section has \(interfaces.count)"),
          at: offset, isPacket: true))
    }
    guard capturedLength <= length - 32 else {
      return .damage(
        error(
          .malformedBlock("captured length \(capturedLength) exceeds the block's \(length - 32) data bytes"),
          at: offset, isPacket: true))
    }
    let interface = interfaces[interfaceID]
    let nanoseconds = interface.scale.nanoseconds(units)
    let (sum, overflow) = nanoseconds.addingReportingOverflow(interface.offsetNanoseconds)
    lastTimestamp = Timestamp(nanoseconds: overflow ? (interface.offsetNanoseconds < 0 ? .min : .max) : sum)
    records += 1
    let info = PacketInfo(
      timestamp: lastTimestamp, capturedLength: capturedLength, wireLength: wireLength,
      linkType: interface.linkType, interfaceIndex: interfaceID, recordNumber: records)
    return .packet(UnsafeRawBufferPointer(start: buffer + start + 28, count: capturedLength), info)
  }

  /// Simple Packet Block: interface 0, original length, data; no timestamp (the last one seen is used).
  private func simplePacket(length: Int, at offset: Int64) -> Step {
    guard length >= 16 else {
      return .damage(
        error(.malformedBlock("simple packet block of \(length) bytes, below 16"), at: offset, isPacket: true))
    }
    guard let interface = interfaces.first else {
      return .damage(error(.malformedBlock("simple packet block before any interface"), at: offset, isPacket: true))
    }
    let wireLength = Int(word(8))
    var capturedLength = min(wireLength, length - 16)
    if interface.snapLength > 0 { capturedLength = min(capturedLength, Int(interface.snapLength)) }
    records += 1
    let info = PacketInfo(
      timestamp: lastTimestamp, capturedLength: capturedLength, wireLength: wireLength,
      linkType: interface.linkType, interfaceIndex: 0, recordNumber: records)
    return .packet(UnsafeRawBufferPointer(start: buffer + start + 12, count: capturedLength), info)
  }

  // MARK: Errors

  private func error(_ reason: CaptureError.Reason, at offset: Int64, isPacket: Bool) -> CaptureError {
    CaptureError(
      reason, file: name, recordNumber: records + 1, blockNumber: blocks + 1, byteOffset: offset,
      offsetIsDecompressed: compressed, damagedUnitIsRecord: isPacket)
  }

  /// A block cut off by the end of the input, or by a read or decompression failure.
  private func truncated(_ detail: String, at offset: Int64, isPacket: Bool) -> CaptureError {
    if let problem = streamProblem() {
      if case .corruptCompression(let cause) = problem, stream.pointee.zerr == Z_BUF_ERROR {
        return error(.truncatedRecord("\(detail); \(cause)"), at: offset, isPacket: isPacket)
      }
      return error(problem, at: offset, isPacket: isPacket)
    }
    return error(.truncatedRecord(detail), at: offset, isPacket: isPacket)
  }

  /// A read error, or a gzip stream that is corrupt or ended early.
  private func streamProblem() -> CaptureError.Reason? {
    if stream.pointee.read_errno != 0 {
      return .unreadable(InputSource.errnoText(stream.pointee.read_errno))
    }
    if let problem = InputSource.compressionProblem(stream) { return .corruptCompression(problem) }
    if readFailed { return .unreadable("read failed") }
    return nil
  }

  // MARK: Buffer

  /// Makes at least `count` unread bytes available if the input has them; returns how many are.
  private func fill(atLeast count: Int) -> Int {
    if end - start >= count || endOfInput { return end - start }
    if capacity - start < count {
      let unread = end - start
      if count > capacity {
        var newCapacity = capacity
        while newCapacity < count { newCapacity *= 2 }
        let newBuffer = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBuffer.copyMemory(from: buffer + start, byteCount: unread)
        buffer.deallocate()
        buffer = newBuffer
        capacity = newCapacity
      } else if unread > 0 {
        memmove(buffer, buffer + start, unread)
      }
      start = 0
      end = unread
    }
    while end - start < count {
      let got = oc_stream_read(stream, buffer + end, capacity - end)
      if got <= 0 {
        endOfInput = true
        readFailed = got < 0
        break
      }
      end += got
    }
    return end - start
  }

  /// A 32-bit field at `offset` from the start of the current block, in the section's byte order.
  @inline(__always) private func word(_ offset: Int) -> UInt32 {
    let raw = (buffer + start + offset).loadUnaligned(as: UInt32.self)
    return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
  }

  @inline(__always) private func half(_ offset: Int) -> UInt16 {
    let raw = (buffer + start + offset).loadUnaligned(as: UInt16.self)
    return bigEndian ? UInt16(bigEndian: raw) : UInt16(littleEndian: raw)
  }

  @inline(__always) private func doubleWord(_ offset: Int) -> UInt64 {
    let raw = (buffer + start + offset).loadUnaligned(as: UInt64.self)
    return bigEndian ? UInt64(bigEndian: raw) : UInt64(littleEndian: raw)
  }
}
