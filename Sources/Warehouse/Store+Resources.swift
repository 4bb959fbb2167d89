import AuditModel
import Foundation
import GRDB

// The serving hosts' resource samples (`operational.resources`, docs/warehouse.md:
// `resourceFile`, `resourceSample`, `resourceQuarantine`). One current file per pipeline and
// period date: a changed file replaces the previous one (its samples and quarantined rows).

/// A row of the `resourceFile` table: the resources file loaded for a period.
public struct ResourceFileRecord: Sendable, Equatable {
    public var id: Int64
    public var pipelineId: Int64
    public var date: String
    public var sourcePath: String
    public var sha256: String
    public var bytes: Int
    public var rowsRead: Int
    public var rowsStored: Int
    public var rowsQuarantined: Int
    public var loadedAt: String

    public init(
        id: Int64, pipelineId: Int64, date: String, sourcePath: String, sha256: String, bytes: Int, rowsRead: Int,
        rowsStored: Int, rowsQuarantined: Int, loadedAt: String
    ) {
        self.id = id
        self.pipelineId = pipelineId
        self.date = date
        self.sourcePath = sourcePath
        self.sha256 = sha256
        self.bytes = bytes
        self.rowsRead = rowsRead
        self.rowsStored = rowsStored
        self.rowsQuarantined = rowsQuarantined
        self.loadedAt = loadedAt
    }
}

/// One stored host sample (finite numbers only: ingest quarantines the rest).
public struct ResourceSample: Sendable, Equatable {
    /// The line in the source file.
    public var line: Int
    /// UTC milliseconds since 1970.
    public var epochMilliseconds: Int64
    public var host: String
    public var cpu: Double?
    public var memoryBytes: Double?
    public var memoryTotalBytes: Double?
    public var diskUsedShare: Double?
    public var ioWait: Double?
    public var up: Bool?

    public init(
        line: Int, epochMilliseconds: Int64, host: String, cpu: Double? = nil, memoryBytes: Double? = nil,
        memoryTotalBytes: Double? = nil, diskUsedShare: Double? = nil, ioWait: Double? = nil, up: Bool? = nil
    ) {
        self.line = line
        self.epochMilliseconds = epochMilliseconds
        self.host = host
        self.cpu = cpu
        self.memoryBytes = memoryBytes
        self.memoryTotalBytes = memoryTotalBytes
        self.diskUsedShare = diskUsedShare
        self.ioWait = ioWait
        self.up = up
    }
}

extension Migrations {
    /// Issue 14 item 6: the serving hosts' resource samples, their file ledger and quarantine.
    static func registerResourceMigrations(_ m: inout DatabaseMigrator) {
        m.registerMigration("v5-issue14c-resources") { db in
            try db.execute(sql: """
                CREATE TABLE resourceFile (
                  id INTEGER PRIMARY KEY,
                  pipelineId INTEGER NOT NULL REFERENCES pipeline(id),
                  date TEXT NOT NULL,
                  sourcePath TEXT NOT NULL,
                  sha256 TEXT NOT NULL,
                  bytes INTEGER NOT NULL,
                  rowsRead INTEGER NOT NULL,
                  rowsStored INTEGER NOT NULL,
                  rowsQuarantined INTEGER NOT NULL,
                  loadedAt TEXT NOT NULL,
                  CHECK (rowsRead = rowsStored + rowsQuarantined),
                  UNIQUE (pipelineId, date)
                );
                CREATE TABLE resourceSample (
                  fileId INTEGER NOT NULL REFERENCES resourceFile(id) ON DELETE CASCADE,
                  line INTEGER NOT NULL,
                  epochMs INTEGER NOT NULL,
                  host TEXT NOT NULL,
                  cpu REAL,
                  memoryBytes REAL,
                  memoryTotalBytes REAL,
                  diskUsedShare REAL,
                  ioWait REAL,
                  up INTEGER CHECK (up IN (0, 1))
                );
                CREATE INDEX resourceSample_file ON resourceSample(fileId);
                CREATE TABLE resourceQuarantine (
                  fileId INTEGER NOT NULL REFERENCES resourceFile(id) ON DELETE CASCADE,
                  file TEXT NOT NULL,
                  line INTEGER NOT NULL,
                  raw TEXT NOT NULL,
                  reason TEXT NOT NULL,
                  column TEXT
                );
                CREATE INDEX resourceQuarantine_file ON resourceQuarantine(fileId);
                """)
        }
    }
}

