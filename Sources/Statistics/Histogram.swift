// Histograms with numpy.histogram semantics for explicit edges, and NumPy's bin-edge
// rules ("sturges" and N equal-width bins).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts of values in bins given by explicit, increasing edges (numpy.histogram semantics).
public struct Histogram: Sendable, Equatable {
    /// The bin edges (count + 1 values, non-decreasing).
    public var edges: [Double]
    /// Count per bin: bin i holds edges[i] <= x < edges[i+1]; the last bin also holds x == edges.last.
    public var counts: [Int]
    /// Values strictly below the first edge (numpy drops them silently).
    public var below: Int
    /// Values strictly above the last edge (numpy drops them silently).
    public var above: Int
    /// NaN values (never counted in a bin).
    public var nan: Int

    /// Histogram of `values` over `edges`, matching `np.histogram(values, bins=edges)[0]` for the counts; nil when fewer than two edges or edges decrease.
    public init?(values: [Double], edges: [Double]) {
        guard edges.count >= 2 else { return nil }
        for i in 1..<edges.count where !(edges[i - 1] <= edges[i]) { return nil }
        let binCount = edges.count - 1
        var counts = [Int](repeating: 0, count: binCount)
        var below = 0, above = 0, nan = 0
        let first = edges[0], last = edges[binCount]
        for v in values {
            if v.isNaN { nan += 1; continue }
            if v < first { below += 1; continue }
            if v > last { above += 1; continue }
            if v == last {
                // Closed last bin. With repeated final edges numpy puts the value in the
                // last bin whose left edge is <= v, i.e. the final bin.
                counts[binCount - 1] += 1
                continue
            }
            // Largest i with edges[i] <= v (searchsorted 'right' - 1), v < last.
            var lo = 0, hi = binCount  // invariant: edges[lo] <= v < edges[hi]
            while hi - lo > 1 {
                let mid = (lo + hi) >> 1
                if edges[mid] <= v { lo = mid } else { hi = mid }
            }
            counts[lo] += 1
        }
        self.edges = edges
        self.counts = counts
        self.below = below
        self.above = above
        self.nan = nan
    }

    /// Total of the in-range counts.
    public var total: Int { counts.reduce(0, +) }

    /// Density per bin as `np.histogram(values, bins=edges, density=True)[0]`: count / bin width / in-range total (NumPy's order of operations).
    public var density: [Double] {
        let t = Double(total)
        return (0..<counts.count).map { i in
            Double(counts[i]) / (edges[i + 1] - edges[i]) / t
        }
    }
}

/// Bin-edge rules of `np.histogram_bin_edges`.
public enum BinEdges {
    /// Whether `lo` and `hi` and the distance between them are finite: values from data such as
    /// -1.7e308 and 1.7e308 are finite but `hi - lo` is not, and a bin count computed from it
    /// (inf / inf) crashed the compare stage converting NaN to Int. numpy raises there ("Too
    /// many bins for data range"); these rules return nil and the histogram is left out.
    public static func finiteSpan(_ lo: Double, _ hi: Double) -> Bool {
        lo.isFinite && hi.isFinite && (hi - lo).isFinite
    }

    /// `np.histogram_bin_edges(values, bins="sturges")`; nil when empty or non-finite, or when
    /// the range itself is not finite (numpy raises "Too many bins for data range").
    public static func sturges(_ values: [Double]) -> [Double]? {
        guard !values.isEmpty, var lo = Descriptive.min(values), var hi = Descriptive.max(values),
              finiteSpan(lo, hi) else { return nil }
        let ptp = hi - lo
        let width = ptp / (log2(Double(values.count)) + 1.0)
        if lo == hi {
            lo -= 0.5
            hi += 0.5
        }
        let binCount: Int
        if width != 0 {
            binCount = Int(((hi - lo) / width).rounded(.up))
        } else {
            binCount = 1
        }
        return linspace(lo, hi, binCount + 1)
    }

    /// `np.histogram_bin_edges(values, bins=count)`: `count` equal-width bins over [min, max] (±0.5 when constant); nil when empty, non-finite or count < 1.
    public static func equalWidth(_ values: [Double], count: Int) -> [Double]? {
        guard count >= 1, !values.isEmpty, var lo = Descriptive.min(values),
              var hi = Descriptive.max(values), finiteSpan(lo, hi) else { return nil }
        if lo == hi {
            lo -= 0.5
            hi += 0.5
        }
        return linspace(lo, hi, count + 1)
    }

    /// `np.linspace(start, stop, num)` with endpoint=True, evaluated as NumPy does (i*step + start, last = stop).
    public static func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
        guard num > 0 else { return [] }
        guard num > 1 else { return [start] }
        let div = Double(num - 1)
        let delta = stop - start
        let step = delta / div
        var out = [Double](repeating: 0, count: num)
        for i in 0..<num {
            if step == 0 {
                out[i] = Double(i) / div * delta + start
            } else {
                out[i] = Double(i) * step + start
            }
        }
        out[num - 1] = stop
        return out
    }
}
