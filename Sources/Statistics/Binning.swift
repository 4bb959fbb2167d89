// Evidently's binning of a reference and a current sample into aligned percentages
// (`evidently.calculations.stattests.utils.get_binned_data`), used by PSI and
// Jensen–Shannon.
//
// Rule: a numeric column whose reference sample has more than 20 distinct values is
// binned with Sturges edges over the concatenation of both samples
// (`np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")`); otherwise (and
// always for categorical columns) there is one bin per distinct value of the union of
// both samples. Percentages are count / sample size. With `fillZeroes` (Evidently's
// `feel_zeroes`, used by PSI) every empty bin gets the value
// `min(non-zero percents) / 1e6` if that minimum is <= 0.0001, else 0.0001, separately
// for each side.

/// Namespace for Evidently-style binning.
public enum Binning {

    /// Aligned bin percentages of the reference and current samples.
    public struct Percents: Sendable, Equatable {
        /// Share of the reference sample in each bin (after zero filling when requested).
        public var reference: [Double]
        /// Share of the current sample in each bin (after zero filling when requested).
        public var current: [Double]
        /// Sturges edges when the numeric rule applied; nil for one-bin-per-value.
        public var edges: [Double]?
        /// The distinct values when one bin per value was used (sorted ascending); nil with edges.
        public var values: [Double]?
    }

    /// Number of distinct reference values above which a numeric column is histogrammed (Evidently: `n_vals > 20`).
    public static let distinctValueThreshold = 20

    /// Evidently `get_binned_data` for a numeric column; NaNs are dropped first (Evidently receives NaN-free series); nil when a side is empty.
    public static func evidentlyNumeric(reference: [Double], current: [Double], fillZeroes: Bool) -> Percents? {
        let ref = reference.filter { !$0.isNaN }
        let cur = current.filter { !$0.isNaN }
        guard !ref.isEmpty, !cur.isEmpty else { return nil }
        let distinctRef = Set(ref).count
        var result: Percents
        if distinctRef > distinctValueThreshold {
            guard let edges = BinEdges.sturges(ref + cur),
                  let hRef = Histogram(values: ref, edges: edges),
                  let hCur = Histogram(values: cur, edges: edges) else { return nil }
            let nRef = Double(ref.count)
            let nCur = Double(cur.count)
            result = Percents(reference: hRef.counts.map { Double($0) / nRef },
                              current: hCur.counts.map { Double($0) / nCur },
                              edges: edges, values: nil)
        } else {
            let counts = CategoryCounts(reference: ref, current: cur)
            // Sort the union of values for a deterministic bin order.
            let order = counts.categories.indices.sorted { counts.categories[$0] < counts.categories[$1] }
            let nRef = Double(ref.count)
            let nCur = Double(cur.count)
            result = Percents(reference: order.map { Double(counts.reference[$0]) / nRef },
                              current: order.map { Double(counts.current[$0]) / nCur },
                              edges: nil, values: order.map { counts.categories[$0] })
        }
        if fillZeroes {
            result.reference = Binning.fillZeroes(result.reference)
            result.current = Binning.fillZeroes(result.current)
        }
        return result
    }

    /// Evidently `get_binned_data` for a categorical column: one bin per category of the union, in the order of `CategoryCounts`; nil when a side is empty.
    public static func evidentlyCategorical<T: Hashable>(reference: [T], current: [T], fillZeroes: Bool) -> (categories: [T], reference: [Double], current: [Double])? {
        guard !reference.isEmpty, !current.isEmpty else { return nil }
        let counts = CategoryCounts(reference: reference, current: current)
        var ref = counts.reference.map { Double($0) / Double(reference.count) }
        var cur = counts.current.map { Double($0) / Double(current.count) }
        if fillZeroes {
            ref = Binning.fillZeroes(ref)
            cur = Binning.fillZeroes(cur)
        }
        return (counts.categories, ref, cur)
    }

    /// Evidently `get_binned_data` from aligned per-category counts (categories absent from both sides are dropped); nil when a side has no observations.
    public static func evidentlyCounts(referenceCounts: [Int], currentCounts: [Int], fillZeroes: Bool) -> (reference: [Double], current: [Double])? {
        guard referenceCounts.count == currentCounts.count else { return nil }
        let nRef = referenceCounts.reduce(0, +)
        let nCur = currentCounts.reduce(0, +)
        guard nRef > 0, nCur > 0 else { return nil }
        var ref: [Double] = []
        var cur: [Double] = []
        for i in 0..<referenceCounts.count where referenceCounts[i] != 0 || currentCounts[i] != 0 {
            ref.append(Double(referenceCounts[i]) / Double(nRef))
            cur.append(Double(currentCounts[i]) / Double(nCur))
        }
        if fillZeroes {
            ref = Binning.fillZeroes(ref)
            cur = Binning.fillZeroes(cur)
        }
        return (ref, cur)
    }

    /// Evidently `feel_zeroes`: replace zeros by min(non-zero)/1e6 when that minimum is <= 0.0001, else by 0.0001.
    public static func fillZeroes(_ percents: [Double]) -> [Double] {
        guard percents.contains(0) else { return percents }
        let nonZero = percents.filter { $0 != 0 }
        guard let minNonZero = nonZero.min() else { return percents }
        let replacement = minNonZero <= 0.0001 ? minNonZero / 1_000_000 : 0.0001
        return percents.map { $0 == 0 ? replacement : $0 }
    }
}
