import Analysis

/// An areas file (`--areas`): loaded on top of the built-in areas. An error is one line that names
/// the file; every area a loaded file defines resolves by its name.
enum AreasTarget {
  static func run(_ data: UnsafeRawBufferPointer) {
    ScratchFile.with(data) { load(path: $0) }
  }

  static func load(path: String) {
    let catalog: AreaCatalog
    do {
      catalog = try AreaCatalog(loading: path)
    } catch {
      FuzzCheck.oneLine(error.message, naming: path)
      return
    }
    for area in catalog.all {
      let resolved = try? catalog.resolve(area.name)
      FuzzCheck.require(resolved?.name == area.name, "area '\(area.name)' does not resolve to itself")
    }
  }
}
