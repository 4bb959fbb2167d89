// Two-sample Kolmogorov–Smirnov test, two-sided, as `scipy.stats.ks_2samp`.
//
// D is computed from the two sorted samples by a single merge walk (O(n log n) for the
// sorts, O(n) for the walk), with scipy's floating-point evaluation of the ECDFs
// (count1/n1 - count2/n2 after all ties at a value are consumed). The p-value follows
// scipy's `method`: "exact" counts lattice paths (`_attempt_exact_2kssamp`), "asymp" uses
// `kstwo.sf(D, round(n1*n2/(n1+n2)))`, and "auto" is exact when max(n1, n2) <= 10000.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for the two-sample Kolmogorov–Smirnov test.
public enum KolmogorovSmirnov {

    /// How the p-value is computed (scipy's `method` argument).
    public enum Method: String, Sendable, Equatable, CaseIterable {
        /// Exact when max(n1, n2) <= 10000, asymptotic otherwise.
        case auto
        /// Exact lattice-path count (falls back to asymptotic as scipy does).
        case exact
        /// `kstwo.sf(D, round(n1*n2/(n1+n2)))`.
        case asymp
    }

    /// Result of a two-sample KS test.
    public struct Result: Sendable, Equatable {
        /// The statistic D = sup |F1 - F2| (after the exact method, rounded to a multiple of 1/lcm(n1, n2), as scipy).
        public var statistic: Double
        /// Two-sided p-value, clipped to [0, 1].
        public var pValue: Double
        /// The method that produced the p-value (.exact or .asymp; never .auto).
        public var method: Method
        /// Size of the first sample after NaN removal.
        public var n1: Int
        /// Size of the second sample after NaN removal.
        public var n2: Int
    }

    /// The largest sample size for which `.auto` uses the exact method (scipy `MAX_AUTO_N`).
    public static let maxAutoN = 10_000

    /// Two-sided two-sample KS test; matches `scipy.stats.ks_2samp(a, b, method=...)`. NaNs are dropped first; nil when a sample is empty.
    public static func twoSample(_ a: [Double], _ b: [Double], method: Method = .auto) -> Result? {
        var s1 = a.filter { !$0.isNaN }
        var s2 = b.filter { !$0.isNaN }
        s1.sort()
        s2.sort()
        return twoSample(sorted: s1, sorted: s2, method: method)
    }

    /// Two-sided two-sample KS test on samples already sorted ascending and NaN-free; matches `scipy.stats.ks_2samp`. nil when a sample is empty.
    public static func twoSample(sorted s1: [Double], sorted s2: [Double], method: Method = .auto) -> Result? {
        let n1 = s1.count
        let n2 = s2.count
        guard n1 > 0, n2 > 0 else { return nil }
        let d = statistic(sorted: s1, sorted: s2)
        return pValue(statistic: d, n1: n1, n2: n2, method: method)
    }

    /// The statistic D of two sorted, NaN-free samples, evaluated as scipy does (searchsorted 'right' ECDFs).
    public static func statistic(sorted s1: [Double], sorted s2: [Double]) -> Double {
        let n1 = s1.count
        let n2 = s2.count
        guard n1 > 0, n2 > 0 else { return .nan }
        let n1D = Double(n1)
        let n2D = Double(n2)
        var maxS = -Double.infinity  // max of cdf1 - cdf2
        var minS = Double.infinity   // min of cdf1 - cdf2
        s1.withUnsafeBufferPointer { p1 in
            s2.withUnsafeBufferPointer { p2 in
                var i = 0
                var j = 0
                while i < n1 || j < n2 {
                    // next distinct value in the merged sample
                    let v: Double
                    if j >= n2 || (i < n1 && p1[i] <= p2[j]) {
                        v = p1[i]
                    } else {
                        v = p2[j]
                    }
                    while i < n1 && p1[i] <= v { i += 1 }
                    while j < n2 && p2[j] <= v { j += 1 }
                    let diff = Double(i) / n1D - Double(j) / n2D
                    if diff > maxS { maxS = diff }
                    if diff < minS { minS = diff }
                }
            }
        }
        // scipy: minS = clip(-min, 0, 1); d = minS if minS > maxS else maxS
        let negMin = Swift.min(Swift.max(-minS, 0), 1)
        return negMin > maxS ? negMin : maxS
    }

