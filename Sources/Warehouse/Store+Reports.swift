import AuditModel
import Foundation
import GRDB

/// A row of the `report` table.
public struct ReportRecord: Sendable, Equatable {
    public var id: Int64
    public var date: String
    public var version: Int
    public var snapshotId: Int64
    public var directory: String
    public var status: String
    public var contentSha256: String
    public var manifestSha256: String
    public var previousManifestSha256: String?
    public var runId: Int64?
    public var createdAt: String
    /// `recommended`, `watch` or `not_needed` (nil on rows written before migration v2-reports).
    public var recommendation: String?
    public var criticalCount: Int?
    public var warningCount: Int?
    public var infoCount: Int?

    init(row: Row) {
        id = row["id"]
        date = row["date"]
        version = row["version"]
        snapshotId = row["snapshotId"]
        directory = row["directory"]
        status = row["status"]
        contentSha256 = row["contentSha256"]
        manifestSha256 = row["manifestSha256"]
        previousManifestSha256 = row["previousManifestSha256"]
        runId = row["runId"]
        createdAt = row["createdAt"]
        recommendation = row["recommendation"]
        criticalCount = row["criticalCount"]
        warningCount = row["warningCount"]
        infoCount = row["infoCount"]
    }
}

// MARK: - Reports

extension Store {
    /// The newest report version of a date.
    public func latestReport(pipelineId: Int64, date: String) throws -> ReportRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM report WHERE pipelineId = ? AND date = ? ORDER BY version DESC LIMIT 1",
            arguments: [pipelineId, date]
        ).map(ReportRecord.init(row:))
    }

    /// The newest report of the pipeline (the head of the manifest chain).
    public func lastReport(pipelineId: Int64) throws -> ReportRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM report WHERE pipelineId = ? ORDER BY id DESC LIMIT 1", arguments: [pipelineId])
            .map(ReportRecord.init(row:))
    }

    /// Every report of the pipeline in chain order.
    public func reports(pipelineId: Int64) throws -> [ReportRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM report WHERE pipelineId = ? ORDER BY id", arguments: [pipelineId])
            .map(ReportRecord.init(row:))
    }

    public func insertReport(
        pipelineId: Int64, date: String, version: Int, snapshotId: Int64, directory: String, status: AuditStatus,
        contentSha256: String, manifestSha256: String, previousManifestSha256: String?, runId: Int64?,
        recommendation: Recommendation, counts: AuditSummary.SeverityCounts,
        files: [(name: String, sha256: String, bytes: Int)]
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO report (pipelineId, date, version, snapshotId, directory, status, contentSha256, manifestSha256,
                  previousManifestSha256, runId, createdAt, recommendation, criticalCount, warningCount, infoCount)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                pipelineId, date, version, snapshotId, directory, status.rawValue, contentSha256, manifestSha256,
                previousManifestSha256, runId, Warehouse.now(), recommendation.rawValue, counts.critical, counts.warning,
                counts.info,
            ])
        let id = db.lastInsertedRowID
        for f in files {
            try db.execute(
                sql: "INSERT INTO reportFile (reportId, name, sha256, bytes) VALUES (?, ?, ?, ?)",
                arguments: [id, f.name, f.sha256, f.bytes])
        }
        return id
    }

    /// One report version of the pipeline.
    public func report(pipelineId: Int64, date: String, version: Int) throws -> ReportRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM report WHERE pipelineId = ? AND date = ? AND version = ?",
            arguments: [pipelineId, date, version]
        ).map(ReportRecord.init(row:))
    }

    public func reportFiles(reportId: Int64) throws -> [(name: String, sha256: String, bytes: Int)] {
        try Row.fetchAll(db, sql: "SELECT * FROM reportFile WHERE reportId = ? ORDER BY name", arguments: [reportId])
            .map { ($0["name"], $0["sha256"], $0["bytes"]) }
    }
}
