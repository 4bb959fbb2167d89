import AuditModel
import Foundation
import PostgresNIO
import Warehouse

/// JSON as the SQLite backend writes it: sorted keys, infinities and NaN as strings.
enum PostgresJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        return try d.decode(T.self, from: Data(text.utf8))
    }
}

// MARK: - ResultStore (docs/warehouse.md: finding, metric, columnProfile, correlation, drift,
// segmentResult, fairnessGroup, stageResult, report, reportFile). Insertion order, which
// SQLite keeps in `rowid`, is the identity `id` (finding) or `ord` (columnProfile,
// correlation, drift; migration v2-issue14b-insertion-order).

extension PostgresTransaction: ResultStore {
    public func replaceFindings(snapshotId: Int64, stage: Stage, _ findings: [Finding], stageRunId: Int64?) throws {
        try session.query("DELETE FROM finding WHERE snapshotId = \(snapshotId) AND stage = \(stage.rawValue)")
        try appendFindings(snapshotId: snapshotId, findings, stageRunId: stageRunId)
    }

    public func appendFindings(snapshotId: Int64, _ findings: [Finding], stageRunId: Int64?) throws {
        for f in findings {
            try session.query("""
                INSERT INTO finding (snapshotId, stage, checkId, category, severity, "column", message, observed, expected,
                  advice, stageRunId, segmentColumn, segmentValue)
                VALUES (\(snapshotId), \(f.stage.rawValue), \(f.check), \(f.category.rawValue), \(f.severity.rawValue),
                  \(f.column), \(f.message), \(f.observed), \(f.expected), \(f.advice), \(stageRunId), \(f.segment?.column),
                  \(f.segment?.value))
                """)
        }
    }

    public func findings(snapshotId: Int64, stage: Stage?) throws -> [Finding] {
        let rows: [PostgresRow]
        let columns = #"checkId, stage, category, severity, "column", message, observed, expected, advice, segmentColumn, segmentValue"#
        if let stage {
            rows = try session.query(
                "SELECT \(unescaped: columns) FROM finding WHERE snapshotId = \(snapshotId) AND stage = \(stage.rawValue) ORDER BY id")
        } else {
            rows = try session.query("SELECT \(unescaped: columns) FROM finding WHERE snapshotId = \(snapshotId) ORDER BY id")
        }
        return try rows.map { r in
            let (check, stage, category, severity, column, message, observed, expected, advice, segColumn, segValue) =
                try r.decode((String, String, String, String, String?, String, String?, String?, String, String?, String?).self)
            return Finding(
                check: check, stage: Stage(rawValue: stage) ?? .validate,
                category: FindingCategory(rawValue: category) ?? .dataQuality, severity: Severity(rawValue: severity) ?? .info,
                column: column, message: message, observed: observed, expected: expected, advice: advice,
                segment: segColumn.map { SegmentRef(column: $0, value: segValue ?? "") })
        }
    }

    public func replaceMetrics(snapshotId: Int64, stage: Stage, _ metrics: [Metric]) throws {
        try session.query("DELETE FROM metric WHERE snapshotId = \(snapshotId) AND stage = \(stage.rawValue)")
        for m in metrics {
            // INSERT OR REPLACE, as the SQLite backend: a later metric of the same name and column wins.
            try session.query("""
                INSERT INTO metric (snapshotId, stage, name, "column", value)
                VALUES (\(snapshotId), \(stage.rawValue), \(m.name.rawValue), \(m.column), \(m.value))
                ON CONFLICT (snapshotId, name, "column") DO UPDATE SET stage = EXCLUDED.stage, value = EXCLUDED.value
                """)
        }
    }

    public func metrics(snapshotId: Int64) throws -> [Metric] {
        // COLLATE "C": byte order, as SQLite's default BINARY collation.
        try session.query("""
            SELECT name, "column", value FROM metric WHERE snapshotId = \(snapshotId)
            ORDER BY name COLLATE "C", "column" COLLATE "C"
            """).map { r in
            let (name, column, value) = try r.decode((String, String, Double?).self)
            return Metric(MetricName(rawValue: name), column: column, value)
        }
    }

    public func metric(snapshotId: Int64, name: MetricName, column: String) throws -> Double? {
        try session.query("""
            SELECT value FROM metric WHERE snapshotId = \(snapshotId) AND name = \(name.rawValue) AND "column" = \(column)
            """).first?.decode(Double?.self)
    }

