import ArgumentParser
import AuditModel
import Definition
import Foundation
import Pipeline
import Render

extension MLAudit {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one line per pipeline: latest audited period, status, counts, retraining advice, last run, stale.",
            discussion: """
                Reads each pipeline's warehouse read-only (a running audit is not disturbed). A pipeline is stale when no run happened for two periods of its cadence (2 days for a daily pipeline, 14 weekly, 62 monthly, 184 quarterly, 732 yearly) or it never ran. Without PIPELINE, lists every pipeline of the warehouse MLAUDIT_WAREHOUSE_URL names when it is set (a postgres:// URL or a SQLite file), else reads every pipelines/*.yaml. --json prints the documented JSON object instead (docs/operations.md, "Fleet overview"). Exit status: 0 listed; 2 a definition or a warehouse could not be read (the other pipelines are still listed).
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Pipeline definition files (YAML). Default: every pipelines/*.yaml.")
        var pipelines: [String] = []

        @Flag(help: "Print a JSON object for machines instead of lines.")
        var json = false

        func run() throws {
            _ = global.bootstrapLogging()
            let (status, failures, worst) = try guarded { try fleetStatus(pipelines) }
            if json {
                printJSON(String(decoding: try SummaryJSON.encoder().encode(status), as: UTF8.self) + "\n")
            } else {
                // In the order given: a definition that did not load keeps its place.
                var entries = status.pipelines.makeIterator()
                for path in failures.paths {
                    if let message = failures.failed[path] {
                        print("\(SafeText.terminal(path)) failed: \(SafeText.terminal(message))")
                    } else if let e = entries.next() {
                        print(Self.line(e))
                    }
                }
            }
            if worst != 0 { throw ExitCode(worst) }
        }

        /// `demo 2026-11-30 warning critical=0 warning=7 retraining=recommended last_run=2026-12-03T02:30:12.512Z ok`,
        /// with ` stale` at the end when no run happened for two periods.
        static func line(_ e: FleetStatus.Entry) -> String {
            let name = SafeText.terminal(e.pipeline)
            if let error = e.error { return "\(name) error: \(SafeText.terminal(error))" }
            var out = name
            if let period = e.latestPeriod, let status = e.status {
                out += " \(period) \(status.rawValue) v\(e.reportVersion ?? 0)"
                out += " critical=\(e.critical.map(String.init) ?? "?") warning=\(e.warning.map(String.init) ?? "?")"
                out += " retraining=\(e.retraining?.rawValue ?? "?")"
            } else {
                out += " not-audited-yet"
            }
            if let run = e.lastRun {
                out += " last_run=\(SafeText.terminal(run.finishedAt ?? run.startedAt)) \(SafeText.terminal(run.status))"
            } else {
                out += " last_run=never"
            }
            if e.stale { out += " stale" }
            return out
        }
    }
}

/// The definitions read for an overview, in order, and the message of each that did not load.
struct FleetFailures {
    var paths: [String] = []
    var failed: [String: String] = [:]
}

/// The fleet overview of `paths` (default: every pipelines/*.yaml), with the worst exit
/// status: 2 when a definition or a warehouse could not be read. Definitions that do not load
/// are reported on stderr and returned in `FleetFailures`.
func fleetStatus(_ paths: [String]) throws -> (FleetStatus, FleetFailures, Int32) {
    var paths = paths
    let nowMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    if paths.isEmpty {
        if let url = ProcessInfo.processInfo.environment["MLAUDIT_WAREHOUSE_URL"]?.trimmingCharacters(in: .whitespaces), !url.isEmpty {
            // Every pipeline of that warehouse, without definitions.
            let entries = try FleetReads.warehouseEntries(url: url, nowMs: nowMs)
            return (FleetStatus(generatedAt: Timestamp.format(epochMilliseconds: nowMs), pipelines: entries),
                    FleetFailures(paths: entries.map(\.pipeline)), 0)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "pipelines")) ?? []
        paths = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "pipelines/" + $0 }
        if paths.isEmpty {
            throw ValidationError("No pipelines/*.yaml here: give the pipeline definitions, e.g. `mlaudit status pipelines/demo.yaml`.")
        }
    }
    var entries: [FleetStatus.Entry] = []
    var failures = FleetFailures(paths: paths)
    var worst: Int32 = 0
    for path in paths {
        do {
            let loaded = try DefinitionLoader.load(path: path)
            let e = FleetReads.entry(loaded, nowMs: nowMs)
            if e.error != nil { worst = max(worst, 2) }
            entries.append(e)
        } catch let e as MLAuditError {
            _ = printError(e)
            failures.failed[path] = e.message
            worst = max(worst, e.exitStatus)
        }
    }
    return (FleetStatus(generatedAt: Timestamp.format(epochMilliseconds: nowMs), pipelines: entries), failures, worst)
}
