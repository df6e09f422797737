import Analysis

enum MarkdownReport {
  static func render(_ doc: ReportDocument, options: RenderOptions) -> String { "" }
}
