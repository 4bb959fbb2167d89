import AuditModel
import Foundation

/// Infers numeric or categorical columns from CSV files, for `mlaudit compare --baseline …
/// --current …` (no pipeline definition). A column is numeric when every value that is not a
/// missing-value token parses as a number with the ingest parser, in every file given;
/// otherwise categorical. Rows with the wrong number of fields are ignored (ingest quarantines
/// them). The ingest parser decides, so an inferred numeric column never quarantines a row for
/// its type.
public enum ColumnTypeInference {
    /// The header of the first file and the columns that are numeric in all `paths`.
    ///
    /// - Throws: `MLAuditError` when a file is missing, unreadable or has no header line.
    public static func infer(paths: [String], delimiter: UInt8 = UInt8(ascii: ","), nullValues: [String]? = nil) throws
        -> (header: [String], numeric: Set<String>)
    {
        var header: [String]?
        var numeric: Set<String>?
        let parser = ValueParser(nullTokens: nullValues)
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                throw MLAuditError.missingFile(path, what: "CSV file", hint: "Check the path given to --baseline or --current.")
            }
            let (source, _, _) = try openByteSource(path: path)
            let reader = CSVReader(reader: BlockReader(path: path, source: source), delimiter: delimiter)
            var names: [String]?
            var parses: [Bool] = []
            var scratch: [UInt8] = []
            try reader.forEach(
                record: { rec in
                    guard names != nil else {
                        names = (0..<rec.fields.count).map { i in
                            rec.withField(i, scratch: &scratch) { String(decoding: $0, as: UTF8.self) }
                                .trimmingCharacters(in: CharacterSet.whitespaces)
                        }
                        parses = Array(repeating: true, count: rec.fields.count)
                        return
                    }
                    // A ragged row is quarantined at ingest: it does not decide a type.
                    guard rec.fields.count == parses.count else { return }
                    for i in 0..<parses.count where parses[i] {
                        parses[i] = rec.withField(i, scratch: &scratch) { b in
                            parser.isNull(b, forFloat: true) || parseDouble(b) != nil
                        }
                    }
                },
                malformed: { _, _, _ in })
            guard let names else {
                throw MLAuditError(
                    .unreadableInput, "the file has no header line", file: path,
                    hint: "A CSV file for mlaudit starts with a line of column names.")
            }
            let here = Set(zip(names, parses).filter(\.1).map(\.0))
            if header == nil { header = names }
            numeric = numeric.map { $0.intersection(here) } ?? here
        }
        return (header ?? [], numeric ?? [])
    }
}
