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
/// part (and are reused across runs: the data and warehouse are kept in bench-data/).
///
/// Timed, each from a cold process state unless said otherwise:
/// 1. drift without any cache: both snapshots' columns read from the row table and sorted;
/// 2. the whole compare stage on its first run against this baseline (it builds the
///    baseline's sorted-column cache and baseline facts in the warehouse);
/// 3. drift with the warehouse's sorted-column cache for the baseline (the nightly case:
///    a new process each night reads the day's columnar copy and the baseline's cached
///    columns); 3b. the same with the day read from its rows (as before the copy existed);
/// 4. drift with the baseline also in this process's memory (later days of one `mlaudit run`);
/// 5. the whole compare stage with the warehouse cache (drift, performance, operational
///    health, technical debt, recommendation, writing the results).
///
/// Options: `--rows N` (default 1000000), `--repeat N` timed repetitions (default 3).
enum DriftBenchmark {
    static func run(_ args: [String]) throws {
        let rows = Bench.option(args, "rows", 1_000_000)
        let repeats = max(1, Bench.option(args, "repeat", 3))
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let dir = Bench.dataDirectory
        let day = Day("2026-01-02")!
        let base = try BenchData.csv(rows: rows, seed: 1)
        _ = try BenchData.csv(rows: rows, shift: 0.05, seed: 2, name: "drift-day-\(rows)-\(day).csv")
        let yaml = BenchData.definitionYAML(
            baseline: base, snapshots: dir + "/drift-day-\(rows)-{date}.csv", warehouse: dir + "/drift-\(rows).sqlite")
        let defPath = dir + "/drift-\(rows).yaml"
        try yaml.write(toFile: defPath, atomically: true, encoding: .utf8)
        let loaded = try DefinitionLoader.load(path: defPath)
        try Bench.removeWarehouseWithoutCopy(loaded.warehousePath, pipeline: loaded.name)
        let warehouse = try Warehouse(path: loaded.warehousePath)
        var baselineId: Int64 = 0
        let (_, setup) = try Bench.time {
            for target in [AuditTarget.baseline, .day(day)] {
                let ingest = try IngestStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, runId: nil, stageRunId: nil)
                if target == .baseline { baselineId = ingest.snapshotId }
                let profiled = try warehouse.read { try !$0.profiles(snapshotId: ingest.snapshotId).isEmpty }
                if !ingest.unchanged || !profiled {
                    try ProfileStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, stageRunId: nil)
                }
            }
        }
        print("setup (generate, ingest, profile; reused when present): \(fmt(setup)) s")
        let stage = CompareStage(loaded: loaded, warehouse: warehouse, logger: logger)
        func uncached() throws {
            CompareStage.clearProcessCache()
            try warehouse.write { try $0.deleteSortedColumns(snapshotId: baselineId) }
        }

        print("load average before: \(loadAverage()) (other processes share the cores: compare wall with CPU / 2)")
        var cold: [Timing] = []
        var results: [DriftResult] = []
        for _ in 0..<repeats {
            try uncached()
            let (r, t) = try timed { try stage.driftOnly(day) }
            results = r
            cold.append(t)
        }
        print("1. drift, no cache (read and sort both snapshots, \(results.count) columns): \(summary(cold))")
        try uncached()
        let (_, first) = try timed { try stage.run(day, stageRunId: nil) }
        print("2. whole compare stage, first run against the baseline (builds the caches): \(summary([first]))")
        var nightly: [Timing] = []
        for _ in 0..<repeats {
            CompareStage.clearProcessCache()
            nightly.append(try timed { try stage.driftOnly(day) }.1)
        }
        print("3. drift, baseline from the warehouse cache (read and sort the day): \(summary(nightly))")
        var fromRows: [Timing] = []
        for _ in 0..<repeats {
            CompareStage.clearProcessCache()
            let (r, t) = try timed { try stage.driftOnly(day, columnar: false) }
            guard r == results else { throw NSError(domain: "bench", code: 5, userInfo: [NSLocalizedDescriptionKey: "drift from the rows differs"]) }
            fromRows.append(t)
        }
        print("3b. as 3, the day read from its rows instead of its columnar copy: \(summary(fromRows))")
        var warm: [Timing] = []
        for _ in 0..<repeats { warm.append(try timed { try stage.driftOnly(day) }.1) }
        print("4. drift, baseline in process memory: \(summary(warm))")
        var whole: [Timing] = []
        for _ in 0..<repeats {
            CompareStage.clearProcessCache()
            whole.append(try timed { try stage.run(day, stageRunId: nil) }.1)
        }
        print("5. whole compare stage, baseline from the warehouse cache: \(summary(whole))")
        // 6. What drift costs when the day's sorted columns are cached too: the profile stage
        //    sorts every numeric column already and could store them (not done by this branch).
        let dayId = try warehouse.read { store -> Int64 in
            try store.currentSnapshot(pipelineId: try store.ensurePipelineIfExists(loaded.name) ?? 0, kind: .daily,
                                      date: day.description)?.id ?? 0
        }
        try warehouse.write { store in
            let table = try store.rowTable(pipelineId: try store.ensurePipeline(loaded.name), columns: loaded.definition.declaredColumns)
            let names = loaded.definition.declaredColumns.filter { $0.type.isNumeric }.map(\.name)
            for (name, numbers) in try store.readFiniteNumbers(table, snapshotId: dayId, columns: names) {
                var sorted = numbers
                sorted.values.sort()
                try store.putSortedColumn(table, snapshotId: dayId, column: name, sorted)
            }
        }
        var both: [Timing] = []
        for _ in 0..<repeats {
            CompareStage.clearProcessCache()
            both.append(try timed { try stage.driftOnly(day) }.1)
        }
        print("6. drift, day's sorted columns cached too (if the profile stage stored them): \(summary(both))")
        try warehouse.write { try $0.deleteSortedColumns(snapshotId: dayId) }
        let drifted = results.filter(\.drifted).map(\.column)
        print("columns: \(results.count), drifted: \(drifted.count)\(drifted.isEmpty ? "" : " (\(drifted.joined(separator: ", ")))")")
        print("methods: " + Dictionary(grouping: results, by: \.method.rawValue).mapValues(\.count).sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print("peak RSS: \(fmt(Bench.peakRSSMiB())) MiB; load average after: \(loadAverage())")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

    /// Wall and CPU seconds (user + system, all threads) of `body`: CPU time shows the work
    /// itself when other processes share the cores.
    static func timed<T>(_ body: () throws -> T) rethrows -> (T, Timing) {
        let c0 = cpuSeconds()
        let (r, wall) = try Bench.time(body)
        return (r, Timing(wall: wall, cpu: cpuSeconds() - c0))
    }

    struct Timing {
        var wall: Double
        var cpu: Double
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec)
            + Double(u.ru_stime.tv_usec) / 1e6
    }

    static func summary(_ xs: [Timing]) -> String {
        let s = xs.sorted { $0.wall < $1.wall }
        return "wall min \(fmt(s[0].wall)) s, median \(fmt(s[s.count / 2].wall)) s; CPU \(fmt(s[0].cpu)) s (fastest run); \(s.count) runs"
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { String($0.split(separator: " ").prefix(3).joined(separator: " ")) } ?? "?"
    }
}
