import AuditModel
import Foundation
import Ingest
import Warehouse

extension PipelineRunner {
    /// Whether the labels file of an already audited `day` is new or changed since the day was
    /// last ingested: then the day is due again, so late labels reach realized performance
    /// (ingest loads them, compare recomputes, render writes a new report version).
    ///
    /// Cheap in the usual case: a missing file or one whose size and modification time match
    /// the ingested labels snapshot is not read; otherwise its SHA-256 decides.
    func labelsChanged(_ day: Day, store: any WarehouseTransaction, pipelineId: Int64) throws -> Bool {
        guard let path = loaded.labelsPath(for: day),
            let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            (attributes[.type] as? FileAttributeType) == .typeRegular
        else { return false }
        guard let current = try store.currentSnapshot(pipelineId: pipelineId, kind: .labels, date: day.description) else {
            return true
        }
        let bytes = (attributes[.size] as? NSNumber)?.intValue ?? -1
        if bytes != current.bytes { return true }
        let modified = (attributes[.modificationDate] as? Date).map { Int64($0.timeIntervalSince1970 * 1000) } ?? .max
        if let ingested = Timestamp.parseCanonical(current.ingestedAt), modified < ingested { return false }
        return (try? FileDigest.of(path: path).sha256) != current.sha256
    }
}
