import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A file that holds one fuzz input at a time, for readers that take a path.
///
/// The file is created in `/dev/shm` (memory) when it exists, else in the temporary directory, and
/// unlinked at once: it is reached through `/proc/self/fd/N` and disappears with the process, even
/// when the process crashes.
final class ScratchFile: @unchecked Sendable {
  private let descriptor: Int32
  /// A path that opens the file afresh (its own offset) on every `open`.
  let path: String

  init() {
    let directory = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    var template = Array("\(directory)/origincheck-fuzz-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { fatalError("cannot create a scratch file in \(directory): \(String(cString: strerror(errno)))") }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    descriptor = fd
    path = "/proc/self/fd/\(fd)"
  }

  deinit { close(descriptor) }

  /// Replaces the file's content with `bytes`.
  func write(_ bytes: UnsafeRawBufferPointer) {
    guard ftruncate(descriptor, 0) == 0 else { fatalError("ftruncate: \(String(cString: strerror(errno)))") }
    var done = 0
    while done < bytes.count {
      let n = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(done))
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { fatalError("pwrite: \(String(cString: strerror(errno)))") }
      done += n
    }
  }

  /// Runs `body` with the path of a scratch file holding `bytes`; the file lives until `body` returns.
  static func with<Result>(_ bytes: UnsafeRawBufferPointer, _ body: (String) throws -> Result) rethrows -> Result {
    let file = ScratchFile()
    file.write(bytes)
    return try withExtendedLifetime(file) { try body(file.path) }
  }
}
