import Foundation
import TestSupport
import Testing

/// The HTML report of the bundled sample, loaded in headless Chromium (Debian `chromium`): it
/// loads without console errors, and the rendered DOM has the map with the expected countries
/// filled, the bar chart and the timeline with bursts.
@Suite(.serialized) struct HTMLChromiumTests {
  static func chromium() throws -> String {
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: candidate) {
      return candidate
    }
    throw TestSupportError("chromium is not installed: run Tools/setup (Debian package chromium)")
  }

  /// Runs headless Chromium on a page: the serialized DOM after load, and the console messages
  /// it logged (with `--enable-logging=stderr`, each is a line such as
  /// `[...:INFO:CONSOLE:1] "message", source: file:///... (1)`).
  static func load(
    _ page: String, in dir: TemporaryDirectory, screenshot: String? = nil, width: Int = 1000, height: Int = 2400, extra: [String] = []
  ) throws -> (dom: String, console: [String]) {
    var arguments = [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
      "--user-data-dir=\(dir.path("profile"))", "--enable-logging=stderr", "--v=0", "--window-size=\(width),\(height)",
      // Nothing the page needs is on the network: keep Chromium off it.
      "--disable-background-networking", "--disable-component-update", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    ]
    arguments += extra
    if let screenshot { arguments.append("--screenshot=\(screenshot)") } else { arguments.append("--dump-dom") }
    let out = try run("timeout", ["120", try chromium()] + arguments + ["file://\(page)"], environment: ["HOME": dir.path("home")])
    #expect(out.status == 0, "chromium exited \(out.status): \(out.stderr.suffix(800))")
    let console = out.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    return (out.stdout, console)
  }

  /// The console capture works: a page that logs an error is caught.
  @Test func consoleErrorsAreCaught() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let page = dir.path("broken.html")
    try "<!DOCTYPE html><html><body><p>x</p><script>console.error('deliberate failure'); undefinedFunction();</script></body></html>"
      .write(toFile: page, atomically: true, encoding: .utf8)
    let result = try Self.load(page, in: dir)
    #expect(result.console.contains { $0.contains("deliberate failure") }, "\(result.console)")
    #expect(result.console.contains { $0.contains("undefinedFunction") }, "\(result.console)")
  }

  @Test func sampleReportRendersInChromium() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let page = dir.path("sample.html")
    let sample = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.pcap").path
    let db = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
    let made = try origincheck([
      "analyze", "--db", db, "--claim", "ukraine-area:primary", "--bucket", "30m", "--format", "html", "--output", page, sample,
    ])
    #expect(made.status == 0, "\(made.stderr)")

    let loaded = try Self.load(page, in: dir)
    #expect(loaded.console.isEmpty, "console messages: \(loaded.console)")
    let dom = loaded.dom
    // The map: one path per country with its code, the sample's main origins filled.
    let paths = Self.matches(#"<path id="map-([A-Z]{2})" data-code="([A-Z]{2})" data-value="(\d+)" fill="(#[0-9a-f]{6})""#, in: dom)
    #expect(paths.count > 170, "\(paths.count) country paths")
    let fills = Dictionary(paths.map { ($0[2], (value: Int($0[3]) ?? 0, fill: $0[4])) }, uniquingKeysWith: { a, _ in a })
    for code in ["US", "UA", "CN", "BR", "IN", "RU"] {
      let entry = try #require(fills[code], "\(code) has no path")
      #expect(entry.value > 0, "\(code) has no sources")
      #expect(entry.fill != "#e4e4e4", "\(code) is not filled")
    }
    #expect(fills.values.contains { $0.value == 0 && $0.fill == "#e4e4e4" }, "countries without traffic are grey")
    #expect(dom.contains("<g class=\"claimed\"><path data-code=\"UA\""))
    // The bar chart and the timeline are non-empty, with the bursts marked.
    #expect(Self.matches(#"<g class="bar (origin|claimed|other)" data-code="#, in: dom).count >= 10)
    let timeline = try #require(dom.range(of: "<svg class=\"timeline\"").map { String(dom[$0.lowerBound...]) })
    #expect(Self.matches(#"<g class="burst" data-label="burst-\d+">"#, in: timeline).count == 4)
    #expect(Self.matches(#"<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"><title>2025-03-10"#, in: timeline).count >= 10)
    #expect(dom.contains("class=\"verdict does-not-hold\""))

    // The screenshot: a PNG of the page's width, with the page drawn (not blank).
    let png = dir.path("shot.png")
    _ = try Self.load(page, in: dir, screenshot: png, width: 900, height: 2000)
    let data = try Data(contentsOf: URL(fileURLWithPath: png))
    #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
    #expect(data.count > 50_000, "screenshot of \(data.count) bytes")
    let width = data.count > 24 ? Int(data[16]) << 24 | Int(data[17]) << 16 | Int(data[18]) << 8 | Int(data[19]) : 0
    #expect(width == 900)
  }

  /// At phone width the page still lays out within the screen: the document is not wider than
  /// the viewport (tables scroll inside their own boxes).
  @Test func sampleReportFitsAPhoneScreen() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let page = dir.path("sample.html")
    let sample = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.pcap").path
    let db = packageRoot.appendingPathComponent("GeoDB/default/country.mmdb").path
    #expect(try origincheck(["analyze", "--db", db, "--claim", "ukraine-area:primary", "--bucket", "30m", "--format", "html", "-o", page, sample]).status == 0)
    // A wrapper page measures the report in a 390-pixel frame and writes the widths into its DOM.
    let probe = dir.path("probe.html")
    try """
      <!DOCTYPE html><html><body style="margin:0">
      <iframe id="f" src="sample.html" style="width:390px;height:800px;border:0"></iframe>
      <pre id="out">pending</pre>
      <script>
      document.getElementById('f').addEventListener('load', function () {
        var d = this.contentDocument.documentElement;
        document.getElementById('out').textContent = 'scrollWidth=' + d.scrollWidth + ' clientWidth=' + d.clientWidth;
      });
      </script></body></html>
      """.write(toFile: probe, atomically: true, encoding: .utf8)
    // The probe reads the frame's document, which file: pages may do only with this switch.
    let loaded = try Self.load(probe, in: dir, extra: ["--allow-file-access-from-files"])
    #expect(loaded.console.isEmpty, "\(loaded.console)")
    let widths = Self.matches(#"scrollWidth=(\d+) clientWidth=(\d+)"#, in: loaded.dom)
    let w = try #require(widths.first, "no measurement in \(loaded.dom.suffix(300))")
    #expect(Int(w[1]) == Int(w[2]), "the page is \(w[1]) px wide in a \(w[2]) px screen")
    #expect(Int(w[2]) ?? 0 > 300)
  }

  static func matches(_ pattern: String, in text: String) -> [[String]] {
    guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
      (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: text).map { String(text[$0]) } ?? "" }
    }
  }
}
