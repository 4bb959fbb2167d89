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
    static let days = ["2026-11-01", "2026-11-02", "2026-11-05", "2026-11-09", "2026-11-10", "2026-11-13", "2026-11-17",
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
        }
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
        #expect(s.status == .critical)
    }

    @Test func incomeDriftIsFlaggedOnItsDays() throws {
        for day in ["2026-11-17", "2026-11-18", "2026-11-22", "2026-11-26"] {
            let s = try summary(day)
            #expect(checks(s).contains("drift.feature income"), "\(day)")
        }
    }

    @Test func newCategoryDownturnLatencyAndConfigChange() throws {
        let d18 = try summary("2026-11-18")
        #expect(checks(d18).contains("quality.allowed_values employment_type"))
        #expect(checks(d18, severity: .critical).contains("performance.drop -"))
        #expect(checks(d18).contains("drift.target defaulted"))
        #expect(d18.retraining.recommendation == .recommended)
        let d22 = try summary("2026-11-22")
        #expect(checks(d22, severity: .critical).contains("operational.latency latency_ms"))
        #expect(checks(d22).contains("debt.latency_regression latency_ms"))
        let d26 = try summary("2026-11-26")
        #expect(checks(d26).contains("debt.config_changed -"))
        #expect(d26.performance.labelsAvailable == false, "labels arrive a week late")
        #expect(d26.performance.metrics.contains { $0.name == "estimated_accuracy" })
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
