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

/// Segments through the compare stage: each value (or bin) of a segment column against the
/// same segment of the baseline, small segments listed but not judged, findings carrying the
/// segment, and the day's segment tests corrected together (Benjamini–Hochberg).
@Suite("Compare stage: segments")
struct CompareSegmentsTests {
    static let yaml = """
        name: seg
        model: {name: m, version: "1"}
        baseline: {path: baseline.csv}
        snapshots: {path: "days/{date}.csv"}
        schema:
          id: id
          prediction: {column: pred, kind: binary, score: score}
          target: y
          features:
            - {name: x, type: numeric}
            - {name: age, type: numeric}
          carried: [region]
        performance:
          max_drop: {warning: 0.05, critical: 0.1}
        segments:
          columns:
            - column: region
            - column: age
              bins: [25, 45, 65]
          min_rows: 100
          max_drop: {warning: 0.1, critical: 0.3}
        warehouse: seg.sqlite
        """

    /// 2000 rows: region `isle` (20 rows, under min_rows), `east` (150 rows), north and south;
    /// `west` (30 rows) only when asked (absent from the baseline). `incident` moves x up by
    /// 0.3 in east and flips half of east's scores (its accuracy collapses).
    static func rows(seed: UInt64, incident: Bool = false, west: Bool = false, eastNulls: Double = 0) -> String {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(UInt64(1) << 53)
        }
        var text = "id,x,age,region,score,pred,y\n"
        for i in 0..<2000 {
            let region = i < 20 ? "isle" : i < 170 ? "east" : (west && i < 200) ? "west" : (i % 2 == 0 ? "north" : "south")
            let y = next() < 0.4 ? 1 : 0
            var score = y == 1 ? 0.55 + 0.45 * next() : 0.6 * next()
            if y == 1, next() < 0.15 { score = 0.3 * next() }
            var x = next()
            if incident, region == "east" {
                x += 0.3
                if next() < 0.5 { score = 1 - score }
            }
            let age = 18 + 62 * next()
            let blank = region == "east" && next() < eastNulls
            text += "r\(i),\(blank ? "" : formatNumber(x)),\(formatNumber(age)),\(region),\(formatNumber(score)),\(score >= 0.5 ? 1 : 0),\(y)\n"
        }
        return text
    }

    func run(day: String, segmentsExtra: String = "") throws -> (CompareOutcome, Warehouse) {
        let dir = TemporaryDirectory()
        let text = "root: \(dir.path)\n" + Self.yaml.replacingOccurrences(
            of: "  min_rows: 100\n", with: "  min_rows: 100\n" + segmentsExtra)
        let loaded = try DefinitionLoader.parse(text: text, file: dir.write("seg.yaml", text))
        dir.write("baseline.csv", Self.rows(seed: 1))
        dir.write("days/2026-02-01.csv", day)
        let w = try Warehouse(path: loaded.warehousePath)
        for target in [AuditTarget.baseline, .day(Day("2026-02-01")!)] {
            _ = try IngestStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, runId: nil, stageRunId: nil)
            try ProfileStage(loaded: loaded, warehouse: w, logger: testLogger).run(target, stageRunId: nil)
        }
        return (try CompareStage(loaded: loaded, warehouse: w, logger: testLogger).run(Day("2026-02-01")!, stageRunId: nil), w)
    }

    @Test func cleanDayListsEverySegmentAndJudgesOnlyLargeOnes() throws {
        let (out, w) = try run(day: Self.rows(seed: 2, west: true))
        let segmentFindings = out.findings.filter { $0.segment != nil || $0.check.hasPrefix("segment.") }
        #expect(segmentFindings.isEmpty, "\(segmentFindings.map(\.message))")
        #expect(!out.findings.contains { $0.severity >= .warning }, "\(out.findings.filter { $0.severity >= .warning }.map(\.message))")
        let segments = try #require(out.segments)
        let region = segments.filter { $0.column == "region" }
        #expect(region.map(\.value) == ["east", "isle", "north", "south", "west"])
        let isle = try #require(region.first { $0.value == "isle" })
        #expect(isle.rows == 20 && !isle.judged && isle.note?.contains("under segments.min_rows (100)") == true)
        #expect(isle.drift.isEmpty && isle.driftedShare == nil, "not judged: no drift computed")
        let west = try #require(region.first { $0.value == "west" })
        #expect(west.rows == 30 && west.baselineRows == 0 && !west.inBaseline && !west.judged)
        #expect(west.note == "not in the baseline: nothing to compare with")
        let east = try #require(region.first { $0.value == "east" })
        #expect(east.rows == 150 && east.baselineRows == 150 && east.judged && east.labelledRows == 150)
        #expect(Set(east.drift.map(\.column)) == ["x", "age", "pred", "score", "y"])
        #expect(east.drift.allSatisfy { $0.adjustedPValue != nil && !$0.drifted })
        #expect(east.nullRates["x"] == 0 && east.metrics["accuracy"] != nil && east.baselineMetrics["accuracy"] != nil)
        // Bins in number-line order; every row with an age is in one.
        let age = segments.filter { $0.column == "age" }
        #expect(age.map(\.value) == ["< 25", "[25, 45)", "[45, 65)", ">= 65"])
        #expect(age.map(\.rows).reduce(0, +) == 2000)
        // Stored for trends.
        let stored = try w.read { try $0.segmentSeries(pipelineId: 1, column: "region", from: "2026-01-01", to: "2026-12-31") }
        #expect(stored.map(\.value) == region.map(\.value))
        #expect(stored.map(\.rows) == region.map(\.rows))
        #expect(stored.first { $0.value == "east" }?.metricValue == east.metrics["accuracy"])
    }

    @Test func incidentInOneSegmentIsFoundThereWithTheSegment() throws {
        let (out, w) = try run(day: Self.rows(seed: 2, incident: true))
        #expect(!out.findings.contains { $0.check == CheckCatalog.featureDrift.id }, "the whole day's x did not drift")
        #expect(!out.findings.contains { $0.check == CheckCatalog.performanceDrop.id }, "the whole day's accuracy held")
        let seg = out.findings.filter { $0.check.hasPrefix("segment.") }
        let east = SegmentRef(column: "region", value: "east")
        let x = try #require(seg.first { $0.check == "segment.drift" && $0.column == "x" })
        #expect(x.segment == east && x.severity == .warning)
        #expect(x.message.contains("in region = east"), "\(x.message)")
        let drop = try #require(seg.first { $0.check == "segment.performance_drop" })
        #expect(drop.segment == east && drop.severity == .critical, "\(drop.message)")
        #expect(seg.allSatisfy { $0.segment == east }, "\(seg.map { "\($0.check) \(String(describing: $0.segment))" })")
        // The finding keeps its segment in the warehouse.
        let stored = try w.read { try $0.findings(snapshotId: 2, stage: .compare) }
        #expect(stored.filter { $0.segment == east }.count == seg.count)
    }

    /// Thresholds overridable per segment list: 12 % of east's x missing (0 % in the baseline,
    /// 0.9 % of the whole day) is a segment finding under `drift.null_rate_change` (0.05) and none
    /// under `segments.null_rate_change: {warning: 0.2}`.
    @Test func missingValuesInOneSegmentFollowTheSegmentsThresholds() throws {
        let day = Self.rows(seed: 2, eastNulls: 0.12)
        let (out, _) = try run(day: day)
        #expect(!out.findings.contains { $0.check == CheckCatalog.nullRateChange.id }, "the whole day's share is small")
        let east = try #require(out.segments?.first { $0.column == "region" && $0.value == "east" })
        let share = try #require(east.nullRates["x"])
        #expect(share > 0.05 && share < 0.2 && east.baselineNullRates["x"] == 0)
        let f = try #require(out.findings.first { $0.check == "segment.missing_values" && $0.column == "x" })
        #expect(f.segment == SegmentRef(column: "region", value: "east") && f.severity == .warning)
        let (relaxed, _) = try run(day: day, segmentsExtra: "  null_rate_change: {warning: 0.2}\n")
        #expect(!relaxed.findings.contains { $0.check == "segment.missing_values" })
    }

    /// A binary model with a numeric and a categorical feature, segmented by a carried column.
    static func manyDefinition() throws -> PipelineDefinition {
        let dir = TemporaryDirectory()
        let text = """
            root: \(dir.path)
            name: many
            model: {name: m, version: "1"}
            baseline: {path: baseline.csv}
            snapshots: {path: "days/{date}.csv"}
            schema:
              prediction: {column: pred, kind: binary, score: score}
              target: y
              features:
                - {name: x, type: numeric}
                - {name: c, type: categorical}
              carried: [seg]
            segments:
              columns: [{column: seg}]
              min_rows: 30
            warehouse: many.sqlite
            """
        return try DefinitionLoader.parse(text: text, file: dir.write("many.yaml", text)).definition
    }

    /// 100 random segments over 30 clean periods: the day's ~400 segment tests are corrected
    /// together, so a period with any false alarm is rare (Benjamini–Hochberg at 0.05 under the
    /// global null: at most 5 % of periods, 1.5 of 30 expected); without the correction about
    /// 5 % of all tests (some 20 a period) would fire.
    @Test func hundredRandomSegmentsOverThirtyCleanPeriodsStayQuiet() throws {
        let definition = try Self.manyDefinition()
        var state: UInt64 = 15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(UInt64(1) << 53)
        }
        func period(_ n: Int) -> [String: ColumnData] {
            var x: [Double] = [], c: [Int32] = [], seg: [Int32] = [], score: [Double] = [], pred: [Int32] = []
            for _ in 0..<n {
                x.append(next())
                c.append(Int32(next() * 3))
                seg.append(Int32(next() * 100))
                let y = next() < 0.4 ? 1 : 0
                let s = y == 1 ? 0.4 + 0.6 * next() : 0.6 * next()
                score.append(s)
                pred.append(s >= 0.5 ? 1 : 0)
            }
            return [
                "x": .numeric(NumericColumnData(values: x, nulls: [Bool](repeating: false, count: n))),
                "score": .numeric(NumericColumnData(values: score, nulls: [Bool](repeating: false, count: n))),
                "c": .labels(LabelColumnData(codes: c, dictionary: ["a", "b", "c"])),
                "pred": .labels(LabelColumnData(codes: pred, dictionary: ["0", "1"])),
                "seg": .labels(LabelColumnData(codes: seg, dictionary: (0..<100).map { "s\($0)" })),
            ]
        }
        let base = period(6000)
        let candidates = definition.declaredColumns.filter { ["x", "c", "pred", "score"].contains($0.name) }
            .map { SegmentAuditor.Candidate(column: $0, method: .auto, threshold: nil) }
        let auditor = SegmentAuditor(
            definition: definition, candidates: candidates, target: nil, features: ["x", "c"], base: nil, minLabelledRows: 100,
            aggregate: [])
        var periodsWithAlarm = 0, uncorrected = 0, tests = 0, judged = 0
        for _ in 0..<30 {
            let day = period(4000)
            let out = auditor.run(
                columns: definition.segments!.columns, day: day, dayCount: 4000, baseline: base,
                baselineCount: 6000, dayLabelled: nil, baselineLabelled: nil)
            #expect(out.segments.count == 100)
            judged += out.segments.filter(\.judged).count
            let p = out.segments.flatMap(\.drift).compactMap(\.pValue)
            tests += p.count
            uncorrected += p.filter { $0 <= 0.05 }.count
            if out.findings.contains(where: { $0.severity >= .warning }) { periodsWithAlarm += 1 }
        }
        #expect(judged > 2700, "a segment has about 40 rows today (at least 30 to be judged) and 60 in the baseline: \(judged)")
        #expect(tests == 4 * judged, "x, c, pred and score in every judged segment")
        #expect(uncorrected > 400, "uncorrected, about 5 % of the tests fire: \(uncorrected)")
        #expect(periodsWithAlarm <= 3, "corrected: \(periodsWithAlarm) of 30 periods with a warning")
    }

    /// More values than the limit: the 100 with the most rows are segments, the rest one
    /// `(other)` segment, listed and not judged.
    @Test func valuesBeyondTheLimitAreGrouped() throws {
        var codes: [Int32] = []
        for v in 0..<130 { codes += [Int32](repeating: Int32(v), count: v < 100 ? 3 : 1) }
        let column = ColumnData.labels(LabelColumnData(codes: codes, dictionary: (0..<130).map { String(format: "v%03d", $0) }))
        let d = try Self.manyDefinition()
        let auditor = SegmentAuditor(
            definition: d, candidates: [], target: nil, features: [], base: nil, minLabelledRows: 100, aggregate: [])
        let out = auditor.run(
            columns: d.segments!.columns, day: ["seg": column], dayCount: codes.count, baseline: ["seg": column],
            baselineCount: codes.count, dayLabelled: nil, baselineLabelled: nil)
        #expect(out.segments.count == 101)
        #expect(out.segments.prefix(100).allSatisfy { $0.rows == 3 && !$0.grouped })
        let other = out.segments[100]
        #expect(other.grouped && other.value == "(other)" && other.rows == 30 && !other.judged)
        #expect(other.note == "30 further values beyond the 100 with the most rows, grouped: listed, not judged")
    }
}
