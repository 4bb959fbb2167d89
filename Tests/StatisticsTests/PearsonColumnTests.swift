import Testing
import TestSupport

@testable import Statistics

/// `Pearson.Column` no longer keeps a centred copy of each column (the baseline profile's
/// correlations held the values and the copy, 16 bytes a row per numeric feature, when any
/// column had a missing value): pairs of complete columns are centred as they are multiplied.
/// That must give the very numbers the centred copies gave, bit for bit, so the reports and
/// the stored correlations do not change.
@Suite("Pearson's prepared columns")
struct PearsonColumnTests {
    /// The dot product `Pearson.Column` used over its centred copies before they were dropped
    /// (four SIMD lanes of partial sums in two accumulators, then the tail in order): the
    /// reference the fused `centredDot` must equal bit for bit.
    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        let n = min(a.count, b.count)
        var acc0 = SIMD4<Double>(repeating: 0), acc1 = SIMD4<Double>(repeating: 0)
        var i = 0
        while i + 8 <= n {
            acc0 += SIMD4(a[i..<i + 4]) * SIMD4(b[i..<i + 4])
            acc1 += SIMD4(a[i + 4..<i + 8]) * SIMD4(b[i + 4..<i + 8])
            i += 8
        }
        var s = (acc0 + acc1).sum()
        while i < n {
            s += a[i] * b[i]
            i += 1
        }
        return s
    }

    @Test func centringWhileMultiplyingEqualsTheCentredCopiesBitForBit() {
        var g = SeededRandom(seed: 42)
        for n in [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 1_000, 1_003, 65_541] {
            let a = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) * 200 - 50 }
            let b = (0..<n).map { i in Double(i % 7) * 1e6 + Double.random(in: 0..<1, using: &g) }
            let ma = n == 0 ? 0 : a.reduce(0, +) / Double(n), mb = n == 0 ? 0 : b.reduce(0, +) / Double(n)
            let ca = a.map { $0 - ma }, cb = b.map { $0 - mb }
            #expect(Pearson.centredDot(a, ma, b, mb).bitPattern == Self.dot(ca, cb).bitPattern, "n = \(n)")
            #expect(Pearson.centredDot(a, ma, a, ma).bitPattern == Self.dot(ca, ca).bitPattern, "n = \(n)")
        }
    }

    @Test func preparedColumnsGiveTheNumbersTheCentredCopiesGave() {
        var g = SeededRandom(seed: 7)
        let n = 10_007
        let x = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) * 10 }
        let y = x.map { $0 * 0.3 + Double.random(in: 0..<1, using: &g) }
        let z = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) < 0.5 ? 0.0 : 1.0 }
        for (a, b) in [(x, y), (x, z), (y, z), (x, x)] {
            let pa = Pearson.Column(a), pb = Pearson.Column(b)
            // The formula before: means by Descriptive.mean, centred copies, dot products.
            let ma = Descriptive.mean(a)!, mb = Descriptive.mean(b)!
            let ca = a.map { $0 - ma }, cb = b.map { $0 - mb }
            let before = Pearson.finish(Self.dot(ca, cb), Self.dot(ca, ca), Self.dot(cb, cb))
            let (r, count) = Pearson.coefficient(pa, pb)
            #expect(count == n)
            #expect(r?.bitPattern == before?.bitPattern)
            // And the pairwise formula (scipy's, tested against it elsewhere) within rounding.
            #expect(abs(r! - Pearson.coefficient(a, b).r!) < 1e-12)
        }
        // A column with a missing value keeps its values for the pairwise path.
        var w = y
        w[3] = .nan
        let pw = Pearson.Column(w)
        #expect(!pw.complete && pw.values.count == n)
        #expect(Pearson.coefficient(Pearson.Column(x), pw) == Pearson.coefficient(x, w))
    }
}
