import AuditModel
import Foundation

/// Reads a JSON Lines file without a pipeline definition, with the same line reader and null
/// tokens as ingest: for `mlaudit init`, which drafts a definition from a file. The columns are
/// the keys in the order they first appear (a key missing from a line is null there), so the
/// file is read twice: once for the keys, once for the rows. Package access: other MLAudit
/// targets use it, users do not.
package enum UntypedJSONL {
    /// Whether ingest would read `path` as JSON Lines under `format: auto`: by its extension
    /// (`.jsonl`, `.ndjson`, `.json`, `.gz` looked through), else by its first non-blank byte
    /// (`{`), as `partFormat` decides for a snapshot part.
    package static func isJSONLines(path: String) -> Bool {
        guard let (source, _, _) = try? openByteSource(path: path) else { return false }
        let block = BlockReader(path: path, source: source, blockSize: 1 << 16)
        _ = try? block.fill()
        return partFormat(.auto, path: path, firstBytes: block.available) == .jsonl
    }

    /// Calls `header` with the keys of every line in first-seen order, then `row` with each
    /// line's values in that order (nil for JSON `null`, a null token or an absent key; numbers
    /// and `true`/`false` as spelled; nested objects and arrays as their JSON text) and
    /// `malformed` for each line that is not one JSON object.
    ///
    /// - Throws: `MLAuditError` when the file cannot be read, holds no object, or has more
    ///   than `maxColumns` distinct keys.
    package static func read(
        path: String, nullValues: [String]? = nil, maxColumns: Int = LimitsSpec.defaultMaxColumns,
        header: ([String]) throws -> Void, row: ([String?]) throws -> Void,
        malformed: (_ line: Int, _ reason: String) throws -> Void = { _, _ in }
    ) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MLAuditError.missingFile(path, what: "data file", hint: "Check the path of the JSON Lines file.")
        }
        let parser = ValueParser(nullTokens: nullValues)
        // Pass 1: the keys, in first-seen order.
        var names: [String] = []
        var index: [String: Int] = [:]
        try pass(path: path) { view in
            for m in view.members {
                let key = String(decoding: view.key(m), as: UTF8.self)
                guard index[key] == nil else { continue }
                guard names.count < maxColumns else {
                    throw MLAuditError(
                        .unreadableInput,
                        "line \(view.number) brings the file past \(SafeText.groupedDigits(maxColumns)) distinct keys",
                        file: path, line: view.number,
                        hint: "A JSON Lines baseline has one flat object per line with the same keys; check that the keys are column names, not values.")
                }
                index[key] = names.count
                names.append(key)
            }
        } malformed: { _, _ in }
        guard !names.isEmpty else {
            throw MLAuditError(.unreadableInput, "the file holds no JSON object with a key", file: path,
                               hint: "Give a JSON Lines file: one flat object per line, such as {\"id\": 1, \"age\": 42}.")
        }
        try header(names)
        // Pass 2: the rows.
        var fields = [String?](repeating: nil, count: names.count)
        try pass(path: path) { view in
            for j in fields.indices { fields[j] = nil }
            for m in view.members {
                guard let j = index[String(decoding: view.key(m), as: UTF8.self)] else { continue }
                let v = view.value(m)
                switch m.syntax {
                case .null: fields[j] = nil
                case .literal, .nested: fields[j] = String(decoding: v, as: UTF8.self)
                case .text: fields[j] = parser.isNull(v, forFloat: true) ? nil : String(decoding: v, as: UTF8.self)
                }
            }
            try row(fields)
        } malformed: { line, reason in
            try malformed(line, reason)
        }
    }

    private static func pass(
        path: String, object: (JSONLineView) throws -> Void, malformed: (_ line: Int, _ reason: String) throws -> Void
    ) throws {
        let (source, _, _) = try openByteSource(path: path)
        let reader = JSONLReader(reader: BlockReader(path: path, source: source))
        try reader.forEach(object: object, malformed: { line, _, reason in try malformed(line, reason) })
    }
}
