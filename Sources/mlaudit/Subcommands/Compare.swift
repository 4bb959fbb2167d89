import ArgumentParser
import AuditModel
import Foundation
import Pipeline

extension DriftMethod: ExpressibleByArgument {}

extension MLAudit {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare a profiled day with the baseline, or two CSV or Parquet files with each other.",
            usage: """
                mlaudit compare <pipeline> --date <YYYY-MM-DD>
                mlaudit compare --baseline <file> --current <file> [--method <method>] [--json] [--categorical <column> ...] [--numeric <column> ...] [--ignore <column> ...]
                """,
            discussion: """
                With a pipeline and --date, runs the compare stage for that day: drift, performance, operational health, technical debt and the retraining recommendation.

                With --baseline and --current, compares two CSV or Parquet files without a definition and prints the drift table; with --json, one object with the current file's `rows` and the `drift` section of summary.json. Column types are inferred as `mlaudit init` infers them (numeric when every value parses as a number; identifiers, free text and timestamps are left out; else categorical) unless declared with --categorical or --numeric; --ignore leaves a column out (give it the model's score and prediction columns: otherwise they are compared and counted as features in the dataset drift share). Problems ingest found in either file (quarantined rows, a truncated stream) are printed as warning lines (`warnings` in --json). Exit status 1 when at least half of the columns drifted (dataset drift); 2 when a file cannot be read or there is nothing to compare.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Pipeline definition file (YAML). Omit it with --baseline and --current.")
        var pipeline: String?

        @Option(help: ArgumentHelp("The snapshot date.", valueName: "YYYY-MM-DD"))
        var date: Day?

        @Option(help: "Reference CSV file (compare two files without a pipeline).")
        var baseline: String?

        @Option(help: "CSV file compared with --baseline.")
        var current: String?

        @Option(help: "Drift method for every column (with --baseline/--current; default auto, as Evidently).")
        var method: DriftMethod?

        @Flag(help: "Print one JSON object with `rows` and `drift` instead of the table (with --baseline/--current).")
        var json = false

        @Option(help: "Treat this column as categorical (repeatable; with --baseline/--current).")
        var categorical: [String] = []

        @Option(help: "Treat this column as numeric (repeatable; with --baseline/--current).")
        var numeric: [String] = []

        @Option(help: "Leave this column out, e.g. the model's score or prediction (repeatable or a comma list; with --baseline/--current).")
        var ignore: [String] = []

        var adHoc: Bool { baseline != nil || current != nil }

        func validate() throws {
            if adHoc {
                if pipeline != nil || date != nil {
                    throw ValidationError(
                        "Give either a pipeline with --date, or --baseline FILE --current FILE, not both.")
                }
                guard baseline != nil, current != nil else {
                    throw ValidationError("Comparing two files needs both --baseline FILE and --current FILE.")
                }
                return
            }
            if json || method != nil || !categorical.isEmpty || !numeric.isEmpty || !ignore.isEmpty {
                throw ValidationError(
                    "--method, --json, --categorical, --numeric and --ignore apply when comparing two files: add --baseline FILE --current FILE.")
            }
            guard pipeline != nil else {
                throw ValidationError("Please give a pipeline definition and --date YYYY-MM-DD, or --baseline FILE --current FILE.")
            }
            guard date != nil else { throw ValidationError("Please give --date YYYY-MM-DD.") }
        }

        func run() throws {
            guard adHoc, let baseline, let current else {
                return try runSingleStage(.compare, pipeline: pipeline!, target: .day(date!), global)
            }
            let logger = global.bootstrapLogging()
            let result = try guarded {
                try AdHocComparison.run(
                    .init(
                        baseline: baseline, current: current, method: method ?? .auto, categorical: categorical, numeric: numeric,
                        ignore: Init.names(ignore)),
                    logger: logger)
            }
            if json {
                printJSON(try AdHocComparison.json(result))
            } else {
                print(AdHocComparison.table(result), terminator: "")
            }
            if result.output.drift.datasetDrift { throw ExitCode(1) }
        }
    }
}
