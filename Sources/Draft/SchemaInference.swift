import AuditModel
import Ingest

/// What one pass over a data file tells about a column, as TFDV's schema inference and
/// Deequ's column profiling see it: how many values parse as each type, the range, the
/// distinct values (up to a cap), lengths, nulls.
public struct ColumnSketch: Sendable {
    /// Distinct values are kept up to this many; beyond, the column is high-cardinality.
    public static let distinctCap = 1000

    public let name: String
    public private(set) var rows = 0
    public private(set) var nulls = 0
    /// Values spelled as boolean words (true/false, yes/no, t/f, y/n), not digits.
    public private(set) var booleanWords = 0
    public private(set) var trueCount = 0
    /// Values that parse as whole numbers written without a decimal point or exponent.
    public private(set) var integers = 0
    /// Values that parse as numbers (NaN and infinities included).
    public private(set) var numbers = 0
    public private(set) var nonFinite = 0
    /// Values that parse as ISO 8601 dates or date-times.
    public private(set) var isoTimestamps = 0
    /// Values that parse as timestamps in any form ingest accepts (epoch digits included).
    public private(set) var anyTimestamps = 0
    /// Smallest and largest finite number.
    public private(set) var minimum: Double?
    public private(set) var maximum: Double?
    public private(set) var firstTimestamp: Int64?
    public private(set) var lastTimestamp: Int64?
    public private(set) var minLength: Int?
    public private(set) var maxLength: Int?
    /// Value counts while there are at most `distinctCap` distinct values.
    public private(set) var counts: [String: Int] = [:]
    /// More than `distinctCap` distinct values were seen (`counts` stopped growing).
    public private(set) var highCardinality = false
    /// A value that is not a number, for messages.
    public private(set) var nonNumericExample: String?
    /// The shape every non-null value shares, while they share one (`ValueShape`).
    private(set) var shape: ValueShape?
    /// Two values of different shapes were seen: there is no common shape.
    private(set) var shapeless = false

    public init(name: String) { self.name = name }

    public var nonNull: Int { rows - nulls }
    public var nullRate: Double { rows == 0 ? 0 : Double(nulls) / Double(rows) }
    /// Distinct non-null values, or nil when more than `distinctCap`.
    public var distinct: Int? { highCardinality ? nil : counts.count }

    mutating func add(_ value: String?) {
        rows += 1
        guard let v = value else {
            nulls += 1
            return
        }
        let length = v.unicodeScalars.count
        if !shapeless {
            if let next = ValueShape(v) {
                if shape == nil {
                    shape = next
                } else if !shape!.merge(next) {
                    shapeless = true
                    shape = nil
                }
            } else {
                shapeless = true
                shape = nil
            }
        }
        minLength = Swift.min(minLength ?? length, length)
        maxLength = Swift.max(maxLength ?? length, length)
        if !highCardinality {
            counts[v, default: 0] += 1
            if counts.count > Self.distinctCap {
                highCardinality = true
                counts = [:]
            }
        }
        if let d = TextValueParsers.double(v) {
            numbers += 1
            if d.isFinite {
                minimum = Swift.min(minimum ?? d, d)
                maximum = Swift.max(maximum ?? d, d)
            } else {
                nonFinite += 1
            }
            if TextValueParsers.integer(v) != nil, !v.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), d.isFinite {
                integers += 1
            }
        } else {
            if nonNumericExample == nil { nonNumericExample = v }
            if let b = TextValueParsers.boolean(v) {
                booleanWords += 1
                if b { trueCount += 1 }
            }
        }
        if let ms = TextValueParsers.timestamp(v) {
            anyTimestamps += 1
            if v.contains("-") || v.contains(":") { isoTimestamps += 1 }
            firstTimestamp = Swift.min(firstTimestamp ?? ms, ms)
            lastTimestamp = Swift.max(lastTimestamp ?? ms, ms)
        }
    }

    /// A regular expression every non-null value matches, when they share one shape with a
    /// character-class run and there are at least `minimumValues` of them; nil otherwise.
    public func inferredPattern(minimumValues: Int = 20) -> String? {
        guard nonNull >= minimumValues, let shape, shape.hasClassRun else { return nil }
        return shape.pattern
    }

    /// The column type these values fit, by TFDV's rule: the narrowest type every non-null
    /// value parses as (boolean words, then integer, number, ISO timestamp); otherwise text,
    /// categorical when few distinct values repeat (at most `maxCategories`, each seen twice
    /// on average).
    public func inferredType(maxCategories: Int = 50) -> ColumnType {
        let n = nonNull
        guard n > 0 else { return .text }
        if booleanWords == n { return .boolean }
        if integers == n { return .integer }
        if numbers == n { return .numeric }
        if isoTimestamps == n { return .datetime }
        if let d = distinct, d <= maxCategories, 2 * d <= n { return .categorical }
        return .text
    }
}

