import Foundation
import Statistics
import Testing

@Suite("Descriptive statistics, quantiles and histograms")
struct DescriptiveTests {

    @Test("mean, std (ddof 1 and 0), skewness, min, max against numpy/scipy; quantiles bit-exact")
    func descriptiveAgainstNumpy() throws {
        let ref = try Reference.load("descriptive")
        let cases = Reference.cases(ref, "cases")
        #expect(cases.count >= 10)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let x = sampleValues(c)
            #expect(close(Descriptive.mean(x), number(c["mean"]), rel: 1e-9, abs: 1e-12), "mean \(name)")
            #expect(close(Descriptive.sampleStandardDeviation(x), number(c["std"]), rel: 1e-9, abs: 1e-12), "std \(name)")
            #expect(close(Descriptive.populationStandardDeviation(x), number(c["pstd"]), rel: 1e-9, abs: 1e-12), "pstd \(name)")
            #expect(close(Descriptive.skewness(x), number(c["skew"]), rel: 1e-9, abs: 1e-12), "skew \(name)")
            #expect(identical(Descriptive.min(x), number(c["min"])), "min \(name)")
            #expect(identical(Descriptive.max(x), number(c["max"])), "max \(name)")
            let sorted = x.sorted()
            let qs = numbers(c["qs"])
            let expected = numbers(c["quantiles"])
            let actual = try #require(Quantiles.quantiles(sorted: sorted, qs))
            for i in 0..<qs.count {
                #expect(identical(actual[i], expected[i]), "quantile \(qs[i]) of \(name): \(actual[i]) vs \(expected[i])")
            }
            #expect(identical(Quantiles.median(sorted: sorted), number(c["median"])), "median \(name)")
        }
    }

    @Test("degenerate descriptive inputs: empty, single value, constant column, NaN propagation")
    func degenerate() {
        #expect(Descriptive.mean([]) == nil)
        #expect(Descriptive.sampleStandardDeviation([1.0]) == nil)
        #expect(Descriptive.populationStandardDeviation([1.0]) == 0)
        #expect(Descriptive.skewness([1.0, 2.0]) == nil)
        #expect(Descriptive.skewness([4.2, 4.2, 4.2, 4.2]) == nil)
        #expect(Descriptive.mean([1, .nan, 3])!.isNaN)
        #expect(Descriptive.min([1, .nan, 3])!.isNaN)
        #expect(Descriptive.mean(Descriptive.droppingNaN([1, .nan, 3])) == 2)
        #expect(Quantiles.quantile(sorted: [], 0.5) == nil)
        #expect(Quantiles.quantile(sorted: [1, 2], 1.5) == nil)
        #expect(Quantiles.quantile(sorted: [7], 0.3) == 7)
        #expect(Descriptive.sum([1e16, 1, -1e16]) == 1)
        let s = Descriptive.summary([1, 2, 3, 4])
        #expect(s?.count == 4 && s?.mean == 2.5 && s?.min == 1 && s?.max == 4)
    }

    @Test("histogram counts and bin edges (sturges, 10 equal bins, custom edges) against numpy")
    func histograms() throws {
        let ref = try Reference.load("histogram")
        for c in Reference.cases(ref, "cases") {
            let name = c["name"] as? String ?? "?"
            let x = numbers(c["values"])
            let sturges = try #require(BinEdges.sturges(x))
            let expectedSturges = numbers(c["sturges_edges"])
            #expect(sturges.count == expectedSturges.count, "sturges bin count \(name)")
            #expect(zip(sturges, expectedSturges).allSatisfy { identical($0, $1) }, "sturges edges \(name)")
            let h = try #require(Histogram(values: x, edges: expectedSturges))
            #expect(h.counts == integers(c["sturges_counts"]), "sturges counts \(name)")
            #expect(allClose(h.density, numbers(c["sturges_density"]), rel: 1e-12), "density \(name)")
            let eq = try #require(BinEdges.equalWidth(x, count: 10))
            #expect(zip(eq, numbers(c["equal10_edges"])).allSatisfy { identical($0, $1) }, "equal edges \(name)")
            let heq = try #require(Histogram(values: x, edges: eq))
            #expect(heq.counts == integers(c["equal10_counts"]), "equal counts \(name)")
            let custom = try #require(Histogram(values: x, edges: numbers(c["custom_edges"])))
            #expect(custom.counts == integers(c["custom_counts"]), "custom counts \(name)")
            #expect(custom.below == (c["custom_below"] as? Int), "below \(name)")
            #expect(custom.above == (c["custom_above"] as? Int), "above \(name)")
        }
    }

    @Test("histogram edge semantics: last bin closed, NaN and out-of-range counted apart")
    func histogramSemantics() throws {
        let h = try #require(Histogram(values: [0, 1, 2, 3, 3, -1, 4, .nan], edges: [0, 1, 2, 3]))
        #expect(h.counts == [1, 1, 3])
        #expect(h.below == 1 && h.above == 1 && h.nan == 1)
        #expect(Histogram(values: [1], edges: [1]) == nil)
        #expect(Histogram(values: [1], edges: [2, 1]) == nil)
        #expect(BinEdges.sturges([]) == nil)
        #expect(BinEdges.sturges([5, 5, 5]) == [4.5, 5.5])
    }
}
