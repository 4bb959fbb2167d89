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

/// Status of a stage for a date, from the ledger.
public enum StageStatus: String, Sendable {
    case running, ok, failed
}

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

/// A row of the `run` table.
public struct RunRecord: Sendable, Equatable {
    public var id: Int64
    public var command: String
    public var toolVersion: String
    public var startedAt: String
    public var finishedAt: String?
    public var status: String
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
}

// MARK: - Pipelines, definitions, model configurations

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

    /// Records a model configuration's content (deduplicated by SHA-256) and returns its id.
    public func recordModelConfig(pipelineId: Int64, path: String, content: String, sha256: String) throws -> Int64 {
        if let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM modelConfig WHERE pipelineId = ? AND sha256 = ?", arguments: [pipelineId, sha256])
        {
            return id
        }
        try db.execute(
            sql: "INSERT INTO modelConfig (pipelineId, sha256, path, content, firstSeenAt) VALUES (?, ?, ?, ?, ?)",
            arguments: [pipelineId, sha256, path, content, Warehouse.now()])
        return db.lastInsertedRowID
    }

    /// A recorded model configuration: path, content, SHA-256.
    public func modelConfig(id: Int64) throws -> (path: String, content: String, sha256: String)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT path, content, sha256 FROM modelConfig WHERE id = ?", arguments: [id])
        else { return nil }
        return (row["path"], row["content"], row["sha256"])
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
            try st.execute(arguments: [snapshotId, r.file, r.line, r.raw, r.reason, r.column])
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
        for l in labels { try st.execute(arguments: [snapshotId, l.rowId, l.value, l.line]) }
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
}

// MARK: - Findings, profiles, metrics, drift, results

extension Store {
    /// Replaces a stage's findings for a snapshot.
    public func replaceFindings(snapshotId: Int64, stage: Stage, _ findings: [Finding], stageRunId: Int64?) throws {
        try db.execute(sql: "DELETE FROM finding WHERE snapshotId = ? AND stage = ?", arguments: [snapshotId, stage.rawValue])
        try appendFindings(snapshotId: snapshotId, findings, stageRunId: stageRunId)
    }

    /// Adds findings without removing earlier ones.
    public func appendFindings(snapshotId: Int64, _ findings: [Finding], stageRunId: Int64?) throws {
        let st = try db.cachedStatement(
            sql: """
                INSERT INTO finding (snapshotId, stage, checkId, category, severity, column, message, observed, expected,
                  advice, stageRunId, segmentColumn, segmentValue)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for f in findings {
            try st.execute(arguments: [
                snapshotId, f.stage.rawValue, f.check, f.category.rawValue, f.severity.rawValue, f.column, f.message,
                f.observed, f.expected, f.advice, stageRunId, f.segment?.column, f.segment?.value,
            ])
        }
    }

    /// Findings of a snapshot, optionally of one stage, in insertion order.
    public func findings(snapshotId: Int64, stage: Stage? = nil) throws -> [Finding] {
        var sql = "SELECT * FROM finding WHERE snapshotId = ?"
        var args: StatementArguments = [snapshotId]
        if let stage {
            sql += " AND stage = ?"
            args += [stage.rawValue]
        }
        sql += " ORDER BY id"
        return try Row.fetchAll(db, sql: sql, arguments: args).map { r in
            Finding(
                check: r["checkId"], stage: Stage(rawValue: r["stage"]) ?? .validate,
                category: FindingCategory(rawValue: r["category"]) ?? .dataQuality,
                severity: Severity(rawValue: r["severity"]) ?? .info, column: r["column"], message: r["message"],
                observed: r["observed"], expected: r["expected"], advice: r["advice"],
                segment: (r["segmentColumn"] as String?).map { SegmentRef(column: $0, value: r["segmentValue"] ?? "") })
        }
    }

    public func replaceProfiles(snapshotId: Int64, _ profiles: [ColumnProfile]) throws {
        try db.execute(sql: "DELETE FROM columnProfile WHERE snapshotId = ?", arguments: [snapshotId])
        let st = try db.cachedStatement(
            sql: "INSERT INTO columnProfile (snapshotId, column, type, role, profile) VALUES (?, ?, ?, ?, ?)")
        for p in profiles {
            try st.execute(arguments: [snapshotId, p.column, p.type.rawValue, p.role.rawValue, try encodeJSON(p)])
        }
    }

    public func profiles(snapshotId: Int64) throws -> [ColumnProfile] {
        try String.fetchAll(db, sql: "SELECT profile FROM columnProfile WHERE snapshotId = ? ORDER BY rowid", arguments: [snapshotId])
            .map { try decodeJSON(ColumnProfile.self, $0) }
    }

    /// Replaces the metrics a stage wrote for a snapshot.
    public func replaceMetrics(snapshotId: Int64, stage: Stage, _ metrics: [Metric]) throws {
        try db.execute(sql: "DELETE FROM metric WHERE snapshotId = ? AND stage = ?", arguments: [snapshotId, stage.rawValue])
        let st = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO metric (snapshotId, stage, name, column, value) VALUES (?, ?, ?, ?, ?)")
        for m in metrics {
            try st.execute(arguments: [snapshotId, stage.rawValue, m.name.rawValue, m.column, m.value])
        }
    }

    public func metrics(snapshotId: Int64) throws -> [Metric] {
        try Row.fetchAll(db, sql: "SELECT name, column, value FROM metric WHERE snapshotId = ? ORDER BY name, column", arguments: [snapshotId])
            .map { Metric(MetricName(rawValue: $0["name"]), column: $0["column"], $0["value"]) }
    }

    public func metric(snapshotId: Int64, name: MetricName, column: String = "") throws -> Double? {
        try Double.fetchOne(
            db, sql: "SELECT value FROM metric WHERE snapshotId = ? AND name = ? AND column = ?",
            arguments: [snapshotId, name.rawValue, column])
    }

    /// A metric over the current daily snapshots with date in `from...to`, oldest first.
    public func metricSeries(pipelineId: Int64, name: MetricName, column: String = "", from: String, to: String) throws
        -> [(date: String, value: Double?)]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.date, m.value FROM snapshot s
                LEFT JOIN metric m ON m.snapshotId = s.id AND m.name = ? AND m.column = ?
                WHERE s.pipelineId = ? AND s.kind = 'daily' AND s.status = 'current' AND s.date BETWEEN ? AND ?
                ORDER BY s.date
                """, arguments: [name.rawValue, column, pipelineId, from, to]
        ).map { ($0["date"], $0["value"]) }
    }

