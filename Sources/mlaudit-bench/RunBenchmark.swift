import AuditModel
import Demo
import Foundation

/// The whole-run benchmark (docs/benchmarks.md, issue 13): what a user runs, `mlaudit run`, as a
/// child process, timed from outside (wall clock; user and system CPU and peak RSS from the
/// child's own `wait4` rusage), on a generated binary-classifier log with a definition drafted
/// by `mlaudit init`:
///
/// 1. first run: a fresh warehouse, `mlaudit run DEF --date D1` (baseline and the day, all five
///    stages);
/// 2. nightly: `mlaudit run DEF --date D2`, a new day against the baseline prepared by 1;
///
/// beside `sqlite3 .import` of the same files in the same run (text, no typing) and the
/// warehouse's bytes per million rows. Options: `--rows N` (rows of each day, default 1 000 000),
/// `--baseline-rows N` (default: `--rows`; `make bench-10m` runs 10M-row days against a 1M-row
/// baseline), `--repeat N` (the pair again, each time from a fresh warehouse),
/// `--first-only` (no second day, no nightly run), `--no-sqlite`, `--keep` (keep the warehouse and reports for inspection).
enum RunBenchmark {
    static let days = ["2026-11-30", "2026-12-01"]

    static func run(_ args: [String]) throws {
        let rows = Bench.option(args, "rows", 1_000_000)
        let baselineRows = Bench.option(args, "baseline-rows", rows)
        let firstOnly = args.contains("--first-only")
        let repeats = max(1, Bench.option(args, "repeat", 1))
        guard let mlaudit = siblingExecutable("mlaudit") else {
            throw NSError(domain: "bench", code: 5, userInfo: [NSLocalizedDescriptionKey:
                "mlaudit not found beside mlaudit-bench: build it (swift build -c release --static-swift-stdlib --product mlaudit)"])
        }
        let dir = Bench.dataDirectory + (baselineRows == rows ? "/run-\(rows)" : "/run-\(rows)-baseline-\(baselineRows)")
        try FileManager.default.createDirectory(atPath: dir + "/snapshots", withIntermediateDirectories: true)
        let root = URL(fileURLWithPath: dir).standardizedFileURL.path
        let baseline = root + "/baseline.csv"
        let dayFiles = days.map { root + "/snapshots/\($0).csv" }
        let (_, genSeconds) = try Bench.time {
            try ClassifierLog.write(path: baseline, rows: baselineRows, seed: 101, day: "2026-11-01", span: 28)
            for (i, d) in days.enumerated() where i == 0 || !firstOnly { try ClassifierLog.write(path: dayFiles[i], rows: rows, seed: 202 + UInt64(i), day: d, span: 1) }
        }
        let csvBytes = [baseline, dayFiles[0]].map(IngestBenchmark.fileSize).reduce(0, +)
        print(String(format: "data: %@ (a %d-row baseline and 2 days of %d rows, %d columns; baseline %.1f MB, day %.1f MB; generated or reused in %.1f s)",
                     root, baselineRows, rows, ClassifierLog.header.count, Double(IngestBenchmark.fileSize(baseline)) / 1e6,
                     Double(IngestBenchmark.fileSize(dayFiles[0])) / 1e6, genSeconds))

        // The definition, drafted by `mlaudit init` as a user would (then pointed at a bench warehouse).
        let definition = root + "/bench.yaml"
        let warehouse = root + "/warehouse/bench.sqlite"
        let draft = try spawn(mlaudit, ["init", baseline, "--target", "label", "--prediction", "pred", "--score", "score",
                                        "--id", "request_id", "--name", "bench", "--snapshots", root + "/snapshots/{date}.csv",
                                        "--out", definition, "--force"], log: root + "/init.log")
        guard draft.status == 0 else { throw failure("mlaudit init", draft.status, root + "/init.log") }
        var yaml = try String(contentsOfFile: definition, encoding: .utf8)
        yaml = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("warehouse:") }.joined(separator: "\n")
        yaml += "\nwarehouse: \(warehouse)\n"
        try yaml.write(toFile: definition, atomically: true, encoding: .utf8)
        print("definition: \(definition) (drafted by `mlaudit init`; warehouse and reports under \(root))")

