import Foundation
import NetCore
import PacketDecoding
import Testing

/// Decodes captures written by scapy, an independent implementation of every link layer, and checks
/// each packet's addresses and ports against what scapy put there. python3 with scapy is required:
/// without it the test fails rather than skips.
@Suite struct ScapyCrossCheckTests {
  struct ExpectedFile: Decodable {
    var file: String
    var linktype: UInt32
    var packets: [ExpectedPacket]
  }

  struct ExpectedPacket: Decodable {
    var src: String
    var dst: String
    var sport: UInt16?
    var dport: UInt16?
  }

  @Test func decodedPacketsMatchScapy() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent(
        "origincheck-scapy-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = directory.appendingPathComponent("make_linktypes.py")
    try makeLinkTypesScript.write(to: script, atomically: true, encoding: .utf8)

    let output = try runPython(script: script.path, arguments: [directory.path])
    let manifest = try JSONDecoder().decode([ExpectedFile].self, from: output)

    // Every supported link type except the DLT aliases of raw IP is covered by the script.
    let covered = Set(manifest.map(\.linktype))
    let aliases: Set<UInt32> = [LinkType.rawDLT12.rawValue, LinkType.rawDLT14.rawValue]
    #expect(
      Set(LinkType.supported.map(\.rawValue)).subtracting(aliases).subtracting(covered).isEmpty)

    var checked = 0
    for expected in manifest {
      let capture = try ClassicPcap(data: Data(contentsOf: URL(fileURLWithPath: expected.file)))
      #expect(capture.linkType == expected.linktype, "\(expected.file)")
      #expect(capture.frames.count == expected.packets.count, "\(expected.file)")
      for (index, (frame, want)) in zip(capture.frames, expected.packets).enumerated() {
        let place = "\(expected.file) packet \(index + 1)"
        let outcome = decode(LinkType(capture.linkType), frame)
        guard let packet = outcome.packet else {
          Issue.record("\(place): \(outcome)")
          continue
        }
        #expect(packet.source == IPAddress(want.src), "\(place)")
        #expect(packet.destination == IPAddress(want.dst), "\(place)")
        #expect(packet.sourcePort == want.sport, "\(place)")
        #expect(packet.destinationPort == want.dport, "\(place)")
        checked += 1
      }
    }
    #expect(checked >= 50)
  }

  /// Runs `python3 script arguments...` and returns its standard output; throws when it fails.
  func runPython(script: String, arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script] + arguments
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Read before waiting so a full pipe cannot stall the child.
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    let errors = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ScriptFailure(
        message:
          "python3 \(script) exited \(process.terminationStatus) (is scapy installed? pip install scapy): "
          + String(decoding: errors, as: UTF8.self))
    }
    return output
  }

  struct ScriptFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
  }
}

/// A minimal classic pcap reader for tests (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html):
/// a 24-byte file header (magic, version, reserved, snaplen, link type) and 16-byte record headers
/// (seconds, sub-seconds, captured length, original length), in the byte order the magic shows.
struct ClassicPcap {
  var linkType: UInt32
  var frames: [[UInt8]]

  struct FormatError: Error, CustomStringConvertible {
    var description: String
  }

  init(data: Data) throws {
    let bytes = [UInt8](data)
    guard bytes.count >= 24 else { throw FormatError(description: "pcap header cut off") }
    func u32(_ offset: Int, swapped: Bool) -> UInt32 {
      let value =
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
        | UInt32(bytes[offset + 3]) << 24
      return swapped ? value.byteSwapped : value
    }
    let magic = u32(0, swapped: false)
    let swapped: Bool
    switch magic {
    case 0xa1b2_c3d4, 0xa1b2_3c4d: swapped = false
    case 0xd4c3_b2a1, 0x4d3c_b2a1: swapped = true
    default:
      throw FormatError(description: "not a classic pcap file (magic \(String(magic, radix: 16)))")
    }
    linkType = u32(20, swapped: swapped) & 0x0fff_ffff  // upper bits: FCS length flags
    frames = []
    var offset = 24
    while offset < bytes.count {
      guard offset + 16 <= bytes.count else {
        throw FormatError(description: "record header cut off at \(offset)")
      }
      let captured = Int(u32(offset + 8, swapped: swapped))
      offset += 16
      guard offset + captured <= bytes.count else {
        throw FormatError(description: "record cut off at \(offset)")
      }
      frames.append(Array(bytes[offset..<offset + captured]))
      offset += captured
    }
  }
}
