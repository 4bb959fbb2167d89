import AuditModel
import Definition
import Foundation
import Testing
import TestSupport

@testable import Pipeline

/// Issue 11 e: weekly files. Every window check follows the cadence: timestamps across the week
/// are inside the period, a week apart is not a gap, and the row count is judged against the
/// trailing weeks (a 412-row last week against ~1 100 is flagged). A check that cannot run says so.
@Suite("Cadence")
struct CadenceTests {
    /// `rows` rows of the tiny pipeline dated over the 7 days from `week`, every hour of the day.
    static func week(_ week: String, rows: Int) -> String {
        let start = Day(week)!
        var lines = [TinyPipeline.header]
        for i in 0..<rows {
            var f = TinyPipeline.row(i, day: week).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[1] = start.adding(days: i % 7).description + String(format: "T%02d:%02d:00Z", (i / 7) % 24, i % 60)
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func summary(_ dir: TemporaryDirectory, _ date: String) throws -> AuditSummary {
        let text = try #require(dir.read("reports/tiny/\(date)/v1/summary.json"))
        return try SummaryJSON.decode(AuditSummary.self, from: Data(text.utf8))
    }

    func run(_ dir: TemporaryDirectory, extra: String = "") throws -> RunReport {
        let loaded = try TinyPipeline.load(dir, extra: extra)
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        let days = try runner.dueDays(since: nil, until: nil, force: false, warehouse: runner.openWarehouse())
        return runner.run(days: days)
    }

    static let weeks = ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02"]

    @Test func weeklyFilesAreJudgedByTheWeek() throws {
        let dir = TemporaryDirectory()
        dir.write("baseline.csv", TinyPipeline.csv(200, day: "2026-01-01"))
        for (w, rows) in zip(Self.weeks, [1_100, 1_090, 1_110, 1_100, 412]) { dir.write("days/\(w).csv", Self.week(w, rows: rows)) }
        let report = try run(dir)
        #expect(report.error == nil && report.days.allSatisfy { $0.error == nil }, "\(report)")
        #expect(report.days.count == 5)
        let windowChecks: Set<String> = [
            "quality.timestamp_outside_day", "debt.snapshot_gap", "ops.snapshot_missing", "operational.empty_hours",
        ]
        for w in Self.weeks {
            let s = try summary(dir, w)
            let fired = s.findings.filter { windowChecks.contains($0.check) }.map { "\($0.check): \($0.message)" }
            #expect(fired.isEmpty, "\(w): \(fired)")
        }
        // The first three weeks cannot judge the row count and say so.
        let first = try summary(dir, "2026-01-05")
        let skipped = try #require(first.findings.first { $0.check == "audit.not_evaluated" && $0.message.hasPrefix("quality.row_count") })
        #expect(skipped.severity == .info)
        #expect(skipped.message.contains("0 trailing weeks with a snapshot in the last 7; the check needs 3"), "\(skipped.message)")
        // Week 4 (1 100 against 1 100, 1 090, 1 110) is clean; week 5 (412) is flagged.
        #expect(try summary(dir, "2026-01-26").findings.allSatisfy { $0.check != "quality.row_count" })
        let last = try summary(dir, "2026-02-02")
        let rowCount = try #require(last.findings.first { $0.check == "quality.row_count" })
        #expect(rowCount.severity == .critical)
        #expect(rowCount.message.hasPrefix("412 rows stored, 62.5% below the mean of the 4 trailing weeks (1100)"), "\(rowCount.message)")
        let volume = try #require(last.findings.first { $0.check == "operational.volume" })
        #expect(volume.severity == .warning)
    }

    @Test func aMissingWeekIsASnapshotMissingFinding() throws {
        let dir = TemporaryDirectory()
        dir.write("baseline.csv", TinyPipeline.csv(200, day: "2026-01-01"))
        for w in Self.weeks where w != "2026-01-19" { dir.write("days/\(w).csv", Self.week(w, rows: 300)) }
        _ = try run(dir)
        let after = try summary(dir, "2026-01-26")
        let missing = try #require(after.findings.first { $0.check == "ops.snapshot_missing" })
        #expect(missing.severity == .warning)
        #expect(missing.message == "1 week between 2026-01-05 and 2026-01-26 have no snapshot (weekly cadence): 2026-01-19")
        #expect(!after.findings.contains { $0.check == "debt.snapshot_gap" })
    }

    @Test func declaredDailyCadenceJudgesWeeklyFilesByTheDay() throws {
        let dir = TemporaryDirectory()
        dir.write("baseline.csv", TinyPipeline.csv(200, day: "2026-01-01"))
        for w in Self.weeks.prefix(2) { dir.write("days/\(w).csv", Self.week(w, rows: 140)) }
        _ = try run(dir, extra: "")
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv\n", "  path: days/{date}.csv\n  cadence: daily\n"))
        #expect(loaded.definition.snapshots.cadence == .daily)
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        _ = runner.run(days: [Day("2026-01-12")!], force: true)
        let text = try #require(dir.read("reports/tiny/2026-01-12/v2/summary.json"))
        let s = try SummaryJSON.decode(AuditSummary.self, from: Data(text.utf8))
        let outside = try #require(s.findings.first { $0.check == "quality.timestamp_outside_day" })
        #expect(outside.severity == .critical)
        #expect(s.findings.contains { $0.check == "ops.snapshot_missing" })
    }

    @Test func cadenceIsInferredFromTheSpacingOfDates() {
        let d = { (s: String) in Day(s)! }
        #expect(Cadence.infer([d("2026-01-01")]) == .daily)
        #expect(Cadence.infer([d("2026-01-01"), d("2026-01-02"), d("2026-01-04")]) == .daily)
        #expect(Cadence.infer(Self.weeks.map(d)) == .weekly)
        #expect(Cadence.infer([d("2026-01-31"), d("2026-02-28"), d("2026-03-31")]) == .monthly)
        #expect(Cadence.monthly.end(of: d("2026-01-31")) == d("2026-02-28"))
        #expect(Cadence.weekly.previous(d("2026-02-02")) == d("2026-01-26"))
        // The macrodata trial: files a quarter or a year apart.
        #expect(Cadence.infer([d("2026-01-01"), d("2026-04-01"), d("2026-07-01"), d("2026-10-01")]) == .quarterly)
        #expect(Cadence.infer((1995...2008).map { d("\($0)-01-01") }) == .yearly)
        #expect(Cadence.infer([d("2026-01-01"), d("2026-07-01"), d("2027-01-01")]) == .yearly)
        #expect(Cadence.infer([d("2026-01-01"), d("2026-02-01"), d("2026-03-01")]) == .monthly)
    }

    /// Period ends and starts of the quarterly and yearly cadences against pandas' DateOffset
    /// (scripts/reference/cadence_reference.py → Fixtures/cadence.json).
    @Test func quarterlyAndYearlyPeriodsMatchPandas() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/cadence.json")
        let rows = try JSONDecoder().decode([[String: String]].self, from: Data(contentsOf: url))
        #expect(rows.count == 9)
        for r in rows {
            let day = try #require(Day(r["date"]!))
            #expect(Cadence.quarterly.end(of: day).description == r["quarterly_end"], "\(day)")
            #expect(Cadence.quarterly.previous(day).description == r["quarterly_previous"], "\(day)")
            #expect(Cadence.yearly.end(of: day).description == r["yearly_end"], "\(day)")
            #expect(Cadence.yearly.previous(day).description == r["yearly_previous"], "\(day)")
        }
        #expect(Cadence.quarterly.noun == "quarter" && Cadence.yearly.noun == "year")
    }

    /// `rows` rows of the tiny pipeline dated over the four quarters of the year from `year`.
    static func year(_ year: String, rows: Int) -> String {
        let start = Day(year)!
        var lines = [TinyPipeline.header]
        for i in 0..<rows {
            var f = TinyPipeline.row(i, day: year).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[1] = Cadence.quarterly.back(-(i % 4), from: start).description + String(format: "T%02d:%02d:00Z", (i / 4) % 24, i % 60)
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The macrodata trial: one file a year, each holding its four quarters. Judged as monthly,
    /// three quarters of every file's timestamps were outside the period (critical) and eleven
    /// months a year had no snapshot; judged by the year, the window checks are quiet, and a
    /// missing year is one missing period.
    @Test func yearlyFilesAreJudgedByTheYear() throws {
        let dir = TemporaryDirectory()
        dir.write("baseline.csv", TinyPipeline.csv(200, day: "2020-01-01"))
        let years = ["2021-01-01", "2022-01-01", "2023-01-01", "2024-01-01", "2025-01-01"]
        for y in years where y != "2024-01-01" { dir.write("days/\(y).csv", Self.year(y, rows: 200)) }
        let report = try run(dir)
        #expect(report.error == nil && report.days.allSatisfy { $0.error == nil }, "\(report)")
        #expect(report.days.count == 4)
        let windowChecks: Set<String> = ["quality.timestamp_outside_day", "debt.snapshot_gap", "operational.empty_hours"]
        for y in years where y != "2024-01-01" {
            let s = try summary(dir, y)
            let fired = s.findings.filter { windowChecks.contains($0.check) }.map { "\($0.check): \($0.message)" }
            #expect(fired.isEmpty, "\(y): \(fired)")
            #expect(s.findings.contains { $0.check == "ops.snapshot_missing" } == (y == "2025-01-01"), "\(y)")
        }
        let missing = try #require(try summary(dir, "2025-01-01").findings.first { $0.check == "ops.snapshot_missing" })
        #expect(missing.message == "1 year between 2021-01-01 and 2025-01-01 have no snapshot (yearly cadence): 2024-01-01")
    }
}
