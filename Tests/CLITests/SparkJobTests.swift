import Foundation
import TestSupport
import Testing

/// The PySpark job (`Tools/spark/origincheck_spark.py`) on Spark in local mode (pyspark from PyPI,
/// Java from the machine): captures split into many files, some opened by path on the executors and
/// some read by Spark from file:// URIs and streamed to `analyze -`, summarise to what one `analyze`
/// over all the files gives.
@Suite(.serialized) struct SparkJobTests {
  static let script = packageRoot.appendingPathComponent("Tools/spark/origincheck_spark.py").path
  static let sample = packageRoot.appendingPathComponent("Samples/x-outage-2025-03-10.pcap").path
  static let baseline = packageRoot.appendingPathComponent("Samples/x-outage-baseline.pcap").path
  static let asnDB = packageRoot.appendingPathComponent("GeoDB/test/asn.mmdb").path
  static let options = [
    "--bucket", "30m", "--claim", "ukraine-area:primary", "--claim", "US:share>=20%:packets", "--asn-db", asnDB,
    "--window", "2025-03-10T12:00:00Z/2025-03-10T14:00:00Z", "--baseline", baseline,
  ]

  static func requireSpark() throws {
    let pyspark = try run("python3", ["-c", "import pyspark"])
    try #require(pyspark.status == 0, "pyspark is not installed: run Tools/setup (pip install pyspark)")
    let java = try run("java", ["-version"])
    try #require(java.status == 0, "java is not installed: run Tools/setup (Debian default-jre-headless)")
  }

  /// Runs the job with Spark in local mode on two cores; the time limit only guards against a hang.
  static func job(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    try run(
      "timeout", ["1200", "python3", script, "--master", "local[2]", "--origincheck", try origincheckBinary()] + arguments,
      environment: ["SPARK_LOCAL_IP": "127.0.0.1"])
  }

  static func editcap(_ arguments: [String]) throws {
    let out = try run("editcap", arguments)
    try #require(out.status == 0, "editcap \(arguments): \(out.stderr)")
  }