    public func metricSeries(pipelineId: Int64, name: MetricName, column: String, from: String, to: String) throws
        -> [(date: String, value: Double?)]
    {
        try session.query("""
            SELECT s.date, m.value FROM snapshot s
            LEFT JOIN metric m ON m.snapshotId = s.id AND m.name = \(name.rawValue) AND m."column" = \(column)
            WHERE s.pipelineId = \(pipelineId) AND s.kind = 'daily' AND s.status = 'current' AND s.date BETWEEN \(from) AND \(to)
            ORDER BY s.date
            """).map { r in
            let (date, value) = try r.decode((String, Double?).self)
            return (date, value)
        }
    }

    public func replaceProfiles(snapshotId: Int64, _ profiles: [ColumnProfile]) throws {
        try session.query("DELETE FROM columnProfile WHERE snapshotId = \(snapshotId)")
        for p in profiles {
            try session.query("""
                INSERT INTO columnProfile (snapshotId, "column", type, role, profile)
                VALUES (\(snapshotId), \(p.column), \(p.type.rawValue), \(p.role.rawValue), \(try PostgresJSON.encode(p)))
                """)
        }
    }

    public func profiles(snapshotId: Int64) throws -> [ColumnProfile] {
        try session.query("SELECT profile FROM columnProfile WHERE snapshotId = \(snapshotId) ORDER BY ord")
            .map { try PostgresJSON.decode(ColumnProfile.self, try $0.decode(String.self)) }
    }

    public func replaceCorrelations(snapshotId: Int64, _ correlations: [Correlation]) throws {
        try session.query("DELETE FROM correlation WHERE snapshotId = \(snapshotId)")
        for c in correlations {
            try session.query("""
                INSERT INTO correlation (snapshotId, columnA, columnB, kind, method, coefficient, count)
                VALUES (\(snapshotId), \(c.columnA), \(c.columnB), \(c.kind.rawValue), 'pearson', \(c.coefficient), \(Int64(c.count)))
                """)
        }
    }

    public func correlations(snapshotId: Int64) throws -> [Correlation] {
        try session.query("""
            SELECT columnA, columnB, kind, coefficient, count FROM correlation WHERE snapshotId = \(snapshotId) ORDER BY ord
            """).map { r in
            let (a, b, kind, coefficient, count) = try r.decode((String, String, String, Double?, Int64).self)
            return Correlation(
                columnA: a, columnB: b, kind: Correlation.Kind(rawValue: kind) ?? .feature, coefficient: coefficient, count: Int(count))
        }
    }

    public func replaceDrift(snapshotId: Int64, baselineSnapshotId: Int64, _ results: [DriftResult]) throws {
        try session.query("DELETE FROM drift WHERE snapshotId = \(snapshotId)")
        for r in results {
            try session.query("""
                INSERT INTO drift (snapshotId, baselineSnapshotId, "column", role, method, statistic, pValue, threshold, drifted,
                  referenceCount, currentCount, detail)
                VALUES (\(snapshotId), \(baselineSnapshotId), \(r.column), \(r.role.rawValue), \(r.method.rawValue), \(r.statistic),
                  \(r.pValue), \(r.threshold), \(Int64(r.drifted ? 1 : 0)), \(Int64(r.referenceCount)), \(Int64(r.currentCount)),
                  \(try PostgresJSON.encode(r.extra)))
                """)
        }
    }

    public func drift(snapshotId: Int64) throws -> [DriftResult] {
        try session.query("""
            SELECT "column", role, method, statistic, pValue, threshold, drifted, referenceCount, currentCount, detail
            FROM drift WHERE snapshotId = \(snapshotId) ORDER BY ord
            """).map { r in
            let (column, role, method, statistic, pValue, threshold, drifted, refCount, curCount, detail) =
                try r.decode((String, String, String, Double, Double?, Double, Int64, Int64, Int64, String).self)
            return DriftResult(
                column: column, role: ColumnRole(rawValue: role) ?? .feature, method: DriftMethod(rawValue: method) ?? .auto,
                statistic: statistic, pValue: pValue, threshold: threshold, drifted: drifted == 1,
                referenceCount: Int(refCount), currentCount: Int(curCount),
                extra: (try? PostgresJSON.decode([String: Double].self, detail)) ?? [:])
        }
    }

