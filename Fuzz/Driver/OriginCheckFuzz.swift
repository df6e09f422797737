// origincheck-fuzz: the fuzz targets behind one executable.
//
// Built by Tools/fuzz with AddressSanitizer, libFuzzer's coverage instrumentation and -DFUZZING, and
// linked with libFuzzer, it is a fuzzer: ORIGINCHECK_FUZZ_TARGET names the target, and libFuzzer's
// flags apply.
// Built normally, it replays inputs through a target. Both builds take these commands:
//
//   origincheck-fuzz list                         the targets, one per line: name, max length, summary
//   origincheck-fuzz seeds DIR [CAPTURE...]       writes DIR/TARGET/* seed corpora
//   origincheck-fuzz run TARGET FILE|DIR...       runs each input through the target (normal build)

import Foundation
import FuzzTargets

#if canImport(Glibc)
  import Glibc
#endif

/// Handles the commands above; nil when the arguments are none of them (libFuzzer's own then).
func command(_ arguments: [String]) -> Int32? {
  guard arguments.count >= 2 else { return nil }
  switch arguments[1] {
  case "list":
    for target in FuzzTarget.allCases {
      print("\(target.rawValue)\t\(target.maximumLength)\t\(target.summary)")
    }
    return 0
  case "seeds":
    guard arguments.count >= 3 else { return usage() }
    do {
      let counts = try FuzzSeeds.write(to: arguments[2], captures: Array(arguments.dropFirst(3)))
      for target in FuzzTarget.allCases { print("\(target.rawValue): \(counts[target] ?? 0) seeds") }
      return 0
    } catch {
      printError("origincheck-fuzz: seeds: \(error)")
      return 73
    }
  case "run":
    guard arguments.count >= 4, let target = FuzzTarget(rawValue: arguments[2]) else { return usage() }
    var count = 0
    for path in arguments.dropFirst(3) {
      for file in inputs(path) {
        guard let data = FileManager.default.contents(atPath: file) else {
          printError("origincheck-fuzz: \(file): cannot read")
          return 66
        }
        [UInt8](data).withUnsafeBytes { target.run($0) }
        count += 1
      }
    }
    print("\(target.rawValue): \(count) inputs ran")
    return 0
  default:
    return nil
  }
}

/// A file, or the files in a directory (not recursive), sorted.
func inputs(_ path: String) -> [String] {
  var isDirectory: ObjCBool = false
  guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
    return [path]
  }
  let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
  return names.sorted().map { path + "/" + $0 }
}

func usage() -> Int32 {
  printError("usage: origincheck-fuzz list | seeds DIR [CAPTURE...] | run TARGET FILE|DIR...")
  return 64
}

func printError(_ line: String) {
  FileHandle.standardError.write(Data((line + "\n").utf8))
}

#if FUZZING
  /// libFuzzer's driver (`-fsanitize=fuzzer` without its `main`): parses libFuzzer's flags from the
  /// command line and runs `callback` on every input it makes.
  @_extern(c, "LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  /// The target ORIGINCHECK_FUZZ_TARGET names.
  let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["ORIGINCHECK_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
      printError("origincheck-fuzz: set ORIGINCHECK_FUZZ_TARGET to one of: \(names)")
      exit(64)
    }
    return target
  }()

  @main
  struct OriginCheckFuzz {
    static func main() {
      if let status = command(CommandLine.arguments) { exit(status) }
      _ = selectedTarget
      var argc = CommandLine.argc
      var argv = CommandLine.unsafeArgv
      exit(
        runFuzzerDriver(&argc, &argv) { data, size in
          selectedTarget.run(UnsafeRawBufferPointer(start: data, count: size))
          return 0
        })
    }
  }
#else
  @main
  struct OriginCheckFuzz {
    static func main() {
      exit(command(CommandLine.arguments) ?? usage())
    }
  }
#endif
