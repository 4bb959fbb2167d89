import AuditModel
import Definition
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Pipeline

@Suite("Nightly operations")
struct OperationsTests {
    func runner(_ dir: TemporaryDirectory, extra: String = "") throws -> PipelineRunner {
        let loaded = try TinyPipeline.load(dir, extra: extra)
        if !dir.exists("baseline.csv") { dir.write("baseline.csv", TinyPipeline.csv(90, day: "2026-01-01")) }
        return PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
    }

    func addDay(_ dir: TemporaryDirectory, _ day: String, rows: Int = 30) {
        dir.write("days/\(day).csv", TinyPipeline.csv(rows, day: day))
    }

    @Test func catchUpProcessesExactlyTheMissingDays() throws {
        let dir = TemporaryDirectory()
        addDay(dir, "2026-02-01")
        addDay(dir, "2026-02-02")
        var r = try runner(dir)
        let first = try r.dueDays(since: nil, until: nil, force: false, warehouse: r.openWarehouse())
        #expect(first.map(\.description) == ["2026-02-01", "2026-02-02"])
        #expect(r.run(days: first).days.allSatisfy { $0.report != nil })
        // A gap: 02-03 missing, 02-04 and 02-05 arrive.
        addDay(dir, "2026-02-04")
        addDay(dir, "2026-02-05")
        r = try runner(dir)
        let next = try r.dueDays(since: nil, until: nil, force: false, warehouse: r.openWarehouse())
        #expect(next.map(\.description) == ["2026-02-04", "2026-02-05"])
        let limited = try r.dueDays(since: Day("2026-02-02"), until: Day("2026-02-04"), force: true, warehouse: r.openWarehouse())
        #expect(limited.map(\.description) == ["2026-02-02", "2026-02-04"])
    }

