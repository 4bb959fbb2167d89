import AuditModel
import Compare
import Definition
import Foundation
import Ingest
import Logging
import Profile
import Warehouse

/// The drift benchmark (docs/benchmarks.md, "Drift"): 24 columns, a 1M-row day against a
/// 1M-row baseline. Generating, ingesting and profiling both files happen outside the timed
/// part (and are reused across runs: the warehouse is kept in bench-data/).
///
/// Timed: (1) the drift computation including reading the columns from the warehouse, first
/// with nothing cached (the first comparison of a process) and then with the baseline's
/// sorted columns cached in memory (every later day of `mlaudit run`); (2) the whole compare
/// stage (drift, performance, operational, technical debt, recommendation, writing results).
///
/// Options: `--rows N` (default 1000000), `--repeat N` timed repetitions (default 3).
enum DriftBenchmark {
    static func run(_ args: [String]) throws {
        let rows = Bench.option(args, "rows", 1_000_000)
        let repeats = max(1, Bench.option(args, "repeat", 3))
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let dir = Bench.dataDirectory
        let day = Day("2026-01-02")!
        let (paths, prepare) = try Bench.time { () throws -> (String, String) in
            let base = try BenchData.csv(rows: rows, seed: 1)
            let cur = try BenchData.csv(rows: rows, shift: 0.05, seed: 2, name: "drift-day-\(rows)-\(day).csv")
            return (base, cur)
        }
        _ = prepare
        let yaml = BenchData.definitionYAML(
            baseline: paths.0, snapshots: dir + "/drift-day-\(rows)-{date}.csv", warehouse: dir + "/drift-\(rows).sqlite")
        let defPath = dir + "/drift-\(rows).yaml"
        try yaml.write(toFile: defPath, atomically: true, encoding: .utf8)
        let loaded = try DefinitionLoader.load(path: defPath)
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let (_, setup) = try Bench.time {
            for target in [AuditTarget.baseline, .day(day)] {
                let ingest = try IngestStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, runId: nil, stageRunId: nil)
                let profiled = try warehouse.read { try !$0.profiles(snapshotId: ingest.snapshotId).isEmpty }
                if !ingest.unchanged || !profiled {
                    try ProfileStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, stageRunId: nil)
                }
            }
        }
        print("setup (generate, ingest, profile; reused when present): \(fmt(setup)) s")
        let stage = CompareStage(loaded: loaded, warehouse: warehouse, logger: logger)

        let (cold, coldTime) = try Bench.time { try stage.driftOnly(day) }
        print("drift, cold (read + sort both sides, \(cold.count) columns): \(fmt(coldTime)) s")
        var warm: [Double] = []
        for _ in 0..<repeats { warm.append(try Bench.time { try stage.driftOnly(day) }.1) }
        print("drift, baseline cached (read + sort the day, compute): \(summary(warm))")
        var whole: [Double] = []
        for _ in 0..<repeats { whole.append(try Bench.time { try stage.run(day, stageRunId: nil) }.1) }
        print("whole compare stage (baseline cached): \(summary(whole))")
        let drifted = cold.filter(\.drifted).map(\.column)
        print("columns: \(cold.count), drifted: \(drifted.count) (\(drifted.prefix(4).joined(separator: ", "))\(drifted.count > 4 ? ", …" : ""))")
        print("methods: \(Dictionary(grouping: cold, by: \.method.rawValue).mapValues(\.count).sorted { $0.key < $1.key })")
        print("peak RSS: \(fmt(Bench.peakRSSMiB())) MiB")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

    static func summary(_ xs: [Double]) -> String {
        let s = xs.sorted()
        return "min \(fmt(s[0])) s, median \(fmt(s[s.count / 2])) s over \(s.count) runs"
    }
}
