import AuditModel
import Foundation
import Warehouse

/// Loads a late labels file for a day: a CSV with the id column and the target column. It
/// becomes a snapshot of kind `labels` (hash, counts, quarantine like any file) whose rows go
/// to the `label` table; the compare stage joins them to the day's rows by id.
struct LabelsLoader {
    let loaded: LoadedDefinition
    let store: any WarehouseTransaction
    let pipelineId: Int64
    let runId: Int64?

    func load(path: String, day: Day, snapshotId: Int64) throws -> (loaded: Int, findings: [Finding]) {
        let parts = try SnapshotParts.resolve(path, followSymlinks: loaded.definition.followSymlinks ?? false)
        guard !parts.files.isEmpty else { return (0, []) }
        let def = loaded.definition
        guard let idName = def.labels?.id ?? def.schema.id, let targetName = def.labels?.target ?? def.schema.target else {
            throw MLAuditError.definition(
                "labels are configured but the id or target column is not declared", file: loaded.path, key: "labels",
                hint: "Set schema.id and schema.target (or labels.id and labels.target).")
        }
        let digest = try SnapshotDigest.of(parts)
        let id: Int64
        if let current = try store.currentSnapshot(pipelineId: pipelineId, kind: .labels, date: day.description),
            current.sha256 == digest.sha256
        {
            guard current.rowsPurgedAt != nil else {
                return (0, try unmatchedFinding(labelsSnapshot: current.id, daySnapshot: snapshotId, path: path))
            }
            // Retention deleted these labels and the same bytes are back (a re-audit of a purged
            // day): load them into the same snapshot, as the day's rows are.
            try store.deleteLabelRows(snapshotId: current.id)
            try store.clearPurged(current.id)
            id = current.id
        } else {
            id = try store.insertSnapshot(
                pipelineId: pipelineId,
                NewSnapshot(kind: .labels, date: day.description, sourcePath: path, sha256: digest.sha256, bytes: digest.bytes,
                            header: [], runId: runId)).0
        }
        // The same readers and typing as snapshots: id and label kept as text, the id required.
        let columns = [
            DeclaredColumn(name: idName, type: .text, role: .id), DeclaredColumn(name: targetName, type: .text, role: .target),
        ]
        let delimiter: UInt8? = def.labels?.delimiter.flatMap { $0.utf8.first }
        var plan = LoadPlan(
            parts: parts, expectedDigests: digest.parts.map(\.sha256), format: def.labels?.format ?? .auto,
            delimiter: delimiter, declared: columns,
            typer: RowTyper(
                columns: columns, parser: ValueParser(nullTokens: def.snapshots.nullValues), required: [idName],
                classes: def.classLabels),
            requiredHeaderColumns: [idName, targetName], requireSomeDeclaredColumn: false,
            maxColumns: def.maxColumns, maxHeaderBytes: def.maxHeaderBytes)
        // A label is kept as text that cannot hold U+0000 on either backend (`StoredText`): an id
        // `id0\0x` used to be cut to `id0` and label that row. Such a label is set aside.
        plan.quarantineNUL = true
        if store.textHoldsNUL { plan.nulReason = "which a label id or value cannot hold (docs/ingest.md)" }
        let result = try runLoad(plan, sink: LabelSink(store: store, snapshotId: id))
        let c = result.counts
        try store.finishSnapshot(id, read: c.read, stored: c.stored, quarantined: c.quarantined)
        try store.setSnapshotHeader(id, header: result.header)
        try store.insertSnapshotParts(snapshotId: id, result.parts.enumerated().map { k, p in
            SnapshotPartRecord(
                ordinal: k, path: p.path, name: p.name, format: p.format.rawValue, compression: p.compression.rawValue,
                sha256: digest.parts[k].sha256, bytes: p.fileBytes, dataBytes: p.dataBytes, rowsRead: p.read,
                rowsStored: p.stored, rowsQuarantined: p.quarantined, damage: p.damage)
        })
        var findings = try unmatchedFinding(labelsSnapshot: id, daySnapshot: snapshotId, path: path)
        if c.quarantined > 0 {
            findings.append(Finding(
                CheckCatalog.ingestQuarantined, severity: .info,
                message: "\(c.quarantined) of \(c.read) label rows quarantined (labels file)",
                observed: "\(c.quarantined)", expected: "0"))
        }
        for d in result.damage {
            findings.append(Finding(
                CheckCatalog.ingestTruncatedInput, severity: .critical,
                message: "labels file: \(d): labels after the damage are missing",
                observed: "stream ends early", expected: "a complete gzip stream"))
        }
        for r in result.headerRejections {
            findings.append(Finding(CheckCatalog.ingestHeaderMismatch, severity: .critical, message: "labels file: \(r)"))
        }
        return (c.stored, findings)
    }

