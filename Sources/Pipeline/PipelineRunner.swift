import AuditModel
import Compare
import Foundation
import Ingest
import Logging
import Profile
import Render
import Validate
import Warehouse

/// What happened to one day of a run.
public struct DayResult: Sendable {
    public var day: Day
    /// Set when every stage succeeded.
    public var report: RenderOutcome?
    /// Set when a stage failed; later stages of the day did not run.
    public var error: MLAuditError?
    public var failedStage: Stage?
}

/// The result of `mlaudit run` for one pipeline.
public struct RunReport: Sendable {
    public var pipeline: String
    public var runId: Int64?
    public var days: [DayResult]
    /// A failure before any day ran (the baseline, the warehouse).
    public var error: MLAuditError?
    /// When the run started (before taking the lock) and ended (after retention).
    public var startedAt = Date()
    public var finishedAt = Date()

    /// DESIGN.md exit statuses: 2 when something could not finish, 1 when a finding reached
    /// `failOn`, else 0.
    public func exitStatus(failOn: Severity) -> Int32 {
        if error != nil || days.contains(where: { $0.error != nil }) { return 2 }
        for d in days {
            guard let r = d.report else { continue }
            let worst: Severity? = r.findingCounts.critical > 0 ? .critical : r.findingCounts.warning > 0 ? .warning
                : r.findingCounts.info > 0 ? .info : nil
            if let worst, worst >= failOn { return 1 }
        }
        return 0
    }
}

/// Runs the stages in order, keeping the run ledger: which run did which stage for which date,
/// when, and whether it finished. Stages never call one another; this is the only place that
/// sequences them.
public struct PipelineRunner {
    public private(set) var loaded: LoadedDefinition
    public let logger: Logger
    /// The command line, recorded in the ledger.
    public let command: String
    /// Told how each ingest advances (a terminal progress line, or log lines); nil: silent.
    public var ingestProgress: (any IngestProgressReporter)?

    public init(loaded: LoadedDefinition, logger: Logger, command: String) {
        self.loaded = loaded
        self.logger = logger
        self.command = command
    }

    /// Where the pipeline's warehouse is (the definition's `warehouse:`, or
    /// `MLAUDIT_WAREHOUSE_URL`): the one place a backend is chosen.
    public var warehouseLocation: WarehouseLocation { WarehouseLocation.of(loaded) }

    /// Opens the pipeline's warehouse (migrating it) without the pipeline's lease.
    public func openWarehouse() throws -> any WarehouseBackend {
        try WarehouseBackends.open(warehouseLocation).backend
    }

    /// Takes the pipeline's lease, then opens and migrates its warehouse under it.
    func openLocked() throws -> OpenedWarehouse {
        try WarehouseBackends.open(warehouseLocation, options: WarehouseOpenOptions(lockPipeline: loaded.name))
    }

    /// Days to run: those with a snapshot file in `since...until`, skipping days whose report
    /// is already rendered unless `force` or their labels file is new or changed (late labels).
    public func dueDays(since: Day?, until: Day?, force: Bool, warehouse: any WarehouseBackend) throws -> [Day] {
        let found = SnapshotDiscovery.days(loaded)
        warnMisdated()
        try SnapshotDiscovery.checkDeclaredPaths(loaded, found: found)
        let all = found.filter { d in
            (since.map { d >= $0 } ?? true) && (until.map { d <= $0 } ?? true)
        }
        if force { return all }
        return try warehouse.read { store in
            let pipelineId = try store.ensurePipelineIfExists(loaded.name)
            guard let pipelineId else { return all }
            return try all.filter { d in
                try store.lastStageRun(pipelineId: pipelineId, date: d.description, stage: .render)?.status != .ok
                    || labelsChanged(d, store: store, pipelineId: pipelineId)
            }
        }
    }

    /// Warns for each snapshot or labels file named with a date that is not on the calendar
    /// (`2026-02-30.csv`): no day is audited from it, and the file is named so it is not missed.
    func warnMisdated() {
        let d = loaded.definition
        for (what, pattern) in [("snapshot", d.snapshots.path), ("labels", d.labels?.path)] {
            guard let pattern else { continue }
            let paths = SnapshotDiscovery.misdated(matching: loaded.resolve(pattern))
            for line in Self.misdatedWarnings(pipeline: loaded.name, what: what, pattern: pattern, paths: paths) {
                logger.warning("\(line)")
            }
        }
    }

