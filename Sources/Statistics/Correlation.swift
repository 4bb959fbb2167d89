// Pearson's correlation coefficient, for the redundant-feature check of the compare stage.

/// Namespace for correlation coefficients.
public enum Correlation {
    /// Pearson's r of two equal-length, NaN-free samples, two-pass with compensated sums:
    /// r = Σ(x − x̄)(y − ȳ) / sqrt(Σ(x − x̄)² · Σ(y − ȳ)²), clipped to [−1, 1]; matches
    /// `scipy.stats.pearsonr(x, y).statistic` and `np.corrcoef(x, y)[0, 1]`. nil when fewer
    /// than two pairs, the lengths differ, or either sample is constant (scipy returns NaN).
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count >= 2, let mx = Descriptive.mean(x), let my = Descriptive.mean(y) else { return nil }
        var sxy = CompensatedSum(), sxx = CompensatedSum(), syy = CompensatedSum()
        for i in 0..<x.count {
            let dx = x[i] - mx, dy = y[i] - my
            sxy.add(dx * dy)
            sxx.add(dx * dx)
            syy.add(dy * dy)
        }
        let denominator = (sxx.value * syy.value).squareRoot()
        guard denominator > 0, denominator.isFinite else { return nil }
        return Swift.min(Swift.max(sxy.value / denominator, -1), 1)
    }

    /// Pearson's r over the pairs where both values are present (`present[i]` true), as pandas
    /// `DataFrame.corr()` does with missing values (pairwise deletion).
    public static func pearson(_ x: [Double], _ y: [Double], present: (Int) -> Bool) -> Double? {
        guard x.count == y.count else { return nil }
        var a: [Double] = [], b: [Double] = []
        a.reserveCapacity(x.count)
        b.reserveCapacity(y.count)
        for i in 0..<x.count where present(i) {
            a.append(x[i])
            b.append(y[i])
        }
        return pearson(a, b)
    }
}

/// A Neumaier-compensated running sum.
struct CompensatedSum {
    private var sum = 0.0
    private var compensation = 0.0

    mutating func add(_ v: Double) {
        let t = sum + v
        if abs(sum) >= abs(v) { compensation += (sum - t) + v } else { compensation += (v - t) + sum }
        sum = t
    }

    var value: Double { sum + compensation }
}
