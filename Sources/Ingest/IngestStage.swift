import AuditModel
import Foundation
import Logging
import Warehouse

/// What ingesting one target did.
public struct IngestOutcome: Sendable, Equatable {
    public var snapshotId: Int64
    public var version: Int
    public var rowsRead: Int
    public var rowsStored: Int
    public var rowsQuarantined: Int
    /// The file's content was already ingested: nothing was loaded.
    public var unchanged: Bool
    /// Labels loaded for the day (0 when none arrived).
    public var labelsLoaded: Int
}

/// Stage 1: loads a snapshot (or the baseline) into the warehouse, typed by the schema.
///
/// Every data record is stored in the row table or quarantined with file, line, raw text
/// and reason; `rowsRead = rowsStored + rowsQuarantined` holds by a CHECK constraint. The
/// whole snapshot is one transaction: a failure leaves nothing half-ingested. Ingesting the
/// same bytes again (same SHA-256) is a no-op; different bytes for an ingested date make a
/// new snapshot version and an `ingest.snapshot_replaced` finding.
public struct IngestStage {
    public let loaded: LoadedDefinition
    public let warehouse: any WarehouseBackend
    public let logger: Logger
    /// Told how the load advances (a terminal progress line, or one log line per file); nil: silent.
    public let progress: (any IngestProgressReporter)?

    public init(
        loaded: LoadedDefinition, warehouse: any WarehouseBackend, logger: Logger, progress: (any IngestProgressReporter)? = nil
    ) {
        self.loaded = loaded
        self.warehouse = warehouse
        self.logger = logger
        self.progress = progress
    }

    var definition: PipelineDefinition { loaded.definition }

