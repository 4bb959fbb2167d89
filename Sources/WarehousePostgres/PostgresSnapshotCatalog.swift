import AuditModel
import Foundation
import PostgresNIO
import Warehouse

// MARK: - SnapshotCatalog (docs/warehouse.md: snapshot, snapshotPart, modelConfig,
// quarantinedRow, label). Text is ordered with COLLATE "C" (byte order), as SQLite's BINARY.

extension PostgresTransaction: SnapshotCatalog {
    public func recordModelConfig(pipelineId: Int64, path: String, content: String, sha256: String) throws -> Int64 {
        if let id = try session.query("SELECT id FROM modelConfig WHERE pipelineId = \(pipelineId) AND sha256 = \(sha256)")
            .first?.decode(Int64.self)
        {
            return id
        }
        return try returningID("""
            INSERT INTO modelConfig (pipelineId, sha256, path, content, firstSeenAt)
            VALUES (\(pipelineId), \(sha256), \(path), \(content), \(Self.now())) RETURNING id
            """)
    }

    public func modelConfig(id: Int64) throws -> (path: String, content: String, sha256: String)? {
        guard let row = try session.query("SELECT path, content, sha256 FROM modelConfig WHERE id = \(id)").first else { return nil }
        let (path, content, sha) = try row.decode((String, String, String).self)
        return (path, content, sha)
    }

    static let snapshotColumns = """
        id, pipelineId, kind, date, version, sourcePath, sha256, bytes, rowsRead, rowsStored, rowsQuarantined, status, header,
        modelConfigId, modelConfigPath, runId, ingestedAt, rowsPurgedAt
        """

    static func snapshot(_ r: PostgresRow) throws -> SnapshotRecord {
        let cells = r.makeRandomAccess()
        func text(_ i: Int) throws -> String { try cells[i].decode(String.self) }
        func optionalText(_ i: Int) throws -> String? { try cells[i].decode(String?.self) }
        func int(_ i: Int) throws -> Int64 { try cells[i].decode(Int64.self) }
        func optionalInt(_ i: Int) throws -> Int64? { try cells[i].decode(Int64?.self) }
        return SnapshotRecord(
            id: try int(0), pipelineId: try int(1), kind: SnapshotKind(rawValue: try text(2)) ?? .daily, date: try text(3),
            version: Int(try int(4)), sourcePath: try text(5), sha256: try text(6), bytes: Int(try int(7)),
            rowsRead: Int(try int(8)), rowsStored: Int(try int(9)), rowsQuarantined: Int(try int(10)), status: try text(11),
            header: (try? PostgresJSON.decode([String].self, try text(12))) ?? [], modelConfigId: try optionalInt(13),
            modelConfigPath: try optionalText(14), runId: try optionalInt(15), ingestedAt: try text(16),
            rowsPurgedAt: try optionalText(17))
    }

    public func currentSnapshot(pipelineId: Int64, kind: SnapshotKind, date: String) throws -> SnapshotRecord? {
        try session.query("""
            SELECT \(unescaped: Self.snapshotColumns) FROM snapshot
            WHERE pipelineId = \(pipelineId) AND kind = \(kind.rawValue) AND date = \(date) AND status = 'current'
            ORDER BY version DESC LIMIT 1
            """).first.map(Self.snapshot)
    }

    public func snapshot(id: Int64) throws -> SnapshotRecord? {
        try session.query("SELECT \(unescaped: Self.snapshotColumns) FROM snapshot WHERE id = \(id)").first.map(Self.snapshot)
    }

    public func snapshotVersions(pipelineId: Int64, kind: SnapshotKind, date: String) throws -> [SnapshotRecord] {
        try session.query("""
            SELECT \(unescaped: Self.snapshotColumns) FROM snapshot
            WHERE pipelineId = \(pipelineId) AND kind = \(kind.rawValue) AND date = \(date) ORDER BY version
            """).map(Self.snapshot)
    }

    public func currentDailySnapshots(pipelineId: Int64) throws -> [SnapshotRecord] {
        try session.query("""
            SELECT \(unescaped: Self.snapshotColumns) FROM snapshot
            WHERE pipelineId = \(pipelineId) AND kind = 'daily' AND status = 'current' ORDER BY date COLLATE "C"
            """).map(Self.snapshot)
    }

    public func currentSnapshotDates(pipelineId: Int64, kind: SnapshotKind) throws -> [String] {
        try session.query("""
            SELECT DISTINCT date COLLATE "C" AS date FROM snapshot
            WHERE pipelineId = \(pipelineId) AND kind = \(kind.rawValue) AND status = 'current' ORDER BY 1
            """).map { try $0.decode(String.self) }
    }

