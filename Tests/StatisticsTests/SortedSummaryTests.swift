import Testing

@testable import Statistics

/// The profiling fast paths give exactly what the general functions give.
@Suite("Sorted summaries")
struct SortedSummaryTests {
    /// Deterministic values over many magnitudes and both signs, with ties and signed zeros.
    static func values(_ n: Int, seed: UInt64) -> [Double] {
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<n).map { i in
            let u = Double(next() >> 11) * 0x1.0p-53
            switch i % 7 {
            case 0: return (u - 0.5) * 1e6
            case 1: return (u - 0.5) * 1e-6
            case 2: return Double(Int(u * 10))
            case 3: return i % 2 == 0 ? 0.0 : -0.0
            case 4: return -u * 1e300
            default: return u * 100 - 20
            }
        }
    }

    @Test(arguments: [0, 1, 100, 511, 512, 20_000])
    func radixSortIsASort(n: Int) {
        var a = Self.values(n, seed: UInt64(n))
        let expected = a.sorted()
        Sorting.radixSort(&a)
        #expect(a.count == expected.count)
        #expect(zip(a, expected).allSatisfy { $0 == $1 }, "same values in the same order (0 and -0 compare equal)")
        #expect(zip(a, a.dropFirst()).allSatisfy { $0.0 <= $0.1 })
    }

    @Test(arguments: [1, 2, 3, 10, 5_000])
    func momentsAreBitIdenticalToTheSeparateFunctions(n: Int) throws {
        let a = Self.values(n, seed: 7).map { $0 / 1e290 + 3 }
        let m = try #require(Descriptive.moments(a))
        #expect(m.mean == Descriptive.mean(a))
        #expect(m.variance == Descriptive.variance(a, ddof: 1))
        #expect(m.skewness == Descriptive.skewness(a))
        #expect(Descriptive.moments([]) == nil)
        #expect(Descriptive.moments([4, 4, 4])?.skewness == nil)
    }

    @Test func histogramOnSortedValuesEqualsTheGeneralCount() throws {
        var a = Self.values(10_000, seed: 3).filter { abs($0) < 1e5 }
        a.sort()
        let edges = BinEdges.linspace(-50, 80, 21) + []
        let fast = try #require(Histogram(sorted: a, edges: edges))
        let general = try #require(Histogram(values: a, edges: edges))
        #expect(fast == general)
        // Values exactly on edges, and repeated edges (the general path).
        let onEdges = [-1.0, 0, 0, 1, 1, 2, 2, 3]
        #expect(Histogram(sorted: onEdges, edges: [0, 1, 2]) == Histogram(values: onEdges, edges: [0, 1, 2]))
        #expect(Histogram(sorted: onEdges, edges: [0, 1, 1, 2]) == Histogram(values: onEdges, edges: [0, 1, 1, 2]))
        #expect(Histogram(sorted: onEdges, edges: [0]) == nil)
    }

    /// The ROC / precision-recall curve from the two radix-sorted classes is the curve of the
    /// stable comparison sort, count for count (ties, signed zeros, infinities, one class only).
    @Test(arguments: [1, 2, 7, 1_000, 20_000])
    func binaryCurveEqualsTheComparisonSortCurve(n: Int) {
        var scores = Self.values(n, seed: UInt64(n) &+ 11)
        if n > 5 { scores[1] = .infinity; scores[2] = -.infinity; scores[3] = 0.0; scores[4] = -0.0 }
        let labels = scores.indices.map { (($0 &* 2_654_435_761) >> 7) % 3 == 0 ? 1 : 0 }
        for y in [labels, labels.map { _ in 1 }, labels.map { _ in 0 }] {
            let fast = ClassificationMetrics.binaryClassificationCurve(yTrue: y, scores: scores, positiveLabel: 1)
            let reference = ClassificationMetrics.comparisonCurve(yTrue: y, scores: scores, positiveLabel: 1)
            #expect(fast.fps == reference.fps)
            #expect(fast.tps == reference.tps)
        }
        // A NaN score takes the comparison path.
        let withNaN = [0.3, .nan, 0.3, 0.9]
        #expect(ClassificationMetrics.binaryClassificationCurve(yTrue: [1, 0, 0, 1], scores: withNaN, positiveLabel: 1).tps
            == ClassificationMetrics.comparisonCurve(yTrue: [1, 0, 0, 1], scores: withNaN, positiveLabel: 1).tps)
    }

    /// `Sorting.stableOrder` is the permutation of the comparison sort by (value, index) that
    /// CBPE's ROC AUC walks: many ties, signed zeros (equal for `<`), infinities; nil with a NaN.
    @Test(arguments: [0, 1, 2, 600, 20_000])
    func stableOrderIsTheComparisonSortPermutation(n: Int) {
        var values = Self.values(n, seed: UInt64(n) &+ 5)
        // Ties: a third of the values rounded to two decimals.
        for i in stride(from: 0, to: n, by: 3) { values[i] = (values[i] * 100).rounded() / 100 }
        if n > 8 { values[1] = .infinity; values[2] = -.infinity; values[3] = 0.0; values[4] = -0.0; values[5] = 0.0; values[6] = -0.0 }
        let reference = (0..<n).sorted { a, b in values[a] != values[b] ? values[a] < values[b] : a < b }
        #expect(Sorting.stableOrder(values) == reference)
        #expect(Sorting.stableOrder([0.3, .nan, 0.1]) == nil)
    }
}
