// Fast paths for profiling large columns: an LSD radix sort for doubles, the moments in two
// passes, and histogram counts by binary search over sorted values. Each gives exactly the
// result of the general function it stands for (Array.sort, Descriptive.variance/skewness,
// Histogram(values:edges:)).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sorting of doubles.
public enum Sorting {
    /// Sorts NaN-free `values` ascending with a least-significant-digit radix sort on the
    /// IEEE 754 bit patterns (11-bit digits; digits all values share are skipped): linear in
    /// the count, several times faster than a comparison sort on a million values. The order
    /// is the comparison order, except that -0.0 comes before 0.0.
    public static func radixSort(_ values: inout [Double]) {
        let n = values.count
        guard n >= 512 else {
            values.sort()
            return
        }
        let digits = 6, radix = 1 << 11, mask: UInt64 = UInt64(radix - 1)
        var keys = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: digits * radix)
        values.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let bits = v[i].bitPattern
                        // Flip so that unsigned order is numeric order.
                        let key = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
                        k[i] = key
                        var x = key
                        for d in 0..<digits {
                            c[d * radix + Int(x & mask)] += 1
                            x >>= 11
                        }
                    }
                }
            }
        }
        // Once the keys are made, the values' own storage is the second buffer of the passes
        // (keys and doubles have the same size): no third array of the column's size.
        values.withUnsafeMutableBufferPointer { v in
            v.withMemoryRebound(to: UInt64.self) { spare in
                keys.withUnsafeMutableBufferPointer { keys in
                    var inKeys = true  // whether the current order is in `keys` (else in `spare`)
                    for d in 0..<digits {
                        let base = d * radix
                        if Self.allShareDigit(counts, base: base, radix: radix, n: n) { continue }
                        var offsets = [Int](repeating: 0, count: radix)
                        var sum = 0
                        for b in 0..<radix {
                            offsets[b] = sum
                            sum += counts[base + b]
                        }
                        let shift = UInt64(11 * d)
                        func scatter(_ src: UnsafeMutableBufferPointer<UInt64>, _ dst: UnsafeMutableBufferPointer<UInt64>) {
                            offsets.withUnsafeMutableBufferPointer { o in
                                for i in 0..<n {
                                    let key = src[i]
                                    let b = Int((key >> shift) & mask)
                                    dst[o[b]] = key
                                    o[b] += 1
                                }
                            }
                        }
                        if inKeys { scatter(keys, spare) } else { scatter(spare, keys) }
                        inKeys.toggle()
                    }
                    // Back to the doubles' bits, in the values' storage.
                    let sorted = inKeys ? keys : spare
                    for i in 0..<n {
                        let key = sorted[i]
                        spare[i] = key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key
                    }
                }
            }
        }
    }
}

extension Sorting {
    /// Whether all `n` values have the same digit in the pass whose counts start at `base`
    /// (the first non-empty bucket holds them all): such a pass moves nothing and is skipped.
    static func allShareDigit(_ counts: [Int], base: Int, radix: Int, n: Int) -> Bool {
        for b in 0..<radix where counts[base + b] != 0 { return counts[base + b] == n }
        return false
    }

