import AuditModel
import Foundation
import GRDB

// MARK: - Findings, profiles, metrics, drift, stored results

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
                snapshotId, f.stage.rawValue, f.check, f.category.rawValue, f.severity.rawValue, StoredText.storable(f.column),
                StoredText.storable(f.message), StoredText.storable(f.observed), StoredText.storable(f.expected),
                StoredText.storable(f.advice), stageRunId, StoredText.storable(f.segment?.column), StoredText.storable(f.segment?.value),
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
