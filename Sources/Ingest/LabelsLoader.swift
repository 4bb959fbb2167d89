import AuditModel
import Foundation
import Warehouse

/// Loads a late labels file for a day: a CSV with the id column and the target column. It
/// becomes a snapshot of kind `labels` (hash, counts, quarantine like any file) whose rows go
/// to the `label` table; the compare stage joins them to the day's rows by id.
struct LabelsLoader {
    let loaded: LoadedDefinition
    let store: Store
    let pipelineId: Int64
    let runId: Int64?

    func load(path: String, day: Day, snapshotId: Int64) throws -> (loaded: Int, findings: [Finding]) {
        guard FileManager.default.fileExists(atPath: path) else { return (0, []) }
        let def = loaded.definition
        guard let idName = def.labels?.id ?? def.schema.id, let targetName = def.labels?.target ?? def.schema.target else {
            throw MLAuditError.definition(
                "labels are configured but the id or target column is not declared", file: loaded.path, key: "labels",
                hint: "Set schema.id and schema.target (or labels.id and labels.target).")
        }
        let digest = try FileDigest.of(path: path)
        if let current = try store.currentSnapshot(pipelineId: pipelineId, kind: .labels, date: day.description),
            current.sha256 == digest.sha256
        {
            return (0, try unmatchedFinding(labelsSnapshot: current.id, daySnapshot: snapshotId, path: path))
        }
        let (id, _) = try store.insertSnapshot(
            pipelineId: pipelineId,
            NewSnapshot(kind: .labels, date: day.description, sourcePath: path, sha256: digest.sha256, bytes: digest.bytes,
                        header: [], runId: runId))
        let delimiter = def.labels?.delimiter.flatMap { $0.utf8.first } ?? UInt8(ascii: ",")
        let parser = ValueParser(nullTokens: def.snapshots.nullValues)
        let reader = try CSVReader(path: path, delimiter: delimiter)
        var header: [String]?
        var idIndex: Int?
        var targetIndex: Int?
        var read = 0, stored = 0
        var quarantined: [QuarantinedRow] = []
        var batch: [(rowId: String, value: String?, line: Int)] = []
        var scratch: [UInt8] = []
        try reader.forEach(
            record: { rec in
                guard let h = header else {
                    let names = (0..<rec.fields.count).map { rec.fieldString($0).trimmingCharacters(in: .whitespaces) }
                    header = names
                    idIndex = names.firstIndex(of: idName)
                    targetIndex = names.firstIndex(of: targetName)
                    return
                }
                read += 1
                guard rec.fields.count == h.count else {
                    quarantined.append(QuarantinedRow(
                        file: path, line: rec.line, raw: rec.rawText(),
                        reason: "expected \(h.count) fields, found \(rec.fields.count)"))
                    return
                }
                guard let ii = idIndex, let ti = targetIndex else {
                    quarantined.append(QuarantinedRow(
                        file: path, line: rec.line, raw: rec.rawText(),
                        reason: "the labels file has no '\(idIndex == nil ? idName : targetName)' column"))
                    return
                }
                let rowId = rec.withField(ii, scratch: &scratch) { b -> String? in
                    parser.isNull(b, forFloat: false) || !isValidUTF8(b) ? nil : String(decoding: b, as: UTF8.self)
                }
                guard let rowId else {
                    quarantined.append(QuarantinedRow(
                        file: path, line: rec.line, raw: rec.rawText(), reason: "missing or invalid id", column: idName))
                    return
                }
                let value = rec.withField(ti, scratch: &scratch) { b -> String? in
                    parser.isNull(b, forFloat: false) || !isValidUTF8(b) ? nil : String(decoding: b, as: UTF8.self)
                }
                batch.append((rowId, value, rec.line))
                stored += 1
                if batch.count >= 10_000 {
                    try store.insertLabels(snapshotId: id, batch)
                    batch.removeAll(keepingCapacity: true)
                }
            },
            malformed: { line, raw, reason in
                read += 1
                quarantined.append(QuarantinedRow(file: path, line: line, raw: raw, reason: reason))
            })
        try store.insertLabels(snapshotId: id, batch)
        try store.insertQuarantined(snapshotId: id, quarantined)
        try store.finishSnapshot(id, read: read, stored: stored, quarantined: quarantined.count)
        try store.setSnapshotHeader(id, header: header ?? [])
        var findings = try unmatchedFinding(labelsSnapshot: id, daySnapshot: snapshotId, path: path)
        if !quarantined.isEmpty {
            findings.append(Finding(
                CheckCatalog.ingestQuarantined, severity: .info,
                message: "\(quarantined.count) of \(read) label rows quarantined (labels file)",
                observed: "\(quarantined.count)", expected: "0"))
        }
        return (stored, findings)
    }

    /// A finding when labels name ids the day's snapshot does not have.
    private func unmatchedFinding(labelsSnapshot: Int64, daySnapshot: Int64, path: String) throws -> [Finding] {
        let def = loaded.definition
        guard let idName = def.schema.id else { return [] }
        let table = try store.rowTable(pipelineId: pipelineId, columns: def.declaredColumns)
        let labels = try store.labels(snapshotId: labelsSnapshot)
        guard !labels.isEmpty else { return [] }
        guard case .labels(let ids)? = try store.readColumns(table, snapshotId: daySnapshot, columns: [idName])[idName]
        else { return [] }
        let known = Set(ids.dictionary)
        let unmatched = labels.keys.filter { !known.contains($0) }.count
        guard unmatched > 0 else { return [] }
        return [Finding(
            CheckCatalog.ingestLabelsUnmatched, severity: unmatched * 20 >= labels.count ? .warning : .info,
            column: idName,
            message: "\(unmatched) of \(labels.count) labels match no prediction of the day",
            observed: "\(unmatched)", expected: "0")]
    }
}