    public func newestDailyDate(pipelineId: Int64) throws -> String? {
        try session.query("""
            SELECT MAX(date COLLATE "C") FROM snapshot WHERE pipelineId = \(pipelineId) AND kind = 'daily' AND status = 'current'
            """).first?.decode(String?.self)
    }

    public func insertSnapshot(pipelineId: Int64, _ s: NewSnapshot) throws -> (id: Int64, version: Int) {
        let previous = try session.query("""
            SELECT MAX(version) FROM snapshot WHERE pipelineId = \(pipelineId) AND kind = \(s.kind.rawValue) AND date = \(s.date)
            """).first?.decode(Int64?.self) ?? 0
        let version = previous + 1
        try session.query("""
            UPDATE snapshot SET status = 'superseded'
            WHERE pipelineId = \(pipelineId) AND kind = \(s.kind.rawValue) AND date = \(s.date) AND status = 'current'
            """)
        let id = try returningID("""
            INSERT INTO snapshot (pipelineId, kind, date, version, sourcePath, sha256, bytes, rowsRead, rowsStored,
              rowsQuarantined, status, header, modelConfigId, runId, ingestedAt)
            VALUES (\(pipelineId), \(s.kind.rawValue), \(s.date), \(version), \(s.sourcePath), \(s.sha256), \(Int64(s.bytes)),
              0, 0, 0, 'current', \(try PostgresJSON.encode(s.header)), \(s.modelConfigId), \(s.runId), \(Self.now()))
            RETURNING id
            """)
        return (id, Int(version))
    }

    public func finishSnapshot(_ id: Int64, read: Int, stored: Int, quarantined: Int) throws {
        try session.query("""
            UPDATE snapshot SET rowsRead = \(Int64(read)), rowsStored = \(Int64(stored)), rowsQuarantined = \(Int64(quarantined))
            WHERE id = \(id)
            """)
    }

    public func setSnapshotHeader(_ id: Int64, header: [String]) throws {
        try session.query("UPDATE snapshot SET header = \(try PostgresJSON.encode(header)) WHERE id = \(id)")
    }

    public func setSnapshotModelConfig(_ id: Int64, _ configId: Int64?, path: String?) throws {
        try session.query("UPDATE snapshot SET modelConfigId = \(configId), modelConfigPath = \(path) WHERE id = \(id)")
    }

    public func setSnapshotDigest(_ id: Int64, sha256: String, bytes: Int) throws {
        try session.query("UPDATE snapshot SET sha256 = \(sha256), bytes = \(Int64(bytes)) WHERE id = \(id)")
    }

    public func insertSnapshotParts(snapshotId: Int64, _ parts: [SnapshotPartRecord]) throws {
        for p in parts {
            try session.query("""
                INSERT INTO snapshotPart (snapshotId, ordinal, path, name, format, compression, sha256, bytes, dataBytes,
                  rowsRead, rowsStored, rowsQuarantined, damage)
                VALUES (\(snapshotId), \(Int64(p.ordinal)), \(p.path), \(p.name), \(p.format), \(p.compression), \(p.sha256),
                  \(Int64(p.bytes)), \(Int64(p.dataBytes)), \(Int64(p.rowsRead)), \(Int64(p.rowsStored)),
                  \(Int64(p.rowsQuarantined)), \(p.damage))
                """)
        }
    }

    public func snapshotParts(snapshotId: Int64) throws -> [SnapshotPartRecord] {
        try session.query("""
            SELECT ordinal, path, name, format, compression, sha256, bytes, dataBytes, rowsRead, rowsStored, rowsQuarantined, damage
            FROM snapshotPart WHERE snapshotId = \(snapshotId) ORDER BY ordinal
            """).map { r in
            let (ordinal, path, name, format, compression, sha, bytes, dataBytes, read, stored, quarantined, damage) =
                try r.decode((Int64, String, String, String, String, String, Int64, Int64, Int64, Int64, Int64, String?).self)
            return SnapshotPartRecord(
                ordinal: Int(ordinal), path: path, name: name, format: format, compression: compression, sha256: sha,
                bytes: Int(bytes), dataBytes: Int(dataBytes), rowsRead: Int(read), rowsStored: Int(stored),
                rowsQuarantined: Int(quarantined), damage: damage)
        }
    }

    public func clearPurged(_ snapshotId: Int64) throws {
        try session.query("UPDATE snapshot SET rowsPurgedAt = NULL WHERE id = \(snapshotId)")
    }

    public func insertQuarantined(snapshotId: Int64, _ rows: [QuarantinedRow]) throws {
        try copyQuarantined(rows, into: "quarantinedrow", owner: "snapshotid", id: snapshotId)
    }

    public func quarantined(snapshotId: Int64, limit: Int) throws -> [QuarantinedRow] {
        try readQuarantined(from: "quarantinedRow", owner: "snapshotId", id: snapshotId, limit: limit)
    }

