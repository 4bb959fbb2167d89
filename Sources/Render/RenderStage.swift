import AuditModel
import BuildInfo
import Crypto
import Foundation
import Logging
import Mustache
import Warehouse

/// What rendering a day produced.
public struct RenderOutcome: Sendable, Equatable {
    /// The report version folder (`reports/NAME/DATE/vN`).
    public var directory: String
    public var version: Int
    public var status: AuditStatus
    public var recommendation: Recommendation
    /// False when the results were identical to the latest version: nothing new was written.
    public var written: Bool
    public var findingCounts: AuditSummary.SeverityCounts
}

/// Stage 5: writes report.html, report.md, summary.json and manifest.json for a day under
/// `reports/NAME/DATE/vN/`, as a pure function of the warehouse. A re-run whose results are
/// unchanged writes nothing; changed results write vN+1. No report file is ever overwritten.
public struct RenderStage {
    public let loaded: LoadedDefinition
    public let warehouse: any WarehouseBackend
    public let logger: Logger

    public init(loaded: LoadedDefinition, warehouse: any WarehouseBackend, logger: Logger) {
        self.loaded = loaded
        self.warehouse = warehouse
        self.logger = logger
    }

    /// Renders the report of `day`.
    ///
    /// - Throws: `MLAuditError.missingPrerequisite` when the day has not been compared;
    ///   `.output` when files cannot be written.
    @discardableResult
    public func run(_ day: Day, runId: Int64?, stageRunId: Int64?) throws -> RenderOutcome {
        let (data, latest, head) = try warehouse.read { store in
            let data = try ReportData.read(store, loaded: loaded, day: day)
            return (
                data, try store.latestReport(pipelineId: data.pipelineId, date: day.description),
                try store.lastReport(pipelineId: data.pipelineId)
            )
        }
        let dateDir = loaded.reportRoot + "/" + loaded.name + "/" + day.description
        let contentHash = sha256Hex(try encodeSummary(data.summary(version: 0)))
        if let latest, latest.contentSha256 == contentHash,
            FileManager.default.fileExists(atPath: latest.directory + "/summary.json")
        {
            if let stageRunId { try warehouse.write { try $0.completeStage(stageRunId, snapshotId: data.snapshot.id) } }
            if let head {
                do {
                    try ReportIndex.repairIfStale(headId: head.id, folder: loaded.reportRoot + "/" + loaded.name, pipeline: loaded.name) {
                        try warehouse.read { store in try ReportIndex.entries(store, pipelineId: data.pipelineId) }
                    }
                } catch {
                    logger.warning("render \(day): the report index could not be repaired (\(asText(error)))")
                }
            }
            let s = data.summary(version: latest.version)
            logger.info("render \(day): results unchanged, \(latest.directory) stays current")
            return RenderOutcome(
                directory: latest.directory, version: latest.version, status: s.status,
                recommendation: s.retraining.recommendation, written: false, findingCounts: s.findingCounts)
        }
        let onDisk = Self.highestVersionOnDisk(dateDir)
        if onDisk > (latest?.version ?? 0),
            let adopted = try adoptOrphan(dateDir + "/v\(onDisk)", version: onDisk, contentHash: contentHash, data: data, runId: runId, stageRunId: stageRunId)
        {
            return adopted
        }
        let version = max(latest?.version ?? 0, onDisk) + 1
        let summary = data.summary(version: version)
        let formats = Set(loaded.definition.report?.formats ?? ReportFormat.allCases)
        var files: [(String, Data)] = [("summary.json", try encodeSummary(summary))]
        let templates = try TemplateStore.load()
        if formats.contains(.html) {
            let view = ReportViewBuilder(data: data, summary: summary, escape: .html).build()
            files.append(("report.html", Data(templates.html.render(view).utf8)))
        }
        if formats.contains(.md) {
            let view = ReportViewBuilder(data: data, summary: summary, escape: .markdown).build()
            files.append(("report.md", Data(templates.markdown.render(view).utf8)))
        }
        let entries = files.map { Manifest.FileEntry(name: $0.0, sha256: sha256Hex($0.1), bytes: $0.1.count) }.sorted { $0.name < $1.name }
        let manifest = Manifest(
            schemaVersion: Manifest.currentSchemaVersion, pipeline: loaded.name, date: day.description, version: version,
            status: summary.status, recommendation: summary.retraining.recommendation, findingCounts: summary.findingCounts,
            tool: .init(name: summary.tool.name, version: summary.tool.version, commit: BuildInfo.sourceCommit),
            runId: runId ?? data.stages.last?.runId, contentSha256: contentHash, files: entries, inputs: manifestInputs(data),
            stages: data.stages.map(Self.stageEntry), previousManifestSha256: head?.manifestSha256)
        let manifestData = try encodePretty(manifest)
        files.append(("manifest.json", manifestData))
        let directory = dateDir + "/v\(version)"
        try ReportFiles.writeAtomically(files, to: directory)
        FaultInjection.point("render-after-write")
        try recordVersion(data: data, directory: directory, manifest: manifest, manifestData: manifestData, stageRunId: stageRunId)
        logger.info("render \(day): wrote \(directory) (\(summary.status.rawValue))")
        return RenderOutcome(
            directory: directory, version: version, status: summary.status, recommendation: summary.retraining.recommendation,
            written: true, findingCounts: summary.findingCounts)
    }

