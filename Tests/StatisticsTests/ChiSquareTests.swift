import Foundation
import Statistics
import Testing

@Suite("Chi-square and Z tests")
struct ChiSquareTests {

    @Test("chisquare goodness of fit against scipy (incl. zero expected -> inf, one category -> NaN p)")
    func goodnessOfFit() throws {
        let ref = try Reference.load("chisquare")
        for c in Reference.cases(ref, "goodness_of_fit") {
            let obs = numbers(c["observed"]), exp = numbers(c["expected"])
            let r = try #require(ChiSquare.goodnessOfFit(observed: obs, expected: exp))
            #expect(close(r.statistic, number(c["statistic"])), "stat \(obs) \(exp)")
            #expect(close(r.pValue, number(c["pvalue"])), "p \(obs) \(exp): \(r.pValue) vs \(number(c["pvalue"])!)")
            #expect(r.dof == c["dof"] as? Int)
        }
        let u = try #require(ref["uniform"] as? JSONObject)
        let r = try #require(ChiSquare.goodnessOfFit(observed: numbers(u["observed"])))
        #expect(close(r.statistic, number(u["statistic"])) && close(r.pValue, number(u["pvalue"])))
        #expect(ChiSquare.goodnessOfFit(observed: [1, 2], expected: [1, 3]) == nil)  // sums differ: scipy raises
        #expect(ChiSquare.goodnessOfFit(observed: [], expected: []) == nil)
    }

    @Test("chi2_contingency with and without Yates correction against scipy; invalid tables give nil")
    func contingency() throws {
        let ref = try Reference.load("chisquare")
        for c in Reference.cases(ref, "contingency") {
            let table = (c["table"] as? [Any] ?? []).map { numbers($0) }
            let correction = c["correction"] as? Bool ?? true
            let r = try #require(ChiSquare.contingency(table, correction: correction))
            #expect(close(r.statistic, number(c["statistic"])), "stat \(table) \(correction)")
            #expect(close(r.pValue, number(c["pvalue"])), "p \(table) \(correction)")
            #expect(r.dof == c["dof"] as? Int)
            let expected = (c["expected"] as? [Any] ?? []).map { numbers($0) }
            #expect(zip(r.expected, expected).allSatisfy { allClose($0, $1, rel: 1e-12) })
        }
        for c in (ref["contingency_invalid"] as? [Any] ?? []) {
            let table = (c as? [Any] ?? []).map { numbers($0) }
            #expect(ChiSquare.contingency(table) == nil, "\(table)")
        }
        #expect(ChiSquare.contingency([]) == nil)
        #expect(ChiSquare.contingency([[1, 2], [3]]) == nil)
    }

    @Test("Evidently chi-square drift test: unseen / missing categories, single category, tiny samples")
    func evidentlyChi() throws {
        let ref = try Reference.load("chisquare")
        for c in Reference.cases(ref, "evidently_chi") {
            let name = c["name"] as? String ?? "?"
            let r = try #require(ChiSquare.evidentlyDrift(referenceCategories: strings(c["reference"]),
                                                          currentCategories: strings(c["current"])), "\(name)")
            #expect(close(r.statistic, number(c["statistic"])), "stat \(name)")
            #expect(close(r.pValue, number(c["pvalue"])), "p \(name): \(r.pValue) vs \(number(c["pvalue"])!)")
            #expect(r.dof == c["dof"] as? Int, "dof \(name)")
            // The counts variant agrees with the label variant.
            let counts = CategoryCounts(reference: strings(c["reference"]), current: strings(c["current"]))
            let rc = try #require(ChiSquare.evidentlyDrift(referenceCounts: counts.reference, currentCounts: counts.current))
            #expect(close(rc.pValue, r.pValue, rel: 1e-12))
        }
        #expect(ChiSquare.evidentlyDrift(referenceCategories: [String](), currentCategories: ["a"]) == nil)
        // Integer codes work the same way as strings.
        let codes = ChiSquare.evidentlyDrift(referenceCategories: [0, 0, 1, 2], currentCategories: [0, 1, 1, 1])
        let labels = ChiSquare.evidentlyDrift(referenceCategories: ["a", "a", "b", "c"], currentCategories: ["a", "b", "b", "b"])
        #expect(codes == labels)
    }

    @Test("Evidently two-proportion Z-test against a transcription of z_stat_test")
    func evidentlyZ() throws {
        let ref = try Reference.load("chisquare")
        for c in Reference.cases(ref, "evidently_z") {
            let name = c["name"] as? String ?? "?"
            let r: ZTest.Result
            if let refInts = c["reference"] as? [Int], let curInts = c["current"] as? [Int] {
                r = try #require(ZTest.evidentlyTwoProportion(referenceCategories: refInts, currentCategories: curInts))
            } else {
                r = try #require(ZTest.evidentlyTwoProportion(referenceCategories: strings(c["reference"]),
                                                              currentCategories: strings(c["current"])))
            }
            #expect(close(r.statistic, number(c["statistic"])), "z \(name)")
            #expect(close(r.pValue, number(c["pvalue"]), rel: 1e-6, abs: 1e-12), "p \(name)")
        }
        #expect(ZTest.evidentlyTwoProportion(referenceCategories: [String](), currentCategories: ["a"]) == nil)
    }
}
