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

/// A small pipeline built row by row, for the compare stage's checks: the tiny pipeline's
/// columns (TestSupport) with rows the test shapes by editing fields.
struct Scenario {
    let dir = TemporaryDirectory()
    var extra = ""
    var replacing: (String, String)?
    var header = TinyPipeline.header

    /// The tiny rows of a day with `edit(i, &fields)` applied (fields in `header` order).
    static func csv(_ n: Int, day: String, header: String = TinyPipeline.header, withTarget: Bool = true,
                    edit: (Int, inout [String]) -> Void = { _, _ in }) -> String {
        var lines = [withTarget ? header : header.replacingOccurrences(of: ",y,", with: ",")]
        for i in 0..<n {
            var f = TinyPipeline.row(i, day: day).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            edit(i, &f)
            if !withTarget { f.remove(at: 8) }
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func load() throws -> (LoadedDefinition, Warehouse) {
        let loaded = try TinyPipeline.load(dir, extra: extra, replacing: replacing)
        return (loaded, try Warehouse(path: loaded.warehousePath))
    }

    /// Ingests, validates and profiles the baseline and each day (in order), then compares the last day.
    func run(baseline: String, days: [(String, String)], labels: [(String, String)] = []) throws -> CompareOutcome {
        dir.write("baseline.csv", baseline)
        for (d, text) in days { dir.write("days/\(d).csv", text) }
        for (d, text) in labels { dir.write("labels/\(d).csv", text) }
        let (loaded, w) = try load()
        var targets = [AuditTarget.baseline]
        targets += days.map { .day(Day($0.0)!) }
        var outcome: CompareOutcome?
        for target in targets {
            _ = try IngestStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, runId: nil, stageRunId: nil)
            try ValidateStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, stageRunId: nil)
            try ProfileStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, stageRunId: nil)
            if case .day(let d) = target {
                outcome = try CompareStage(loaded: loaded, warehouse: w, logger: testLogger).run(d, stageRunId: nil)
            }
        }
        return try #require(outcome)
    }
}

extension CompareOutcome {
    func findings(_ check: String) -> [Finding] { findings.filter { $0.check == check } }
    func metric(_ name: String) -> AuditSummary.MetricComparison? {
        (performance.metrics + operational.metrics).first { $0.name == name }
    }
}

@Suite("Compare stage checks")
struct CompareChecksTests {
    let base = Scenario.csv(300, day: "2026-01-01")

    @Test func missingValueChangeIsAFindingAndTheTestDropsThem() throws {
        let s = Scenario()
        // Every 5th x is null: 20 % missing against none on the baseline.
        let day = Scenario.csv(300, day: "2026-02-01") { i, f in if i % 5 == 0 { f[2] = "" } }
        let out = try s.run(baseline: base, days: [("2026-02-01", day)])
        let f = try #require(out.findings("drift.null_rate_change").first)
        #expect(f.column == "x")
        #expect(f.severity == .warning)
        #expect(f.message == "'x' is missing in 20% of rows against 0% on the baseline")
        let x = try #require(out.drift.first { $0.column == "x" })
        #expect(x.currentCount == 240, "nulls are dropped before the test, as Evidently")
        #expect(x.extra["missing_share"] == 0.2)
        #expect(x.extra["reference_missing_share"] == 0)
        #expect(out.findings("drift.null_rate_change").count == 1)
    }

    @Test func nanScoresAreNumericalInstability() throws {
        // NaN scores: the numerical-stability finding, and drift computed on the finite scores.
        let s = Scenario()
        let day = Scenario.csv(300, day: "2026-02-01") { i, f in if i % 50 == 0 { f[6] = "NaN" } }
        let out = try s.run(baseline: base, days: [("2026-02-01", day)])
        let f = try #require(out.findings("debt.numerical_stability").first)
        #expect(f.severity == .critical)
        #expect(f.message == "6 of 300 model outputs in 'score' are NaN (6) or infinite (0)")
        #expect(out.drift.first { $0.column == "score" }?.currentCount == 294)
    }