    public func replaceDrift(snapshotId: Int64, baselineSnapshotId: Int64, _ results: [DriftResult]) throws {
        try db.execute(sql: "DELETE FROM drift WHERE snapshotId = ?", arguments: [snapshotId])
        let st = try db.cachedStatement(
            sql: """
                INSERT INTO drift (snapshotId, baselineSnapshotId, column, role, method, statistic, pValue, threshold, drifted,
                  referenceCount, currentCount, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for r in results {
            try st.execute(arguments: [
                snapshotId, baselineSnapshotId, r.column, r.role.rawValue, r.method.rawValue, r.statistic, r.pValue,
                r.threshold, r.drifted, r.referenceCount, r.currentCount, try encodeJSON(r.extra),
            ])
        }
    }

    public func drift(snapshotId: Int64) throws -> [DriftResult] {
        try Row.fetchAll(db, sql: "SELECT * FROM drift WHERE snapshotId = ? ORDER BY rowid", arguments: [snapshotId]).map { r in
            DriftResult(
                column: r["column"], role: ColumnRole(rawValue: r["role"]) ?? .feature,
                method: DriftMethod(rawValue: r["method"]) ?? .auto, statistic: r["statistic"], pValue: r["pValue"],
                threshold: r["threshold"], drifted: r["drifted"], referenceCount: r["referenceCount"],
                currentCount: r["currentCount"], extra: (try? decodeJSON([String: Double].self, r["detail"])) ?? [:])
        }
    }

    /// Removes every structured result a stage stored for a snapshot.
    public func deleteResults(snapshotId: Int64, stage: Stage) throws {
        try db.execute(sql: "DELETE FROM stageResult WHERE snapshotId = ? AND stage = ?", arguments: [snapshotId, stage.rawValue])
    }

    /// Stores a structured result (JSON) under its key's name and stage.
    public func putResult<T>(snapshotId: Int64, _ key: StoredResultKey<T>, _ value: T) throws {
        try putResult(snapshotId: snapshotId, stage: key.stage, name: key.name.rawValue, value)
    }

    /// The structured result stored under a key, or nil when there is none.
    ///
    /// - Throws: when the stored JSON is not a `T` (a result written by another version).
    public func result<T>(_ key: StoredResultKey<T>, snapshotId: Int64) throws -> T? {
        try result(T.self, snapshotId: snapshotId, name: key.name.rawValue)
    }

    /// Stores any JSON under a raw name: for tests and repairs; stages use `StoredResultKey`.
    public func putResult<T: Encodable>(snapshotId: Int64, stage: Stage, name: String, _ value: T) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO stageResult (snapshotId, stage, name, value) VALUES (?, ?, ?, ?)",
            arguments: [snapshotId, stage.rawValue, name, try encodeJSON(value)])
    }

    func result<T: Decodable>(_ type: T.Type, snapshotId: Int64, name: String) throws -> T? {
        guard let text = try String.fetchOne(
            db, sql: "SELECT value FROM stageResult WHERE snapshotId = ? AND name = ?", arguments: [snapshotId, name])
        else { return nil }
        return try decodeJSON(T.self, text)
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

extension Store {
    public func setSnapshotHeader(_ id: Int64, header: [String]) throws {
        try db.execute(sql: "UPDATE snapshot SET header = ? WHERE id = ?", arguments: [try encodeJSON(header), id])
    }

    public func setSnapshotModelConfig(_ id: Int64, _ configId: Int64?, path: String?) throws {
        try db.execute(
            sql: "UPDATE snapshot SET modelConfigId = ?, modelConfigPath = ? WHERE id = ?", arguments: [configId, path, id])
    }
}

extension Store {
    /// The id of pipeline `name`, or nil when it has never run.
    public func ensurePipelineIfExists(_ name: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM pipeline WHERE name = ?", arguments: [name])
    }
}

// MARK: - Operations: interrupted runs, retention

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
                try db.execute(sql: "DELETE FROM \(quoteIdentifier(table)) WHERE mlaudit_snapshot = ?", arguments: [id])
                n = db.changesCount
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
        try db.execute(sql: "DELETE FROM \(quoteIdentifier(table.name)) WHERE mlaudit_snapshot = ?", arguments: [snapshotId])
        try deleteNumericColumns(snapshotId: snapshotId)
        try db.execute(sql: "DELETE FROM quarantinedRow WHERE snapshotId = ?", arguments: [snapshotId])
    }

    /// The newest current daily snapshot date, if any.
    public func newestDailyDate(pipelineId: Int64) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT MAX(date) FROM snapshot WHERE pipelineId = ? AND kind = 'daily' AND status = 'current'",
            arguments: [pipelineId])
    }
}