    /// A version folder written by a run that was killed before recording it in the ledger:
    /// when its manifest holds these very results and its files match their hashes, it is
    /// recorded now instead of writing a duplicate version.
    func adoptOrphan(_ directory: String, version: Int, contentHash: String, data: ReportData, runId: Int64?, stageRunId: Int64?)
        throws -> RenderOutcome?
    {
        guard let manifestData = FileManager.default.contents(atPath: directory + "/manifest.json"),
            let manifest = try? SummaryJSON.decode(Manifest.self, from: manifestData),
            manifest.contentSha256 == contentHash, manifest.version == version
        else { return nil }
        for f in manifest.files {
            guard let bytes = FileManager.default.contents(atPath: directory + "/" + f.name), sha256Hex(bytes) == f.sha256 else { return nil }
        }
        try recordVersion(data: data, directory: directory, manifest: manifest, manifestData: manifestData, stageRunId: stageRunId)
        let s = data.summary(version: version)
        logger.notice("render \(data.day): recorded \(directory), written by an interrupted run")
        return RenderOutcome(
            directory: directory, version: version, status: s.status, recommendation: s.retraining.recommendation,
            written: true, findingCounts: s.findingCounts)
    }

    /// Records a written version in the report ledger (with the stage's completion, in one
    /// transaction), then appends it to the report index.
    func recordVersion(data: ReportData, directory: String, manifest: Manifest, manifestData: Data, stageRunId: Int64?) throws {
        let summary = data.summary(version: manifest.version)
        let manifestHash = sha256Hex(manifestData)
        let ledgerFiles = manifest.files.map { ($0.name, $0.sha256, $0.bytes) } + [("manifest.json", manifestHash, manifestData.count)]
        let head = try warehouse.read { try $0.lastReport(pipelineId: data.pipelineId) }
        let record = try warehouse.write { store in
            _ = try store.insertReport(
                pipelineId: data.pipelineId, date: manifest.date, version: manifest.version, snapshotId: data.snapshot.id,
                directory: directory, status: manifest.status, contentSha256: manifest.contentSha256, manifestSha256: manifestHash,
                previousManifestSha256: manifest.previousManifestSha256, runId: manifest.runId,
                recommendation: summary.retraining.recommendation, counts: summary.findingCounts, files: ledgerFiles)
            if let stageRunId { try store.completeStage(stageRunId, snapshotId: data.snapshot.id) }
            return try store.report(pipelineId: data.pipelineId, date: manifest.date, version: manifest.version)
        }
        guard let record else { return }
        do {
            try ReportIndex.add(
                .init(record: record, files: ledgerFiles.map(\.0)), previousId: head?.id,
                folder: loaded.reportRoot + "/" + loaded.name, pipeline: loaded.name
            ) {
                try warehouse.read { store in try ReportIndex.entries(store, pipelineId: data.pipelineId) }
            }
        } catch {
            // The report and its ledger row are committed; the index is derived from the
            // ledger and is repaired by the next render.
            logger.warning("render \(manifest.date): the report index could not be updated (\(asText(error))); the next render rebuilds it")
        }
    }

    /// The most summary.json bytes `current(_:)` reads (a rendered summary is kilobytes).
    static let maxSummaryBytes = 256 << 20