    @Test func staleModelRecommendsRetraining() throws {
        var s = Scenario()
        s.replacing = ("  trained_at: 2026-01-01\n", "  trained_at: 2026-01-01\n  max_age_days: 10\n")
        let out = try s.run(baseline: base, days: [("2026-02-01", Scenario.csv(300, day: "2026-02-01"))])
        let f = try #require(out.findings("debt.stale_model").first)
        #expect(f.message == "the model was trained on 2026-01-01, 31 days before 2026-02-01; the allowed age is 10 days")
        #expect(out.retraining.recommendation == .recommended)
        #expect(out.retraining.reasons == ["stale model: " + f.message])
    }

    @Test func daysWithoutSnapshotAndOverdueLabels() throws {
        var s = Scenario()
        s.replacing = ("  path: labels/{date}.csv\n", "  path: labels/{date}.csv\n  expected_within_days: 2\n")
        let d1 = Scenario.csv(300, day: "2026-02-01", withTarget: false)
        let d4 = Scenario.csv(300, day: "2026-02-04", withTarget: false)
        let out = try s.run(baseline: base, days: [("2026-02-01", d1), ("2026-02-04", d4)])
        let gap = try #require(out.findings("ops.snapshot_missing").first)
        #expect(gap.message == "2 days between 2026-02-01 and 2026-02-04 have no snapshot (daily cadence): 2026-02-02, 2026-02-03")
        let labels = try #require(out.findings("debt.labels_missing").first)
        #expect(labels.message == "labels for 1 day are more than 2 days late: 2026-02-01")
    }

    @Test func constantAndCorrelatedFeatures() throws {
        var s = Scenario()
        s.replacing = ("    - name: flag\n", "    - name: x2\n      type: numeric\n    - name: flag\n")
        let header = TinyPipeline.header.replacingOccurrences(of: ",flag,", with: ",x2,flag,")
        func rows(_ day: String, constantFlag: Bool) -> String {
            Scenario.csv(300, day: day, header: header) { i, f in
                let x = Double(f[2])!
                f.insert(String(2 * x + Double(i % 3) * 0.01), at: 5)
                if constantFlag { f[6] = "true" }
            }
        }
        let out = try s.run(baseline: rows("2026-01-01", constantFlag: false), days: [("2026-02-01", rows("2026-02-01", constantFlag: true))])
        let constant = try #require(out.findings("debt.constant_feature").first)
        #expect(constant.column == "flag" && constant.severity == .warning)
        #expect(constant.message == "'flag' holds a single value today although it varied on the baseline")
        let corr = try #require(out.findings("debt.correlated_features").first)
        #expect(corr.column == "x" && corr.severity == .info)
        // The stored coefficient is Pearson's r of the baseline columns.
        let (_, w) = try s.load()
        let (x, x2) = try w.read { store -> ([Double], [Double]) in
            let t = try store.rowTable(pipelineId: 1, columns: try s.load().0.definition.declaredColumns)
            let d = try store.readFiniteNumbers(t, snapshotId: 1, columns: ["x", "x2"])
            return (d["x"]!.values, d["x2"]!.values)
        }
        let r = try #require(Pearson.coefficient(x, x2).r)
        #expect(corr.message == "'x' and 'x2' are correlated at r = \(formatNumber(r)) on the baseline (300 rows): one of them is redundant")
    }

