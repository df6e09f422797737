import NetCore

// NetFlow v9 (RFC 3954 section 5) and IPFIX (RFC 7011 section 3), in wire order.
// v9 header, 20 bytes:    0 version (9)   2 count   4 sysUptime (ms)   8 unix secs
//                        12 sequence     16 source ID
// IPFIX header, 16 bytes: 0 version (10)  2 length (bytes, header included)   4 export time (s)
//                         8 sequence     12 observation domain ID
// Then FlowSets (v9) / Sets (IPFIX): set ID (2), length (2, header included), contents, padding.
//   v9:    0 templates, 1 options templates, 2-255 reserved, 256+ data (the template ID)
//   IPFIX: 2 templates, 3 options templates, 0, 1 and 4-255 reserved, 256+ data
// Template record:  template ID (2), field count (2), fields
//   v9 options:     template ID (2), scope length (2, bytes), option length (2, bytes), scope
//                   fields, option fields
//   IPFIX options:  template ID (2), field count (2), scope field count (2), fields (scope first)
// Field specifier:  type (2), length (2); IPFIX: type with the top (E) bit set is followed by a
//                   4-byte enterprise number. IPFIX length 65535: variable length, each record
//                   carries a 1-byte length, or 255 and a 2-byte length (RFC 7011 section 7).
// IPFIX withdrawal: a template record with field count 0; template ID 2 (3) in a template
//                   (options template) set withdraws all templates (options templates).

/// What every record of one datagram shares.
struct ExportContext {
  var ipfix: Bool
  /// The header's export time, in nanoseconds since 1970.
  var exportTime: Int64
  /// v9: the exporter's uptime at export (ms); record times are relative to it.
  var sysUptime: UInt32?
}

extension ExportDecoder {
  static let v9HeaderLength = 20
  static let ipfixHeaderLength = 16

  func decodeV9<Sink: ExportSink>(_ bytes: UnsafeRawBufferPointer, exporter: IPAddress, into sink: inout Sink)
    -> DatagramResult
  {
    var result = DatagramResult(version: 9, records: 0)
    guard bytes.count >= Self.v9HeaderLength else {
      fail(&result, .datagramTooShort, 0, "NetFlow v9 header needs 20 bytes, the datagram has \(bytes.count)", &sink)
      return result
    }
    let context = ExportContext(
      ipfix: false, exportTime: Int64(bytes.u32(8)) * 1_000_000_000, sysUptime: bytes.u32(4))
    let key = DomainKey(exporter: exporter, version: 9, domain: bytes.u32(16))
    walkSets(bytes, from: Self.v9HeaderLength, to: bytes.count, key: key, context: context, result: &result, sink: &sink)
    return result
  }

  func decodeIPFIX<Sink: ExportSink>(_ bytes: UnsafeRawBufferPointer, exporter: IPAddress, into sink: inout Sink)
    -> DatagramResult
  {
    var result = DatagramResult(version: 10, records: 0)
    guard bytes.count >= Self.ipfixHeaderLength else {
      fail(&result, .datagramTooShort, 0, "IPFIX header needs 16 bytes, the datagram has \(bytes.count)", &sink)
      return result
    }
    let length = Int(bytes.u16(2))
    let context = ExportContext(ipfix: true, exportTime: Int64(bytes.u32(4)) * 1_000_000_000, sysUptime: nil)
    let key = DomainKey(exporter: exporter, version: 10, domain: bytes.u32(12))
    guard length >= Self.ipfixHeaderLength else {
      fail(&result, .badDatagramLength, 2, "IPFIX header says the message has \(length) bytes, less than its header", &sink)
      return result
    }
    walkSets(bytes, from: Self.ipfixHeaderLength, to: min(length, bytes.count), key: key, context: context, result: &result, sink: &sink)
    if length != bytes.count {
      fail(&result, .badDatagramLength, min(length, bytes.count), "IPFIX header says the message has \(length) bytes, the datagram has \(bytes.count)", &sink)
    }
    return result
  }

