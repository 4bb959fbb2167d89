import ArgumentParser
import AuditModel
import Definition
import Foundation
import Pipeline

extension MLAudit {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the five stages for every due date of one or more pipelines.",
            discussion: """
                Without a date, runs every date whose snapshot file exists and whose report has not been rendered yet, oldest first (the nightly catch-up). The baseline is ingested and profiled first when it is new or has changed. Prints one line per pipeline and date on stdout.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Pipeline definition files (YAML).")
        var pipelines: [String]

        @Option(help: ArgumentHelp("Run only this date.", valueName: "YYYY-MM-DD"))
        var date: Day?

        @Option(help: ArgumentHelp("Run dates from this one on.", valueName: "YYYY-MM-DD"))
        var since: Day?

        @Option(help: ArgumentHelp("Run dates up to this one.", valueName: "YYYY-MM-DD"))
        var until: Day?

        @Flag(help: "Re-run dates that are already complete (a new report version is written only when results change).")
        var force = false

        @Option(help: "Exit 1 when a finding of this severity or worse is found: info, warning or critical.")
        var failOn: Severity = .critical

        @Option(help: ArgumentHelp(
            "After the run, write the audit's numbers for Prometheus (node_exporter's textfile collector) to this file, replaced atomically; every pipeline of the call goes into it. Overrides 'metrics.textfile' of the definitions.",
            valueName: "PATH"))
        var metricsTextfile: String?

        func validate() throws {
            if date != nil, since != nil || until != nil {
                throw ValidationError("--date cannot be combined with --since or --until.")
            }
            if let since, let until, since > until { throw ValidationError("--since \(since) is after --until \(until).") }
        }

        func run() throws {
            let logger = global.bootstrapLogging()
            var worst: Int32 = 0
            // Textfile path -> the numbers of every pipeline of this call that writes to it.
            var textfiles: [(path: String, entries: [PipelineMetrics])] = []
            for path in pipelines {
                let status: Int32
                do {
                    let loaded = try DefinitionLoader.load(path: path)
                    var runner = PipelineRunner(loaded: loaded, logger: logger, command: CommandLine.arguments.joined(separator: " "))
                    runner.ingestProgress = global.ingestProgress(logger)
                    let report = runner.run(force: force) { warehouse in
                        if let date { return [date] }
                        return try runner.dueDays(since: since, until: until, force: force, warehouse: warehouse)
                    }
                    let days = report.days
                    if let e = report.error {
                        _ = printError(e)
                        print("\(loaded.name) failed: \(SafeText.terminal(e.message))")
                    }
                    for d in report.days { print(summaryLine(loaded.name, d)) }
                    if days.isEmpty, report.error == nil { print("\(loaded.name): nothing to do (no new snapshot)") }
                    status = report.exitStatus(failOn: failOn)
                    if let target = metricsTextfile ?? loaded.metricsTextfilePath {
                        do {
                            let entry = try PipelineMetrics.after(report, loaded: loaded, failOn: failOn)
                            if let i = textfiles.firstIndex(where: { $0.path == target }) {
                                textfiles[i].entries.append(entry)
                            } else {
                                textfiles.append((target, [entry]))
                            }
                        } catch {
                            _ = printError(asAuditError(error))
                            worst = max(worst, 2)
                        }
                    }
                } catch let e as MLAuditError {
                    _ = printError(e)
                    // The stdout summary (cron mail) names the pipeline that could not run too.
                    print("\(path) failed: \(SafeText.terminal(e.message))")
                    status = e.exitStatus
                }
                worst = max(worst, status)
            }
            for (path, entries) in textfiles {
                do {
                    try PrometheusTextfile.write(entries, to: path)
                    logger.info("metrics textfile \(path) written (\(entries.count) pipeline\(entries.count == 1 ? "" : "s"))")
                } catch {
                    // The reports are written; the monitoring export is part of the run's output.
                    _ = printError(asAuditError(error))
                    worst = max(worst, 2)
                }
            }
            if worst != 0 { throw ExitCode(worst) }
        }

        func summaryLine(_ pipeline: String, _ d: DayResult) -> String {
            if let r = d.report {
                let c = r.findingCounts
                return "\(pipeline) \(d.day) \(r.status.rawValue) v\(r.version)\(r.written ? "" : " (unchanged)") retraining=\(r.recommendation.rawValue) critical=\(c.critical) warning=\(c.warning) \(r.directory)/report.html"
            }
            return "\(pipeline) \(d.day) failed at \(d.failedStage?.rawValue ?? "?"): \(SafeText.terminal(d.error?.message ?? ""))"
        }
    }
}
