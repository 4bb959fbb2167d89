import AuditModel
import Crypto
import Foundation
import Render
import Warehouse

/// One thing `mlaudit verify` found wrong.
public struct VerifyProblem: Sendable, Hashable, CustomStringConvertible {
    /// What kind of tampering or damage it is.
    public enum Kind: String, Sendable, Hashable {
        /// A file's bytes differ from the hash recorded for it.
        case altered
        /// A file or version folder recorded in a manifest or the ledger is gone.
        case missing
        /// A file or version folder is present that no manifest or ledger row records.
        case added
        /// Manifests or ledger rows are out of order: a broken chain link, or a manifest in
        /// the folder of another version (swapped or moved).
        case reordered
        /// A report-ledger row in the warehouse disagrees with the manifest it records.
        case ledger
        /// The warehouse fails SQLite's `PRAGMA quick_check`.
        case corrupt
        /// The newest manifest is not the head pinned with `--head`.
        case head
    }

    public var kind: Kind
    /// The file or folder concerned (or `warehouse:report#ID` for a ledger row).
    public var path: String
    /// What differs, with the recorded and the found values.
    public var detail: String

    public init(_ kind: Kind, _ path: String, _ detail: String) {
        self.kind = kind
        self.path = path
        self.detail = detail
    }

    /// `ALTERED reports/demo/2026-11-10/v1/report.html: …`
    public var description: String { "\(kind.rawValue.uppercased()) \(path): \(detail)" }
}

/// What `mlaudit verify` checked for one pipeline.
public struct VerifyReport: Sendable {
    public var pipeline: String
    /// Report versions in the ledger.
    public var versions: Int
    /// Files whose SHA-256 was recomputed (report files, manifests and, with inputs, inputs).
    public var filesHashed: Int
    /// The manifest hash at the head of the chain (the newest version), if any.
    public var head: String?
    public var problems: [VerifyProblem]
    /// Result of SQLite's `PRAGMA quick_check` on the warehouse ("ok" when healthy).
    public var quickCheck: String = "not run"
    /// Entries not judged because a run holding the pipeline's lock is writing them (a
    /// version folder or index not yet committed to the ledger).
    public var pending: [String] = []

    /// True when every hash, link and ledger row holds.
    public var ok: Bool { problems.isEmpty }
}

/// Checks the audit trail of a pipeline: every report version's files against its manifest,
/// every manifest against the report ledger in the warehouse, the hash chain of manifests,
/// the folders on disk against the ledger, and the index files against a rebuild from the
/// ledger. Optionally re-hashes the input files each manifest records.
///
/// Read-only: it never writes a report, a manifest or the warehouse.
public struct Verifier {
    public let loaded: LoadedDefinition
    public let warehouse: any WarehouseBackend

    public init(loaded: LoadedDefinition, warehouse: any WarehouseBackend) {
        self.loaded = loaded
        self.warehouse = warehouse
    }

    /// Verifies the pipeline's reports.
    ///
    /// - Parameter inputs: also re-hash the input files (snapshots, labels, baseline,
    ///   configurations, definition) recorded in the manifest of each date's newest version.
    /// - Returns: the problems found; an empty list means the trail holds.
    /// - Throws: `MLAuditError.warehouse` when the warehouse cannot be read. Problems with
    ///   report files are results, not errors.
    public func run(inputs: Bool = false, head pinned: String? = nil) throws -> VerifyReport {
        // Whether a run holds the pipeline's lock now: then files it is writing that the
        // ledger does not hold yet are reported as pending, not as ADDED or ALTERED.
        let writing = Self.lockHeld(loaded.warehousePath + ".lock")
        // One read transaction for everything read from the warehouse: a consistent state
        // even while a run commits (only reports committed to the ledger are considered).
        return try warehouse.read { store in try run(store: store, inputs: inputs, pinned: pinned, writing: writing) }
    }

