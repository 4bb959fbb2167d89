import AuditModel
import Definition
import Draft
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Pipeline

/// Issue 11 (d): integer codes declared categorical, a carried column that is not a model
/// input, an ignored column, all from `mlaudit init`'s role flags, and a run over days whose
/// carried column changes value (a new year) with nothing else changed.
@Suite("Column roles")
struct ColumnRolesTests {
    static let header = "id,ts,region_code,amount,year,note,score,pred,y"

    /// Row i of a day: region codes 1–12 in a fixed cycle, amounts on a grid, a free-text note.
    static func csv(_ n: Int, day: String, year: Int) -> String {
        var out = header + "\n"
        for i in 0..<n {
            let score = Double((i * 37) % 100) / 100
            let pred = score >= 0.5 ? 1 : 0
            let y = i % 4 == 0 ? 1 - pred : pred
            let ts = String(format: "%@T%02d:%02d:00Z", day, (i / 60) % 24, i % 60)
            out += "r\(i),\(ts),\(1 + (i * 5) % 12),\(Double(100 + (i * 53) % 400) / 4),\(year),note \(i * 7919 % 1009) for \(day),"
                + "\(score),\(pred),\(y)\n"
        }
        return out
    }

    static func draft(_ dir: TemporaryDirectory) throws -> String {
        let options = DefinitionDraft.Options(
            target: "y", prediction: "pred", score: "score", id: "id", timestamp: "ts", name: "roles",
            snapshots: dir.path + "/days/{date}.csv", categorical: ["region_code"], carried: ["year"], ignore: ["note"])
        return try DefinitionDraft(baselinePath: dir.path + "/baseline.csv", options: options).yaml()
    }

    @Test func roleFlagsAreDrafted() throws {
        let dir = TemporaryDirectory()
        dir.write("baseline.csv", Self.csv(600, day: "2026-01-01", year: 2025))
        let text = try Self.draft(dir)
        let s = try DefinitionLoader.parse(text: text, file: "t").definition.schema
        let region = try #require(s.features.first { $0.name == "region_code" })
        #expect(region.type == .categorical)
        #expect(region.allowed == (1...12).map(String.init), "the codes in numeric order")
        #expect(s.carried == ["year"] && s.ignored == ["note"])
        #expect(Set(s.features.map(\.name)) == ["region_code", "amount"])
        #expect(text.contains("type: categorical") && text.contains("# from --categorical; 12 distinct values (inferred integer)"))
    }

    @Test func carriedAndIgnoredColumnsAreNeverJudged() throws {
        let dir = TemporaryDirectory()
        dir.write("baseline.csv", Self.csv(600, day: "2026-01-01", year: 2025))
        let days = ["2026-02-01", "2026-02-02", "2026-02-03"]
        for d in days { dir.write("days/\(d).csv", Self.csv(600, day: d, year: 2026)) }
        var text = try Self.draft(dir)
        // Drafted relative paths resolve against the current directory: make them absolute.
        text = text.replacingOccurrences(of: "output: reports", with: "output: \(dir.path)/reports")
            .replacingOccurrences(of: "warehouse: warehouse/roles.sqlite", with: "warehouse: \(dir.path)/roles.sqlite")
        let path = dir.write("roles.yaml", text)
        let loaded = try DefinitionLoader.load(path: path)
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        let result = runner.run(days: days.map { Day($0)! })
        #expect(result.days.allSatisfy { $0.report?.version == 1 })
        for d in days {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/roles/\(d)/v1/summary.json"))
            let s = try JSONDecoder().decode(AuditSummary.self, from: data)
            let about = s.findings.filter { ["year", "note", "region_code"].contains($0.column ?? "") }
            #expect(about.isEmpty, "\(d): \(about.map { "\($0.check) \($0.column ?? "")" })")
            #expect(!s.findings.contains { $0.check == "schema.unexpected_column" }, "\(d)")
            #expect(!s.drift.columns.contains { $0.column == "year" }, "\(d): a carried column is not judged for drift")
            let region = try #require(s.drift.columns.first { $0.column == "region_code" })
            #expect(region.method == .chi2Contingency || region.method == .jensenshannon, "\(d): codes compared as categories")
        }
        // The carried column is stored and profiled; the ignored one is not stored at all.
        let w = try Warehouse(path: dir.path + "/roles.sqlite")
        try w.read { store in
            let p = try #require(try store.ensurePipelineIfExists("roles"))
            let snap = try #require(try store.currentSnapshot(pipelineId: p, kind: .daily, date: "2026-02-01"))
            let year = try #require(try store.profiles(snapshotId: snap.id).first { $0.column == "year" })
            #expect(year.role == .carried && year.categorical?.top.first?.value == "2026")
            let table = try store.rowTable(pipelineId: p, columns: loaded.definition.declaredColumns)
            #expect(try store.extraColumns(table, snapshotId: snap.id).allSatisfy { $0 == nil }, "the note is not kept")
        }
    }
}
