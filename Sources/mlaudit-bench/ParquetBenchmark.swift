import Definition
import Demo
import Foundation
@_spi(Benchmark) import Ingest

/// The Parquet ingest benchmark (docs/benchmarks.md, "Parquet"): the ingest benchmark's
/// 1M-row x 24-column CSV and a snappy Parquet copy of the same data, each ingested as a
/// pipeline's baseline into a fresh warehouse by its own child process (`mlaudit-bench
/// ingest-file FILE`), so each gets its own CPU seconds and peak RSS (`wait4` rusage).
///
/// The copy is written by pyarrow through scripts/bench/csv_to_parquet.py when a Python with
/// pyarrow is found (`MLAUDIT_BENCH_PYTHON`, else `python3`): what users have. Without it,
/// or with `--writer mlaudit`, MLAudit's own writer writes it (PLAIN, snappy). Options:
/// `--rows N`, `--writer pyarrow|mlaudit`, `--repeat N` (best of N by CPU seconds).
enum ParquetBenchmark {
    static func run(_ args: [String]) throws {
        let rows = Bench.option(args, "rows", 1_000_000)
        let repeats = max(1, Bench.option(args, "repeat", 1))
        let csv = URL(fileURLWithPath: try BenchData.csv(rows: rows)).standardizedFileURL.path
        var writer = "pyarrow"
        if let i = args.firstIndex(of: "--writer"), i + 1 < args.count { writer = args[i + 1] }
        let python = ProcessInfo.processInfo.environment["MLAUDIT_BENCH_PYTHON"] ?? "python3"
        if writer == "pyarrow", IngestBenchmark.shell("'\(python)' -c 'import pyarrow' 2>/dev/null") != 0 {
            print("no pyarrow for \(python) (set MLAUDIT_BENCH_PYTHON): the copy is written by MLAudit's own writer")
            writer = "mlaudit"
        }
        let parquet = String(csv.dropLast(4)) + "-snappy-\(writer).parquet"
        if !FileManager.default.fileExists(atPath: parquet) {
            if writer == "pyarrow" {
                let status = IngestBenchmark.run(python, ["scripts/bench/csv_to_parquet.py", csv, parquet])
                guard status == 0 else { throw NSError(domain: "bench", code: 8, userInfo: [NSLocalizedDescriptionKey: "csv_to_parquet.py failed (\(status))"]) }
            } else if let me = RunBenchmark.siblingExecutable("mlaudit-bench") {
                // In a child process: the copy reads the CSV whole, and a spawned child's peak RSS
                // starts from its parent's (Linux keeps ru_maxrss across exec).
                let log = Bench.dataDirectory + "/parquet-copy.log"
                let r = try RunBenchmark.spawn(me, ["write-parquet-copy", csv, parquet], log: log)
                guard r.status == 0 else { throw RunBenchmark.failure("write-parquet-copy", r.status, log) }
            }
        }
        guard let me = RunBenchmark.siblingExecutable("mlaudit-bench") else {
            throw NSError(domain: "bench", code: 9, userInfo: [NSLocalizedDescriptionKey: "cannot find mlaudit-bench beside itself"])
        }
        print(String(format: "data: %@ (%.1f MB) and %@ (%.1f MB, written by %@)", csv, Double(IngestBenchmark.fileSize(csv)) / 1_048_576,
                     parquet, Double(IngestBenchmark.fileSize(parquet)) / 1_048_576, writer))
        var results: [(String, RunBenchmark.ChildResult)] = []
        for (what, file, mode) in [
            ("CSV", csv, []), ("snappy Parquet", parquet, []),
            ("  CSV: read + parse + type only (no SQLite)", csv, ["--parse-only"]),
            ("  snappy Parquet: read + decode + type only (no SQLite)", parquet, ["--parse-only"]),
        ] {
            var best: RunBenchmark.ChildResult?
            for _ in 0..<repeats {
                let log = Bench.dataDirectory + "/ingest-file.log"
                let r = try RunBenchmark.spawn(me, ["ingest-file", file] + mode, log: log)
                guard r.status == 0 else { throw RunBenchmark.failure("ingest-file \(file)", r.status, log) }
                if best == nil || r.user + r.system < best!.user + best!.system { best = r }
            }
            results.append((what, best!))
        }
        print("")
        print("| ingest of \(IngestBenchmark.grouped(rows)) rows × 24 columns, typed, checks on | wall s | user s | sys s | CPU s | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|")
        for (what, r) in results {
            print(String(format: "| %@ | %.2f | %.2f | %.2f | %.2f | %.0f |", what, r.wall, r.user, r.system, r.user + r.system, r.peakRSSMiB))
        }
        let c = results[0].1, p = results[1].1, cp = results[2].1, pp = results[3].1
        print(String(format: "\nCPU seconds CSV / Parquet: %.2f (goal: at least 2.00); peak RSS Parquet / CSV: %.2f (goal: at most 1.00)",
                     (c.user + c.system) / (p.user + p.system), p.peakRSSMiB / c.peakRSSMiB))
        print(String(format: "reading and typing alone, CPU seconds CSV / Parquet: %.2f",
                     (cp.user + cp.system) / (pp.user + pp.system)))
        print("(machine load average at the end: \(IngestBenchmark.loadAverage()))")
    }