    /// How many misdated files are named one by one; a folder's name is data, so a folder of
    /// thousands of such files gives this many lines and one that counts the rest.
    static let misdatedNamed = 10

    /// The warning lines for `paths`, misdated files of one pattern: the first `misdatedNamed`
    /// each on its own line, then one line counting the others (terminal-safe text).
    static func misdatedWarnings(pipeline: String, what: String, pattern: String, paths: [String]) -> [String] {
        let shown = paths.prefix(misdatedNamed).map { path in
            "\(SafeText.terminal(pipeline)): skipped \(what) file '\(SafeText.terminal(path))': its name has a date that is not on the calendar (pattern '\(SafeText.terminal(pattern))')"
        }
        guard paths.count > misdatedNamed else { return shown }
        let rest = paths.count - misdatedNamed
        return shown + ["\(SafeText.terminal(pipeline)): skipped \(rest) more \(what) file\(rest == 1 ? "" : "s") named with a date that is not on the calendar (pattern '\(SafeText.terminal(pattern))'; the first \(misdatedNamed) are named above)"]
    }

    /// Runs every stage for each of `days`, preparing the baseline first.
    ///
    /// Holds the pipeline's lock for the whole run. A day whose snapshot, labels and model
    /// configuration are unchanged resumes at its first stage that has not completed (so a
    /// run killed mid-way picks up where it stopped); `force` re-runs every stage (a new report
    /// version is still written only when the results changed). After the days, retention
    /// deletes old raw rows when the definition asks for it.
    public func run(days: [Day], force: Bool = false) -> RunReport {
        run(force: force) { _ in days }
    }

    /// Runs the days `due` picks once the lock is held and the warehouse is open (so the
    /// warehouse is never opened or migrated without the lock: concurrent first runs of one
    /// pipeline wait for each other instead of racing to create its tables).
    public func run(force: Bool = false, due: (any WarehouseBackend) throws -> [Day]) -> RunReport {
        var report = RunReport(pipeline: loaded.name, runId: nil, days: [], error: nil)
        let finished = run(force: force, due: due, report: report)
        report = finished
        report.finishedAt = Date()
        return report
    }

    private func run(force: Bool, due: (any WarehouseBackend) throws -> [Day], report: RunReport) -> RunReport {
        var report = report
        let lock: (any PipelineLease)?
        let warehouse: any WarehouseBackend
        let runId: Int64
        let days: [Day]
        do {
            let opened = try openLocked()
            lock = opened.lease
            warehouse = opened.backend
            days = try due(warehouse)
            runId = try startRun(warehouse)
            report.runId = runId
        } catch {
            report.error = asAuditError(error)
            return report
        }
        defer { withExtendedLifetime(lock) {} }
        var runner = self
        if (loaded.definition.snapshots.cadence ?? .auto) == .auto {
            // `auto`: the cadence the snapshot files found imply, fixed for the whole run.
            runner.loaded = loaded.with(cadence: Cadence.infer(SnapshotDiscovery.days(loaded) + days))
        }
        return runner.runLocked(days: days, warehouse: warehouse, runId: runId, force: force, report: report)
    }

    /// The body of a run once the lock is held, the warehouse open and the cadence resolved.
    private func runLocked(days: [Day], warehouse: any WarehouseBackend, runId: Int64, force: Bool, report: RunReport) -> RunReport {
        var report = report
        do {
            try prepareBaseline(warehouse, runId: runId)
        } catch {
            report.error = asAuditError(error)
            finishRun(warehouse, runId, report)
            return report
        }
        for day in days {
            let result = runDay(day, warehouse: warehouse, runId: runId, force: force)
            report.days.append(result)
            if let notify = loaded.definition.notify {
                Notifier(spec: notify, logger: logger).notify(pipeline: loaded.name, result: result)
            }
        }
        applyRetention(warehouse)
        finishRun(warehouse, runId, report)
        return report
    }

