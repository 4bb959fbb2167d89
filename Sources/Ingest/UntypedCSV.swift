import AuditModel
import Foundation

/// Reads a CSV file without a pipeline definition, with the same reader and value parsers as
/// ingest (RFC 4180 records, byte-order mark, null tokens): for `mlaudit init`, which drafts a
/// definition from a file. Package access: other MLAudit targets use it, users do not.
package enum UntypedCSV {
    /// Calls `header` with the column names, then `row` with each record's fields (nil for a
    /// null token) and `malformed` for each record that cannot be split into fields.
    ///
    /// - Throws: `MLAuditError` when the file cannot be read or its header line is malformed.
    package static func read(
        path: String, delimiter: UInt8 = UInt8(ascii: ","), nullValues: [String]? = nil,
        header: ([String]) throws -> Void, row: ([String?]) throws -> Void,
        malformed: (_ line: Int, _ reason: String) throws -> Void = { _, _ in }
    ) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MLAuditError.missingFile(path, what: "data file", hint: "Check the path of the CSV file.")
        }
        let (source, _, _) = try openByteSource(path: path)
        let reader = CSVReader(reader: BlockReader(path: path, source: source), delimiter: delimiter)
        let parser = ValueParser(nullTokens: nullValues)
        var columns: Int?
        var scratch: [UInt8] = []
        var fields: [String?] = []
        try reader.forEach(
            record: { rec in
                guard let n = columns else {
                    let names = (0..<rec.fields.count).map { i in
                        rec.withField(i, scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
                            .trimmingCharacters(in: CharacterSet.whitespaces)
                    }
                    columns = names.count
                    try header(names)
                    return
                }
                guard rec.fields.count == n else {
                    try malformed(rec.line, "expected \(n) fields, found \(rec.fields.count)")
                    return
                }
                fields.removeAll(keepingCapacity: true)
                for i in 0..<n {
                    fields.append(rec.withField(i, scratch: &scratch) { bytes -> String? in
                        // NaN spellings are values (a float column's NaN), not missing.
                        parser.isNull(bytes, forFloat: true) ? nil : String(decoding: bytes, as: UTF8.self)
                    })
                }
                try row(fields)
            },
            malformed: { line, _, reason in
                if columns == nil {
                    throw MLAuditError(
                        .unreadableInput, "the header line is malformed: \(reason)", file: path, line: line,
                        hint: "Fix the first line of the file: it must list the column names.")
                }
                try malformed(line, reason)
            })
    }

    /// The tokens read as missing when the definition sets no `null_values`.
    package static var defaultNullTokens: [String] { ValueParser.defaultNullTokens }
}

/// The ingest's value parsers on text, for type inference. Each accepts exactly what ingest
/// stores for the corresponding column type.
package enum TextValueParsers {
    package static func double(_ s: String) -> Double? { withBytes(s, parseDouble) }
    package static func integer(_ s: String) -> Int64? { withBytes(s, parseInteger) }
    package static func boolean(_ s: String) -> Bool? { withBytes(s, parseBoolean) }
    /// Unix milliseconds (ISO 8601, or epoch seconds / milliseconds as digits).
    package static func timestamp(_ s: String) -> Int64? { withBytes(s, parseTimestamp) }

    private static func withBytes<T>(_ s: String, _ body: (UnsafeRawBufferPointer) -> T?) -> T? {
        var t = s
        return t.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}