    /// Ingests the snapshot of `target` (and, for a day, its labels and model configuration).
    ///
    /// - Throws: `MLAuditError` when the snapshot is missing (no file, an empty folder, a glob
    ///   matching nothing) or unreadable, a file changes while it is read, or the warehouse
    ///   fails; the transaction then rolls back. Malformed rows, empty files, bad headers and
    ///   truncated gzip streams are not errors: they are quarantined and reported as findings.
    public func run(_ target: AuditTarget, runId: Int64?, stageRunId: Int64?) throws -> IngestOutcome {
        let path: String
        let source: SourceSpec
        let key: String
        switch target {
        case .baseline:
            path = loaded.baselinePath
            source = definition.baseline
            key = "baseline"
        case .day(let day):
            path = loaded.snapshotPath(for: day)
            source = definition.snapshots
            key = "snapshots"
        }
        let what = target == .baseline ? "baseline file" : "snapshot for \(target)"
        let parts = try SnapshotParts.resolve(path, followSymlinks: definition.followSymlinks ?? false)
        if parts.files.isEmpty { throw missingSnapshot(path, what: what) }
        let delimiter = try delimiterByte(source.delimiter, key: key + ".delimiter")
        let totalBytes = parts.files.reduce(0) { $0 + fileSize($1) }
        var hashSeconds = 0.0
        let config = try readModelConfig(target)
        let labelsPath = target.day.flatMap { loaded.labelsPath(for: $0) }
        let start = Date()
        var loadSeconds = 0.0

        let outcome = try warehouse.write { store -> IngestOutcome in
            let pipelineId = try store.ensurePipeline(definition.name)
            var configId: Int64?
            if let config, let content = config.content {
                configId = try store.recordModelConfig(
                    pipelineId: pipelineId, path: config.path, content: content, sha256: config.sha256)
            }
            let kind: SnapshotKind = target == .baseline ? .baseline : .daily
            let current = try store.currentSnapshot(pipelineId: pipelineId, kind: kind, date: target.description)
            var outcome: IngestOutcome
            var findings: [Finding] = []
            // Hash first only when the bytes may be the ones already ingested (same size): a
            // no-op must not load anything. Otherwise the parser hashes the bytes as it reads
            // them, and the snapshot records the hash of exactly what was loaded.
            var digest: SnapshotDigest?
            if let current, current.bytes == totalBytes {
                let hashStart = Date()
                digest = try SnapshotDigest.of(parts)
                hashSeconds = Date().timeIntervalSince(hashStart)
            }
            if let current, let digest, current.sha256 == digest.sha256 {
                var reloaded = false
                if current.rowsPurgedAt != nil {
                    // Retention deleted the rows; the same bytes are back: load them into the same snapshot.
                    let table = try store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns)
                    try store.deleteStoredRows(table, snapshotId: current.id)
                    let result = try loadSnapshot(
                        store, table: table, snapshotId: current.id, parts: parts, expected: digest, totalBytes: totalBytes,
                        source: source, delimiter: delimiter, label: "\(definition.name) \(target)")
                    try store.finishSnapshot(
                        current.id, read: result.counts.read, stored: result.counts.stored, quarantined: result.counts.quarantined)
                    try store.clearPurged(current.id)
                    reloaded = true
                }
                outcome = IngestOutcome(
                    snapshotId: current.id, version: current.version, rowsRead: current.rowsRead,
                    rowsStored: current.rowsStored, rowsQuarantined: current.rowsQuarantined, unchanged: !reloaded,
                    labelsLoaded: 0)
                findings = try store.findings(snapshotId: current.id, stage: .ingest).filter {
                    $0.check != CheckCatalog.ingestLabelsUnmatched.id && $0.check != CheckCatalog.ingestLabelsConflicting.id
                        && $0.check != CheckCatalog.ingestModelConfigMissing.id
                        && $0.check != CheckCatalog.resourcesQuarantined.id
                }
            } else {
                let (id, version) = try store.insertSnapshot(
                    pipelineId: pipelineId,
                    NewSnapshot(
                        kind: kind, date: target.description, sourcePath: path, sha256: digest?.sha256 ?? "",
                        bytes: totalBytes, header: [], modelConfigId: configId, runId: runId))
                let table = try store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns)
                let loadStart = Date()
                let result = try loadSnapshot(
                    store, table: table, snapshotId: id, parts: parts, expected: digest, totalBytes: totalBytes,
                    source: source, delimiter: delimiter, label: "\(definition.name) \(target)")
                loadSeconds = Date().timeIntervalSince(loadStart)
                let loadedDigest = SnapshotDigest.combine(
                    parts, result.parts.map { FileDigest(sha256: $0.sha256, bytes: $0.fileBytes) })
                try store.setSnapshotDigest(id, sha256: loadedDigest.sha256, bytes: loadedDigest.bytes)
                try store.finishSnapshot(
                    id, read: result.counts.read, stored: result.counts.stored, quarantined: result.counts.quarantined)
                try store.setSnapshotHeader(id, header: result.header)
                try store.insertSnapshotParts(snapshotId: id, partRecords(result))
                findings = snapshotFindings(result)
                if let current {
                    findings.append(Finding(
                        CheckCatalog.ingestSnapshotReplaced, severity: .warning,
                        message: "the file for \(target) changed since it was ingested (version \(current.version) → \(version))",
                        observed: "sha256 \(loadedDigest.sha256.prefix(12))…", expected: "sha256 \(current.sha256.prefix(12))…"))
                }
                try store.replaceMetrics(snapshotId: id, stage: .ingest, ingestMetrics(result.counts))
                outcome = IngestOutcome(
                    snapshotId: id, version: version, rowsRead: result.counts.read, rowsStored: result.counts.stored,
                    rowsQuarantined: result.counts.quarantined, unchanged: false, labelsLoaded: 0)
            }
            if configId != nil { try store.setSnapshotModelConfig(outcome.snapshotId, configId, path: config?.path) }
            if let config, config.content == nil {
                findings.append(Finding(
                    CheckCatalog.ingestModelConfigMissing, severity: .warning,
                    message: "model configuration file not found for \(target)", observed: config.path,
                    expected: "a JSON or YAML file"))
            }
            if let labelsPath, let day = target.day {
                let labels = try LabelsLoader(loaded: loaded, store: store, pipelineId: pipelineId, runId: runId)
                    .load(path: labelsPath, day: day, snapshotId: outcome.snapshotId)
                outcome.labelsLoaded = labels.loaded
                findings += labels.findings
            }
            if let day = target.day, let resourcesPath = loaded.resourcesPath(for: day) {
                findings += try ResourcesLoader(loaded: loaded, store: store, pipelineId: pipelineId)
                    .load(path: resourcesPath, day: day)
            }
            try store.replaceFindings(snapshotId: outcome.snapshotId, stage: .ingest, findings.bounded(), stageRunId: stageRunId)
            if let stageRunId { try store.completeStage(stageRunId, snapshotId: outcome.snapshotId) }
            return outcome
        }
        let seconds = Date().timeIntervalSince(start)
        let mb = Double(totalBytes) / 1_048_576
        logger.debug(
            "ingest \(target) timings: hash \(formatNumber(hashSeconds, digits: 3)) s, load \(formatNumber(loadSeconds, digits: 3)) s, rest of the transaction and commit \(formatNumber(seconds - loadSeconds - hashSeconds, digits: 3)) s")
        if outcome.unchanged {
            logger.info("ingest \(target): unchanged (same sha256), \(outcome.rowsStored) rows already stored")
        } else {
            logger.info(
                "ingest \(target): \(outcome.rowsRead) rows read, \(outcome.rowsStored) stored, \(outcome.rowsQuarantined) quarantined, \(formatNumber(mb, digits: 3)) MB in \(formatNumber(seconds, digits: 3)) s"
            )
        }
        return outcome
    }

    private func missingSnapshot(_ path: String, what: String) -> MLAuditError {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return MLAuditError(
                .unreadableInput, "\(what) is a folder with no part files", file: path,
                hint: "The upstream export has not written its parts yet (names starting with '.' or '_' are not parts).")
        }
        if SnapshotParts.isGlob(path) {
            return MLAuditError(
                .unreadableInput, "no file matches the pattern of the \(what)", file: path,
                hint: "Check the path pattern in the definition, or that the upstream export has run for this date.")
        }
        return MLAuditError.missingFile(
            path, what: what,
            hint: "Check the path pattern in the definition, or that the upstream export has run for this date.")
    }

    /// The configured delimiter as a byte (the definition loader has checked it is one byte);
    /// nil when not set (a comma, or a tab for `.tsv` files).
    private func delimiterByte(_ setting: String?, key: String) throws -> UInt8? {
        guard let setting, let byte = setting.utf8.first else { return nil }
        guard byte != UInt8(ascii: "\""), byte != 0x0A, byte != 0x0D else {
            throw MLAuditError.definition(
                "the delimiter cannot be a quote or a line break", file: loaded.path, line: loaded.lines[key], key: key,
                hint: "Write delimiter: \",\" or \";\" or \"|\", or delimiter: \"\\t\" for tab-separated files.")
        }
        return byte
    }

    private func loadSnapshot(
        _ store: any WarehouseTransaction, table: RowTable, snapshotId: Int64, parts: SnapshotParts, expected: SnapshotDigest?,
        totalBytes: Int, source: SourceSpec, delimiter: UInt8?, label: String
    ) throws -> LoadResult {
        var plan = LoadPlan(
            parts: parts, expectedDigests: expected?.parts.map(\.sha256), format: source.format ?? .auto, delimiter: delimiter,
            declared: table.columns,
            typer: RowTyper(
                columns: table.columns, parser: ValueParser(nullTokens: source.nullValues), classes: definition.classLabels),
            requiredHeaderColumns: [], requireSomeDeclaredColumn: true, ignored: definition.ignoredColumns,
            maxColumns: definition.maxColumns, maxHeaderBytes: definition.maxHeaderBytes)
        plan.quarantineNUL = !store.textHoldsNUL
        let sink = try RowTableSink(store: store, table: table, snapshotId: snapshotId)
        let started = DispatchTime.now().uptimeNanoseconds
        progress?.begin(label, totalBytes: totalBytes)
        let result: LoadResult
        do {
            result = try runLoad(plan, sink: sink) { p in progress?.update(rows: p.rows, bytesDone: p.fileBytesDone) }
            try sink.finish()
        } catch {
            progress?.abandon()
            throw error
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        progress?.end(label, files: result.parts.map {
            IngestFileSummary(
                path: $0.path, rowsRead: $0.read, rowsStored: $0.stored, rowsQuarantined: $0.quarantined, bytes: $0.fileBytes,
                compression: $0.compression.rawValue, format: $0.format.rawValue)
        }, seconds: seconds)
        return result
    }

    private func partRecords(_ result: LoadResult) -> [SnapshotPartRecord] {
        result.parts.enumerated().map { k, p in
            SnapshotPartRecord(
                ordinal: k, path: p.path, name: p.name, format: p.format.rawValue, compression: p.compression.rawValue,
                sha256: p.sha256, bytes: p.fileBytes, dataBytes: p.dataBytes, rowsRead: p.read,
                rowsStored: p.stored, rowsQuarantined: p.quarantined, damage: p.damage)
        }
    }

    private func snapshotFindings(_ result: LoadResult) -> [Finding] {
        var findings: [Finding] = []
        let c = result.counts
        for d in result.damage {
            findings.append(Finding(
                CheckCatalog.ingestTruncatedInput, severity: .critical,
                message: "\(d): rows after the damage are missing from this snapshot",
                observed: "stream ends early", expected: "a complete gzip stream"))
        }
        for d in result.corruptRowGroups {
            findings.append(Finding(
                CheckCatalog.ingestTruncatedInput, severity: .critical,
                message: "\(d): the row group's rows from the damage on are quarantined, not stored",
                observed: "a corrupt Parquet row group", expected: "pages that decode"))
        }
        for r in result.headerRejections {
            findings.append(Finding(CheckCatalog.ingestHeaderMismatch, severity: .critical, message: r))
        }
        if !result.sawHeader || c.read == 0 {
            findings.append(Finding(
                CheckCatalog.ingestEmpty, severity: .critical,
                message: !result.sawHeader ? "the file is empty: no header and no rows" : "the file has a header but no data rows",
                observed: "0 rows", expected: "at least 1 row"))
        }
        for p in result.headerProblems {
            findings.append(Finding(CheckCatalog.ingestHeader, severity: .warning, message: p))
        }
        if c.quarantined > 0 {
            findings.append(Finding(
                CheckCatalog.ingestQuarantined, severity: .info,
                message: "\(c.quarantined) of \(c.read) rows quarantined (see quarantinedRow)",
                observed: "\(c.quarantined)", expected: "0"))
        }
        for (column, n) in c.typeErrors.sorted(by: { $0.key < $1.key }) {
            findings.append(Finding(
                CheckCatalog.ingestTypeErrors, severity: .info, column: column,
                message: "\(n) values of '\(column)' did not parse and were stored as null", observed: "\(n)",
                expected: "0"))
        }
        return findings
    }

    private func ingestMetrics(_ c: LoadCounts) -> [Metric] {
        var m = [
            Metric(.rowsRead, Double(c.read)), Metric(.rowsStored, Double(c.stored)),
            Metric(.rowsQuarantined, Double(c.quarantined)),
        ]
        for (col, n) in c.typeErrors { m.append(Metric(.typeErrors, column: col, Double(n))) }
        for (col, n) in c.nonFinite { m.append(Metric(.nonFinite, column: col, Double(n))) }
        return m
    }

    /// The model configuration for the target: path, content (nil when the file is missing), hash.
    private func readModelConfig(_ target: AuditTarget) throws -> (path: String, content: String?, sha256: String)? {
        let path: String?
        switch target {
        case .baseline: path = loaded.trainingConfigPath
        case .day(let d): path = loaded.modelConfigPath(for: d)
        }
        guard let path else { return nil }
        guard FileManager.default.fileExists(atPath: path) else { return (path, nil, "") }
        let data = try readRegularFile(path, limit: 64 << 20, what: "the model configuration")
        guard let text = String(data: data, encoding: .utf8) else {
            throw MLAuditError(.unreadableInput, "the model configuration is not UTF-8 text", file: path, hint: "Save it as UTF-8 JSON or YAML.")
        }
        return (path, text, FileDigest.of(data: data).sha256)
    }
}
