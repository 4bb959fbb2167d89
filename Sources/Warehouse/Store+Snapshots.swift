import AuditModel
import Foundation
import GRDB

/// What a snapshot row describes.
public enum SnapshotKind: String, Codable, Sendable {
    case baseline, daily, labels
}

/// A row of the `snapshot` table.
public struct SnapshotRecord: Sendable, Equatable {
    public var id: Int64
    public var pipelineId: Int64
    public var kind: SnapshotKind
    /// `YYYY-MM-DD`, or `baseline` for the baseline.
    public var date: String
    public var version: Int
    public var sourcePath: String
    public var sha256: String
    public var bytes: Int
    public var rowsRead: Int
    public var rowsStored: Int
    public var rowsQuarantined: Int
    public var status: String
    public var header: [String]
    public var modelConfigId: Int64?
    /// Where the model configuration in force for this snapshot was read from.
    public var modelConfigPath: String?
    public var runId: Int64?
    public var ingestedAt: String
    /// When retention deleted this snapshot's stored rows (nil while they are kept).
    public var rowsPurgedAt: String?

    init(row: Row) throws {
        id = row["id"]
        pipelineId = row["pipelineId"]
        kind = SnapshotKind(rawValue: row["kind"]) ?? .daily
        date = row["date"]
        version = row["version"]
        sourcePath = row["sourcePath"]
        sha256 = row["sha256"]
        bytes = row["bytes"]
        rowsRead = row["rowsRead"]
        rowsStored = row["rowsStored"]
        rowsQuarantined = row["rowsQuarantined"]
        status = row["status"]
        header = (try? decodeJSON([String].self, row["header"])) ?? []
        modelConfigId = row["modelConfigId"]
        modelConfigPath = row["modelConfigPath"]
        runId = row["runId"]
        ingestedAt = row["ingestedAt"]
        rowsPurgedAt = row["rowsPurgedAt"]
    }
}

/// A new snapshot, before it has an id.
public struct NewSnapshot: Sendable {
    public var kind: SnapshotKind
    public var date: String
    public var sourcePath: String
    public var sha256: String
    public var bytes: Int
    public var header: [String]
    public var modelConfigId: Int64?
    public var runId: Int64?

    public init(
        kind: SnapshotKind, date: String, sourcePath: String, sha256: String, bytes: Int, header: [String],
        modelConfigId: Int64? = nil, runId: Int64? = nil
    ) {
        self.kind = kind
        self.date = date
        self.sourcePath = sourcePath
        self.sha256 = sha256
        self.bytes = bytes
        self.header = header
        self.modelConfigId = modelConfigId
        self.runId = runId
    }
}

/// A malformed input row, set aside with where it was and why.
public struct QuarantinedRow: Sendable, Equatable {
    public var file: String
    public var line: Int
    public var raw: String
    public var reason: String
    public var column: String?
    public init(file: String, line: Int, raw: String, reason: String, column: String? = nil) {
        self.file = file
        self.line = line
        self.raw = raw
        self.reason = reason
        self.column = column
    }
}

// MARK: - Model configurations

extension Store {
    /// Records a model configuration's content (deduplicated by SHA-256) and returns its id.
    public func recordModelConfig(pipelineId: Int64, path: String, content: String, sha256: String) throws -> Int64 {
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM modelConfig WHERE pipelineId = ? AND sha256 = ?", arguments: [pipelineId, sha256])
        {
            return id
        }
        try db.execute(
            sql: "INSERT INTO modelConfig (pipelineId, sha256, path, content, firstSeenAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [pipelineId, sha256, path, StoredText.storable(content), Warehouse.now()])
        return db.lastInsertedRowID
    }

    /// A recorded model configuration: path, content, SHA-256.
    public func modelConfig(id: Int64) throws -> (path: String, content: String, sha256: String)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT path, content, sha256 FROM modelConfig WHERE id = ?", arguments: [id])
        else { return nil }
        return (row["path"], row["content"], row["sha256"])
    }
}