  /// Walks the sets between `start` and `end` by their length fields.
  func walkSets<Sink: ExportSink>(
    _ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int, key: DomainKey, context: ExportContext,
    result: inout DatagramResult, sink: inout Sink
  ) {
    let domain = self.domain(key)
    let name = context.ipfix ? "Set" : "FlowSet"
    var cursor = start
    while cursor < end {
      guard end - cursor >= 4 else {
        if !Self.allZero(bytes, cursor, end) {
          fail(&result, .badSetLength, cursor, "\(end - cursor) bytes after the last \(name), fewer than a \(name) header", &sink)
        }
        return
      }
      let setID = bytes.u16(cursor)
      let length = Int(bytes.u16(cursor + 2))
      guard length >= 4 else {
        fail(&result, .badSetLength, cursor, "\(name) \(setID) has length \(length), less than its 4-byte header", &sink)
        return
      }
      guard length <= end - cursor else {
        fail(&result, .badSetLength, cursor, "\(name) \(setID) has length \(length), past the end of the datagram (\(end - cursor) bytes left)", &sink)
        return
      }
      let body = (cursor + 4)..<(cursor + length)
      switch (context.ipfix, setID) {
      case (false, 0), (true, 2):
        readTemplates(bytes, body, setID: setID, options: false, ipfix: context.ipfix, domain: domain, result: &result, sink: &sink)
      case (false, 1), (true, 3):
        readTemplates(bytes, body, setID: setID, options: true, ipfix: context.ipfix, domain: domain, result: &result, sink: &sink)
      case (_, 256...):
        if let domain, let template = domain.templates[setID] {
          readData(bytes, body, template: template, domain: domain, context: context, result: &result, sink: &sink)
        } else {
          sink.skip(.noTemplate, count: 1)
        }
      default:
        sink.skip(.reservedSet, count: 1)
      }
      cursor += length
    }
  }