extension Store {
    static func resourceFile(_ r: Row) -> ResourceFileRecord {
        ResourceFileRecord(
            id: r["id"], pipelineId: r["pipelineId"], date: r["date"], sourcePath: r["sourcePath"], sha256: r["sha256"],
            bytes: r["bytes"], rowsRead: r["rowsRead"], rowsStored: r["rowsStored"], rowsQuarantined: r["rowsQuarantined"],
            loadedAt: r["loadedAt"])
    }

    public func resourceFile(pipelineId: Int64, date: String) throws -> ResourceFileRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM resourceFile WHERE pipelineId = ? AND date = ?", arguments: [pipelineId, date])
            .map(Self.resourceFile)
    }

    public func replaceResourceFile(pipelineId: Int64, date: String, sourcePath: String, sha256: String, bytes: Int) throws -> Int64 {
        if let old = try resourceFile(pipelineId: pipelineId, date: date) {
            try db.execute(sql: "DELETE FROM resourceSample WHERE fileId = ?", arguments: [old.id])
            try db.execute(sql: "DELETE FROM resourceQuarantine WHERE fileId = ?", arguments: [old.id])
            try db.execute(sql: "DELETE FROM resourceFile WHERE id = ?", arguments: [old.id])
        }
        try db.execute(
            sql: """
                INSERT INTO resourceFile (pipelineId, date, sourcePath, sha256, bytes, rowsRead, rowsStored, rowsQuarantined, loadedAt)
                VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?)
                """,
            arguments: [pipelineId, date, sourcePath, sha256, bytes, Warehouse.now()])
        return db.lastInsertedRowID
    }

    public func finishResourceFile(_ id: Int64, read: Int, stored: Int, quarantined: Int) throws {
        try db.execute(
            sql: "UPDATE resourceFile SET rowsRead = ?, rowsStored = ?, rowsQuarantined = ? WHERE id = ?",
            arguments: [read, stored, quarantined, id])
    }

    public func insertResourceSamples(fileId: Int64, _ samples: [ResourceSample]) throws {
        guard !samples.isEmpty else { return }
        let st = try db.cachedStatement(sql: """
            INSERT INTO resourceSample (fileId, line, epochMs, host, cpu, memoryBytes, memoryTotalBytes, diskUsedShare, ioWait, up)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for s in samples {
            try st.execute(arguments: [
                fileId, s.line, s.epochMilliseconds, s.host, s.cpu, s.memoryBytes, s.memoryTotalBytes, s.diskUsedShare, s.ioWait,
                s.up.map { $0 ? 1 : 0 },
            ])
        }
    }

    public func resourceSamples(fileId: Int64) throws -> [ResourceSample] {
        try Row.fetchAll(db, sql: "SELECT * FROM resourceSample WHERE fileId = ? ORDER BY line", arguments: [fileId]).map { r in
            let up: Int? = r["up"]
            return ResourceSample(
                line: r["line"], epochMilliseconds: r["epochMs"], host: r["host"], cpu: r["cpu"], memoryBytes: r["memoryBytes"],
                memoryTotalBytes: r["memoryTotalBytes"], diskUsedShare: r["diskUsedShare"], ioWait: r["ioWait"],
                up: up.map { $0 != 0 })
        }
    }

    public func insertResourceQuarantined(fileId: Int64, _ rows: [QuarantinedRow]) throws {
        guard !rows.isEmpty else { return }
        let st = try db.cachedStatement(
            sql: "INSERT INTO resourceQuarantine (fileId, file, line, raw, reason, column) VALUES (?, ?, ?, ?, ?, ?)")
        for r in rows {
            try st.execute(arguments: [
                fileId, StoredText.storable(r.file), r.line, StoredText.storable(r.raw), StoredText.storable(r.reason),
                StoredText.storable(r.column),
            ])
        }
    }

    public func hasResourceSamples(fileId: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM resourceSample WHERE fileId = ?)", arguments: [fileId]) ?? false
    }

    public func purgeResourceSamples(pipelineId: Int64, before cutoff: String) throws -> Int {
        try db.execute(
            sql: "DELETE FROM resourceSample WHERE fileId IN (SELECT id FROM resourceFile WHERE pipelineId = ? AND date < ?)",
            arguments: [pipelineId, cutoff])
        return db.changesCount
    }

    public func resourceQuarantined(fileId: Int64, limit: Int) throws -> [QuarantinedRow] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM resourceQuarantine WHERE fileId = ? ORDER BY file, line LIMIT ?", arguments: [fileId, limit]
        ).map { QuarantinedRow(file: $0["file"], line: $0["line"], raw: $0["raw"], reason: $0["reason"], column: $0["column"]) }
    }
}
