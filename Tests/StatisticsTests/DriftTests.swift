import Foundation
import Statistics
import Testing

@Suite("Drift distances: binning, PSI, Jensen–Shannon, Wasserstein, Hellinger, Anderson–Darling")
struct DriftTests {

    /// Numeric cases: shifted, identical distributions, few distinct values (one bin per value),
    /// exactly 20 vs 21 distinct reference values (the rule's boundary), single-valued columns,
    /// empty bins (zero filling), tiny samples, heavy tails, and NaNs present (dropped).
    @Test("numeric columns against Evidently/scipy")
    func numeric() throws {
        let ref = try Reference.load("drift")
        let cases = Reference.cases(ref, "numeric")
        #expect(cases.count >= 10)
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let r = numbers(c["reference"]), cur = numbers(c["current"])
            let b = try #require(Binning.evidentlyNumeric(reference: r, current: cur, fillZeroes: true), "\(name)")
            #expect(allClose(b.reference, numbers(c["binned_reference"]), rel: 1e-12), "binned ref \(name)")
            #expect(allClose(b.current, numbers(c["binned_current"]), rel: 1e-12), "binned cur \(name)")
            if c["bins"] is NSNull || c["bins"] == nil {
                #expect(b.edges == nil, "bins \(name)")
            } else {
                #expect(allClose(b.edges, numbers(c["bins"]), rel: 0, abs: 0), "bins \(name)")
            }
            #expect(close(Distances.psi(reference: r, current: cur), number(c["psi"])), "psi \(name)")
            #expect(close(Distances.jensenShannon(reference: r, current: cur), number(c["jensenshannon"])), "js \(name)")
            #expect(close(Distances.wasserstein(r, cur), number(c["wasserstein"])), "wd \(name)")
            #expect(close(Distances.wassersteinNormed(reference: r, current: cur), number(c["wasserstein_normed"])),
                    "wd normed \(name)")
            #expect(close(Distances.hellinger(reference: r, current: cur), number(c["hellinger"])), "hellinger \(name)")
            let ad = AndersonDarling.kSample([r, cur])
            if let stat = number(c["anderson_statistic"]) {
                let a = try #require(ad, "anderson \(name)")
                #expect(close(a.statistic, stat), "anderson stat \(name): \(a.statistic) vs \(stat)")
                #expect(close(a.pValue, number(c["anderson_pvalue"])), "anderson p \(name)")
                #expect(allClose(a.criticalValues, numbers(c["anderson_critical"]), rel: 1e-12), "anderson crit \(name)")
            } else {
                #expect(ad == nil, "anderson undefined \(name)")
            }
        }
    }

    /// Categorical cases: same, shifted, a category unseen in reference, a category missing
    /// from current, a single category, and a rare category (zero-fill switches to min/1e6).
    @Test("categorical columns against Evidently")
    func categorical() throws {
        let ref = try Reference.load("drift")
        for c in Reference.cases(ref, "categorical") {
            let name = c["name"] as? String ?? "?"
            let r = strings(c["reference"]), cur = strings(c["current"])
            #expect(close(Distances.psi(referenceCategories: r, currentCategories: cur), number(c["psi"])), "psi \(name)")
            #expect(close(Distances.jensenShannon(referenceCategories: r, currentCategories: cur), number(c["jensenshannon"])),
                    "js \(name)")
            #expect(close(Distances.hellinger(referenceCategories: r, currentCategories: cur), number(c["hellinger"])),
                    "hellinger \(name)")
            let counts = CategoryCounts(reference: r, current: cur)
            #expect(close(Distances.psi(referenceCounts: counts.reference, currentCounts: counts.current), number(c["psi"])),
                    "psi counts \(name)")
            #expect(close(Distances.jensenShannon(referenceCounts: counts.reference, currentCounts: counts.current),
                          number(c["jensenshannon"])), "js counts \(name)")
        }
    }

    @Test("raw Jensen–Shannon and k-sample Anderson–Darling against scipy")
    func raw() throws {
        let ref = try Reference.load("drift")
        for c in Reference.cases(ref, "jensenshannon_raw") {
            let p = numbers(c["p"]), q = numbers(c["q"])
            #expect(close(Distances.jensenShannon(p, q), number(c["js"])), "js \(p) \(q)")
        }
        for c in Reference.cases(ref, "anderson_ksample") {
            let samples = (c["samples"] as? [Any] ?? []).map { numbers($0) }
            let a = try #require(AndersonDarling.kSample(samples))
            #expect(close(a.statistic, number(c["statistic"])))
            #expect(close(a.pValue, number(c["pvalue"])))
            #expect(allClose(a.criticalValues, numbers(c["critical"]), rel: 1e-12))
        }
    }

    @Test("degenerate drift inputs: empty sides give nil, zero filling rule")
    func degenerate() {
        #expect(Distances.psi(reference: [], current: [1]) == nil)
        #expect(Distances.psi(reference: [.nan, .nan], current: [1]) == nil)
        #expect(Distances.wassersteinNormed(reference: [1], current: []) == nil)
        #expect(Distances.hellinger(referenceCategories: [String](), currentCategories: ["a"]) == nil)
        #expect(AndersonDarling.kSample([[1, 1], [1]]) == nil)
        #expect(AndersonDarling.kSample([[1, 2]]) == nil)
        #expect(Binning.fillZeroes([0.5, 0, 0.5]) == [0.5, 0.0001, 0.5])
        #expect(Binning.fillZeroes([0.00005, 0, 0.99995]) == [0.00005, 0.00005 / 1_000_000, 0.99995])
        // identical samples: every distance is 0
        let x = ReferenceData.uniforms(seed: 3, count: 500)
        #expect(Distances.psi(reference: x, current: x) == 0)
        #expect(Distances.wasserstein(x, x) == 0)
        #expect(Distances.jensenShannon(reference: x, current: x) == 0)
    }
}
