import AuditModel
import Definition
import Foundation
import Testing
import TestSupport

@testable import Pipeline

/// Issue 11 (a, b): classes by value, not by spelling. A baseline whose labels are written
/// `1.0`/`0.0` against days written `1`/`0` (and labels files written either way) is one set of
/// classes: no target or prediction drift, realized metrics on both sides (docs/ingest.md, "Classes").
@Suite("Classes by value")
struct ClassesByValueTests {
    /// The tiny CSV with the prediction and target columns respelled by `spell`.
    static func respelled(_ csv: String, _ spell: (String) -> String) -> String {
        csv.split(separator: "\n").enumerated().map { k, line in
            guard k > 0 else { return String(line) }
            var f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for j in [7, 8] where j < f.count { f[j] = spell(f[j]) }
            return f.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    static func summary(_ dir: TemporaryDirectory, day: String, version: Int = 1) throws -> AuditSummary {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/tiny/\(day)/v\(version)/summary.json"))
        return try JSONDecoder().decode(AuditSummary.self, from: data)
    }

    @Test(arguments: [
        // (written, declared classes, canonical)
        ("1.0", ["0", "1"], "1"), ("0.0", ["0", "1"], "0"), ("1", ["0", "1"], "1"), (" 1 ", ["0", "1"], "1"),
        ("true", ["0", "1"], "1"), ("False", ["0", "1"], "0"), ("yes", ["0", "1"], "1"), ("01", ["0", "1"], "1"),
        ("1e0", ["0", "1"], "1"), ("-0.0", ["0", "1"], "0"), ("2", ["0", "1"], "2"), ("2.0", ["0", "1"], "2"),
        ("maybe", ["0", "1"], "maybe"), ("1", ["0.0", "1.0"], "1.0"), ("TRUE", ["false", "true"], "true"),
        ("1", ["no", "yes"], "yes"), ("Cat", ["cat", "dog"], "cat"), ("3.0", [], "3"), ("2.5", [], "2.5"),
        ("nan", ["0", "1"], "nan"), ("0x1", ["0", "1"], "0x1"), ("t", ["a", "b"], "t"),
    ])
    func canonicalClass(_ written: String, _ classes: [String], _ canonical: String) {
        #expect(ClassLabels(classes: classes).canonical(written) == canonical)
    }

    @Test func theDefinitionsClassesAreTheCanonicalSpellings() throws {
        let dir = TemporaryDirectory()
        #expect(try TinyPipeline.load(dir).definition.classLabels?.classes == ["0", "1"])
        let yes = try TinyPipeline.load(dir, replacing: ("    score: score\n", "    score: score\n    positive_class: \"yes\"\n"))
        #expect(yes.definition.classLabels?.classes == ["yes"])
    }

    /// (b) The baseline written `1.0`, the days written `1`: no drift.target, no
    /// drift.prediction, and the same realized accuracy on both sides (a: the baseline's
    /// accuracy is not 0).
    @Test func aBaselineWrittenAsFloatsAgainstDaysWrittenAsIntegersHasNoLabelDrift() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", Self.respelled(TinyPipeline.csv(300, day: "2026-01-01")) { $0 + ".0" })
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(300))
        dir.write("days/2026-02-02.csv", Self.respelled(TinyPipeline.csv(300, day: "2026-02-02")) { $0 == "1" ? "true" : "false" })
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        let result = runner.run(days: [Day("2026-02-01")!, Day("2026-02-02")!])
        #expect(result.days.allSatisfy { $0.report?.version == 1 })
        // Rows i with i % 3 == 0 are wrong (TinyPipeline.row): the accuracy is the share of the others.
        let expected = Double((0..<300).filter { $0 % 3 != 0 }.count) / 300
        for day in ["2026-02-01", "2026-02-02"] {
            let s = try Self.summary(dir, day: day)
            let checks = Set(s.findings.map(\.check))
            #expect(!checks.contains("drift.target") && !checks.contains("drift.prediction"), "\(day): \(checks.sorted())")
            #expect(!checks.contains("quality.unknown_labels"), "\(day)")
            let accuracy = try #require(s.performance.metrics.first { $0.name == "accuracy" })
            #expect(accuracy.current == expected && accuracy.baseline == expected, "\(day)")
            #expect(s.performance.classes == nil || s.performance.classes == ["0", "1"], "\(day)")
        }
    }

    /// A labels file written `1.0`/`0.0` joins a day written `1`/`0` by value.
    @Test func labelsWrittenAsFloatsJoinPredictionsWrittenAsIntegers() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(300, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(300, withTarget: false))
        var labels = "id,y\n"
        for i in 0..<300 {
            let pred = Double((i * 13) % 100) / 100 >= 0.5 ? 1 : 0
            labels += "id\(i),\(i % 2 == 0 ? pred : 1 - pred).0\n"
        }
        dir.write("labels/2026-02-01.csv", labels)
        let runner = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        #expect(runner.run(days: [Day("2026-02-01")!]).days.first?.report?.version == 1)
        let s = try Self.summary(dir, day: "2026-02-01")
        #expect(s.performance.labelledRows == 300)
        #expect(s.performance.metrics.first { $0.name == "accuracy" }?.current == 0.5)
        #expect(!s.findings.contains { $0.check == "quality.unknown_labels" })
    }
}