    public func replaceSegments(snapshotId: Int64, _ segments: [AuditSummary.Segment]) throws {
        try session.query("DELETE FROM segmentResult WHERE snapshotId = \(snapshotId)")
        for s in segments {
            let metric = s.judgedMetric
            try session.query("""
                INSERT INTO segmentResult (snapshotId, segmentColumn, value, grouped, rows, baselineRows, judged, driftedShare,
                  labelledRows, judgedMetric, metricValue, baselineMetricValue, estimatedValue)
                VALUES (\(snapshotId), \(s.column), \(s.value), \(Int64(s.grouped ? 1 : 0)), \(Int64(s.rows)), \(Int64(s.baselineRows)),
                  \(Int64(s.judged ? 1 : 0)), \(s.driftedShare), \(Int64(s.labelledRows)), \(metric),
                  \(metric.flatMap { s.metrics[$0] }), \(metric.flatMap { s.baselineMetrics[$0] }), \(metric.flatMap { s.estimated[$0] }))
                """)
        }
    }

    public func segmentSeries(pipelineId: Int64, column: String, from: String, to: String) throws -> [SegmentRecord] {
        try session.query("""
            SELECT s.date, r.segmentColumn, r.value, r.rows, r.judged, r.driftedShare, r.metricValue, r.estimatedValue
            FROM segmentResult r JOIN snapshot s ON s.id = r.snapshotId
            WHERE s.pipelineId = \(pipelineId) AND s.kind = 'daily' AND s.status = 'current' AND r.segmentColumn = \(column)
              AND s.date BETWEEN \(from) AND \(to)
            ORDER BY s.date, r.grouped, r.value COLLATE "C"
            """).map { r in
            let (date, col, value, rows, judged, drifted, metric, estimated) =
                try r.decode((String, String, String, Int64, Int64, Double?, Double?, Double?).self)
            return SegmentRecord(
                date: date, column: col, value: value, rows: Int(rows), judged: judged == 1, driftedShare: drifted,
                metricValue: metric, estimatedValue: estimated)
        }
    }

    public func replaceFairnessGroups(snapshotId: Int64, _ attributes: [AuditSummary.FairnessAttribute]) throws {
        try session.query("DELETE FROM fairnessGroup WHERE snapshotId = \(snapshotId)")
        for a in attributes {
            for g in a.groups {
                try session.query("""
                    INSERT INTO fairnessGroup (snapshotId, attribute, value, isReference, rows, labelledRows, judged, selectionRate,
                      selectionRateLower, selectionRateUpper, truePositiveRate, falsePositiveRate, precision, accuracy, impactRatio)
                    VALUES (\(snapshotId), \(a.attribute), \(g.value), \(Int64(g.value == a.referenceGroup ? 1 : 0)), \(Int64(g.rows)),
                      \(Int64(g.labelledRows)), \(Int64(g.judged ? 1 : 0)), \(g.selectionRate), \(g.selectionRateCI?.first),
                      \(g.selectionRateCI?.last), \(g.truePositiveRate), \(g.falsePositiveRate), \(g.precision), \(g.accuracy),
                      \(g.impactRatio))
                    """)
            }
        }
    }

    public func fairnessGroupSeries(pipelineId: Int64, attribute: String, from: String, to: String) throws -> [FairnessGroupRecord] {
        try session.query("""
            SELECT s.date, f.attribute, f.value, f.rows, f.selectionRate, f.truePositiveRate, f.impactRatio
            FROM fairnessGroup f JOIN snapshot s ON s.id = f.snapshotId
            WHERE s.pipelineId = \(pipelineId) AND s.kind = 'daily' AND s.status = 'current' AND f.attribute = \(attribute)
              AND s.date BETWEEN \(from) AND \(to)
            ORDER BY s.date, f.value COLLATE "C"
            """).map { r in
            let (date, attribute, value, rows, selection, tpr, impact) =
                try r.decode((String, String, String, Int64, Double?, Double?, Double?).self)
            return FairnessGroupRecord(
                date: date, attribute: attribute, value: value, rows: Int(rows), selectionRate: selection,
                truePositiveRate: tpr, impactRatio: impact)
        }
    }

    public func deleteResults(snapshotId: Int64, stage: Stage) throws {
        try session.query("DELETE FROM stageResult WHERE snapshotId = \(snapshotId) AND stage = \(stage.rawValue)")
    }

