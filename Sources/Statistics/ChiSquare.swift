// Chi-square tests: goodness of fit (`scipy.stats.chisquare`), independence in a
// contingency table (`scipy.stats.chi2_contingency`), Evidently's chi-square drift test,
// and Evidently's two-proportion Z-test for two-valued columns.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for chi-square tests.
public enum ChiSquare {

    /// Statistic, p-value and degrees of freedom of a chi-square test.
    public struct Result: Sendable, Equatable {
        /// Pearson's X² statistic (may be +inf when an expected count is 0).
        public var statistic: Double
        /// Upper-tail p-value `chi2.sf(statistic, dof)`; NaN when dof == 0 (as scipy).
        public var pValue: Double
        /// Degrees of freedom.
        public var dof: Int
    }

    /// Result of `chi2_contingency`, with the table of expected frequencies.
    public struct ContingencyResult: Sendable, Equatable {
        /// Pearson's X² statistic (after Yates' correction when it applies).
        public var statistic: Double
        /// Upper-tail p-value.
        public var pValue: Double
        /// Degrees of freedom (r-1)(c-1).
        public var dof: Int
        /// Expected frequencies row_sum * col_sum / total.
        public var expected: [[Double]]
    }

    /// Pearson goodness-of-fit test with dof = k-1; matches `scipy.stats.chisquare(f_obs, f_exp)`. nil when empty, lengths differ, or the sums disagree by more than sqrt(eps) relative (scipy raises).
    public static func goodnessOfFit(observed: [Double], expected: [Double]) -> Result? {
        let k = observed.count
        guard k > 0, expected.count == k else { return nil }
        let obsSum = Descriptive.sum(observed)
        let expSum = Descriptive.sum(expected)
        let relativeDiff = abs(obsSum - expSum) / Swift.min(obsSum, expSum)
        if relativeDiff > Double.ulpOfOne.squareRoot() { return nil }
        var terms = [Double](repeating: 0, count: k)
        for i in 0..<k {
            let d = observed[i] - expected[i]
            terms[i] = d * d / expected[i]
        }
        let stat = Descriptive.sum(terms)
        let dof = k - 1
        return Result(statistic: stat, pValue: Distributions.chiSquareSF(stat, dof: Double(dof)), dof: dof)
    }

    /// Pearson goodness-of-fit test against a uniform expectation; matches `scipy.stats.chisquare(f_obs)`. nil when empty.
    public static func goodnessOfFit(observed: [Double]) -> Result? {
        guard !observed.isEmpty else { return nil }
        let mean = Descriptive.sum(observed) / Double(observed.count)
        return goodnessOfFit(observed: observed, expected: [Double](repeating: mean, count: observed.count))
    }

    /// Chi-square test of independence with Yates' correction when dof == 1; matches `scipy.stats.chi2_contingency(table, correction=correction)`. nil when the table is empty, ragged, has a negative entry or a zero expected frequency (scipy raises).
    public static func contingency(_ table: [[Double]], correction: Bool = true) -> ContingencyResult? {
        let rows = table.count
        guard rows > 0, let cols = table.first?.count, cols > 0 else { return nil }
        for row in table {
            guard row.count == cols else { return nil }
            for v in row where v < 0 || v.isNaN { return nil }
        }
        var rowSums = [Double](repeating: 0, count: rows)
        var colSums = [Double](repeating: 0, count: cols)
        for r in 0..<rows { rowSums[r] = Descriptive.sum(table[r]) }
        for c in 0..<cols { colSums[c] = Descriptive.sum(table.map { $0[c] }) }
        let total = Descriptive.sum(rowSums)
        var expected = [[Double]](repeating: [Double](repeating: 0, count: cols), count: rows)
        for r in 0..<rows {
            for c in 0..<cols {
                expected[r][c] = rowSums[r] * colSums[c] / total
                if expected[r][c] == 0 || expected[r][c].isNaN { return nil }
            }
        }
        let dof = rows * cols - (rows + cols) + 1
        if dof == 0 {
            return ContingencyResult(statistic: 0, pValue: 1, dof: 0, expected: expected)
        }
        var terms: [Double] = []
        terms.reserveCapacity(rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                var o = table[r][c]
                let e = expected[r][c]
                if dof == 1 && correction {
                    let diff = e - o
                    let direction: Double = diff > 0 ? 1 : (diff < 0 ? -1 : 0)
                    let magnitude = Swift.min(0.5, abs(diff))
                    o = o + magnitude * direction
                }
                let d = o - e
                terms.append(d * d / e)
            }
        }
        let stat = Descriptive.sum(terms)
        return ContingencyResult(statistic: stat,
                                 pValue: Distributions.chiSquareSF(stat, dof: Double(dof)),
                                 dof: dof, expected: expected)
    }

    /// Evidently's chi-square drift test (`chi_stat_test`): current counts against reference proportions × current size over the union of categories; nil when a sample is empty. Missing values must be removed by the caller.
    public static func evidentlyDrift<T: Hashable>(referenceCategories reference: [T],
                                                   currentCategories current: [T]) -> Result? {
        let aligned = CategoryCounts(reference: reference, current: current)
        return evidentlyDrift(referenceCounts: aligned.reference, currentCounts: aligned.current)
    }

    /// Evidently's chi-square drift test on aligned per-category counts (index i is the same category on both sides); categories absent from both are ignored; nil when a side has no observations.
    public static func evidentlyDrift(referenceCounts: [Int], currentCounts: [Int]) -> Result? {
        guard referenceCounts.count == currentCounts.count else { return nil }
        var ref: [Double] = []
        var cur: [Double] = []
        for i in 0..<referenceCounts.count where referenceCounts[i] != 0 || currentCounts[i] != 0 {
            ref.append(Double(referenceCounts[i]))
            cur.append(Double(currentCounts[i]))
        }
        let nRef = referenceCounts.reduce(0, +)
        let nCur = currentCounts.reduce(0, +)
        guard nRef > 0, nCur > 0, !ref.isEmpty else { return nil }
        let kNorm = Double(nCur) / Double(nRef)
        let expected = ref.map { $0 * kNorm }
        return goodnessOfFit(observed: cur, expected: expected)
    }
}

