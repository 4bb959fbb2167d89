import AuditModel
import Foundation
import Ingest
import Testing
import TestSupport
import Warehouse

@testable import Validate

@Suite("Validate")
struct ValidateStageTests {
    /// Column positions in TinyPipeline.header.
    enum Col: Int { case id = 0, ts, x, n, color, flag, score, pred, y, latency }

    /// A 100-row day where `edit` may change fields of row i.
    func csv(rows: Int = 100, header: String = TinyPipeline.header, _ edit: (Int, inout [String]) -> Void = { _, _ in }) -> String {
        var lines = [header]
        for i in 0..<rows {
            var f = TinyPipeline.row(i).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            edit(i, &f)
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func validate(_ text: String, extra: String = "") throws -> [Finding] {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir, extra: extra)
        dir.write("days/2026-02-01.csv", text)
        let warehouse = try Warehouse(path: loaded.warehousePath)
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        return try ValidateStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), stageRunId: nil)
    }

    func only(_ findings: [Finding], _ check: String) -> [Finding] { findings.filter { $0.check == check } }

    @Test func cleanDayHasNoFindings() throws {
        // Only the line saying the row count cannot be judged on a first day (no trailing days).
        #expect(try validate(csv()).map(\.check) == ["audit.not_evaluated"])
    }

    @Test(arguments: [(9, nil), (10, Severity.warning), (29, .warning), (30, .critical)] as [(Int, Severity?)])
    func nullRateAtTheBoundaries(nulls: Int, severity: Severity?) throws {
        let extra = "checks:\n  null_rate: {warning: 0.1, critical: 0.3}"
        let findings = only(try validate(csv { i, f in if i < nulls { f[Col.x.rawValue] = "" } }, extra: extra), "quality.null_rate")
        #expect(findings.map(\.severity) == (severity.map { [$0] } ?? []))
        if let f = findings.first {
            #expect(f.column == "x")
            #expect(f.observed == formatPercent(Double(nulls) / 100))
        }
    }

    @Test func perColumnThresholdOverridesPipeline() throws {
        let extra = "checks:\n  null_rate: {warning: 0.5, critical: 0.9}"
        let findings = only(try validate(csv { i, f in if i < 20 { f[Col.x.rawValue] = "" } }, extra: extra), "quality.null_rate")
        #expect(findings.isEmpty)
    }

    @Test func valuesOutOfRange() throws {
        let findings = only(try validate(csv { i, f in if i < 2 { f[Col.x.rawValue] = "150" } }), "quality.range")
        #expect(findings.count == 1)
        #expect(findings[0].severity == .warning)
        #expect(findings[0].message == "2% of 'x' values are outside [0, 100] (2 of 100)")
        let critical = only(try validate(csv { i, f in if i < 5 { f[Col.x.rawValue] = "-1" } }), "quality.range")
        #expect(critical.map(\.severity) == [.critical])
    }

    @Test func unseenCategories() throws {
        let findings = only(try validate(csv { i, f in if i % 10 == 0 { f[Col.color.rawValue] = "purple" } }), "quality.allowed_values")
        #expect(findings.count == 1)
        #expect(findings[0].severity == .warning)
        #expect(findings[0].message == "10% of 'color' values are not in the allowed list (10 of 100): 'purple' (10)")
    }

    @Test func duplicateIds() throws {
        let findings = only(try validate(csv { i, f in if i == 5 || i == 6 { f[Col.id.rawValue] = "same" } }), "quality.duplicate_ids")
        #expect(findings.map(\.severity) == [.critical], "1 of 100 reaches the default critical share 1%")
        #expect(findings.first?.observed == "1%")
        let fewer = only(try validate(csv(rows: 200) { i, f in if i == 5 || i == 6 { f[Col.id.rawValue] = "same" } }), "quality.duplicate_ids")
        #expect(fewer.map(\.severity) == [.warning])
    }

    @Test func missingAndUnexpectedColumns() throws {
        let header = TinyPipeline.header.replacingOccurrences(of: ",n,", with: ",extra_col,")
        let findings = try validate(csv(header: header))
        let missing = only(findings, "schema.missing_column")
        #expect(missing.map(\.column) == ["n"])
        #expect(missing.first?.severity == .critical)
        let unexpected = only(findings, "schema.unexpected_column")
        #expect(unexpected.map(\.column) == ["extra_col"])
        #expect(unexpected.first?.severity == .warning)
    }

    @Test func unexpectedColumnsCanBeIgnored() throws {
        let header = TinyPipeline.header + ",note"
        let text = csv(header: header) { _, f in f.append("hello") }
        let findings = try validate(text, extra: "")
        #expect(only(findings, "schema.unexpected_column").count == 1)
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir, replacing: ("  target: y\n", "  target: y\n  unexpected_columns: ignore\n"))
        dir.write("days/2026-02-01.csv", text)
        let warehouse = try Warehouse(path: loaded.warehousePath)
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        let ignored = try ValidateStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), stageRunId: nil)
        #expect(only(ignored, "schema.unexpected_column").isEmpty)
    }

    @Test func quarantinedShare() throws {
        let findings = only(try validate(csv { i, f in if i < 6 { f[Col.n.rawValue] = "six" } }), "quality.quarantined_rows")
        #expect(findings.map(\.severity) == [.critical])
        #expect(findings.first?.message == "6% of the snapshot rows were quarantined at ingest (6 of 100)")
    }

    @Test func probabilitiesOutsideUnitInterval() throws {
        let findings = only(try validate(csv(rows: 200) { i, f in if i == 0 { f[Col.score.rawValue] = "1.5" } }), "quality.probability_range")
        #expect(findings.map(\.severity) == [.warning])
    }

    @Test func nonFiniteScoresAreCritical() throws {
        let findings = only(try validate(csv { i, f in if i == 0 { f[Col.score.rawValue] = "NaN" } }), "quality.non_finite")
        #expect(findings.map(\.severity) == [.critical])
        #expect(findings.first?.column == "score")
    }
}
