import Foundation
import Statistics
import Testing

@Suite("Classification and regression metrics")
struct MetricsTests {

    /// Binary cases: random scores, tied scores, constant scores, only negatives, only positives,
    /// all correct, all wrong with 0/1 probabilities (log-loss clipping), perfect probabilities,
    /// a single row, and nothing predicted positive (zero_division).
    @Test("binary metrics against scikit-learn")
    func binary() throws {
        let ref = try Reference.load("metrics")
        for c in Reference.cases(ref, "binary") {
            let name = c["name"] as? String ?? "?"
            let y = integers(c["y_true"]), s = numbers(c["scores"]), pred = integers(c["y_pred"])
            let cm = try #require(ClassificationMetrics.confusionMatrix(yTrue: y, yPred: pred))
            #expect([cm.tn, cm.fp, cm.fn, cm.tp] == integers(c["confusion"]), "confusion \(name)")
            #expect(close(cm.accuracy, number(c["accuracy"])), "accuracy \(name)")
            #expect(close(ClassificationMetrics.accuracy(yTrue: y, yPred: pred), number(c["accuracy"])), "accuracy \(name)")
            #expect(close(cm.precision, number(c["precision"])), "precision \(name)")
            #expect(close(cm.recall, number(c["recall"])), "recall \(name)")
            #expect(close(cm.f1, number(c["f1"])), "f1 \(name)")
            #expect(close(ClassificationMetrics.rocAUC(yTrue: y, scores: s), number(c["roc_auc"])), "auc \(name)")
            #expect(close(ClassificationMetrics.averagePrecision(yTrue: y, scores: s), number(c["average_precision"])),
                    "ap \(name)")
            #expect(close(ClassificationMetrics.logLoss(yTrue: y, probabilities: s), number(c["log_loss"])), "log loss \(name)")
            #expect(close(ClassificationMetrics.brierScore(yTrue: y, probabilities: s), number(c["brier"])), "brier \(name)")
        }
        #expect(ClassificationMetrics.rocAUC(yTrue: [], scores: []) == nil)
        #expect(ClassificationMetrics.confusionMatrix(yTrue: [1], yPred: []) == nil)
    }

    @Test("multiclass accuracy, per-class recall, macro and weighted F1 against scikit-learn")
    func multiclass() throws {
        let ref = try Reference.load("metrics")
        for c in Reference.cases(ref, "multiclass") {
            let name = c["name"] as? String ?? "?"
            let r = try #require(ClassificationMetrics.multiclassReport(yTrue: strings(c["y_true"]), yPred: strings(c["y_pred"])))
            #expect(r.labels == strings(c["labels"]), "labels \(name)")
            #expect(close(r.accuracy, number(c["accuracy"])), "accuracy \(name)")
            #expect(close(r.macroF1, number(c["macro_f1"])), "macro \(name)")
            #expect(close(r.weightedF1, number(c["weighted_f1"])), "weighted \(name)")
            #expect(allClose(r.recall, numbers(c["recall"])), "recall \(name)")
            #expect(allClose(r.precision, numbers(c["precision"])), "precision \(name)")
            #expect(allClose(r.f1, numbers(c["f1"])), "f1 \(name)")
        }
        #expect(ClassificationMetrics.multiclassReport(yTrue: [String](), yPred: []) == nil)
    }

    @Test("regression metrics against scikit-learn (zeros in y for MAPE, constant y for R², single row)")
    func regression() throws {
        let ref = try Reference.load("metrics")
        for c in Reference.cases(ref, "regression") {
            let name = c["name"] as? String ?? "?"
            let t = numbers(c["y_true"]), p = numbers(c["y_pred"])
            #expect(close(RegressionMetrics.meanAbsoluteError(yTrue: t, yPred: p), number(c["mae"])), "mae \(name)")
            #expect(close(RegressionMetrics.rootMeanSquaredError(yTrue: t, yPred: p), number(c["rmse"])), "rmse \(name)")
            #expect(close(RegressionMetrics.meanSquaredError(yTrue: t, yPred: p), number(c["mse"])), "mse \(name)")
            #expect(close(RegressionMetrics.meanAbsolutePercentageError(yTrue: t, yPred: p), number(c["mape"])), "mape \(name)")
            #expect(close(RegressionMetrics.r2(yTrue: t, yPred: p), number(c["r2"])), "r2 \(name)")
            #expect(close(RegressionMetrics.meanError(yTrue: t, yPred: p), number(c["mean_error"])), "mean error \(name)")
        }
        #expect(RegressionMetrics.meanAbsoluteError(yTrue: [], yPred: []) == nil)
    }
}
