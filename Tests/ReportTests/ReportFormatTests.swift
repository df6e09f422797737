import Analysis
import Foundation
import Geo
import NetCore
@testable import Report
import TestSupport
import Testing

/// What each format promises beyond its golden file: CSV that csv readers take as one table,
/// HTML with nothing fetched from the network and a map that shows the counts, Markdown tables
/// with consistent columns, and a world map asset with real country outlines.
@Suite struct ReportFormatTests {
  static func fixture() throws -> (DecodedSummary, ReportDocument) {
    let path = packageRoot.appendingPathComponent("Tests/ReportTests/Fixtures/summary.json").path
    let decoded = try SummaryJSON.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
    return (decoded, decoded.document())
  }

  // MARK: - CSV

  @Test func csvFieldsAreQuotedAsRFC4180Says() {
    #expect(CSVReport.field("plain") == "plain")
    #expect(CSVReport.field("Bonaire, Sint Eustatius, and Saba") == "\"Bonaire, Sint Eustatius, and Saba\"")
    #expect(CSVReport.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
    #expect(CSVReport.field("two\nlines") == "\"two\nlines\"")
    #expect(CSVReport.field("cr\r\nlf") == "\"cr\r\nlf\"")
  }

  /// Python's csv module reads the CSV as one table: the header, 14 fields in every row, counts
  /// that add up to the summary's totals per scope, and shares with a `.` decimal point.
  @Test func pythonReadsTheCSVAsOneTable() throws {
    let (decoded, original) = try Self.fixture()
    var doc = original
    // A name with a comma, to see it survive the round trip.
    var bq = OriginCounters()
    bq.packets = 1
    bq.sources = 1
    doc.summary.countries[OriginKey(kind: .country, code: "BQ")] = bq
    doc.summary.totals.ipPackets += 1
    doc.summary.totals.sources += 1
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let file = dir.path("report.csv")
    try Data(doc.render(.csv, options: RenderOptions()).utf8).write(to: URL(fileURLWithPath: file))
    let script = """
      import csv, json, sys, collections
      rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
      with open(sys.argv[1], newline='', encoding='utf-8') as f:
          widths = {len(r) for r in csv.reader(f)}
      sums = collections.defaultdict(int)
      shares = collections.defaultdict(float)
      names = {}
      for r in rows:
          key = (r['scope'], r['start'])
          sums[key] += int(r['packets'])
          shares[key] += float(r['packets_share'])
          names[r['code']] = r['name']
      print(json.dumps({'widths': sorted(widths), 'header': list(rows[0].keys()),
          'sums': {'%s|%s' % k: v for k, v in sums.items()}, 'shares': {'%s|%s' % k: v for k, v in shares.items()},
          'bq': names.get('BQ')}))
      """
    let out = try run("python3", ["-c", script, file])
    #expect(out.status == 0, "\(out.stderr)")
    let result = try #require(try parseJSON(out.stdout) as? [String: Any])
    #expect(result["widths"] as? [Int] == [14])
    #expect(result["header"] as? [String] == CSVReport.columns)
    #expect(result["bq"] as? String == "Bonaire, Sint Eustatius, and Saba")
    let sums = try #require(result["sums"] as? [String: Int])
    #expect(sums["all|"] == Int(doc.summary.totals.ipPackets))
    let s = decoded.summary
    for b in s.buckets where b.totals.packets > 0 {
      #expect(sums["bucket|\(SummaryJSON.time(b.window.start))"] == Int(b.totals.packets))
    }
    for b in s.bursts { #expect(sums["burst|\(SummaryJSON.time(b.window.start))"] == Int(b.totals.packets)) }
    #expect(sums["window|\(SummaryJSON.time(try #require(s.window).window.start))"] == Int(s.window!.totals.packets))
    for (key, share) in try #require(result["shares"] as? [String: Double]) {
      #expect(abs(share - 1) < 0.0001, "\(key): shares add to \(share)")
    }
  }

  // MARK: - HTML

