import AuditModel
import Foundation
import Logging
import Warehouse

/// Stage 2: data-quality checks on an ingested snapshot, judged against the definition's
/// thresholds (column settings over pipeline settings over defaults, see docs/checks.md).
///
/// Reads the snapshot record, its ingest metrics and its stored rows; writes its findings
/// and metrics in one transaction.
public struct ValidateStage {
    public let loaded: LoadedDefinition
    public let warehouse: any WarehouseBackend
    public let logger: Logger

    /// The moment future timestamps are judged against. Default: the clock at run time.
    public var now: @Sendable () -> Date

    public init(loaded: LoadedDefinition, warehouse: any WarehouseBackend, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.loaded = loaded
        self.warehouse = warehouse
        self.logger = logger
        self.now = now
    }

    var definition: PipelineDefinition { loaded.definition }

    /// Validates the current snapshot of `target`.
    ///
    /// - Returns: the findings written. Findings are results, not errors.
    /// - Throws: `MLAuditError.missingPrerequisite` when the target has not been ingested.
    @discardableResult
    public func run(_ target: AuditTarget, stageRunId: Int64?) throws -> [Finding] {
        let findings = try warehouse.write { store -> [Finding] in
            let pipelineId = try store.ensurePipeline(definition.name)
            let kind: SnapshotKind = target == .baseline ? .baseline : .daily
            guard let snapshot = try store.currentSnapshot(pipelineId: pipelineId, kind: kind, date: target.description)
            else {
                throw MLAuditError.prerequisite(
                    "\(target) has not been ingested", hint: "Run `mlaudit ingest \(loaded.path) \(targetFlag(target))` first.")
            }
            if snapshot.rowsPurgedAt != nil { throw MLAuditError.rowsPurged(target.description, definition: loaded.path) }
            let table = try store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns)
            var inputs = CheckInputs(
                snapshot: snapshot, target: target, ingestMetrics: try store.metrics(snapshotId: snapshot.id),
                quarantine: try store.quarantineByColumn(snapshotId: snapshot.id),
                nowMilliseconds: Int64((now().timeIntervalSince1970 * 1000).rounded(.down)))
            if case .day(let day) = target {
                if let base = try store.currentSnapshot(pipelineId: pipelineId, kind: .baseline, date: "baseline") {
                    for p in try store.profiles(snapshotId: base.id) { inputs.baselineProfiles[p.column] = p }
                    let baseMetrics = try store.metrics(snapshotId: base.id)
                    if let share = baseMetrics.first(where: { $0.name == .duplicateRowShare && $0.column.isEmpty })?.value {
                        let rows = Int(base.rowsStored)
                        inputs.baselineDuplicateRows = (Int((share * Double(rows)).rounded()), rows)
                    }
                    var classes: [Int: Int] = [:]
                    for m in baseMetrics where m.name == .duplicateRowClasses {
                        if let size = Int(m.column), let v = m.value { classes[size] = Int(v) }
                    }
                    if !classes.isEmpty { inputs.baselineDuplicateClasses = classes }
                }
                let periods = ChecksSpec.effective(column: nil, pipeline: definition.checks).rowCountDays ?? 7
                let dates = try store.currentSnapshotDates(pipelineId: pipelineId, kind: .daily).compactMap { Day($0) }
                inputs.cadence = (definition.snapshots.cadence ?? .auto).resolved(dates + [day])
                inputs.rowCountHistory = try store.metricSeries(
                    pipelineId: pipelineId, name: .rowsStored, from: inputs.cadence.back(periods, from: day).description,
                    to: day.adding(days: -1).description
                ).compactMap(\.value)
                if let labels = try store.currentSnapshot(pipelineId: pipelineId, kind: .labels, date: day.description) {
                    inputs.labelsFileCounts = try store.labelValueCounts(snapshotId: labels.id)
                }
            }
            var checks = Checks(loaded: loaded, inputs: inputs)
            try checks.run(store: store, table: table)
            let bounded = checks.findings.bounded()
            try store.replaceFindings(snapshotId: snapshot.id, stage: .validate, bounded, stageRunId: stageRunId)
            try store.replaceMetrics(snapshotId: snapshot.id, stage: .validate, checks.metrics)
            if let stageRunId { try store.completeStage(stageRunId, snapshotId: snapshot.id) }
            return bounded
        }
        let counts = Dictionary(grouping: findings, by: \.severity).mapValues(\.count)
        logger.info(
            "validate \(target): \(counts[.critical] ?? 0) critical, \(counts[.warning] ?? 0) warning, \(counts[.info] ?? 0) info")
        return findings
    }
}

func targetFlag(_ target: AuditTarget) -> String {
    target == .baseline ? "--baseline" : "--date \(target)"
}