        var results: [(what: String, r: ChildResult)] = []
        var warehouseAfterFirst = 0, warehouseAfterNightly = 0
        for rep in 1...repeats {
            try? FileManager.default.removeItem(atPath: root + "/warehouse")
            try? FileManager.default.removeItem(atPath: root + "/reports")
            let first = try spawn(mlaudit, ["run", definition, "--date", days[0], "-v"], log: root + "/first-run.log", cwd: root)
            guard first.status <= 1 else { throw failure("mlaudit run (first)", first.status, root + "/first-run.log") }
            warehouseAfterFirst = warehouseBytes(warehouse)
            let tag = repeats > 1 ? " #\(rep)" : ""
            results.append(("first `mlaudit run`: baseline + day, all five stages\(tag)", first))
            if firstOnly { continue }
            let nightly = try spawn(mlaudit, ["run", definition, "--date", days[1], "-v"], log: root + "/nightly.log", cwd: root)
            guard nightly.status <= 1 else { throw failure("mlaudit run (nightly)", nightly.status, root + "/nightly.log") }
            warehouseAfterNightly = warehouseBytes(warehouse)
            results.append(("nightly `mlaudit run`: a new day, baseline prepared\(tag)", nightly))
        }
        if !args.contains("--no-sqlite"), let sqlite = IngestBenchmark.which("sqlite3") {
            let db = root + "/sqlite-import.sqlite"
            try? FileManager.default.removeItem(atPath: db)
            let both = try spawn(sqlite, ["-cmd", ".mode csv", db, ".import \(baseline) b", ".import \(dayFiles[0]) d"], log: root + "/sqlite.log")
            guard both.status == 0 else { throw failure("sqlite3 .import", both.status, root + "/sqlite.log") }
            results.append(("`sqlite3 .import` of baseline + day (text, no typing)", both))
            let sqliteBytes = IngestBenchmark.fileSize(db)
            try? FileManager.default.removeItem(atPath: db)
            if !firstOnly {
                let one = try spawn(sqlite, ["-cmd", ".mode csv", db, ".import \(dayFiles[1]) d"], log: root + "/sqlite.log")
                guard one.status == 0 else { throw failure("sqlite3 .import", one.status, root + "/sqlite.log") }
                results.append(("`sqlite3 .import` of the day", one))
                try? FileManager.default.removeItem(atPath: db)
            }
            print(String(format: "sqlite3 .import database of baseline + day: %.0f MB", Double(sqliteBytes) / 1e6))
        }

