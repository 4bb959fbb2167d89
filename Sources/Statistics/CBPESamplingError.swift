import Foundation

/// The sampling error of CBPE's estimates and their confidence band, as NannyML computes them
/// (nannyml.sampling_error.binary_classification; reference values from NannyML itself in
/// Tests/StatisticsTests/Reference/cbpe_sampling_error.json, scripts/reference/).
///
/// Components are fitted once on the reference (baseline) labels and decisions: the population
/// standard deviation (ddof 0) of an observation-level form of the metric and the share of rows
/// that form counts. A chunk of n rows then has sampling error `std / sqrt(n * share)`; the band
/// is the estimate ± 3 sampling errors, clipped to the metric's range [0, 1].
public enum CBPESamplingError {
    /// NannyML's SAMPLING_ERROR_RANGE: the band is ± this many sampling errors.
    public static let range = 3.0

    /// One metric's fitted components.
    public struct Component: Codable, Sendable, Equatable {
        public var std: Double
        public var share: Double
        public init(std: Double, share: Double) {
            self.std = std
            self.share = share
        }

        /// The sampling error on a chunk of `n` rows (NaN when it cannot be estimated).
        public func samplingError(rows n: Int) -> Double {
            guard n > 0, share > 0, std.isFinite else { return .nan }
            return std / (Double(n) * share).squareRoot()
        }
    }

    /// Population standard deviation (numpy's default, ddof 0).
    static func std(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)).squareRoot()
    }

    /// Components of accuracy, precision, recall, F1 (from labels and decisions, 1 = positive)
    /// and ROC AUC (from labels and scores) on the reference data.
    public static func components(labels y: [Int], decisions p: [Int], scores: [Double]) -> [String: Component] {
        let n = y.count
        guard n > 0, p.count == n else { return [:] }
        var tp = 0, fp = 0, fn = 0, correct: [Double] = []
        correct.reserveCapacity(n)
        for i in 0..<n {
            correct.append(y[i] == p[i] ? 1 : 0)
            if p[i] == 1 { if y[i] == 1 { tp += 1 } else { fp += 1 } } else if y[i] == 1 { fn += 1 }
        }
        var out: [String: Component] = [:]
        out["accuracy"] = Component(std: std(correct), share: 1)
        let positives = y.reduce(0, +), predicted = p.reduce(0, +)
        func ones(_ k: Int, zeros z: Int) -> [Double] { [Double](repeating: 1, count: k) + [Double](repeating: 0, count: z) }
        out["precision"] = Component(std: std(ones(tp, zeros: fp)), share: Double(predicted) / Double(n))
        out["recall"] = Component(std: std(ones(tp, zeros: fn)), share: Double(positives) / Double(n))
        let relevant = tp + fn + fp
        if relevant > 0 {
            let correction = Double(relevant) / (Double(fn + fp) * 0.5 + Double(tp))
            out["f1"] = Component(std: std(ones(tp, zeros: fn + fp).map { $0 * correction }), share: Double(relevant) / Double(n))
        } else {
            out["f1"] = Component(std: .nan, share: 0)
        }
        if scores.count == n, let auc = rocAUCComponent(labels: y, scores: scores) { out["roc_auc"] = auc }
        return out
    }

    /// NannyML's AUROC component (a Mann–Whitney form): with the minority class as positive,
    /// rows sorted by score, each positive's count of negatives ranked below it, over n_neg.
    static func rocAUCComponent(labels: [Int], scores: [Double]) -> Component? {
        var y = labels, s = scores
        let n = y.count
        if Double(y.reduce(0, +)) / Double(n) > 0.5 {
            y = y.map { 1 - $0 }
            s = s.map { 1 - $0 }
        }
        // By score, ties by row (a radix sort giving the comparison sort's permutation).
        let order = Sorting.stableOrder(s) ?? (0..<n).sorted { s[$0] != s[$1] ? s[$0] < s[$1] : $0 < $1 }
        // np.unique(y_true * rank)[1:]: the distinct products, ascending, without the smallest.
        let indexes: [Int]
        if y.allSatisfy({ $0 == 0 || $0 == 1 }) {
            // 0/1 labels: the products are 0 (rank 0 always gives one) and the positives' ranks,
            // which come ascending and distinct in rank order.
            var positives: [Int] = []
            for (rank, i) in order.enumerated() where y[i] == 1 && rank > 0 { positives.append(rank) }
            indexes = positives
        } else {
            var products = Set<Int>()
            for (rank, i) in order.enumerated() { products.insert(y[i] * rank) }
            indexes = Array(products.sorted().dropFirst())
        }
        let nPos = y.reduce(0, +), nNeg = n - nPos
        guard nNeg > 0, nPos > 0 else { return nil }
        let ser = indexes.enumerated().map { Double($0.element - $0.offset) / Double(nNeg) }
        return Component(std: std(ser), share: Double(nPos) / Double(n))
    }

    /// The confidence band of an estimate: ± `range` sampling errors, clipped to [0, 1].
    public static func band(estimate: Double, samplingError: Double) -> (lower: Double, upper: Double)? {
        guard estimate.isFinite, samplingError.isFinite else { return nil }
        return (max(0, estimate - range * samplingError), min(1, estimate + range * samplingError))
    }
}