    /// Whether another process holds the lock file's `flock` (nothing is created or changed).
    static func lockHeld(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        if flock(fd, LOCK_SH | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }

    /// Report and manifest files read at most (a report is far smaller; docs/security.md).
    public static let maxReportFileBytes = 1 << 30

    func run(store: any WarehouseTransaction, inputs: Bool, pinned: String?, writing: Bool) throws -> VerifyReport {
        let name = loaded.name
        let root = loaded.reportRoot + "/" + name
        let quick = try store.quickCheck()
        let (entries, snapshotHashes) = try { () throws -> ([ReportIndex.Entry], [Int64: String]) in
            guard let pipelineId = try store.ensurePipelineIfExists(name) else { return ([], [:]) }
            let entries = try ReportIndex.entries(store, pipelineId: pipelineId)
            var hashes: [Int64: String] = [:]
            for e in entries where hashes[e.record.snapshotId] == nil {
                hashes[e.record.snapshotId] = try store.snapshot(id: e.record.snapshotId)?.sha256
            }
            return (entries, hashes)
        }()
        var report = VerifyReport(pipeline: name, versions: entries.count, filesHashed: 0, head: entries.last?.record.manifestSha256, problems: [])
        report.quickCheck = quick == ["ok"] ? "ok" : quick.prefix(5).joined(separator: "; ")
        func problem(_ k: VerifyProblem.Kind, _ path: String, _ detail: String) {
            report.problems.append(VerifyProblem(k, path, detail))
        }
        if quick != ["ok"] {
            problem(.corrupt, warehouse.location, "PRAGMA quick_check reports: \(quick.prefix(5).joined(separator: "; "))\(quick.count > 5 ? " (and \(quick.count - 5) more)" : "")")
        }
        if let pinned, pinned.lowercased() != (report.head ?? "") {
            problem(.head, warehouse.location, "the newest manifest is \(report.head ?? "none"), the pinned head is \(pinned.lowercased())")
        }
        /// A file's bytes if it is a regular file within the bound; a problem otherwise.
        func readReportFile(_ path: String) -> Data? {
            guard FileKind.of(path) != .missing else { return nil }
            do {
                return try readRegularFile(path, limit: Self.maxReportFileBytes, what: "report file")
            } catch {
                problem(.altered, path, "cannot be read as a report file: \((error as? MLAuditError)?.message ?? "\(error)")")
                return Data()
            }
        }
        var known = Set<String>()
        var inputHashes: [String: (sha: String?, bytes: Int?)] = [:]
        var previous: ReportRecord?
        // Inputs are checked for the newest version of each date: an older version's snapshot
        // may have been replaced by design (a re-export becomes a new snapshot version).
        let newest = Dictionary(entries.map { ($0.record.date, $0.record.version) }, uniquingKeysWith: max)
        for entry in entries {
            let r = entry.record
            let relative = "\(r.date)/v\(r.version)"
            let dir = root + "/" + relative
            let row = "warehouse:report#\(r.id)"
            known.insert(relative)
            defer { previous = r }
            if !(r.directory == dir || r.directory.hasSuffix("/" + name + "/" + relative)) {
                problem(.ledger, row, "directory is \(r.directory), expected …/\(name)/\(relative)")
            }
            if r.previousManifestSha256 != previous?.manifestSha256 {
                let expected = previous.map { "\($0.manifestSha256) (\($0.date) v\($0.version), ledger #\($0.id))" } ?? "none (first report)"
                problem(.reordered, row, "links to previous manifest \(r.previousManifestSha256 ?? "none"), but the entry before it is \(expected)")
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                problem(.missing, dir, "version folder of \(r.date) v\(r.version) (ledger #\(r.id)) is gone")
                continue
            }
            let manifestPath = dir + "/manifest.json"
            guard let manifestData = readReportFile(manifestPath) else {
                problem(.missing, manifestPath, "manifest of \(r.date) v\(r.version) is gone")
                continue
            }
            report.filesHashed += 1
            let manifestHash = Self.sha256Hex(manifestData)
            if manifestHash != r.manifestSha256 {
                problem(.altered, manifestPath, "sha256 is \(manifestHash), the ledger and the next manifest's link record \(r.manifestSha256)")
            }
            guard let manifest = try? Self.decoder.decode(Manifest.self, from: manifestData) else {
                problem(.altered, manifestPath, "is not a readable manifest")
                continue
            }
            if manifest.pipeline != name || manifest.date != r.date || manifest.version != r.version {
                problem(.reordered, manifestPath, "is the manifest of \(manifest.pipeline) \(manifest.date) v\(manifest.version), not of \(name) \(r.date) v\(r.version) (swapped or moved)")
            }
            if manifest.previousManifestSha256 != r.previousManifestSha256 {
                problem(.reordered, manifestPath, "links to previous manifest \(manifest.previousManifestSha256 ?? "none"), the ledger to \(r.previousManifestSha256 ?? "none")")
            }
            // The files of the version against the manifest.
            let present = Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            for f in manifest.files {
                let path = dir + "/" + f.name
                guard let data = readReportFile(path) else {
                    problem(.missing, path, "recorded in the manifest (sha256 \(f.sha256)) but gone")
                    continue
                }
                report.filesHashed += 1
                let h = Self.sha256Hex(data)
                if h != f.sha256 || data.count != f.bytes {
                    problem(.altered, path, "sha256 \(h) (\(data.count) bytes), the manifest records \(f.sha256) (\(f.bytes) bytes)")
                }
            }
            if manifest.files.map(\.name) != manifest.files.map(\.name).sorted() {
                problem(.reordered, manifestPath, "lists its files out of order")
            }
            for extra in present.subtracting(manifest.files.map(\.name) + ["manifest.json"]).sorted() {
                problem(.added, dir + "/" + extra, "is not recorded in the manifest")
            }
            // The ledger row against the manifest.
            let ledgerFiles = Dictionary(uniqueKeysWithValues: try store.reportFiles(reportId: r.id).map { ($0.name, $0) })
            let manifestFiles = manifest.files.map { ($0.name, $0.sha256, $0.bytes) } + [("manifest.json", r.manifestSha256, manifestData.count)]
            for (fname, sha, bytes) in manifestFiles {
                guard let l = ledgerFiles[fname] else {
                    problem(.ledger, row, "has no reportFile row for \(fname)")
                    continue
                }
                if l.sha256 != sha || l.bytes != bytes {
                    problem(.ledger, row, "reportFile \(fname) records sha256 \(l.sha256) (\(l.bytes) bytes), the manifest \(sha) (\(bytes) bytes)")
                }
            }
            for extra in Set(ledgerFiles.keys).subtracting(manifestFiles.map(\.0)).sorted() {
                problem(.ledger, row, "has a reportFile row for \(extra), which the manifest does not record")
            }
            func compare(_ field: String, _ ledger: String?, _ recorded: String?) {
                if ledger != recorded { problem(.ledger, row, "\(field) is \(ledger ?? "null"), the manifest records \(recorded ?? "null")") }
            }
            compare("status", r.status, manifest.status.rawValue)
            compare("contentSha256", r.contentSha256, manifest.contentSha256)
            compare("runId", r.runId.map(String.init), manifest.runId.map(String.init))
            if let rec = manifest.recommendation { compare("recommendation", r.recommendation, rec.rawValue) }
            if let c = manifest.findingCounts {
                compare("criticalCount", r.criticalCount.map(String.init), String(c.critical))
                compare("warningCount", r.warningCount.map(String.init), String(c.warning))
                compare("infoCount", r.infoCount.map(String.init), String(c.info))
            }
            compare("snapshot sha256 (snapshotId \(r.snapshotId))", snapshotHashes[r.snapshotId],
                    manifest.inputs.first { $0.role == "snapshot" }?.sha256)
            if inputs, newest[r.date] == r.version {
                for input in manifest.inputs {
                    if inputHashes[input.path] == nil { inputHashes[input.path] = Self.hashFile(input.path) }
                    guard let found = inputHashes[input.path], let sha = found.sha else {
                        let kind = FileKind.of(input.path)
                        problem(kind == .missing ? .missing : .altered, input.path,
                                kind == .missing ? "the \(input.role) of \(r.date) v\(r.version) is gone"
                                    : "the \(input.role) of \(r.date) v\(r.version) is \(kind.rawValue), not a regular file (not read)")
                        continue
                    }
                    report.filesHashed += 1
                    if sha != input.sha256 {
                        problem(.altered, input.path, "the \(input.role) of \(r.date) v\(r.version) has sha256 \(sha), the manifest records \(input.sha256)")
                    }
                }
            }
        }
        // Folders on disk that the ledger does not know.
        let fm = FileManager.default
        // Hidden entries count too (only a running render's own `.NAME.partial-PID` is pending).
        func unknown(_ path: String, _ entry: String, _ detail: String) {
            if writing, entry.hasPrefix(".") ? entry.contains(".partial-") : true {
                report.pending.append(path)
            } else {
                problem(.added, path, detail)
            }
        }
        for date in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            if date == ReportIndex.htmlName || date == ReportIndex.markdownName { continue }
            let datePath = root + "/" + date
            guard FileKind.of(datePath, followLinks: false) == .folder, Day(date) != nil else {
                if date.hasPrefix(".") { unknown(datePath, date, "is a hidden entry, not a report date folder") } else {
                    problem(.added, datePath, "is not a report date folder")
                }
                continue
            }
            for v in ((try? fm.contentsOfDirectory(atPath: datePath)) ?? []).sorted() {
                if !known.contains(date + "/" + v) {
                    unknown(datePath + "/" + v, v, v.hasPrefix(".") ? "is a hidden entry not in the report ledger" : "is not in the report ledger")
                }
            }
        }
        // The index files against a rebuild from the ledger.
        if !entries.isEmpty {
            let expected = try ReportIndex.expected(pipeline: name, entries: entries)
            for (file, text) in [(ReportIndex.htmlName, expected.html), (ReportIndex.markdownName, expected.markdown)] {
                let path = root + "/" + file
                guard let data = readReportFile(path) else {
                    problem(.missing, path, "the report index is gone (the next render rebuilds it from the ledger)")
                    continue
                }
                if data != Data(text.utf8), writing {
                    report.pending.append(path)
                } else if data != Data(text.utf8) {
                    problem(.altered, path, "does not list the report ledger's versions (delete it; the next render rebuilds it)")
                }
            }
        }
        return report
    }

    static var decoder: JSONDecoder { SummaryJSON.decoder() }

    static func sha256Hex(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { b in
            let s = String(b, radix: 16)
            return b < 16 ? "0" + s : s
        }.joined()
    }

    /// SHA-256 and size of a file, read in blocks (inputs can be large); nil when unreadable.
    static func hashFile(_ path: String) -> (sha: String?, bytes: Int?) {
        // Regular files only: a FIFO or device recorded as an input must not hang verify.
        guard FileKind.of(path) == .regular, let h = FileHandle(forReadingAtPath: path) else { return (nil, nil) }
        defer { try? h.close() }
        var hasher = SHA256()
        var total = 0
        while let chunk = try? h.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            total += chunk.count
        }
        return (hex(hasher.finalize()), total)
    }
}