    @Test func forceRerunsButWritesANewVersionOnlyWhenResultsChange() throws {
        let dir = TemporaryDirectory()
        addDay(dir, "2026-02-01")
        let r = try runner(dir)
        let day = [Day("2026-02-01")!]
        #expect(r.run(days: day).days[0].report?.version == 1)
        let again = r.run(days: day, force: true).days[0].report
        #expect(again?.version == 1)
        #expect(again?.written == false)
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 50))
        let changed = r.run(days: day).days[0].report
        #expect(changed?.version == 2)
        #expect(changed?.written == true)
    }

    @Test func completedDayIsNotRedoneWithoutForce() throws {
        let dir = TemporaryDirectory()
        addDay(dir, "2026-02-01")
        let r = try runner(dir)
        let report = r.run(days: [Day("2026-02-01")!])
        let second = r.run(days: [Day("2026-02-01")!])
        #expect(second.days[0].report?.version == 1)
        let stages = try r.openWarehouse().read { try $0.stageRuns(runId: second.runId!) }
        #expect(stages.map(\.stage) == [.ingest, .ingest], "baseline and day ingest only: both unchanged, later stages complete")
        #expect(report.runId != second.runId)
    }

    /// A warehouse copied without its reports folder (or a deleted report): the completed day is
    /// rendered again as a new version instead of failing as an internal error; a summary.json
    /// that is there but is not a summary is a clear error naming the file.
    @Test func aCompletedDayWhoseReportFilesAreGoneIsRenderedAgain() throws {
        let dir = TemporaryDirectory()
        addDay(dir, "2026-02-01")
        let r = try runner(dir)
        let day = [Day("2026-02-01")!]
        #expect(r.run(days: day).days[0].report?.version == 1)
        try FileManager.default.removeItem(atPath: dir.path + "/reports")
        let rerun = r.run(days: day)
        let again = rerun.days[0]
        #expect(again.error == nil)
        #expect(again.report?.version == 2)
        #expect(again.report?.written == true)
        #expect(dir.exists("reports/tiny/2026-02-01/v2/summary.json"))
        let stages = try r.openWarehouse().read { try $0.stageRuns(runId: rerun.runId!) }
        #expect(stages.map(\.stage) == [.ingest, .ingest, .render], "only the render stage runs again")

        dir.write("reports/tiny/2026-02-01/v2/summary.json", "{\"not\": \"a summary\"}")
        let broken = r.run(days: day).days[0]
        #expect(broken.failedStage == .render)
        #expect(broken.error?.code == .unreadableInput)
        #expect(broken.error?.file?.hasSuffix("reports/tiny/2026-02-01/v2/summary.json") == true)
        #expect(broken.error?.description.contains("This is a bug") == false)
    }

    @Test func secondRunOnTheSamePipelineIsRefused() throws {
        let dir = TemporaryDirectory()
        addDay(dir, "2026-02-01")
        let r = try runner(dir)
        let lock = try PipelineLock(warehousePath: r.loaded.warehousePath, pipeline: "tiny")
        let refused = r.run(days: [Day("2026-02-01")!])
        #expect(refused.error?.code == .locked)
        #expect(refused.error?.message.hasPrefix("another mlaudit run is working on pipeline 'tiny' (pid \(getpid()) since ") == true)
        #expect(refused.exitStatus(failOn: .critical) == 2)
        withExtendedLifetime(lock) {}
    }

    @Test func retentionDeletesOldRowsButKeepsResults() throws {
        let dir = TemporaryDirectory()
        for d in ["2026-02-01", "2026-02-02", "2026-02-05"] { addDay(dir, d) }
        let r = try runner(dir, extra: "retention:\n  raw_days: 3")
        let days = try r.dueDays(since: nil, until: nil, force: false, warehouse: r.openWarehouse())
        _ = r.run(days: days)
        let w = try r.openWarehouse()
        let (counts, purged, profiles, baseline) = try w.read { store -> ([Int], [String?], Int, Int) in
            let table = try store.rowTable(pipelineId: 1, columns: [])
            let snaps = try store.currentDailySnapshots(pipelineId: 1)
            let base = try store.currentSnapshot(pipelineId: 1, kind: .baseline, date: "baseline")!
            return (try snaps.map { try store.storedRowCount(table, snapshotId: $0.id) }, snaps.map(\.rowsPurgedAt),
                    try store.profiles(snapshotId: snaps[0].id).count, try store.storedRowCount(table, snapshotId: base.id))
        }
        #expect(counts == [0, 30, 30], "2026-02-01 is older than 3 days before 2026-02-05")
        #expect(purged[0] != nil && purged[1] == nil)
        #expect(profiles > 0, "profiles are kept")
        #expect(baseline == 90, "the baseline is never deleted")
        #expect(dir.exists("reports/tiny/2026-02-01/v1/report.html"))
        // Re-auditing a purged day reloads its rows from the source file.
        let redo = r.run(days: [Day("2026-02-01")!], force: true)
        #expect(redo.days[0].error == nil)
        #expect(redo.days[0].report?.version == 1)
        let reloaded = try w.read { store in
            try store.storedRowCount(try store.rowTable(pipelineId: 1, columns: []), snapshotId: try store.currentDailySnapshots(pipelineId: 1)[0].id)
        }
        // Retention runs again at the end of that run and deletes them again.
        #expect(reloaded == 0)
        let vacuumed = try w.vacuum()
        #expect(vacuumed.after > 0)
    }

    /// Re-auditing a purged day reloads its labels too (retention deleted them with the rows):
    /// the same inputs give the same results, so no new report version.
    @Test func reauditingAPurgedDayReloadsItsLabels() throws {
        let dir = TemporaryDirectory()
        for d in ["2026-02-01", "2026-02-02", "2026-02-05"] {
            dir.write("days/\(d).csv", TinyPipeline.csv(150, day: d, withTarget: false))
            var labels = "id,y\n"
            for i in 0..<150 { labels += "id\(i),\(i % 3 == 0 ? 1 : 0)\n" }
            dir.write("labels/\(d).csv", labels)
        }
        let r = try runner(dir, extra: "retention:\n  raw_days: 3")
        _ = r.run(days: try r.dueDays(since: nil, until: nil, force: false, warehouse: r.openWarehouse()))
        func summary(_ v: Int) throws -> AuditSummary {
            try JSONDecoder().decode(AuditSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/tiny/2026-02-01/v\(v)/summary.json")))
        }
        let before = try summary(1)
        #expect(before.performance.labelledRows == 150)
        let w = try r.openWarehouse()
        let purged = try w.read { try $0.currentSnapshot(pipelineId: 1, kind: .labels, date: "2026-02-01")?.rowsPurgedAt }
        #expect(purged != nil, "retention deleted the labels of 2026-02-01")

        let redo = r.run(days: [Day("2026-02-01")!], force: true)
        #expect(redo.days[0].error == nil)
        #expect(redo.days[0].report?.version == 1, "same inputs, same results: no new version")
        #expect(redo.days[0].report?.written == false)
        #expect(!dir.exists("reports/tiny/2026-02-01/v2"))
        let labels = try w.read { store -> (count: Int, version: Int) in
            let s = try #require(try store.currentSnapshot(pipelineId: 1, kind: .labels, date: "2026-02-01"))
            return (s.rowsStored, s.version)
        }
        #expect(labels.count == 150)
        #expect(labels.version == 1, "reloaded into the same labels snapshot")
    }

    @Test func notifyGetsTheResultAndNeverChangesIt() throws {
        let dir = TemporaryDirectory()
        addDay(dir, "2026-02-01")
        let out = dir.path + "/notified.txt"
        let ok = try runner(dir, extra: "notify:\n  command: 'env | grep ^MLAUDIT_ | sort > \(out); exit 3'")
        let report = ok.run(days: [Day("2026-02-01")!])
        #expect(report.exitStatus(failOn: .critical) == 0, "a failing notify command does not change the result")
        let env = try String(contentsOfFile: out, encoding: .utf8)
        #expect(env.contains("MLAUDIT_PIPELINE=tiny\n"))
        #expect(env.contains("MLAUDIT_DATE=2026-02-01\n"))
        #expect(env.contains("MLAUDIT_STATUS=ok\n"))
        #expect(env.contains("MLAUDIT_SUMMARY=\(dir.path)/reports/tiny/2026-02-01/v1/summary.json\n"))
        addDay(dir, "2026-02-02")
        let hanging = try runner(dir, extra: "notify:\n  command: 'sleep 20'\n  timeout_seconds: 0.3")
        let start = Date()
        let r2 = hanging.run(days: [Day("2026-02-02")!])
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(r2.exitStatus(failOn: .critical) == 0)
    }

    @Test func notifyEnvironmentForAFailedDate() {
        let failed = DayResult(day: Day("2026-02-01")!, report: nil, error: .missingFile("x.csv", what: "snapshot"), failedStage: .ingest)
        let env = Notifier.environment(pipeline: "p", result: failed)
        #expect(env["MLAUDIT_STATUS"] == "failed")
        #expect(env["MLAUDIT_ERROR"]?.hasPrefix("x.csv: snapshot not found") == true)
        #expect(env["MLAUDIT_SUMMARY"] == nil)
    }
}
