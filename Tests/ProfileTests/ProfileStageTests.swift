import AuditModel
import Foundation
import Ingest
import Testing
import TestSupport
import Warehouse

@testable import Profile

/// Profiles the committed fixture as a baseline and compares with numpy/scipy values computed
/// by scripts/reference/profile_reference.py.
@Suite("Profile")
struct ProfileStageTests {
    struct Expected: Decodable {
        struct Numeric: Decodable {
            let count, nulls, nan, infinite, zeros, negatives, distinct: Int
            let min, max, mean, std, skewness: Double
            let quantiles: [String: Double]
        }
        struct Categorical: Decodable {
            let nulls: Int
            let counts: [String: Int]
        }
        struct Flag: Decodable {
            let count: Int
            let `true`: Int
        }
        let rows: Int
        let x, n, score, latency_ms: Numeric
        let color: Categorical
        let flag: Flag
    }

    func fixture(_ name: String) throws -> Data { try ProfileReferenceTests.fixture(name) }

    func profileBaseline(_ dir: TemporaryDirectory) throws -> (Warehouse, LoadedDefinition, [ColumnProfile]) {
        try ProfileReferenceTests.profiled(dir, baseline: "profile_input.csv")
    }

    func close(_ a: Double?, _ b: Double, rel: Double) -> Bool { ProfileReferenceTests.close(a, b, rel: rel) }

    @Test func numericProfilesMatchNumpy() throws {
        let dir = TemporaryDirectory()
        let expected = try JSONDecoder().decode(Expected.self, from: try fixture("profile_expected.json"))
        let (_, _, profiles) = try profileBaseline(dir)
        let byName = Dictionary(uniqueKeysWithValues: profiles.map { ($0.column, $0) })
        for (name, e) in [("x", expected.x), ("n", expected.n), ("score", expected.score), ("latency_ms", expected.latency_ms)] {
            let p = try #require(byName[name])
            let num = try #require(p.numeric)
            #expect(p.rows == expected.rows, "\(name)")
            #expect(p.nulls == e.nulls, "\(name) nulls")
            #expect(num.count == e.count, "\(name) count")
            #expect(num.nan == e.nan, "\(name) nan")
            #expect(num.infinite == e.infinite, "\(name) infinite")
            #expect(num.zeros == e.zeros, "\(name) zeros")
            #expect(num.negatives == e.negatives, "\(name) negatives")
            #expect(num.distinct == e.distinct, "\(name) distinct")
            #expect(num.min == e.min && num.max == e.max, "\(name) min/max")
            #expect(close(num.mean, e.mean, rel: 1e-9), "\(name) mean \(num.mean ?? .nan) vs \(e.mean)")
            #expect(close(num.std, e.std, rel: 1e-9), "\(name) std \(num.std ?? .nan) vs \(e.std)")
            #expect(close(num.skewness, e.skewness, rel: 1e-7), "\(name) skewness \(num.skewness ?? .nan) vs \(e.skewness)")
            for (k, v) in e.quantiles {
                #expect(num.quantiles[k] == v, "\(name) \(k): \(num.quantiles[k] ?? .nan) vs \(v)")
            }
        }
    }

    @Test func categoricalAndBooleanProfiles() throws {
        let dir = TemporaryDirectory()
        let expected = try JSONDecoder().decode(Expected.self, from: try fixture("profile_expected.json"))
        let (_, _, profiles) = try profileBaseline(dir)
        let color = try #require(profiles.first { $0.column == "color" })
        #expect(color.nulls == expected.color.nulls)
        let counts = try #require(color.categorical?.counts)
        #expect(Dictionary(uniqueKeysWithValues: counts.map { ($0.value, $0.count) }) == expected.color.counts)
        #expect(color.categorical?.distinct == expected.color.counts.count)
        #expect(color.categorical?.top.first?.value == expected.color.counts.max { $0.value < $1.value }?.key)
        let flag = try #require(profiles.first { $0.column == "flag" }?.boolean)
        #expect(flag.count == expected.flag.count)
        #expect(flag.trueCount == expected.flag.true)
        let ts = try #require(profiles.first { $0.column == "ts" }?.datetime)
        #expect(ts.min == "2026-01-01T00:00:00.000Z")
        #expect(ts.max == "2026-01-01T00:33:19.000Z")
    }

    @Test func dayHistogramsUseBaselineEdgesAndUnseenShare() throws {
        let dir = TemporaryDirectory()
        let (warehouse, loaded, baseProfiles) = try profileBaseline(dir)
        let baseX = try #require(baseProfiles.first { $0.column == "x" }?.numeric?.histogram)
        #expect(baseX.edges.count == 21)
        #expect(baseX.counts.reduce(0, +) == 1958 - 19)
        var rows = [TinyPipeline.header]
        for i in 0..<40 { rows.append(TinyPipeline.row(i, color: i < 4 ? "purple" : "red", x: i < 10 ? "500" : "50")) }
        dir.write("days/2026-02-01.csv", rows.joined(separator: "\n") + "\n")
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        let day = try ProfileStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), stageRunId: nil)
        let x = try #require(day.first { $0.column == "x" }?.numeric?.histogram)
        #expect(x.edges == baseX.edges)
        #expect(x.above == 10)
        #expect(x.counts.reduce(0, +) == 30)
        #expect(day.first { $0.column == "color" }?.categorical?.unseenShare == 0.1)
    }

    @Test func dayBeforeBaselineIsAPrerequisiteError() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(3))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        #expect(throws: MLAuditError.self) {
            try ProfileStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), stageRunId: nil)
        }
    }
}