    /// The latest rendered version of `day`, from the ledger and its summary.json (nothing is
    /// written). Nil when the day has no report yet, or when the ledger's latest version has no
    /// summary.json on disk any more (a reports folder deleted or not copied with the
    /// warehouse): the caller renders the day again, and `mlaudit verify` reports the files
    /// the ledger names and the disk lacks.
    ///
    /// - Throws: `MLAuditError` (`unreadableInput`, naming the file) when summary.json is there
    ///   but is not a regular file, is larger than a report file can be, or is not a summary.
    public func current(_ day: Day) throws -> RenderOutcome? {
        guard let latest = try warehouse.read({ store -> ReportRecord? in
            guard let id = try store.ensurePipelineIfExists(loaded.name) else { return nil }
            return try store.latestReport(pipelineId: id, date: day.description)
        }) else { return nil }
        let path = latest.directory + "/summary.json"
        if FileKind.of(path, followLinks: false) == .missing {
            logger.warning(
                "render \(day): the ledger's latest report, v\(latest.version), has no summary.json at \(SafeText.visible(path)) (was the reports folder moved or deleted?); rendering the day again. `mlaudit verify` lists the report files the ledger names and the disk lacks"
            )
            return nil
        }
        let data = try readRegularFile(path, limit: Self.maxSummaryBytes, what: "the report's summary.json")
        let s: AuditSummary
        do {
            s = try SummaryJSON.decode(AuditSummary.self, from: data)
        } catch {
            throw MLAuditError(
                .unreadableInput, "the report's summary.json (v\(latest.version) of \(day)) is not a summary MLAudit wrote", file: path,
                hint: "Restore the reports folder from a backup, or run again with --force to render a new version; `mlaudit verify` checks every report against the ledger.",
                cause: SafeText.cut(String(describing: error), to: 400))
        }
        return RenderOutcome(
            directory: latest.directory, version: latest.version, status: s.status, recommendation: s.retraining.recommendation,
            written: false, findingCounts: s.findingCounts)
    }

    static func stageEntry(_ s: StageRunRecord) -> Manifest.StageEntry {
        var duration: Int64?
        if let end = s.finishedAt.flatMap(Timestamp.parseCanonical), let start = Timestamp.parseCanonical(s.startedAt) {
            duration = end - start
        }
        return .init(stage: s.stage.rawValue, runId: s.runId, startedAt: s.startedAt, finishedAt: s.finishedAt, durationMs: duration)
    }

    func manifestInputs(_ d: ReportData) -> [Manifest.InputEntry] {
        var out = [
            Manifest.InputEntry(role: "snapshot", path: d.snapshot.sourcePath, sha256: d.snapshot.sha256, bytes: d.snapshot.bytes),
            Manifest.InputEntry(role: "baseline", path: d.baseline.sourcePath, sha256: d.baseline.sha256, bytes: d.baseline.bytes),
        ]
        if let l = d.labels { out.append(.init(role: "labels", path: l.sourcePath, sha256: l.sha256, bytes: l.bytes)) }
        if let c = d.modelConfig { out.append(.init(role: "model_config", path: c.path, sha256: c.sha256, bytes: nil)) }
        if let c = d.trainingConfig { out.append(.init(role: "training_config", path: c.path, sha256: c.sha256, bytes: nil)) }
        out.append(.init(role: "definition", path: d.definitionPath, sha256: d.definitionSha256, bytes: nil))
        return out
    }

    /// The highest `vN` folder present for a date (a crash may leave one the ledger lacks).
    static func highestVersionOnDisk(_ dateDir: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dateDir)) ?? []
        return names.compactMap { $0.hasPrefix("v") ? Int($0.dropFirst()) : nil }.max() ?? 0
    }
}

func asText(_ error: any Error) -> String { (error as? MLAuditError)?.description ?? "\(error)" }

public func sha256Hex(_ data: Data) -> String {
    SHA256.hash(data: data).map { b in
        let s = String(b, radix: 16)
        return b < 16 ? "0" + s : s
    }.joined()
}

func encodeSummary(_ s: AuditSummary) throws -> Data { try encodePretty(s) }

func encodePretty<T: Encodable>(_ value: T) throws -> Data {
    var d = try SummaryJSON.encoder().encode(value)
    d.append(0x0A)
    return d
}

/// The report templates (Templates/*.mustache), embedded in the binary at build time by the
/// EmbedTemplates plugin, so the executable needs no resource folder beside it.
struct TemplateStore {
    let html: MustacheTemplate
    let markdown: MustacheTemplate

    /// The report templates.
    ///
    /// - Throws: `MLAuditError.internal` when a template is missing or does not parse.
    static func load() throws -> TemplateStore {
        TemplateStore(html: try read("report.html.mustache"), markdown: try read("report.md.mustache"))
    }