  static func allZero(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Bool {
    var i = from
    while i < to {
      if bytes[i] != 0 { return false }
      i += 1
    }
    return true
  }

  /// Reads the template records of a template or options template set into the domain.
  func readTemplates<Sink: ExportSink>(
    _ bytes: UnsafeRawBufferPointer, _ body: Range<Int>, setID: UInt16, options: Bool, ipfix: Bool,
    domain: ExporterDomain?, result: inout DatagramResult, sink: inout Sink
  ) {
    let end = body.upperBound
    let kind = options ? "options template" : "template"
    var cursor = body.lowerBound
    while end - cursor >= 4 {
      let id = bytes.u16(cursor)
      let count = Int(bytes.u16(cursor + 2))
      if ipfix && count == 0 {
        // Withdrawal of one template, or of all of this set's kind.
        if id == setID {
          domain?.templates = domain?.templates.filter { $0.value.isOptions != options } ?? [:]
        } else if id >= 256 {
          domain?.templates[id] = nil
        } else if !Self.allZero(bytes, cursor, end) {
          fail(&result, .badTemplate, cursor, "\(kind) ID \(id) is reserved (below 256)", &sink)
          return
        }
        cursor += 4
        continue
      }
      guard id >= 256 else {
        if !Self.allZero(bytes, cursor, end) {
          fail(&result, .badTemplate, cursor, "\(kind) ID \(id) is reserved (below 256)", &sink)
        }
        return
      }
      // Field counts, and where the field specifiers begin.
      var total = count
      var scope = 0
      var fieldsAt = cursor + 4
      if options {
        guard end - cursor >= 6 else {
          fail(&result, .badTemplate, cursor, "\(kind) \(id) is cut off by the end of its set", &sink)
          return
        }
        let third = Int(bytes.u16(cursor + 4))
        fieldsAt = cursor + 6
        if ipfix {
          scope = third
          guard scope >= 1 && scope <= total else {
            fail(&result, .badTemplate, cursor, "\(kind) \(id) has \(scope) scope fields of \(total)", &sink)
            return
          }
        } else {
          // v9 counts scope and option fields in bytes.
          guard count % 4 == 0 && third % 4 == 0 else {
            fail(&result, .badTemplate, cursor, "\(kind) \(id) has scope length \(count) and option length \(third), not multiples of 4", &sink)
            return
          }
          scope = count / 4
          total = scope + third / 4
        }
      }
      guard total > 0 else {
        fail(&result, .badTemplate, cursor, "\(kind) \(id) has no fields", &sink)
        return
      }
      let keep = total <= limits.fieldsPerTemplate
      var fields: [TemplateField] = []
      if keep { fields.reserveCapacity(total) }
      var at = fieldsAt
      for i in 0..<total {
        guard end - at >= 4 else {
          fail(&result, .badTemplate, cursor, "\(kind) \(id): field \(i + 1) of \(total) runs past the end of its set", &sink)
          return
        }
        var type = bytes.u16(at)
        let length = Int(bytes.u16(at + 2))
        at += 4
        var enterprise = false
        if ipfix && type & 0x8000 != 0 {
          guard end - at >= 4 else {
            fail(&result, .badTemplate, cursor, "\(kind) \(id): field \(i + 1) of \(total) runs past the end of its set", &sink)
            return
          }
          enterprise = true
          type &= 0x7FFF
          at += 4
        }
        guard keep else { continue }
        if ipfix && length == 65535 {
          fields.append(TemplateField(length: TemplateField.variableLength, target: .none))
        } else {
          // v9 scope field types are a namespace of their own (system, interface, ...).
          let skipped = enterprise || (!ipfix && options && i < scope)
          fields.append(TemplateField(length: length, target: skipped ? .none : FieldTarget.of(type, length: length)))
        }
      }
      cursor = at
      guard keep else {
        sink.skip(.templateTooManyFields, count: 1)
        continue
      }
      let template = Template(id: id, isOptions: options, fields: fields)
      guard template.minimumLength > 0 else {
        fail(&result, .badTemplate, fieldsAt - 4, "\(kind) \(id) describes records of 0 bytes", &sink)
        continue
      }
      guard let domain, domain.templates[id] != nil || domain.templates.count < limits.templatesPerDomain else {
        sink.skip(.templateLimit, count: 1)
        continue
      }
      domain.templates[id] = template
    }
    // Fewer than 4 bytes left: padding.
  }

  /// Reads the records of a data set described by `template`.
  func readData<Sink: ExportSink>(
    _ bytes: UnsafeRawBufferPointer, _ body: Range<Int>, template: Template, domain: ExporterDomain,
    context: ExportContext, result: inout DatagramResult, sink: inout Sink
  ) {
    let end = body.upperBound
    var cursor = body.lowerBound
    var optionsRecords: UInt64 = 0
    var records = 0
    defer {
      if optionsRecords > 0 { sink.skip(.optionsRecord, count: optionsRecords) }
      result.records += records
    }
    while end - cursor >= template.minimumLength {
      var v = RecordValues()
      if let fixed = template.fixedLength {
        for read in template.reads { v.read(read.target, bytes, cursor &+ read.offset, read.length) }
        cursor &+= fixed
      } else {
        var at = cursor
        for field in template.fields {
          var length = field.length
          if length == TemplateField.variableLength {
            guard at < end else { return badRecord(template, cursor, &result, &sink) }
            length = Int(bytes[at])
            at += 1
            if length == 255 {
              guard end - at >= 2 else { return badRecord(template, cursor, &result, &sink) }
              length = Int(bytes.u16(at))
              at += 2
            }
          }
          guard end - at >= length else { return badRecord(template, cursor, &result, &sink) }
          if field.target != .none { v.read(field.target, bytes, at, length) }
          at += length
        }
        cursor = at
      }
      if template.isOptions {
        noteOptions(v, in: domain)
        optionsRecords += 1
      } else {
        emit(v, start: startTime(v, context: context, domain: domain), domain: domain, into: &sink, records: &records)
      }
    }
    // Fewer bytes than the shortest record: padding.
  }

  private func badRecord<Sink: ExportSink>(
    _ template: Template, _ at: Int, _ result: inout DatagramResult, _ sink: inout Sink
  ) {
    fail(&result, .badRecord, at, "a record of template \(template.id) runs past the end of its set", &sink)
  }

  /// When the flow began: the first start time the record has, in the order absolute
  /// milliseconds, NTP micro/nanoseconds, seconds, uptime (v9: against the header's uptime; IPFIX:
  /// against systemInitTimeMilliseconds), delta before export; else the export time.
  func startTime(_ v: RecordValues, context: ExportContext, domain: ExporterDomain) -> Timestamp {
    if let ms = v.startMilliseconds { return Timestamp(nanoseconds: Self.milliseconds(ms)) }
    if let ns = v.startNTP { return Timestamp(nanoseconds: ns) }
    if let s = v.startSeconds { return Timestamp(seconds: Int64(s)) }
    if let up = v.startSysUpTime {
      if let sysUptime = context.sysUptime {
        return Self.uptimeTime(exportTime: context.exportTime, sysUptime: sysUptime, at: up)
      }
      if let initTime = v.systemInitTime ?? domain.systemInitTime {
        return Timestamp(nanoseconds: Self.milliseconds(initTime &+ UInt64(up)))
      }
    }
    if let delta = v.startDeltaMicroseconds { return Timestamp(nanoseconds: context.exportTime - Int64(delta) * 1000) }
    return Timestamp(nanoseconds: context.exportTime)
  }

  /// Milliseconds since 1970 as nanoseconds, saturating.
  static func milliseconds(_ ms: UInt64) -> Int64 {
    let (ns, overflow) = Int64(clamping: ms).multipliedReportingOverflow(by: 1_000_000)
    return overflow ? .max : ns
  }
}
