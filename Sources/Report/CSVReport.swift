import Analysis

enum CSVReport {
  static func render(_ doc: ReportDocument, options: RenderOptions) -> String { "" }
}