    /// The indices of `values` in ascending order of value, ties in ascending index: exactly
    /// the permutation of a comparison sort of the indices by `(value, index)` (which treats
    /// -0.0 and 0.0 as equal), by a stable least-significant-digit radix sort of the IEEE 754
    /// bit patterns (11-bit digits; digits all values share are skipped). Nil when `values`
    /// holds a NaN (a comparison sort's order is then undefined: use one).
    public static func stableOrder(_ values: [Double]) -> [Int]? {
        let n = values.count
        guard n < Int(Int32.max) else { return nil }
        let digits = 6, radix = 1 << 11, mask: UInt64 = UInt64(radix - 1)
        var keys = [UInt64](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: digits * radix)
        var hasNaN = false
        values.withUnsafeBufferPointer { v in
            keys.withUnsafeMutableBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let x = v[i]
                        if x.isNaN {
                            hasNaN = true
                            return
                        }
                        // -0.0 ties with 0.0, as `<` has it; then flip so unsigned order is numeric order.
                        let bits = x == 0 ? 0 : x.bitPattern
                        let key = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
                        k[i] = key
                        var y = key
                        for d in 0..<digits {
                            c[d * radix + Int(y & mask)] += 1
                            y >>= 11
                        }
                    }
                }
            }
        }
        if hasNaN { return nil }
        var order = [Int32](unsafeUninitializedCapacity: n) { b, initialized in
            for i in 0..<n { b[i] = Int32(i) }
            initialized = n
        }
        var spareOrder = [Int32](repeating: 0, count: n)
        var spareKeys = [UInt64](repeating: 0, count: n)
        var offsets = [Int](repeating: 0, count: radix)
        for d in 0..<digits {
            let base = d * radix
            if allShareDigit(counts, base: base, radix: radix, n: n) { continue }
            var sum = 0
            for b in 0..<radix {
                offsets[b] = sum
                sum += counts[base + b]
            }
            let shift = UInt64(11 * d)
            // Stable scatter of (key, index) pairs by digit d.
            keys.withUnsafeBufferPointer { k in
                order.withUnsafeBufferPointer { o in
                    spareKeys.withUnsafeMutableBufferPointer { sk in
                        spareOrder.withUnsafeMutableBufferPointer { so in
                            offsets.withUnsafeMutableBufferPointer { off in
                                for i in 0..<n {
                                    let key = k[i]
                                    let b = Int((key >> shift) & mask)
                                    let at = off[b]
                                    sk[at] = key
                                    so[at] = o[i]
                                    off[b] = at + 1
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &spareKeys)
            swap(&order, &spareOrder)
        }
        // The keys and spare buffers go before the result is made: with them the widening was
        // the peak of compare with a 10M-row day (four arrays of the column's size beside it).
        keys = []
        spareKeys = []
        spareOrder = []
        return order.map { Int($0) }
    }
}

extension Descriptive {
    /// Mean, sample variance (ddof = 1) and skewness in two passes, each bit-identical to
    /// `mean`, `variance(ddof: 1)` and `skewness` (the same compensated sums in the same
    /// order); nil when empty. Variance is nil below 2 values, skewness below 3 or when constant.
    public static func moments(_ values: [Double]) -> (mean: Double, variance: Double?, skewness: Double?)? {
        guard let m = mean(values) else { return nil }
        var s2 = 0.0, c2 = 0.0, s3 = 0.0, c3 = 0.0
        values.withUnsafeBufferPointer { v in
            for x in v {
                let d = x - m
                let d2 = d * d
                let d3 = d2 * d
                var t = s2 + d2
                if abs(s2) >= abs(d2) { c2 += (s2 - t) + d2 } else { c2 += (d2 - t) + s2 }
                s2 = t
                t = s3 + d3
                if abs(s3) >= abs(d3) { c3 += (s3 - t) + d3 } else { c3 += (d3 - t) + s3 }
                s3 = t
            }
        }
        let n = values.count
        let variance: Double? = n > 1 ? (s2 + c2) / Double(n - 1) : nil
        var skew: Double?
        if n >= 3 {
            let count = Double(n)
            let m2 = (s2 + c2) / count
            let m3 = (s3 + c3) / count
            let eps = Double.ulpOfOne
            if !(m2 <= (eps * m) * (eps * m)) {
                skew = ((count - 1) * count).squareRoot() / (count - 2) * (m3 / pow(m2, 1.5))
            }
        }
        return (m, variance, skew)
    }
}

extension Histogram {
    /// The histogram of sorted, NaN-free `values` over `edges`, equal to
    /// `Histogram(values:edges:)` but in O(edges · log n): each bin count is a difference of
    /// two binary searches. Falls back to the general counting when edges repeat.
    public init?(sorted values: [Double], edges: [Double]) {
        guard edges.count >= 2 else { return nil }
        for i in 1..<edges.count where !(edges[i - 1] < edges[i]) {
            self.init(values: values, edges: edges)
            return
        }
        /// Values below `e` (strictly: `orEqual` false) or at most `e` (`orEqual` true).
        func rank(_ e: Double, orEqual: Bool) -> Int {
            var lo = 0, hi = values.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if values[mid] < e || (orEqual && values[mid] == e) { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let m = edges.count - 1
        let below = edges.map { rank($0, orEqual: false) }
        let atOrBelowLast = rank(edges[m], orEqual: true)
        var counts = [Int](repeating: 0, count: m)
        for i in 0..<(m - 1) { counts[i] = below[i + 1] - below[i] }
        counts[m - 1] = atOrBelowLast - below[m - 1]
        self.init(values: [], edges: edges)
        self.counts = counts
        self.below = below[0]
        self.above = values.count - atOrBelowLast
    }
}
