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
    /// False when the SQLite warehouse file does not exist yet (the pipeline never ran).
    public var warehouseExists: Bool
}

/// The warehouse reads behind the fleet overview and the textfile, in one place (they move
/// behind the storage seam together). Read-only: nothing is created or migrated, and a run
/// holding the pipeline's lock is not disturbed.
public enum FleetReads {
    /// The state of the pipeline of `loaded`.
    ///
    /// - Throws: `MLAuditError.warehouse` when the warehouse exists but cannot be read.
    public static func state(_ loaded: LoadedDefinition, readingSummary: Bool = true) throws -> PipelineState {
        var state = PipelineState(
            pipeline: loaded.name, latestReport: nil, summary: nil, summaryProblem: nil, latestRun: nil, reportedDates: [],
            warehouseExists: false)
        let location = WarehouseLocation.of(loaded)
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) { return state }
        state.warehouseExists = true
        let warehouse = try WarehouseBackends.open(location, options: WarehouseOpenOptions(readOnly: true)).backend
        try warehouse.read { store in
            guard let id = try store.ensurePipelineIfExists(loaded.name) else { return }
            state.latestReport = try store.latestPeriodReport(pipelineId: id)
            state.latestRun = try store.latestRun(pipelineId: id)
            state.reportedDates = try store.reportedDates(pipelineId: id).compactMap { Day($0) }
        }
        if readingSummary, let r = state.latestReport {
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

extension FleetReads {
    /// The pipeline's line of the fleet overview at `nowMs` (Unix milliseconds). A warehouse
    /// that cannot be read gives an entry with `error` set, never a thrown error, so one broken
    /// pipeline does not hide the others.
    public static func entry(_ loaded: LoadedDefinition, nowMs: Int64) -> FleetStatus.Entry {
        let declared = loaded.definition.snapshots.cadence ?? .auto
        let index = loaded.reportRoot + "/" + loaded.name + "/index.html"
        let state: PipelineState
        do {
            state = try FleetReads.state(loaded, readingSummary: false)
        } catch {
            var e = FleetStatus.Entry(
                pipeline: loaded.name, definition: loaded.path, cadence: declared == .auto ? .daily : declared, index: index,
                staleAfterDays: FleetStatus.staleAfterDays(declared))
            e.error = asAuditError(error).description
            return e
        }
        let cadence = declared.resolved(state.reportedDates)
        var e = FleetStatus.Entry(
            pipeline: loaded.name, definition: loaded.path, cadence: cadence, index: index,
            staleAfterDays: FleetStatus.staleAfterDays(cadence))
        if let r = state.latestReport {
            e.latestPeriod = r.date
            e.reportVersion = r.version
            e.status = AuditStatus(rawValue: r.status)
            e.critical = r.criticalCount
            e.warning = r.warningCount
            e.info = r.infoCount
            e.retraining = r.recommendation.flatMap(Recommendation.init(rawValue:))
            let formats = loaded.definition.report?.formats ?? ReportFormat.allCases
            let file = formats.contains(.html) ? "report.html" : formats.contains(.md) ? "report.md" : "summary.json"
            e.report = r.directory + "/" + file
        }
        if let run = state.latestRun {
            e.lastRun = FleetStatus.Run(startedAt: run.startedAt, finishedAt: run.finishedAt, status: run.status, exitStatus: run.exitStatus)
        }
        e.stale = FleetStatus.isStale(lastRunMs: state.latestRun.flatMap { Timestamp.parseCanonical($0.startedAt) }, nowMs: nowMs, cadence: cadence)
        return e
    }
}

extension FleetReads {
    /// Every pipeline of the warehouse named by `setting` (`MLAUDIT_WAREHOUSE_URL`: a
    /// `postgres://` URL, or a SQLite file path), in byte order of their names, for
    /// `mlaudit status` and `render --fleet` without definitions. Read-only.
    ///
    /// - Throws: `MLAuditError` (`.warehouse`) when the warehouse cannot be opened or read
    ///   (a SQLite file that does not exist included).
    public static func warehousePipelines(url setting: String) throws -> [String] {
        let location = WarehouseLocation.of(setting: setting)
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) {
            throw MLAuditError.warehouse(
                "MLAUDIT_WAREHOUSE_URL names a SQLite warehouse that does not exist", file: SafeText.terminal(SafeText.cut(path)),
                hint: "Set MLAUDIT_WAREHOUSE_URL to the shared warehouse (postgres://USER@HOST:PORT/DB) or an existing file, or name the definitions.")
        }
        let warehouse = try WarehouseBackends.open(location, options: WarehouseOpenOptions(readOnly: true)).backend
        return try warehouse.read { try $0.pipelineNames() }
    }

    /// The fleet overview's line of every pipeline in the warehouse named by `setting`, without
    /// definitions (docs/operations.md, "Fleet overview"): the cadence resolved from the audited
    /// dates (`auto`), the report and the pipeline's index from the report ledger's directory
    /// (`DIR/NAME/DATE/vN` → `DIR/NAME/index.html`; `reports/NAME/index.html` before the first
    /// report), `definition` empty. One read transaction for the whole fleet.
    ///
    /// - Throws: `MLAuditError` when the warehouse cannot be opened or read.
    public static func warehouseEntries(url setting: String, nowMs: Int64) throws -> [FleetStatus.Entry] {
        let names = try warehousePipelines(url: setting)
        let warehouse = try WarehouseBackends.open(WarehouseLocation.of(setting: setting), options: WarehouseOpenOptions(readOnly: true)).backend
        let states: [(String, ReportRecord?, LatestRun?, [Day])] = try warehouse.read { tx in
            try names.map { name in
                guard let id = try tx.ensurePipelineIfExists(name) else { return (name, nil, nil, []) }
                return (name, try tx.latestPeriodReport(pipelineId: id), try tx.latestRun(pipelineId: id),
                        try tx.reportedDates(pipelineId: id).compactMap { Day($0) })
            }
        }
        return states.map { name, report, run, dates in
            let cadence = Cadence.auto.resolved(dates)
            var index = "reports/" + name + "/index.html"
            if let r = report {
                // DIR/NAME/DATE/vN: the pipeline's folder is two levels up.
                let parts = r.directory.split(separator: "/", omittingEmptySubsequences: false)
                if parts.count >= 3 { index = parts.dropLast(2).joined(separator: "/") + "/index.html" }
            }
            var e = FleetStatus.Entry(
                pipeline: name, definition: "", cadence: cadence, index: index, staleAfterDays: FleetStatus.staleAfterDays(cadence))
            if let r = report {
                e.latestPeriod = r.date
                e.reportVersion = r.version
                e.status = AuditStatus(rawValue: r.status)
                e.critical = r.criticalCount
                e.warning = r.warningCount
                e.info = r.infoCount
                e.retraining = r.recommendation.flatMap(Recommendation.init(rawValue:))
                let file = ["report.html", "report.md"].first { FileManager.default.fileExists(atPath: r.directory + "/" + $0) } ?? "summary.json"
                e.report = r.directory + "/" + file
            }
            if let run {
                e.lastRun = FleetStatus.Run(startedAt: run.startedAt, finishedAt: run.finishedAt, status: run.status, exitStatus: run.exitStatus)
            }
            e.stale = FleetStatus.isStale(lastRunMs: run.flatMap { Timestamp.parseCanonical($0.startedAt) }, nowMs: nowMs, cadence: cadence)
            return e
        }
    }
}
