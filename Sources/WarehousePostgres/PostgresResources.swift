import AuditModel
import Foundation
import PostgresNIO
import Warehouse

// The serving hosts' resource samples on PostgreSQL (`operational.resources`; the SQLite
// side is Store+Resources.swift, the tables migration v4-issue14c-resources). Samples and
// quarantined rows go in by COPY, like labels.
extension PostgresTransaction {
    static let resourceFileColumns = "id, pipelineId, date, sourcePath, sha256, bytes, rowsRead, rowsStored, rowsQuarantined, loadedAt"

    public func resourceFile(pipelineId: Int64, date: String) throws -> ResourceFileRecord? {
        guard let row = try session.query("""
            SELECT \(unescaped: Self.resourceFileColumns) FROM resourceFile WHERE pipelineId = \(pipelineId) AND date = \(date)
            """).first
        else { return nil }
        let (id, p, d, path, sha, bytes, read, stored, quarantined, loadedAt) =
            try row.decode((Int64, Int64, String, String, String, Int64, Int64, Int64, Int64, String).self)
        return ResourceFileRecord(
            id: id, pipelineId: p, date: d, sourcePath: path, sha256: sha, bytes: Int(bytes), rowsRead: Int(read),
            rowsStored: Int(stored), rowsQuarantined: Int(quarantined), loadedAt: loadedAt)
    }

    public func replaceResourceFile(pipelineId: Int64, date: String, sourcePath: String, sha256: String, bytes: Int) throws -> Int64 {
        if let old = try resourceFile(pipelineId: pipelineId, date: date) {
            try session.query("DELETE FROM resourceSample WHERE fileId = \(old.id)")
            try session.query("DELETE FROM resourceQuarantine WHERE fileId = \(old.id)")
            try session.query("DELETE FROM resourceFile WHERE id = \(old.id)")
        }
        return try returningID("""
            INSERT INTO resourceFile (pipelineId, date, sourcePath, sha256, bytes, rowsRead, rowsStored, rowsQuarantined, loadedAt)
            VALUES (\(pipelineId), \(date), \(sourcePath), \(sha256), \(Int64(bytes)), 0, 0, 0, \(Self.now())) RETURNING id
            """)
    }

    public func finishResourceFile(_ id: Int64, read: Int, stored: Int, quarantined: Int) throws {
        try session.query("""
            UPDATE resourceFile SET rowsRead = \(Int64(read)), rowsStored = \(Int64(stored)),
              rowsQuarantined = \(Int64(quarantined)) WHERE id = \(id)
            """)
    }

    public func insertResourceSamples(fileId: Int64, _ samples: [ResourceSample]) throws {
        guard !samples.isEmpty else { return }
        var w = PostgresCopyText()
        for s in samples {
            w.int(fileId)
            w.int(Int64(s.line))
            w.int(s.epochMilliseconds)
            w.text(s.host)
            w.double(s.cpu)
            w.double(s.memoryBytes)
            w.double(s.memoryTotalBytes)
            w.double(s.diskUsedShare)
            w.double(s.ioWait)
            w.text(s.up.map { $0 ? "t" : "f" })
            w.endRow()
        }
        try session.copy(
            table: "resourcesample",
            columns: ["fileid", "line", "epochms", "host", "cpu", "memorybytes", "memorytotalbytes", "diskusedshare", "iowait", "up"],
            buffers: [w.take()])
    }

    public func resourceSamples(fileId: Int64) throws -> [ResourceSample] {
        try session.query("""
            SELECT line, epochMs, host, cpu, memoryBytes, memoryTotalBytes, diskUsedShare, ioWait, up
            FROM resourceSample WHERE fileId = \(fileId) ORDER BY line
            """).map { r in
            let (line, ms, host, cpu, mem, total, disk, io, up) =
                try r.decode((Int64, Int64, String, Double?, Double?, Double?, Double?, Double?, Bool?).self)
            return ResourceSample(
                line: Int(line), epochMilliseconds: ms, host: host, cpu: cpu, memoryBytes: mem, memoryTotalBytes: total,
                diskUsedShare: disk, ioWait: io, up: up)
        }
    }

    public func insertResourceQuarantined(fileId: Int64, _ rows: [QuarantinedRow]) throws {
        try copyQuarantined(rows, into: "resourcequarantine", owner: "fileid", id: fileId)
    }

    public func hasResourceSamples(fileId: Int64) throws -> Bool {
        try session.query("SELECT EXISTS (SELECT 1 FROM resourceSample WHERE fileId = \(fileId))").first?.decode(Bool.self) ?? false
    }

    public func purgeResourceSamples(pipelineId: Int64, before cutoff: String) throws -> Int {
        let deleted = try session.query("""
            WITH d AS (DELETE FROM resourceSample WHERE fileId IN
              (SELECT id FROM resourceFile WHERE pipelineId = \(pipelineId) AND date < \(cutoff)) RETURNING 1)
            SELECT count(*) FROM d
            """).first?.decode(Int64.self)
        return Int(deleted ?? 0)
    }

    public func resourceQuarantined(fileId: Int64, limit: Int) throws -> [QuarantinedRow] {
        try readQuarantined(from: "resourceQuarantine", owner: "fileId", id: fileId, limit: limit)
    }
}
