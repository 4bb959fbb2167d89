import AuditModel
import Foundation
import Warehouse

/// Loads the serving hosts' resource samples of a period (`operational.resources`): a CSV or
/// JSON Lines file read by the same readers and typing as snapshots and labels, with the same
/// guarantees (every row stored or quarantined with a reason, hashed, bounded). Rows go to
/// `resourceSample`; rows that do not type (a timestamp, a host, a number, a boolean) or hold
/// an impossible value (non-finite, negative bytes, cpu or io_wait, a disk share outside
/// [0, 1], a memory total not above 0) go to `resourceQuarantine` with the reason.
/// docs/ingest.md, "Serving resources".
struct ResourcesLoader {
    let loaded: LoadedDefinition
    let store: any WarehouseTransaction
    let pipelineId: Int64

    /// The fields in their order in the typed batch.
    enum Field: Int, CaseIterable {
        case timestamp, host, cpu, memoryBytes, memoryTotalBytes, diskUsedShare, ioWait, up

        var key: String {
            switch self {
            case .timestamp: "timestamp"
            case .host: "host"
            case .cpu: "cpu"
            case .memoryBytes: "memory_bytes"
            case .memoryTotalBytes: "memory_total_bytes"
            case .diskUsedShare: "disk_used_share"
            case .ioWait: "io_wait"
            case .up: "up"
            }
        }

        var type: ColumnType {
            switch self {
            case .timestamp: .datetime
            case .host: .text
            case .up: .boolean
            default: .numeric
            }
        }

        func column(_ c: ResourceColumns?) -> String {
            switch self {
            case .timestamp: c?.timestamp ?? key
            case .host: c?.host ?? key
            case .cpu: c?.cpu ?? key
            case .memoryBytes: c?.memoryBytes ?? key
            case .memoryTotalBytes: c?.memoryTotalBytes ?? key
            case .diskUsedShare: c?.diskUsedShare ?? key
            case .ioWait: c?.ioWait ?? key
            case .up: c?.up ?? key
            }
        }
    }

    /// Loads the file for `day` unless the same bytes are already loaded (and their samples
    /// still stored: retention deletes them, and the same bytes back load them again). Returns
    /// the ingest findings about the file (quarantined rows, damage, header problems), also
    /// for an unchanged file (from its stored counts).
    func load(path: String, day: Day) throws -> [Finding] {
        guard let spec = loaded.definition.operational?.resources else { return [] }
        let parts = try SnapshotParts.resolve(path, followSymlinks: loaded.definition.followSymlinks ?? false)
        guard !parts.files.isEmpty else { return [] }
        let digest = try SnapshotDigest.of(parts)
        if let current = try store.resourceFile(pipelineId: pipelineId, date: day.description), current.sha256 == digest.sha256,
           try current.rowsStored == 0 || store.hasResourceSamples(fileId: current.id) {
            return quarantineFinding(read: current.rowsRead, quarantined: current.rowsQuarantined)
        }
        let id = try store.replaceResourceFile(
            pipelineId: pipelineId, date: day.description, sourcePath: path, sha256: digest.sha256, bytes: digest.bytes)
        let columns = Field.allCases.map { f in
            DeclaredColumn(name: f.column(spec.columns), type: f.type, role: f == .timestamp ? .timestamp : f == .host ? .id : .feature)
        }
        let names = columns.map(\.name)
        let required = [Field.timestamp.column(spec.columns), Field.host.column(spec.columns)]
        let plan = LoadPlan(
            parts: parts, expectedDigests: digest.parts.map(\.sha256), format: spec.format ?? .auto,
            delimiter: spec.delimiter.flatMap { $0.utf8.first }, declared: columns,
            typer: RowTyper(columns: columns, parser: ValueParser(nullTokens: nil), required: Set(required)),
            requiredHeaderColumns: required, requireSomeDeclaredColumn: false,
            maxColumns: loaded.definition.maxColumns, maxHeaderBytes: loaded.definition.maxHeaderBytes)
        let sink = ResourceSink(store: store, fileId: id, files: parts.files, names: names)
        let result = try runLoad(plan, sink: sink)
        let c = result.counts
        let stored = c.stored - sink.rejected, quarantined = c.quarantined + sink.rejected
        try store.finishResourceFile(id, read: c.read, stored: stored, quarantined: quarantined)
        var findings = quarantineFinding(read: c.read, quarantined: quarantined)
        for d in result.damage {
            findings.append(Finding(
                CheckCatalog.ingestTruncatedInput, severity: .critical,
                message: "resources file: \(d): samples after the damage are missing",
                observed: "stream ends early", expected: "a complete gzip stream"))
        }
        for r in result.headerRejections {
            findings.append(Finding(CheckCatalog.ingestHeaderMismatch, severity: .critical, message: "resources file: \(r)"))
        }
        return findings
    }

    private func quarantineFinding(read: Int, quarantined: Int) -> [Finding] {
        guard quarantined > 0 else { return [] }
        return [Finding(
            CheckCatalog.resourcesQuarantined, severity: quarantined == read ? .warning : .info,
            message: "\(quarantined) of \(read) resource samples quarantined (resources file)",
            observed: "\(quarantined)", expected: "0")]
    }
}