  @Test func htmlFetchesNothing() throws {
    let html = try Self.fixture().1.render(.html, options: RenderOptions())
    for forbidden in ["<script", "http:", "https:", "src=", "@import", "url(", "<link", "<iframe", "<object", "<img"] {
      #expect(!html.lowercased().contains(forbidden), "the page contains \(forbidden)")
    }
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("@media print") && html.contains("@media (max-width:"))
    #expect(html.contains("name=\"viewport\""))
  }

  /// Every country with traffic is filled on the map in the colour of its share class, every
  /// other one in the empty colour; the claimed area is outlined.
  @Test func mapShowsTheCounts() throws {
    let (_, doc) = try Self.fixture()
    let html = doc.render(.html, options: RenderOptions(metric: .sources))
    let s = doc.summary
    let total = Double(s.totals.sources)
    var filled = 0
    for (code, _) in WorldMap.countries {
      let sources = s.countries[OriginKey(kind: .country, code: code)]?.sources ?? 0
      let expected = HTMLCharts.colour(Double(sources) / total)
      let marker = "<path id=\"map-\(code)\" data-code=\"\(code)\" data-value=\"\(sources)\" fill=\"\(expected)\""
      #expect(html.contains(marker), "\(code): \(marker)")
      if sources > 0 { filled += 1 }
    }
    #expect(filled >= 10)
    #expect(html.contains("<g class=\"claimed\"><path data-code=\"UA\""))
  }

  /// Each inline SVG is well-formed XML (read by Python's XML parser, an independent reader).
  @Test func svgFiguresAreWellFormed() throws {
    let html = try Self.fixture().1.render(.html, options: RenderOptions())
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try Data(html.utf8).write(to: URL(fileURLWithPath: dir.path("r.html")))
    let script = """
      import re, sys, json, xml.etree.ElementTree as ET
      html = open(sys.argv[1], encoding='utf-8').read()
      out = {}
      for svg in re.findall(r'<svg .*?</svg>', html, re.S):
          root = ET.fromstring(svg)
          out[root.get('class')] = {'paths': len(root.findall('.//path')), 'rects': len(root.findall('.//rect')),
                                    'codes': sorted({p.get('data-code') for p in root.iter() if p.get('data-code')})}
      print(json.dumps(out))
      """
    let out = try run("python3", ["-c", script, dir.path("r.html")])
    #expect(out.status == 0, "\(out.stderr)")
    let svgs = try #require(try parseJSON(out.stdout) as? [String: [String: Any]])
    #expect(Set(svgs.keys) == ["map", "bars", "timeline"])
    #expect((svgs["map"]?["paths"] as? Int ?? 0) > 170)
    let codes = Set(svgs["map"]?["codes"] as? [String] ?? [])
    #expect(codes.isSuperset(of: ["US", "UA", "CN", "BR", "RU", "AU"]))
    #expect((svgs["bars"]?["rects"] as? Int ?? 0) >= 10)
    #expect((svgs["timeline"]?["rects"] as? Int ?? 0) >= 6)
  }

  @Test func htmlEscapesText() {
    #expect(HTMLReport.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
  }

  // MARK: - Markdown

  /// Every Markdown table has the same number of cells in each row, and the sections come in order.
  @Test func markdownTablesAreRectangular() throws {
    let md = try Self.fixture().1.render(.markdown, options: RenderOptions())
    var columns: Int? = nil
    for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
      guard line.hasPrefix("|") else {
        columns = nil
        continue
      }
      // Cells are separated by pipes that are not escaped.
      var count = 0
      var previous: Character = " "
      for ch in line {
        if ch == "|" && previous != "\\" { count += 1 }
        previous = ch
      }
      if let columns { #expect(count == columns, "\(line)") } else { columns = count }
    }
    let headings = md.split(separator: "\n").filter { $0.hasPrefix("##") && !$0.hasPrefix("####") }.map { String($0.prefix(20)) }
    #expect(
      headings == [
        "## Where the traffic", "### The question", "### Verdicts", "### Top origins by c", "### Over time", "### Method",
        "### Limits of source",
      ], "\(headings)")
  }

  @Test func markdownEscapesMarkup() {
    #expect(MarkdownReport.escape("a*b_c [x](y) <i>") == "a\\*b\\_c \\[x\\](y) \\<i\\>")
    #expect(MarkdownReport.code("a`b") == "``a`b``")
    #expect(MarkdownReport.cell("a|b") == "a\\|b")
  }

  // MARK: - World map asset

  @Test func worldMapHasRealCountryOutlines() throws {
    #expect(WorldMap.countries.count >= 170)
    for (code, path) in WorldMap.countries {
      #expect(Countries.named(code)?.code == code, "\(code) is not an ISO 3166 code")
      // Only M (absolute), l (relative) and z, with integers.
      #expect(path.allSatisfy { "Mlz- 0123456789".contains($0) }, "\(code)")
      #expect(path.hasPrefix("M") && path.hasSuffix("z"))
    }
    for code in ["US", "CA", "BR", "RU", "CN", "IN", "AU", "UA", "DE", "FR", "GB", "ZA", "JP", "XK"] {
      #expect(WorldMap.codes.contains(code), "\(code) has no outline")
    }
    // Geography: west to east and north to south as on a globe.
    let us = try #require(Self.centre("US"))
    let ua = try #require(Self.centre("UA"))
    let cn = try #require(Self.centre("CN"))
    let au = try #require(Self.centre("AU"))
    let pl = try #require(Self.centre("PL"))
    #expect(us.x < pl.x && pl.x < ua.x && ua.x < cn.x)
    #expect(ua.y < cn.y && cn.y < au.y)
    #expect(ua.x > 0 && ua.x < Double(WorldMap.width) && au.y < Double(WorldMap.height))
  }

  /// The centre of a country's bounding box, from its path.
  static func centre(_ code: String) -> (x: Double, y: Double)? {
    guard let path = WorldMap.countries.first(where: { $0.code == code })?.path else { return nil }
    var xs: [Int] = []
    var ys: [Int] = []
    for ring in path.split(separator: "M") {
      let body = ring.replacingOccurrences(of: "z", with: "").replacingOccurrences(of: "l", with: " ").replacingOccurrences(of: "-", with: " -")
      let numbers = body.split(separator: " ").compactMap { Int($0) }
      guard numbers.count >= 2 else { continue }
      var x = numbers[0]
      var y = numbers[1]
      xs.append(x)
      ys.append(y)
      var i = 2
      while i + 1 < numbers.count {
        x += numbers[i]
        y += numbers[i + 1]
        xs.append(x)
        ys.append(y)
        i += 2
      }
    }
    guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
    return (Double(x0 + x1) / 2, Double(y0 + y1) / 2)
  }
}
