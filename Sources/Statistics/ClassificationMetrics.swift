// Classification metrics as scikit-learn computes them.
//
// Binary functions take integer labels and treat `positiveLabel` (default 1) as the
// positive class and every other label as negative. Precision, recall and F1 use
// sklearn's `zero_division=0`. Metrics that sklearn cannot define for the input
// (ROC AUC with a single class present, any metric on empty input) return nil.
// Inputs must be NaN-free; a NaN score propagates.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for classification metrics.
public enum ClassificationMetrics {

    /// Binary confusion matrix counts.
    public struct ConfusionMatrix: Sendable, Equatable {
        /// True negatives.
        public var tn: Int
        /// False positives.
        public var fp: Int
        /// False negatives.
        public var fn: Int
        /// True positives.
        public var tp: Int

        /// Creates a confusion matrix from its four cells.
        public init(tn: Int, fp: Int, fn: Int, tp: Int) {
            self.tn = tn
            self.fp = fp
            self.fn = fn
            self.tp = tp
        }

        /// Number of observations.
        public var total: Int { tn + fp + fn + tp }
        /// (tp + tn) / total; matches `accuracy_score`; nil when empty.
        public var accuracy: Double? { total == 0 ? nil : Double(tp + tn) / Double(total) }
        /// tp / (tp + fp), 0 when nothing is predicted positive; matches `precision_score(zero_division=0)`.
        public var precision: Double { tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp) }
        /// tp / (tp + fn), 0 when no positives; matches `recall_score(zero_division=0)`.
        public var recall: Double { tp + fn == 0 ? 0 : Double(tp) / Double(tp + fn) }
        /// 2tp / (2tp + fp + fn), 0 when the denominator is 0; matches `f1_score(zero_division=0)`.
        public var f1: Double {
            let denominator = 2 * tp + fp + fn
            return denominator == 0 ? 0 : Double(2 * tp) / Double(denominator)
        }
        /// tn / (tn + fp), 0 when no negatives.
        public var specificity: Double { tn + fp == 0 ? 0 : Double(tn) / Double(tn + fp) }
    }

    /// Binary confusion matrix; matches `sklearn.metrics.confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()`; nil when lengths differ.
    public static func confusionMatrix(yTrue: [Int], yPred: [Int], positiveLabel: Int = 1) -> ConfusionMatrix? {
        guard yTrue.count == yPred.count else { return nil }
        var cm = ConfusionMatrix(tn: 0, fp: 0, fn: 0, tp: 0)
        for i in 0..<yTrue.count {
            let t = yTrue[i] == positiveLabel
            let p = yPred[i] == positiveLabel
            switch (t, p) {
            case (true, true): cm.tp += 1
            case (false, true): cm.fp += 1
            case (true, false): cm.fn += 1
            case (false, false): cm.tn += 1
            }
        }
        return cm
    }

    /// Fraction of exact label matches; matches `sklearn.metrics.accuracy_score`; nil when empty or lengths differ.
    public static func accuracy<T: Equatable>(yTrue: [T], yPred: [T]) -> Double? {
        guard yTrue.count == yPred.count, !yTrue.isEmpty else { return nil }
        var correct = 0
        for i in 0..<yTrue.count where yTrue[i] == yPred[i] { correct += 1 }
        return Double(correct) / Double(yTrue.count)
    }

    // MARK: Ranking metrics

    /// Thresholded cumulative counts of sklearn `_binary_clf_curve`: (fps, tps) at each distinct score, descending.
    ///
    /// Only the counts at each distinct score matter (the order within a tie does not), so the
    /// positives' and the others' scores are sorted apart (radix sort when NaN-free, linear in
    /// the count) and walked together from the top; with a NaN score, the original stable
    /// comparison sort of indices.
    static func binaryClassificationCurve(yTrue: [Int], scores: [Double], positiveLabel: Int) -> (fps: [Double], tps: [Double]) {
        let n = scores.count
        if scores.contains(where: \.isNaN) { return comparisonCurve(yTrue: yTrue, scores: scores, positiveLabel: positiveLabel) }
        var positives: [Double] = [], others: [Double] = []
        positives.reserveCapacity(n)
        others.reserveCapacity(n)
        for i in 0..<n {
            if yTrue[i] == positiveLabel { positives.append(scores[i]) } else { others.append(scores[i]) }
        }
        Sorting.radixSort(&positives)
        Sorting.radixSort(&others)
        var fps: [Double] = []
        var tps: [Double] = []
        var p = positives.count - 1, o = others.count - 1
        var tp = 0, fp = 0
        while p >= 0 || o >= 0 {
            // The next distinct score, descending (-0.0 and 0.0 are one score, as `==` says).
            let s = p < 0 ? others[o] : o < 0 ? positives[p] : Swift.max(positives[p], others[o])
            while p >= 0 && positives[p] == s { tp += 1; p -= 1 }
            while o >= 0 && others[o] == s { fp += 1; o -= 1 }
            tps.append(Double(tp))
            fps.append(Double(fp))
        }
        return (fps, tps)
    }

    /// `binaryClassificationCurve` by a stable descending comparison sort of the indices (the
    /// reference implementation; used when a score is NaN).
    static func comparisonCurve(yTrue: [Int], scores: [Double], positiveLabel: Int) -> (fps: [Double], tps: [Double]) {
        let n = scores.count
        // Stable descending sort of the scores.
        let order = (0..<n).sorted { a, b in
            if scores[a] != scores[b] { return scores[a] > scores[b] }
            return a < b
        }
        var fps: [Double] = []
        var tps: [Double] = []
        var cumulativeTrue = 0.0
        for (rank, idx) in order.enumerated() {
            cumulativeTrue += yTrue[idx] == positiveLabel ? 1 : 0
            let isLast = rank == n - 1
            if isLast || scores[order[rank + 1]] != scores[idx] {
                tps.append(cumulativeTrue)
                fps.append(1 + Double(rank) - cumulativeTrue)
            }
        }
        return (fps, tps)
    }

    /// Area under the ROC curve with tied scores handled as sklearn (one ROC point per distinct score); matches `sklearn.metrics.roc_auc_score`; nil when only one class is present (sklearn returns NaN) or lengths differ.
    public static func rocAUC(yTrue: [Int], scores: [Double], positiveLabel: Int = 1) -> Double? {
        guard yTrue.count == scores.count, !yTrue.isEmpty else { return nil }
        let positives = yTrue.reduce(0) { $0 + ($1 == positiveLabel ? 1 : 0) }
        guard positives > 0, positives < yTrue.count else { return nil }
        var (fps, tps) = binaryClassificationCurve(yTrue: yTrue, scores: scores, positiveLabel: positiveLabel)
        // roc_curve(drop_intermediate=True): drop collinear points.
        if fps.count > 2 {
            var keepF: [Double] = [fps[0]]
            var keepT: [Double] = [tps[0]]
            for i in 1..<(fps.count - 1) {
                let d2f = (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1])
                let d2t = (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1])
                if d2f != 0 || d2t != 0 {
                    keepF.append(fps[i])
                    keepT.append(tps[i])
                }
            }
            keepF.append(fps[fps.count - 1])
            keepT.append(tps[tps.count - 1])
            fps = keepF
            tps = keepT
        }
        fps.insert(0, at: 0)
        tps.insert(0, at: 0)
        let fpsLast = fps[fps.count - 1]
        let tpsLast = tps[tps.count - 1]
        let fpr = fps.map { $0 / fpsLast }
        let tpr = tps.map { $0 / tpsLast }
        return trapezoid(y: tpr, x: fpr)
    }

    /// `np.trapezoid(y, x)`: Σ (x[i+1]-x[i]) * (y[i+1] + y[i]) / 2.
    static func trapezoid(y: [Double], x: [Double]) -> Double {
        var terms: [Double] = []
        terms.reserveCapacity(Swift.max(x.count - 1, 0))
        for i in 0..<(x.count - 1) {
            terms.append((x[i + 1] - x[i]) * (y[i + 1] + y[i]) / 2.0)
        }
        return Descriptive.sum(terms)
    }

    /// Average precision (step-wise area under the precision-recall curve); matches `sklearn.metrics.average_precision_score` (0 when no positive is present, as sklearn); nil when empty or lengths differ.
    public static func averagePrecision(yTrue: [Int], scores: [Double], positiveLabel: Int = 1) -> Double? {
        guard yTrue.count == scores.count, !yTrue.isEmpty else { return nil }
        let (fps, tps) = binaryClassificationCurve(yTrue: yTrue, scores: scores, positiveLabel: positiveLabel)
        let k = tps.count
        var precision = [Double](repeating: 0, count: k)
        var recall = [Double](repeating: 0, count: k)
        let tpsLast = tps[k - 1]
        for i in 0..<k {
            let ps = tps[i] + fps[i]
            precision[i] = ps != 0 ? tps[i] / ps : 0
            recall[i] = tpsLast == 0 ? 1 : tps[i] / tpsLast
        }
        // Reverse, then append precision 1 / recall 0.
        precision.reverse()
        recall.reverse()
        precision.append(1)
        recall.append(0)
        var terms: [Double] = []
        terms.reserveCapacity(k)
        for i in 0..<k {
            terms.append((recall[i + 1] - recall[i]) * precision[i])
        }
        return Swift.max(0.0, -Descriptive.sum(terms))
    }

    // MARK: Probabilistic losses

    /// Binary cross-entropy with probabilities clipped to [eps, 1-eps], eps = 2.22e-16; matches `sklearn.metrics.log_loss(y_true, p, labels=[0, 1])` (sklearn 1.9); nil when empty or lengths differ.
    public static func logLoss(yTrue: [Int], probabilities: [Double], positiveLabel: Int = 1) -> Double? {
        guard yTrue.count == probabilities.count, !yTrue.isEmpty else { return nil }
        let eps = Double.ulpOfOne
        var losses = [Double](repeating: 0, count: yTrue.count)
        for i in 0..<yTrue.count {
            let p = probabilities[i]
            let q = 1 - p
            if yTrue[i] == positiveLabel {
                losses[i] = -log(Swift.min(Swift.max(p, eps), 1 - eps))
            } else {
                losses[i] = -log(Swift.min(Swift.max(q, eps), 1 - eps))
            }
        }
        return Descriptive.sum(losses) / Double(losses.count)
    }

    /// Mean squared difference between the positive-class probability and the 0/1 outcome; matches `sklearn.metrics.brier_score_loss`; nil when empty or lengths differ.
    public static func brierScore(yTrue: [Int], probabilities: [Double], positiveLabel: Int = 1) -> Double? {
        guard yTrue.count == probabilities.count, !yTrue.isEmpty else { return nil }
        var terms = [Double](repeating: 0, count: yTrue.count)
        for i in 0..<yTrue.count {
            let y: Double = yTrue[i] == positiveLabel ? 1 : 0
            let d = y - probabilities[i]
            terms[i] = d * d
        }
        return Descriptive.sum(terms) / Double(terms.count)
    }

    // MARK: Multiclass

    /// Per-class and averaged scores of a multiclass prediction.
    public struct MulticlassReport<Label: Hashable & Comparable & Sendable>: Sendable, Equatable {
        /// The labels (sorted union of y_true and y_pred, as sklearn `unique_labels`).
        public var labels: [Label]
        /// Precision per label (zero_division=0).
        public var precision: [Double]
        /// Recall per label (zero_division=0); matches `recall_score(average=None)`.
        public var recall: [Double]
        /// F1 per label (zero_division=0).
        public var f1: [Double]
        /// Number of true instances per label.
        public var support: [Int]
        /// Fraction of exact matches.
        public var accuracy: Double
        /// Unweighted mean of the per-label F1; matches `f1_score(average="macro")`.
        public var macroF1: Double
        /// Support-weighted mean of the per-label F1; matches `f1_score(average="weighted")`.
        public var weightedF1: Double
    }

    /// Multiclass accuracy, per-class precision/recall/F1, macro and weighted F1, as scikit-learn with zero_division=0; nil when empty or lengths differ.
    public static func multiclassReport<Label: Hashable & Comparable & Sendable>(yTrue: [Label], yPred: [Label]) -> MulticlassReport<Label>? {
        guard yTrue.count == yPred.count, !yTrue.isEmpty else { return nil }
        let labels = Array(Set(yTrue).union(yPred)).sorted()
        var index: [Label: Int] = [:]
        for (i, l) in labels.enumerated() { index[l] = i }
        let k = labels.count
        var tp = [Int](repeating: 0, count: k)
        var trueSum = [Int](repeating: 0, count: k)
        var predSum = [Int](repeating: 0, count: k)
        var correct = 0
        for i in 0..<yTrue.count {
            let t = index[yTrue[i]]!
            let p = index[yPred[i]]!
            trueSum[t] += 1
            predSum[p] += 1
            if t == p {
                tp[t] += 1
                correct += 1
            }
        }
        var precision = [Double](repeating: 0, count: k)
        var recall = [Double](repeating: 0, count: k)
        var f1 = [Double](repeating: 0, count: k)
        for c in 0..<k {
            precision[c] = predSum[c] == 0 ? 0 : Double(tp[c]) / Double(predSum[c])
            recall[c] = trueSum[c] == 0 ? 0 : Double(tp[c]) / Double(trueSum[c])
            let denominator = trueSum[c] + predSum[c]
            f1[c] = denominator == 0 ? 0 : Double(2 * tp[c]) / Double(denominator)
        }
        let macro = Descriptive.sum(f1) / Double(k)
        var weighted = 0.0
        let totalSupport = Double(trueSum.reduce(0, +))
        for c in 0..<k { weighted += f1[c] * Double(trueSum[c]) }
        weighted /= totalSupport
        return MulticlassReport(labels: labels, precision: precision, recall: recall, f1: f1,
                                support: trueSum, accuracy: Double(correct) / Double(yTrue.count),
                                macroF1: macro, weightedF1: weighted)
    }
}