/// Writes typed resource samples, setting aside (with the reason) those whose values are
/// impossible; the typing's quarantined rows go to `resourceQuarantine` too.
final class ResourceSink: BatchSink {
    let store: any WarehouseTransaction
    let fileId: Int64
    let files: [String]
    let names: [String]
    /// Rows the typing stored but this sink set aside.
    private(set) var rejected = 0

    init(store: any WarehouseTransaction, fileId: Int64, files: [String], names: [String]) {
        self.store = store
        self.fileId = fileId
        self.files = files
        self.names = names
    }

    func write(_ batch: RowBatch) throws {
        typealias F = ResourcesLoader.Field
        var samples: [ResourceSample] = []
        samples.reserveCapacity(batch.rows)
        var quarantined = batch.quarantined
        for r in 0..<batch.rows {
            let base = r * batch.columns
            func text(_ f: F) -> String? {
                let s = base + f.rawValue
                guard batch.kinds[s] == SlotKind.text.rawValue else { return nil }
                return String(decoding: batch.text(offset: batch.payloads[s], length: batch.lengths[s]), as: UTF8.self)
            }
            func number(_ f: F) -> Double? {
                let s = base + f.rawValue
                switch batch.kinds[s] {
                case SlotKind.double.rawValue: return Double(bitPattern: UInt64(bitPattern: batch.payloads[s]))
                case SlotKind.integer.rawValue: return Double(batch.payloads[s])
                case SlotKind.nan.rawValue: return .nan
                default: return nil
                }
            }
            let up: Bool? = batch.kinds[base + F.up.rawValue] == SlotKind.integer.rawValue ? batch.payloads[base + F.up.rawValue] != 0 : nil
            guard let ts = text(.timestamp), let ms = Timestamp.parseCanonical(ts), let host = text(.host) else {
                reject(batch, r, "the timestamp or host is missing", column: nil, into: &quarantined)
                continue
            }
            let sample = ResourceSample(
                line: batch.lines[r], epochMilliseconds: ms, host: host, cpu: number(.cpu), memoryBytes: number(.memoryBytes),
                memoryTotalBytes: number(.memoryTotalBytes), diskUsedShare: number(.diskUsedShare), ioWait: number(.ioWait), up: up)
            // Never stored changed: PostgreSQL's TEXT cannot hold U+0000, so no backend stores it.
            // The quarantined row keeps the sample's fields (the NUL written as U+FFFD, `StoredText`).
            if host.unicodeScalars.contains("\u{0}") {
                reject(batch, r, "the host holds a NUL character (U+0000)", column: names[F.host.rawValue], into: &quarantined, sample: sample)
                continue
            }
            if let (field, value, rule) = Self.impossible(sample) {
                reject(
                    batch, r, "\(field.key) \(formatNumber(value)) is \(rule)", column: names[field.rawValue], into: &quarantined,
                    sample: sample)
                continue
            }
            samples.append(sample)
        }
        try store.insertResourceSamples(fileId: fileId, samples)
        try store.insertResourceQuarantined(fileId: fileId, quarantined)
    }

    /// The first impossible value of a sample: which field, its value, and the rule it breaks.
    static func impossible(_ s: ResourceSample) -> (ResourcesLoader.Field, Double, String)? {
        let checks: [(ResourcesLoader.Field, Double?, (Double) -> Bool, String)] = [
            (.cpu, s.cpu, { $0 >= 0 }, "negative"),
            (.memoryBytes, s.memoryBytes, { $0 >= 0 }, "negative"),
            (.memoryTotalBytes, s.memoryTotalBytes, { $0 > 0 }, "not above 0"),
            (.diskUsedShare, s.diskUsedShare, { $0 >= 0 && $0 <= 1 }, "outside [0, 1]"),
            (.ioWait, s.ioWait, { $0 >= 0 }, "negative"),
        ]
        for (f, v, ok, rule) in checks {
            guard let v else { continue }
            if !v.isFinite { return (f, v, "not finite") }
            if !ok(v) { return (f, v, rule) }
        }
        return nil
    }

    /// Sets a typed row aside. The source line is gone by now: `raw` holds the row's typed
    /// values as `name=value` pairs (each cut to 200 characters), so nothing is lost.
    private func reject(
        _ batch: RowBatch, _ r: Int, _ reason: String, column: String?, into out: inout [QuarantinedRow],
        sample: ResourceSample? = nil
    ) {
        rejected += 1
        var fields: [String] = []
        if let s = sample {
            typealias F = ResourcesLoader.Field
            fields.append("\(names[F.timestamp.rawValue])=\(Timestamp.format(epochMilliseconds: s.epochMilliseconds))")
            fields.append("\(names[F.host.rawValue])=\(SafeText.cut(s.host, to: 200))")
            for (f, v) in [(F.cpu, s.cpu), (.memoryBytes, s.memoryBytes), (.memoryTotalBytes, s.memoryTotalBytes),
                           (.diskUsedShare, s.diskUsedShare), (.ioWait, s.ioWait)] {
                if let v { fields.append("\(names[f.rawValue])=\(formatNumber(v))") }
            }
            if let up = s.up { fields.append("\(names[F.up.rawValue])=\(up)") }
        }
        let file = batch.partIndex < files.count ? files[batch.partIndex] : files.first ?? ""
        out.append(QuarantinedRow(file: file, line: batch.lines[r], raw: fields.joined(separator: ", "), reason: reason, column: column))
    }
}