    /// Copies quarantined rows into `table` (quarantinedRow or resourceQuarantine) under the
    /// owner column `owner` (the snapshot's or the resource file's id). Both names are
    /// string constants at the call sites, never data.
    func copyQuarantined(_ rows: [QuarantinedRow], into table: String, owner: String, id: Int64) throws {
        guard !rows.isEmpty else { return }
        var w = PostgresCopyText()
        for r in rows {
            w.int(id)
            w.text(r.file)
            w.int(Int64(r.line))
            w.text(r.raw)
            w.text(r.reason)
            w.text(r.column)
            w.endRow()
        }
        try session.copy(table: table, columns: [owner, "file", "line", "raw", "reason", "column"], buffers: [w.take()])
    }

    /// The quarantined rows of one owner in `table`, by file and line (at most `limit`).
    func readQuarantined(from table: String, owner: String, id: Int64, limit: Int) throws -> [QuarantinedRow] {
        let query: PostgresQuery = """
            SELECT file, line, raw, reason, "column" FROM \(unescaped: table) WHERE \(unescaped: owner) = \(id)
            ORDER BY file COLLATE "C", line LIMIT \(Int64(limit))
            """
        return try session.query(query).map { r in
            let (file, line, raw, reason, column) = try r.decode((String, Int64, String, String, String?).self)
            return QuarantinedRow(file: file, line: Int(line), raw: raw, reason: reason, column: column)
        }
    }

    public func quarantineReasons(snapshotId: Int64) throws -> [ValueCount] {
        try session.query("""
            SELECT reason, COUNT(*) AS n FROM quarantinedRow WHERE snapshotId = \(snapshotId)
            GROUP BY reason ORDER BY n DESC, reason COLLATE "C"
            """).map { r in
            let (reason, n) = try r.decode((String, Int64).self)
            return ValueCount(value: reason, count: Int(n))
        }
    }

    public func quarantineByColumn(snapshotId: Int64) throws -> [QuarantineByColumn] {
        let counts = try session.query("""
            SELECT "column", COUNT(*) AS n FROM quarantinedRow WHERE snapshotId = \(snapshotId) AND "column" IS NOT NULL
            GROUP BY "column" ORDER BY "column" COLLATE "C"
            """).map { try $0.decode((String, Int64).self) }
        return try counts.map { column, n in
            let examples = try session.query("""
                SELECT reason FROM quarantinedRow WHERE snapshotId = \(snapshotId) AND "column" = \(column)
                ORDER BY file COLLATE "C", line LIMIT 3
                """).map { try $0.decode(String.self) }
            return QuarantineByColumn(column: column, count: Int(n), examples: examples)
        }
    }

    public func insertLabels(snapshotId: Int64, _ labels: [(rowId: String, value: String?, line: Int)]) throws {
        guard !labels.isEmpty else { return }
        var w = PostgresCopyText()
        for l in labels {
            w.int(snapshotId)
            w.text(l.rowId)
            w.text(l.value)
            w.int(Int64(l.line))
            w.endRow()
        }
        try session.copy(table: "label", columns: ["snapshotid", "rowid", "value", "line"], buffers: [w.take()])
    }

    public func labelValueCounts(snapshotId: Int64) throws -> [ValueCount] {
        try session.query("""
            SELECT value, COUNT(*) AS n FROM label WHERE snapshotId = \(snapshotId) AND value IS NOT NULL
            GROUP BY value ORDER BY n DESC, value COLLATE "C"
            """).map { r in
            let (value, n) = try r.decode((String, Int64).self)
            return ValueCount(value: value, count: Int(n))
        }
    }

    public func conflictingLabelIds(snapshotId: Int64, examples: Int) throws -> (count: Int, examples: [String]) {
        let ids = try session.query("""
            SELECT rowId FROM label WHERE snapshotId = \(snapshotId) AND value IS NOT NULL
            GROUP BY rowId HAVING COUNT(DISTINCT value) > 1 ORDER BY rowId COLLATE "C"
            """).map { try $0.decode(String.self) }
        return (ids.count, Array(ids.prefix(max(0, examples))))
    }

    public func labels(snapshotId: Int64) throws -> [String: String] {
        var out: [String: String] = [:]
        for r in try session.query("""
            SELECT rowId, value FROM label WHERE snapshotId = \(snapshotId) AND value IS NOT NULL ORDER BY line
            """) {
            let (id, value) = try r.decode((String, String).self)
            out[id] = value
        }
        return out
    }

    public func deleteLabelRows(snapshotId: Int64) throws {
        try session.query("DELETE FROM label WHERE snapshotId = \(snapshotId)")
        try session.query("DELETE FROM quarantinedRow WHERE snapshotId = \(snapshotId)")
        try session.query("DELETE FROM snapshotPart WHERE snapshotId = \(snapshotId)")
    }
}
