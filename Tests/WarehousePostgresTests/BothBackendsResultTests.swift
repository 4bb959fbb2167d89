import AuditModel
import Foundation
import PostgresNIO
import TestSupport
import Testing
import Warehouse
@testable import WarehousePostgres

/// The two backends of the seam, for tests parameterised over both (`arguments:`). The
/// PostgreSQL backend implements the run ledger and the result store so far; its snapshots
/// are made with SQL here until it implements the snapshot catalog.
enum TestBackend: String, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// Runs `body` with a write transaction's ledger and result store, and a snapshot id.
    func withStore<T>(_ body: (any RunLedger & ResultStore, _ makeSnapshot: (Int64, String) throws -> Int64) throws -> T) throws -> T {
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
}
