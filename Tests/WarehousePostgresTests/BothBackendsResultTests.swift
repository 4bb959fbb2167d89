import AuditModel
import Foundation
import PostgresNIO
import TestSupport
import Testing
import Warehouse
@testable import WarehousePostgres

/// The two backends of the seam, for tests parameterised over both (`arguments:`). These tests
/// use a transaction's run ledger, snapshot catalog and result store (the row storage on both
/// backends: BothBackendsRowStorageTests).
enum TestBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// Runs `body` with a write transaction's ledger and result store, and a snapshot id.
    func withStore<T>(_ body: (any RunLedger & ResultStore & SnapshotCatalog, _ makeSnapshot: (Int64, String) throws -> Int64) throws -> T) throws -> T {
        switch self {
        case .sqlite:
            let dir = TemporaryDirectory()
            let w = try Warehouse(path: dir.path + "/w.sqlite")
            return try w.write { tx in
                try body(tx) { pipelineId, date in
                    try tx.insertSnapshot(
                        pipelineId: pipelineId,
                        NewSnapshot(kind: .daily, date: date, sourcePath: "x.csv", sha256: "h", bytes: 0, header: [], runId: nil)
                    ).id
                }
            }
        case .postgres:
            let w = try PostgresWarehouse(location: try TestServer.location())
            defer { w.close() }
            return try w.write { s in
                try body(PostgresTransaction(session: s)) { pipelineId, date in
                    try s.query("""
                        INSERT INTO snapshot (pipelineId, kind, date, version, sourcePath, sha256, bytes, rowsRead, rowsStored,
                          rowsQuarantined, status, header, ingestedAt)
                        VALUES (\(pipelineId), 'daily', \(date), 1, 'x.csv', 'h', 0, 0, 0, 0, 'current', '[]', 't') RETURNING id
                        """).first!.decode(Int64.self)
                }
            }
        }
    }
}

