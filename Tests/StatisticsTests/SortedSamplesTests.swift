import Foundation
import Statistics
import Testing

/// The sorted-input variants give what their unsorted counterparts give (and so what the
/// reference libraries give) on every reference case; the radix sort orders like `sort()`.
@Suite("Sorted samples: radix sort, histograms, binning and distances on sorted input")
struct SortedSamplesTests {
    @Test("radix sort orders like the standard sort, incl. negatives, zeros, infinities, ties, subnormals")
    func radixSort() {
        var values = ReferenceData.uniforms(seed: 7, count: 50_000).map { ($0 - 0.5) * 1e6 }
        values += [0.0, -0.0, .infinity, -.infinity, Double.leastNormalMagnitude / 4, -Double.leastNormalMagnitude / 4, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        values += Array(repeating: 42.0, count: 1000)
        let expected = values.sorted()
        let sorted = SortedSamples.sorted(values)
        #expect(sorted.count == expected.count)
        #expect(zip(sorted, expected).allSatisfy { $0 == $1 })
        #expect(SortedSamples.isSorted(sorted))
        #expect(!SortedSamples.isSorted(values))
        // Small inputs go through the standard sort; values sharing high digits skip passes.
        #expect(SortedSamples.sorted([3, 1, 2]) == [1, 2, 3])
        let narrow = ReferenceData.uniforms(seed: 8, count: 10_000).map { 1000 + $0 }
        #expect(SortedSamples.sorted(narrow) == narrow.sorted())
    }

    @Test("distinct counts, value counts and mode share of sorted samples")
    func counts() {
        let a: [Double] = [1, 1, 2, 5, 5, 5], b: [Double] = [0, 2, 2, 7]
        #expect(SortedSamples.distinctCount(sorted: a) == 3)
        #expect(SortedSamples.distinctCount(sorted: a, sorted: b) == 5)
        let v = SortedSamples.valueCounts(sorted: a, sorted: b)
        #expect(v.values == [0, 1, 2, 5, 7])
        #expect(v.a == [0, 2, 1, 3, 0])
        #expect(v.b == [1, 0, 2, 0, 1])
        #expect(SortedSamples.modeShare(sorted: a) == 0.5)
        #expect(SortedSamples.modeShare(sorted: []) == nil)
        #expect(SortedSamples.distinctCount(sorted: [], sorted: []) == 0)
    }

    @Test("histogram of sorted values equals numpy.histogram counts (Histogram) on every reference case")
    func histogram() throws {
        let ref = try Reference.load("histogram")
        var checked = 0
        for c in Reference.cases(ref, "cases") {
            let values = sampleValues(c).filter { !$0.isNaN }
            for key in ["sturges_edges", "equal10_edges", "custom_edges"] {
                let edges = numbers(c[key])
                guard edges.count >= 2, let h = Histogram(values: values, edges: edges) else { continue }
                let s = try #require(SortedSamples.histogram(sorted: values.sorted(), edges: edges))
                #expect(s.counts == h.counts && s.below == h.below && s.above == h.above, "\(c["name"] ?? "?") \(key)")
                #expect(s.counts == integers(c[key.replacingOccurrences(of: "edges", with: "counts")]), "\(c["name"] ?? "?") \(key) numpy")
                checked += 1
            }
        }
        // Values on the edges, below, above, and a closed last bin.
        let edges: [Double] = [0, 1, 2, 3]
        let values: [Double] = [-1, 0, 0.5, 1, 1, 2.999, 3, 3, 4]
        let h = try #require(Histogram(values: values, edges: edges))
        let s = try #require(SortedSamples.histogram(sorted: values, edges: edges))
        #expect(s.counts == h.counts && s.counts == [2, 2, 3] && s.below == 1 && s.above == 1)
        #expect(SortedSamples.histogram(sorted: values, edges: [1]) == nil)
        #expect(checked >= 12)
    }

    @Test("sorted binning, PSI, Jensen–Shannon, normed Wasserstein and Hellinger match the reference cases")
    func driftOnSortedInput() throws {
        let ref = try Reference.load("drift")
        let cases = Reference.cases(ref, "numeric")
        #expect(cases.count >= 10)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let r = numbers(c["reference"]).filter { !$0.isNaN }, cur = numbers(c["current"]).filter { !$0.isNaN }
            let rs = SortedSamples.sorted(r), cs = SortedSamples.sorted(cur)
            for fill in [true, false] {
                let a = try #require(Binning.evidentlyNumeric(sortedReference: rs, sortedCurrent: cs, fillZeroes: fill), "\(name)")
                let b = try #require(Binning.evidentlyNumeric(reference: r, current: cur, fillZeroes: fill), "\(name)")
                #expect(a == b, "binning \(name) fill \(fill)")
            }
            let psi = Binning.evidentlyNumeric(sortedReference: rs, sortedCurrent: cs, fillZeroes: true)
                .flatMap { Distances.psi(referencePercents: $0.reference, currentPercents: $0.current) }
            #expect(close(psi, number(c["psi"])), "psi \(name)")
            #expect(close(Distances.wassersteinNormed(sortedReference: rs, sortedCurrent: cs), number(c["wasserstein_normed"])),
                    "wasserstein \(name)")
            #expect(close(Distances.hellinger(sortedReference: rs, sortedCurrent: cs), number(c["hellinger"])), "hellinger \(name)")
            #expect(Distances.hellinger(sortedReference: rs, sortedCurrent: cs) == Distances.hellinger(reference: r, current: cur),
                    "hellinger identical \(name)")
        }
        #expect(Binning.evidentlyNumeric(sortedReference: [], sortedCurrent: [1], fillZeroes: true) == nil)
        #expect(BinEdges.sturges(min: 0, max: .infinity, count: 3) == nil)
        #expect(BinEdges.sturges(min: 2, max: 2, count: 5) == BinEdges.sturges([2, 2, 2, 2, 2]))
    }

    /// -1.7e308 and 1.7e308 are finite but their distance is not: the Sturges bin count was
    /// inf / inf and converting it to Int crashed the compare stage (a CSV with those two values
    /// in a numeric feature, exit 132). numpy raises "Too many bins for data range"; the rules
    /// return nil and the binned distances are left out.
    @Test func binRulesRefuseARangeWhoseWidthIsNotFinite() {
        #expect(BinEdges.sturges(min: -1.7e308, max: 1.7e308, count: 3) == nil)
        #expect(BinEdges.sturges([-1.7e308, 0, 1.7e308]) == nil)
        #expect(BinEdges.equalWidth([-1.7e308, 1.7e308], count: 10) == nil)
        #expect(BinEdges.sturges(min: 0, max: 1.7e308, count: 3)?.count == 4)
        let reference = (0..<50).map { Double($0) }
        #expect(Binning.evidentlyNumeric(sortedReference: reference, sortedCurrent: [-1.7e308, 1.7e308], fillZeroes: true) == nil)
        #expect(Binning.evidentlyNumeric(reference: reference, current: [1.7e308, -1.7e308], fillZeroes: true) == nil)
    }

    @Test("Z-test from aligned counts equals the Z-test on the values")
    func zTestFromCounts() throws {
        let ref = try Reference.load("chisquare")
        var checked = 0
        for c in Reference.cases(ref, "evidently_z") {
            let r = strings(c["reference"]), cur = strings(c["current"])
            let counts = CategoryCounts(reference: r, current: cur)
            let order = counts.categories.indices.sorted { counts.categories[$0] < counts.categories[$1] }
            let z = ZTest.evidentlyTwoProportion(
                referenceCounts: order.map { counts.reference[$0] }, currentCounts: order.map { counts.current[$0] })
            #expect(z == ZTest.evidentlyTwoProportion(referenceCategories: r, currentCategories: cur), "\(c["name"] ?? "?")")
            checked += 1
        }
        #expect(checked >= 3)
        #expect(ZTest.evidentlyTwoProportion(referenceCounts: [0, 3], currentCounts: [0, 5]) == ZTest.evidentlyTwoProportion(
            referenceCategories: ["b", "b", "b"], currentCategories: ["b", "b", "b", "b", "b"]))
        #expect(ZTest.evidentlyTwoProportion(referenceCounts: [0, 0], currentCounts: [1, 0]) == nil)
    }

    @Test("Pearson's r against scipy.stats.pearsonr")
    func pearson() throws {
        let ref = try Reference.load("correlation")
        let cases = Reference.cases(ref, "cases")
        #expect(cases.count >= 7)
        for c in cases {
            let r = Pearson.coefficient(numbers(c["x"]), numbers(c["y"])).r
            #expect(close(r, number(c["r"]), rel: 1e-9), "\(c["name"] ?? "?"): \(String(describing: r))")
        }
        #expect(Pearson.coefficient([1], [2]).r == nil)
        #expect(Pearson.coefficient([1, 2, .nan], [1, 2, 3]) == (1, 2))
    }
}
