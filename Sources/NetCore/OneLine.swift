extension StringProtocol {
  /// The text with every line break (LF, CR, CR-LF, VT, FF, NEL, LS, PS) replaced by a space: error
  /// messages quote what they read, and stay one line whatever that was.
  public var oneLine: String {
    String(map { $0.isNewline ? " " : $0 })
  }
}