    public func putResult<T>(snapshotId: Int64, _ key: StoredResultKey<T>, _ value: T) throws {
        let json = try PostgresJSON.encode(value)
        try session.query("""
            INSERT INTO stageResult (snapshotId, stage, name, value) VALUES (\(snapshotId), \(key.stage.rawValue), \(key.name.rawValue), \(json))
            ON CONFLICT (snapshotId, name) DO UPDATE SET stage = EXCLUDED.stage, value = EXCLUDED.value
            """)
    }

    public func result<T>(_ key: StoredResultKey<T>, snapshotId: Int64) throws -> T? {
        guard let text = try session.query(
            "SELECT value FROM stageResult WHERE snapshotId = \(snapshotId) AND name = \(key.name.rawValue)"
        ).first?.decode(String.self) else { return nil }
        return try PostgresJSON.decode(T.self, text)
    }

    static let reportColumns = """
        id, date, version, snapshotId, directory, status, contentSha256, manifestSha256, previousManifestSha256, runId,
        createdAt, recommendation, criticalCount, warningCount, infoCount
        """

    static func report(_ r: PostgresRow) throws -> ReportRecord {
        let (id, date, version, snapshotId, directory, status, content, manifest, previous, runId, created, recommendation, c, w, i) =
            try r.decode((Int64, String, Int64, Int64, String, String, String, String, String?, Int64?, String, String?, Int64?, Int64?, Int64?).self)
        return ReportRecord(
            id: id, date: date, version: Int(version), snapshotId: snapshotId, directory: directory, status: status,
            contentSha256: content, manifestSha256: manifest, previousManifestSha256: previous, runId: runId, createdAt: created,
            recommendation: recommendation, criticalCount: c.map(Int.init), warningCount: w.map(Int.init), infoCount: i.map(Int.init))
    }

    public func latestReport(pipelineId: Int64, date: String) throws -> ReportRecord? {
        try session.query("""
            SELECT \(unescaped: Self.reportColumns) FROM report WHERE pipelineId = \(pipelineId) AND date = \(date)
            ORDER BY version DESC LIMIT 1
            """).first.map(Self.report)
    }

    public func lastReport(pipelineId: Int64) throws -> ReportRecord? {
        try session.query("SELECT \(unescaped: Self.reportColumns) FROM report WHERE pipelineId = \(pipelineId) ORDER BY id DESC LIMIT 1")
            .first.map(Self.report)
    }

    public func reports(pipelineId: Int64) throws -> [ReportRecord] {
        try session.query("SELECT \(unescaped: Self.reportColumns) FROM report WHERE pipelineId = \(pipelineId) ORDER BY id")
            .map(Self.report)
    }

    public func report(pipelineId: Int64, date: String, version: Int) throws -> ReportRecord? {
        try session.query("""
            SELECT \(unescaped: Self.reportColumns) FROM report WHERE pipelineId = \(pipelineId) AND date = \(date)
              AND version = \(Int64(version))
            """).first.map(Self.report)
    }

    public func insertReport(
        pipelineId: Int64, date: String, version: Int, snapshotId: Int64, directory: String, status: AuditStatus,
        contentSha256: String, manifestSha256: String, previousManifestSha256: String?, runId: Int64?,
        recommendation: Recommendation, counts: AuditSummary.SeverityCounts,
        files: [(name: String, sha256: String, bytes: Int)]
    ) throws -> Int64 {
        let id = try returningID("""
            INSERT INTO report (pipelineId, date, version, snapshotId, directory, status, contentSha256, manifestSha256,
              previousManifestSha256, runId, createdAt, recommendation, criticalCount, warningCount, infoCount)
            VALUES (\(pipelineId), \(date), \(Int64(version)), \(snapshotId), \(directory), \(status.rawValue), \(contentSha256),
              \(manifestSha256), \(previousManifestSha256), \(runId), \(Self.now()), \(recommendation.rawValue),
              \(Int64(counts.critical)), \(Int64(counts.warning)), \(Int64(counts.info)))
            RETURNING id
            """)
        for f in files {
            try session.query(
                "INSERT INTO reportFile (reportId, name, sha256, bytes) VALUES (\(id), \(f.name), \(f.sha256), \(Int64(f.bytes)))")
        }
        return id
    }

    public func reportFiles(reportId: Int64) throws -> [(name: String, sha256: String, bytes: Int)] {
        try session.query("SELECT name, sha256, bytes FROM reportFile WHERE reportId = \(reportId) ORDER BY name COLLATE \"C\"").map { r in
            let (name, sha, bytes) = try r.decode((String, String, Int64).self)
            return (name, sha, Int(bytes))
        }
    }
}
