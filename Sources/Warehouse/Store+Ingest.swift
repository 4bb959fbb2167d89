import AuditModel
import GRDB

/// A part file of a snapshot: where it was read from, how, and what it held.
public struct SnapshotPartRecord: Sendable, Equatable {
    public var ordinal: Int
    public var path: String
    /// Name relative to the snapshot (the file name in its folder, or the path below a glob).
    public var name: String
    /// `csv` or `jsonl`.
    public var format: String
    /// `none` or `gzip`.
    public var compression: String
    public var sha256: String
    /// Bytes on disk.
    public var bytes: Int
    /// Bytes after decompression.
    public var dataBytes: Int
    public var rowsRead: Int
    public var rowsStored: Int
    public var rowsQuarantined: Int
    /// Why the stream ended early (a truncated or corrupt gzip member), if it did.
    public var damage: String?

    public init(
        ordinal: Int, path: String, name: String, format: String, compression: String, sha256: String, bytes: Int,
        dataBytes: Int, rowsRead: Int, rowsStored: Int, rowsQuarantined: Int, damage: String?
    ) {
        self.ordinal = ordinal
        self.path = path
        self.name = name
        self.format = format
        self.compression = compression
        self.sha256 = sha256
        self.bytes = bytes
        self.dataBytes = dataBytes
        self.rowsRead = rowsRead
        self.rowsStored = rowsStored
        self.rowsQuarantined = rowsQuarantined
        self.damage = damage
    }
}

extension Store {
    /// Records the part files of a snapshot.
    public func insertSnapshotParts(snapshotId: Int64, _ parts: [SnapshotPartRecord]) throws {
        let st = try db.cachedStatement(
            sql: """
                INSERT INTO snapshotPart (snapshotId, ordinal, path, name, format, compression, sha256, bytes, dataBytes,
                  rowsRead, rowsStored, rowsQuarantined, damage)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for p in parts {
            try st.execute(arguments: [
                snapshotId, p.ordinal, p.path, p.name, p.format, p.compression, p.sha256, p.bytes, p.dataBytes, p.rowsRead,
                p.rowsStored, p.rowsQuarantined, p.damage,
            ])
        }
    }

    /// The part files of a snapshot in reading order (empty for snapshots ingested before v2-ingest).
    public func snapshotParts(snapshotId: Int64) throws -> [SnapshotPartRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM snapshotPart WHERE snapshotId = ? ORDER BY ordinal", arguments: [snapshotId])
            .map {
                SnapshotPartRecord(
                    ordinal: $0["ordinal"], path: $0["path"], name: $0["name"], format: $0["format"],
                    compression: $0["compression"], sha256: $0["sha256"], bytes: $0["bytes"], dataBytes: $0["dataBytes"],
                    rowsRead: $0["rowsRead"], rowsStored: $0["rowsStored"], rowsQuarantined: $0["rowsQuarantined"],
                    damage: $0["damage"])
            }
    }
}

extension Store {
    /// The undeclared columns of a snapshot's rows (`mlaudit_extra`: a JSON object, or nil), in row order.
    public func extraColumns(_ table: RowTable, snapshotId: Int64) throws -> [String?] {
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return [] }
        return try String?.fetchAll(
            db,
            sql: "SELECT mlaudit_extra FROM \(quoteIdentifier(table.name)) WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ? ORDER BY rowid",
            arguments: [range.lowerBound, range.upperBound, snapshotId])
    }

    /// The source line of each stored row of a snapshot, in row order.
    public func storedLines(_ table: RowTable, snapshotId: Int64) throws -> [Int] {
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return [] }
        return try Int.fetchAll(
            db,
            sql: "SELECT mlaudit_line FROM \(quoteIdentifier(table.name)) WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ? ORDER BY rowid",
            arguments: [range.lowerBound, range.upperBound, snapshotId])
    }
}

extension Store {
    /// Sets a snapshot's SHA-256 and size once its bytes have been read (the parser hashes what
    /// it loads).
    public func setSnapshotDigest(_ id: Int64, sha256: String, bytes: Int) throws {
        try db.execute(sql: "UPDATE snapshot SET sha256 = ?, bytes = ? WHERE id = ?", arguments: [sha256, bytes, id])
    }
}
