/// Group fairness metrics of a binary classifier, defined as Fairlearn 0.15 defines them
/// (docs/fairness.md), and Wilson score intervals for the per-group rates.
public enum GroupFairness {
    /// The normal quantile of 0.975 (`scipy.stats.norm.ppf(0.975)`): 95 % two-sided intervals.
    public static let z95 = 1.959963984540054

    /// Confusion counts of one group. `rows` counts every row with a decision;
    /// `predictedPositive` those decided positive; the four cells count labelled rows only.
    public struct Counts: Sendable, Equatable {
        public var rows = 0
        public var predictedPositive = 0
        public var tp = 0, fp = 0, fn = 0, tn = 0

        public init() {}

        public var labelled: Int { tp + fp + fn + tn }

        /// Adds one row: its decision (1 positive) and, when known, its true label.
        public mutating func add(decision: Int, truth: Int?) {
            rows += 1
            predictedPositive += decision
            guard let truth else { return }
            switch (truth, decision) {
            case (1, 1): tp += 1
            case (0, 1): fp += 1
            case (1, _): fn += 1
            default: tn += 1
            }
        }
    }

    /// A proportion with its Wilson score interval.
    public struct Rate: Sendable, Equatable {
        public var value: Double
        public var lower: Double
        public var upper: Double
        public var successes: Int
        public var trials: Int
    }

    /// Wilson score interval (statsmodels `proportion_confint(method="wilson")`), nil for 0 trials.
    public static func wilson(successes k: Int, trials n: Int, z: Double = z95) -> Rate? {
        guard n > 0 else { return nil }
        let nn = Double(n), p = Double(k) / nn, z2 = z * z
        let denom = 1 + z2 / nn
        let center = (p + z2 / (2 * nn)) / denom
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot() / denom
        return Rate(value: p, lower: Swift.max(0, center - half), upper: Swift.min(1, center + half), successes: k, trials: n)
    }

    /// The rates of one group (nil where the denominator is zero).
    public struct GroupRates: Sendable, Equatable {
        public var selectionRate: Rate?
        public var truePositiveRate: Rate?
        public var falsePositiveRate: Rate?
        public var precision: Rate?
        public var accuracy: Rate?

        public init(_ c: Counts) {
            selectionRate = wilson(successes: c.predictedPositive, trials: c.rows)
            truePositiveRate = wilson(successes: c.tp, trials: c.tp + c.fn)
            falsePositiveRate = wilson(successes: c.fp, trials: c.fp + c.tn)
            precision = wilson(successes: c.tp, trials: c.tp + c.fp)
            accuracy = wilson(successes: c.tp + c.tn, trials: c.labelled)
        }
    }

    /// Fairlearn's `difference(method="between_groups")`: largest minus smallest, nil when
    /// fewer than one value.
    public static func betweenGroupsDifference(_ values: [Double]) -> Double? {
        guard let lo = values.min(), let hi = values.max() else { return nil }
        return hi - lo
    }

    /// Fairlearn's `ratio(method="between_groups")`: smallest over largest (1 when the largest is 0).
    public static func betweenGroupsRatio(_ values: [Double]) -> Double? {
        guard let lo = values.min(), let hi = values.max() else { return nil }
        return hi == 0 ? (lo == 0 ? 1 : 0) : lo / hi
    }

    /// `demographic_parity_difference`: between-groups difference of the selection rates.
    public static func demographicParityDifference(selectionRates: [Double]) -> Double? {
        betweenGroupsDifference(selectionRates)
    }

    /// `demographic_parity_ratio`: between-groups ratio of the selection rates.
    public static func demographicParityRatio(selectionRates: [Double]) -> Double? {
        betweenGroupsRatio(selectionRates)
    }

    /// `equalized_odds_difference(agg="worst_case")`: the larger of the TPR and FPR differences.
    public static func equalizedOddsDifference(truePositiveRates: [Double], falsePositiveRates: [Double]) -> Double? {
        guard let t = betweenGroupsDifference(truePositiveRates), let f = betweenGroupsDifference(falsePositiveRates) else {
            return nil
        }
        return Swift.max(t, f)
    }

    /// `equal_opportunity_difference`: between-groups difference of the true positive rates.
    public static func equalOpportunityDifference(truePositiveRates: [Double]) -> Double? {
        betweenGroupsDifference(truePositiveRates)
    }
}
