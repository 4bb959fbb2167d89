import AuditModel
import GRDB

/// Rows of a snapshot quarantined because of one column's value: how many, and a few reasons.
public struct QuarantineByColumn: Sendable, Equatable {
    public var column: String
    public var count: Int
    /// Up to three reasons, in line order (they quote the offending value).
    public var examples: [String]

    public init(column: String, count: Int, examples: [String]) {
        self.column = column
        self.count = count
        self.examples = examples
    }
}

extension Store {
    /// Quarantined rows of a snapshot grouped by the column whose value failed to parse
    /// (rows quarantined for their shape, with no column, are left out).
    public func quarantineByColumn(snapshotId: Int64) throws -> [QuarantineByColumn] {
        let counts = try Row.fetchAll(
            db,
            sql: """
                SELECT column, COUNT(*) AS n FROM quarantinedRow
                WHERE snapshotId = ? AND column IS NOT NULL GROUP BY column ORDER BY column
                """, arguments: [snapshotId])
        return try counts.map { r in
            let column: String = r["column"]
            let examples = try String.fetchAll(
                db,
                sql: "SELECT reason FROM quarantinedRow WHERE snapshotId = ? AND column = ? ORDER BY file, line LIMIT 3",
                arguments: [snapshotId, column])
            return QuarantineByColumn(column: column, count: r["n"], examples: examples)
        }
    }
}
