internal import CPcap
import NetCore

#if canImport(Glibc)
  import Glibc
#endif

/// Reads classic pcap (draft-ietf-opsawg-pcap) with libpcap, from a plain file through stdio or from any
/// other input (standard input, gzip) through a FILE over the input's stream.
final class PcapFileReader {
  private let pcap: OpaquePointer
  /// The stream libpcap reads through (owned by its FILE, valid until `pcap_close`); nil for a plain file.
  private let stream: UnsafeMutablePointer<oc_stream>?
  private let name: String
  private let compressed: Bool
  /// LINKTYPE_ value from the file header (libpcap itself reports DLT_ values, which differ for some types).
  let linkType: UInt32
  /// Bytes before each record's data: 16, or 24 in the "modified" pcap variant.
  private let recordHeaderLength: Int64
  /// libpcap's snapshot length: a record longer than this is cut to it by libpcap.
  private let snapshotLength: Int
  /// Offset of the next record in the (decompressed) content.
  private var offset: Int64 = 24
  private var records = 0
  private var damage: CaptureError?

  init(source: InputSource) throws(CaptureError) {
    let header = source.prefix
    name = source.name
    compressed = source.compressed
    guard header.count >= 24 else {
      var detail = "file header is \(header.count) of 24 bytes"
      if let cut = source.prefixCutByCompression { detail += "; \(cut)" }
      throw CaptureError(.truncatedHeader(detail), file: name)
    }
    let bigEndian = header[0] == 0xa1
    func word(_ at: Int) -> UInt32 {
      let value = header[at..<at + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
      return bigEndian ? value : value.byteSwapped
    }
    // Header fields in wire order: magic, version major/minor, thiszone, sigfigs, snaplen, LinkType and
    // FCS (the low 16 bits are the link type).
    linkType = word(20) & 0xffff
    recordHeaderLength = (word(0) == 0xa1b2_cd34) ? 24 : 16

    let file: UnsafeMutablePointer<FILE>?
    let plain = source.takePlainDescriptor()
    if plain >= 0 {
      file = fdopen(plain, "rb")
      if file == nil { close(plain) } else { setvbuf(file, nil, _IOFBF, 1 << 16) }
      stream = nil
    } else {
      guard let taken = source.takeStream() else {
        throw CaptureError(.unreadable("input already consumed"), file: name)
      }
      file = oc_stream_fopen(taken)
      if file == nil { oc_stream_close(taken) }
      stream = taken
    }
    guard let file else {
      throw CaptureError(.unreadable(InputSource.errnoText(errno)), file: name)
    }
    var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
    guard let handle = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf)
    else {
      fclose(file)
      let message = errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      if message.contains("version") || message.contains("archaic") {
        throw CaptureError(.unsupported(message), file: name)
      }
      throw CaptureError(.libpcap(message), file: name)
    }
    pcap = handle
    snapshotLength = Int(pcap_snapshot(handle))
  }

  deinit { pcap_close(pcap) }

  /// Moves to the record at `offset` of a plain file, counting `records` as already read. False when
  /// the input is not a plain file or cannot be positioned.
  func resume(at offset: Int64, records: Int) -> Bool {
    guard stream == nil, let file = pcap_file(pcap), fseeko(file, off_t(offset), SEEK_SET) == 0 else { return false }
    self.offset = offset
    self.records = records
    return true
  }

  func forEachPacket(_ body: (UnsafeRawBufferPointer, PacketInfo) throws -> Bool) throws -> ReadStatus {
    if let damage { return ReadStatus(records: records, damage: damage) }
    var header: UnsafeMutablePointer<pcap_pkthdr>?
    var data: UnsafePointer<UInt8>?
    while true {
      let result = pcap_next_ex(pcap, &header, &data)
      if result == 1, let header, let data {
        records += 1
        let packet = header.pointee
        let capturedLength = Int(packet.caplen)
        // Seconds are an unsigned 32-bit field in the file; libpcap hands them out sign-extended.
        let seconds = Int64(UInt32(truncatingIfNeeded: packet.ts.tv_sec))
        let info = PacketInfo(
          timestamp: Timestamp(nanoseconds: seconds &* 1_000_000_000 &+ Int64(packet.ts.tv_usec)),
          capturedLength: capturedLength, wireLength: Int(packet.len), linkType: linkType,
          interfaceIndex: 0, recordNumber: records)
        advanceOffset(capturedLength: capturedLength)
        if try !body(UnsafeRawBufferPointer(start: data, count: capturedLength), info) {
          return ReadStatus(records: records)
        }
      } else if result == PCAP_ERROR_BREAK || result == 0 {
        // End of input; a gzip stream may still have ended early, on a record boundary.
        if let stream, let problem = InputSource.compressionProblem(stream) {
          damage = error(.corruptCompression(problem))
        }
        return ReadStatus(records: records, damage: damage)
      } else {
        damage = translate(String(cString: pcap_geterr(pcap)))
        return ReadStatus(records: records, damage: damage)
      }
    }
  }

  /// Moves `offset` past the record just read. libpcap cuts a record longer than the snapshot length down
  /// to it, so when the captured length equals the snapshot length the real position is asked of stdio.
  private func advanceOffset(capturedLength: Int) {
    if capturedLength >= snapshotLength, let file = pcap_file(pcap) {
      let position = ftello(file)
      if position >= 0 {
        offset = Int64(position)
        return
      }
    }
    offset += recordHeaderLength + Int64(capturedLength)
  }

  private func error(_ reason: CaptureError.Reason) -> CaptureError {
    CaptureError(
      reason, file: name, recordNumber: records + 1, byteOffset: offset, offsetIsDecompressed: compressed)
  }

  /// Turns a libpcap message about the next record into an error with its position.
  private func translate(_ message: String) -> CaptureError {
    let numbers = Self.numbers(in: message)
    let cut = stream.flatMap { InputSource.compressionProblem($0) }
    if let cut, stream?.pointee.zerr != Z_BUF_ERROR {
      return error(.corruptCompression(cut))
    }
    let suffix = cut.map { "; \($0)" } ?? ""
    if message.hasPrefix("truncated dump file"), numbers.count >= 2 {
      if message.contains("header bytes") {
        return error(
          .truncatedRecord(
            "record header is \(numbers[1]) of \(recordHeaderLength) bytes\(suffix)"))
      }
      return error(
        .truncatedRecord("header says \(numbers[0]) bytes, only \(numbers[1]) remain\(suffix)"))
    }
    if message.hasPrefix("invalid packet capture length"), numbers.count >= 2 {
      let limit = message.contains("snaplen") ? "the snapshot length" : "the maximum"
      return error(.absurdRecordLength("header says \(numbers[0]) bytes, more than \(limit) \(numbers[1])"))
    }
    if message.hasPrefix("error reading dump file") {
      return error(.unreadable(message))
    }
    return error(.libpcap(message))
  }

  /// The decimal numbers in a message, in order.
  static func numbers(in message: String) -> [Int] {
    var result: [Int] = []
    var current: Int?
    for character in message.utf8 {
      if character >= 48 && character <= 57 {
        current = (current ?? 0) &* 10 &+ Int(character - 48)
      } else if let value = current {
        result.append(value)
        current = nil
      }
    }
    if let current { result.append(current) }
    return result
  }
}