  static func files(in dir: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir).sorted().map { "\(dir)/\($0)" }
  }

  /// The lines origincheck and the job wrote (Spark's own log lines left out); a file:// URI is
  /// named as its path.
  static func messages(_ stderr: String) -> [String] {
    stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("origincheck") }
      .map { $0.replacingOccurrences(of: "file:///", with: "/").replacingOccurrences(of: "file:/", with: "/") }.sorted()
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try parseJSON(text) as? [String: Any])
  }

  @Test func jobEqualsOneAnalyzeOverAllFiles() throws {
    try Self.requireSpark()
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let fm = FileManager.default
    for sub in ["a", "b", "c"] { try fm.createDirectory(atPath: dir.path(sub), withIntermediateDirectories: true) }

    // a/ (a directory, by path): the sample in 16 pcapng pieces (editcap's default format), a file
    // that is not a capture, and the marker files Spark and Hadoop leave, which the listing skips.
    try Self.editcap(["-c", "1500", Self.sample, dir.path("a/x.pcapng")])
    try Data("not a capture either\n".utf8).write(to: URL(fileURLWithPath: dir.path("a/notes.txt")))
    try Data().write(to: URL(fileURLWithPath: dir.path("a/_SUCCESS")))
    try Data("crc".utf8).write(to: URL(fileURLWithPath: dir.path("a/.x.pcapng.crc")))
    // b/ (a glob, by path): a generated flood whose largest origins have more than 1,024 sources
    // (merged by sketch), as plain pcap pieces.
    let flood = try ParallelReadTests.capture(dir, ["--packets", "60000", "--sources", "12000", "--rate", "40"])
    try Self.editcap(["-F", "pcap", "-c", "10000", flood, dir.path("b/f.pcap")])
    // c/ (a file:// URI, read by Spark and streamed): the baseline in pieces, one gzip-compressed,
    // one cut inside a record, and a file that is not a capture.
    try Self.editcap(["-F", "pcap", "-c", "2000", Self.baseline, dir.path("c/base.pcap")])
    let pieces = try Self.files(in: dir.path("c"))
    try #require(pieces.count == 3)
    let gz = try run("gzip", [pieces[1]])
    try #require(gz.status == 0, "\(gz.stderr)")
    let last = try Data(contentsOf: URL(fileURLWithPath: pieces[2]))
    try last.prefix(last.count - 20).write(to: URL(fileURLWithPath: pieces[2]))
    try Data("not a capture\n".utf8).write(to: URL(fileURLWithPath: dir.path("c/notes.txt")))

    let all = try Self.files(in: dir.path("a")).filter { !$0.hasSuffix("_SUCCESS") && !$0.hasSuffix(".crc") }
      + Self.files(in: dir.path("b")) + Self.files(in: dir.path("c"))
    #expect(all.count == 17 + 6 + 4)
    let whole = try origincheck(["analyze", "--format", "json", "--threads", "1"] + Self.options + all)
    #expect(whole.status == 65, "\(whole.stderr)")

    let job = try Self.job(
      ["--partitions", "3", "--format", "json", "--output", dir.path("job.json"), "--stats", dir.path("stats.json")] + Self.options
        + [dir.path("a"), dir.path("b/*.pcap"), "file://\(dir.path("c"))"])
    #expect(job.status == 65, "\(job.stderr.suffix(3000))")
    // The damaged and the unreadable files, each one line naming it (by path or URI), as analyze names them.
    #expect(Self.messages(job.stderr) == Self.messages(whole.stderr), "\(job.stderr.suffix(3000))")
    #expect(Self.messages(job.stderr).count == 3)
    #expect(job.stderr.contains("origincheck: file:/\(dir.path("c/notes.txt").dropFirst()): not a packet capture"))

    let w = try Self.json(whole.stdout)
    let m = try Self.json(try String(contentsOfFile: dir.path("job.json"), encoding: .utf8))

    // Every analyze run that read something is one run of the merge.
    let stats = try Self.json(try String(contentsOfFile: dir.path("stats.json"), encoding: .utf8))
    #expect(stats["pathInputs"] as? Int == 23)
    #expect(stats["uriInputs"] as? Int == 4)
    #expect((stats["partitions"] as? Int ?? 0) >= 4)
    #expect(stats["analyzeRuns"] as? Int == (stats["summaries"] as? Int ?? 0) + 1)
    #expect((m["distinct"] as? [String: Any])?["runs"] as? Int == stats["summaries"] as? Int)

    // Every input is listed by its path or URI, with its status; a streamed file that could not be
    // read at all is not (analyze writes no summary when it reads nothing), only named on stderr.
    func inputs(_ s: [String: Any]) -> [String: String] {
      var out: [String: String] = [:]
      for i in s["inputs"] as? [[String: Any]] ?? [] {
        let path = (i["path"] as? String ?? "").replacingOccurrences(of: "file:/", with: "/")
        out[path] = "\(i["format"] ?? "") \(i["records"] ?? "") \(i["damaged"] ?? "")"
      }
      return out
    }
    var expected = inputs(w)
    expected[dir.path("c/notes.txt")] = nil
    #expect(inputs(m) == expected)
    #expect(inputs(m).count == 26)
    #expect(inputs(m)[dir.path("a/notes.txt")] == "unknown 0 0")

    let wt = try #require(w["totals"] as? [String: Any])
    let mt = try #require(m["totals"] as? [String: Any])
    for field in ["records", "ipPackets", "ipv4Packets", "ipv6Packets", "wireBytes", "ipBytes", "flows", "firstSeen", "lastSeen"] {
      #expect("\(wt[field] ?? "")" == "\(mt[field] ?? "")", "totals \(field)")
    }
    let total = try #require(wt["sources"] as? Int)
    let estimate = try #require(mt["sources"] as? Int)
    #expect(abs(Double(estimate - total)) / Double(total) <= 3 * 1.04 / 64, "sources \(estimate) vs \(total)")

    // Per origin: exact counters equal; sources equal where the set is exact, within three
    // standard errors where it is sketched (and some are, so both rules are tested).
    let exact = MergeCommandTests.exactSets(w, "origins")
    #expect(exact.values.contains(false) && exact.values.contains(true))
    MergeCommandTests.compareOrigins(w["origins"] as? [[String: Any]] ?? [], m["origins"] as? [[String: Any]] ?? [], exact: exact, asn: false, "origins")
    MergeCommandTests.compareOrigins(
      w["continents"] as? [[String: Any]] ?? [], m["continents"] as? [[String: Any]] ?? [], exact: MergeCommandTests.exactSets(w, "continents"),
      asn: false, "continents")
    MergeCommandTests.compareOrigins(
      w["asns"] as? [[String: Any]] ?? [], m["asns"] as? [[String: Any]] ?? [], exact: MergeCommandTests.exactSets(w, "asns"), asn: true, "asns")

    // Per bucket, the bursts found on them, and the window.
    let wb = try #require(w["buckets"] as? [[String: Any]])
    let mb = try #require(m["buckets"] as? [[String: Any]])
    #expect(wb.count == mb.count)
    #expect(wb.count > 300)
    for (a, b) in zip(wb, mb) {
      #expect(a["start"] as? String == b["start"] as? String)
      MergeCommandTests.compareOrigins(
        a["origins"] as? [[String: Any]] ?? [], b["origins"] as? [[String: Any]] ?? [], exact: [:], asn: false, "bucket \(a["start"] ?? "")")
    }
    let wbursts = (w["bursts"] as? [[String: Any]] ?? []).map { "\($0["start"] ?? "")/\($0["end"] ?? "")" }
    let mbursts = (m["bursts"] as? [[String: Any]] ?? []).map { "\($0["start"] ?? "")/\($0["end"] ?? "")" }
    #expect(!wbursts.isEmpty)
    #expect(wbursts == mbursts)
    let ww = try #require(w["window"] as? [String: Any])
    let mw = try #require(m["window"] as? [String: Any])
    MergeCommandTests.compareOrigins(ww["origins"] as? [[String: Any]] ?? [], mw["origins"] as? [[String: Any]] ?? [], exact: [:], asn: false, "window")

    // The claims, evaluated on the merged counts, come to the same verdicts, with the lift against
    // the baseline every analyze run read: equal by packets, within the sketch's bound by sources.
    let wc = w["claims"] as? [[String: Any]] ?? []
    let mc = m["claims"] as? [[String: Any]] ?? []
    #expect(wc.count == 2 && mc.count == 2)
    for (a, b) in zip(wc, mc) {
      let claim = a["claim"] as? String ?? ""
      #expect(claim == b["claim"] as? String)
      #expect(a["verdict"] as? String == b["verdict"] as? String, "\(claim)")
      let wl = try #require(a["lift"] as? Double, "\(claim)")
      let ml = try #require(b["lift"] as? Double, "\(claim)")
      if a["metric"] as? String == "packets" {
        #expect(wl == ml, "\(claim)")
      } else {
        #expect(abs(ml - wl) / wl <= 3 * 1.04 / 64, "\(claim): lift \(ml) vs \(wl)")
      }
    }
    let wbase = try #require((w["baseline"] as? [String: Any])?["totals"] as? [String: Any])
    let mbase = try #require((m["baseline"] as? [String: Any])?["totals"] as? [String: Any])
    #expect("\(wbase["ipPackets"] ?? "")" == "\(mbase["ipPackets"] ?? "")")
  }

  @Test func unreadableInputsAndBadOptions() throws {
    try Self.requireSpark()
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try Data("not a capture\n".utf8).write(to: URL(fileURLWithPath: dir.path("notes.txt")))
    try FileManager.default.createDirectory(atPath: dir.path("u"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: Self.baseline, toPath: dir.path("u/base,1.pcap"))

    // Nothing readable: each input named on its own line, no report, status 66.
    let none = try Self.job(
      ["--format", "markdown", "--output", dir.path("r.md"), dir.path("notes.txt"), dir.path("missing.pcap"), dir.path("none-*.pcap"),
       "file://\(dir.path("gone"))", "file://\(dir.path("u"))"])
    #expect(none.status == 66, "\(none.stderr.suffix(3000))")
    #expect(!FileManager.default.fileExists(atPath: dir.path("r.md")))
    // analyze's own message for the text file, as far as it names the file and what it is not.
    let notes = "origincheck: \(dir.path("notes.txt")): not a packet capture"
    #expect(
      Self.messages(none.stderr).map { $0.hasPrefix(notes) ? notes : $0 } == [
        "origincheck-spark: \(dir.path("gone")): no such file",
        "origincheck-spark: \(dir.path("none-*.pcap")): no file matches",
        "origincheck-spark: \(dir.path("u/base,1.pcap")): a URI with one of , { } [ ] * ? \\ in its name cannot be read through Spark; rename it or give it as a path",
        "origincheck: \(dir.path("missing.pcap")): no such file",
        notes,
      ].sorted(), "\(none.stderr.suffix(3000))")

    // Bad options are one line and status 64 before Spark starts.
    let claim = try Self.job(["--claim", "ukraine-arx:primary", Self.sample])
    #expect(claim.status == 64)
    #expect(Self.messages(claim.stderr).count == 1)
    #expect(claim.stderr.contains("unknown area 'ukraine-arx'"))
    let by = try Self.job(["--by", "asn", Self.sample])
    #expect(by.status == 64)
    #expect(Self.messages(by.stderr) == ["origincheck-spark: --by asn needs --asn-db"])
    let partitions = try Self.job(["--partitions", "0", Self.sample])
    #expect(partitions.status == 64)
    #expect(Self.messages(partitions.stderr) == ["origincheck-spark: --partitions must be at least 1"])
  }

  @Test func standardInputTakesTheGivenName() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: Self.baseline))
    let named = try origincheck(["analyze", "--format", "json", "--stdin-name", "hdfs://nn/caps/base.pcap", "-"], input: data)
    #expect(named.status == 0, "\(named.stderr)")
    let inputs = try Self.json(named.stdout)["inputs"] as? [[String: Any]] ?? []
    #expect(inputs.map { $0["path"] as? String } == ["hdfs://nn/caps/base.pcap"])

    let cut = try origincheck(["analyze", "--stdin-name", "s3a://b/cut.pcap", "-"], input: data.prefix(1000))
    #expect(cut.status == 65)
    #expect(cut.stderr == "origincheck: s3a://b/cut.pcap: record 12 (byte offset 942): truncated record: header says 66 bytes, only 42 remain\n")

    // A flow log on standard input goes by the name too, in its messages and in the summary.
    let log = "time,src,packets,bytes\n1741600000,5.8.1.1,3,300\n1741600001,not-an-address,1,60\n"
    let flows = try origincheck(["analyze", "--format", "json", "--stdin-name", "gs://b/flows.csv", "-"], input: Data(log.utf8))
    #expect(flows.status == 65, "\(flows.stderr)")
    let flowInputs = try Self.json(flows.stdout)["inputs"] as? [[String: Any]] ?? []
    #expect(flowInputs.map { $0["path"] as? String } == ["gs://b/flows.csv"])
    #expect(flowInputs.map { $0["format"] as? String } == ["csv"])
    let flowLines = flows.stderr.split(separator: "\n")
    #expect(!flowLines.isEmpty && flowLines.allSatisfy { $0.hasPrefix("origincheck: gs://b/flows.csv: ") }, "\(flows.stderr)")

    let notStdin = try origincheck(["analyze", "--stdin-name", "x", Self.baseline])
    #expect(notStdin.status == 64)
  }
}
