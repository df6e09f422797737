import Capture
import Foundation
import NetCore
import Testing

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TempDirectory {
  let path: String

  init() throws {
    var template = Array((NSTemporaryDirectory() + "/capture-tests-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
    path = String(cString: made)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  func file(_ name: String) -> String { path + "/" + name }

  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let target = file(name)
    try Data(bytes).write(to: URL(fileURLWithPath: target))
    return target
  }
}

func readBytes(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

struct ToolFailure: Error, CustomStringConvertible {
  var description: String
}

/// Runs a program found on PATH; throws if it exits non-zero. Returns its standard output.
@discardableResult
func run(_ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  let inputPipe = Pipe()
  if input != nil { process.standardInput = inputPipe }
  try process.run()
  if let input {
    inputPipe.fileHandleForWriting.write(Data(input))
    try inputPipe.fileHandleForWriting.close()
  }
  let out = output.fileHandleForReading.readDataToEndOfFile()
  let err = errors.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw ToolFailure(
      description: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): "
        + String(decoding: err, as: UTF8.self))
  }
  return [UInt8](out)
}

/// Runs a Python script (scapy is expected to be installed) with `arguments` as sys.argv[1...].
func python(_ script: String, _ arguments: [String] = []) throws {
  try run(["python3", "-c", script] + arguments)
}

/// Compresses a file with gzip, returning the path of the compressed copy (`path.gz`).
func gzip(_ path: String) throws -> String {
  try run(["gzip", "-k", "-f", path])
  return path + ".gz"
}

/// One packet as read: its metadata and a copy of its bytes.
struct ReadPacket {
  var info: PacketInfo
  var bytes: [UInt8]
}

/// Reads every packet of a file.
func readAll(_ path: String) throws -> (reader: CaptureFileReader, packets: [ReadPacket], status: ReadStatus) {
  let reader = try CaptureFileReader(path: path)
  var packets: [ReadPacket] = []
  let status = try reader.forEachPacket { bytes, info in
    packets.append(ReadPacket(info: info, bytes: Array(bytes)))
    return true
  }
  return (reader, packets, status)
}

/// The error `CaptureFileReader(path:)` throws, or nil if it opens.
func openError(_ path: String) -> CaptureError? {
  do {
    _ = try CaptureFileReader(path: path)
    return nil
  } catch {
    return error
  }
}

/// A packet to write with the test writers.
struct TestPacket {
  var seconds: UInt32
  var fraction: UInt32
  var data: [UInt8]
  var wireLength: Int? = nil
}

/// Sample packet data: distinct bytes per packet so packets can be told apart.
func sampleData(_ index: Int, length: Int) -> [UInt8] {
  (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index &* 31) }
}

/// Writes classic pcap byte by byte (draft-ietf-opsawg-pcap), in either byte order.
struct PcapWriter {
  var bigEndian = false
  var nanosecond = false
  var snapLength: UInt32 = 65535
  var linkType: UInt32 = 1
  var bytes: [UInt8] = []

  init(bigEndian: Bool = false, nanosecond: Bool = false, snapLength: UInt32 = 65535, linkType: UInt32 = 1) {
    self.bigEndian = bigEndian
    self.nanosecond = nanosecond
    self.snapLength = snapLength
    self.linkType = linkType
    put32(nanosecond ? 0xa1b2_3c4d : 0xa1b2_c3d4)  // magic
    put16(2)  // major version
    put16(4)  // minor version
    put32(0)  // reserved (thiszone)
    put32(0)  // reserved (sigfigs)
    put32(snapLength)  // SnapLen
    put32(linkType)  // LinkType and additional information
  }

  mutating func put16(_ value: UInt16) {
    let v = bigEndian ? value.bigEndian : value.littleEndian
    withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
  }

  mutating func put32(_ value: UInt32) {
    let v = bigEndian ? value.bigEndian : value.littleEndian
    withUnsafeBytes(of: v) { bytes.append(contentsOf: $0) }
  }

