import AuditModel
import Foundation
import GRDB

/// Status of a stage for a date, from the ledger.
public enum StageStatus: String, Sendable {
    case running, ok, failed
}

/// A row of the `run` table.
public struct RunRecord: Sendable, Equatable {
    public var id: Int64
    public var command: String
    public var toolVersion: String
    public var startedAt: String
    public var finishedAt: String?
    public var status: String

    public init(id: Int64, command: String, toolVersion: String, startedAt: String, finishedAt: String?, status: String) {
        self.id = id
        self.command = command
        self.toolVersion = toolVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
    }
}

/// A row of the `stageRun` table.
public struct StageRunRecord: Sendable, Equatable {
    public var id: Int64
    public var runId: Int64
    public var date: String
    public var stage: Stage
    public var snapshotId: Int64?
    public var status: StageStatus
    public var startedAt: String
    public var finishedAt: String?
    public var error: String?

    public init(
        id: Int64, runId: Int64, date: String, stage: Stage, snapshotId: Int64?, status: StageStatus, startedAt: String,
        finishedAt: String?, error: String?
    ) {
        self.id = id
        self.runId = runId
        self.date = date
        self.stage = stage
        self.snapshotId = snapshotId
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
    }
}

// MARK: - Pipelines and definitions

extension Store {
    /// The id of pipeline `name`, created on first use.
    public func ensurePipeline(_ name: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM pipeline WHERE name = ?", arguments: [name]) {
            return id
        }
        try db.execute(
            sql: "INSERT INTO pipeline (name, rowTable, createdAt) VALUES (?, ?, ?)",
            arguments: [name, "row_" + name, Warehouse.now()])
        return db.lastInsertedRowID
    }

    /// Records a definition version (deduplicated by SHA-256) and returns its id.
    public func recordDefinition(pipelineId: Int64, _ loaded: LoadedDefinition) throws -> Int64 {
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM definition WHERE pipelineId = ? AND sha256 = ?",
            arguments: [pipelineId, loaded.sha256])
        {
            return id
        }
        try db.execute(
            sql: "INSERT INTO definition (pipelineId, sha256, path, text, firstSeenAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [pipelineId, loaded.sha256, loaded.path, loaded.text, Warehouse.now()])
        return db.lastInsertedRowID
    }

    /// The id of pipeline `name`, or nil when it has never run.
    public func ensurePipelineIfExists(_ name: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM pipeline WHERE name = ?", arguments: [name])
    }
}

// MARK: - Run ledger

extension Store {
    public func startRun(pipelineId: Int64, definitionId: Int64?, command: String) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO run (pipelineId, definitionId, command, toolVersion, startedAt, status)
                VALUES (?, ?, ?, ?, ?, 'running')
                """,
            arguments: [pipelineId, definitionId, command, MLAuditVersion.current, Warehouse.now()])
        return db.lastInsertedRowID
    }

    public func finishRun(_ runId: Int64, ok: Bool, exitStatus: Int32, error: String?) throws {
        try db.execute(
            sql: "UPDATE run SET finishedAt = ?, status = ?, exitStatus = ?, error = ? WHERE id = ?",
            arguments: [Warehouse.now(), ok ? "ok" : "failed", Int(exitStatus), error, runId])
    }

    public func run(id: Int64) throws -> RunRecord? {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM run WHERE id = ?", arguments: [id]) else { return nil }
        return RunRecord(
            id: r["id"], command: r["command"], toolVersion: r["toolVersion"], startedAt: r["startedAt"],
            finishedAt: r["finishedAt"], status: r["status"])
    }

    /// Marks a stage as started for a date; returns the stageRun id.
    public func startStage(runId: Int64, pipelineId: Int64, date: String, stage: Stage) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO stageRun (runId, pipelineId, date, stage, status, startedAt)
                VALUES (?, ?, ?, ?, 'running', ?)
                """,
            arguments: [runId, pipelineId, date, stage.rawValue, Warehouse.now()])
        return db.lastInsertedRowID
    }

    /// Marks a stage done. Call inside the stage's own transaction, so results and status commit together.
    public func completeStage(_ stageRunId: Int64, snapshotId: Int64?) throws {
        try db.execute(
            sql: "UPDATE stageRun SET status = 'ok', finishedAt = ?, snapshotId = ? WHERE id = ?",
            arguments: [Warehouse.now(), snapshotId, stageRunId])
    }

    public func failStage(_ stageRunId: Int64, error: String) throws {
        try db.execute(
            sql: "UPDATE stageRun SET status = 'failed', finishedAt = ?, error = ? WHERE id = ?",
            arguments: [Warehouse.now(), error, stageRunId])
    }

    /// The latest ledger entry of a stage for a date.
    public func lastStageRun(pipelineId: Int64, date: String, stage: Stage) throws -> StageRunRecord? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM stageRun WHERE pipelineId = ? AND date = ? AND stage = ? ORDER BY id DESC LIMIT 1",
            arguments: [pipelineId, date, stage.rawValue]
        ).map(Self.stageRun)
    }

    /// Every stage run of a run, in order.
    public func stageRuns(runId: Int64) throws -> [StageRunRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM stageRun WHERE runId = ? ORDER BY id", arguments: [runId]).map(Self.stageRun)
    }

    /// The latest successful stage runs for a date, one per stage.
    public func completedStages(pipelineId: Int64, date: String) throws -> [StageRunRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM stageRun s WHERE pipelineId = ? AND date = ? AND status = 'ok'
                AND id = (SELECT MAX(id) FROM stageRun t WHERE t.pipelineId = s.pipelineId AND t.date = s.date
                          AND t.stage = s.stage AND t.status = 'ok')
                ORDER BY id
                """, arguments: [pipelineId, date]
        ).map(Self.stageRun)
    }

    static func stageRun(_ r: Row) -> StageRunRecord {
        StageRunRecord(
            id: r["id"], runId: r["runId"], date: r["date"], stage: Stage(rawValue: r["stage"]) ?? .ingest,
            snapshotId: r["snapshotId"], status: StageStatus(rawValue: r["status"]) ?? .failed,
            startedAt: r["startedAt"], finishedAt: r["finishedAt"], error: r["error"])
    }
}
