import Foundation
import Geo

/// Custom areas from a JSON file (format in docs/areas.md):
///
/// ```json
/// { "areas": [
///   { "name": "ukraine-wide", "title": "Ukraine and neighbours", "countries": ["UA", "MD", "BY"], "include": ["eastern-europe"] },
///   { "name": "kyiv-500km", "within": { "km": 500, "latitude": 50.45, "longitude": 30.52 } }
/// ] }
/// ```
extension AreaCatalog {
  /// The largest name an areas file may define, in characters.
  public static let maximumNameLength = 32

  /// Loads the areas file at `path` on top of `base`.
  ///
  /// Each area has a `name` (lowercase letters, digits and hyphens, starting with a letter, at most 32
  /// characters), an optional `title`, and either `countries` and/or `include` (other areas by name,
  /// built-in or defined earlier in the file, whose countries are added) or `within` (a radius). A name
  /// that is already an area or a country code is refused unless the area says `"replace": true`.
  /// `comment` keys are ignored. Errors name the file, and the area by its position (from 1) and name.
  public init(loading path: String, base: AreaCatalog = .builtIn) throws(AreaError) {
    self = base
    let data = try Self.read(path)
    let root: Any
    do {
      root = try JSONSerialization.jsonObject(with: data, options: [])
    } catch {
      throw AreaError(.badFile, "\(path): not valid JSON: \(Self.describe(error, in: data))")
    }
    let shape = "expected {\"areas\": [ ... ]}"
    guard let top = root as? [String: Any] else { throw AreaError(.badFile, "\(path): \(shape)") }
    for key in top.keys.sorted() where key != "areas" && key != "comment" {
      throw AreaError(.badFile, "\(path): unknown key '\(key)' at the top level (\(shape))")
    }
    guard let list = top["areas"] as? [Any] else {
      throw AreaError(.badFile, "\(path): \(top["areas"] == nil ? "no \"areas\" list" : "\"areas\" is not a list"), \(shape)")
    }
    let source = URL(fileURLWithPath: path).lastPathComponent
    var defined: [String: Int] = [:]
    for (offset, item) in list.enumerated() {
      let index = offset + 1
      let area = try parseArea(item, index: index, path: path, source: source, defined: defined)
      defined[area.name] = index
      add(area)
    }
  }

