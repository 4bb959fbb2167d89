/// The decision threshold that reproduces a binary model's served decisions from its scores.
///
/// Served decisions are `score ≥ t` for some `t` the monitoring side may not know (models are
/// served at 0.65 or 0.8 as often as at 0.5). Every `t` between two neighbouring distinct scores
/// makes the same decisions, so the fit sweeps the sorted scores once, counting the rows each
/// cut gets wrong, and returns the roundest number (0.5 when it fits; else the fewest
/// decimals) among the cuts within a small tolerance of the fewest errors, with the share of
/// rows it reproduces.
public enum DecisionThreshold {
    public struct Fit: Sendable, Equatable {
        /// The threshold: `score ≥ threshold` is the positive decision.
        public let threshold: Double
        /// Share of rows whose served decision equals `score ≥ threshold` (0–1).
        public let agreement: Double
        /// Rows compared (finite scores with a decision).
        public let rows: Int
        /// Every threshold in (lower, upper] makes the same decisions.
        public let lower: Double
        public let upper: Double
    }

    /// Fits the threshold to `positive[i]` = served decision of row i with score `scores[i]`;
    /// rows with a non-finite score are skipped. nil without rows.
    /// - Parameter tolerance: a rounder threshold is preferred when it gets at most this share
    ///   of rows more wrong than the best cut (default 0.1 %: noise at the threshold does not
    ///   turn 0.7 into 0.701).
    public static func fit(scores: [Double], positive: [Bool], tolerance: Double = 0.001) -> Fit? {
        precondition(scores.count == positive.count)
        var order: [(Double, Bool)] = []
        order.reserveCapacity(scores.count)
        for i in scores.indices where scores[i].isFinite { order.append((scores[i], positive[i])) }
        guard !order.isEmpty else { return nil }
        order.sort { $0.0 < $1.0 }
        let n = order.count
        // Threshold below every score: everything is positive; the negatives are wrong.
        var errors = order.reduce(0) { $0 + ($1.1 ? 0 : 1) }
        var cuts: [(lower: Double, upper: Double, errors: Int)] = [(-Double.infinity, order[0].0, errors)]
        var k = 0
        while k < n {
            let v = order[k].0
            var delta = 0
            while k < n, order[k].0 == v {
                delta += order[k].1 ? 1 : -1
                k += 1
            }
            errors += delta
            cuts.append((v, k < n ? order[k].0 : Double.infinity, errors))
        }
        // Served thresholds are round numbers chosen by people: among the cuts within
        // `tolerance` of the fewest errors, the roundest threshold wins, then fewer errors,
        // then nearness to 0.5.
        let best = cuts.map(\.errors).min()!
        let slack = Int((Double(n) * tolerance).rounded(.down))
        var chosen: (threshold: Double, decimals: Int, errors: Int, distance: Double, lower: Double, upper: Double)?
        for c in cuts where c.errors <= best + slack {
            let (t, decimals) = roundest(above: c.lower, upTo: c.upper)
            let candidate = (t, decimals, c.errors, abs(t - 0.5), c.lower, c.upper)
            if let o = chosen, (o.decimals, o.errors, o.distance) <= (decimals, c.errors, abs(t - 0.5)) { continue }
            chosen = candidate
        }
        let c = chosen!
        return Fit(threshold: c.threshold, agreement: Double(n - c.errors) / Double(n), rows: n, lower: c.lower, upper: c.upper)
    }

    /// Share of rows (finite scores) whose decision equals `score ≥ threshold`; nil without rows.
    public static func agreement(scores: [Double], positive: [Bool], threshold: Double) -> Double? {
        var n = 0, agree = 0
        for i in scores.indices where scores[i].isFinite {
            n += 1
            if (scores[i] >= threshold) == positive[i] { agree += 1 }
        }
        return n > 0 ? Double(agree) / Double(n) : nil
    }

    /// The number with the fewest decimals in (lower, upper] (0.5, counted as 0 decimals, when it is inside), and
    /// its count of decimals.
    static func roundest(above lower: Double, upTo upper: Double) -> (Double, Int) {
        if lower < 0.5, 0.5 <= upper { return (0.5, 0) }
        if lower == -.infinity { return upper >= 0 ? (min(0, upper), 0) : (upper.rounded(.down), 0) }
        var scale = 1.0
        for decimals in 0...9 {
            var c = (lower * scale).rounded(.up) / scale
            if c <= lower { c = ((lower * scale).rounded(.up) + 1) / scale }
            if c <= upper { return (c, decimals) }
            scale *= 10
        }
        return (upper, 10)
    }
}
