import ArgumentParser
import AuditModel
import Definition
import Foundation
import Pipeline
import Render

/// Arguments of the single-stage commands.
struct StageArguments: ParsableArguments {
    @Argument(help: "Pipeline definition file (YAML).")
    var pipeline: String

    @Option(help: ArgumentHelp("The snapshot date.", valueName: "YYYY-MM-DD"))
    var date: Day?

    @Flag(help: "Work on the training baseline instead of a day.")
    var baseline = false

    func target(allowBaseline: Bool) throws -> AuditTarget {
        if baseline {
            guard allowBaseline else { throw ValidationError("This stage works on a day: give --date YYYY-MM-DD.") }
            if date != nil { throw ValidationError("Give either --date or --baseline, not both.") }
            return .baseline
        }
        guard let date else {
            throw ValidationError(allowBaseline ? "Please give --date YYYY-MM-DD or --baseline." : "Please give --date YYYY-MM-DD.")
        }
        return .day(date)
    }
}

/// Runs one stage and prints what it did.
func runSingleStage(_ stage: Stage, _ args: StageArguments, _ global: GlobalOptions, allowBaseline: Bool) throws {
    try runSingleStage(stage, pipeline: args.pipeline, target: try args.target(allowBaseline: allowBaseline), global)
}

/// Runs one stage of `pipeline` for `target` and prints what it did.
func runSingleStage(_ stage: Stage, pipeline: String, target: AuditTarget, _ global: GlobalOptions) throws {
    let logger = global.bootstrapLogging()
    try guarded {
        let loaded = try DefinitionLoader.load(path: pipeline)
        var runner = PipelineRunner(loaded: loaded, logger: logger, command: CommandLine.arguments.joined(separator: " "))
        runner.ingestProgress = global.ingestProgress(logger)
        switch try runner.runStage(stage, target: target) {
        case .ingest(let o):
            print("\(loaded.name) \(target) ingest: \(o.unchanged ? "unchanged, " : "")read=\(o.rowsRead) stored=\(o.rowsStored) quarantined=\(o.rowsQuarantined) version=\(o.version) labels=\(o.labelsLoaded)")
        case .validate(let findings):
            let c = Dictionary(grouping: findings, by: \.severity).mapValues(\.count)
            print("\(loaded.name) \(target) validate: critical=\(c[.critical] ?? 0) warning=\(c[.warning] ?? 0) info=\(c[.info] ?? 0)")
            for f in findings.sortedForReport() { print("  \(f.severity.rawValue) \(f.check) \(SafeText.terminal(SafeText.cut(f.column ?? "-"))): \(SafeText.terminal(f.message))") }
        case .profile(let profiles):
            print("\(loaded.name) \(target) profile: \(profiles.count) columns")
        case .compare(let o):
            let drifted = o.drift.filter(\.drifted).map { SafeText.terminal($0.column) }
            print("\(loaded.name) \(target) compare: drifted=[\(drifted.joined(separator: ", "))] retraining=\(o.retraining.recommendation.rawValue)")
            for f in o.findings.sortedForReport() { print("  \(f.severity.rawValue) \(f.check) \(SafeText.terminal(SafeText.cut(f.column ?? "-"))): \(SafeText.terminal(f.message))") }
        case .render(let r):
            print("\(loaded.name) \(target) render: \(r.status.rawValue) v\(r.version)\(r.written ? "" : " (unchanged)") \(r.directory)")
        }
    }
}

extension MLAudit {
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a day's snapshot (or the baseline) into the warehouse, typed by the schema.",
            discussion: "Malformed rows are quarantined with file, line, raw text and reason, never dropped. The same file ingested twice is a no-op.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var args: StageArguments
        func validate() throws { _ = try args.target(allowBaseline: true) }
        func run() throws { try runSingleStage(.ingest, args, global, allowBaseline: true) }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the data-quality checks on an ingested snapshot (or the baseline).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var args: StageArguments
        func validate() throws { _ = try args.target(allowBaseline: true) }
        func run() throws { try runSingleStage(.validate, args, global, allowBaseline: true) }
    }

    struct Profile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute column profiles of an ingested snapshot (or the baseline).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var args: StageArguments
        func validate() throws { _ = try args.target(allowBaseline: true) }
        func run() throws { try runSingleStage(.profile, args, global, allowBaseline: true) }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the day's report (HTML, Markdown, summary.json, manifest.json) as a new version when results changed; or, with --fleet DIR, the fleet page.",
            discussion: """
                `mlaudit render PIPELINE.yaml --date D` renders one day. `mlaudit render --fleet DIR [PIPELINE.yaml…]` writes DIR/index.html: one self-contained page with a row per pipeline (latest audited period, status, counts, retraining advice, last run, stale) linking each pipeline's report index and newest report, from the same reads as `mlaudit status` (default: every pipeline of the warehouse MLAUDIT_WAREHOUSE_URL names when it is set, else every pipelines/*.yaml). The page is replaced atomically.
                """)
        @OptionGroup var global: GlobalOptions

        @Argument(help: "Pipeline definition file (YAML); with --fleet, any number (default: every pipelines/*.yaml).")
        var pipelines: [String] = []

        @Option(help: ArgumentHelp("The snapshot date.", valueName: "YYYY-MM-DD"))
        var date: Day?

        @Flag(help: .hidden)
        var baseline = false

        @Option(help: ArgumentHelp("Write the fleet page DIR/index.html instead of a day's report.", valueName: "DIR"))
        var fleet: String?

        func validate() throws {
            if fleet != nil {
                if date != nil || baseline { throw ValidationError("--fleet writes the fleet page; it takes no --date.") }
                return
            }
            guard pipelines.count == 1 else {
                throw ValidationError(pipelines.isEmpty ? "Missing expected argument '<pipeline>'." : "Give one pipeline definition (or --fleet DIR for several).")
            }
            if baseline { throw ValidationError("This stage works on a day: give --date YYYY-MM-DD.") }
            guard date != nil else { throw ValidationError("Please give --date YYYY-MM-DD.") }
        }

        func run() throws {
            guard let fleet else {
                try runSingleStage(.render, pipeline: pipelines[0], target: .day(date!), global)
                return
            }
            _ = global.bootstrapLogging()
            let worst = try guarded { () -> Int32 in
                let (status, failures, worst) = try fleetStatus(pipelines)
                for path in failures.paths { if let m = failures.failed[path] { print("\(SafeText.terminal(path)) failed: \(SafeText.terminal(m))") } }
                let html = try FleetPage.html(status, folder: fleet, currentDirectory: FileManager.default.currentDirectoryPath)
                let path = (fleet.hasSuffix("/") ? fleet : fleet + "/") + FleetPage.fileName
                try FleetPage.write(html, to: path)
                print("fleet page: \(SafeText.terminal(path)) (\(status.pipelines.count) pipeline\(status.pipelines.count == 1 ? "" : "s"))")
                return worst
            }
            if worst != 0 { throw ExitCode(worst) }
        }
    }
}
