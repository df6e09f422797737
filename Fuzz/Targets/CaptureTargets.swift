import Capture
import NetCore
import PacketDecoding

/// Capture files from fuzz input, written to a scratch file and read the way `analyze` reads them.
enum CaptureTargets {
  /// One packet as handed out: its metadata and a copy of its bytes.
  struct Record: Equatable {
    var info: PacketInfo
    var bytes: [UInt8]
  }

  /// What reading an input gave: the packets, and the damage or open error that ended it.
  struct Reading: Equatable {
    var records: [Record] = []
    /// The one-line damage description, or the open error's.
    var error: String?
  }

  /// Any capture (pcap, pcapng, gzip of either, or not a capture) through `CaptureFileReader`.
  static func runCapture(_ data: UnsafeRawBufferPointer) {
    _ = ScratchFile.with(data) { readOnePass(path: $0) }
  }

  /// Classic pcap: what `analyze` reads with the range reader (split into one and into three
  /// parts, then libpcap from the first record it leaves) equals what libpcap reads alone.
  static func runPcap(_ data: UnsafeRawBufferPointer) {
    ScratchFile.with(data) { comparePcapReaders(path: $0) }
  }

  static func comparePcapReaders(path: String) {
    let libpcap = readOnePass(path: path)
    guard let ranges = PcapRangeFile.open(path: path) else { return }
    for parts in [1, 3] {
      let split = readByRanges(ranges, parts: parts)
      FuzzCheck.require(
        split.records.count == libpcap.records.count,
        "\(parts) part(s): \(split.records.count) records, libpcap \(libpcap.records.count)")
      for (index, (a, b)) in zip(split.records, libpcap.records).enumerated() {
        FuzzCheck.require(a == b, "\(parts) part(s): record \(index + 1) differs: \(a.info) vs \(b.info)")
      }
      FuzzCheck.require(
        split.error == libpcap.error,
        "\(parts) part(s): damage '\(split.error ?? "none")', libpcap '\(libpcap.error ?? "none")'")
    }
  }

  /// Reads `path` with `CaptureFileReader` and checks every packet and the way reading ended.
  static func readOnePass(path: String) -> Reading {
    var reading = Reading()
    let reader: CaptureFileReader
    do {
      reader = try CaptureFileReader(path: path)
    } catch {
      FuzzCheck.oneLine(error.description, naming: path)
      reading.error = error.description
      return reading
    }
    let status: ReadStatus
    do {
      status = try reader.forEachPacket { bytes, info in
        reading.records.append(check(bytes, info, expectedNumber: reading.records.count + 1))
        return true
      }
    } catch {
      fatalError("forEachPacket threw \(error), though the body never throws")
    }
    FuzzCheck.require(
      status.records == reading.records.count, "status says \(status.records) records, \(reading.records.count) read")
    if let damage = status.damage {
      FuzzCheck.oneLine(damage.description, naming: path)
      reading.error = damage.description
    }
    FuzzCheck.require(
      reader.linkTypes.count <= CaptureLimits.maximumInterfaces, "\(reader.linkTypes.count) interfaces")
    return reading
  }

  /// Reads a plain pcap file as `analyze` does: by ranges, then on with libpcap from the first
  /// record a range reader left (damage, or a split point that was no record start).
  static func readByRanges(_ file: PcapRangeFile, parts: Int) -> Reading {
    var reading = Reading()
    let offsets = file.splitOffsets(parts: parts)
    FuzzCheck.require(
      offsets.first == PcapRangeFile.headerLength && offsets.last == file.size
        && zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 || $0 == $1 && $1 == file.size },
      "split offsets \(offsets) of a \(file.size)-byte file")
    // Every range is read, as `analyze` reads them on threads; the join says which count.
    var results: [PcapRangeFile.RangeResult] = []
    var ranges: [[Record]] = []
    for i in 0..<(offsets.count - 1) {
      var records: [Record] = []
      let result = file.read(offsets[i]..<offsets[i + 1]) { bytes, info in
        records.append(check(bytes, info, expectedNumber: records.count + 1))
      }
      FuzzCheck.require(records.count == result.records, "range result says \(result.records) records, \(records.count) read")
      results.append(result)
      ranges.append(records)
    }
    let join = file.join(results, offsets: offsets)
    for records in ranges.prefix(join.ranges) {
      // Record numbers run from 1 in each range; the joined numbers follow on.
      for var record in records {
        record.info.recordNumber = reading.records.count + 1
        reading.records.append(record)
      }
    }
    guard let resume = join.resume else { return reading }
    let reader: CaptureFileReader
    do {
      reader = try CaptureFileReader(path: file.path, resumingAt: resume, recordsBefore: reading.records.count)
    } catch {
      reading.error = error.description
      return reading
    }
    do {
      let status = try reader.forEachPacket { bytes, info in
        reading.records.append(check(bytes, info, expectedNumber: reading.records.count + 1))
        return true
      }
      reading.error = status.damage?.description
    } catch {
      fatalError("forEachPacket threw \(error), though the body never throws")
    }
    return reading
  }

  /// Checks one packet as handed out, decodes it, and copies it.
  static func check(_ bytes: UnsafeRawBufferPointer, _ info: PacketInfo, expectedNumber: Int) -> Record {
    FuzzCheck.require(info.recordNumber == expectedNumber, "record \(info.recordNumber), expected \(expectedNumber)")
    FuzzCheck.require(bytes.count == info.capturedLength, "\(bytes.count) bytes, captured length \(info.capturedLength)")
    let outcome = PacketDecoder.decode(linkType: LinkType(info.linkType), bytes: bytes)
    PacketTarget.check(outcome, frameLength: bytes.count)
    _ = info.timestamp.description
    return Record(info: info, bytes: Array(bytes))
  }
}
