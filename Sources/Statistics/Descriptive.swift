// Descriptive statistics over [Double]: compensated sums, mean, variance, standard
// deviation, skewness, extrema.
//
// NaN policy: these functions operate on exactly the values they are given, so a NaN
// propagates into the result (as in NumPy). Callers that want pandas-style "skip NaN"
// semantics call `Descriptive.droppingNaN(_:)` first. Empty input (or too few values for
// the requested statistic) yields `nil`, where NumPy would return NaN with a warning.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for descriptive statistics (mean, variance, skewness, …).
public enum Descriptive {

    /// Neumaier-compensated sum of `values` (more accurate than NumPy's pairwise `np.sum`).
    public static func sum(_ values: [Double]) -> Double {
        var sum = 0.0
        var compensation = 0.0
        for v in values {
            let t = sum + v
            if abs(sum) >= abs(v) {
                compensation += (sum - t) + v
            } else {
                compensation += (v - t) + sum
            }
            sum = t
        }
        let result = sum + compensation
        // Keep IEEE semantics for non-finite input (inf - inf inside the compensation).
        return result.isNaN && !sum.isNaN ? sum : result
    }

    /// The values with NaN removed (pandas `Series.dropna()`).
    public static func droppingNaN(_ values: [Double]) -> [Double] {
        values.filter { !$0.isNaN }
    }

    /// Arithmetic mean with a compensated sum; matches `np.mean(x)`; nil when empty.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return sum(values) / Double(values.count)
    }

    /// Variance with `ddof` delta degrees of freedom, two-pass compensated; matches `np.var(x, ddof=ddof)`; nil when count <= ddof.
    public static func variance(_ values: [Double], ddof: Int = 1) -> Double? {
        guard values.count > ddof, let m = mean(values) else { return nil }
        var s = 0.0
        var c = 0.0
        for v in values {
            let d = v - m
            let sq = d * d
            let t = s + sq
            if abs(s) >= abs(sq) { c += (s - t) + sq } else { c += (sq - t) + s }
            s = t
        }
        return (s + c) / Double(values.count - ddof)
    }

    /// Sample standard deviation (ddof = 1); matches `np.std(x, ddof=1)` / pandas `Series.std()`; nil when count < 2.
    public static func sampleStandardDeviation(_ values: [Double]) -> Double? {
        variance(values, ddof: 1).map { $0.squareRoot() }
    }

    /// Population standard deviation (ddof = 0); matches `np.std(x)`; nil when empty.
    public static func populationStandardDeviation(_ values: [Double]) -> Double? {
        variance(values, ddof: 0).map { $0.squareRoot() }
    }

    /// Adjusted Fisher–Pearson skewness G1; matches `scipy.stats.skew(x, bias=False)` (and pandas `Series.skew()` up to its one-pass rounding); nil when count < 3 or the column is constant (both return NaN there).
    public static func skewness(_ values: [Double]) -> Double? {
        moments(values)?.skewness
    }

    /// Smallest value (NaN propagates, like `np.min`); nil when empty.
    public static func min(_ values: [Double]) -> Double? {
        guard var result = values.first else { return nil }
        for v in values {
            if v.isNaN { return .nan }
            if v < result { result = v }
        }
        return result
    }

    /// Largest value (NaN propagates, like `np.max`); nil when empty.
    public static func max(_ values: [Double]) -> Double? {
        guard var result = values.first else { return nil }
        for v in values {
            if v.isNaN { return .nan }
            if v > result { result = v }
        }
        return result
    }

    /// Summary of a numeric column, computed in one call.
    public struct Summary: Sendable, Equatable {
        /// Number of values summarised.
        public var count: Int
        /// Arithmetic mean.
        public var mean: Double
        /// Sample standard deviation (ddof = 1); nil when count < 2.
        public var standardDeviation: Double?
        /// Population standard deviation (ddof = 0).
        public var populationStandardDeviation: Double
        /// Adjusted Fisher–Pearson skewness; nil when count < 3.
        public var skewness: Double?
        /// Smallest value.
        public var min: Double
        /// Largest value.
        public var max: Double
    }

    /// Count, mean, std (ddof 1 and 0), skewness, min and max; nil when empty (NaN propagates).
    public static func summary(_ values: [Double]) -> Summary? {
        guard let m = mean(values), let lo = min(values), let hi = max(values),
              let pstd = populationStandardDeviation(values) else { return nil }
        return Summary(count: values.count, mean: m,
                       standardDeviation: sampleStandardDeviation(values),
                       populationStandardDeviation: pstd,
                       skewness: skewness(values), min: lo, max: hi)
    }
}
