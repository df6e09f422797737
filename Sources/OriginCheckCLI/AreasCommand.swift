import Analysis
import ArgumentParser
import Geo
import Report

/// `--areas FILE`, shared by every command that names areas.
struct AreaOptions: ParsableArguments {
  @Option(
    name: .customLong("areas"),
    help: ArgumentHelp("Custom areas file (JSON, see docs/areas.md), added to the built-in areas.", valueName: "path"))
  var path: String?

  /// The built-in areas, plus the file's when `--areas` is given.
  func catalog() throws -> AreaCatalog {
    guard let path else { return .builtIn }
    do {
      return try AreaCatalog(loading: path)
    } catch {
      throw CLIError(error.message, status: error.kind == .unreadableFile ? .noInput : .usage)
    }
  }
}

/// `origincheck areas [NAME]`: the areas a claim can name, or one area's countries.
struct AreasCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "areas",
    abstract: "List the areas a claim can name, or show one area's countries.",
    discussion: """
      Built in: ukraine-area (Ukraine itself), eu (EU-27), world, the UN M49 regions and sub-regions \
      by name (eastern-europe, ...), and every country by its ISO 3166 code. Radius areas are written \
      within:<distance>km:<lat>,<lon> (or mi) and need a database with coordinates (a city database).

      Custom areas come from a JSON file given with --areas; see docs/areas.md.
      """)

  @OptionGroup var areaOptions: AreaOptions

  @Flag(name: .long, help: "Print JSON instead of a table.")
  var json = false

  @Argument(help: ArgumentHelp("An area name, country code or within:<distance>km:<lat>,<lon>.", valueName: "name"))
  var name: String?

  /// The table's width limit, in characters.
  static let width = 80

  func run() throws {
    let catalog = try areaOptions.catalog()
    if let name {
      let area: Area
      do {
        area = try catalog.resolve(name)
      } catch {
        throw CLIError(error.message, status: .usage)
      }
      try emit(json ? Self.detailJSON(area).serialized() : Self.detailText(area), to: nil)
    } else {
      try emit(json ? Self.listJSON(catalog.all).serialized() : Self.listText(catalog.all), to: nil)
    }
  }

  // MARK: - Listing

  static func countText(_ area: Area) -> String {
    area.isRadius ? "-" : String(area.countryCodes.count)
  }

  /// Source and title as the table shows them: a UN M49 grouping's code moves to the source column
  /// ("UN M49 151", "Eastern Europe") so that titles fit.
  static func listCells(_ area: Area) -> (source: String, title: String) {
    if area.source == "UN M49", let region = M49.region(slug: area.name) {
      return ("UN M49 \(region.code)", region.name)
    }
    return (truncated(area.source, to: 16), area.title)
  }

  static func listText(_ areas: [Area]) -> String {
    let header = ["NAME", "COUNTRIES", "SOURCE", "TITLE"]
    let cells = areas.map(listCells)
    let nameWidth = max(header[0].count, areas.map(\.name.count).max() ?? 0)
    let countWidth = max(header[1].count, areas.map { countText($0).count }.max() ?? 0)
    let sourceWidth = max(header[2].count, cells.map(\.source.count).max() ?? 0)
    let titleWidth = max(16, width - nameWidth - countWidth - sourceWidth - 6)
    var rows = [header]
    for (area, cell) in zip(areas, cells) {
      let lines = wrap(cell.title, width: titleWidth)
      rows.append([area.name, countText(area), cell.source, lines.first ?? ""])
      for line in lines.dropFirst() { rows.append(["", "", "", line]) }
    }
    var out = TextTable.render(rows, rightAligned: [1])
    let radius = areas.filter(\.isRadius).count
    out += "\(areas.count) areas" + (radius > 0 ? " (\(radius) radius)" : "") + "; "
    out += "show one with `origincheck areas NAME`.\n"
    out += "Radius areas: within:<distance>km:<lat>,<lon> (needs a city database).\n"
    return out
  }

  static func listJSON(_ areas: [Area]) -> JSONValue {
    .object([
      (
        "areas",
        .array(
          areas.map { area in
            var fields: [(String, JSONValue)] = [
              ("name", .string(area.name)), ("title", .string(area.title)), ("kind", .string(kindName(area))),
              ("source", .string(area.source)),
            ]
            if case .radius = area.kind {
              fields.append(("radius", radiusJSON(area)))
            } else {
              fields.append(("countryCount", .int(Int64(area.countryCodes.count))))
            }
            return .object(fields)
          })
      )
    ])
  }

  // MARK: - One area

  static func detailText(_ area: Area) -> String {
    var out = "\(area.name): \(area.title)\nsource: \(area.source)\n"
    if let note = area.note {
      out += wrap("note: " + note, width: width - 2).enumerated().map { ($0.offset == 0 ? "" : "  ") + $0.element }
        .joined(separator: "\n") + "\n"
    }
    switch area.kind {
    case .radius(let km, let latitude, let longitude):
      out += "kind: radius, \(AreaText.number(km)) km around \(AreaText.number(latitude)), \(AreaText.number(longitude))\n"
      out += "matches addresses whose database record has coordinates within the radius (great-circle distance);\n"
      out += "a country-only database has no coordinates, so the area cannot be decided with it.\n"
    case .countries:
      let codes = area.countryCodes
      out += "countries: \(codes.count)\n\n"
      var rows = [["CODE", "COUNTRY"]]
      for code in codes { rows.append([code, Countries.named(code)?.name ?? code]) }
      out += TextTable.render(rows, rightAligned: [])
    }
    return out
  }

  static func detailJSON(_ area: Area) -> JSONValue {
    var fields: [(String, JSONValue)] = [
      ("name", .string(area.name)), ("title", .string(area.title)), ("kind", .string(kindName(area))),
      ("source", .string(area.source)), ("note", .optional(area.note)),
    ]
    if case .radius = area.kind {
      fields.append(("radius", radiusJSON(area)))
    } else {
      let codes = area.countryCodes
      fields.append(("countryCount", .int(Int64(codes.count))))
      fields.append(
        (
          "countries",
          .array(
            codes.map { code in
              .object([("code", .string(code)), ("name", .string(Countries.named(code)?.name ?? code))])
            })
        ))
    }
    return .object(fields)
  }

  static func kindName(_ area: Area) -> String { area.isRadius ? "radius" : "countries" }

  static func radiusJSON(_ area: Area) -> JSONValue {
    guard case .radius(let km, let latitude, let longitude) = area.kind else { return .null }
    return .object([("km", .double(km)), ("latitude", .double(latitude)), ("longitude", .double(longitude))])
  }

  /// The text broken at spaces into lines of at most `width` characters (a longer word is cut).
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      var word = Substring(word)
      if !line.isEmpty && line.count + 1 + word.count > width {
        lines.append(line)
        line = ""
      }
      while word.count > width {
        lines.append(String(word.prefix(width)))
        word = word.dropFirst(width)
      }
      line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    return lines
  }

  /// The text cut to `limit` characters, ending in an ellipsis when cut.
  static func truncated(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(max(0, limit - 1))) + "…"
  }
}

/// Numbers in area descriptions: integers without a fraction, others to two decimals at most.
enum AreaText {
  static func number(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
    return "\(rounded)"
  }
}
