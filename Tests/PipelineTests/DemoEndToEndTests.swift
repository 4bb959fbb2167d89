import AuditModel
import Definition
import Demo
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Pipeline

/// The whole pipeline on the demo data set: each injected incident is caught on its day and
/// the clean days stay clean (README, "Demo incidents").
@Suite("Demo end to end")
struct DemoEndToEndTests {
    static let days = ["2026-11-01", "2026-11-02", "2026-11-05", "2026-11-08", "2026-11-09", "2026-11-10", "2026-11-13", "2026-11-17",
                       "2026-11-18", "2026-11-22", "2026-11-26"]

    /// Runs the demo once for all tests of the suite.
    static let run: Result<(TemporaryDirectory, RunReport), any Error> = Result {
        let dir = TemporaryDirectory("mlaudit-demo")
        try DemoGenerator().write(to: dir.path + "/demo-data")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("pipelines/demo.yaml"), encoding: .utf8)
        let path = dir.write("demo.yaml", "root: \(dir.path)\n" + text)
        let loaded = try DefinitionLoader.load(path: path)
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        let report = runner.run(days: days.map { Day($0)! })
        return (dir, report)
    }

    func summary(_ day: String) throws -> AuditSummary {
        let (dir, _) = try Self.run.get()
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/demo/\(day)/v1/summary.json"))
        return try JSONDecoder().decode(AuditSummary.self, from: data)
    }

    func checks(_ s: AuditSummary, severity: Severity? = nil) -> [String] {
        s.findings.filter { severity == nil || $0.severity == severity }.map { "\($0.check) \($0.column ?? "-")" }
    }

    @Test func everyDayHasItsThreeReports() throws {
        let (dir, report) = try Self.run.get()
        #expect(report.error == nil)
        #expect(report.days.count == Self.days.count)
        #expect(report.days.allSatisfy { $0.error == nil })
        for day in Self.days {
            for file in ["report.html", "report.md", "summary.json", "manifest.json"] {
                #expect(dir.exists("reports/demo/\(day)/v1/\(file)"), "\(day) \(file)")
            }
        }
        #expect(report.exitStatus(failOn: .critical) == 1)
        #expect(report.exitStatus(failOn: .warning) == 1)
    }

    @Test func cleanDaysHaveNoCriticalFindingAndNoDrift() throws {
        for day in ["2026-11-01", "2026-11-02", "2026-11-09", "2026-11-13"] {
            let s = try summary(day)
            #expect(checks(s, severity: .critical).isEmpty, "\(day): \(checks(s, severity: .critical))")
            #expect(s.drift.columns.filter { $0.drifted }.isEmpty, "\(day) drifted: \(s.drift.columns.filter(\.drifted).map(\.column))")
            let driftFindings = s.findings.filter { $0.category == .drift && $0.severity >= .warning }
            #expect(driftFindings.isEmpty, "\(day): \(driftFindings.map(\.check))")
            #expect(s.retraining.recommendation == .notNeeded, "\(day): \(s.retraining.reasons)")
            #expect(s.drift.columns.map(\.role).filter { $0 != .feature } == [.prediction, .score, .target],
                    "10 features, then prediction, score and target (the day's labels are in)")
        }
    }

    /// Day 8: group_c's defaulters are scored as safe. Fairness names group_c; any segment
    /// finding is about ethnicity = group_c; the whole day's accuracy and drift stay within bounds.
    @Test func oneGroupsTruePositiveRateCollapsesOnDay8() throws {
        let s = try summary("2026-11-08")
        let fairness = s.findings.filter { $0.category == .fairness }
        let odds = try #require(fairness.first { $0.check == "fairness.equalized_odds" })
        #expect(odds.severity == .critical && odds.column == "ethnicity")
        #expect(odds.message.hasPrefix("true positive rate is ") && odds.message.contains("for ethnicity = group_c "), "\(odds.message)")
        #expect(fairness.allSatisfy { $0.column == "ethnicity" && $0.message.contains("group_c") }, "\(fairness.map(\.message))")
        let group = try #require(s.fairness?.first?.groups.first { $0.value == "group_c" })
        #expect((group.truePositiveRate ?? 1) < 0.05)
        let segment = s.findings.filter { $0.segment != nil }
        #expect(!segment.isEmpty && segment.allSatisfy { $0.segment == SegmentRef(column: "ethnicity", value: "group_c") },
                "\(segment.map { "\($0.check) \(String(describing: $0.segment))" })")
        // The whole day stays within bounds.
        #expect(!s.findings.contains { ["performance.drop", "drift.feature", "drift.prediction", "drift.dataset"].contains($0.check) },
                "\(checks(s))")
        // (ops.snapshot_missing: the test skips days 6 and 7.)
        #expect(s.findings.filter {
            $0.segment == nil && $0.category != .fairness && $0.severity >= .warning && $0.check != "ops.snapshot_missing"
        }.isEmpty, "\(checks(s))")
    }

    /// Clean days raise no segment or fairness finding at warning or above.
    @Test func cleanDaysHaveNoSegmentOrFairnessFinding() throws {
        for day in ["2026-11-01", "2026-11-02", "2026-11-09", "2026-11-13"] {
            let s = try summary(day)
            let found = s.findings.filter { ($0.segment != nil || $0.category == .fairness) && $0.severity >= .warning }
            #expect(found.isEmpty, "\(day): \(found.map(\.message))")
            #expect(s.segments?.contains { $0.column == "ethnicity" && $0.judged } == true)
            #expect(s.fairness?.first?.groups.count == 4)
        }
    }

    /// The test runs a subset of the days: the days in between have no snapshot in the
    /// warehouse, which is exactly what the monitoring-gap check reports.
    @Test func skippedDaysAreMonitoringGaps() throws {
        let d5 = try summary("2026-11-05")
        let gap = try #require(d5.findings.first { $0.check == "ops.snapshot_missing" })
        #expect(gap.message == "2 days between 2026-11-01 and 2026-11-05 have no snapshot (daily cadence): 2026-11-03, 2026-11-04")
        #expect(try summary("2026-11-02").findings.allSatisfy { $0.check != "ops.snapshot_missing" && $0.check != "debt.snapshot_gap" })
    }

    @Test func malformedRowsAreQuarantinedOnDay5() throws {
        let s = try summary("2026-11-05")
        #expect(s.rows.read == 3003)
        #expect(s.rows.quarantined == 3)
        #expect(s.rows.read == s.rows.stored + s.rows.quarantined)
        #expect(checks(s, severity: .critical).isEmpty)
    }

    @Test func nullSpikeIsCriticalOnDay10() throws {
        let s = try summary("2026-11-10")
        #expect(checks(s, severity: .critical) == ["quality.null_rate credit_score"])
        #expect(checks(s, severity: .warning).contains("drift.null_rate_change credit_score"))
        #expect(s.status == .critical)
        let column = try #require(s.drift.columns.first { $0.column == "credit_score" })
        #expect(!column.drifted, "missing values are dropped before the test, as Evidently; their share is its own finding")
        #expect((column.missingShare ?? 0) > 0.3 && column.referenceMissingShare == 0)
    }

    @Test func incomeDriftIsFlaggedOnItsDays() throws {
        for day in ["2026-11-17", "2026-11-18", "2026-11-22", "2026-11-26"] {
            let s = try summary(day)
            #expect(checks(s).contains("drift.feature income"), "\(day)")
            let income = try #require(s.drift.columns.first { $0.column == "income" })
            #expect(income.method == .wasserstein, "10 000 baseline rows: a distance, as Evidently's auto")
            #expect(income.drifted && income.statistic >= income.threshold)
        }
        for day in ["2026-11-09", "2026-11-13"] {
            #expect(try summary(day).drift.columns.first { $0.column == "income" }?.drifted == false, "\(day): before the drift")
        }
    }

    @Test func newCategoryDownturnLatencyAndConfigChange() throws {
        let d18 = try summary("2026-11-18")
        #expect(checks(d18).contains("quality.allowed_values employment_type"))
        #expect(checks(d18).contains("drift.feature employment_type"))
        #expect(checks(d18, severity: .critical).contains("performance.drop -"))
        #expect(checks(d18).contains("drift.target defaulted"))
        #expect(d18.retraining.recommendation == .recommended)
        #expect(d18.performance.decisionThreshold == 0.5)
        let matrix = try #require(d18.performance.confusionMatrix)
        #expect(matrix.flatMap { $0 }.reduce(0, +) == d18.performance.labelledRows)
        // Realized beside estimated: CBPE sees the inputs, not the downturn in the labels.
        let realized = try #require(d18.performance.metrics.first { $0.name == "accuracy" }?.current)
        let estimated = try #require(d18.performance.metrics.first { $0.name == "estimated_accuracy" }?.current)
        #expect(estimated - realized > 0.1)
        let d22 = try summary("2026-11-22")
        #expect(checks(d22, severity: .critical).contains("operational.latency latency_ms"))
        #expect(checks(d22).contains("debt.latency_regression latency_ms"))
        #expect(try summary("2026-11-17").findings.allSatisfy { !$0.check.hasPrefix("operational.") }, "no latency incident before day 22")
        let d26 = try summary("2026-11-26")
        let config = try #require(d26.findings.first { $0.check == "debt.config_changed" })
        #expect(config.message.contains("decision_threshold: 0.5 → 0.3") && config.message.contains("hyperparameters.max_depth: 6 → 8"))
        #expect(checks(d26).contains("debt.threshold_mismatch -"), "served at 0.3 while the definition says 0.5")
        #expect(!checks(d26).contains("debt.fixed_threshold predicted_default"), "the threshold changed: not a fixed threshold")
        #expect(checks(d26).contains("drift.prediction predicted_default"))
        #expect(d26.performance.labelsAvailable == false, "labels arrive a week late")
        #expect(d26.performance.metrics.contains { $0.name == "estimated_accuracy" })
        #expect(d26.retraining.recommendation == .recommended)
    }

    @Test func warehouseLedgerRecordsEveryStage() throws {
        let (dir, report) = try Self.run.get()
        let warehouse = try Warehouse(path: dir.path + "/warehouse/demo.sqlite")
        let stages = try warehouse.read { try $0.stageRuns(runId: report.runId!) }
        #expect(stages.count == 3 + Self.days.count * 5)
        #expect(stages.allSatisfy { $0.status == .ok })
        #expect(try warehouse.integrityCheck() == ["ok"])
    }
}
