import Demo
import Foundation
import Warehouse

/// Timing, memory and data helpers shared by the benchmarks.
enum Bench {
    /// Wall-clock seconds of `body`.
    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try body()
        return (r, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Peak resident set size of this process so far, in MiB (getrusage ru_maxrss).
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The folder benchmark data goes to (`bench-data/`, kept out of git).
    static var dataDirectory: String {
        let dir = ProcessInfo.processInfo.environment["MLAUDIT_BENCH_DATA"] ?? "bench-data"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Removes a benchmark warehouse kept from an earlier run when one of its snapshots has
    /// rows but no columnar copy (ingested before the copy existed): its columns would be read
    /// from the rows, which is not what the benchmark measures. The next setup ingests again.
    static func removeWarehouseWithoutCopy(_ path: String, pipeline: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let outdated = try Warehouse(path: path).read { store -> Bool in
            guard let p = try store.ensurePipelineIfExists(pipeline) else { return false }
            var snapshots = try store.currentDailySnapshots(pipelineId: p)
            if let b = try store.currentSnapshot(pipelineId: p, kind: .baseline, date: "baseline") { snapshots.append(b) }
            for s in snapshots where s.rowsStored > 0 {
                if try !store.hasNumericCopy(snapshotId: s.id) { return true }
            }
            return false
        }
        guard outdated else { return }
        print("removing \(path): ingested before the columnar copy existed")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Integer value of `--name N` in `args`, or `fallback`.
    static func option(_ args: [String], _ name: String, _ fallback: Int) -> Int {
        guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
        return v
    }
}

/// The benchmark data set: `rows` rows of 24 columns (id, timestamp, 16 numeric features,
/// 4 categorical features, score, prediction), deterministic (SplitMix64), written as CSV.
enum BenchData {
    static let numericColumns = (1...16).map { "f\($0)" }
    static let categoricalColumns = ["c1", "c2", "c3", "c4"]
    static let header = ["id", "ts"] + numericColumns + categoricalColumns + ["score", "pred"]

    /// Writes (or reuses) the CSV and returns its path. `shift` moves the numeric columns (a drifted day).
    static func csv(rows: Int, shift: Double = 0, seed: UInt64 = 1, name: String? = nil) throws -> String {
        let path = Bench.dataDirectory + "/" + (name ?? "bench-\(rows)-\(seed)-\(shift).csv")
        if FileManager.default.fileExists(atPath: path) { return path }
        guard let out = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot write \(path)"]) }
        defer { try? out.close() }
        var rng = SplitMix64(seed: seed)
        var buffer = header.joined(separator: ",") + "\n"
        let cats = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
        let base: Int64 = 1_764_288_000
        for i in 0..<rows {
            buffer += "r\(i),"
            buffer += String(base + Int64(i % 86_400)) + ","
            for k in 0..<16 {
                let v = rng.normal(mean: 0, sd: 1) * Double(k + 1) + Double(k * 10) + shift
                buffer += String(format: "%.4f", v) + ","
            }
            for k in 0..<4 { buffer += cats[Int(rng.next() % UInt64(3 + k))] + "," }
            let s = rng.uniform()
            buffer += String(format: "%.6f", s) + "," + (s >= 0.5 ? "1" : "0") + "\n"
            if buffer.utf8.count > 1 << 20 {
                out.write(Data(buffer.utf8))
                buffer = ""
            }
        }
        out.write(Data(buffer.utf8))
        return path
    }

    /// A pipeline definition over the benchmark data (`{date}` snapshots in `dir`). Paths are
    /// quoted here (a bare `{date}` in a YAML flow mapping is a syntax error): pass them unquoted.
    static func definitionYAML(baseline: String, snapshots: String, warehouse: String) -> String {
        var y = """
            name: bench
            model: {name: bench, version: "1"}
            baseline: {path: "\(baseline)"}
            snapshots: {path: "\(snapshots)"}
            schema:
              id: id
              timestamp: ts
              prediction: {column: pred, kind: binary, score: score}
              features:

            """
        for c in numericColumns { y += "    - {name: \(c), type: numeric}\n" }
        for c in categoricalColumns { y += "    - {name: \(c), type: categorical}\n" }
        y += "warehouse: \(warehouse)\nreport: {output: \(Bench.dataDirectory)/reports}\n"
        return y
    }
}