        let goals: [String: (wall: Double, rss: Double)] = rows == 1_000_000 && baselineRows == rows
            ? ["first": (9, 300), "nightly": (3, 300)]
            : rows == 10_000_000 ? ["first": (.infinity, 600), "nightly": (.infinity, 600)] : [:]
        print("")
        print("| run (baseline \(grouped(baselineRows)) rows, days \(grouped(rows)) rows) | wall s | user s | sys s | CPU s | peak RSS MiB | goal | met |")
        print("|---|---:|---:|---:|---:|---:|---|---|")
        for (what, r) in results {
            let key = what.hasPrefix("first") ? "first" : what.hasPrefix("nightly") ? "nightly" : ""
            var goal = "", met = ""
            if let g = goals[key] {
                goal = (g.wall.isFinite ? String(format: "≤ %.0f s, ", g.wall) : "") + String(format: "≤ %.0f MB", g.rss)
                met = (r.wall <= g.wall && r.peakRSSMiB * 1.048576 <= g.rss) ? "yes" : "no"
            }
            print(String(format: "| %@ | %.2f | %.2f | %.2f | %.2f | %.0f | %@ | %@ |", what, r.wall, r.user, r.system,
                         r.user + r.system, r.peakRSSMiB, goal, met))
        }
        let perMillion = Double(warehouseAfterFirst) / (Double(baselineRows + rows) / 1e6)
        let ratio = Double(warehouseAfterFirst) / Double(csvBytes)
        print("")
        print(String(format: "warehouse after the first run: %.0f MB for %@ rows = %.0f MB per million rows; %.2f x the CSV bytes (%.0f MB; goal ≤ 1.5: %@)",
                     Double(warehouseAfterFirst) / 1e6, grouped(baselineRows + rows), perMillion / 1e6, ratio, Double(csvBytes) / 1e6,
                     ratio <= 1.5 ? "met" : "not met"))
        if !firstOnly {
            print(String(format: "warehouse after the nightly run: %.0f MB for %@ rows", Double(warehouseAfterNightly) / 1e6, grouped(baselineRows + 2 * rows)))
        }
        print("stage times: \(root)/first-run.log and \(root)/nightly.log (mlaudit run -v)")
        print("(machine load average at the end: \(IngestBenchmark.loadAverage()); CPU seconds are steadier than wall time on a busy machine)")
        if !args.contains("--keep") {
            try? FileManager.default.removeItem(atPath: root + "/warehouse")
            try? FileManager.default.removeItem(atPath: root + "/reports")
        }
    }

    /// Bytes of the warehouse file with its WAL.
    static func warehouseBytes(_ path: String) -> Int {
        ["", "-wal"].map { IngestBenchmark.fileSize(path + $0) }.reduce(0, +)
    }

    static func failure(_ what: String, _ status: Int32, _ log: String) -> NSError {
        NSError(domain: "bench", code: 6, userInfo: [NSLocalizedDescriptionKey: "\(what) exited with status \(status); see \(log)"])
    }

    static func siblingExecutable(_ name: String) -> String? {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let path = me.deletingLastPathComponent().appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    static func grouped(_ n: Int) -> String { IngestBenchmark.grouped(n) }

    struct ChildResult {
        var status: Int32
        var wall: Double
        var user: Double
        var system: Double
        var peakRSSMiB: Double
    }

    /// Runs `exe` with `arguments` (stdout and stderr to `log`), waits with `wait4` and returns
    /// the child's own rusage: the wall time is measured around spawn and wait.
    static func spawn(_ exe: String, _ arguments: [String], log: String, cwd: String? = nil) throws -> ChildResult {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let here = FileManager.default.currentDirectoryPath
        if let cwd { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        defer { _ = FileManager.default.changeCurrentDirectoryPath(here) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawn(&pid, exe, &actions, nil, argv, environ)
        guard rc == 0 else {
            throw NSError(domain: "bench", code: 7, userInfo: [NSLocalizedDescriptionKey: "cannot start \(exe): \(String(cString: strerror(rc)))"])
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildResult(
            status: exit, wall: wall,
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            peakRSSMiB: Double(usage.ru_maxrss) / 1024)
    }
}

/// A binary classifier's serving log: 23 columns (request id, ISO-8601 timestamp, 2 integer and
/// 11 numeric features, 4 categorical features, score, served prediction, true label, latency),
/// about 150 bytes a row; deterministic (SplitMix64). Timestamps spread over `span` days from `day`.
enum ClassifierLog {
    static let header = ["request_id", "ts", "age", "tenure_months"] + (1...11).map { "x\($0)" }
        + ["region", "channel", "segment", "product", "score", "pred", "label", "latency_ms"]

    static func write(path: String, rows: Int, seed: UInt64, day: String, span: Int) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        let partial = path + ".partial"
        _ = FileManager.default.createFile(atPath: partial, contents: nil)
        guard let out = FileHandle(forWritingAtPath: partial) else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot write \(partial)"])
        }
        var rng = SplitMix64(seed: seed)
        let regions = ["north", "south", "east", "west"], channels = ["web", "app", "branch"]
        let segments = ["retail", "small_business", "premium", "student", "senior", "corporate"]
        let products = ["card", "loan", "mortgage", "overdraft", "savings"]
        let start = Day(day)!.startEpochSeconds
        let seconds = Int64(span) * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : String(n) }
        func iso(_ t: Int64) -> String {
            let s = t % 86_400
            return "\(Day(ordinal: Int(t / 86_400)))T\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))Z"
        }
        var buffer = header.joined(separator: ",") + "\n"
        let prefix = String(seed)
        for i in 0..<rows {
            let t = start + Int64(i) * seconds / Int64(rows)
            buffer += "q\(prefix)-\(i),"
            buffer += iso(t) + ","
            buffer += String(18 + Int(rng.next() % 70)) + "," + String(Int(rng.next() % 240)) + ","
            var z = 0.0
            for k in 0..<11 {
                let v = rng.normal(mean: 0, sd: 1)
                if k < 4 { z += v * 0.5 }
                buffer += String(format: "%.4f", v * Double(k + 1) + Double(k * 10)) + ","
            }
            buffer += regions[Int(rng.next() % 4)] + "," + channels[Int(rng.next() % 3)] + ","
            buffer += segments[Int(rng.next() % 6)] + "," + products[Int(rng.next() % 5)] + ","
            let score = 1 / (1 + exp(-(z - 0.3)))
            let label = rng.uniform() < score ? 1 : 0
            buffer += String(format: "%.6f", score) + "," + (score >= 0.5 ? "1" : "0") + "," + String(label) + ","
            buffer += String(format: "%.1f", 20 + 40 * rng.uniform() + 10 * abs(rng.normal(mean: 0, sd: 1))) + "\n"
            if buffer.utf8.count > 1 << 20 {
                out.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        out.write(Data(buffer.utf8))
        try out.close()
        try FileManager.default.moveItem(atPath: partial, toPath: path)
    }
}
