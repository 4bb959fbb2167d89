import AuditModel
import Foundation
import Testing
import TestSupport

/// Issue 11 (j, l): a completed day's summary.json is read back with the one decoder that
/// understands inf/NaN, and the drifted-features card is badged by feature drift only.
@Suite("Summary read back")
struct SummaryReadBackTests {
    /// Rows of the tiny pipeline with `transform` applied to each split data line.
    static func csv(_ count: Int, day: String, _ transform: (inout [Substring], Int) -> Void) -> String {
        let lines = TinyPipeline.csv(count, day: day).split(separator: "\n").map(String.init)
        var out = [lines[0]]
        for (i, line) in lines.dropFirst().enumerated() {
            var f = line.split(separator: ",", omittingEmptySubsequences: false)
            transform(&f, i)
            out.append(f.joined(separator: ","))
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// (l) A new category makes Evidently's χ² (`method: chi2`) infinite; re-running the
    /// completed day reads that summary back and prints its status line, not "failed at ?:"
    /// with exit 0.
    @Test func rerunOfADayWithAnInfiniteStatisticReadsItsSummary() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: ".").replacingOccurrences(
            of: "      allowed: [red, green, blue]\n", with: "      allowed: [red, green, blue]\n      drift: {method: chi2}\n"))
        dir.write("baseline.csv", TinyPipeline.csv(90, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", Self.csv(60, day: "2026-02-01") { f, i in if i % 2 == 0 { f[4] = "purple" } })
        let first = try BuiltExecutable.run(["run", "tiny.yaml", "--date", "2026-02-01"], in: dir.path)
        let summary = try #require(dir.read("reports/tiny/2026-02-01/v1/summary.json"))
        #expect(summary.contains("\"inf\""), "the fixture must hold an infinite statistic")
        let decoded = try SummaryJSON.decode(AuditSummary.self, from: Data(summary.utf8))
        #expect(decoded.status == .critical)
        let again = try BuiltExecutable.run(["run", "tiny.yaml", "--date", "2026-02-01"], in: dir.path)
        #expect(!again.stdout.contains("failed at"), "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.hasPrefix("tiny 2026-02-01 critical v1 (unchanged)"), "\(again.stdout)")
        #expect(again.status == first.status)
        #expect(again.status == 1)
    }

    /// (j) Only the target drifted: the card says 0 features drifted and is badged OK.
    @Test func targetDriftAloneDoesNotBadgeTheDriftedFeaturesCard() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("baseline.csv", TinyPipeline.csv(300, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", Self.csv(300, day: "2026-02-01") { f, _ in f[8] = "1" })
        _ = try BuiltExecutable.run(["run", "tiny.yaml", "--date", "2026-02-01"], in: dir.path)
        let summary = try SummaryJSON.decode(
            AuditSummary.self, from: Data(try #require(dir.read("reports/tiny/2026-02-01/v1/summary.json")).utf8))
        #expect(summary.findings.contains { $0.check == "drift.target" && $0.severity >= .warning })
        #expect(!summary.findings.contains { $0.check == "drift.feature" })
        let md = try #require(dir.read("reports/tiny/2026-02-01/v1/report.md"))
        let card = md.split(separator: "\n").first { $0.hasPrefix("| Drifted features |") }
        #expect(card?.hasPrefix("| Drifted features | 0 of 4 |") == true, "\(card ?? "")")
        #expect(card?.hasSuffix("| OK |") == true, "\(card ?? "")")
    }
}
