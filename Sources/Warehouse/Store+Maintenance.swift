import AuditModel
import Foundation
import GRDB

// MARK: - Operations: interrupted runs, retention, reloading

extension Store {
    /// Marks runs and stages left `running` by a process that died as failed. Returns how many
    /// runs were marked.
    @discardableResult
    public func markInterrupted(pipelineId: Int64, exceptRun current: Int64) throws -> Int {
        try db.execute(
            sql: """
                UPDATE stageRun SET status = 'failed', finishedAt = ?, error = 'interrupted: the run ended before this stage finished'
                WHERE pipelineId = ? AND status = 'running' AND runId != ?
                """, arguments: [Warehouse.now(), pipelineId, current])
        try db.execute(
            sql: """
                UPDATE run SET status = 'failed', error = 'interrupted: the process ended without finishing (killed or crashed)'
                WHERE pipelineId = ? AND status = 'running' AND id != ?
                """, arguments: [pipelineId, current])
        return db.changesCount
    }

    /// Deletes the stored rows (with their columnar copy and sorted-column cache) and labels of
    /// daily and labels snapshots dated before `cutoff` (snapshot records, quarantined rows,
    /// profiles, findings and metrics stay). Returns the snapshots purged with the number of
    /// rows deleted.
    public func purgeRows(pipelineId: Int64, before cutoff: String) throws -> [(date: String, rows: Int)] {
        guard let table = try String.fetchOne(db, sql: "SELECT rowTable FROM pipeline WHERE id = ?", arguments: [pipelineId])
        else { return [] }
        let targets = try Row.fetchAll(
            db,
            sql: """
                SELECT id, kind, date FROM snapshot WHERE pipelineId = ? AND kind IN ('daily', 'labels') AND date < ?
                AND rowsPurgedAt IS NULL ORDER BY date, id
                """, arguments: [pipelineId, cutoff])
        var out: [(String, Int)] = []
        let hasTable = try db.tableExists(table)
        for t in targets {
            let id: Int64 = t["id"]
            var n = 0
            if t["kind"] == "daily", hasTable {
                n = try deleteRowRange(table, snapshotId: id)
            } else {
                try db.execute(sql: "DELETE FROM label WHERE snapshotId = ?", arguments: [id])
                n = db.changesCount
            }
            try db.execute(sql: "DELETE FROM sortedColumn WHERE snapshotId = ?", arguments: [id])
            try deleteNumericColumns(snapshotId: id)
            try db.execute(sql: "UPDATE snapshot SET rowsPurgedAt = ? WHERE id = ?", arguments: [Warehouse.now(), id])
            out.append((t["date"], n))
        }
        return out
    }

    /// Deletes a labels snapshot's labels, quarantined rows and parts (before reloading it).
    public func deleteLabelRows(snapshotId: Int64) throws {
        try db.execute(sql: "DELETE FROM label WHERE snapshotId = ?", arguments: [snapshotId])
        try db.execute(sql: "DELETE FROM quarantinedRow WHERE snapshotId = ?", arguments: [snapshotId])
        try db.execute(sql: "DELETE FROM snapshotPart WHERE snapshotId = ?", arguments: [snapshotId])
    }

    /// Clears the purge mark after the rows were loaded again.
    public func clearPurged(_ snapshotId: Int64) throws {
        try db.execute(sql: "UPDATE snapshot SET rowsPurgedAt = NULL WHERE id = ?", arguments: [snapshotId])
    }

    /// Deletes the stored rows, their columnar copy and the quarantined rows of a snapshot
    /// (before reloading it).
    public func deleteStoredRows(_ table: RowTable, snapshotId: Int64) throws {
        try deleteRowRange(table.name, snapshotId: snapshotId)
        try deleteNumericColumns(snapshotId: snapshotId)
        try db.execute(sql: "DELETE FROM quarantinedRow WHERE snapshotId = ?", arguments: [snapshotId])
    }

    /// Deletes a snapshot's rows from the row table by the rowid range its catalog record keeps,
    /// and clears the range (so it never points at rows that are gone, or at rows a later
    /// snapshot reuses the rowids of). Row tables have no foreign key to `snapshot` (those made
    /// before issue 13 still cascade, and then find nothing): every delete of a snapshot's rows
    /// goes through here, before the snapshot's record changes. Returns the rows deleted.
    @discardableResult
    func deleteRowRange(_ table: String, snapshotId: Int64) throws -> Int {
        guard let range = try catalogRowRange(snapshotId: snapshotId) else { return 0 }
        // `+mlaudit_snapshot`: by the rowid range, not by the index older tables have; and
        // nothing but this snapshot's rows, whatever the range says.
        try db.execute(
            sql: "DELETE FROM \(quoteIdentifier(table)) WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ?",
            arguments: [range.lowerBound, range.upperBound, snapshotId])
        let n = db.changesCount
        try db.execute(sql: "UPDATE snapshot SET firstRowid = NULL, lastRowid = NULL WHERE id = ?", arguments: [snapshotId])
        return n
    }
}
