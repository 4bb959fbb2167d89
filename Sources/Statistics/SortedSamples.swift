// Sorted samples: sort a column once and derive every drift statistic from the sorted
// values. KS and Wasserstein already walk sorted samples; this file adds an O(n) radix
// sort for doubles, distinct counts, the most frequent value, histogram counts by binary
// search of the edges, and the sorted-input variants of Evidently's binning, the normed
// Wasserstein distance and the numeric Hellinger distance. Each sorted variant returns
// exactly what its unsorted counterpart returns on the same values (tests check it on
// every reference case); it only skips the copies, hash sets and re-sorts.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Namespace for statistics of ascending-sorted, NaN-free samples.
public enum SortedSamples {

    /// Below this size `sort` uses the standard library's sort (faster for small arrays).
    static let radixThreshold = 4096

    /// Sorts NaN-free doubles ascending; the same order as `Array.sort()` except that every
    /// -0.0 precedes every 0.0 (they compare equal, so no statistic can tell).
    ///
    /// LSD radix sort on order-preserving 64-bit keys (sign bit flipped for positives, all
    /// bits flipped for negatives), six passes of 11 bits, skipping passes whose digit is the
    /// same for every value: O(n), about 10× faster than a comparison sort at 10^6 values.
    public static func sort(_ values: inout [Double]) {
        if values.count < radixThreshold {
            values.sort()
            return
        }
        values = sorted(chunks: [values])
    }

    /// The values of several arrays together, sorted ascending as `sort(_:)` (NaN-free input):
    /// the chunks are read straight into the sort's keys, so concatenating them costs nothing.
    public static func sorted(chunks: [[Double]]) -> [Double] {
        let n = chunks.reduce(0) { $0 + $1.count }
        if n < radixThreshold {
            var all = Array(chunks.joined())
            all.sort()
            return all
        }
        let bits = 11, buckets = 1 << 11, passes = 6, mask: UInt64 = (1 << 11) - 1
        // The sorted array's own storage is the radix sort's second buffer (keys and doubles have
        // the same size): memory holds the chunks, the keys and the result, not a fourth copy.
        return [Double](unsafeUninitializedCapacity: n) { out, initialized in
            out.withMemoryRebound(to: UInt64.self) { result in
                let keys = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
                let scratch = result.baseAddress!
                let histogram = UnsafeMutablePointer<Int>.allocate(capacity: buckets * passes)
                let offsets = UnsafeMutablePointer<Int>.allocate(capacity: buckets)
                defer {
                    keys.deallocate()
                    histogram.deallocate()
                    offsets.deallocate()
                }
                histogram.initialize(repeating: 0, count: buckets * passes)
                var k = 0
                for chunk in chunks {
                    chunk.withUnsafeBufferPointer { v in
                        for i in 0..<v.count {
                            let b = v[i].bitPattern
                            let x = (b >> 63) != 0 ? ~b : b | (1 << 63)
                            keys[k &+ i] = x
                            var y = x
                            for p in 0..<passes {
                                histogram[p &* buckets &+ Int(y & mask)] &+= 1
                                y >>= UInt64(bits)
                            }
                        }
                    }
                    k += chunk.count
                }
                var src = keys, dst = scratch
                for p in 0..<passes {
                    let base = p * buckets
                    let shift = UInt64(p * bits)
                    if histogram[base + Int((src[0] >> shift) & mask)] == n { continue }  // every key has this digit
                    var sum = 0
                    for b in 0..<buckets {
                        offsets[b] = sum
                        sum &+= histogram[base + b]
                    }
                    for i in 0..<n {
                        let x = src[i]
                        let d = Int((x >> shift) & mask)
                        dst[offsets[d]] = x
                        offsets[d] &+= 1
                    }
                    swap(&src, &dst)
                }
                // Back from keys to the doubles' bits, into the result (in place when the last
                // pass left the keys there).
                for i in 0..<n {
                    let x = src[i]
                    scratch[i] = (x >> 63) != 0 ? x & ~(1 << 63) : ~x
                }
            }
            initialized = n
        }
    }

    /// The values sorted ascending by `sort(_:)`.
    public static func sorted(_ values: [Double]) -> [Double] {
        var v = values
        sort(&v)
        return v
    }

    /// True when the values are in ascending order (NaN-free input).
    public static func isSorted(_ values: [Double]) -> Bool {
        values.withUnsafeBufferPointer { v in
            var i = 1
            while i < v.count {
                if v[i] < v[i - 1] { return false }
                i += 1
            }
            return true
        }
    }

