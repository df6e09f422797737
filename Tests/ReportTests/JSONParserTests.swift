import Foundation
import Report
import TestSupport
import Testing

/// The JSON parser reads back what `JSONValue` writes, exactly, and says where bad input goes wrong.
@Suite struct JSONParserTests {
  @Test func readsEveryKindOfValueInOrder() throws {
    let text = """
      {"z": 1, "a": [true, false, null], "m": -12, "big": 18446744073709551615, "min": -9223372036854775808,
       "d": 0.25, "e": 1.5e3, "s": "x\\u00e9\\ud83d\\ude00\\n\\"\\\\/", "o": {}}
      """
    let v = try JSONParser.parse(text)
    guard case .object(let pairs) = v else {
      Issue.record("not an object")
      return
    }
    #expect(pairs.map(\.0) == ["z", "a", "m", "big", "min", "d", "e", "s", "o"])
    #expect(v["z"] == .uint(1))
    #expect(v["a"] == .array([.bool(true), .bool(false), .null]))
    #expect(v["m"] == .int(-12))
    #expect(v["big"] == .uint(UInt64.max))
    #expect(v["min"] == .int(Int64.min))
    #expect(v["d"] == .double(0.25))
    #expect(v["e"] == .double(1500))
    #expect(v["s"] == .string("xé😀\n\"\\/"))
    #expect(v["o"] == .object([]))
  }

  /// Random documents: what `serialized()` writes, `parse` reads back equal, pretty or compact.
  @Test func roundTripsRandomDocuments() throws {
    var rng = SeededGenerator(seed: 61)
    for i in 0..<300 {
      let value = Self.randomValue(&rng, depth: 0)
      for pretty in [true, false] {
        let text = value.serialized(pretty: pretty)
        let back = try JSONParser.parse(text)
        #expect(back == value, "document \(i): \(text.prefix(200))")
        #expect(back.serialized(pretty: pretty) == text)
      }
    }
  }

  /// Python's json module reads the same documents to the same values (an independent reader).
  @Test func pythonReadsWhatIsWritten() throws {
    var rng = SeededGenerator(seed: 62)
    let values = (0..<50).map { _ in Self.randomValue(&rng, depth: 0) }
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let input = dir.path("docs.jsonl")
    try values.map { $0.serialized(pretty: false) }.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
    // Python re-serializes each document with sorted keys; Swift does the same from its own parse.
    let out = try run(
      "python3",
      [
        "-c",
        "import json,sys\nfor line in open(sys.argv[1], encoding='utf-8'):\n    print(json.dumps(json.loads(line), sort_keys=True, ensure_ascii=True))",
        input,
      ])
    #expect(out.status == 0, "\(out.stderr)")
    let lines = out.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == values.count)
    for (line, value) in zip(lines, values) {
      #expect(try JSONParser.parse(line) == Self.sortedKeys(value), "\(line.prefix(200))")
    }
  }

  @Test(arguments: [
    ("", 1, 1, "no JSON value"),
    ("{\"a\": 1,}", 1, 9, "expected a string key"),
    ("{\"a\" 1}", 1, 6, "expected ':'"),
    ("[1, 2", 1, 6, "unexpected end of input inside an array"),
    ("{\n  \"a\": [1,\n    2,,\n  ]\n}", 3, 7, "expected a value"),
    ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
    ("[01]", 1, 2, "leading zero"),
    ("[1.]", 1, 2, "expected a digit after '.'"),
    ("[\"a\tb\"]", 1, 4, "control character"),
    ("[\"\\x\"]", 1, 4, "invalid escape"),
    ("[\"\\ud800\"]", 1, 9, "unpaired surrogate"),
    ("{} x", 1, 4, "after the JSON value"),
    ("[tru]", 1, 2, "expected a value"),
    ("\"abc", 1, 5, "inside a string"),
    ("[1e999]", 1, 2, "out of range"),
  ])
  func syntaxErrorsNameLineAndColumn(text: String, line: Int, column: Int, message: String) {
    do {
      _ = try JSONParser.parse(text)
      Issue.record("\(text) parsed")
    } catch {
      #expect(error.line == line && error.column == column, "\(text): \(error)")
      #expect(error.message.contains(message), "\(text): \(error)")
    }
  }

  @Test func deepNestingIsAnErrorNotACrash() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    let fine = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
    #expect((try? JSONParser.parse(fine)) != nil)
  }

  @Test func everyPrefixOfADocumentIsAnError() throws {
    let text = JSONValue.object([
      ("a", .array([.uint(1), .double(2.5), .string("x\"y")])), ("b", .object([("c", .null), ("d", .bool(true))])),
      ("e", .int(-3)),
    ]).serialized()
    let bytes = Array(text.utf8)
    for cut in 0..<bytes.count {
      do {
        _ = try JSONParser.parse(Array(bytes[..<cut]))
        Issue.record("prefix of \(cut) bytes parsed")
      } catch {
        #expect(error.line >= 1 && error.column >= 1)
      }
    }
  }

  // MARK: - Helpers

  static func randomString(_ rng: inout SeededGenerator) -> String {
    let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "é", "Ж", "😀", "€", "\u{7F}"]
    return String((0..<Int.random(in: 0...12, using: &rng)).map { _ in pool.randomElement(using: &rng)! })
  }

  static func randomValue(_ rng: inout SeededGenerator, depth: Int) -> JSONValue {
    switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .uint(rng.next() >> UInt64.random(in: 0...63, using: &rng))
    case 3: return .int(-Int64(truncatingIfNeeded: rng.next() >> UInt64.random(in: 1...63, using: &rng)) - 1)
    case 4:
      // Whole doubles are written as integers and read back as such: only fractions here.
      var d = Double(bitPattern: rng.next())
      while !d.isFinite || d == d.rounded() { d = Double(bitPattern: rng.next()) }
      return .double(d)
    case 5: return .string(randomString(&rng))
    case 6: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
    default:
      var keys = Set<String>()
      var pairs: [(String, JSONValue)] = []
      for _ in 0..<Int.random(in: 0...4, using: &rng) {
        let k = randomString(&rng)
        if keys.insert(k).inserted { pairs.append((k, randomValue(&rng, depth: depth + 1))) }
      }
      return .object(pairs)
    }
  }

  /// The value with every object's keys in Python's sort order (by code point).
  static func sortedKeys(_ v: JSONValue) -> JSONValue {
    switch v {
    case .array(let items): return .array(items.map(sortedKeys))
    case .object(let pairs):
      return .object(pairs.sorted { Array($0.0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.0.unicodeScalars.map(\.value)) }.map { ($0.0, sortedKeys($0.1)) })
    default: return v
    }
  }
}
