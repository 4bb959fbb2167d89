import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Compare

/// Issue 11 (c): a model served at 0.7 audited with the definition's 0.5 is configuration
/// debt (`debt.threshold_not_served`), and with the served threshold in the definition the
/// realized metrics judge the served decisions.
@Suite("Served threshold")
struct ServedThresholdTests {
    /// The tiny rows with the prediction served at `threshold` (the target as the tiny rows have it).
    static func served(at threshold: Double, day: String) -> String {
        Scenario.csv(300, day: day) { _, f in f[7] = Double(f[6])! >= threshold ? "1" : "0" }
    }

    @Test func aModelServedAtAnotherThresholdIsConfigurationDebt() throws {
        let s = Scenario()
        let out = try s.run(baseline: Self.served(at: 0.7, day: "2026-01-01"), days: [("2026-02-01", Self.served(at: 0.7, day: "2026-02-01"))])
        // Scores are (13 i mod 100) / 100: the 60 rows with a score in [0.5, 0.7) differ.
        let f = try #require(out.findings("debt.threshold_not_served").first)
        #expect(f.severity == .warning && f.column == "pred")
        #expect(f.message == "20% of today's predictions (60 of 300) differ from score ≥ 0.5 (20% on the baseline): the model is not served at the definition's threshold, and realized metrics and CBPE judge decisions it did not make; score ≥ 0.7 reproduces 100% of them")
        #expect(out.findings("debt.threshold_mismatch").isEmpty, "not new against the baseline")
    }

    @Test func theServedThresholdInTheDefinitionIsQuietAndJudgesTheServedDecisions() throws {
        var s = Scenario()
        s.replacing = ("    score: score\n", "    score: score\n    threshold: 0.7\n")
        let day = Self.served(at: 0.7, day: "2026-02-01")
        let out = try s.run(baseline: Self.served(at: 0.7, day: "2026-01-01"), days: [("2026-02-01", day)])
        #expect(out.findings("debt.threshold_not_served").isEmpty && out.findings("debt.threshold_mismatch").isEmpty)
        // Realized accuracy is the share of rows whose served prediction equals the label.
        let rows = day.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let expected = Double(rows.filter { $0[7] == $0[8] }.count) / Double(rows.count)
        #expect(out.metric("accuracy")?.current == expected)
    }

    /// A small disagreement (rounded scores at the threshold) stays below the 2 % default.
    @Test func aFewDisagreeingRowsAreNotDebt() throws {
        let s = Scenario()
        let day = Scenario.csv(300, day: "2026-02-01") { i, f in if i < 3 { f[7] = f[7] == "1" ? "0" : "1" } }
        let out = try s.run(baseline: Scenario.csv(300, day: "2026-01-01"), days: [("2026-02-01", day)])
        #expect(out.findings("debt.threshold_not_served").isEmpty)
    }
}