    /// The p-value for a given D and sample sizes, following scipy's method selection and exact-to-asymptotic fallback.
    public static func pValue(statistic d: Double, n1: Int, n2: Int, method: Method = .auto) -> Result? {
        guard n1 > 0, n2 > 0, !d.isNaN else { return nil }
        var mode = method
        var d = d
        let g = gcd(n1, n2)
        let n1g = n1 / g
        let n2g = n2 / g
        if mode == .auto {
            mode = Swift.max(n1, n2) <= maxAutoN ? .exact : .asymp
        } else if mode == .exact {
            // lcm(n1, n2) too big for the exact method: scipy switches to asymp.
            if Double(n1g) >= Double(Int32.max) / Double(n2g) {
                mode = .asymp
            }
        }
        var prob = Double.nan
        if mode == .exact {
            let attempt = attemptExact(n1: n1, n2: n2, g: g, d: d)
            d = attempt.d
            if attempt.success {
                prob = attempt.prob
            } else {
                mode = .asymp
            }
        }
        if mode == .asymp {
            let m = Double(Swift.max(n1, n2))
            let n = Double(Swift.min(n1, n2))
            let en = m * n / (m + n)
            let nRounded = Int(en.rounded(.toNearestOrEven))
            prob = Kolmogorov.sf(d, n: nRounded)
        }
        prob = Swift.min(Swift.max(prob, 0), 1)
        return Result(statistic: d, pValue: prob, method: mode, n1: n1, n2: n2)
    }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var x = a
        var y = b
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// scipy `_attempt_exact_2kssamp` for the two-sided alternative.
    static func attemptExact(n1: Int, n2: Int, g: Int, d: Double) -> (success: Bool, d: Double, prob: Double) {
        let lcm = (n1 / g) * n2
        let lcmD = Double(lcm)
        let h = Int((d * lcmD).rounded(.toNearestOrEven))
        let dRounded = Double(h) * 1.0 / lcmD
        if h == 0 {
            return (true, dRounded, 1.0)
        }
        let prob: Double
        if n1 == n2 {
            prob = probOutsideSquare(n: n1, h: h)
        } else {
            prob = outerProbInsideMethod(m: n1, n: n2, g: g, h: h)
        }
        if prob.isNaN || prob.isInfinite {
            return (false, dRounded, .nan)
        }
        if !(0 <= prob && prob <= 1) {
            return (false, dRounded, prob)
        }
        return (true, dRounded, prob)
    }

    /// Pr(D_{n,n} >= h/n), scipy `_compute_prob_outside_square` (Horner-like alternating sum).
    static func probOutsideSquare(n: Int, h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            p = p1 * (1.0 - p)
            k -= 1
        }
        return 2 * p
    }

    /// Proportion of lattice paths leaving the band |x/m - y/n| < h/lcm, scipy `_compute_outer_prob_inside_method` (Hodges' inside method, Viehmann's 1-p recursion).
    static func outerProbInsideMethod(m mIn: Int, n nIn: Int, g: Int, h: Int) -> Double {
        var m = mIn
        var n = nIn
        if m < n { swap(&m, &n) }
        let mg = m / g
        let ng = n / g
        let mgD = Double(mg)
        let hD = Double(h)
        var minj = 0
        var maxj = Swift.min(Int((hD / mgD).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = Swift.min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1.0, count: lenA)
        for idx in minj..<Swift.min(maxj, lenA) { a[idx] = 0.0 }
        var finished = false
        var result = 0.0
        a.withUnsafeMutableBufferPointer { buf in
            for i in 1...m {
                let lastminj = minj
                let lastlen = curlen
                let iD = Double(i)
                minj = Swift.max(Int((Double(ng * i - h) / mgD).rounded(.down)) + 1, 0)
                minj = Swift.min(minj, n)
                maxj = Swift.min(Int((Double(ng * i + h) / mgD).rounded(.up)), n + 1)
                if maxj <= minj {
                    finished = true
                    result = 1.0
                    return
                }
                var val = minj == 0 ? 0.0 : 1.0
                let offset = minj - lastminj
                for jj in 0..<(maxj - minj) {
                    let jD = Double(jj + minj)
                    val = (buf[jj + offset] * iD + val * jD) / (iD + jD)
                    // Flush subnormals: arithmetic on them is ~100x slower on x86 and they
                    // can only change results below ~1e-300 (see docs/statistics.md).
                    if val < Double.leastNormalMagnitude { val = 0 }
                    buf[jj] = val
                }
                curlen = maxj - minj
                if lastlen > curlen {
                    let lo = maxj - minj
                    let hi = Swift.min(lo + (lastlen - curlen), buf.count)
                    if lo < hi {
                        for idx in lo..<hi { buf[idx] = 1 }
                    }
                }
            }
        }
        if finished { return result }
        return a[maxj - minj - 1]
    }
}