/// Per-category counts of two samples aligned over the union of their categories.
public struct CategoryCounts<T: Hashable> {
    /// The categories, in first-seen order (reference first, then current).
    public var categories: [T]
    /// Reference count per category.
    public var reference: [Int]
    /// Current count per category.
    public var current: [Int]

    /// Counts both samples over the union of their categories.
    public init(reference: [T], current: [T]) {
        var index: [T: Int] = [:]
        var categories: [T] = []
        var refCounts: [Int] = []
        var curCounts: [Int] = []
        for v in reference {
            if let i = index[v] {
                refCounts[i] += 1
            } else {
                index[v] = categories.count
                categories.append(v)
                refCounts.append(1)
                curCounts.append(0)
            }
        }
        for v in current {
            if let i = index[v] {
                curCounts[i] += 1
            } else {
                index[v] = categories.count
                categories.append(v)
                refCounts.append(0)
                curCounts.append(1)
            }
        }
        self.categories = categories
        self.reference = refCounts
        self.current = curCounts
    }
}

extension CategoryCounts: Sendable where T: Sendable {}

/// Namespace for Evidently's two-proportion Z-test.
public enum ZTest {

    /// Z statistic and two-sided p-value.
    public struct Result: Sendable, Equatable {
        /// (p1 - p2) / sqrt(P(1-P)(1/n1 + 1/n2)); 0 when both samples hold the same single value.
        public var statistic: Double
        /// 2 * (1 - Φ(|z|)), computed as Evidently does (so it bottoms out near 1e-16).
        public var pValue: Double
    }

    /// Evidently's `z_stat_test`: proportion of values different from the smallest category, reference vs current; nil when a sample is empty. Missing values must be removed by the caller.
    public static func evidentlyTwoProportion<T: Hashable & Comparable>(referenceCategories reference: [T],
                                                                       currentCategories current: [T]) -> Result? {
        guard !reference.isEmpty, !current.isEmpty else { return nil }
        let refSet = Set(reference)
        let curSet = Set(current)
        if refSet.count == 1 && curSet.count == 1 && refSet == curSet {
            return Result(statistic: 0, pValue: 1)
        }
        guard let firstKey = refSet.union(curSet).min() else { return nil }
        let refOther = reference.reduce(0) { $0 + ($1 == firstKey ? 0 : 1) }
        let curOther = current.reduce(0) { $0 + ($1 == firstKey ? 0 : 1) }
        return twoProportion(successes1: refOther, n1: reference.count, successes2: curOther, n2: current.count)
    }

    /// Evidently's `proportions_diff_z_stat_ind` + `proportions_diff_z_test` (two-sided) from counts; nil when a sample is empty.
    public static func twoProportion(successes1: Int, n1: Int, successes2: Int, n2: Int) -> Result? {
        guard n1 > 0, n2 > 0 else { return nil }
        let n1D = Double(n1)
        let n2D = Double(n2)
        let p1 = Double(successes1) / n1D
        let p2 = Double(successes2) / n2D
        let pooled = (p1 * n1D + p2 * n2D) / (n1D + n2D)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1.0 / n1D + 1.0 / n2D)).squareRoot()
        let p = 2 * (1 - Distributions.normalCDF(abs(z)))
        return Result(statistic: z, pValue: p)
    }
}
