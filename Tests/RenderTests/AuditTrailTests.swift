import AuditModel
import Foundation
import GRDB
import Testing
import TestSupport
import Verify
import Warehouse

@testable import Render

/// The audit trail: manifests, the hash chain, the report ledger, the index, `verify`.
@Suite("Audit trail")
struct AuditTrailTests {
    /// Three versions: 2026-02-01 v1, 2026-02-02 v1, then 2026-02-01 v2 (changed data).
    static func trail() throws -> RenderFixture {
        let f = try RenderFixture()
        _ = try f.render()
        f.dir.write("days/2026-02-02.csv", TinyPipeline.csv(30, day: "2026-02-02"))
        try f.runStages(day: "2026-02-02")
        _ = try f.render("2026-02-02")
        f.dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 40))
        try f.runStages()
        let v2 = try f.render()
        #expect(v2.version == 2 && v2.written)
        return f
    }

    func verify(_ f: RenderFixture, inputs: Bool = false) throws -> VerifyReport {
        try Verifier(loaded: f.loaded, warehouse: f.warehouse).run(inputs: inputs)
    }

    var root: String { "reports/tiny" }

    @Test func anUntouchedTrailVerifies() throws {
        let f = try Self.trail()
        let r = try verify(f, inputs: true)
        #expect(r.problems == [])
        #expect(r.versions == 3)
        // 3 manifests + 9 report files + the inputs of each date's newest version
        // (snapshot, baseline, definition).
        #expect(r.filesHashed == 3 + 9 + 6)
        let ledger = try f.warehouse.read { try $0.reports(pipelineId: 1) }
        #expect(r.head == ledger.last?.manifestSha256)
        #expect(ledger.map(\.recommendation) == ["not_needed", "not_needed", ledger[2].recommendation])
        #expect(ledger[1].previousManifestSha256 == ledger[0].manifestSha256)
        #expect(ledger[2].previousManifestSha256 == ledger[1].manifestSha256)
    }

    @Test func aOneByteChangeInAReportIsNamed() throws {
        let f = try Self.trail()
        let path = f.dir.path + "/reports/tiny/2026-02-02/v1/report.md"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[10] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        let r = try verify(f)
        #expect(r.problems.map(\.kind) == [.altered])
        #expect(r.problems.first?.path == path)
        #expect(r.problems.first?.description.hasPrefix("ALTERED \(path): sha256 ") == true)
    }

    @Test func aDeletedVersionIsNamed() throws {
        let f = try Self.trail()
        let dir = f.dir.path + "/reports/tiny/2026-02-01/v1"
        try FileManager.default.removeItem(atPath: dir)
        let r = try verify(f)
        #expect(r.problems == [VerifyProblem(.missing, dir, "version folder of 2026-02-01 v1 (ledger #1) is gone")])
    }

    @Test func swappedManifestsAreNamed() throws {
        let f = try Self.trail()
        let a = f.dir.path + "/reports/tiny/2026-02-01/v1/manifest.json"
        let b = f.dir.path + "/reports/tiny/2026-02-02/v1/manifest.json"
        let da = try Data(contentsOf: URL(fileURLWithPath: a)), db = try Data(contentsOf: URL(fileURLWithPath: b))
        try db.write(to: URL(fileURLWithPath: a))
        try da.write(to: URL(fileURLWithPath: b))
        let r = try verify(f)
        let onA = r.problems.filter { $0.path == a }.map(\.kind)
        let onB = r.problems.filter { $0.path == b }.map(\.kind)
        #expect(onA.contains(.altered) && onA.contains(.reordered))
        #expect(onB.contains(.altered) && onB.contains(.reordered))
        #expect(r.problems.contains { $0.path == a && $0.detail.contains("is the manifest of tiny 2026-02-02 v1, not of tiny 2026-02-01 v1") })
    }

    @Test(arguments: [
        ("UPDATE report SET status = 'ok' WHERE id = 3", "status is ok, the manifest records "),
        ("UPDATE report SET recommendation = 'watch', warningCount = 7 WHERE id = 2", "warningCount is 7"),
        ("UPDATE reportFile SET sha256 = 'x' WHERE reportId = 1 AND name = 'report.html'", "reportFile report.html records sha256 x"),
        ("UPDATE report SET manifestSha256 = 'abc' WHERE id = 1", "links to previous manifest"),
        ("DELETE FROM reportFile WHERE reportId = 2 AND name = 'summary.json'", "has no reportFile row for summary.json"),
    ])
    func anEditedLedgerRowIsCaught(_ sql: String, _ expected: String) throws {
        let f = try Self.trail()
        let q = try DatabaseQueue(path: f.loaded.warehousePath)
        try q.write { try $0.execute(sql: sql) }
        let r = try verify(f)
        #expect(!r.ok)
        #expect(r.problems.contains { $0.detail.contains(expected) }, "\(r.problems)")
    }

    @Test func reorderedLedgerRowsBreakTheChain() throws {
        let f = try Self.trail()
        let q = try DatabaseQueue(path: f.loaded.warehousePath)
        // Swap the chain links of two ledger rows, as if their order had been rewritten.
        try q.write { db in
            try db.execute(sql: "UPDATE report SET previousManifestSha256 = NULL WHERE id = 2")
        }
        let r = try verify(f)
        #expect(r.problems.contains { $0.kind == .reordered && $0.path == "warehouse:report#2" })
    }

    @Test func addedFilesAndFoldersAreNamed() throws {
        let f = try Self.trail()
        f.dir.write("reports/tiny/2026-02-01/v1/notes.txt", "hello")
        f.dir.write("reports/tiny/2026-02-01/v3/report.html", "<p>forged</p>")
        let r = try verify(f)
        #expect(r.problems == [
            VerifyProblem(.added, f.dir.path + "/reports/tiny/2026-02-01/v1/notes.txt", "is not recorded in the manifest"),
            VerifyProblem(.added, f.dir.path + "/reports/tiny/2026-02-01/v3", "is not in the report ledger"),
        ])
    }

    @Test func aChangedInputIsNamedOnlyWhenInputsAreChecked() throws {
        let f = try Self.trail()
        f.dir.write("baseline.csv", TinyPipeline.csv(61, day: "2026-01-01"))
        #expect(try verify(f).ok)
        let r = try verify(f, inputs: true)
        #expect(r.problems.count == 2)
        #expect(r.problems.allSatisfy { $0.kind == .altered && $0.path == f.dir.path + "/baseline.csv" })
    }

    @Test func theIndexListsEveryVersionAndMatchesARebuild() throws {
        let f = try Self.trail()
        let md = try #require(f.dir.read("reports/tiny/index.md"))
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Ledger") }
        #expect(rows.count == 3)
        #expect(rows[0].hasPrefix("| 1 | 2026-02-01 | v1 | WARNING | not_needed | 0 | 1 | [HTML](2026-02-01/v1/report.html) · "))
        #expect(rows[2].hasPrefix("| 3 | 2026-02-01 | v2 (replaces v1) | "))
        let html = try #require(f.dir.read("reports/tiny/index.html"))
        #expect(html.contains("<tr id=\"r3\">"))
        #expect(html.hasSuffix("</tbody>\n</table>\n</main>\n</body>\n</html>\n"))
        // Incremental appends produce exactly the rebuild from the ledger.
        let entries = try f.warehouse.read { try ReportIndex.entries($0, pipelineId: 1) }
        let rebuilt = try ReportIndex.expected(pipeline: "tiny", entries: entries)
        #expect(rebuilt.markdown == md)
        #expect(rebuilt.html == html)
    }

    @Test func aDeletedOrDamagedIndexIsRebuiltFromTheLedgerOnTheNextRender() throws {
        let f = try RenderFixture()
        _ = try f.render()
        try FileManager.default.removeItem(atPath: f.dir.path + "/reports/tiny/index.md")
        f.dir.write("reports/tiny/index.html", "damaged")
        f.dir.write("days/2026-02-02.csv", TinyPipeline.csv(30, day: "2026-02-02"))
        try f.runStages(day: "2026-02-02")
        _ = try f.render("2026-02-02")
        #expect(try verify(f).ok)
        #expect(f.dir.read("reports/tiny/index.html")?.contains("<tr id=\"r1\">") == true)
        #expect(f.dir.read("reports/tiny/index.md")?.contains("| 2 | 2026-02-02 | v1 |") == true)
    }

    @Test func anUnchangedReRenderRepairsAStaleIndex() throws {
        let f = try RenderFixture()
        _ = try f.render()
        f.dir.write("reports/tiny/index.md", "# stale\n")
        let again = try f.render()
        #expect(!again.written)
        #expect(f.dir.read("reports/tiny/index.md")?.contains("| 1 | 2026-02-01 | v1 |") == true)
        #expect(try verify(f).ok)
    }

    @Test func theManifestRecordsToolCommitRunAndStageTimings() throws {
        let f = try RenderFixture()
        let out = try f.render()
        let m = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: out.directory + "/manifest.json")))
        #expect(m.tool.name == "mlaudit")
        #expect(m.tool.version == MLAuditVersion.current)
        let commit = try #require(m.tool.commit)
        #expect(commit == "unknown" || commit.range(of: "^[0-9a-f]{40}(-dirty)?$", options: .regularExpression) != nil, "\(commit)")
        #expect(m.recommendation == .notNeeded)
        // info: the finding of the fixture and three "not evaluated" lines (row count, volume: no
        // trailing days; performance.drop: 30 labelled rows < min_labelled_rows).
        #expect(m.findingCounts == .init(critical: 0, warning: 1, info: 4))
        #expect(m.inputs.map(\.role) == ["snapshot", "baseline", "definition"])
        #expect(m.inputs.last?.sha256 == f.loaded.sha256)
        #expect(m.previousManifestSha256 == nil)
    }
}
