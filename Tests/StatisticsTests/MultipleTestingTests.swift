import Foundation
import Testing

@testable import Statistics

/// Benjamini–Hochberg adjusted p-values against statsmodels' `multipletests(method="fdr_bh")`
/// (scripts/reference/multiple_testing_reference.py).
@Suite("Multiple testing")
struct MultipleTestingTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var p_values: [Double]
            var adjusted: [Double]
            var reject_at_0_05: [Bool]
        }
        var statsmodels: String
        var cases: [Case]
    }

    @Test func benjaminiHochbergMatchesStatsmodels() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/multiple_testing.json")
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        #expect(f.cases.count >= 6)
        for c in f.cases {
            let got = MultipleTesting.benjaminiHochberg(c.p_values)
            #expect(got.count == c.adjusted.count)
            for (i, (g, want)) in zip(got, c.adjusted).enumerated() {
                #expect(abs(g - want) <= 1e-15 + 1e-12 * want, "\(c.name)[\(i)]: \(g) vs statsmodels \(want)")
                #expect((g <= 0.05) == c.reject_at_0_05[i], "\(c.name)[\(i)]")
            }
        }
    }

    @Test func nanIsLeftOutOfTheFamily() {
        let got = MultipleTesting.benjaminiHochberg([0.01, .nan, 0.04])
        #expect(got[1].isNaN)
        #expect(got[0] == 0.02 && got[2] == 0.04)
    }
}
