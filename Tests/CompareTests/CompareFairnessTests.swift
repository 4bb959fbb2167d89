import AuditModel
import Definition
import Foundation
import Ingest
import Profile
import Statistics
import Testing
import TestSupport
import Warehouse

@testable import Compare

/// Fairness through the compare stage: groups read from the rows, findings only when a gap
/// is beyond the threshold and sampling noise, small groups listed but not judged.
@Suite("Compare stage: fairness")
struct CompareFairnessTests {
    static let yaml = """
        name: fair
        model: {name: m, version: "1"}
        baseline: {path: baseline.csv}
        snapshots: {path: "days/{date}.csv"}
        schema:
          id: id
          prediction: {column: pred, kind: binary, score: score}
          target: y
          features:
            - {name: x, type: numeric}
            - {name: sex, type: integer}
            - {name: region, type: categorical}
        fairness:
          attributes:
            - column: sex
            - column: region
              reference_group: north
        warehouse: fair.sqlite
        """

    /// Rows with groups sex 0/1 (half each), region north/south and a tiny "isle" (20 rows);
    /// `collapse` makes the score miss most positives of sex = 1.
    static func rows(seed: UInt64, collapse: Bool) -> String {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(UInt64(1) << 53)
        }
        var text = "id,x,sex,region,score,pred,y\n"
        for i in 0..<2000 {
            let sex = i % 2
            let region = i < 20 ? "isle" : (i % 3 == 0 ? "north" : "south")
            let y = next() < 0.4 ? 1 : 0
            var score = y == 1 ? 0.55 + 0.45 * next() : 0.6 * next()
            if y == 1, next() < 0.15 { score = 0.3 * next() }
            if collapse, sex == 1, y == 1, next() < 0.6 { score = 0.4 * next() }
            text += "r\(i),\(formatNumber(next())),\(sex),\(region),\(formatNumber(score)),\(score >= 0.5 ? 1 : 0),\(y)\n"
        }
        return text
    }

    func run(collapse: Bool) throws -> (CompareOutcome, Warehouse) {
        let dir = TemporaryDirectory()
        let text = "root: \(dir.path)\n" + Self.yaml
        let loaded = try DefinitionLoader.parse(text: text, file: dir.write("fair.yaml", text))
        dir.write("baseline.csv", Self.rows(seed: 1, collapse: false))
        dir.write("days/2026-02-01.csv", Self.rows(seed: 2, collapse: collapse))
        let w = try Warehouse(path: loaded.warehousePath)
        for target in [AuditTarget.baseline, .day(Day("2026-02-01")!)] {
            _ = try IngestStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, runId: nil, stageRunId: nil)
            try ProfileStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, stageRunId: nil)
        }
        return (try CompareStage(loaded: loaded, warehouse: w, logger: testLogger).run(Day("2026-02-01")!, stageRunId: nil), w)
    }

    @Test func cleanDayHasNoFairnessFindingAndListsSmallGroups() throws {
        let (out, w) = try run(collapse: false)
        #expect(!out.findings.contains { $0.category == .fairness }, "\(out.findings.filter { $0.category == .fairness })")
        let fairness = try #require(out.fairness)
        #expect(fairness.map(\.attribute) == ["sex", "region"])
        let sex = fairness[0]
        #expect(sex.groups.map(\.value) == ["0", "1"])
        #expect(sex.groups.map(\.rows) == [1000, 1000])
        #expect(sex.groups.allSatisfy { $0.judged && $0.labelledRows == $0.rows })
        #expect(!sex.referenceDeclared)
        let region = fairness[1]
        #expect(region.referenceGroup == "north" && region.referenceDeclared)
        let isle = try #require(region.groups.first { $0.value == "isle" })
        #expect(isle.rows == 20 && !isle.judged && isle.impactRatio == nil, "under min_group_rows: listed, not judged")
        // Differences are Fairlearn's over the judged groups.
        let judged = region.groups.filter(\.judged)
        #expect(region.demographicParityDifference == GroupFairness.demographicParityDifference(selectionRates: judged.compactMap(\.selectionRate)))
        let stored = try w.read { try $0.fairnessGroupSeries(pipelineId: 1, attribute: "region", from: "2026-01-01", to: "2026-12-31") }
        #expect(stored.map(\.value) == ["isle", "north", "south"])
        #expect(stored.map(\.rows) == region.groups.map(\.rows))
    }

    @Test func collapsedTruePositiveRateOfOneGroupIsFoundForThatGroup() throws {
        let (out, _) = try run(collapse: true)
        let fairness = out.findings.filter { $0.category == .fairness }
        let odds = try #require(fairness.first { $0.check == "fairness.equalized_odds" })
        #expect(odds.column == "sex")
        #expect(odds.message.hasPrefix("true positive rate is ") && odds.message.contains("for sex = 1 "), "\(odds.message)")
        #expect(!fairness.contains { $0.column == "region" }, "the other attribute stays clean")
        let sex = try #require(out.fairness?.first)
        let one = try #require(sex.groups.first { $0.value == "1" })
        #expect((one.truePositiveRate ?? 1) < 0.6)
        #expect(sex.equalizedOddsDifference == sex.equalOpportunityDifference, "the TPR gap is the worst case")
    }

    /// Groups are an attribute's values as written: 100 000 distinct values made a 29 MB
    /// report.html and a 75 MB summary.json. At most 100 lines are listed (the reference group,
    /// then judged groups, then the rest, by rows), the last summing the groups left out; the
    /// attribute's differences still cover every judged group.
    @Test func listedGroupsAreBoundedAndTheRestSummed() {
        var counts: [String: GroupFairness.Counts] = [:]
        for k in 0..<300 {
            var c = GroupFairness.Counts()
            let rows = k < 120 ? 150 : 1
            for i in 0..<rows { c.add(decision: (i + k) % 3 == 0 ? 1 : 0, truth: i % 2) }
            counts[String(format: "g%03d", k)] = c
        }
        let a = Comparison.fairness(attribute: "grp", referenceGroup: nil, counts: counts, missingRows: 0, minGroupRows: 100)
        #expect(Comparison.maxListedGroups == 100)
        #expect(a.groups.count == 100)
        let other = a.groups.last!
        #expect(other.value == "(201 other groups)" && !other.judged && !other.judgedRealized)
        let listedRows = a.groups.map(\.rows).reduce(0, +)
        #expect(other.rows == 21 * 150 + 180 && listedRows == 120 * 150 + 180)
        let listedJudged = a.groups.dropLast().filter(\.judged).count
        #expect(listedJudged == 99, "judged groups come first")
        #expect(a.groups.contains { $0.value == a.referenceGroup })
        // The differences are those of all 120 judged groups, listed or not.
        let all = counts.filter { $0.value.rows >= 100 }.compactMap { GroupFairness.GroupRates($0.value).selectionRate?.value }
        #expect(a.demographicParityDifference == GroupFairness.demographicParityDifference(selectionRates: all))
    }
}