    /// The first line of every HTML template: values printed with `{{name}}` are escaped by
    /// ``SafeText/html(_:)`` (per Unicode scalar; swift-mustache's own HTML escaper compares
    /// whole `Character`s, which a Prepend scalar before `<` gets past).
    static let htmlPragma = "{{% CONTENT_TYPE: MLAUDIT_HTML}}"

    /// Registers the `MLAUDIT_HTML` content type once, before the first template is parsed.
    private static let registered: Void = MustacheContentTypes.register(ScalarHTML(), named: "MLAUDIT_HTML")

    struct ScalarHTML: MustacheContentType {
        func escapeText(_ text: String) -> String { SafeText.html(text) }
    }

    /// One template, parsed: from the folder `MLAUDIT_TEMPLATES` when set (to try edits to the
    /// templates without rebuilding), else the copy embedded in the binary.
    ///
    /// - Throws: `MLAuditError.internal` when the template is missing or does not parse.
    static func read(_ name: String) throws -> MustacheTemplate {
        var source = "the templates embedded in mlaudit"
        var text = EmbeddedTemplates.byName[name]
        if let folder = ProcessInfo.processInfo.environment["MLAUDIT_TEMPLATES"], !folder.isEmpty {
            source = folder + "/" + name
            text = try? String(contentsOfFile: source, encoding: .utf8)
        }
        guard let text else {
            throw MLAuditError(.internal, "report template \(name) is missing", file: source,
                               hint: "Unset MLAUDIT_TEMPLATES, or point it at a folder holding every template of Sources/Render/Templates.")
        }
        _ = registered
        if name.hasSuffix(".html.mustache"), !text.hasPrefix(htmlPragma) {
            throw MLAuditError(.internal, "report template \(name) does not start with \(htmlPragma)", file: source,
                               hint: "Every HTML template escapes its values with MLAudit's escaper (docs/security.md); add the line.")
        }
        do {
            return try MustacheTemplate(string: text)
        } catch {
            throw MLAuditError(.internal, "report template \(name) does not parse", file: source, cause: "\(error)")
        }
    }
}

extension ReportFiles {
    /// Creates `path` with `data` and flushes it to disk.
    static func createSynced(_ path: String, _ data: Data) throws {
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw MLAuditError.output(path, cause: "the file could not be created")
        }
        let fd = open(path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Replaces (or creates) one file atomically: a temporary file beside it, flushed, renamed.
    static func replaceAtomically(_ data: Data, at path: String) throws {
        let fm = FileManager.default
        let parent = (path as NSString).deletingLastPathComponent
        let temp = parent + "/." + (path as NSString).lastPathComponent + ".partial-\(getpid())"
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            try createSynced(temp, data)
            guard rename(temp, path) == 0 else {
                throw MLAuditError.output(path, cause: String(cString: strerror(errno)))
            }
        } catch let e as MLAuditError {
            try? fm.removeItem(atPath: temp)
            throw e
        } catch {
            try? fm.removeItem(atPath: temp)
            throw MLAuditError.output(path, cause: error.localizedDescription)
        }
    }
}

/// Writes a report version folder atomically: files go to a hidden temporary folder, are
/// flushed to disk, and the folder is renamed into place, so a crash never leaves a
/// half-written version.
enum ReportFiles {
    static func writeAtomically(_ files: [(String, Data)], to directory: String) throws {
        let fm = FileManager.default
        let parent = (directory as NSString).deletingLastPathComponent
        let temp = parent + "/." + (directory as NSString).lastPathComponent + ".partial-\(getpid())"
        do {
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            if fm.fileExists(atPath: temp) { try fm.removeItem(atPath: temp) }
            try fm.createDirectory(atPath: temp, withIntermediateDirectories: true)
            for (name, data) in files {
                try createSynced(temp + "/" + name, data)
            }
            guard !fm.fileExists(atPath: directory) else {
                throw MLAuditError.output(directory, cause: "the version folder already exists; reports are never overwritten")
            }
            try fm.moveItem(atPath: temp, toPath: directory)
            let dfd = open(parent, O_RDONLY)
            if dfd >= 0 {
                fsync(dfd)
                close(dfd)
            }
        } catch let e as MLAuditError {
            try? fm.removeItem(atPath: temp)
            throw e
        } catch {
            try? fm.removeItem(atPath: temp)
            throw MLAuditError.output(directory, cause: error.localizedDescription)
        }
    }
}
