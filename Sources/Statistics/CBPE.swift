// Confidence-based performance estimation (NannyML CBPE) for binary classifiers:
// estimate the confusion matrix and the usual metrics of unlabeled data from calibrated
// probabilities. With calibrated probability p_i of the positive class and the model's
// predicted label ŷ_i:
//   TP = Σ p_i [ŷ_i = 1],  FP = Σ (1 - p_i) [ŷ_i = 1],
//   FN = Σ p_i [ŷ_i = 0],  TN = Σ (1 - p_i) [ŷ_i = 0].
// The calibrator is an isotonic regression of reference labels on reference scores
// (`IsotonicRegression`), as NannyML's default calibrator.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for NannyML-style confidence-based performance estimation.
public enum CBPE {

    /// Expected confusion matrix and metrics of a binary classifier.
    public struct Estimate: Sendable, Equatable {
        /// Expected true positives.
        public var tp: Double
        /// Expected false positives.
        public var fp: Double
        /// Expected false negatives.
        public var fn: Double
        /// Expected true negatives.
        public var tn: Double
        /// (TP + TN) / n; matches NannyML `estimate_accuracy`.
        public var accuracy: Double
        /// TP / (TP + FP), 0 when the denominator is 0; matches NannyML `estimate_precision`.
        public var precision: Double
        /// TP / (TP + FN), 0 when the denominator is 0; matches NannyML `estimate_recall`.
        public var recall: Double
        /// TP / (TP + (FP + FN)/2), 0 when the denominator is 0; matches NannyML `estimate_f1`.
        public var f1: Double
        /// TN / (TN + FP), 0 when the denominator is 0; matches NannyML `estimate_specificity`.
        public var specificity: Double
    }

    /// Fits the calibrator NannyML uses: increasing isotonic regression of 0/1 labels on uncalibrated scores; nil when empty.
    public static func fitCalibrator(referenceScores: [Double], referenceLabels: [Int], positiveLabel: Int = 1) -> IsotonicRegression? {
        guard referenceScores.count == referenceLabels.count else { return nil }
        return IsotonicRegression(x: referenceScores, y: referenceLabels.map { $0 == positiveLabel ? 1.0 : 0.0 })
    }

    /// Expected confusion matrix and metrics from calibrated probabilities and predicted labels (1 = positive); matches NannyML CBPE `estimate_*`; nil when empty or lengths differ.
    public static func estimate(calibratedProbabilities p: [Double], predictedLabels yPred: [Int], positiveLabel: Int = 1) -> Estimate? {
        guard p.count == yPred.count, !p.isEmpty else { return nil }
        var tpTerms: [Double] = []
        var fpTerms: [Double] = []
        var fnTerms: [Double] = []
        var tnTerms: [Double] = []
        for i in 0..<p.count {
            if yPred[i] == positiveLabel {
                tpTerms.append(p[i])
                fpTerms.append(1 - p[i])
            } else {
                fnTerms.append(p[i])
                tnTerms.append(1 - p[i])
            }
        }
        let tp = Descriptive.sum(tpTerms)
        let fp = Descriptive.sum(fpTerms)
        let fn = Descriptive.sum(fnTerms)
        let tn = Descriptive.sum(tnTerms)
        let precisionDen = tp + fp
        let recallDen = tp + fn
        let f1Den = tp + 0.5 * (fp + fn)
        let specificityDen = tn + fp
        return Estimate(tp: tp, fp: fp, fn: fn, tn: tn,
                        accuracy: (tp + tn) / Double(p.count),
                        precision: precisionDen != 0 ? tp / precisionDen : 0,
                        recall: recallDen != 0 ? tp / recallDen : 0,
                        f1: f1Den != 0 ? tp / f1Den : 0,
                        specificity: specificityDen != 0 ? tn / specificityDen : 0)
    }

    /// CBPE estimate where the predicted label is `score >= threshold` on the uncalibrated score; nil when empty or lengths differ.
    public static func estimate(calibratedProbabilities p: [Double], uncalibratedScores scores: [Double], threshold: Double) -> Estimate? {
        guard p.count == scores.count else { return nil }
        return estimate(calibratedProbabilities: p, predictedLabels: scores.map { $0 >= threshold ? 1 : 0 })
    }

    /// Estimated ROC AUC as NannyML `estimate_roc_auc`: rank by uncalibrated score (descending; ties by descending index), cumulative expected TP/FP rounded to 5 decimals, trapezoid area; nil when empty, lengths differ, or the expected positives or negatives sum to 0.
    public static func estimatedROCAUC(calibratedProbabilities p: [Double], uncalibratedScores scores: [Double]) -> Double? {
        guard p.count == scores.count, !p.isEmpty else { return nil }
        let n = p.count
        // np.argsort(scores)[::-1] with a stable sort: descending score, ties by descending index.
        // The same permutation by a radix sort when there is no NaN (Sorting.stableOrder).
        let ascending = (n >= 512 ? Sorting.stableOrder(scores) : nil) ?? (0..<n).sorted { a, b in
            if scores[a] != scores[b] { return scores[a] < scores[b] }
            return a < b
        }
        let order = ascending.reversed()
        var tps: [Double] = [0]
        var fps: [Double] = [0]
        tps.reserveCapacity(n + 1)
        fps.reserveCapacity(n + 1)
        var cumulative = 0.0
        for (rank, idx) in order.enumerated() {
            cumulative += p[idx]  // np.cumsum is sequential
            tps.append(cumulative)
            fps.append(1 + Double(rank) - cumulative)
        }
        func round5(_ v: Double) -> Double { (v * 100_000.0).rounded(.toNearestOrEven) / 100_000.0 }
        // In place (the same operations on the same values): mapped copies beside the
        // originals were compare's peak with a 10M-row day (four 80 MB arrays at once).
        for i in 0...n {
            tps[i] = round5(tps[i])
            fps[i] = round5(fps[i])
        }
        let tpsLast = tps[n]
        let fpsLast = fps[n]
        guard tpsLast != 0, fpsLast != 0 else { return nil }
        for i in 0...n {
            tps[i] /= tpsLast
            fps[i] /= fpsLast
        }
        let tpr = tps, fpr = fps
        // sklearn `auc`: x must be monotonic; the area is signed by the direction.
        var increasing = true
        var decreasing = true
        for i in 0..<n {
            if fpr[i + 1] < fpr[i] { increasing = false }
            if fpr[i + 1] > fpr[i] { decreasing = false }
        }
        guard increasing || decreasing else { return nil }
        let area = ClassificationMetrics.trapezoid(y: tpr, x: fpr)
        return increasing ? area : -area
    }
}
