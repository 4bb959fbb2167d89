import AuditModel
import GRDB

extension Store {
    /// Replaces the correlations stored for a snapshot.
    public func replaceCorrelations(snapshotId: Int64, _ correlations: [Correlation]) throws {
        try db.execute(sql: "DELETE FROM correlation WHERE snapshotId = ?", arguments: [snapshotId])
        let st = try db.cachedStatement(
            sql: """
                INSERT INTO correlation (snapshotId, columnA, columnB, kind, method, coefficient, count)
                VALUES (?, ?, ?, ?, 'pearson', ?, ?)
                """)
        for c in correlations {
            try st.execute(arguments: [snapshotId, c.columnA, c.columnB, c.kind.rawValue, c.coefficient, c.count])
        }
    }

    /// Correlations of a snapshot in the order they were stored (feature pairs, then the target's).
    public func correlations(snapshotId: Int64) throws -> [Correlation] {
        try Row.fetchAll(db, sql: "SELECT * FROM correlation WHERE snapshotId = ? ORDER BY rowid", arguments: [snapshotId]).map {
            Correlation(
                columnA: $0["columnA"], columnB: $0["columnB"], kind: Correlation.Kind(rawValue: $0["kind"]) ?? .feature,
                coefficient: $0["coefficient"], count: $0["count"])
        }
    }
}
