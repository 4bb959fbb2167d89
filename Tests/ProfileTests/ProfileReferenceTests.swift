import AuditModel
import Foundation
import Ingest
import Testing
import TestSupport
import Warehouse

@testable import Profile

/// Text lengths, timestamp ranges, top-k, histograms on baseline edges, a day against the
/// baseline and baseline correlations, against values computed with numpy by
/// scripts/reference/profile_reference.py on the committed fixtures.
@Suite("Profile references")
struct ProfileReferenceTests {
    struct Expected: Decodable {
        struct TextLengths: Decodable { let count, distinct, min, max: Int; let mean: Double }
        struct Range: Decodable { let min, max: String }
        struct Hist: Decodable { let edges: [Double]; let counts: [Int]; let below, above: Int }
        struct Pair: Decodable { let a, b, kind: String; let r: Double?; let n: Int }
        struct Flag: Decodable { let true_share: Double }
        struct DayValues: Decodable {
            let x_histogram: Hist
            let x_mean, x_std, color_unseen_share: Double
            let x_quantiles: [String: Double]
        }
        let id_text: TextLengths
        let ts_range: Range
        let color_top: [ValueCount]
        let flag: Flag
        let x_histogram: Hist
        let correlations: [Pair]
        let day: DayValues
        let correlation_fixture: [Pair]
    }

    static let expected: Result<Expected, any Error> = Result {
        try JSONDecoder().decode(Expected.self, from: try fixture("profile_expected.json"))
    }

    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try Data(contentsOf: url)
    }

    /// Ingests and profiles `baseline` (a fixture) as the tiny pipeline's baseline.
    static func profiled(_ dir: TemporaryDirectory, baseline: String) throws -> (Warehouse, LoadedDefinition, [ColumnProfile]) {
        let loaded = try TinyPipeline.load(dir)
        try fixture(baseline).write(to: URL(fileURLWithPath: dir.path + "/baseline.csv"))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.baseline, runId: nil, stageRunId: nil)
        let profiles = try ProfileStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.baseline, stageRunId: nil)
        return (warehouse, loaded, profiles)
    }

    /// Whether `a` is within `rel` of `b`, relative (nil is never close).
    static func close(_ a: Double?, _ b: Double, rel: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= rel * max(abs(b), 1e-300)
    }

    func close(_ a: Double?, _ b: Double, rel: Double) -> Bool { Self.close(a, b, rel: rel) }

    func baselineCorrelations(_ warehouse: Warehouse) throws -> [Correlation] {
        try warehouse.read { store in
            let pipeline = try #require(try store.ensurePipelineIfExists("tiny"))
            let base = try #require(try store.currentSnapshot(pipelineId: pipeline, kind: .baseline, date: "baseline"))
            return try store.correlations(snapshotId: base.id)
        }
    }

    func expectCorrelations(_ stored: [Correlation], _ expected: [Expected.Pair]) {
        #expect(stored.map { "\($0.columnA)~\($0.columnB) \($0.kind.rawValue)" } == expected.map { "\($0.a)~\($0.b) \($0.kind)" })
        for (s, e) in zip(stored, expected) {
            #expect(s.count == e.n, "\(e.a)~\(e.b) rows")
            if let r = e.r {
                #expect(abs((s.coefficient ?? .nan) - r) <= 1e-12, "\(e.a)~\(e.b): \(s.coefficient ?? .nan) vs numpy \(r)")
            } else {
                #expect(s.coefficient == nil)
            }
        }
    }

    @Test func textDatetimeTopKAndHistogram() throws {
        let e = try Self.expected.get()
        let dir = TemporaryDirectory()
        let (_, _, profiles) = try Self.profiled(dir, baseline: "profile_input.csv")
        let byName = Dictionary(uniqueKeysWithValues: profiles.map { ($0.column, $0) })
        let id = try #require(byName["id"]?.text)
        #expect(id.count == e.id_text.count && id.distinct == e.id_text.distinct)
        #expect(id.minLength == e.id_text.min && id.maxLength == e.id_text.max)
        #expect(close(id.meanLength, e.id_text.mean, rel: 1e-12))
        let ts = try #require(byName["ts"]?.datetime)
        #expect(ts.min == e.ts_range.min && ts.max == e.ts_range.max)
        #expect(byName["color"]?.categorical?.top == e.color_top)
        #expect(byName["flag"]?.boolean?.trueShare == e.flag.true_share)
        let hist = try #require(byName["x"]?.numeric?.histogram)
        #expect(hist.edges == e.x_histogram.edges, "bin edges bit for bit (np.linspace)")
        #expect(hist.counts == e.x_histogram.counts)
        #expect(hist.below == 0 && hist.above == 0)
    }

    @Test func dayProfiledAgainstBaselineEdgesAndCategories() throws {
        let e = try Self.expected.get()
        let dir = TemporaryDirectory()
        let (warehouse, loaded, _) = try Self.profiled(dir, baseline: "profile_input.csv")
        dir.write("days/2026-02-01.csv", String(decoding: try Self.fixture("profile_day.csv"), as: UTF8.self))
        let day = Day("2026-02-01")!
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(day), runId: nil, stageRunId: nil)
        let profiles = try ProfileStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(day), stageRunId: nil)
        let x = try #require(profiles.first { $0.column == "x" }?.numeric)
        let hist = try #require(x.histogram)
        #expect(hist.edges == e.day.x_histogram.edges)
        #expect(hist.counts == e.day.x_histogram.counts)
        #expect(hist.below == e.day.x_histogram.below && hist.above == e.day.x_histogram.above)
        #expect(close(x.mean, e.day.x_mean, rel: 1e-9) && close(x.std, e.day.x_std, rel: 1e-9))
        #expect(x.quantiles == e.day.x_quantiles)
        #expect(profiles.first { $0.column == "color" }?.categorical?.unseenShare == e.day.color_unseen_share)
        let dayCorrelations = try warehouse.read { store in
            try store.correlations(snapshotId: try #require(try store.currentSnapshot(pipelineId: 1, kind: .daily, date: "2026-02-01")).id)
        }
        #expect(dayCorrelations.isEmpty, "correlations are computed for the baseline only")
    }

    @Test func baselineCorrelationsMatchNumpy() throws {
        let e = try Self.expected.get()
        let dir = TemporaryDirectory()
        let (warehouse, _, _) = try Self.profiled(dir, baseline: "profile_input.csv")
        expectCorrelations(try baselineCorrelations(warehouse), e.correlations)
        let correlated = TemporaryDirectory()
        let (w2, _, _) = try Self.profiled(correlated, baseline: "correlation_input.csv")
        expectCorrelations(try baselineCorrelations(w2), e.correlation_fixture)
    }

    @Test func pearsonEdgeCases() {
        #expect(Statistics.Pearson.coefficient([1, 2, 3], [5, 5, 5]).r == nil, "constant side")
        #expect(Statistics.Pearson.coefficient([1, .nan, 3], [2, 4, .infinity]) == (nil, 1))
        let r = Statistics.Pearson.coefficient([1, 2, 3, 4], [-2, -4, -6, -8])
        #expect(r.r == -1 && r.count == 4)
    }
}

import Statistics
