// Distribution distances used as drift scores: PSI, Jensen–Shannon distance,
// Wasserstein-1 (normed as Evidently), Hellinger (as Evidently).
//
// Sample-level functions drop NaN first (Evidently drops missing values before a drift
// test); callers are expected to report missing values separately.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for drift distances.
public enum Distances {

    // MARK: PSI

    /// Population Stability Index Σ (r - c)·ln(r / c) over aligned percentages; matches Evidently's `psi` sum (inputs already zero-filled).
    public static func psi(referencePercents r: [Double], currentPercents c: [Double]) -> Double? {
        guard r.count == c.count, !r.isEmpty else { return nil }
        var total = 0.0
        for i in 0..<r.count {
            total += (r[i] - c[i]) * log(r[i] / c[i])
        }
        return total
    }

    /// PSI of a numeric column as Evidently's `psi` stat test (Evidently binning with zero filling); nil when a side is empty after dropping NaN.
    public static func psi(reference: [Double], current: [Double]) -> Double? {
        guard let b = Binning.evidentlyNumeric(reference: reference, current: current, fillZeroes: true) else { return nil }
        return psi(referencePercents: b.reference, currentPercents: b.current)
    }

    /// PSI of a categorical column as Evidently's `psi` stat test; nil when a side is empty.
    public static func psi<T: Hashable>(referenceCategories reference: [T], currentCategories current: [T]) -> Double? {
        guard let b = Binning.evidentlyCategorical(reference: reference, current: current, fillZeroes: true) else { return nil }
        return psi(referencePercents: b.reference, currentPercents: b.current)
    }

    /// PSI from aligned per-category counts as Evidently's `psi` stat test; nil when a side has no observations.
    public static func psi(referenceCounts: [Int], currentCounts: [Int]) -> Double? {
        guard let b = Binning.evidentlyCounts(referenceCounts: referenceCounts, currentCounts: currentCounts, fillZeroes: true) else { return nil }
        return psi(referencePercents: b.reference, currentPercents: b.current)
    }

    // MARK: Jensen–Shannon

    /// Jensen–Shannon distance (natural log) of two non-negative weight vectors, normalised to sum 1; matches `scipy.spatial.distance.jensenshannon(p, q)`.
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double? {
        guard p.count == q.count, !p.isEmpty else { return nil }
        let sp = Descriptive.sum(p)
        let sq = Descriptive.sum(q)
        var left = [Double](repeating: 0, count: p.count)
        var right = [Double](repeating: 0, count: p.count)
        for i in 0..<p.count {
            let pi = p[i] / sp
            let qi = q[i] / sq
            let m = (pi + qi) / 2.0
            left[i] = relativeEntropy(pi, m)
            right[i] = relativeEntropy(qi, m)
        }
        let js = Descriptive.sum(left) + Descriptive.sum(right)
        return (js / 2.0).squareRoot()
    }

