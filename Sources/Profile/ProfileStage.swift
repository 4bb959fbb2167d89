import AuditModel
import Foundation
import Logging
import Warehouse

/// Stage 3: column profiles of a snapshot (docs/profiles.md): numeric summaries and
/// quantiles, histograms on the baseline's bin edges, category counts, boolean shares,
/// timestamp ranges, text lengths. Columns are profiled in parallel.
public struct ProfileStage {
    public let loaded: LoadedDefinition
    public let warehouse: any WarehouseBackend
    public let logger: Logger

    public init(loaded: LoadedDefinition, warehouse: any WarehouseBackend, logger: Logger) {
        self.loaded = loaded
        self.warehouse = warehouse
        self.logger = logger
    }

    /// Profiles the current snapshot of `target`; a day needs the baseline profiled first
    /// (its histogram edges and categories are the reference).
    ///
    /// - Throws: `MLAuditError.missingPrerequisite` when the target is not ingested or the
    ///   baseline is not profiled.
    @discardableResult
    public func run(_ target: AuditTarget, stageRunId: Int64?) throws -> [ColumnProfile] {
        let definition = loaded.definition
        let start = Date()
        let profiles = try warehouse.write { store -> [ColumnProfile] in
            let pipelineId = try store.ensurePipeline(definition.name)
            let kind: SnapshotKind = target == .baseline ? .baseline : .daily
            guard let snapshot = try store.currentSnapshot(pipelineId: pipelineId, kind: kind, date: target.description)
            else {
                throw MLAuditError.prerequisite(
                    "\(target) has not been ingested",
                    hint: "Run `mlaudit ingest \(loaded.path) \(target == .baseline ? "--baseline" : "--date \(target)")` first.")
            }
            if snapshot.rowsPurgedAt != nil { throw MLAuditError.rowsPurged(target.description, definition: loaded.path) }
            var baselineProfiles: [String: ColumnProfile] = [:]
            if target != .baseline {
                guard let base = try store.currentSnapshot(pipelineId: pipelineId, kind: .baseline, date: "baseline") else {
                    throw MLAuditError.prerequisite(
                        "the baseline has not been ingested and profiled",
                        hint: "Run `mlaudit run \(loaded.path)` (it prepares the baseline) or `mlaudit profile \(loaded.path) --baseline`.")
                }
                let list = try store.profiles(snapshotId: base.id)
                guard !list.isEmpty else {
                    throw MLAuditError.prerequisite(
                        "the baseline has not been profiled", hint: "Run `mlaudit profile \(loaded.path) --baseline`.")
                }
                for p in list { baselineProfiles[p.column] = p }
            }
            let header = Set(snapshot.header)
            let columns = definition.declaredColumns.filter { header.contains($0.name) }
            let table = try store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns)
            // The text columns in one scan of the rows as values with their counts
            // (`readTextColumns`; validate handed them over), then the numeric columns a group at
            // a time (`Store.columnGroups`). The baseline's correlations keep the numeric
            // features' values and the target's codes.
            let byName = Dictionary(columns.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            var profiled: [String: ColumnProfile] = [:]
            var correlations = target == .baseline ? BaselineCorrelations(definition: definition, columns: columns) : nil
            let text = table.textColumns(columns.map(\.name))
            if !text.isEmpty {
                let targets = correlations == nil ? [] : text.filter { byName[$0]?.role == .target }
                // The id as hashes (`HashedText`), as validate read it.
                let hashed = text.filter { byName[$0]!.isReadAsHashes && !targets.contains($0) }
                let read = try store.readTextColumns(
                    table, snapshotId: snapshot.id, columns: text, codes: targets, rowKeys: false, hashed: hashed)
                let work = text.map { name in (byName[name]!, read.summaries[name], read.hashed[name], baselineProfiles[name]) }
                let profiles = parallelMap(work) { item in
                    item.2.map { ColumnProfiler(baseline: item.3).profile(item.0, $0) } ?? ColumnProfiler(baseline: item.3).profile(item.0, item.1!)
                }
                for p in profiles { profiled[p.column] = p }
                correlations?.collect(read.codes)
            }
            let groups = try store.columnGroups(table, snapshotId: snapshot.id, columns: columns.map(\.name).filter { !text.contains($0) })
            for group in groups {
                let data = try store.readColumns(table, snapshotId: snapshot.id, columns: group)
                let work = group.map { name in (byName[name]!, data[name]!, baselineProfiles[name]) }
                let profiles = parallelMap(work) { item in
                    ColumnProfiler(baseline: item.2).profile(item.0, item.1)
                }
                for p in profiles { profiled[p.column] = p }
                correlations?.collect(data)
            }
            let profiles = columns.map { profiled[$0.name]! }
            try store.replaceProfiles(snapshotId: snapshot.id, profiles)
            if var correlations {
                try store.replaceCorrelations(snapshotId: snapshot.id, correlations.compute())
            }
            try store.replaceMetrics(snapshotId: snapshot.id, stage: .profile, profiles.flatMap(profileMetrics))
            if let stageRunId { try store.completeStage(stageRunId, snapshotId: snapshot.id) }
            return profiles
        }
        logger.info(
            "profile \(target): \(profiles.count) columns in \(formatNumber(Date().timeIntervalSince(start), digits: 3)) s")
        return profiles
    }
}
