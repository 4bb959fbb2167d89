import AuditModel
import Definition
import Foundation
import Ingest
import Logging
import Profile
import Warehouse

/// The profile benchmark (docs/benchmarks.md, "Profile"): a 1M-row x 24-column baseline and
/// day are ingested once into bench-data/ (kept between runs), then a fresh process times the
/// profile stage on the baseline (with its correlations) and on the day, reading the columns
/// from SQLite included, and prints peak RSS. The read alone is timed too, to show where the
/// time goes.
///
/// Options: `--rows N` (default 1000000), `--repeat N` timed repetitions (default 3, best kept).
enum ProfileBenchmark {
    static func run(_ args: [String]) throws {
        let rows = Bench.option(args, "rows", 1_000_000)
        let repeats = max(1, Bench.option(args, "repeat", 3))
        let dir = Bench.dataDirectory
        let baseline = try BenchData.csv(rows: rows)
        _ = try BenchData.csv(rows: rows, shift: 0.25, seed: 2, name: "profile-day-\(rows)-2026-01-02.csv")
        let yaml = BenchData.definitionYAML(
            baseline: baseline, snapshots: dir + "/profile-day-\(rows)-{date}.csv",
            warehouse: dir + "/profile-bench-\(rows).sqlite")
        let path = dir + "/profile-bench-\(rows).yaml"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        let loaded = try DefinitionLoader.load(path: path)
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let day = Day("2026-01-02")!

        if !args.contains("--measure") {
            // Prepare in this process (ingest is not what is measured), then measure in a fresh one
            // so that peak RSS is the profile stage's own.
            try Bench.removeWarehouseWithoutCopy(loaded.warehousePath, pipeline: loaded.name)
            let warehouse = try Warehouse(path: loaded.warehousePath)
            for target in [AuditTarget.baseline, .day(day)] {
                let (outcome, seconds) = try Bench.time {
                    try IngestStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, runId: nil, stageRunId: nil)
                }
                print("prepare: ingest \(target) \(outcome.unchanged ? "already in the warehouse" : "\(outcome.rowsStored) rows in \(fmt(seconds)) s")")
            }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            p.arguments = ["profile", "--measure", "--rows", "\(rows)", "--repeat", "\(repeats)"]
            try p.run()
            p.waitUntilExit()
            if p.terminationStatus != 0 { throw NSError(domain: "bench", code: Int(p.terminationStatus)) }
            return
        }

        let warehouse = try Warehouse(path: loaded.warehousePath)
        let stage = ProfileStage(loaded: loaded, warehouse: warehouse, logger: logger)
        let columns = loaded.definition.declaredColumns
        print("data: \(rows) rows x \(BenchData.header.count) columns (16 numeric, 4 categorical, id, timestamp, score, prediction); \(ProcessInfo.processInfo.activeProcessorCount) cores")
        // Rounds of: the read alone (as the stage does it), the baseline profile, the day profile.
        // Interleaved so that every measurement gets the same chances on a shared machine.
        func readAll(columnar: Bool) throws {
            _ = try warehouse.read { store -> Int in
                let pipeline = try store.ensurePipelineIfExists(loaded.name)!
                let snap = try store.currentSnapshot(pipelineId: pipeline, kind: .daily, date: day.description)!
                let table = try store.rowTable(pipelineId: pipeline, columns: columns)
                return try store.readColumns(table, snapshotId: snap.id, columns: columns.map(\.name), columnar: columnar).count
            }
        }
        var read = (wall: Double.infinity, cpu: 0.0), readRows = read, base = read, dayTime = read
        for _ in 0..<repeats {
            let r = try best(1) { try readAll(columnar: true) }
            if r.wall < read.wall { read = r }
            let rr = try best(1) { try readAll(columnar: false) }
            if rr.wall < readRows.wall { readRows = rr }
            let b = try best(1) { _ = try stage.run(.baseline, stageRunId: nil) }
            if b.wall < base.wall { base = b }
            let d = try best(1) { _ = try stage.run(.day(day), stageRunId: nil) }
            if d.wall < dayTime.wall { dayTime = d }
        }
        print("read columns from SQLite (day, 24 columns):  best of \(repeats) \(fmt(read.wall)) s wall, \(fmt(read.cpu)) s CPU")
        print("  the same, numbers from the rows, not the columnar copy: best of \(repeats) \(fmt(readRows.wall)) s wall, \(fmt(readRows.cpu)) s CPU")
        print("profile baseline (+ feature correlations):   best of \(repeats) \(fmt(base.wall)) s wall, \(fmt(base.cpu)) s CPU")
        print("profile day (on the baseline's bin edges):   best of \(repeats) \(fmt(dayTime.wall)) s wall, \(fmt(dayTime.cpu)) s CPU")
        print("(each profile time includes reading the columns from SQLite and writing profiles and metrics)")
        let (baseBest, dayBest) = (base.wall, dayTime.wall)
        print("peak RSS: \(fmt(Bench.peakRSSMiB())) MiB")
        print("goal: profile a 1M-row x 24-column snapshot in under 2 s: \(dayBest < 2 && baseBest < 2 ? "met" : "NOT met")")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.2f", x) }

    /// CPU seconds (user + system) of this process so far: with other work on the machine,
    /// wall time alone says little.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Best wall time of `repeats` runs of `body`, with the CPU time of that run.
    static func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        var best = (wall: Double.infinity, cpu: 0.0)
        for _ in 0..<repeats {
            let c0 = cpuSeconds()
            let (_, s) = try Bench.time(body)
            if s < best.wall { best = (s, cpuSeconds() - c0) }
        }
        return best
    }
}
