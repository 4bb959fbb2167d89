import AuditModel

// Public initializers of the records the seam's protocols return, so that a backend in another
// target (WarehousePostgres) can build them from its own rows. SQLite builds them from GRDB rows.
// (Records with a synthesized memberwise initializer declare a public one in their own body:
// RowTable, RunRecord, StageRunRecord, QuarantineByColumn, SegmentRecord, FairnessGroupRecord,
// LatestRun.)

extension SnapshotRecord {
    public init(
        id: Int64, pipelineId: Int64, kind: SnapshotKind, date: String, version: Int, sourcePath: String, sha256: String,
        bytes: Int, rowsRead: Int, rowsStored: Int, rowsQuarantined: Int, status: String, header: [String],
        modelConfigId: Int64?, modelConfigPath: String?, runId: Int64?, ingestedAt: String, rowsPurgedAt: String?
    ) {
        self.id = id
        self.pipelineId = pipelineId
        self.kind = kind
        self.date = date
        self.version = version
        self.sourcePath = sourcePath
        self.sha256 = sha256
        self.bytes = bytes
        self.rowsRead = rowsRead
        self.rowsStored = rowsStored
        self.rowsQuarantined = rowsQuarantined
        self.status = status
        self.header = header
        self.modelConfigId = modelConfigId
        self.modelConfigPath = modelConfigPath
        self.runId = runId
        self.ingestedAt = ingestedAt
        self.rowsPurgedAt = rowsPurgedAt
    }
}

extension ReportRecord {
    public init(
        id: Int64, date: String, version: Int, snapshotId: Int64, directory: String, status: String, contentSha256: String,
        manifestSha256: String, previousManifestSha256: String?, runId: Int64?, createdAt: String, recommendation: String?,
        criticalCount: Int?, warningCount: Int?, infoCount: Int?
    ) {
        self.id = id
        self.date = date
        self.version = version
        self.snapshotId = snapshotId
        self.directory = directory
        self.status = status
        self.contentSha256 = contentSha256
        self.manifestSha256 = manifestSha256
        self.previousManifestSha256 = previousManifestSha256
        self.runId = runId
        self.createdAt = createdAt
        self.recommendation = recommendation
        self.criticalCount = criticalCount
        self.warningCount = warningCount
        self.infoCount = infoCount
    }
}