    /// `mlaudit-bench ingest-file FILE`: ingests FILE as the benchmark pipeline's baseline into
    /// a fresh warehouse (the child process the benchmark measures).
    static func ingestFile(_ args: [String]) throws {
        guard let file = args.first else { throw NSError(domain: "bench", code: 10, userInfo: [NSLocalizedDescriptionKey: "usage: ingest-file FILE [--parse-only]"]) }
        if args.contains("--parse-only") {
            // The same columns as the benchmark's definition declares, no SQLite.
            let dir = Bench.dataDirectory + "/ingest-file"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let yaml = BenchData.definitionYAML(baseline: file, snapshots: "\(dir)/days/{date}.csv", warehouse: dir + "/unused.sqlite")
            try yaml.write(toFile: dir + "/parse.yaml", atomically: true, encoding: .utf8)
            let columns = try DefinitionLoader.load(path: dir + "/parse.yaml").definition.declaredColumns
            let (counts, seconds) = try Bench.time { try IngestMeasurement.parseOnly(path: file, columns: columns) }
            print("\(file): \(counts.stored) rows typed, \(counts.quarantined) quarantined, \(String(format: "%.2f", seconds)) s (no SQLite)")
            guard counts.quarantined == 0 else { throw NSError(domain: "bench", code: 11, userInfo: [NSLocalizedDescriptionKey: "rows quarantined"]) }
            return
        }
        let dir = Bench.dataDirectory + "/ingest-file"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = file.hasSuffix(".parquet") ? "parquet" : "csv"
        let (outcome, seconds) = try IngestBenchmark.ingest(baseline: URL(fileURLWithPath: file).standardizedFileURL.path, dir: dir, name: name)
        print("\(file): \(outcome.rowsStored) rows stored, \(outcome.rowsQuarantined) quarantined, \(String(format: "%.2f", seconds)) s")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dir + "/\(name).sqlite" + suffix) }
        guard outcome.rowsQuarantined == 0 else { throw NSError(domain: "bench", code: 11, userInfo: [NSLocalizedDescriptionKey: "rows quarantined"]) }
    }

    /// The copy by MLAudit's own writer: row groups of 131 072 rows, snappy, PLAIN; the same
    /// column types as the pyarrow copy.
    static func writeCopy(csv: String, to path: String) throws {
        var columns: [ParquetWriter.Column] = [.init("id", .string, optional: false), .init("ts", .timestampMillis, optional: false)]
        columns += BenchData.numericColumns.map { .init($0, .double, optional: false) }
        columns += BenchData.categoricalColumns.map { .init($0, .string, optional: false) }
        columns += [.init("score", .double, optional: false), .init("pred", .int64, optional: false)]
        let w = try ParquetWriter(path: path, columns: columns, codec: .snappy)
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        var fields = [[Substring]]()
        func flush() throws {
            guard !fields.isEmpty else { return }
            var values: [ParquetWriter.Values] = []
            for (i, c) in columns.enumerated() {
                switch c.kind {
                case .string: values.append(.strings(fields.map { String($0[i]) }))
                case .double: values.append(.doubles(fields.map { Double($0[i]) }))
                case .int64: values.append(.ints(fields.map { Int64($0[i]) }))
                case .timestampMillis: values.append(.ints(fields.map { Int64($0[i]).map { $0 * 1000 } }))
                case .boolean: values.append(.booleans(fields.map { $0[i] == "true" }))
                }
            }
            try w.append(rowGroup: values)
            fields.removeAll(keepingCapacity: true)
        }
        for line in text.split(separator: "\n").dropFirst() {
            fields.append(line.split(separator: ",", omittingEmptySubsequences: false))
            if fields.count == 131_072 { try flush() }
        }
        try flush()
        try w.finish()
    }
}