    /// Runs one stage for one target, in a run of its own (holding the pipeline's lock).
    public func runStage(_ stage: Stage, target: AuditTarget) throws -> StageOutput {
        let opened = try openLocked()
        defer { withExtendedLifetime(opened.lease) {} }
        let warehouse = opened.backend
        let runId = try startRun(warehouse)
        do {
            let out = try execute(stage, target: target, warehouse: warehouse, runId: runId)
            try warehouse.write { try $0.finishRun(runId, ok: true, exitStatus: 0, error: nil) }
            return out
        } catch {
            let e = asAuditError(error)
            try? warehouse.write { try $0.finishRun(runId, ok: false, exitStatus: e.exitStatus, error: e.description) }
            throw e
        }
    }

    /// Deletes raw rows (and serving hosts' resource samples) older than `retention.raw_days`
    /// before the newest snapshot date.
    func applyRetention(_ warehouse: any WarehouseBackend) {
        guard let days = loaded.definition.retention?.rawDays else { return }
        do {
            let (purged, samples) = try warehouse.write { store -> ([(date: String, rows: Int)], Int) in
                let pipelineId = try store.ensurePipeline(loaded.name)
                guard let newest = try store.newestDailyDate(pipelineId: pipelineId).flatMap({ Day($0) }) else { return ([], 0) }
                let cutoff = newest.adding(days: -days).description
                return (try store.purgeRows(pipelineId: pipelineId, before: cutoff),
                        try store.purgeResourceSamples(pipelineId: pipelineId, before: cutoff))
            }
            if !purged.isEmpty {
                logger.info("retention: deleted \(purged.reduce(0) { $0 + $1.rows }) stored rows of \(purged.count) snapshots older than \(days) days")
            }
            if samples > 0 { logger.info("retention: deleted \(samples) resource samples older than \(days) days") }
        } catch {
            logger.error("retention failed (the audit results are unaffected): \(asAuditError(error).description)")
        }
    }

    /// Ingests the baseline; validates and profiles it when it is new or not yet profiled.
    public func prepareBaseline(_ warehouse: any WarehouseBackend, runId: Int64) throws {
        let ingest = try execute(.ingest, target: .baseline, warehouse: warehouse, runId: runId)
        let profiled = try warehouse.read { store -> Bool in
            guard case .ingest(let outcome) = ingest else { return false }
            return try !store.profiles(snapshotId: outcome.snapshotId).isEmpty
        }
        if case .ingest(let outcome) = ingest, outcome.unchanged, profiled { return }
        _ = try execute(.validate, target: .baseline, warehouse: warehouse, runId: runId)
        _ = try execute(.profile, target: .baseline, warehouse: warehouse, runId: runId)
    }

    func runDay(_ day: Day, warehouse: any WarehouseBackend, runId: Int64, force: Bool) -> DayResult {
        var result = DayResult(day: day)
        var stages = Stage.allCases
        do {
            FaultInjection.point("before-ingest")
            let ingest = try execute(.ingest, target: .day(day), warehouse: warehouse, runId: runId)
            FaultInjection.point("after-ingest")
            stages.removeFirst()
            if case .ingest(let outcome) = ingest, !force, outcome.unchanged, outcome.labelsLoaded == 0 {
                stages = try firstIncomplete(day, after: .ingest, warehouse: warehouse)
            }
        } catch {
            result.error = asAuditError(error)
            result.failedStage = .ingest
            logger.error("\(loaded.name) \(day): ingest failed: \(result.error!.description)")
            return result
        }
        for stage in stages {
            do {
                FaultInjection.point("before-\(stage.rawValue)")
                let out = try execute(stage, target: .day(day), warehouse: warehouse, runId: runId)
                FaultInjection.point("after-\(stage.rawValue)")
                if case .render(let r) = out { result.report = r }
            } catch {
                result.error = asAuditError(error)
                result.failedStage = stage
                logger.error("\(loaded.name) \(day): \(stage.rawValue) failed: \(result.error!.description)")
                return result
            }
        }
        if result.report == nil {
            // Everything was already complete: report the current version without re-rendering
            // (or render it again when its files are gone from the reports folder).
            // A report that cannot be read back is a failure of the render stage, never a silent success.
            do {
                result.report = try currentReport(day, warehouse: warehouse)
                if result.report == nil {
                    // The ledger's latest report is not on disk (RenderStage.current logged why): render it again.
                    if case .render(let r) = try execute(.render, target: .day(day), warehouse: warehouse, runId: runId) {
                        result.report = r
                    }
                }
            } catch {
                result.error = asAuditError(error)
                result.failedStage = .render
                logger.error("\(loaded.name) \(day): reading the current report failed: \(result.error!.description)")
            }
        }
        return result
    }