@Suite("Result store on both backends")
struct BothBackendsResultTests {
    @Test(arguments: TestBackend.allCases)
    func findingsMetricsDriftCorrelationsResultsAndReportsRoundTrip(_ backend: TestBackend) throws {
        try backend.withStore { tx, makeSnapshot throws in
            let p = try tx.ensurePipeline("credit")
            let run = try tx.startRun(pipelineId: p, definitionId: nil, command: "test")
            let day1 = try makeSnapshot(p, "2026-11-01")
            let day2 = try makeSnapshot(p, "2026-11-02")
            let stage = try tx.startStage(runId: run, pipelineId: p, date: "2026-11-01", stage: .compare)

            let findings = [
                Finding(check: "drift.feature", stage: .compare, category: .drift, severity: .critical, column: "age",
                        message: "age drifted", observed: "0.4", expected: "< 0.1", advice: "look"),
                Finding(check: "quality.null_rate", stage: .compare, category: .dataQuality, severity: .warning, column: nil,
                        message: "nulls\there 'quoted' \"x\"", segment: SegmentRef(column: "region", value: "north")),
            ]
            try tx.replaceFindings(snapshotId: day1, stage: .compare, findings, stageRunId: stage)
            try tx.appendFindings(snapshotId: day1, [findings[0]], stageRunId: nil)
            #expect(try tx.findings(snapshotId: day1, stage: .compare) == findings + [findings[0]])
            try tx.replaceFindings(snapshotId: day1, stage: .compare, [findings[1]], stageRunId: stage)
            #expect(try tx.findings(snapshotId: day1) == [findings[1]])

            let metrics = [
                Metric(MetricName(rawValue: "mean"), column: "b", 2.5), Metric(MetricName(rawValue: "mean"), column: "a", -0.0),
                Metric(MetricName(rawValue: "Zeta"), column: "", nil), Metric(MetricName(rawValue: "mean"), column: "a", 7),
                Metric(MetricName(rawValue: "p99"), column: "a", .infinity),
            ]
            try tx.replaceMetrics(snapshotId: day1, stage: .profile, metrics)
            try tx.replaceMetrics(snapshotId: day2, stage: .profile, [Metric(MetricName(rawValue: "mean"), column: "a", 3)])
            let stored = try tx.metrics(snapshotId: day1)
            // Ordered by name then column in byte order ('Z' before 'm'); the later duplicate wins.
            #expect(stored.map { "\($0.name.rawValue)/\($0.column)" } == ["Zeta/", "mean/a", "mean/b", "p99/a"])
            #expect(stored.map(\.value) == [nil, 7, 2.5, .infinity])
            #expect(try tx.metric(snapshotId: day1, name: MetricName(rawValue: "mean"), column: "b") == 2.5)
            #expect(try tx.metric(snapshotId: day1, name: MetricName(rawValue: "absent"), column: "") == nil)
            let series = try tx.metricSeries(pipelineId: p, name: MetricName(rawValue: "mean"), column: "a", from: "2026-11-01", to: "2026-11-30")
            #expect(series.map(\.date) == ["2026-11-01", "2026-11-02"])
            #expect(series.map(\.value) == [7, 3])

            let drift = [
                DriftResult(column: "z", role: .feature, method: .ks, statistic: 0.25, pValue: 1e-12, threshold: 0.05, drifted: true,
                            referenceCount: 1000, currentCount: 900, extra: ["chi2": .infinity, "d": 0.1]),
                DriftResult(column: "a", role: .prediction, method: .psi, statistic: 0.01, pValue: nil, threshold: 0.2, drifted: false,
                            referenceCount: 10, currentCount: 9),
            ]
            try tx.replaceDrift(snapshotId: day1, baselineSnapshotId: day2, drift)
            #expect(try tx.drift(snapshotId: day1) == drift)

            let correlations = [
                Correlation(columnA: "y", columnB: "x", kind: .feature, coefficient: 0.97, count: 100),
                Correlation(columnA: "a", columnB: "target", kind: .target, coefficient: nil, count: 1),
            ]
            try tx.replaceCorrelations(snapshotId: day1, correlations)
            #expect(try tx.correlations(snapshotId: day1) == correlations)

            let key = StoredResultKey<[String: Double]>(.baselineFacts, stage: .compare)
            try tx.putResult(snapshotId: day1, key, ["a": 1, "inf": .infinity])
            try tx.putResult(snapshotId: day1, key, ["a": 2])
            #expect(try tx.result(key, snapshotId: day1) == ["a": 2])
            try tx.deleteResults(snapshotId: day1, stage: .compare)
            #expect(try tx.result(key, snapshotId: day1) == nil)

            let files: [(name: String, sha256: String, bytes: Int)] = [("report.md", "bb", 2), ("report.html", "aa", 1)]
            let r1 = try tx.insertReport(
                pipelineId: p, date: "2026-11-01", version: 1, snapshotId: day1, directory: "reports/credit/2026-11-01/v1",
                status: .critical, contentSha256: "c1", manifestSha256: "m1", previousManifestSha256: nil, runId: run,
                recommendation: .recommended, counts: .init(critical: 1, warning: 2, info: 3), files: files)
            _ = try tx.insertReport(
                pipelineId: p, date: "2026-11-01", version: 2, snapshotId: day1, directory: "reports/credit/2026-11-01/v2",
                status: .ok, contentSha256: "c2", manifestSha256: "m2", previousManifestSha256: "m1", runId: nil,
                recommendation: .notNeeded, counts: .init(critical: 0, warning: 0, info: 0), files: [])
            #expect(try tx.latestReport(pipelineId: p, date: "2026-11-01")?.version == 2)
            #expect(try tx.lastReport(pipelineId: p)?.previousManifestSha256 == "m1")
            let all = try tx.reports(pipelineId: p)
            #expect(all.map(\.version) == [1, 2])
            #expect(all[0].status == "critical")
            #expect(all[0].recommendation == "recommended")
            #expect(all[0].criticalCount == 1 && all[0].warningCount == 2 && all[0].infoCount == 3)
            #expect(try tx.report(pipelineId: p, date: "2026-11-01", version: 1)?.id == r1)
            #expect(try tx.reportFiles(reportId: r1).map(\.name) == ["report.html", "report.md"])

            try tx.completeStage(stage, snapshotId: day1)
            #expect(try tx.lastStageRun(pipelineId: p, date: "2026-11-01", stage: .compare)?.status == .ok)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func snapshotsPartsQuarantineAndLabelsRoundTrip(_ backend: TestBackend) throws {
        try backend.withStore { tx, _ throws in
            let p = try tx.ensurePipeline("credit")
            let config = try tx.recordModelConfig(pipelineId: p, path: "model.json", content: "{\"depth\": 3}", sha256: "cfg")
            #expect(try tx.recordModelConfig(pipelineId: p, path: "other.json", content: "x", sha256: "cfg") == config)
            #expect(try tx.modelConfig(id: config)?.content == "{\"depth\": 3}")
            let first = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                kind: .daily, date: "2026-11-02", sourcePath: "d.csv", sha256: "a", bytes: 10, header: ["x", "y\tz"], modelConfigId: config))
            let second = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                kind: .daily, date: "2026-11-02", sourcePath: "d.csv", sha256: "b", bytes: 11, header: ["x"]))
            _ = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                kind: .daily, date: "2026-11-01", sourcePath: "c.csv", sha256: "c", bytes: 1, header: []))
            #expect(first.version == 1 && second.version == 2)
            try tx.finishSnapshot(second.id, read: 5, stored: 3, quarantined: 2)
            try tx.setSnapshotModelConfig(second.id, config, path: "model.json")
            try tx.setSnapshotDigest(second.id, sha256: "bb", bytes: 12)
            try tx.setSnapshotHeader(second.id, header: ["x", "é"])
            let current = try #require(try tx.currentSnapshot(pipelineId: p, kind: .daily, date: "2026-11-02"))
            #expect(current.id == second.id)
            #expect(current.rowsRead == 5 && current.rowsStored == 3 && current.rowsQuarantined == 2)
            #expect(current.header == ["x", "é"])
            #expect(current.sha256 == "bb" && current.bytes == 12)
            #expect(current.modelConfigId == config && current.modelConfigPath == "model.json")
            #expect(current.status == "current" && current.rowsPurgedAt == nil)
            #expect(try tx.snapshot(id: first.id)?.status == "superseded")
            #expect(try tx.snapshot(id: first.id)?.header == ["x", "y\tz"])
            #expect(try tx.snapshotVersions(pipelineId: p, kind: .daily, date: "2026-11-02").map(\.version) == [1, 2])
            #expect(try tx.currentDailySnapshots(pipelineId: p).map(\.date) == ["2026-11-01", "2026-11-02"])
            #expect(try tx.currentSnapshotDates(pipelineId: p, kind: .daily) == ["2026-11-01", "2026-11-02"])
            #expect(try tx.newestDailyDate(pipelineId: p) == "2026-11-02")
            #expect(try tx.newestDailyDate(pipelineId: try tx.ensurePipeline("empty")) == nil)

            let parts = [
                SnapshotPartRecord(ordinal: 0, path: "p/a.csv.gz", name: "a.csv.gz", format: "csv", compression: "gzip", sha256: "1",
                                   bytes: 3, dataBytes: 9, rowsRead: 3, rowsStored: 2, rowsQuarantined: 1, damage: "truncated"),
                SnapshotPartRecord(ordinal: 1, path: "p/b.csv", name: "b.csv", format: "csv", compression: "none", sha256: "2",
                                   bytes: 2, dataBytes: 2, rowsRead: 2, rowsStored: 1, rowsQuarantined: 1, damage: nil),
            ]
            try tx.insertSnapshotParts(snapshotId: second.id, parts)
            #expect(try tx.snapshotParts(snapshotId: second.id) == parts)

            let quarantined = [
                QuarantinedRow(file: "b.csv", line: 9, raw: "1,\\N,\t,\"x\"", reason: "bad number 'x' in age", column: "age"),
                QuarantinedRow(file: "a.csv", line: 3, raw: "line\nbreak\r", reason: "too many fields", column: nil),
                QuarantinedRow(file: "a.csv", line: 2, raw: "", reason: "bad number 'y' in age", column: "age"),
            ]
            try tx.insertQuarantined(snapshotId: second.id, quarantined)
            #expect(try tx.quarantined(snapshotId: second.id) == [quarantined[2], quarantined[1], quarantined[0]])
            #expect(try tx.quarantined(snapshotId: second.id, limit: 1) == [quarantined[2]])
            #expect(try tx.quarantineReasons(snapshotId: second.id).map(\.count) == [1, 1, 1])
            let byColumn = try tx.quarantineByColumn(snapshotId: second.id)
            #expect(byColumn == [QuarantineByColumn(column: "age", count: 2, examples: ["bad number 'y' in age", "bad number 'x' in age"])])

            let labels = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                kind: .labels, date: "2026-11-02", sourcePath: "l.csv", sha256: "l", bytes: 1, header: []))
            try tx.insertLabels(snapshotId: labels.id, [
                ("r1", "1", 2), ("r2", "0", 3), ("r1", "0", 4), ("r3", nil, 5), ("r4", "1", 6), ("r2", "0", 7),
            ])
            #expect(try tx.labelValueCounts(snapshotId: labels.id) == [ValueCount(value: "0", count: 3), ValueCount(value: "1", count: 2)])
            let conflicts = try tx.conflictingLabelIds(snapshotId: labels.id)
            #expect(conflicts.count == 1 && conflicts.examples == ["r1"])
            #expect(try tx.labels(snapshotId: labels.id) == ["r1": "0", "r2": "0", "r4": "1"])
            try tx.deleteLabelRows(snapshotId: labels.id)
            #expect(try tx.labels(snapshotId: labels.id).isEmpty)
        }
    }

    /// A NUL (U+0000) from data in text kept outside the row table is stored as U+FFFD on both
    /// backends (`StoredText`): SQLite through GRDB cut the text at the NUL (a quarantined row
    /// `id\0broken,row` was kept as `id`, a label `id0\0x` as `id0`), PostgreSQL refused the
    /// statement ("invalid byte sequence for encoding UTF8: 0x00"), failing every run.
    @Test(arguments: TestBackend.allCases)
    func aNULInStoredTextIsKeptAsTheReplacementCharacter(_ backend: TestBackend) throws {
        try backend.withStore { tx, makeSnapshot throws in
            let p = try tx.ensurePipeline("nul")
            let day = try makeSnapshot(p, "2026-11-01")
            try tx.replaceFindings(snapshotId: day, stage: .validate, [
                Finding(check: "schema.unexpected_column", stage: .validate, category: .dataQuality, severity: .warning,
                        column: "u\0x", message: "column 'u\0x' and after", observed: "a\0b", expected: "c\0d", advice: "e\0f",
                        segment: SegmentRef(column: "s\0t", value: "v\0w")),
            ], stageRunId: nil)
            #expect(try tx.findings(snapshotId: day, stage: nil) == [
                Finding(check: "schema.unexpected_column", stage: .validate, category: .dataQuality, severity: .warning,
                        column: "u\u{FFFD}x", message: "column 'u\u{FFFD}x' and after", observed: "a\u{FFFD}b", expected: "c\u{FFFD}d",
                        advice: "e\u{FFFD}f", segment: SegmentRef(column: "s\u{FFFD}t", value: "v\u{FFFD}w")),
            ])
            try tx.insertQuarantined(snapshotId: day, [
                QuarantinedRow(file: "d.csv", line: 7, raw: "id\0broken,row", reason: "expected 2 fields\0", column: "c\0"),
            ])
            #expect(try tx.quarantined(snapshotId: day, limit: 10) == [
                QuarantinedRow(file: "d.csv", line: 7, raw: "id\u{FFFD}broken,row", reason: "expected 2 fields\u{FFFD}", column: "c\u{FFFD}"),
            ])
            #expect(try tx.quarantineReasons(snapshotId: day).map(\.value) == ["expected 2 fields\u{FFFD}"])
            let labels = try makeSnapshot(p, "2026-11-02")
            try tx.insertLabels(snapshotId: labels, [(rowId: "id0\0x", value: "1\0", line: 2)])
            #expect(try tx.labels(snapshotId: labels) == ["id0\u{FFFD}x": "1\u{FFFD}"])
        }
    }
}