    /// Number of distinct values of an ascending sample (`len(np.unique(x))`).
    public static func distinctCount(sorted v: [Double]) -> Int {
        guard !v.isEmpty else { return 0 }
        return v.withUnsafeBufferPointer { p in
            var n = 1
            for i in 1..<p.count where p[i] != p[i - 1] { n += 1 }
            return n
        }
    }

    /// Number of distinct values of the union of two ascending samples
    /// (`len(np.unique(np.concatenate([a, b])))`), or `limit` when there are at least that many
    /// (the walk stops there: "more than 5 values" costs a few steps, not a pass).
    public static func distinctCount(sorted a: [Double], sorted b: [Double], limit: Int = .max) -> Int {
        guard limit > 0 else { return 0 }
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var i = 0, j = 0, n = 0
                while i < pa.count || j < pb.count {
                    let v: Double
                    if j >= pb.count || (i < pa.count && pa[i] <= pb[j]) { v = pa[i] } else { v = pb[j] }
                    while i < pa.count && pa[i] <= v { i += 1 }
                    while j < pb.count && pb[j] <= v { j += 1 }
                    n += 1
                    if n >= limit { return n }
                }
                return n
            }
        }
    }

    /// Whether an ascending sample has more than `count` distinct values (stops as soon as it knows).
    public static func hasMoreDistinct(sorted v: [Double], than count: Int) -> Bool {
        v.withUnsafeBufferPointer { p in
            guard !p.isEmpty else { return false }
            var n = 1
            var i = 1
            while i < p.count {
                if p[i] != p[i - 1] {
                    n += 1
                    if n > count { return true }
                }
                i += 1
            }
            return n > count
        }
    }

    /// What one merge walk over two ascending, NaN-free samples yields.
    public struct MergeSummary: Sendable, Equatable {
        /// `KolmogorovSmirnov.statistic(sorted:sorted:)`, bit for bit.
        public var ksStatistic: Double
        /// `Distances.wasserstein(sorted:sorted:)`, bit for bit.
        public var wasserstein: Double
        /// Distinct values of the union, of the first sample, and of the second.
        public var distinct: Int
        public var distinctA: Int
        public var distinctB: Int
        /// Occurrences of the most frequent value of each sample.
        public var modeCountA: Int
        public var modeCountB: Int
    }

    /// The KS statistic, the Wasserstein-1 distance, distinct counts and the most frequent
    /// values' counts of two ascending, NaN-free samples in one merge walk (instead of one walk
    /// each); nil when a sample is empty.
    public static func merge(sorted a: [Double], sorted b: [Double]) -> MergeSummary? {
        let na = a.count, nb = b.count
        guard na > 0, nb > 0 else { return nil }
        let naD = Double(na), nbD = Double(nb)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var i = 0, j = 0
                var maxS = -Double.infinity, minS = Double.infinity
                var total = 0.0, compensation = 0.0, prevDiff = 0.0, previous = 0.0
                var first = true
                var distinct = 0, distinctA = 0, distinctB = 0, modeA = 0, modeB = 0
                while i < na || j < nb {
                    let x: Double
                    if j >= nb || (i < na && pa[i] <= pb[j]) { x = pa[i] } else { x = pb[j] }
                    if !first {
                        // Wasserstein: the ECDFs are constant between consecutive merged values.
                        let term = prevDiff * (x - previous)
                        let t = total + term
                        if abs(total) >= abs(term) { compensation += (total - t) + term } else { compensation += (term - t) + total }
                        total = t
                    }
                    let i0 = i, j0 = j
                    while i < na && pa[i] <= x { i += 1 }
                    while j < nb && pb[j] <= x { j += 1 }
                    let diff = Double(i) / naD - Double(j) / nbD
                    if diff > maxS { maxS = diff }
                    if diff < minS { minS = diff }
                    prevDiff = abs(diff)
                    previous = x
                    first = false
                    distinct += 1
                    if i > i0 {
                        distinctA += 1
                        modeA = Swift.max(modeA, i - i0)
                    }
                    if j > j0 {
                        distinctB += 1
                        modeB = Swift.max(modeB, j - j0)
                    }
                }
                let negMin = Swift.min(Swift.max(-minS, 0), 1)
                return MergeSummary(
                    ksStatistic: negMin > maxS ? negMin : maxS, wasserstein: total + compensation, distinct: distinct,
                    distinctA: distinctA, distinctB: distinctB, modeCountA: modeA, modeCountB: modeB)
            }
        }
    }

    /// Every distinct value of the union of two ascending samples, ascending, with its count
    /// in each sample (the merge behind one-bin-per-value binning and the chi-square and
    /// Z-tests on low-cardinality numbers).
    public static func valueCounts(sorted a: [Double], sorted b: [Double]) -> (values: [Double], a: [Int], b: [Int]) {
        var values: [Double] = [], ca: [Int] = [], cb: [Int] = []
        mergeDistinct(a, b) { v, na, nb in
            values.append(v)
            ca.append(na)
            cb.append(nb)
        }
        return (values, ca, cb)
    }

    /// Calls `body(value, countInA, countInB)` for each distinct value of the union, ascending.
    static func mergeDistinct(_ a: [Double], _ b: [Double], _ body: (Double, Int, Int) -> Void) {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var i = 0, j = 0
                while i < pa.count || j < pb.count {
                    let v: Double
                    if j >= pb.count || (i < pa.count && pa[i] <= pb[j]) { v = pa[i] } else { v = pb[j] }
                    let i0 = i, j0 = j
                    while i < pa.count && pa[i] <= v { i += 1 }
                    while j < pb.count && pb[j] <= v { j += 1 }
                    body(v, i - i0, j - j0)
                }
            }
        }
    }

    /// Share of the sample taken by its most frequent value (1 for a constant column); nil when empty.
    public static func modeShare(sorted v: [Double]) -> Double? {
        guard !v.isEmpty else { return nil }
        return v.withUnsafeBufferPointer { p in
            var best = 1, run = 1
            for i in 1..<p.count {
                if p[i] == p[i - 1] {
                    run += 1
                    if run > best { best = run }
                } else {
                    run = 1
                }
            }
            return Double(best) / Double(p.count)
        }
    }

    /// Index of the first element not less than `x` (`np.searchsorted(v, x, 'left')`).
    @inline(__always)
    static func lowerBound(_ p: UnsafeBufferPointer<Double>, _ x: Double) -> Int {
        var lo = 0, hi = p.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if p[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Index of the first element greater than `x` (`np.searchsorted(v, x, 'right')`).
    @inline(__always)
    static func upperBound(_ p: UnsafeBufferPointer<Double>, _ x: Double) -> Int {
        var lo = 0, hi = p.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if p[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Histogram of an ascending, NaN-free sample over increasing `edges`, with the counts of
    /// `Histogram(values:edges:)` (numpy.histogram: bin i holds edges[i] <= x < edges[i+1],
    /// the last bin is closed), found by binary search of each edge: O(k log n).
    /// nil when fewer than two edges or the edges decrease.
    public static func histogram(sorted v: [Double], edges: [Double]) -> (counts: [Int], below: Int, above: Int)? {
        guard edges.count >= 2 else { return nil }
        for i in 1..<edges.count where !(edges[i - 1] <= edges[i]) { return nil }
        let k = edges.count - 1
        return v.withUnsafeBufferPointer { p in
            var counts = [Int](repeating: 0, count: k)
            var previous = lowerBound(p, edges[0])
            for i in 0..<k - 1 {
                let next = lowerBound(p, edges[i + 1])
                counts[i] = next - previous
                previous = next
            }
            let end = upperBound(p, edges[k])
            counts[k - 1] = end - previous
            return (counts, lowerBound(p, edges[0]), p.count - end)
        }
    }
}

extension BinEdges {
    /// `np.histogram_bin_edges(x, bins="sturges")` from the minimum, maximum and size of `x`
    /// (all the rule looks at): the same edges as `sturges(_:)` without a pass over the values.
    /// nil when `count` is 0 or an extreme is not finite.
    public static func sturges(min lo0: Double, max hi0: Double, count: Int) -> [Double]? {
        guard count > 0, finiteSpan(lo0, hi0), lo0 <= hi0 else { return nil }
        var lo = lo0, hi = hi0
        let ptp = hi - lo
        let width = ptp / (log2(Double(count)) + 1.0)
        if lo == hi {
            lo -= 0.5
            hi += 0.5
        }
        let binCount = width != 0 ? Int(((hi - lo) / width).rounded(.up)) : 1
        return linspace(lo, hi, binCount + 1)
    }
}

extension Binning {
    /// `evidentlyNumeric(reference:current:fillZeroes:)` for ascending, NaN-free samples: the
    /// same percentages, edges and values, from merge walks and binary searches instead of
    /// hash sets and per-value bin lookups. nil when a side is empty.
    public static func evidentlyNumeric(sortedReference ref: [Double], sortedCurrent cur: [Double], fillZeroes: Bool)
        -> Percents?
    {
        guard let r0 = ref.first, let c0 = cur.first, let r1 = ref.last, let c1 = cur.last else { return nil }
        let nRef = Double(ref.count)
        let nCur = Double(cur.count)
        var result: Percents
        if SortedSamples.hasMoreDistinct(sorted: ref, than: distinctValueThreshold) {
            guard let edges = BinEdges.sturges(min: Swift.min(r0, c0), max: Swift.max(r1, c1), count: ref.count + cur.count),
                let hRef = SortedSamples.histogram(sorted: ref, edges: edges),
                let hCur = SortedSamples.histogram(sorted: cur, edges: edges)
            else { return nil }
            result = Percents(
                reference: hRef.counts.map { Double($0) / nRef }, current: hCur.counts.map { Double($0) / nCur },
                edges: edges, values: nil)
        } else {
            let merged = SortedSamples.valueCounts(sorted: ref, sorted: cur)
            result = Percents(
                reference: merged.a.map { Double($0) / nRef }, current: merged.b.map { Double($0) / nCur },
                edges: nil, values: merged.values)
        }
        if fillZeroes {
            result.reference = Binning.fillZeroes(result.reference)
            result.current = Binning.fillZeroes(result.current)
        }
        return result
    }
}

extension Distances {
    /// `wassersteinNormed(reference:current:)` for ascending, NaN-free samples.
    public static func wassersteinNormed(sortedReference ref: [Double], sortedCurrent cur: [Double]) -> Double? {
        guard !ref.isEmpty, !cur.isEmpty, let std = Descriptive.populationStandardDeviation(ref) else { return nil }
        return wasserstein(sorted: ref, sorted: cur) / Swift.max(std, 0.001)
    }

    /// `hellinger(reference:current:)` (Evidently's numeric Hellinger distance) for ascending,
    /// NaN-free samples.
    public static func hellinger(sortedReference ref: [Double], sortedCurrent cur: [Double]) -> Double? {
        guard let r0 = ref.first, let c0 = cur.first, let r1 = ref.last, let c1 = cur.last else { return nil }
        let distinct = SortedSamples.distinctCount(sorted: ref, sorted: cur)
        guard let bins = BinEdges.sturges(min: Swift.min(r0, c0), max: Swift.max(r1, c1), count: distinct),
            let h1 = SortedSamples.histogram(sorted: ref, edges: bins),
            let h2 = SortedSamples.histogram(sorted: cur, edges: bins)
        else { return nil }
        let t1 = Double(h1.counts.reduce(0, +)), t2 = Double(h2.counts.reduce(0, +))
        let binWidth = (bins[bins.count - 1] - bins[0]) / Double(bins.count - 1)
        var s = 0.0
        for i in 0..<h1.counts.count {
            let w = bins[i + 1] - bins[i]
            let d1 = Double(h1.counts[i]) / w / t1
            let d2 = Double(h2.counts[i]) / w / t2
            s += (d1 * d2).squareRoot() * binWidth
        }
        s = Swift.min(Swift.max(s, 0), 1)
        return (1 - s).squareRoot()
    }
}

extension ZTest {
    /// `evidentlyTwoProportion(referenceCategories:currentCategories:)` from counts aligned over
    /// the ascending union of values (index 0 is the smallest value): the smallest value seen on
    /// either side is "0", everything else "1"; both samples holding the same single value give
    /// z = 0, p = 1. nil when a side is empty or the lengths differ.
    public static func evidentlyTwoProportion(referenceCounts rc: [Int], currentCounts cc: [Int]) -> Result? {
        guard rc.count == cc.count else { return nil }
        let n1 = rc.reduce(0, +), n2 = cc.reduce(0, +)
        guard n1 > 0, n2 > 0 else { return nil }
        let refKeys = rc.indices.filter { rc[$0] > 0 }, curKeys = cc.indices.filter { cc[$0] > 0 }
        if refKeys.count == 1, curKeys.count == 1, refKeys == curKeys { return Result(statistic: 0, pValue: 1) }
        guard let first = rc.indices.first(where: { rc[$0] > 0 || cc[$0] > 0 }) else { return nil }
        return twoProportion(successes1: n1 - rc[first], n1: n1, successes2: n2 - cc[first], n2: n2)
    }
}
