// Pearson's correlation coefficient over pairwise-complete rows.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pearson's r, as `np.corrcoef(a[m], b[m])[0, 1]` where `m` keeps the rows whose values are
/// both finite (pandas `DataFrame.corr()` drops missing values pair by pair the same way).
/// A binary column coded 0/1 gives the point-biserial correlation.
public enum Pearson {
    /// r over the rows where both `a[i]` and `b[i]` are finite, and how many rows that is; r is
    /// nil when fewer than two rows remain or either side is constant there (numpy returns NaN).
    public static func coefficient(_ a: [Double], _ b: [Double]) -> (r: Double?, count: Int) {
        precondition(a.count == b.count, "columns of different lengths")
        var n = 0
        var sa = 0.0, sb = 0.0
        for i in 0..<a.count where a[i].isFinite && b[i].isFinite {
            n += 1
            sa += a[i]
            sb += b[i]
        }
        guard n >= 2 else { return (nil, n) }
        let ma = sa / Double(n), mb = sb / Double(n)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in 0..<a.count where a[i].isFinite && b[i].isFinite {
            let da = a[i] - ma, db = b[i] - mb
            sab += da * db
            saa += da * da
            sbb += db * db
        }
        return (finish(sab, saa, sbb), n)
    }

    /// A column prepared once for many pairings: its values, and when every value is finite its
    /// mean and centred sum of squares, so each pair of complete columns costs one pass that
    /// centres both sides as it multiplies (`centredDot`: the same operations, in the same
    /// order, as a dot product of the centred copies, without holding those copies — 8 bytes a
    /// row, where the values and a centred copy beside them took 16).
    public struct Column: Sendable {
        /// The values as given.
        public let values: [Double]
        /// Every value is finite.
        public let complete: Bool
        /// How many values the column has.
        public let count: Int
        let mean: Double
        let sumOfSquares: Double

        public init(_ values: [Double]) {
            count = values.count
            complete = values.allSatisfy(\.isFinite)
            if complete, values.count >= 2 {
                let m = Descriptive.mean(values)!
                mean = m
                sumOfSquares = Pearson.centredDot(values, m, values, m)
            } else {
                mean = 0
                sumOfSquares = 0
            }
            self.values = values
        }
    }

    /// r between two prepared columns (the fast path when both are complete).
    public static func coefficient(_ a: Column, _ b: Column) -> (r: Double?, count: Int) {
        guard a.complete, b.complete, a.count == b.count else { return coefficient(a.values, b.values) }
        let n = a.count
        guard n >= 2 else { return (nil, n) }
        return (finish(centredDot(a.values, a.mean, b.values, b.mean), a.sumOfSquares, b.sumOfSquares), n)
    }

    @inline(__always)
    static func finish(_ sab: Double, _ saa: Double, _ sbb: Double) -> Double? {
        guard saa > 0, sbb > 0 else { return nil }
        let r = sab / (saa * sbb).squareRoot()
        // numpy clips to [-1, 1] against rounding.
        return Swift.min(1, Swift.max(-1, r))
    }

    /// Σ (a[i] − ma)·(b[i] − mb) in four SIMD lanes of partial sums (two accumulators of four,
    /// then the tail in order): bit for bit the dot product of the centred copies
    /// `a.map { $0 - ma }` and `b.map { $0 - mb }` computed in those lanes, as `Pearson.Column`
    /// once did, without making the copies (PearsonColumnTests keeps that formula).
    static func centredDot(_ a: [Double], _ ma: Double, _ b: [Double], _ mb: Double) -> Double {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let n = Swift.min(pa.count, pb.count)
                guard n > 0, let ba = pa.baseAddress, let bb = pb.baseAddress else { return 0 }
                var acc0 = SIMD4<Double>(repeating: 0), acc1 = SIMD4<Double>(repeating: 0)
                let va = SIMD4<Double>(repeating: ma), vb = SIMD4<Double>(repeating: mb)
                var i = 0
                let ra = UnsafeRawPointer(ba), rb = UnsafeRawPointer(bb)
                while i + 8 <= n {
                    let x0 = ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) - va
                    let y0 = rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self) - vb
                    let x1 = ra.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self) - va
                    let y1 = rb.loadUnaligned(fromByteOffset: (i + 4) * 8, as: SIMD4<Double>.self) - vb
                    acc0 += x0 * y0
                    acc1 += x1 * y1
                    i += 8
                }
                var s = (acc0 + acc1).sum()
                while i < n {
                    s += (pa[i] - ma) * (pb[i] - mb)
                    i += 1
                }
                return s
            }
        }
    }
}
