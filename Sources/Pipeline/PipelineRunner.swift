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
    public let loaded: LoadedDefinition
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

    public func openWarehouse() throws -> Warehouse { try Warehouse(path: loaded.warehousePath) }

    /// Days to run: those with a snapshot file in `since...until`, skipping days whose report
    /// is already rendered unless `force`.
    public func dueDays(since: Day?, until: Day?, force: Bool, warehouse: Warehouse) throws -> [Day] {
        let all = SnapshotDiscovery.days(loaded).filter { d in
            (since.map { d >= $0 } ?? true) && (until.map { d <= $0 } ?? true)
        }
        if force { return all }
        return try warehouse.read { store in
            let pipelineId = try store.ensurePipelineIfExists(loaded.name)
            guard let pipelineId else { return all }
            return try all.filter { d in
                try store.lastStageRun(pipelineId: pipelineId, date: d.description, stage: .render)?.status != .ok
            }
        }
    }

    /// Runs every stage for each of `days`, preparing the baseline first.
    public func run(days: [Day]) -> RunReport {
        var report = RunReport(pipeline: loaded.name, runId: nil, days: [], error: nil)
        let warehouse: Warehouse
        do { warehouse = try openWarehouse() } catch {
            report.error = asAuditError(error)
            return report
        }
        let runId: Int64
        do {
            runId = try startRun(warehouse)
            report.runId = runId
        } catch {
            report.error = asAuditError(error)
            return report
        }
        do {
            try prepareBaseline(warehouse, runId: runId)
        } catch {
            report.error = asAuditError(error)
            finishRun(warehouse, runId, report)
            return report
        }
        for day in days {
            report.days.append(runDay(day, warehouse: warehouse, runId: runId))
        }
        finishRun(warehouse, runId, report)
        return report
    }

    /// Runs one stage for one target, in a run of its own.
    public func runStage(_ stage: Stage, target: AuditTarget) throws -> StageOutput {
        let warehouse = try openWarehouse()
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

    /// Ingests the baseline; validates and profiles it when it is new or not yet profiled.
    public func prepareBaseline(_ warehouse: Warehouse, runId: Int64) throws {
        let ingest = try execute(.ingest, target: .baseline, warehouse: warehouse, runId: runId)
        let profiled = try warehouse.read { store -> Bool in
            guard case .ingest(let outcome) = ingest else { return false }
            return try !store.profiles(snapshotId: outcome.snapshotId).isEmpty
        }
        if case .ingest(let outcome) = ingest, outcome.unchanged, profiled { return }
        _ = try execute(.validate, target: .baseline, warehouse: warehouse, runId: runId)
        _ = try execute(.profile, target: .baseline, warehouse: warehouse, runId: runId)
    }

    func runDay(_ day: Day, warehouse: Warehouse, runId: Int64) -> DayResult {
        var result = DayResult(day: day)
        for stage in Stage.allCases {
            do {
                let out = try execute(stage, target: .day(day), warehouse: warehouse, runId: runId)
                if case .render(let r) = out { result.report = r }
            } catch {
                result.error = asAuditError(error)
                result.failedStage = stage
                logger.error("\(loaded.name) \(day): \(stage.rawValue) failed: \(result.error!.description)")
                return result
            }
        }
        return result
    }

    /// What a stage returned.
    public enum StageOutput: Sendable {
        case ingest(IngestOutcome)
        case validate([Finding])
        case profile([ColumnProfile])
        case compare(CompareOutcome)
        case render(RenderOutcome)
    }

    func execute(_ stage: Stage, target: AuditTarget, warehouse: Warehouse, runId: Int64) throws -> StageOutput {
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

    func startRun(_ warehouse: Warehouse) throws -> Int64 {
        try warehouse.write { store in
            let pipelineId = try store.ensurePipeline(loaded.name)
            let definitionId = try store.recordDefinition(pipelineId: pipelineId, loaded)
            return try store.startRun(pipelineId: pipelineId, definitionId: definitionId, command: command)
        }
    }

    func finishRun(_ warehouse: Warehouse, _ runId: Int64, _ report: RunReport) {
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
