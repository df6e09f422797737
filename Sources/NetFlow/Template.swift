/// One field of a template: its length in a record (`variableLength` for IPFIX variable-length
/// fields) and what it is read into.
struct TemplateField {
  static let variableLength = -1
  var length: Int
  var target: FieldTarget
}

/// A (data or options) template as the exporter defined it, compiled for reading records in place.
struct Template {
  let id: UInt16
  /// An options template: its records describe the exporter, not traffic.
  let isOptions: Bool
  let fields: [TemplateField]
  /// The record length when no field has variable length.
  let fixedLength: Int?
  /// The shortest record: fixed fields, plus one length byte per variable-length field. Fewer
  /// bytes than this at the end of a set are padding.
  let minimumLength: Int
  /// For fixed-length templates: the fields that are read, at their offsets in the record.
  let reads: [(offset: Int, length: Int, target: FieldTarget)]

  init(id: UInt16, isOptions: Bool, fields: [TemplateField]) {
    self.id = id
    self.isOptions = isOptions
    self.fields = fields
    var minimum = 0
    var variable = false
    var reads: [(offset: Int, length: Int, target: FieldTarget)] = []
    for field in fields {
      if field.length == TemplateField.variableLength {
        variable = true
        minimum += 1
      } else {
        if field.target != .none { reads.append((minimum, field.length, field.target)) }
        minimum += field.length
      }
    }
    minimumLength = minimum
    fixedLength = variable ? nil : minimum
    self.reads = variable ? [] : reads
  }
}

/// What the decoder keeps per exporter and observation domain (NetFlow v9 source ID): templates,
/// the system start time and the sampling intervals announced in options records.
final class ExporterDomain {
  var templates: [UInt16: Template] = [:]
  /// systemInitTimeMilliseconds from an options record (IPFIX).
  var systemInitTime: UInt64? = nil
  /// The sampling interval announced for the whole domain, if any.
  var samplingInterval: UInt64? = nil
  /// Sampling intervals announced per sampler (samplerId / selectorId).
  var samplers: [UInt64: UInt64] = [:]
}