    /// The stages after `stage` from the first one whose latest ledger entry is not `ok`.
    func firstIncomplete(_ day: Day, after stage: Stage, warehouse: any WarehouseBackend) throws -> [Stage] {
        let later = Stage.allCases.filter { $0 > stage }
        return try warehouse.read { store in
            guard let pipelineId = try store.ensurePipelineIfExists(loaded.name) else { return later }
            for (i, s) in later.enumerated() {
                if try store.lastStageRun(pipelineId: pipelineId, date: day.description, stage: s)?.status != .ok {
                    return Array(later[i...])
                }
            }
            return []
        }
    }

    /// The latest rendered report of a day, as a render outcome (nothing new written).
    func currentReport(_ day: Day, warehouse: any WarehouseBackend) throws -> RenderOutcome? {
        try RenderStage(loaded: loaded, warehouse: warehouse, logger: logger).current(day)
    }

    /// What a stage returned.
    public enum StageOutput: Sendable {
        case ingest(IngestOutcome)
        case validate([Finding])
        case profile([ColumnProfile])
        case compare(CompareOutcome)
        case render(RenderOutcome)
    }

    func execute(_ stage: Stage, target: AuditTarget, warehouse: any WarehouseBackend, runId: Int64) throws -> StageOutput {
        let stageRunId = try warehouse.write { store in
            try store.startStage(runId: runId, pipelineId: try store.ensurePipeline(loaded.name), date: target.description, stage: stage)
        }
        do {
            switch (stage, target) {
            case (.ingest, _):
                return .ingest(try IngestStage(loaded: loaded, warehouse: warehouse, logger: logger, progress: ingestProgress).run(target, runId: runId, stageRunId: stageRunId))
            case (.validate, _):
                return .validate(try ValidateStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, stageRunId: stageRunId))
            case (.profile, _):
                return .profile(try ProfileStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, stageRunId: stageRunId))
            case (.compare, .day(let d)):
                return .compare(try CompareStage(loaded: loaded, warehouse: warehouse, logger: logger).run(d, stageRunId: stageRunId))
            case (.render, .day(let d)):
                return .render(try RenderStage(loaded: loaded, warehouse: warehouse, logger: logger).run(d, runId: runId, stageRunId: stageRunId))
            default:
                throw MLAuditError(.usage, "the \(stage.rawValue) stage works on a day, not on the baseline", hint: "Give --date YYYY-MM-DD.")
            }
        } catch {
            let e = asAuditError(error)
            try? warehouse.write { try $0.failStage(stageRunId, error: e.description) }
            throw e
        }
    }

    /// Records a new run; runs and stages left `running` by a killed process are marked failed.
    func startRun(_ warehouse: any WarehouseBackend) throws -> Int64 {
        try warehouse.write { store in
            let pipelineId = try store.ensurePipeline(loaded.name)
            let definitionId = try store.recordDefinition(pipelineId: pipelineId, loaded)
            let runId = try store.startRun(pipelineId: pipelineId, definitionId: definitionId, command: command)
            if try store.markInterrupted(pipelineId: pipelineId, exceptRun: runId) > 0 {
                logger.notice("\(loaded.name): an earlier run was interrupted; resuming its unfinished stages")
            }
            return runId
        }
    }

    func finishRun(_ warehouse: any WarehouseBackend, _ runId: Int64, _ report: RunReport) {
        let status = report.exitStatus(failOn: .critical)
        let error = report.error?.description ?? report.days.compactMap { $0.error?.description }.first
        try? warehouse.write { try $0.finishRun(runId, ok: status != 2, exitStatus: status, error: error) }
    }
}

/// Any error as an MLAudit error (unexpected ones are internal errors).
public func asAuditError(_ error: any Error) -> MLAuditError {
    if let e = error as? MLAuditError { return e }
    return MLAuditError.internalError("unexpected error: \(error)")
}