    @Test func thresholdMismatchAndFixedThreshold() throws {
        // Served at 0.3 instead of 0.5: predictions disagree with score >= 0.5.
        let s = Scenario()
        let lowered = Scenario.csv(300, day: "2026-02-01") { _, f in f[7] = Double(f[6])! >= 0.3 ? "1" : "0" }
        let out = try s.run(baseline: base, days: [("2026-02-01", lowered)])
        let mismatch = try #require(out.findings("debt.threshold_mismatch").first)
        #expect(mismatch.message == "20% of today's predictions (60 of 300) differ from score ≥ 0.5, against 0% on the baseline")
        #expect(out.findings("debt.fixed_threshold").isEmpty, "the threshold changed: not a fixed-threshold finding")

        // Same threshold, higher scores: more positives under a fixed threshold.
        let s2 = Scenario()
        let shifted = Scenario.csv(300, day: "2026-02-01", withTarget: false) { _, f in
            let score = min(0.99, Double(f[6])! + 0.2)
            f[6] = String(score)
            f[7] = score >= 0.5 ? "1" : "0"
        }
        let out2 = try s2.run(baseline: base, days: [("2026-02-01", shifted)])
        let fixed = try #require(out2.findings("debt.fixed_threshold").first)
        #expect(fixed.message == ("the share of positive predictions moved from 50% on the baseline to 70% (+40%) while the decision threshold stayed at 0.5"))
        #expect(out2.findings("debt.threshold_mismatch").isEmpty)
        #expect(out2.retraining.recommendation == .watch)
    }

    @Test func errorRateFromTheStatusColumn() throws {
        var s = Scenario()
        s.replacing = ("    latency: latency_ms\n", "    latency: latency_ms\n    status: code\n")
        let header = TinyPipeline.header + ",code"
        let baseline = Scenario.csv(300, day: "2026-01-01", header: header) { i, f in f.append(i % 100 == 0 ? "500" : "200") }
        let day = Scenario.csv(300, day: "2026-02-01", header: header) { i, f in f.append(i % 10 == 0 ? "503" : "200") }
        let out = try s.run(baseline: baseline, days: [("2026-02-01", day)])
        let f = try #require(out.findings("operational.error_rate").first)
        #expect(f.severity == .critical)
        #expect(f.message == "10% of requests failed (30 of 300 with a status not in ok_values) against 1% on the baseline")
        #expect(out.metric("error_rate")?.current == 0.1)
        #expect(out.metric("error_rate")?.baseline == 0.01)
    }

    @Test func emptyHoursAgainstTheBaselinesTrafficPattern() throws {
        let s = Scenario()
        // Baseline and day spread over 24 hours; the day has nothing from 03:00 to 05:59.
        func spread(_ day: String, skip: ClosedRange<Int>?) -> String {
            Scenario.csv(480, day: day) { i, f in
                var hour = i % 24
                if let skip, skip.contains(hour) { hour = 12 }
                f[1] = String(format: "%@T%02d:%02d:00Z", day, hour, (i / 24) % 60)
            }
        }
        let out = try s.run(baseline: spread("2026-01-01", skip: nil), days: [("2026-02-01", spread("2026-02-01", skip: 3...5))])
        let f = try #require(out.findings("operational.empty_hours").first)
        #expect(f.severity == .critical)
        #expect(f.message == "3 hours of 2026-02-01 without a row although the baseline's traffic expects some: 03:00, 04:00, 05:00 UTC")
        #expect(out.metric("empty_hours")?.current == 3)
        #expect(out.metric("rows_per_hour_min")?.current == 0)
    }

    @Test func volumeAgainstTheTrailingDays() throws {
        let s = Scenario()
        let days = ["2026-02-01", "2026-02-02", "2026-02-03"].map { ($0, Scenario.csv(300, day: $0)) }
            + [("2026-02-04", Scenario.csv(50, day: "2026-02-04"))]
        let out = try s.run(baseline: base, days: days)
        let f = try #require(out.findings("operational.volume").first)
        #expect(f.severity == .critical)
        #expect(f.message == "50 rows against a median of 300 over the 3 previous days with a snapshot (÷6)")
        #expect(out.metric("rows_trailing_median")?.current == 300)
    }

