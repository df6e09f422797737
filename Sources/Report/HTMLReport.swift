import Analysis

enum HTMLReport {
  static func render(_ doc: ReportDocument, options: RenderOptions) -> String { "" }
}
