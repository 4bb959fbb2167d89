import Foundation
import Testing

@testable import Statistics

/// `Binomial.upperTail` against `scipy.stats.binom.sf(k - 1, n, p)`
/// (scripts/reference/binomial_reference.py → Reference/binomial.json).
@Suite("Binomial upper tail")
struct BinomialTests {
    @Test func upperTailMatchesScipy() throws {
        let object = try Reference.load("binomial")
        let cases = Reference.cases(object, "cases")
        #expect(cases.count >= 30)
        for c in cases {
            let k = (c["k"] as? NSNumber)?.intValue ?? -1, n = (c["n"] as? NSNumber)?.intValue ?? -1
            let p = try #require(number(c["p"])), want = try #require(number(c["sf"]))
            let got = Binomial.upperTail(atLeast: k, trials: n, probability: p)
            // log Γ(n + 1) near 1.4e7 for n = 10⁶ carries an absolute error of a few 1e-9, so
            // the terms (and scipy's own) agree to about that relative precision.
            #expect(close(got, want, rel: 1e-7, abs: 1e-300), "P(X ≥ \(k) | n \(n), p \(p)): \(got) vs scipy \(want)")
        }
    }

    @Test func outsideTheDomainIsNaN() {
        #expect(Binomial.upperTail(atLeast: 1, trials: -1, probability: 0.5).isNaN)
        #expect(Binomial.upperTail(atLeast: 1, trials: 10, probability: 1.5).isNaN)
        #expect(Binomial.upperTail(atLeast: 1, trials: 10, probability: .nan).isNaN)
    }
}
