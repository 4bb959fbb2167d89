// Group fairness metrics against Fairlearn 0.15 and Wilson intervals against statsmodels
// (Reference/fairness.json, written by scripts/reference/fairness_reference.py).

import Foundation
import Statistics
import Testing

@Suite("Group fairness against Fairlearn and statsmodels")
struct GroupFairnessTests {
    func within(_ a: Double?, _ e: Double?, _ what: String) {
        guard let a, let e else {
            Issue.record("\(what): missing value (\(String(describing: a)) vs \(String(describing: e)))")
            return
        }
        #expect(abs(a - e) <= 1e-9, "\(what): \(a) vs \(e)")
    }

    @Test func perGroupRatesAndIntervalsMatchMetricFrameAndStatsmodels() throws {
        let doc = try Reference.load("fairness")
        let cases = Reference.cases(doc, "cases")
        #expect(cases.count == 3)
        for c in cases {
            let y = integers(c["y_true"]), p = integers(c["y_pred"]), g = strings(c["group"])
            var counts: [String: GroupFairness.Counts] = [:]
            for i in 0..<y.count { counts[g[i], default: .init()].add(decision: p[i], truth: y[i]) }
            var selection: [Double] = [], tpr: [Double] = [], fpr: [Double] = []
            for e in Reference.cases(c, "groups") {
                let name = "\(e["value"]!)"
                let counted = try #require(counts[name])
                #expect(counted.rows == integers([e["rows"]!]).first)
                #expect(counted.tp == (e["tp"] as? NSNumber)?.intValue)
                let r = GroupFairness.GroupRates(counted)
                for (key, rate) in [("selection_rate", r.selectionRate), ("true_positive_rate", r.truePositiveRate),
                                    ("false_positive_rate", r.falsePositiveRate), ("precision", r.precision),
                                    ("accuracy", r.accuracy)] {
                    within(rate?.value, number(e[key]), "\(name) \(key)")
                    let ci = numbers(e[key + "_ci"])
                    within(rate?.lower, ci.first, "\(name) \(key) lower")
                    within(rate?.upper, ci.last, "\(name) \(key) upper")
                }
                selection.append(r.selectionRate!.value)
                tpr.append(r.truePositiveRate!.value)
                fpr.append(r.falsePositiveRate!.value)
            }
            within(GroupFairness.demographicParityDifference(selectionRates: selection),
                   number(c["demographic_parity_difference"]), "demographic parity difference")
            within(GroupFairness.demographicParityRatio(selectionRates: selection),
                   number(c["demographic_parity_ratio"]), "demographic parity ratio")
            within(GroupFairness.equalizedOddsDifference(truePositiveRates: tpr, falsePositiveRates: fpr),
                   number(c["equalized_odds_difference"]), "equalized odds difference")
            within(GroupFairness.equalOpportunityDifference(truePositiveRates: tpr),
                   number(c["equal_opportunity_difference"]), "equal opportunity difference")
        }
    }

    @Test func noTrialsHaveNoRate() {
        #expect(GroupFairness.wilson(successes: 0, trials: 0) == nil)
        var c = GroupFairness.Counts()
        c.add(decision: 1, truth: nil)
        let r = GroupFairness.GroupRates(c)
        #expect(r.selectionRate?.value == 1)
        #expect(r.truePositiveRate == nil && r.accuracy == nil)
    }
}
