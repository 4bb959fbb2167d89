import Foundation

// mlaudit-bench: the benchmarks behind `make bench` (numbers go to docs/benchmarks.md).
// Each benchmark lives in its own file; `mlaudit-bench NAME [options]` runs one, `all` runs all.

let benchmarks: [(name: String, summary: String, run: ([String]) throws -> Void)] = [
    ("run", "the whole `mlaudit run` (first run and nightly), 1M-row classifier log, vs sqlite3 .import", RunBenchmark.run),
    ("ingest", "1M-row x 24-column CSV ingest vs sqlite3 .import", IngestBenchmark.run),
    ("parquet", "1M-row x 24-column ingest: snappy Parquet vs the same CSV (child processes)", ParquetBenchmark.run),
    ("profile", "profile a 1M-row x 24-column snapshot", ProfileBenchmark.run),
    ("drift", "drift for 24 columns, 1M-row day vs 1M-row baseline", DriftBenchmark.run),
]

let args = Array(CommandLine.arguments.dropFirst())
// The child processes of the parquet benchmark (not benchmarks of their own).
if args.first == "ingest-file" || args.first == "write-parquet-copy" {
    do {
        if args.first == "ingest-file" {
            try ParquetBenchmark.ingestFile(Array(args.dropFirst()))
        } else if args.count == 3 {
            try ParquetBenchmark.writeCopy(csv: args[1], to: args[2])
        }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("mlaudit-bench: \(error)\n".utf8))
        exit(2)
    }
}
guard let name = args.first, name == "all" || benchmarks.contains(where: { $0.name == name }) else {
    print("usage: mlaudit-bench all|NAME [options]\n")
    for b in benchmarks { print("  \(b.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(b.summary)") }
    exit(64)
}
do {
    for b in benchmarks where name == "all" || b.name == name {
        print("== \(b.name): \(b.summary)")
        try b.run(Array(args.dropFirst()))
    }
} catch {
    FileHandle.standardError.write(Data("mlaudit-bench: \(error)\n".utf8))
    exit(2)
}
