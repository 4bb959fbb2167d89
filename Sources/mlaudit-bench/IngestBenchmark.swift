import AuditModel
import Definition
import Foundation
@_spi(Benchmark) import Ingest
import Logging
import Warehouse

/// The ingest benchmark (docs/benchmarks.md): a 1M-row x 24-column CSV ingested into a fresh
/// warehouse with typing and checks on, beside `sqlite3 -cmd '.mode csv' DB '.import FILE t'`
/// on the same file in the same run.
///
/// Besides the two timed loads, it times reading and typing alone (no SQLite) and the ingest
/// of a `gzip -1` copy. Options: `--rows N` (default 1 000 000), `--quick` (only the two
/// timed loads), `--only-mlaudit` (no sqlite3 either: a clean peak RSS for big runs).
enum IngestBenchmark {
    static func run(_ args: [String]) throws {
        let rows = Bench.option(args, "rows", 1_000_000)
        let (csv, genSeconds) = try Bench.time { try BenchData.csv(rows: rows) }
        let bytes = fileSize(csv)
        let mb = Double(bytes) / 1_048_576
        print(String(format: "data: %@ (%d rows x 24 columns, %.1f MB; generated or reused in %.1f s)", csv, rows, mb, genSeconds))

        var table: [(String, Double, Double, Double)] = []  // what, seconds, CPU seconds, peak RSS MiB (NaN: n/a)

        // mlaudit first, so this process's peak RSS is the ingest's own.
        let dir = Bench.dataDirectory + "/ingest"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let absolute = URL(fileURLWithPath: csv).standardizedFileURL.path
        let cpuBefore = cpuSeconds(RUSAGE_SELF.rawValue)
        let outcome = try ingest(baseline: absolute, dir: dir, name: "plain")
        table.append(("mlaudit ingest (typed, checks on)", outcome.seconds, cpuSeconds(RUSAGE_SELF.rawValue) - cpuBefore, Bench.peakRSSMiB()))
        guard outcome.outcome.rowsStored == rows, outcome.outcome.rowsQuarantined == 0 else {
            throw NSError(domain: "bench", code: 2, userInfo: [NSLocalizedDescriptionKey: "ingest stored \(outcome.outcome.rowsStored) of \(rows) rows"])
        }

        let extras = !args.contains("--quick") && !args.contains("--only-mlaudit")
        if extras {
            let columns = try DefinitionLoader.load(path: dir + "/plain.yaml").definition.declaredColumns
            let before = cpuSeconds(RUSAGE_SELF.rawValue)
            let (_, s) = try Bench.time { try IngestMeasurement.parseOnly(path: absolute, columns: columns) }
            table.append(("  read + parse + type only (no SQLite)", s, cpuSeconds(RUSAGE_SELF.rawValue) - before, .nan))
        }

        if extras {
            let gz = csv + ".gz"
            if !FileManager.default.fileExists(atPath: gz) {
                let status = shell("gzip -1 -c '\(csv)' > '\(gz)'")
                guard status == 0 else { throw NSError(domain: "bench", code: 3, userInfo: [NSLocalizedDescriptionKey: "gzip failed"]) }
            }
            let gzAbsolute = URL(fileURLWithPath: gz).standardizedFileURL.path
            let before = cpuSeconds(RUSAGE_SELF.rawValue)
            let g = try ingest(baseline: gzAbsolute, dir: dir, name: "gzip")
            table.append((
                String(format: "mlaudit ingest, gzip -1 copy (%.1f MB)", Double(fileSize(gz)) / 1_048_576), g.seconds,
                cpuSeconds(RUSAGE_SELF.rawValue) - before, .nan))
        }

        var sqliteSeconds: Double?
        if !args.contains("--only-mlaudit") {
            if let sqlite = which("sqlite3") {
                let db = dir + "/sqlite-import.sqlite"
                try? FileManager.default.removeItem(atPath: db)
                let before = cpuSeconds(RUSAGE_CHILDREN.rawValue)
                let (status, s) = Bench.time { run(sqlite, ["-cmd", ".mode csv", db, ".import \(absolute) t"]) }
                let cpu = cpuSeconds(RUSAGE_CHILDREN.rawValue) - before
                guard status == 0 else { throw NSError(domain: "bench", code: 4, userInfo: [NSLocalizedDescriptionKey: "sqlite3 .import failed (\(status))"]) }
                sqliteSeconds = s
                table.append(("sqlite3 .import (text, no typing)", s, cpu, childPeakRSSMiB()))
            } else {
                print("sqlite3 not found: the .import comparison is skipped")
            }
        }

        print("")
        print("| what | seconds | CPU seconds | rows/s | MB/s | peak RSS (MiB) |")
        print("|---|---:|---:|---:|---:|---:|")
        for (what, s, cpu, rss) in table {
            let rssText = rss.isNaN ? "–" : String(format: "%.0f", rss)
            print(String(format: "| %@ | %.2f | %.2f | %@ | %.1f | %@ |", what, s, cpu, grouped(Int(Double(rows) / s)), mb / s, rssText))
        }
        print("\n(machine load average at the end: \(loadAverage()); other processes slow both sides)")
        // The databases are only needed for the timing; they take disk space (250 MB per 1M rows).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.contains(".sqlite") {
            try? FileManager.default.removeItem(atPath: dir + "/" + name)
        }
        if let sqliteSeconds {
            print(String(format: "\nmlaudit / sqlite3 .import time: %.2f (at or below 1.00 meets the goal)", outcome.seconds / sqliteSeconds))
        }
    }

    /// Ingests `baseline` as a pipeline's baseline into a fresh warehouse; wall time of the stage.
    static func ingest(baseline: String, dir: String, name: String) throws -> (outcome: IngestOutcome, seconds: Double) {
        let warehouse = dir + "/\(name).sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: warehouse + suffix) }
        let yaml = BenchData.definitionYAML(baseline: baseline, snapshots: "\(dir)/days/{date}.csv", warehouse: warehouse)
            .replacingOccurrences(of: "name: bench\n", with: "name: bench_\(name)\n")
        let path = dir + "/\(name).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try DefinitionLoader.load(path: path)
        let w = try Warehouse(path: loaded.warehousePath)
        var logger = Logger(label: "bench", factory: { label in
            ProcessInfo.processInfo.environment["MLAUDIT_BENCH_VERBOSE"] != nil
                ? StreamLogHandler.standardError(label: label) as any LogHandler : SwiftLogNoOpLogHandler()
        })
        logger.logLevel = .debug
        let stage = IngestStage(loaded: loaded, warehouse: w, logger: logger)
        let (o, s) = try Bench.time { try stage.run(.baseline, runId: nil, stageRunId: nil) }
        return (o, s)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static func run(_ exe: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func shell(_ command: String) -> Int32 { run("/bin/sh", ["-c", command]) }

    /// User + system CPU seconds of this process (`RUSAGE_SELF`) or of its waited-for children.
    static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(who), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak RSS of the largest child process so far (getrusage RUSAGE_CHILDREN), in MiB.
    static func childPeakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0, i % 3 == 0 { out.append(" ") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
