import AuditModel
import Foundation
import Warehouse

/// What the warehouse and the latest report say about one pipeline: the input of
/// `mlaudit status`, the fleet page and the Prometheus textfile.
public struct PipelineState: Sendable {
    public var pipeline: String
    /// The newest report of the latest audited period; nil when nothing was rendered yet.
    public var latestReport: ReportRecord?
    /// That report's summary.json, read back; nil when there is no report or its file is gone.
    public var summary: AuditSummary?
    /// Why `summary` is nil although a report exists (the file is missing or unreadable).
    public var summaryProblem: String?
    /// The most recent run of the pipeline (any command).
    public var latestRun: LatestRun?
    /// Every audited date, oldest first.
    public var reportedDates: [Day]
    /// False when the warehouse file does not exist yet (the pipeline never ran).
    public var warehouseExists: Bool
}

/// The warehouse reads behind the fleet overview and the textfile, in one place (they move
/// behind the storage seam together). Read-only: nothing is created or migrated, and a run
/// holding the pipeline's lock is not disturbed.
public enum FleetReads {
    /// The state of the pipeline of `loaded`.
    ///
    /// - Throws: `MLAuditError.warehouse` when the warehouse exists but cannot be read.
    public static func state(_ loaded: LoadedDefinition) throws -> PipelineState {
        var state = PipelineState(
            pipeline: loaded.name, latestReport: nil, summary: nil, summaryProblem: nil, latestRun: nil, reportedDates: [],
            warehouseExists: false)
        let path = loaded.warehousePath
        guard FileManager.default.fileExists(atPath: path) else { return state }
        state.warehouseExists = true
        let warehouse = try Warehouse(readOnlyPath: path)
        try warehouse.read { store in
            guard let id = try store.ensurePipelineIfExists(loaded.name) else { return }
            state.latestReport = try store.latestPeriodReport(pipelineId: id)
            state.latestRun = try store.latestRun(pipelineId: id)
            state.reportedDates = try store.reportedDates(pipelineId: id).compactMap { Day($0) }
        }
        if let r = state.latestReport {
            let file = r.directory + "/summary.json"
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                state.summary = try SummaryJSON.decode(AuditSummary.self, from: data)
            } catch {
                state.summaryProblem = "\(file) cannot be read (\(error.localizedDescription))"
            }
        }
        return state
    }
}

extension PipelineMetrics {
    /// The textfile's numbers for a run that just ended: its timing and exit status, and the
    /// summary.json of the pipeline's latest audited period (read back from the warehouse's
    /// report ledger, so a run with nothing to do still exports the latest report).
    ///
    /// - Throws: `MLAuditError.warehouse` when the warehouse cannot be read.
    public static func after(_ report: RunReport, loaded: LoadedDefinition, failOn: Severity = .critical) throws -> PipelineMetrics {
        let state = try FleetReads.state(loaded)
        return PipelineMetrics(
            pipeline: loaded.name, runFinished: report.finishedAt, runDuration: report.finishedAt.timeIntervalSince(report.startedAt),
            exitStatus: report.exitStatus(failOn: failOn), summary: state.summary)
    }
}