    /// Findings on how the labels join the day: ids the day's snapshot does not have (critical
    /// when none joins: the join is broken, and realized performance cannot be computed), and
    /// ids labelled twice with different values.
    private func unmatchedFinding(labelsSnapshot: Int64, daySnapshot: Int64, path: String) throws -> [Finding] {
        let def = loaded.definition
        guard let idName = def.schema.id else { return [] }
        var findings: [Finding] = []
        let conflicts = try store.conflictingLabelIds(snapshotId: labelsSnapshot)
        if conflicts.count > 0 {
            findings.append(Finding(
                CheckCatalog.ingestLabelsConflicting, severity: .warning, column: idName,
                message: "\(conflicts.count) ids are labelled more than once with different values (the last line wins): "
                    + conflicts.examples.map { "'\(SafeText.cut($0))'" }.joined(separator: ", ") + (conflicts.count > conflicts.examples.count ? ", …" : ""),
                observed: "\(conflicts.count)", expected: "0"))
        }
        let labels = try store.labels(snapshotId: labelsSnapshot)
        guard !labels.isEmpty else { return findings }
        let day = try store.snapshot(id: daySnapshot)
        if let day, day.rowsStored > 0, !day.header.contains(idName) {
            findings.append(Finding(
                CheckCatalog.ingestLabelsUnmatched, severity: .critical, column: idName,
                message: "\(labels.count) labels cannot be joined: the day's file has no id column '\(idName)'",
                observed: "no '\(idName)' column", expected: "the id column in the snapshot"))
            return findings
        }
        let table = try store.rowTable(pipelineId: pipelineId, columns: def.declaredColumns)
        guard case .labels(let ids)? = try store.readColumns(table, snapshotId: daySnapshot, columns: [idName])[idName]
        else { return findings }
        let known = Set(ids.dictionary)
        let unmatched = labels.keys.filter { !known.contains($0) }.count
        guard unmatched > 0 else { return findings }
        let none = unmatched == labels.count
        findings.append(Finding(
            CheckCatalog.ingestLabelsUnmatched, severity: none ? .critical : unmatched * 20 >= labels.count ? .warning : .info,
            column: idName,
            message: none
                ? "none of the \(labels.count) labels matches a prediction of the day by '\(idName)': the join is broken (e.g. label id '\(SafeText.cut(labels.keys.min() ?? ""))')"
                : "\(unmatched) of \(labels.count) labels match no prediction of the day",
            observed: "\(unmatched)", expected: "0"))
        return findings
    }
}

/// Writes label rows (id, value as text, line) and the labels file's quarantined rows.
struct LabelSink: BatchSink {
    let store: any WarehouseTransaction
    let snapshotId: Int64

    func write(_ batch: RowBatch) throws {
        var labels: [(rowId: String, value: String?, line: Int)] = []
        labels.reserveCapacity(batch.rows)
        for r in 0..<batch.rows {
            let s = r * batch.columns
            guard batch.kinds[s] == SlotKind.text.rawValue else { continue }
            let id = String(decoding: batch.text(offset: batch.payloads[s], length: batch.lengths[s]), as: UTF8.self)
            let value: String? =
                batch.kinds[s + 1] == SlotKind.text.rawValue
                ? String(decoding: batch.text(offset: batch.payloads[s + 1], length: batch.lengths[s + 1]), as: UTF8.self) : nil
            labels.append((id, value, batch.lines[r]))
        }
        try store.insertLabels(snapshotId: snapshotId, labels)
        if !batch.quarantined.isEmpty { try store.insertQuarantined(snapshotId: snapshotId, batch.quarantined) }
    }
}