/// Schema inference over a CSV, JSON Lines or Parquet file: one `ColumnSketch` per column, in file order.
public enum SchemaInference {
    /// Every data row of a CSV, JSON Lines or Parquet file as its fields' text, in header order
    /// (nil for a Parquet or JSON null or a missing field), after `header` with the column
    /// names. The format is ingest's `format: auto`: Parquet by its magic bytes, JSON Lines by
    /// its extension or a first `{` (`UntypedJSONL`: the keys in first-seen order), else CSV.
    /// Parquet: the flat columns' values as the reader's text (integers, shortest-spelling
    /// numbers, true/false, ISO timestamps), so types come out as the schema's and are refined
    /// by the values as for CSV; nested columns are left out (they cannot be read). Ragged CSV
    /// rows and JSON Lines lines that are not one object go to `malformed`.
    static func forEachRow(
        path: String, delimiter: UInt8, header: ([String]) throws -> Void = { _ in },
        row: ([String?]) throws -> Void, malformed: (_ line: Int, _ reason: String) throws -> Void = { _, _ in }
    ) throws {
        guard ParquetInspection.isParquet(path: path) else {
            if UntypedJSONL.isJSONLines(path: path) {
                return try UntypedJSONL.read(path: path, header: header, row: row, malformed: malformed)
            }
            return try UntypedCSV.read(path: path, delimiter: delimiter, header: header, row: row, malformed: malformed)
        }
        // Streamed (one decoded page per column at a time), so any file size reads in bounded memory.
        try ParquetInspection.forEachRow(path: path, columns: { names, _, _ in try header(names) }, row: row)
    }

    /// Reads `path` once and sketches every column.
    ///
    /// - Throws: `MLAuditError` when the file is missing or unreadable, has no header, or has
    ///   repeated column names. Ragged rows are skipped and counted in `skippedRows`.
    public static func sketch(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws
        -> (columns: [ColumnSketch], skippedRows: Int)
    {
        var sketches: [ColumnSketch] = []
        var skipped = 0
        var sawHeader = false
        let csv = !ParquetInspection.isParquet(path: path) && !UntypedJSONL.isJSONLines(path: path)
        try forEachRow(
            path: path, delimiter: delimiter,
            header: { names in
                sawHeader = true
                sketches = names.map { ColumnSketch(name: $0) }
                guard csv else { return }
                var seen = Set<String>()
                for (i, n) in names.enumerated() {
                    guard !n.isEmpty else {
                        throw MLAuditError(.unreadableInput, "header field \(i + 1) is blank", file: path, line: 1,
                                           hint: "Give every column a name in the first line of the file.")
                    }
                    guard seen.insert(n).inserted else {
                        throw MLAuditError(.unreadableInput, "column name '\(n)' appears twice in the header", file: path, line: 1,
                                           hint: "Give every column a unique name in the first line of the file.")
                    }
                }
            },
            row: { fields in
                for i in fields.indices { sketches[i].add(fields[i]) }
            },
            malformed: { _, _ in skipped += 1 })
        guard sawHeader else {
            throw MLAuditError(.unreadableInput, "the file is empty: no header line", file: path,
                               hint: "Give a CSV file whose first line lists the column names.")
        }
        return (sketches, skipped)
    }
}