// MARK: - Snapshots, quarantine, labels

extension Store {
    /// The current (not superseded) version of a snapshot.
    public func currentSnapshot(pipelineId: Int64, kind: SnapshotKind, date: String) throws -> SnapshotRecord? {
        try Row.fetchOne(
            db,
            sql: "SELECT * FROM snapshot WHERE pipelineId = ? AND kind = ? AND date = ? AND status = 'current' ORDER BY version DESC LIMIT 1",
            arguments: [pipelineId, kind.rawValue, date]
        ).map(SnapshotRecord.init(row:))
    }

    public func snapshot(id: Int64) throws -> SnapshotRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM snapshot WHERE id = ?", arguments: [id]).map(SnapshotRecord.init(row:))
    }

    /// Every version of a snapshot, oldest first.
    public func snapshotVersions(pipelineId: Int64, kind: SnapshotKind, date: String) throws -> [SnapshotRecord] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM snapshot WHERE pipelineId = ? AND kind = ? AND date = ? ORDER BY version",
            arguments: [pipelineId, kind.rawValue, date]
        ).map(SnapshotRecord.init(row:))
    }

    /// Current daily snapshots, oldest date first.
    public func currentDailySnapshots(pipelineId: Int64) throws -> [SnapshotRecord] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM snapshot WHERE pipelineId = ? AND kind = 'daily' AND status = 'current' ORDER BY date",
            arguments: [pipelineId]
        ).map(SnapshotRecord.init(row:))
    }

    /// Inserts a snapshot as the current version (superseding the previous current one) and
    /// returns its id. Row counts are set by `finishSnapshot` once the rows are in.
    public func insertSnapshot(pipelineId: Int64, _ s: NewSnapshot) throws -> (id: Int64, version: Int) {
        let version =
            (try Int.fetchOne(
                db, sql: "SELECT MAX(version) FROM snapshot WHERE pipelineId = ? AND kind = ? AND date = ?",
                arguments: [pipelineId, s.kind.rawValue, s.date]) ?? 0) + 1
        try db.execute(
            sql: "UPDATE snapshot SET status = 'superseded' WHERE pipelineId = ? AND kind = ? AND date = ? AND status = 'current'",
            arguments: [pipelineId, s.kind.rawValue, s.date])
        try db.execute(
            sql: """
                INSERT INTO snapshot (pipelineId, kind, date, version, sourcePath, sha256, bytes, rowsRead, rowsStored,
                  rowsQuarantined, status, header, modelConfigId, runId, ingestedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 'current', ?, ?, ?, ?)
                """,
            arguments: [
                pipelineId, s.kind.rawValue, s.date, version, s.sourcePath, s.sha256, s.bytes, try encodeJSON(s.header),
                s.modelConfigId, s.runId, Warehouse.now(),
            ])
        return (db.lastInsertedRowID, version)
    }

    /// Sets the row counts of a snapshot. `read` must equal `stored + quarantined` (SQLite checks it).
    public func finishSnapshot(_ id: Int64, read: Int, stored: Int, quarantined: Int) throws {
        try db.execute(
            sql: "UPDATE snapshot SET rowsRead = ?, rowsStored = ?, rowsQuarantined = ? WHERE id = ?",
            arguments: [read, stored, quarantined, id])
    }

    public func insertQuarantined(snapshotId: Int64, _ rows: [QuarantinedRow]) throws {
        guard !rows.isEmpty else { return }
        let st = try db.cachedStatement(
            sql: "INSERT INTO quarantinedRow (snapshotId, file, line, raw, reason, column) VALUES (?, ?, ?, ?, ?, ?)")
        for r in rows {
            try st.execute(arguments: [
                snapshotId, StoredText.storable(r.file), r.line, StoredText.storable(r.raw), StoredText.storable(r.reason),
                StoredText.storable(r.column),
            ])
        }
    }

    /// Quarantined rows of a snapshot in line order (at most `limit`).
    public func quarantined(snapshotId: Int64, limit: Int = 1_000_000) throws -> [QuarantinedRow] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM quarantinedRow WHERE snapshotId = ? ORDER BY file, line LIMIT ?",
            arguments: [snapshotId, limit]
        ).map { QuarantinedRow(file: $0["file"], line: $0["line"], raw: $0["raw"], reason: $0["reason"], column: $0["column"]) }
    }

    /// Quarantine counts by reason, most frequent first.
    public func quarantineReasons(snapshotId: Int64) throws -> [ValueCount] {
        try Row.fetchAll(
            db,
            sql: "SELECT reason, COUNT(*) AS n FROM quarantinedRow WHERE snapshotId = ? GROUP BY reason ORDER BY n DESC, reason",
            arguments: [snapshotId]
        ).map { ValueCount(value: $0["reason"], count: $0["n"]) }
    }

    public func insertLabels(snapshotId: Int64, _ labels: [(rowId: String, value: String?, line: Int)]) throws {
        let st = try db.cachedStatement(sql: "INSERT INTO label (snapshotId, rowId, value, line) VALUES (?, ?, ?, ?)")
        for l in labels {
            try st.execute(arguments: [snapshotId, StoredText.storable(l.rowId), StoredText.storable(l.value), l.line])
        }
    }

    /// How often each label value occurs in a labels snapshot (nulls left out), most frequent first.
    public func labelValueCounts(snapshotId: Int64) throws -> [ValueCount] {
        try Row.fetchAll(
            db,
            sql: "SELECT value, COUNT(*) AS n FROM label WHERE snapshotId = ? AND value IS NOT NULL GROUP BY value ORDER BY n DESC, value",
            arguments: [snapshotId]
        ).map { ValueCount(value: $0["value"], count: $0["n"]) }
    }

    /// Ids labelled more than once with different values in a labels snapshot: how many, and
    /// up to `examples` of them (smallest first).
    public func conflictingLabelIds(snapshotId: Int64, examples: Int = 3) throws -> (count: Int, examples: [String]) {
        let sql = "SELECT rowId FROM label WHERE snapshotId = ? AND value IS NOT NULL GROUP BY rowId HAVING COUNT(DISTINCT value) > 1"
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(sql))", arguments: [snapshotId]) ?? 0
        let ids = count == 0 ? [] : try String.fetchAll(db, sql: sql + " ORDER BY rowId LIMIT ?", arguments: [snapshotId, examples])
        return (count, ids)
    }

    /// Labels of a labels snapshot by row id (the last one wins when an id repeats).
    public func labels(snapshotId: Int64) throws -> [String: String] {
        var out: [String: String] = [:]
        let rows = try Row.fetchCursor(
            db, sql: "SELECT rowId, value FROM label WHERE snapshotId = ? AND value IS NOT NULL ORDER BY line",
            arguments: [snapshotId])
        while let r = try rows.next() { out[r["rowId"]] = r["value"] }
        return out
    }

    public func setSnapshotHeader(_ id: Int64, header: [String]) throws {
        try db.execute(sql: "UPDATE snapshot SET header = ? WHERE id = ?", arguments: [try encodeJSON(header), id])
    }

    public func setSnapshotModelConfig(_ id: Int64, _ configId: Int64?, path: String?) throws {
        try db.execute(
            sql: "UPDATE snapshot SET modelConfigId = ?, modelConfigPath = ? WHERE id = ?", arguments: [configId, path, id])
    }

    /// The newest current daily snapshot date, if any.
    public func newestDailyDate(pipelineId: Int64) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT MAX(date) FROM snapshot WHERE pipelineId = ? AND kind = 'daily' AND status = 'current'",
            arguments: [pipelineId])
    }
}
