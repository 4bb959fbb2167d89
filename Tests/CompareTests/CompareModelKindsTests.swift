import AuditModel
import Definition
import Foundation
import Ingest
import Profile
import Statistics
import Testing
import TestSupport
import Validate
import Warehouse

@testable import Compare

/// Regression and multiclass models, and the warehouse caches the compare stage keeps.
@Suite("Compare stage: model kinds and caches")
struct CompareModelKindsTests {
    func yaml(_ dir: TemporaryDirectory, prediction: String, target: String) -> String {
        """
        name: kinds
        root: \(dir.path)
        model: {name: m, version: "1"}
        baseline: {path: baseline.csv}
        snapshots: {path: "days/{date}.csv"}
        schema:
          id: id
          prediction: \(prediction)
          target: \(target)
          features:
            - {name: x, type: numeric}
        warehouse: kinds.sqlite
        """
    }

    func run(_ dir: TemporaryDirectory, _ text: String, baseline: String, day: String) throws -> (CompareOutcome, Warehouse, LoadedDefinition) {
        let loaded = try DefinitionLoader.parse(text: text, file: dir.write("kinds.yaml", text))
        dir.write("baseline.csv", baseline)
        dir.write("days/2026-02-01.csv", day)
        let w = try Warehouse(path: loaded.warehousePath)
        for target in [AuditTarget.baseline, .day(Day("2026-02-01")!)] {
            _ = try IngestStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, runId: nil, stageRunId: nil)
            try ProfileStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, stageRunId: nil)
        }
        return (try CompareStage(loaded: loaded, warehouse: w, logger: testLogger).run(Day("2026-02-01")!, stageRunId: nil), w, loaded)
    }

    @Test func regressionTargetInTheRows() throws {
        let dir = TemporaryDirectory()
        func rows(_ bias: Double) -> (String, [Double], [Double]) {
            var text = "id,x,yhat,y\n", truth: [Double] = [], predicted: [Double] = []
            for i in 0..<200 {
                let x = Double((i * 17) % 50), y = 2 * x + Double(i % 7), yhat = 2 * x + 3 + bias
                text += "r\(i),\(x),\(yhat),\(y)\n"
                truth.append(y)
                predicted.append(yhat)
            }
            return (text, truth, predicted)
        }
        let (base, _, _) = rows(0), (day, truth, predicted) = rows(4)
        let (out, _, _) = try run(dir, yaml(dir, prediction: "{column: yhat, kind: regression}", target: "y"), baseline: base, day: day)
        #expect(out.performance.kind == .regression)
        #expect(out.performance.labelledRows == 200)
        let rmse = try #require(out.performance.metrics.first { $0.name == "rmse" })
        #expect(rmse.current == RegressionMetrics.rootMeanSquaredError(yTrue: truth, yPred: predicted))
        #expect(out.performance.metrics.first { $0.name == "mean_error" }?.current == RegressionMetrics.meanError(yTrue: truth, yPred: predicted))
        #expect(out.findings.contains { $0.check == "performance.drop" }, "rmse rose far beyond 5 %")
        let target = try #require(out.drift.first { $0.role == .target })
        #expect(target.method == .ks && !target.drifted, "a numeric target is compared as numbers")
    }

    @Test func multiclassConfusionMatrixAndPerClassRecall() throws {
        let dir = TemporaryDirectory()
        let classes = ["cat", "dog", "fox"]
        func rows(shift: Int) -> (String, [String], [String]) {
            var text = "id,x,label,truth\n", truth: [String] = [], predicted: [String] = []
            for i in 0..<300 {
                let t = classes[i % 3], p = (i % 5 < shift) ? classes[(i + 1) % 3] : t
                text += "r\(i),\(i % 40),\(p),\(t)\n"
                truth.append(t)
                predicted.append(p)
            }
            return (text, truth, predicted)
        }
        let (base, _, _) = rows(shift: 1), (day, truth, predicted) = rows(shift: 2)
        let (out, _, _) = try run(
            dir, yaml(dir, prediction: "{column: label, kind: multiclass}", target: "truth"), baseline: base, day: day)
        let report = try #require(ClassificationMetrics.multiclassReport(yTrue: truth, yPred: predicted))
        #expect(out.performance.classes == report.labels)
        for (label, recall) in zip(report.labels, report.recall) {
            #expect(out.performance.metrics.first { $0.name == "recall[\(label)]" }?.current == recall)
        }
        #expect(out.performance.metrics.first { $0.name == "macro_f1" }?.current == report.macroF1)
        let matrix = try #require(out.performance.confusionMatrix)
        for (a, actual) in report.labels.enumerated() {
            for (p, pred) in report.labels.enumerated() {
                let n = zip(truth, predicted).filter { $0.0 == actual && $0.1 == pred }.count
                #expect(matrix[a][p] == n, "\(actual) → \(pred)")
            }
        }
        #expect(out.performance.decisionThreshold == nil)
    }

    @Test func baselineColumnsAreCachedSortedAndReused() throws {
        let dir = TemporaryDirectory()
        let text = yaml(dir, prediction: "{column: label, kind: multiclass}", target: "truth")
        var base = "id,x,label,truth\n", day = base
        for i in 0..<500 {
            base += "r\(i),\(Double((i * 7919) % 1000) / 10),a,a\n"
            day += "r\(i),\(Double((i * 104_729) % 997) / 10 + 1),a,a\n"
        }
        let (first, w, loaded) = try run(dir, text, baseline: base, day: day)
        let (rows, cached) = try w.read { store -> ([Double], FiniteNumbers?) in
            let table = try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns)
            let baseline = try #require(try store.currentSnapshot(pipelineId: 1, kind: .baseline, date: "baseline"))
            let rows = try store.readFiniteNumbers(table, snapshotId: baseline.id, columns: ["x"])["x"]?.values ?? []
            return (rows, try store.sortedColumns(table, snapshotId: baseline.id, columns: ["x"])["x"])
        }
        #expect(cached?.values == rows.sorted(), "the cache holds the baseline's values, sorted")
        #expect(cached?.nulls == 0 && cached?.values.count == 500)
        // A new process (no memory cache) compares from the warehouse cache with the same result.
        CompareStage.clearProcessCache()
        let again = try CompareStage(loaded: loaded, warehouse: w, logger: testLogger).run(Day("2026-02-01")!, stageRunId: nil)
        #expect(again.drift == first.drift)
        // Reading the rows in parts gives the column in row order; so does its columnar copy (one part).
        let (parts, copied) = try w.read { store -> ([FiniteNumbers], [FiniteNumbers]) in
            let table = try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns)
            let range = try #require(try store.rowidRange(table, snapshotId: 1))
            return (
                try w.readFiniteNumberParts(
                    table, snapshotId: 1, columns: ["x"], rowids: range, parts: 2, minimumRowsPerPart: 100, columnar: false)["x"] ?? [],
                try w.readFiniteNumberParts(table, snapshotId: 1, columns: ["x"], rowids: range, parts: 2, minimumRowsPerPart: 100)["x"] ?? [])
        }
        #expect(parts.count == 2)
        #expect(Array(parts.map(\.values).joined()) == rows)
        #expect(copied.count == 1)
        #expect(copied.first?.values == rows)
    }
}
