import AuditModel
import GRDB

// The SQLite side of the reads behind the fleet overview (`mlaudit status`, `render --fleet`)
// and the Prometheus textfile: the latest audited period and the latest run of a pipeline
// (`RunLedger.latestRun`, `ResultStore.latestPeriodReport`, `ResultStore.reportedDates`).

/// A pipeline's latest run, from the run ledger.
public struct LatestRun: Sendable, Equatable {
    public var id: Int64
    /// Canonical timestamps (`2026-11-29T02:30:00.000Z`).
    public var startedAt: String
    public var finishedAt: String?
    /// `running`, `ok` or `failed`.
    public var status: String
    public var exitStatus: Int?

    public init(id: Int64, startedAt: String, finishedAt: String?, status: String, exitStatus: Int?) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.exitStatus = exitStatus
    }
}

extension Store {
    /// The newest report of the pipeline's latest audited period: the highest date, and of
    /// that date the highest version. Nil when nothing was rendered yet.
    public func latestPeriodReport(pipelineId: Int64) throws -> ReportRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM report WHERE pipelineId = ? ORDER BY date DESC, version DESC LIMIT 1",
            arguments: [pipelineId]
        ).map(ReportRecord.init(row:))
    }

    /// Every audited date of the pipeline, oldest first (for the cadence of `auto` pipelines).
    public func reportedDates(pipelineId: Int64) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT DISTINCT date FROM report WHERE pipelineId = ? ORDER BY date", arguments: [pipelineId])
    }

    /// Every pipeline of the warehouse by name, in byte order (SQLite's default collation).
    public func pipelineNames() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT name FROM pipeline ORDER BY name")
    }

    /// The pipeline's most recent run (any command: `run`, or one stage), or nil.
    public func latestRun(pipelineId: Int64) throws -> LatestRun? {
        guard let r = try Row.fetchOne(
            db, sql: "SELECT id, startedAt, finishedAt, status, exitStatus FROM run WHERE pipelineId = ? ORDER BY id DESC LIMIT 1",
            arguments: [pipelineId])
        else { return nil }
        return LatestRun(id: r["id"], startedAt: r["startedAt"], finishedAt: r["finishedAt"], status: r["status"], exitStatus: r["exitStatus"])
    }
}
