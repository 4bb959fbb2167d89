import Foundation
import Statistics
import Testing

@Suite("Special functions and distributions")
struct SpecialFunctionTests {

    @Test("regularized incomplete gamma P and Q against scipy gammainc/gammaincc")
    func incompleteGamma() throws {
        let ref = try Reference.load("special")
        for c in Reference.cases(ref, "gamma") {
            let a = number(c["a"])!, x = number(c["x"])!
            #expect(close(SpecialFunctions.regularizedGammaP(a, x), number(c["p"]), rel: 1e-9), "P(\(a), \(x))")
            #expect(close(SpecialFunctions.regularizedGammaQ(a, x), number(c["q"]), rel: 1e-9), "Q(\(a), \(x))")
        }
        for c in Reference.cases(ref, "lgamma") {
            let x = number(c["x"])!
            #expect(close(SpecialFunctions.logGamma(x), number(c["v"]), rel: 1e-12), "lgamma(\(x))")
        }
    }

    @Test("chi-square sf/cdf and normal cdf/sf against scipy")
    func chiSquareAndNormal() throws {
        let ref = try Reference.load("special")
        for c in Reference.cases(ref, "chi2") {
            let k = number(c["dof"])!, x = number(c["x"])!
            #expect(close(Distributions.chiSquareSF(x, dof: k), number(c["sf"]), rel: 1e-9), "chi2.sf(\(x), \(k))")
            #expect(close(Distributions.chiSquareCDF(x, dof: k), number(c["cdf"]), rel: 1e-9), "chi2.cdf(\(x), \(k))")
        }
        for c in Reference.cases(ref, "normal") {
            let x = number(c["x"])!
            #expect(close(Distributions.normalCDF(x), number(c["cdf"]), rel: 1e-12), "norm.cdf(\(x))")
            #expect(close(Distributions.normalSF(x), number(c["sf"]), rel: 1e-12), "norm.sf(\(x))")
        }
        #expect(Distributions.chiSquareSF(1, dof: 0).isNaN)
    }

    @Test("Kolmogorov limiting distribution (kstwobign) and one-sided Smirnov against scipy")
    func kolmogorovAndSmirnov() throws {
        let ref = try Reference.load("special")
        for c in Reference.cases(ref, "kolmogorov") {
            let x = number(c["x"])!
            #expect(close(Kolmogorov.limitingSF(x), number(c["sf"]), rel: 1e-12), "kstwobign.sf(\(x))")
            #expect(close(Kolmogorov.limitingCDF(x), number(c["cdf"]), rel: 1e-12), "kstwobign.cdf(\(x))")
        }
        for c in Reference.cases(ref, "smirnov") {
            let n = c["n"] as! Int, x = number(c["x"])!
            #expect(close(Kolmogorov.smirnovSF(n: n, x), number(c["sf"]), rel: 1e-8), "smirnov(\(n), \(x))")
            #expect(close(Kolmogorov.smirnovCDF(n: n, x), number(c["cdf"]), rel: 1e-8), "smirnovc(\(n), \(x))")
        }
    }

    @Test("exact finite-n Kolmogorov distribution (kstwo sf/cdf) over every method branch")
    func kstwo() throws {
        let ref = try Reference.load("special")
        let cases = Reference.cases(ref, "kstwo")
        #expect(cases.count > 300)
        for c in cases {
            let n = c["n"] as! Int, d = number(c["d"])!
            #expect(close(Kolmogorov.sf(d, n: n), number(c["sf"]), rel: 1e-6), "kstwo.sf(\(d), \(n)) = \(Kolmogorov.sf(d, n: n)) vs \(number(c["sf"])!)")
            #expect(close(Kolmogorov.cdf(d, n: n), number(c["cdf"]), rel: 1e-6), "kstwo.cdf(\(d), \(n)) = \(Kolmogorov.cdf(d, n: n)) vs \(number(c["cdf"])!)")
        }
    }
}