  private static func read(_ path: String) throws(AreaError) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw AreaError(.unreadableFile, "\(path): cannot read areas file: no such file")
    }
    if isDirectory.boolValue { throw AreaError(.unreadableFile, "\(path): cannot read areas file: it is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.isReadableFile(atPath: path) ? "read failed" : "permission denied"
      throw AreaError(.unreadableFile, "\(path): cannot read areas file: \(reason)")
    }
    if data.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
      throw AreaError(.badFile, "\(path): empty file, expected {\"areas\": [ ... ]}")
    }
    return data
  }

  /// Foundation's parse error as one line, with the line and column where it says the problem is.
  private static func describe(_ error: any Error, in data: Data) -> String {
    let debug = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? error.localizedDescription
    var text = debug.split(whereSeparator: \.isNewline).joined(separator: " ")
    if text.hasSuffix(".") { text.removeLast() }
    // Foundation reports a byte offset ("around character 11"); a line and column are easier to find.
    if let range = text.range(of: "around character "), let offset = Int(text[range.upperBound...].prefix { $0.isNumber }),
      offset <= data.count
    {
      var line = 1
      var column = 1
      for byte in data.prefix(offset) {
        if byte == 0x0A {
          line += 1
          column = 1
        } else if byte & 0xC0 != 0x80 {
          column += 1
        }
      }
      text = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces) + " at line \(line), column \(column)"
    }
    return text
  }

  private static let areaKeys = ["name", "title", "countries", "include", "within", "replace", "comment"]
  private static let withinKeys = ["km", "mi", "latitude", "longitude", "comment"]

  private func parseArea(_ item: Any, index: Int, path: String, source: String, defined: [String: Int]) throws(AreaError) -> Area {
    var place = "\(path): area \(index)"
    func fail(_ message: String) -> AreaError { AreaError(.badFile, "\(place): \(message)") }

    guard let object = item as? [String: Any] else {
      throw fail("expected an object {\"name\": ..., \"countries\": [...]}")
    }
    if let name = object["name"] as? String { place += " ('\(name)')" }
    for key in object.keys.sorted() where !Self.areaKeys.contains(key) {
      throw fail("unknown key '\(key)' (expected \(Self.areaKeys.joined(separator: ", ")))")
    }

    guard let nameValue = object["name"] else { throw fail("no \"name\"") }
    guard let name = nameValue as? String else { throw fail("\"name\" must be a string") }
    guard Self.isValidName(name) else {
      throw fail(
        "bad name '\(name)': expected lowercase letters, digits and hyphens, starting with a letter, "
          + "at most \(Self.maximumNameLength) characters")
    }
    if let earlier = defined[name] { throw fail("'\(name)' is already defined by area \(earlier) of this file") }

    var replace = false
    if let value = object["replace"] {
      guard let flag = Self.bool(value) else { throw fail("\"replace\" must be true or false") }
      replace = flag
    }
    if !replace, let clash = existing(name) {
      throw fail("\(clash); add \"replace\": true to redefine it")
    }

    var title: String? = nil
    if let value = object["title"] {
      guard let text = value as? String, !trimmed(text).isEmpty, !text.contains(where: \.isNewline) else {
        throw fail("\"title\" must be a non-empty one-line string")
      }
      title = trimmed(text)
    }

    let hasSet = object["countries"] != nil || object["include"] != nil
    if let within = object["within"] {
      if hasSet { throw fail("give either \"within\" or \"countries\"/\"include\", not both") }
      return try parseWithin(within, name: name, title: title, source: source, fail: fail)
    }
    guard hasSet else { throw fail("expected \"countries\", \"include\" or \"within\"") }

    var codes = Set<String>()
    if let value = object["countries"] {
      guard let list = value as? [Any] else { throw fail("\"countries\" must be a list of country codes") }
      for entry in list {
        guard let text = entry as? String else { throw fail("\"countries\" must be a list of country codes") }
        if let country = Countries.named(trimmed(text)) {
          codes.insert(country.code)
        } else if let meaning = Countries.pseudoCodes[trimmed(text).uppercased()] {
          throw fail("unknown country code '\(text)' (it names no single country: \(meaning))")
        } else {
          throw fail("unknown country code '\(text)'")
        }
      }
    }
    if let value = object["include"] {
      guard let list = value as? [Any] else { throw fail("\"include\" must be a list of area names") }
      for entry in list {
        guard let text = entry as? String else { throw fail("\"include\" must be a list of area names") }
        let included: Area
        do {
          included = try resolve(text)
        } catch {
          throw fail("include: \(error.message)")
        }
        guard case .countries(let members) = included.kind else {
          throw fail("include: '\(text)' is a radius area; only sets of countries can be included")
        }
        codes.formUnion(members)
      }
    }
    if codes.isEmpty { throw fail("the area has no countries") }
    return Area(name: name, title: title ?? name, kind: .countries(codes), source: source)
  }

  private func parseWithin(
    _ value: Any, name: String, title: String?, source: String, fail: (String) -> AreaError
  ) throws(AreaError) -> Area {
    let shape = "expected \"within\": {\"km\": <distance>, \"latitude\": <lat>, \"longitude\": <lon>} (or \"mi\")"
    guard let object = value as? [String: Any] else { throw fail(shape) }
    for key in object.keys.sorted() where !Self.withinKeys.contains(key) {
      throw fail("within: unknown key '\(key)' (\(shape))")
    }
    func number(_ key: String) throws(AreaError) -> Double? {
      guard let value = object[key] else { return nil }
      guard let number = Self.number(value) else { throw fail("within: \"\(key)\" must be a number") }
      return number
    }
    let km = try number("km")
    let mi = try number("mi")
    guard let latitude = try number("latitude"), let longitude = try number("longitude") else { throw fail(shape) }
    let distance: Double
    let unit: String
    switch (km, mi) {
    case (let km?, nil): (distance, unit) = (km, "km")
    case (nil, let mi?): (distance, unit) = (mi, "mi")
    case (nil, nil): throw fail("within: no distance; \(shape)")
    case (_?, _?): throw fail("within: give \"km\" or \"mi\", not both")
    }
    if let problem = Self.radiusProblem(distance: distance, latitude: latitude, longitude: longitude) {
      throw fail("within: \(problem)")
    }
    let kilometres = unit == "mi" ? distance * Self.kilometresPerMile : distance
    return Area(
      name: name,
      title: title
        ?? Self.radiusTitle(distance: distance, unit: unit, km: kilometres, latitude: latitude, longitude: longitude),
      kind: .radius(km: kilometres, latitude: latitude, longitude: longitude), source: source)
  }

  static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.count <= maximumNameLength else {
      return false
    }
    return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
  }

  /// A JSON `true`/`false`; nil for numbers, which Foundation also bridges to Bool.
  private static func bool(_ value: Any) -> Bool? {
    guard let number = value as? NSNumber, isBoolean(number) else { return nil }
    return number.boolValue
  }

  /// A JSON number; nil for `true`/`false`, which Foundation also bridges to Double.
  private static func number(_ value: Any) -> Double? {
    guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
    let double = number.doubleValue
    return double.isFinite ? double : nil
  }

  /// Whether Foundation made this number from a JSON `true`/`false` (its type encoding is `c`, `char`).
  private static func isBoolean(_ number: NSNumber) -> Bool {
    String(cString: number.objCType) == "c"
  }
}