  mutating func add(_ packet: TestPacket) {
    put32(packet.seconds)  // Timestamp (seconds)
    put32(packet.fraction)  // Timestamp (microseconds or nanoseconds)
    put32(UInt32(packet.data.count))  // Captured Packet Length
    put32(UInt32(packet.wireLength ?? packet.data.count))  // Original Packet Length
    bytes += packet.data
  }

  /// A record header that claims `captured` bytes (and `wire` on the wire), followed by only
  /// `present` zero bytes: damage, when `present` is less.
  mutating func addClaimedRecord(captured: UInt32, wire: UInt32? = nil, present: Int) {
    put32(1)
    put32(0)
    put32(captured)
    put32(wire ?? captured)
    bytes += [UInt8](repeating: 0, count: present)
  }

  /// Offsets where each record starts, and the end of the file.
  static func recordBoundaries(packets: [TestPacket]) -> [Int] {
    var offsets = [24]
    for packet in packets { offsets.append(offsets.last! + 16 + packet.data.count) }
    return offsets
  }
}

/// Writes pcapng blocks byte by byte (draft-ietf-opsawg-pcapng), in either byte order.
struct PcapngWriter {
  var bigEndian = false
  var bytes: [UInt8] = []
  /// Offset of each block written.
  var blockOffsets: [Int] = []

  init(bigEndian: Bool = false) {
    self.bigEndian = bigEndian
  }

  func encode16(_ value: UInt16) -> [UInt8] {
    withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { Array($0) }
  }

  func encode32(_ value: UInt32) -> [UInt8] {
    withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { Array($0) }
  }

  func encode64(_ value: UInt64) -> [UInt8] {
    withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { Array($0) }
  }

  func padded(_ data: [UInt8]) -> [UInt8] {
    data + [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
  }

  func option(_ code: UInt16, _ value: [UInt8]) -> [UInt8] {
    encode16(code) + encode16(UInt16(value.count)) + padded(value)
  }

  /// Appends a block: Block Type, Block Total Length, body, Block Total Length.
  mutating func block(_ type: UInt32, _ body: [UInt8]) {
    blockOffsets.append(bytes.count)
    let length = UInt32(12 + body.count)
    bytes += encode32(type) + encode32(length) + body + encode32(length)
  }

  mutating func sectionHeader(major: UInt16 = 1) {
    block(
      0x0A0D_0D0A,
      encode32(0x1A2B_3C4D) + encode16(major) + encode16(0) + encode64(UInt64.max)
        + option(4, Array("test writer".utf8)) + encode32(0))
  }

  mutating func interface(linkType: UInt16, snapLength: UInt32 = 0, tsresol: UInt8? = nil, tsoffset: Int64? = nil) {
    var options: [UInt8] = option(2, Array("eth0".utf8))
    if let tsresol { options += option(9, [tsresol]) }
    if let tsoffset { options += option(14, encode64(UInt64(bitPattern: tsoffset))) }
    if !options.isEmpty { options += encode32(0) }
    block(1, encode16(linkType) + encode16(0) + encode32(snapLength) + options)
  }

  mutating func enhancedPacket(interface: UInt32, units: UInt64, data: [UInt8], wireLength: Int? = nil) {
    block(
      6,
      encode32(interface) + encode32(UInt32(units >> 32)) + encode32(UInt32(truncatingIfNeeded: units))
        + encode32(UInt32(data.count)) + encode32(UInt32(wireLength ?? data.count)) + padded(data)
        + option(1, Array("comment".utf8)) + encode32(0))
  }

  mutating func simplePacket(data: [UInt8], wireLength: Int? = nil) {
    block(3, encode32(UInt32(wireLength ?? data.count)) + padded(data))
  }

  mutating func obsoletePacket(interface: UInt16, units: UInt64, data: [UInt8]) {
    block(
      2,
      encode16(interface) + encode16(0) + encode32(UInt32(units >> 32))
        + encode32(UInt32(truncatingIfNeeded: units)) + encode32(UInt32(data.count))
        + encode32(UInt32(data.count)) + padded(data))
  }
}
