import Analysis
import Report

/// A saved summary (`report`, `merge`): JSON text read back with `SummaryJSON.decode`. An error is
/// one line naming the file; a summary that reads renders in every format, merges with itself, and
/// writes back JSON that reads again to the same JSON.
enum SummaryJSONTarget {
  static let name = "fuzz-summary.json"

  static func run(_ data: UnsafeRawBufferPointer) {
    let decoded: DecodedSummary
    do {
      decoded = try SummaryJSON.decode(Array(data), path: name)
    } catch {
      FuzzCheck.oneLine(error.description, naming: name)
      return
    }
    let document = decoded.document()
    let json = SummaryJSON.encode(document).serialized()
    let again: DecodedSummary
    do {
      again = try SummaryJSON.decode(json, path: name)
    } catch {
      fatalError("a summary written from a decoded one does not read back: \(error)")
    }
    FuzzCheck.require(
      SummaryJSON.encode(again.document()).serialized() == json, "a summary read back writes different JSON")
    // Rendering costs time in proportion to the buckets; the renderers see every shape either way.
    if document.summary.buckets.count <= 1000 {
      for format in ReportFormat.allCases where format != .json {
        _ = document.render(format, options: RenderOptions())
      }
    }
    do {
      _ = try Summary.merged([decoded.summary, again.summary])
    } catch {
      _ = error.description
    }
  }
}
