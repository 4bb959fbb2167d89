import AuditModel
import Foundation
import Warehouse

/// How the file's header lines up with the declared columns.
struct HeaderMapping {
    let header: [String]
    /// For each declared column, its field index in the file, or nil when absent.
    let fieldIndex: [Int?]
    /// Field indices of undeclared columns, with their names.
    let extras: [(index: Int, name: String)]
    /// Problems with the header itself (duplicate or blank names).
    let problems: [String]

    init(header rawHeader: [String], declared: [DeclaredColumn]) {
        var header = rawHeader
        var problems: [String] = []
        var firstIndex: [String: Int] = [:]
        for (i, h) in rawHeader.enumerated() {
            let name = h.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                header[i] = "column_\(i + 1)"
                problems.append("header field \(i + 1) is blank; its values are kept as '\(header[i])'")
            } else {
                header[i] = name
            }
            if let first = firstIndex[header[i]] {
                problems.append("header name '\(header[i])' appears twice (fields \(first + 1) and \(i + 1)); the first is used")
            } else {
                firstIndex[header[i]] = i
            }
        }
        self.header = header
        self.problems = problems
        fieldIndex = declared.map { firstIndex[$0.name] }
        let declaredNames = Set(declared.map(\.name))
        var extras: [(Int, String)] = []
        for (i, h) in header.enumerated() where !declaredNames.contains(h) || firstIndex[h] != i {
            extras.append((i, firstIndex[h] != i ? "\(h)#\(i + 1)" : h))
        }
        self.extras = extras
    }
}

/// Counts from loading one file.
struct LoadCounts {
    var read = 0
    var stored = 0
    var quarantined = 0
    /// Values that did not parse and were stored as null (on_type_error: set_null), per column.
    var typeErrors: [String: Int] = [:]
    /// NaN and infinite values in numeric columns (SQLite keeps them; counted for the report).
    var nonFinite: [String: Int] = [:]
}

/// Loads a CSV snapshot into the row table: types each declared column, quarantines what does
/// not fit, keeps undeclared columns as JSON in `mlaudit_extra`.
struct SnapshotLoader {
    let path: String
    let delimiter: UInt8
    let declared: [DeclaredColumn]
    let parser: ValueParser
    let inserter: RowInserter
    let snapshotId: Int64
    let quarantine: (QuarantinedRow) throws -> Void

    /// Reads the file; returns the header (nil when the file has no records) and the counts.
    func load() throws -> (mapping: HeaderMapping?, counts: LoadCounts) {
        let reader = try CSVReader(path: path, delimiter: delimiter)
        var mapping: HeaderMapping?
        var counts = LoadCounts()
        var scratch: [UInt8] = []
        var extraScratch: [UInt8] = []
        let faultArmed = FaultInjection.isArmed
        try reader.forEach(
            record: { rec in
                guard let m = mapping else {
                    mapping = HeaderMapping(header: (0..<rec.fields.count).map { rec.fieldString($0) }, declared: declared)
                    return
                }
                counts.read += 1
                if rec.fields.count != m.header.count {
                    counts.quarantined += 1
                    try quarantine(QuarantinedRow(
                        file: path, line: rec.line, raw: rec.rawText(),
                        reason: "expected \(m.header.count) fields, found \(rec.fields.count)"))
                    return
                }
                if let problem = try bindRow(rec, m, &scratch, &counts) {
                    counts.quarantined += 1
                    try quarantine(QuarantinedRow(
                        file: path, line: rec.line, raw: rec.rawText(), reason: problem.reason, column: problem.column))
                    return
                }
                var extra: String?
                if !m.extras.isEmpty { extra = extrasJSON(rec, m, &extraScratch) }
                try inserter.insert(snapshotId: snapshotId, line: rec.line, extra: extra)
                counts.stored += 1
                if faultArmed { FaultInjection.point("ingest-row") }
            },
            malformed: { line, raw, reason in
                if mapping == nil {
                    // A malformed header: there is no table to load.
                    throw MLAuditError(
                        .unreadableInput, "the header line is malformed: \(reason)", file: path, line: line,
                        hint: "Fix the first line of the file: it must list the column names.")
                }
                counts.read += 1
                counts.quarantined += 1
                try quarantine(QuarantinedRow(file: path, line: line, raw: raw, reason: reason))
            })
        return (mapping, counts)
    }

    /// Binds every declared column of a record; returns the reason when the row must be quarantined.
    private func bindRow(_ rec: RecordView, _ m: HeaderMapping, _ scratch: inout [UInt8], _ counts: inout LoadCounts)
        throws -> (reason: String, column: String)?
    {
        for (j, col) in declared.enumerated() {
            guard let fi = m.fieldIndex[j] else {
                inserter.bindNull(j)
                continue
            }
            let failure: String? = rec.withField(fi, scratch: &scratch) { bytes -> String? in
                switch col.type {
                case .numeric:
                    if parser.isNull(bytes, forFloat: true) {
                        inserter.bindNull(j)
                        return nil
                    }
                    guard let v = parseDouble(bytes) else { return "is not a number" }
                    if !v.isFinite { counts.nonFinite[col.name, default: 0] += 1 }
                    inserter.bind(j, double: v)
                    return nil
                case .integer:
                    if parser.isNull(bytes, forFloat: false) {
                        inserter.bindNull(j)
                        return nil
                    }
                    guard let v = parseInteger(bytes) else { return "is not a whole number" }
                    inserter.bind(j, int: v)
                    return nil
                case .boolean:
                    if parser.isNull(bytes, forFloat: false) {
                        inserter.bindNull(j)
                        return nil
                    }
                    guard let v = parseBoolean(bytes) else { return "is not a boolean (true/false, 1/0, yes/no)" }
                    inserter.bind(j, int: v ? 1 : 0)
                    return nil
                case .datetime:
                    if parser.isNull(bytes, forFloat: false) {
                        inserter.bindNull(j)
                        return nil
                    }
                    guard let ms = parseTimestamp(bytes) else {
                        return "is not a timestamp (ISO 8601 or epoch seconds/milliseconds)"
                    }
                    inserter.bind(j, text: Timestamp.format(epochMilliseconds: ms))
                    return nil
                case .categorical, .text:
                    if parser.isNull(bytes, forFloat: false) {
                        inserter.bindNull(j)
                        return nil
                    }
                    guard isValidUTF8(bytes) else { return "is not valid UTF-8" }
                    inserter.bind(j, text: bytes)
                    return nil
                }
            }
            if let failure {
                let shown = rec.withField(fi, scratch: &scratch) { String(decoding: $0.prefix(80), as: UTF8.self) }
                if col.onTypeError == .setNull {
                    inserter.bindNull(j)
                    counts.typeErrors[col.name, default: 0] += 1
                } else {
                    return ("column '\(col.name)': '\(shown)' \(failure)", col.name)
                }
            }
        }
        return nil
    }

    private func extrasJSON(_ rec: RecordView, _ m: HeaderMapping, _ scratch: inout [UInt8]) -> String {
        var out = "{"
        for (k, e) in m.extras.enumerated() {
            if k > 0 { out += "," }
            out += jsonString(e.name) + ":"
            out += rec.withField(e.index, scratch: &scratch) { b in
                parser.isNull(b, forFloat: false) ? "null" : jsonString(String(decoding: b, as: UTF8.self))
            }
        }
        return out + "}"
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let h = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
