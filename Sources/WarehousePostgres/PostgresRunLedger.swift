import AuditModel
import Foundation
import PostgresNIO
import Warehouse

/// A transaction of the PostgreSQL warehouse: the seam's calls as SQL on the session that
/// holds the transaction open. Used only inside the body of one `read`/`write`.
public struct PostgresTransaction {
    public let session: PostgresSession

    public init(session: PostgresSession) { self.session = session }

    static func now() -> String { PostgresMigrations.nowText() }

    /// The id a statement with `RETURNING id` gave back.
    func returningID(_ query: PostgresQuery) throws -> Int64 {
        guard let row = try session.query(query).first else {
            throw MLAuditError.internalError("an INSERT … RETURNING id returned no row")
        }
        return try row.decode(Int64.self)
    }
}

// MARK: - RunLedger (docs/warehouse.md: pipeline, definition, run, stageRun)

extension PostgresTransaction: RunLedger {
    public func ensurePipeline(_ name: String) throws -> Int64 {
        if let id = try ensurePipelineIfExists(name) { return id }
        return try returningID(
            "INSERT INTO pipeline (name, rowTable, createdAt) VALUES (\(name), \(Self.rowTableName(name)), \(Self.now())) RETURNING id")
    }

    /// The row table of pipeline `name`: `row_NAME`, or for a long name (PostgreSQL keeps 63
    /// bytes of an identifier, and the table's index adds `_snapshot`) `row_` + its first 24
    /// characters + `_` + 16 hex digits of FNV-1a 64 of the whole name.
    static func rowTableName(_ name: String) -> String {
        let plain = "row_" + name
        if plain.utf8.count <= 50 { return plain }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        var cut = ""
        for s in name.unicodeScalars {
            if cut.utf8.count + String(s).utf8.count > 24 { break }
            cut.unicodeScalars.append(s)
        }
        return "row_" + cut + "_" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    public func ensurePipelineIfExists(_ name: String) throws -> Int64? {
        try session.query("SELECT id FROM pipeline WHERE name = \(name)").first?.decode(Int64.self)
    }

    public func recordDefinition(pipelineId: Int64, _ loaded: LoadedDefinition) throws -> Int64 {
        if let id = try session.query("SELECT id FROM definition WHERE pipelineId = \(pipelineId) AND sha256 = \(loaded.sha256)")
            .first?.decode(Int64.self)
        {
            return id
        }
        return try returningID("""
            INSERT INTO definition (pipelineId, sha256, path, text, firstSeenAt)
            VALUES (\(pipelineId), \(loaded.sha256), \(loaded.path), \(loaded.text), \(Self.now())) RETURNING id
            """)
    }

    public func startRun(pipelineId: Int64, definitionId: Int64?, command: String) throws -> Int64 {
        try returningID("""
            INSERT INTO run (pipelineId, definitionId, command, toolVersion, startedAt, status)
            VALUES (\(pipelineId), \(definitionId), \(command), \(MLAuditVersion.current), \(Self.now()), 'running') RETURNING id
            """)
    }

    public func finishRun(_ runId: Int64, ok: Bool, exitStatus: Int32, error: String?) throws {
        try session.query("""
            UPDATE run SET finishedAt = \(Self.now()), status = \(ok ? "ok" : "failed"), exitStatus = \(Int64(exitStatus)),
              error = \(error) WHERE id = \(runId)
            """)
    }

    public func run(id: Int64) throws -> RunRecord? {
        guard let row = try session.query(
            "SELECT id, command, toolVersion, startedAt, finishedAt, status FROM run WHERE id = \(id)").first
        else { return nil }
        let (i, command, version, started, finished, status) = try row.decode((Int64, String, String, String, String?, String).self)
        return RunRecord(id: i, command: command, toolVersion: version, startedAt: started, finishedAt: finished, status: status)
    }

    @discardableResult
    public func markInterrupted(pipelineId: Int64, exceptRun current: Int64) throws -> Int {
        try session.query("""
            UPDATE stageRun SET status = 'failed', finishedAt = \(Self.now()),
              error = 'interrupted: the run ended before this stage finished'
            WHERE pipelineId = \(pipelineId) AND status = 'running' AND runId != \(current)
            """)
        let rows = try session.query("""
            UPDATE run SET status = 'failed', error = 'interrupted: the process ended without finishing (killed or crashed)'
            WHERE pipelineId = \(pipelineId) AND status = 'running' AND id != \(current) RETURNING id
            """)
        return rows.count
    }

    public func startStage(runId: Int64, pipelineId: Int64, date: String, stage: Stage) throws -> Int64 {
        try returningID("""
            INSERT INTO stageRun (runId, pipelineId, date, stage, status, startedAt)
            VALUES (\(runId), \(pipelineId), \(date), \(stage.rawValue), 'running', \(Self.now())) RETURNING id
            """)
    }

    public func completeStage(_ stageRunId: Int64, snapshotId: Int64?) throws {
        try session.query(
            "UPDATE stageRun SET status = 'ok', finishedAt = \(Self.now()), snapshotId = \(snapshotId) WHERE id = \(stageRunId)")
    }

    public func failStage(_ stageRunId: Int64, error: String) throws {
        try session.query(
            "UPDATE stageRun SET status = 'failed', finishedAt = \(Self.now()), error = \(error) WHERE id = \(stageRunId)")
    }

    static let stageRunColumns = "id, runId, date, stage, snapshotId, status, startedAt, finishedAt, error"

    static func stageRun(_ row: PostgresRow) throws -> StageRunRecord {
        let (id, runId, date, stage, snapshotId, status, started, finished, error) =
            try row.decode((Int64, Int64, String, String, Int64?, String, String, String?, String?).self)
        return StageRunRecord(
            id: id, runId: runId, date: date, stage: Stage(rawValue: stage) ?? .ingest, snapshotId: snapshotId,
            status: StageStatus(rawValue: status) ?? .failed, startedAt: started, finishedAt: finished, error: error)
    }

    public func lastStageRun(pipelineId: Int64, date: String, stage: Stage) throws -> StageRunRecord? {
        try session.query("""
            SELECT \(unescaped: Self.stageRunColumns) FROM stageRun
            WHERE pipelineId = \(pipelineId) AND date = \(date) AND stage = \(stage.rawValue) ORDER BY id DESC LIMIT 1
            """).first.map(Self.stageRun)
    }

    public func stageRuns(runId: Int64) throws -> [StageRunRecord] {
        try session.query("SELECT \(unescaped: Self.stageRunColumns) FROM stageRun WHERE runId = \(runId) ORDER BY id")
            .map(Self.stageRun)
    }

    public func completedStages(pipelineId: Int64, date: String) throws -> [StageRunRecord] {
        try session.query("""
            SELECT \(unescaped: Self.stageRunColumns) FROM stageRun s WHERE pipelineId = \(pipelineId) AND date = \(date)
              AND status = 'ok'
              AND id = (SELECT MAX(id) FROM stageRun t WHERE t.pipelineId = s.pipelineId AND t.date = s.date
                        AND t.stage = s.stage AND t.status = 'ok')
            ORDER BY id
            """).map(Self.stageRun)
    }
}

extension PostgresPipelineLock: PipelineLease {
    /// An advisory lock leaves nothing behind when its holder dies.
    public var previousHolder: String? { nil }
}

extension PostgresTransaction {
    public func latestRun(pipelineId: Int64) throws -> LatestRun? {
        guard let row = try session.query("""
            SELECT id, startedAt, finishedAt, status, exitStatus FROM run WHERE pipelineId = \(pipelineId) ORDER BY id DESC LIMIT 1
            """).first
        else { return nil }
        let (id, started, finished, status, exit) = try row.decode((Int64, String, String?, String, Int64?).self)
        return LatestRun(id: id, startedAt: started, finishedAt: finished, status: status, exitStatus: exit.map(Int.init))
    }

    public func latestPeriodReport(pipelineId: Int64) throws -> ReportRecord? {
        try session.query("""
            SELECT \(unescaped: Self.reportColumns) FROM report WHERE pipelineId = \(pipelineId)
            ORDER BY date DESC, version DESC LIMIT 1
            """).first.map(Self.report)
    }

    public func pipelineNames() throws -> [String] {
        try session.query("SELECT name FROM pipeline ORDER BY name COLLATE \"C\"").map { try $0.decode(String.self) }
    }

    public func reportedDates(pipelineId: Int64) throws -> [String] {
        try session.query("SELECT DISTINCT date FROM report WHERE pipelineId = \(pipelineId) ORDER BY date")
            .map { try $0.decode(String.self) }
    }
}