    @Test func realizedBesideEstimatedAtTheDecisionThreshold() throws {
        // The baseline is labelled in its rows; the day gets a labels file. Realized metrics at
        // the decision threshold are computed from score >= 0.5, like the CBPE estimate.
        let s = Scenario()
        let day = Scenario.csv(300, day: "2026-02-01", withTarget: false)
        var labels = "id,y\n"
        for i in 0..<300 {
            let score = Double((i * 13) % 100) / 100
            labels += "id\(i),\(i % 4 == 0 ? (score >= 0.5 ? 0 : 1) : (score >= 0.5 ? 1 : 0))\n"
        }
        let out = try s.run(baseline: base, days: [("2026-02-01", day)], labels: [("2026-02-01", labels)])
        #expect(out.performance.labelsAvailable)
        #expect(out.performance.decisionThreshold == 0.5)
        #expect(out.metric("accuracy")?.current == 0.75)
        #expect(out.metric("estimated_accuracy")?.current != nil)
        #expect(out.metric("estimated_roc_auc")?.current != nil)
        // Confusion matrix [[tn, fp], [fn, tp]] over rows, counted independently here.
        var tn = 0, fp = 0, fn = 0, tp = 0
        for i in 0..<300 {
            let predicted = Double((i * 13) % 100) / 100 >= 0.5
            let actual = i % 4 == 0 ? !predicted : predicted
            switch (actual, predicted) {
            case (false, false): tn += 1
            case (false, true): fp += 1
            case (true, false): fn += 1
            case (true, true): tp += 1
            }
        }
        #expect(out.performance.confusionMatrix == [[tn, fp], [fn, tp]])
        #expect(out.performance.classes == ["0", "1"])
    }
}

@Suite("Retraining policy")
struct RetrainingPolicyTests {
    func finding(_ check: CheckInfo, _ severity: Severity = .warning) -> Finding {
        Finding(check, severity: severity, message: check.id)
    }

    @Test func defaults() {
        let p = RetrainingPolicy(nil)
        #expect(p.recommend(findings: [], drift: []).recommendation == .notNeeded)
        #expect(p.recommend(findings: [finding(CheckCatalog.datasetDrift, .critical)], drift: []).recommendation == .recommended)
        #expect(p.recommend(findings: [finding(CheckCatalog.performanceDrop, .warning)], drift: []).recommendation == .watch)
        #expect(p.recommend(findings: [finding(CheckCatalog.performanceDrop, .critical)], drift: []).recommendation == .recommended)
        #expect(p.recommend(findings: [finding(CheckCatalog.targetDrift)], drift: []).recommendation == .watch)
        #expect(p.recommend(findings: [finding(CheckCatalog.estimatedPerformanceDrop, .critical)], drift: []).recommendation == .watch)
        #expect(p.recommend(findings: [finding(CheckCatalog.configChanged)], drift: []).recommendation == .recommended)
        #expect(p.recommend(findings: [finding(CheckCatalog.staleModel)], drift: []).recommendation == .recommended)
        #expect(p.recommend(findings: [finding(CheckCatalog.fixedThreshold)], drift: []).recommendation == .watch)
        #expect(p.recommend(findings: [finding(CheckCatalog.latency, .critical)], drift: []).recommendation == .notNeeded)
        let drifted = DriftResult(column: "x", role: .feature, method: .ks, statistic: 0.5, pValue: 0.001, threshold: 0.05,
                                  drifted: true, referenceCount: 10, currentCount: 10)
        let watch = p.recommend(findings: [], drift: [drifted])
        #expect(watch.recommendation == .watch)
        #expect(watch.reasons == ["drifted features: x"])
    }

    @Test func overrides() {
        let p = RetrainingPolicy(RetrainingSpec(
            onDatasetDrift: false, watchDriftedFeatures: 2, onTargetDrift: true, onConfigChange: false, onEstimatedDrop: true))
        #expect(p.recommend(findings: [finding(CheckCatalog.datasetDrift, .critical)], drift: []).recommendation == .watch)
        #expect(p.recommend(findings: [finding(CheckCatalog.targetDrift)], drift: []).recommendation == .recommended)
        #expect(p.recommend(findings: [finding(CheckCatalog.configChanged)], drift: []).recommendation == .watch)
        #expect(p.recommend(findings: [finding(CheckCatalog.estimatedPerformanceDrop, .critical)], drift: []).recommendation == .recommended)
        let one = DriftResult(column: "x", role: .feature, method: .ks, statistic: 0.5, pValue: 0.001, threshold: 0.05,
                              drifted: true, referenceCount: 10, currentCount: 10)
        #expect(p.recommend(findings: [], drift: [one]).recommendation == .notNeeded)
        let both = p.recommend(findings: [finding(CheckCatalog.targetDrift)], drift: [one, one])
        #expect(both.reasons == ["target drift: drift.target", "also: drifted features: x, x"])
    }

