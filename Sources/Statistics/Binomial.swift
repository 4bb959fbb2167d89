// The binomial distribution's upper tail, for judging whether a count of equal values is
// surprising given a baseline share (the constant-column checks).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for the binomial distribution.
public enum Binomial {

    /// P(X ≥ k) for X ~ Binomial(n, p); matches `scipy.stats.binom.sf(k - 1, n, p)`.
    /// 1 for k ≤ 0, 0 for k > n; NaN when n < 0 or p is not in [0, 1].
    ///
    /// Sums the probability mass in log space from the mode outwards, stopping once a term
    /// no longer changes the sum: when k lies above the mean the upper tail itself (so a tiny
    /// tail keeps its relative precision), otherwise 1 minus the lower tail below k.
    public static func upperTail(atLeast k: Int, trials n: Int, probability p: Double) -> Double {
        guard n >= 0, p >= 0, p <= 1 else { return .nan }
        if k <= 0 { return 1 }
        if k > n { return 0 }
        if p == 0 { return 0 }
        if p == 1 { return 1 }
        let logP = log(p), logQ = log1p(-p)
        let logNFactorial = SpecialFunctions.logGamma(Double(n) + 1)
        func logTerm(_ j: Int) -> Double {
            logNFactorial - SpecialFunctions.logGamma(Double(j) + 1) - SpecialFunctions.logGamma(Double(n - j) + 1)
                + Double(j) * logP + Double(n - j) * logQ
        }
        let mean = Double(n) * p
        if Double(k) > mean {
            // Terms decrease from j = k upwards.
            return sumDecreasing(from: k, step: 1, limit: n, logTerm)
        }
        // k ≤ mean: P(X ≥ k) = 1 − P(X ≤ k − 1), terms decreasing from j = k − 1 downwards.
        let lower = sumDecreasing(from: k - 1, step: -1, limit: 0, logTerm)
        return max(0, 1 - lower)
    }

    /// Σ exp(logTerm(j)) for j from `start` towards `limit`, while the terms still count.
    static func sumDecreasing(from start: Int, step: Int, limit: Int, _ logTerm: (Int) -> Double) -> Double {
        let first = logTerm(start)
        var sum = 0.0
        var j = start
        while true {
            let term = exp(logTerm(j) - first)
            sum += term
            if term < sum * 1e-17 || j == limit { break }
            j += step
        }
        return min(1, sum * exp(first))
    }
}
