import AuditModel
import Definition
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Pipeline

/// Labels that arrive days after the predictions: `mlaudit run` notices the new (or changed)
/// labels file of an already audited day, re-runs that day, and its new report shows realized
/// performance beside the estimate it showed before.
@Suite("Late labels")
struct LateLabelsTests {
    let day = Day("2026-02-01")!

    func labels(correct: (Int) -> Bool) -> String {
        var out = "id,y\n"
        for i in 0..<300 {
            let pred = Double((i * 13) % 100) / 100 >= 0.5 ? 1 : 0
            out += "id\(i),\(correct(i) ? pred : 1 - pred)\n"
        }
        return out
    }

    func summary(_ dir: TemporaryDirectory, version: Int) throws -> AuditSummary {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/tiny/2026-02-01/v\(version)/summary.json"))
        return try JSONDecoder().decode(AuditSummary.self, from: data)
    }

    @Test func aNewOrChangedLabelsFileMakesTheDayDueAgain() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(300, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(300, withTarget: false))
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        let w = try runner.openWarehouse()
        func due() throws -> [Day] { try runner.dueDays(since: nil, until: nil, force: false, warehouse: w) }

        #expect(try due() == [day])
        #expect(runner.run(days: try due()).days.first?.report?.version == 1)
        #expect(try due() == [], "audited, no labels yet")
        let before = try summary(dir, version: 1)
        #expect(!before.performance.labelsAvailable)
        let estimated = try #require(before.performance.metrics.first { $0.name == "estimated_accuracy" }?.current)

        dir.write("labels/2026-02-01.csv", labels { $0 % 2 == 0 })
        #expect(try due() == [day], "the labels file is new")
        #expect(runner.run(days: try due()).days.first?.report?.version == 2)
        #expect(try due() == [], "the same labels file is not new twice")
        let after = try summary(dir, version: 2)
        #expect(after.performance.labelsAvailable)
        #expect(after.performance.labelledRows == 300)
        #expect(after.performance.metrics.first { $0.name == "accuracy" }?.current == 0.5)
        #expect(after.performance.metrics.first { $0.name == "estimated_accuracy" }?.current == estimated,
                "the estimate from scores stays beside the realized value")
        #expect(after.findings.contains { $0.check == "performance.drop" && $0.severity == .critical })
        #expect(after.retraining.recommendation == .recommended)

        // Corrected labels (same size, different content) make the day due once more.
        dir.write("labels/2026-02-01.csv", labels { $0 % 4 != 0 })
        #expect(try due() == [day])
        #expect(runner.run(days: try due()).days.first?.report?.version == 3)
        #expect(try summary(dir, version: 3).performance.metrics.first { $0.name == "accuracy" }?.current == 0.75)
    }

    /// Labels whose ids match nothing: a critical finding, and the report says labels arrived
    /// but did not join (not "no labels yet").
    @Test func labelsThatJoinNothingAreSaidSo() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(300, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(300, withTarget: false))
        dir.write("labels/2026-02-01.csv", labels { _ in true }.replacingOccurrences(of: "\nid", with: "\nX-id"))
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        #expect(runner.run(days: [day]).days.first?.report?.version == 1)
        let s = try summary(dir, version: 1)
        #expect(!s.performance.labelsAvailable)
        #expect(s.findings.contains { $0.check == "ingest.labels_unmatched" && $0.severity == .critical })
        let md = try #require(dir.read("reports/tiny/2026-02-01/v1/report.md"))
        #expect(md.contains("A labels file was loaded ("))
        #expect(md.contains("300 labels) but none of its labels joined a prediction of the day"))
        #expect(!md.contains("No labels for this day yet"))
    }
}
