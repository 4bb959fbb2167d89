import AuditModel
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Render

/// Render tests run the earlier stages through the pipeline runner on the tiny pipeline.
@Suite("Render")
struct RenderStageTests {
    @Test func writesVersionedReportFiles() throws {
        let fixture = try RenderFixture()
        let out = try fixture.render()
        #expect(out.version == 1)
        #expect(out.written)
        #expect(out.directory == fixture.dir.path + "/reports/tiny/2026-02-01/v1")
        for name in ["report.html", "report.md", "summary.json", "manifest.json"] {
            #expect(FileManager.default.fileExists(atPath: out.directory + "/" + name), "\(name)")
        }
        let summary = try JSONDecoder().decode(AuditSummary.self, from: Data(contentsOf: URL(fileURLWithPath: out.directory + "/summary.json")))
        #expect(summary.schemaVersion == 1)
        #expect(summary.pipeline == "tiny")
        #expect(summary.date == "2026-02-01")
        #expect(summary.version == 1)
        #expect(summary.rows == .init(read: 31, stored: 30, quarantined: 1))
        #expect(summary.status == .warning)
        #expect(summary.findings.map(\.check).contains("quality.quarantined_rows"))
        #expect(summary.drift.featureCount == 4)
        #expect(summary.retraining.recommendation == .notNeeded)
    }

    @Test func unchangedResultsWriteNothingAndChangedResultsWriteANewVersion() throws {
        let fixture = try RenderFixture()
        let first = try fixture.render()
        let again = try fixture.render()
        #expect(!again.written)
        #expect(again.version == 1)
        let before = try Data(contentsOf: URL(fileURLWithPath: first.directory + "/report.html"))
        // New data for the day: re-ingest and re-run; the report gets v2 and v1 stays.
        fixture.dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 40))
        try fixture.runStages()
        let changed = try fixture.render()
        #expect(changed.written)
        #expect(changed.version == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.directory + "/report.html")) == before)
        let reports = try fixture.warehouse.read { try $0.reports(pipelineId: 1) }
        #expect(reports.map(\.version) == [1, 2])
        #expect(reports[1].previousManifestSha256 == reports[0].manifestSha256)
    }

    @Test func manifestHashesTheFilesBesideIt() throws {
        let fixture = try RenderFixture()
        let out = try fixture.render()
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: out.directory + "/manifest.json")))
        #expect(manifest.files.map(\.name) == ["report.html", "report.md", "summary.json"])
        for f in manifest.files {
            let data = try Data(contentsOf: URL(fileURLWithPath: out.directory + "/" + f.name))
            #expect(f.sha256 == sha256Hex(data))
            #expect(f.bytes == data.count)
        }
        #expect(manifest.inputs.map(\.role) == ["snapshot", "baseline", "definition"])
        #expect(manifest.previousManifestSha256 == nil)
    }

    @Test func htmlIsSelfContainedAndEscaped() throws {
        let fixture = try RenderFixture(color: "<script>alert(1)</script>")
        let out = try fixture.render()
        let html = try String(contentsOfFile: out.directory + "/report.html", encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let md = try String(contentsOfFile: out.directory + "/report.md", encoding: .utf8)
        #expect(!md.contains("<script"))
        #expect(md.contains("| Rows read | Stored | Quarantined | Quarantined share |"))
    }

    @Test func markdownEscapesTableBreakingCharacters() {
        #expect(TextEscaping.markdown("a|b <c> d_e") == "a\\|b &lt;c&gt; d\\_e")
        #expect(TextEscaping.html("a|b") == "a|b")
    }
}

/// A tiny pipeline with a baseline and one day, run through validate, profile and compare.
struct RenderFixture {
    let dir = TemporaryDirectory()
    let loaded: LoadedDefinition
    let warehouse: Warehouse

    /// `driftedX`: the day's x shifted by 30, a feature that really drifted, so the reports
    /// show a drift table (the golden and HTML fixtures).
    ///
    /// `color` replaces the first row's color. Against the 60-row baseline (each color 20
    /// times) one unlisted value in 30 is what chance explains (quality.allowed_values, P = 0.39
    /// with the 1/(n + 1) chance of a category the baseline missed: field trial 8), so the
    /// fixture's color also has a pattern, and the value reaches the reports as a
    /// quality.pattern warning, escaped. `unlistedN`: n (0…6) gets an allowed list and one row
    /// an n of 9 outside it (integer lists have no chance rule: an allowed-values warning).
    init(color: String? = nil, unlistedN: Bool = false, driftedX: Bool = false) throws {
        let colorBlock = "      allowed: [red, green, blue]\n"
        let nBlock = "    - name: n\n      type: integer\n"
        loaded = try TinyPipeline.load(
            dir, replacing: (nBlock + "    - name: color\n      type: categorical\n" + colorBlock,
                             (unlistedN ? nBlock + "      allowed: [0, 1, 2, 3, 4, 5, 6]\n" : nBlock)
                                + "    - name: color\n      type: categorical\n" + colorBlock + "      pattern: '[a-z]+'\n"))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        var rows = [TinyPipeline.header]
        for i in 0..<30 {
            var row = TinyPipeline.row(i, shift: driftedX ? 30 : 0, color: i == 0 ? color : nil)
            if unlistedN, i == 1 {
                var fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                fields[3] = "9"
                row = fields.joined(separator: ",")
            }
            rows.append(row)
        }
        rows.append("broken,row")
        dir.write("days/2026-02-01.csv", rows.joined(separator: "\n") + "\n")
        warehouse = try Warehouse(path: loaded.warehousePath)
        try runStages(baseline: true)
    }

    func runStages(baseline: Bool = false, day: String = "2026-02-01") throws {
        let runner = StageHarness(loaded: loaded, warehouse: warehouse)
        if baseline { try runner.baseline() }
        try runner.day(Day(day)!)
    }

    func render(_ day: String = "2026-02-01") throws -> RenderOutcome {
        try RenderStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(Day(day)!, runId: nil, stageRunId: nil)
    }
}