    /// scipy.special.rel_entr: x·ln(x/y), 0 when x == 0 and y >= 0, +inf otherwise.
    @inline(__always)
    static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        if x.isNaN || y.isNaN { return .nan }
        if x > 0 && y > 0 { return x * log(x / y) }
        if x == 0 && y >= 0 { return 0 }
        return .infinity
    }

    /// Jensen–Shannon distance of a numeric column as Evidently's `jensenshannon` stat test (Evidently binning, no zero filling); nil when a side is empty.
    public static func jensenShannon(reference: [Double], current: [Double]) -> Double? {
        guard let b = Binning.evidentlyNumeric(reference: reference, current: current, fillZeroes: false) else { return nil }
        return jensenShannon(b.reference, b.current)
    }

    /// Jensen–Shannon distance of a categorical column as Evidently's `jensenshannon` stat test; nil when a side is empty.
    public static func jensenShannon<T: Hashable>(referenceCategories reference: [T], currentCategories current: [T]) -> Double? {
        guard let b = Binning.evidentlyCategorical(reference: reference, current: current, fillZeroes: false) else { return nil }
        return jensenShannon(b.reference, b.current)
    }

    /// Jensen–Shannon distance from aligned per-category counts as Evidently; nil when a side has no observations.
    public static func jensenShannon(referenceCounts: [Int], currentCounts: [Int]) -> Double? {
        guard let b = Binning.evidentlyCounts(referenceCounts: referenceCounts, currentCounts: currentCounts, fillZeroes: false) else { return nil }
        return jensenShannon(b.reference, b.current)
    }

    // MARK: Wasserstein

    /// First Wasserstein distance between two empirical distributions; matches `scipy.stats.wasserstein_distance(u, v)`. NaNs dropped; nil when a side is empty.
    public static func wasserstein(_ u: [Double], _ v: [Double]) -> Double? {
        var a = u.filter { !$0.isNaN }
        var b = v.filter { !$0.isNaN }
        guard !a.isEmpty, !b.isEmpty else { return nil }
        a.sort()
        b.sort()
        return wasserstein(sorted: a, sorted: b)
    }

    /// First Wasserstein distance of two ascending-sorted, NaN-free samples (scipy `_cdf_distance(1, …)`).
    public static func wasserstein(sorted a: [Double], sorted b: [Double]) -> Double {
        let na = a.count
        let nb = b.count
        let naD = Double(na)
        let nbD = Double(nb)
        var i = 0, j = 0
        var total = 0.0
        var compensation = 0.0
        // Walk the merged sorted values; between consecutive merged values x_k < x_{k+1}
        // the ECDFs are constant.
        var previous: Double? = nil
        var prevDiff = 0.0
        while i < na || j < nb {
            let x: Double
            if j >= nb || (i < na && a[i] <= b[j]) { x = a[i] } else { x = b[j] }
            if let p = previous {
                let term = prevDiff * (x - p)
                let t = total + term
                if abs(total) >= abs(term) { compensation += (total - t) + term } else { compensation += (term - t) + total }
                total = t
            }
            while i < na && a[i] <= x { i += 1 }
            while j < nb && b[j] <= x { j += 1 }
            prevDiff = abs(Double(i) / naD - Double(j) / nbD)
            previous = x
        }
        return total + compensation
    }

    /// Evidently's normed Wasserstein drift score: `wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)`; NaNs dropped; nil when a side is empty.
    public static func wassersteinNormed(reference: [Double], current: [Double]) -> Double? {
        let ref = reference.filter { !$0.isNaN }
        let cur = current.filter { !$0.isNaN }
        guard let w = wasserstein(ref, cur), let std = Descriptive.populationStandardDeviation(ref) else { return nil }
        return w / Swift.max(std, 0.001)
    }

    // MARK: Hellinger

    /// Hellinger distance of a numeric column as Evidently's `hellinger` stat test (Sturges edges over the distinct values of both samples, density histograms, mean bin width); NaNs dropped; nil when a side is empty.
    public static func hellinger(reference: [Double], current: [Double]) -> Double? {
        let ref = reference.filter { !$0.isNaN }
        let cur = current.filter { !$0.isNaN }
        guard !ref.isEmpty, !cur.isEmpty else { return nil }
        let keys = Array(Set(ref).union(cur))
        guard let bins = BinEdges.sturges(keys),
              let h1 = Histogram(values: ref, edges: bins),
              let h2 = Histogram(values: cur, edges: bins) else { return nil }
        let d1 = h1.density
        let d2 = h2.density
        let binWidth = (bins[bins.count - 1] - bins[0]) / Double(bins.count - 1)
        var s = 0.0
        for i in 0..<d1.count {
            s += (d1[i] * d2[i]).squareRoot() * binWidth
        }
        s = Swift.min(Swift.max(s, 0), 1)
        return (1 - s).squareRoot()
    }

    /// Hellinger distance of a categorical column as Evidently's `hellinger` stat test (Σ sqrt(p·q) over the union of categories); nil when a side is empty.
    public static func hellinger<T: Hashable>(referenceCategories reference: [T], currentCategories current: [T]) -> Double? {
        guard let b = Binning.evidentlyCategorical(reference: reference, current: current, fillZeroes: false) else { return nil }
        return hellinger(referencePercents: b.reference, currentPercents: b.current)
    }

    /// Hellinger distance sqrt(1 - Σ sqrt(p·q)) of aligned probability vectors (Evidently's categorical formula, clipped to [0, 1]).
    public static func hellinger(referencePercents p: [Double], currentPercents q: [Double]) -> Double? {
        guard p.count == q.count, !p.isEmpty else { return nil }
        var s = 0.0
        for i in 0..<p.count { s += (p[i] * q[i]).squareRoot() }
        s = Swift.min(Swift.max(s, 0), 1)
        return (1 - s).squareRoot()
    }
}
