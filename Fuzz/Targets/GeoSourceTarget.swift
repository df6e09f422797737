import Foundation
import Geo
import NetCore

/// `geodb build` inputs: the text of a Tor geoip or CSV range file, read as a country source and as
/// an ASN source. A file that reads is built into a database, which libmaxminddb must open; when its
/// ranges are IPv4 and do not overlap, each range's first and last address must look up to its
/// country.
enum GeoSourceTarget {
  /// Ranges beyond this are read but not built: building is the slow part.
  static let maximumRangesBuilt = 64

  /// A directory of this process for the databases written (removed at exit).
  static let directory: String = {
    var template = Array((NSTemporaryDirectory() + "/origincheck-fuzz-geo-XXXXXX").utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      fatalError("cannot create a temporary directory")
    }
    let path = String(cString: made)
    atexit {
      try? FileManager.default.removeItem(atPath: GeoSourceTarget.directory)
    }
    return path
  }()

  static func run(_ data: UnsafeRawBufferPointer) {
    ScratchFile.with(data) { read(path: $0) }
  }

  static func read(path: String) {
    for layout in [GeoSourceReader.Layout.country, .asn] {
      let ranges: [SourceRange]
      do {
        ranges = try GeoSourceReader.read(path: path, layout: layout).ranges
      } catch {
        FuzzCheck.oneLine(error.message, naming: path)
        continue
      }
      FuzzCheck.require(!ranges.isEmpty, "a source read without ranges")
      for range in ranges {
        FuzzCheck.require(
          range.first.isIPv4 == range.last.isIPv4 && range.first <= range.last, "range \(range.first)-\(range.last)")
      }
      if ranges.count <= maximumRangesBuilt { build(path, ranges, layout: layout) }
    }
  }

  static func build(_ path: String, _ ranges: [SourceRange], layout: GeoSourceReader.Layout) {
    var options = GeoDatabaseBuilder.Options()
    if layout == .country { options.countrySources = [path] } else { options.asnSources = [path] }
    options.buildEpoch = 1_750_000_000
    let output = directory + "/build.mmdb"
    let report: GeoDatabaseBuilder.Report
    do {
      report = try GeoDatabaseBuilder.build(options, output: output)
    } catch {
      // Ranges the tree cannot hold (an IPv6 range over the IPv4 aliases) stop the build with a line.
      FuzzCheck.require(!error.message.contains(where: \.isNewline), "error is not one line: \(error.message)")
      return
    }
    FuzzCheck.require(report.ranges == ranges.count, "built \(report.ranges) of \(ranges.count) ranges")
    let database: MaxMindDatabase
    do {
      database = try MaxMindDatabase(path: output)
    } catch {
      fatalError("a database just built does not open: \(error.message)")
    }
    let disjoint = layout == .country && ranges.allSatisfy { $0.first.isIPv4 } && isDisjoint(ranges)
    for range in ranges {
      for address in [range.first, range.last] {
        let match: MMDBMatch
        do {
          match = try database.lookup(address)
        } catch {
          fatalError("lookup of \(address) failed: \(error.message)")
        }
        let record = try? match.recordOffset.map { try database.record(at: $0) }
        guard disjoint, let code = range.country, let country = Countries.named(code) else { continue }
        FuzzCheck.require(
          record?.countryCode == country.code,
          "\(address) in \(range.first)-\(range.last) \(code) looks up to \(record?.countryCode ?? "nothing")")
      }
    }
  }

  static func isDisjoint(_ ranges: [SourceRange]) -> Bool {
    let sorted = ranges.sorted { $0.first < $1.first }
    return zip(sorted, sorted.dropFirst()).allSatisfy { $0.last < $1.first }
  }
}
