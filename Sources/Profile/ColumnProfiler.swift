import AuditModel
import Statistics
import Warehouse

/// Quantile levels profiled for numeric columns, with their keys.
public let profileQuantiles: [(key: String, q: Double)] = [
    ("p01", 0.01), ("p05", 0.05), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p95", 0.95), ("p99", 0.99),
]

/// Bins of the baseline histogram (equal width over the baseline's finite range).
let baselineHistogramBins = 20

/// Computes one column's profile from its stored values.
struct ColumnProfiler {
    /// The baseline's profile of the same column (nil when profiling the baseline itself).
    let baseline: ColumnProfile?
    let topK = 20

    func profile(_ c: DeclaredColumn, _ data: ColumnData) -> ColumnProfile {
        switch data {
        case .numeric(let d):
            var p = ColumnProfile(column: c.name, type: c.type, role: c.role, rows: d.values.count, nulls: d.nullCount)
            if c.type == .boolean {
                let present = d.present
                p.boolean = BooleanProfile(count: present.count, trueCount: present.filter { $0 != 0 }.count)
            } else {
                p.numeric = numeric(d)
            }
            return p
        case .labels(let d):
            return profile(c, d.summary)
        }
    }

    /// A text column's profile from its values with their counts (`readTextColumns`).
    func profile(_ c: DeclaredColumn, _ d: LabelSummary) -> ColumnProfile {
        var p = ColumnProfile(column: c.name, type: c.type, role: c.role, rows: d.rows, nulls: d.nullCount)
        switch c.type {
        case .datetime: p.datetime = datetime(d)
        case .text: p.text = text(d)
        default: p.categorical = categorical(d)
        }
        return p
    }

    /// A text column's profile from its hashes (`HashedText`): the same text profile as from its
    /// values with their counts (lengths summed as whole numbers, as `text` sums them exactly).
    func profile(_ c: DeclaredColumn, _ d: HashedText) -> ColumnProfile {
        var p = ColumnProfile(column: c.name, type: c.type, role: c.role, rows: d.rows, nulls: d.nullCount)
        let n = d.count
        p.text = TextProfile(
            count: n, distinct: d.distinct, minLength: n > 0 ? d.minLength : nil, maxLength: n > 0 ? d.maxLength : nil,
            meanLength: n > 0 ? Double(d.totalLength) / Double(n) : nil)
        return p
    }

    func numeric(_ d: NumericColumnData) -> NumericProfile {
        var finite: [Double] = []
        finite.reserveCapacity(d.values.count)
        var count = 0, nan = 0, inf = 0, zeros = 0, negatives = 0
        d.values.withUnsafeBufferPointer { values in
            d.nulls.withUnsafeBufferPointer { nulls in
                for i in 0..<values.count where !nulls[i] {
                    let v = values[i]
                    count += 1
                    if v.isNaN {
                        nan += 1
                    } else if v.isInfinite {
                        inf += 1
                        if v < 0 { negatives += 1 }
                    } else {
                        if v == 0 { zeros += 1 } else if v < 0 { negatives += 1 }
                        finite.append(v)
                    }
                }
            }
        }
        // Radix sort and two-pass moments: the same values as `sort()` and Descriptive.summary,
        // several times faster on a million rows (docs/benchmarks.md).
        Sorting.radixSort(&finite)
        let moments = Descriptive.moments(finite)
        var quantiles: [String: Double] = [:]
        if let qs = Quantiles.quantiles(sorted: finite, profileQuantiles.map(\.q)) {
            for (k, v) in zip(profileQuantiles.map(\.key), qs) { quantiles[k] = v }
        }
        var distinct = 0
        finite.withUnsafeBufferPointer { f in
            for i in 0..<f.count where i == 0 || f[i] != f[i - 1] { distinct += 1 }
        }
        let edges = baseline?.numeric?.histogram?.edges ?? baselineEdges(finite)
        var hist: AuditModel.Histogram?
        if let edges, let h = Statistics.Histogram(sorted: finite, edges: edges) {
            hist = AuditModel.Histogram(edges: edges, counts: h.counts, below: h.below, above: h.above)
        }
        return NumericProfile(
            count: count, nan: nan, infinite: inf, zeros: zeros, negatives: negatives, min: finite.first,
            max: finite.last, mean: moments?.mean, std: moments?.variance.map { $0.squareRoot() },
            skewness: moments?.skewness, quantiles: quantiles, distinct: distinct, histogram: hist)
    }

    /// Equal-width edges over the baseline's finite range; a constant column gets one bin of width 1.
    func baselineEdges(_ sorted: [Double]) -> [Double]? {
        guard let lo = sorted.first, let hi = sorted.last else { return nil }
        if lo == hi { return [lo - 0.5, hi + 0.5] }
        return BinEdges.linspace(lo, hi, baselineHistogramBins + 1)
    }

    func categorical(_ d: LabelSummary) -> CategoricalProfile {
        let counts = d.counts
        let values = zip(d.dictionary, counts).map { ValueCount(value: $0, count: $1) }.filter { $0.count > 0 }
        let total = values.reduce(0) { $0 + $1.count }
        let top = values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }.prefix(topK)
        var unseen: Double?
        if let base = baseline?.categorical, let baseCounts = base.counts, total > 0 {
            let known = Set(baseCounts.map(\.value))
            unseen = Double(values.filter { !known.contains($0.value) }.reduce(0) { $0 + $1.count }) / Double(total)
        }
        let full = values.count <= CategoricalProfile.fullCountsLimit ? values.sorted { $0.value < $1.value } : nil
        return CategoricalProfile(count: total, distinct: values.count, top: Array(top), unseenShare: unseen, counts: full)
    }

    func datetime(_ d: LabelSummary) -> DatetimeProfile {
        let counts = d.counts
        let present = zip(d.dictionary, counts).filter { $0.1 > 0 }.map(\.0)
        return DatetimeProfile(count: counts.reduce(0, +), min: present.min(), max: present.max())
    }

    func text(_ d: LabelSummary) -> TextProfile {
        let counts = d.counts
        var n = 0, minL = Int.max, maxL = 0
        var total = 0.0
        for (k, v) in d.dictionary.enumerated() where counts[k] > 0 {
            var s = v
            // Unicode scalars (Python's len): UTF-8 bytes that do not continue a sequence.
            let len = s.withUTF8 { b in b.reduce(0) { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) } }
            minL = min(minL, len)
            maxL = max(maxL, len)
            total += Double(len) * Double(counts[k])
            n += counts[k]
        }
        let distinct = counts.filter { $0 > 0 }.count
        return TextProfile(
            count: n, distinct: distinct, minLength: n > 0 ? minL : nil, maxLength: n > 0 ? maxL : nil,
            meanLength: n > 0 ? total / Double(n) : nil)
    }
}

/// The trend metrics a profile contributes to the `metric` table.
func profileMetrics(_ p: ColumnProfile) -> [Metric] {
    var m: [Metric] = []
    if let n = p.numeric {
        m += [Metric(.mean, column: p.column, n.mean), Metric(.std, column: p.column, n.std),
              Metric(.min, column: p.column, n.min), Metric(.max, column: p.column, n.max)]
        for (k, _) in profileQuantiles { m.append(Metric(.quantile(k), column: p.column, n.quantiles[k])) }
    }
    if let c = p.categorical {
        m.append(Metric(.distinct, column: p.column, Double(c.distinct)))
        if let u = c.unseenShare { m.append(Metric(.unseenShare, column: p.column, u)) }
    }
    if let b = p.boolean { m.append(Metric(.trueShare, column: p.column, b.trueShare)) }
    return m
}
