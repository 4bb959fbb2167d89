import AuditModel
import Statistics

/// Binary label normalisation: maps the data's spelling of a class to 1 (positive) or 0.
struct BinaryLabels {
    let positive: String
    static let truthy: Set<String> = ["1", "1.0", "true", "yes", "t", "y"]
    static let falsy: Set<String> = ["0", "0.0", "false", "no", "f", "n"]

    /// 1, 0, or nil when the value is not a recognisable label.
    func code(_ value: String) -> Int? {
        let p = positive.lowercased()
        if Self.truthy.contains(p) {
            let v = value.lowercased()
            if Self.truthy.contains(v) { return 1 }
            if Self.falsy.contains(v) { return 0 }
            return nil
        }
        return value == positive ? 1 : 0
    }
}

/// Rows with a prediction and a true label, aligned.
struct LabelledRows {
    var truth: [String] = []
    var prediction: [String] = []
    var predictionValue: [Double] = []
    var score: [Double] = []
    var hasScore = true
}

/// Realized metrics for one set of labelled rows, keyed by metric name (docs/statistics.md).
enum PerformanceMetrics {
    /// Metrics where lower is better: their "drop" is a relative rise.
    static let lowerIsBetter: Set<String> = ["log_loss", "brier", "mae", "rmse", "mape"]

    static func binary(_ rows: LabelledRows, labels: BinaryLabels) -> (metrics: [String: Double], confusion: [[Int]]?) {
        var yTrue: [Int] = [], yPred: [Int] = [], scores: [Double] = []
        for i in 0..<rows.truth.count {
            guard let t = labels.code(rows.truth[i]), let p = labels.code(rows.prediction[i]) else { continue }
            yTrue.append(t)
            yPred.append(p)
            if rows.hasScore { scores.append(rows.score[i]) }
        }
        guard !yTrue.isEmpty else { return ([:], nil) }
        var m: [String: Double] = [:]
        var confusion: [[Int]]?
        if let cm = ClassificationMetrics.confusionMatrix(yTrue: yTrue, yPred: yPred) {
            m["accuracy"] = cm.accuracy
            m["precision"] = cm.precision
            m["recall"] = cm.recall
            m["f1"] = cm.f1
            confusion = [[cm.tn, cm.fp], [cm.fn, cm.tp]]
        }
        m["positive_rate"] = Double(yPred.reduce(0, +)) / Double(yPred.count)
        m["label_positive_rate"] = Double(yTrue.reduce(0, +)) / Double(yTrue.count)
        if rows.hasScore, scores.count == yTrue.count, scores.allSatisfy({ $0.isFinite }) {
            m["roc_auc"] = ClassificationMetrics.rocAUC(yTrue: yTrue, scores: scores)
            m["pr_auc"] = ClassificationMetrics.averagePrecision(yTrue: yTrue, scores: scores)
            if scores.allSatisfy({ $0 >= 0 && $0 <= 1 }) {
                m["log_loss"] = ClassificationMetrics.logLoss(yTrue: yTrue, probabilities: scores)
                m["brier"] = ClassificationMetrics.brierScore(yTrue: yTrue, probabilities: scores)
            }
        }
        return (m.compactMapValues { $0 }, confusion)
    }

    static func multiclass(_ rows: LabelledRows) -> (metrics: [String: Double], classes: [String]) {
        guard let r = ClassificationMetrics.multiclassReport(yTrue: rows.truth, yPred: rows.prediction) else { return ([:], []) }
        var m: [String: Double] = ["accuracy": r.accuracy, "macro_f1": r.macroF1, "weighted_f1": r.weightedF1]
        for (label, recall) in zip(r.labels, r.recall) { m["recall[\(label)]"] = recall }
        return (m, r.labels)
    }

    static func regression(_ rows: LabelledRows) -> [String: Double] {
        var t: [Double] = [], p: [Double] = []
        for i in 0..<rows.truth.count {
            guard let y = Double(rows.truth[i]), y.isFinite, rows.predictionValue[i].isFinite else { continue }
            t.append(y)
            p.append(rows.predictionValue[i])
        }
        var m: [String: Double?] = [:]
        m["mae"] = RegressionMetrics.meanAbsoluteError(yTrue: t, yPred: p)
        m["rmse"] = RegressionMetrics.rootMeanSquaredError(yTrue: t, yPred: p)
        m["mape"] = RegressionMetrics.meanAbsolutePercentageError(yTrue: t, yPred: p)
        m["r2"] = RegressionMetrics.r2(yTrue: t, yPred: p)
        m["mean_error"] = RegressionMetrics.meanError(yTrue: t, yPred: p)
        return m.compactMapValues { $0 }
    }
}