    /// `debt.constant_feature` on a day: all of 100 values equal is what a baseline at 98 %
    /// one value predicts (0.98^100 = 0.13) but not one at 50 % (0.5^100 ≈ 8e-31); without a
    /// baseline share it is judged as before.
    @Test func aConstantDayIsDebtOnlyWhenTheBaselineMakesItUnlikely() {
        #expect(Comparison.expectedFromBaseline(dayShare: 1, values: 100, baselineShare: 0.98))
        #expect(!Comparison.expectedFromBaseline(dayShare: 1, values: 100, baselineShare: 0.5))
        #expect(!Comparison.expectedFromBaseline(dayShare: 1, values: 100, baselineShare: nil))
        #expect(!Comparison.expectedFromBaseline(dayShare: 1, values: 1_000_000, baselineShare: 0.98))
    }
}

/// The 95 % intervals of rmse and mae that `performance.drop` needs a rise to clear, against
/// numpy/scipy (scripts/reference/error_interval_reference.py → Fixtures/error_interval.json).
@Suite("Regression error intervals")
struct ErrorIntervalTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var truth: [Double]
            var prediction: [Double]
            var mae: [Double]
            var rmse: [Double]
        }
        var cases: [Case]
    }

    @Test func intervalsMatchNumpy() throws {
        let url = try #require(Bundle.module.url(forResource: "error_interval", withExtension: "json", subdirectory: "Fixtures"))
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(f.cases.count == 3)
        for c in f.cases {
            var rows = LabelledRows(hasScore: false)
            rows.truth = c.truth.map { String($0) }
            rows.predictionValue = c.prediction
            for (name, want) in [("mae", c.mae), ("rmse", c.rmse)] {
                let got = try #require(PerformanceMetrics.errorInterval(name, rows: rows), "\(c.name) \(name)")
                #expect(abs(got.lower - want[0]) <= 1e-9 * max(1, want[0]), "\(c.name) \(name) lower \(got.lower) vs \(want[0])")
                #expect(abs(got.upper - want[1]) <= 1e-9 * max(1, want[1]), "\(c.name) \(name) upper \(got.upper) vs \(want[1])")
            }
        }
        #expect(PerformanceMetrics.errorInterval("r2", rows: LabelledRows()) == nil)
    }

    /// Class values come from data: 60 000 distinct predicted and true values in one day made a
    /// 60 003 × 60 003 confusion matrix (24 GB; the run was killed). Beyond 100 classes only
    /// accuracy and macro and weighted F1 are computed.
    @Test func multiclassDetailIsBoundedByTheClassCount() {
        func rows(_ n: Int) -> LabelledRows {
            var r = LabelledRows(hasScore: false)
            r.truth = (0..<n).map { "c\($0)" }
            r.prediction = (0..<n).map { $0 % 2 == 0 ? "c\($0)" : "c\($0 ^ 1)" }
            return r
        }
        let wide = PerformanceMetrics.multiclass(rows(20_000))
        #expect(wide.confusion == nil && wide.classes.isEmpty)
        #expect(wide.metrics.keys.sorted() == ["accuracy", "macro_f1", "weighted_f1"])
        #expect(wide.metrics["accuracy"] == 0.5)
        #expect(PerformanceMetrics.maxDetailedClasses == 100)
        let narrow = PerformanceMetrics.multiclass(rows(100))
        #expect(narrow.classes.count == 100 && narrow.confusion?.count == 100)
        #expect(narrow.metrics.keys.filter { $0.hasPrefix("recall[") }.count == 100)
    }
}
