import AuditModel
import Foundation
import Warehouse

/// How a CSV file's header lines up with the declared columns.
struct HeaderMapping {
    let header: [String]
    /// For each declared column, its field index in the file, or nil when absent.
    let fieldIndex: [Int?]
    /// `fieldIndex` with -1 for absent (the hot path's form).
    let fieldSlots: [Int]
    /// Field indices of undeclared columns, with their names.
    let extras: [(index: Int, name: String)]
    /// Problems with the header itself (duplicate, blank or non-UTF-8 names).
    let problems: [String]

    /// - Parameter ignored: undeclared columns that are dropped, not kept as extras (`schema.ignored`).
    init(header rawHeader: [String], declared: [DeclaredColumn], invalidUTF8: Set<Int> = [], ignored: Set<String> = []) {
        var header = rawHeader
        var problems: [String] = []
        var firstIndex: [String: Int] = [:]
        for (i, h) in rawHeader.enumerated() {
            let name = h.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                header[i] = "column_\(i + 1)"
                problems.append("header field \(i + 1) is blank; its values are kept as '\(header[i])'")
            } else {
                header[i] = name
                if invalidUTF8.contains(i) {
                    problems.append("header field \(i + 1) is not valid UTF-8; it is read as '\(SafeText.cut(name))'")
                }
            }
            if let first = firstIndex[header[i]] {
                problems.append("header name '\(SafeText.cut(header[i]))' appears twice (fields \(first + 1) and \(i + 1)); the first is used")
            } else {
                firstIndex[header[i]] = i
            }
        }
        self.header = header
        self.problems = problems
        fieldIndex = declared.map { firstIndex[$0.name] }
        fieldSlots = fieldIndex.map { $0 ?? -1 }
        let declaredNames = Set(declared.map(\.name))
        var extras: [(Int, String)] = []
        for (i, h) in header.enumerated() where (!declaredNames.contains(h) || firstIndex[h] != i) && !ignored.contains(h) {
            extras.append((i, firstIndex[h] != i ? "\(h)#\(i + 1)" : h))
        }
        self.extras = extras
    }
}

/// Counts from loading a snapshot.
struct LoadCounts: Equatable {
    var read = 0
    var stored = 0
    var quarantined = 0
    /// Values that did not parse and were stored as null (on_type_error: set_null), per column.
    var typeErrors: [String: Int] = [:]
    /// NaN and infinite values in numeric columns (SQLite keeps them; counted for the report).
    var nonFinite: [String: Int] = [:]
}

/// What was read from one part file.
struct PartResult: Equatable {
    var path: String
    var name: String
    var format: FileFormat
    var compression: Compression
    /// Bytes on disk.
    var fileBytes = 0
    /// Bytes after decompression.
    var dataBytes = 0
    var read = 0
    var stored = 0
    var quarantined = 0
    var header: [String] = []
    /// Why the stream ended early, if it did.
    var damage: String?
    /// SHA-256 of the file's bytes as read.
    var sha256 = ""
}

/// What loading a snapshot's parts produced.
struct LoadResult {
    var parts: [PartResult] = []
    /// Column names in order of first appearance over all parts (CSV headers, JSON keys).
    var header: [String] = []
    /// Whether any part had a header line or a JSON object (false: nothing at all was read).
    var sawHeader = false
    var counts = LoadCounts()
    /// Blank, duplicate or non-UTF-8 names; parts whose header differs from the first part's.
    var headerProblems: [String] = []
    /// Parts whose rows were all set aside because the header cannot be used.
    var headerRejections: [String] = []
    /// Parts whose stream ended early (truncated or corrupt gzip).
    var damage: [String] = []
    /// Parquet row groups that could not be decoded (their rows quarantined).
    var corruptRowGroups: [String] = []
}

/// Everything the parser thread needs to read a snapshot.
struct LoadPlan: @unchecked Sendable {
    let parts: SnapshotParts
    /// Expected SHA-256 per part (computed before the transaction); checked against the bytes
    /// actually read, so a file rewritten during ingest fails instead of loading other bytes.
    let expectedDigests: [String]?
    let format: FileFormat
    let delimiter: UInt8?
    let declared: [DeclaredColumn]
    let typer: RowTyper
    /// Columns a CSV header must have (a labels file's id and target); a part without them has
    /// every row quarantined.
    let requiredHeaderColumns: [String]
    /// A CSV header sharing no name with the declared columns sets every row aside (the file
    /// has no header line, or the delimiter is wrong).
    let requireSomeDeclaredColumn: Bool
    /// Undeclared columns dropped rather than kept in `mlaudit_extra` (`schema.ignored`).
    var ignored: Set<String> = []
    /// `limits.max_columns`: the most columns (CSV header fields, declared plus distinct
    /// undeclared JSON Lines keys) of one part.
    var maxColumns = LimitsSpec.defaultMaxColumns
    /// `limits.max_header_bytes`: the most bytes of a CSV header record.
    var maxHeaderBytes = LimitsSpec.defaultMaxHeaderBytes
    /// Set a row aside when one of its text values holds a NUL byte (U+0000): the warehouse
    /// cannot store one (PostgreSQL's text type; `RowStorage.textHoldsNUL`).
    var quarantineNUL = false
    /// Why such a row cannot be stored, ending its quarantine reason.
    var nulReason = "which the PostgreSQL warehouse cannot store"
}

/// The format a part is read as: the declared one, or for `auto` its extension (`.jsonl`,
/// `.ndjson`, `.json`: JSON Lines; `.csv`, `.tsv`, `.txt`: CSV; `.gz` looked through), or
/// else its first non-blank byte (`{`: JSON Lines).
func partFormat(_ declared: FileFormat, path: String, firstBytes: UnsafeRawBufferPointer?) -> FileFormat {
    if declared != .auto { return declared }
    var name = (path as NSString).lastPathComponent.lowercased()
    if name.hasSuffix(".gz") { name.removeLast(3) }
    for ext in [".jsonl", ".ndjson", ".json"] where name.hasSuffix(ext) { return .jsonl }
    for ext in [".csv", ".tsv", ".txt"] where name.hasSuffix(ext) { return .csv }
    guard let b = firstBytes else { return .csv }
    var i = b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0
    while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
    return i < b.count && b[i] == UInt8(ascii: "{") ? .jsonl : .csv
}

/// The delimiter of a CSV part: the declared one, else tab for `.tsv` names, else a comma.
func partDelimiter(_ declared: UInt8?, path: String) -> UInt8 {
    if let declared { return declared }
    var name = path.lowercased()
    if name.hasSuffix(".gz") { name.removeLast(3) }
    return name.hasSuffix(".tsv") ? 0x09 : UInt8(ascii: ",")
}

/// The parser side of a load: reads every part in order and fills batches of typed rows.
/// Runs on its own thread; hands full batches to the writer through the channel.
final class SnapshotProducer: @unchecked Sendable {
    let plan: LoadPlan
    let channel: BatchChannel
    private var batch: RowBatch
    private(set) var result = LoadResult()
    private var partIndex = 0
    private var part: PartResult
    private var currentFile: FileByteSource?
    private var typeErrors: [Int]
    private var nonFinite: [Int]
    private var pendingTypeErrors: [Int] = []
    private var pendingNonFinite: [Int] = []
    private var scratch: [UInt8] = []
    private let anyRequired: Bool
    private var headerSeen: Set<String> = []
    /// For a Parquet part: the end of the row group being read (progress per row group).
    private var parquetBytesDone: Int?

    init(plan: LoadPlan, channel: BatchChannel) throws {
        self.plan = plan
        self.channel = channel
        batch = try channel.takeFree()
        part = PartResult(path: "", name: "", format: .csv, compression: .none)
        typeErrors = Array(repeating: 0, count: plan.declared.count)
        nonFinite = Array(repeating: 0, count: plan.declared.count)
        anyRequired = plan.typer.required.contains(true)
    }

    /// Reads every part; returns what was read.
    func run() throws -> LoadResult {
        for k in plan.parts.files.indices {
            partIndex = k
            try loadPart(k)
        }
        try send()
        for (j, c) in plan.declared.enumerated() {
            if typeErrors[j] > 0 { result.counts.typeErrors[c.name] = typeErrors[j] }
            if nonFinite[j] > 0 { result.counts.nonFinite[c.name] = nonFinite[j] }
        }
        return result
    }

    // MARK: Batches

    private func send() throws {
        guard !batch.isEmpty else { return }
        batch.partIndex = partIndex
        batch.fileBytesDone = parquetBytesDone ?? currentFile?.fileBytesRead ?? 0
        try channel.send(batch)
        batch = try channel.takeFree()
    }

    private func quarantine(line: Int, raw: String, reason: String, column: String? = nil) throws {
        batch.quarantined.append(QuarantinedRow(file: part.path, line: line, raw: raw, reason: reason, column: column))
        part.read += 1
        part.quarantined += 1
        if batch.quarantined.count >= 1000 { try send() }
    }

    /// Completes the row being built; counts what typing saw.
    @inline(__always) private func commit(line: Int, extraOffset: Int, extraLength: Int) throws {
        batch.commitRow(line: line, extraOffset: extraOffset, extraLength: extraLength)
        for j in pendingTypeErrors { typeErrors[j] += 1 }
        for j in pendingNonFinite { nonFinite[j] += 1 }
        part.read += 1
        part.stored += 1
        if batch.isFull { try send() }
    }

    /// The declared column (or -1: the undeclared columns' JSON object) of the row being built
    /// whose text holds a NUL byte, or nil (`LoadPlan.quarantineNUL`).
    private func nulInRow(extraOffset: Int, extraLength: Int) -> Int? {
        let b = batch
        let base = b.rows * b.columns
        for j in 0..<b.columns where b.kinds[base + j] == SlotKind.text.rawValue {
            let n = Int(b.lengths[base + j])
            if n > 0, memchr(b.arena + Int(b.payloads[base + j]), 0, n) != nil { return j }
        }
        if extraOffset >= 0, extraLength > 0, memchr(b.arena + extraOffset, 0, extraLength) != nil { return -1 }
        return nil
    }

    /// Sets the row being built aside when `quarantineNUL` is on and one of its texts holds a
    /// NUL byte; returns whether it did.
    private func quarantinedForNUL(mark: Int, line: Int, extraOffset: Int, extraLength: Int, raw: () -> String) throws -> Bool {
        guard plan.quarantineNUL, let j = nulInRow(extraOffset: extraOffset, extraLength: extraLength) else { return false }
        batch.rollback(arenaTo: mark)
        let what = j >= 0 ? "column '\(plan.declared[j].name)'" : "an undeclared column"
        try quarantine(
            line: line, raw: raw(),
            reason: "\(what): the value holds a NUL character (U+0000), \(plan.nulReason)",
            column: j >= 0 ? plan.declared[j].name : nil)
        return true
    }

    /// Applies one typing outcome; returns the failure when the row must be set aside.
    @inline(__always) private func apply(_ outcome: RowTyper.Outcome, column j: Int) -> TypeFailure? {
        switch outcome {
        case .stored:
            return nil
        case .null:
            return anyRequired && plan.typer.required[j] ? .missing : nil
        case .storedNonFinite:
            pendingNonFinite.append(j)
            return nil
        case .failed(let f):
            if plan.typer.setNullOnError[j] {
                batch.setNull(j)
                pendingTypeErrors.append(j)
                return nil
            }
            return f
        }
    }

    private func reason(column j: Int, value: UnsafeRawBufferPointer, failure: TypeFailure) -> String {
        let name = plan.declared[j].name
        if failure == .missing { return "column '\(name)': \(failure.text)" }
        let shown = String(decoding: value.prefix(80), as: UTF8.self)
        return "column '\(name)': '\(shown)' \(failure.text)"
    }

    // MARK: Parts

    private func loadPart(_ k: Int) throws {
        let path = plan.parts.files[k]
        let (source, file, compression) = try openByteSource(path: path)
        currentFile = file
        parquetBytesDone = nil
        if compression == .none, hasParquetMagic(file) {
            try loadParquetPart(k, file: file)
            return
        }
        let block = BlockReader(path: path, source: source)
        _ = try block.fill()
        let format = partFormat(plan.format, path: path, firstBytes: block.available)
        part = PartResult(path: path, name: plan.parts.names[k], format: format, compression: compression)
        switch format {
        case .jsonl: try loadJSONL(block)
        case .csv, .auto: try loadCSV(block, delimiter: partDelimiter(plan.delimiter, path: path))
        case .parquet:
            throw MLAuditError(
                .unreadableInput, "the file is declared Parquet but does not start with the Parquet magic bytes PAR1", file: path,
                hint: "Check the path, or set the source's format to the file's real format (or auto).")
        }
        if let damage = block.damage {
            part.damage = damage.message
            result.damage.append(plan.parts.files.count > 1 ? "\(part.name): \(damage.message)" : damage.message)
            file.drain()
        }
        part.fileBytes = file.fileBytesRead
        part.dataBytes = block.bytesRead
        part.sha256 = file.digest()
        if !file.unchangedSinceOpen() || plan.expectedDigests.map({ $0[k] != part.sha256 }) == true {
            throw MLAuditError(
                .unreadableInput, "the file changed while it was being ingested", file: path,
                hint: "Another program is writing it; ingest again once the upstream export has finished. Nothing was stored.")
        }
        result.parts.append(part)
        result.counts.read += part.read
        result.counts.stored += part.stored
        result.counts.quarantined += part.quarantined
        for name in part.header where headerSeen.insert(name).inserted { result.header.append(name) }
    }

    /// The damaged tail of a stream (the record cut off by a truncated gzip member).
    private func quarantineDamagedTail(_ block: BlockReader, line: Int) throws {
        guard let damage = block.damage, !block.damagedTail.isEmpty else { return }
        let raw = block.damagedTail.withUnsafeBytes { rawText($0, 0..<$0.count) }
        try quarantine(line: line, raw: raw, reason: "\(damage.message); this last record is incomplete")
    }

    private func prefixed(_ message: String) -> String {
        plan.parts.files.count > 1 ? "\(part.name): \(message)" : message
    }

    // MARK: CSV

    private func loadCSV(_ block: BlockReader, delimiter: UInt8) throws {
        let reader = CSVReader(reader: block, delimiter: delimiter)
        var mapping: HeaderMapping?
        var rejection: String?
        var headerDone = false
        let declared = plan.declared
        let typer = plan.typer
        let columnCount = declared.count
        var scratch: [UInt8] = []
        var rejected = false
        try reader.forEach(
            record: { rec in
                guard headerDone else {
                    headerDone = true
                    if rec.raw.count > plan.maxHeaderBytes {
                        throw limitError(
                            "the header line has \(SafeText.groupedDigits(rec.raw.count)) bytes", key: "limits.max_header_bytes",
                            limit: plan.maxHeaderBytes)
                    }
                    if rec.fields.count > plan.maxColumns {
                        throw limitError(
                            "the header has \(SafeText.groupedDigits(rec.fields.count)) columns", key: "limits.max_columns",
                            limit: plan.maxColumns)
                    }
                    let m = headerMapping(rec)
                    mapping = m
                    rejection = headerRejection(m)
                    return
                }
                if let rejection {
                    try quarantine(line: rec.line, raw: rec.rawText(), reason: rejection)
                    return
                }
                guard let m = mapping else { return }
                if rec.fields.count != m.header.count {
                    try quarantine(
                        line: rec.line, raw: rec.rawText(), reason: "expected \(m.header.count) fields, found \(rec.fields.count)")
                    return
                }
                let b = batch
                let mark = b.arenaMark
                if !pendingTypeErrors.isEmpty { pendingTypeErrors.removeAll(keepingCapacity: true) }
                if !pendingNonFinite.isEmpty { pendingNonFinite.removeAll(keepingCapacity: true) }
                try m.fieldSlots.withUnsafeBufferPointer { slots in
                    for j in 0..<columnCount {
                        let fi = slots[j]
                        if fi < 0 {
                            b.setNull(j)
                            if anyRequired, typer.required[j] {
                                b.rollback(arenaTo: mark)
                                rejected = true
                                try quarantine(
                                    line: rec.line, raw: rec.rawText(),
                                    reason: "column '\(declared[j].name)': the value is missing (this column is required)",
                                    column: declared[j].name)
                                return
                            }
                            continue
                        }
                        let outcome = rec.withField(fi, scratch: &scratch) { typer.type(j, $0, into: b) }
                        switch outcome {
                        case .stored: continue
                        case .null where !anyRequired: continue
                        default: break
                        }
                        if let failure = apply(outcome, column: j) {
                            b.rollback(arenaTo: mark)
                            rejected = true
                            let why = rec.withField(fi, scratch: &scratch) {
                                reason(column: j, value: $0, failure: failure)
                            }
                            try quarantine(line: rec.line, raw: rec.rawText(), reason: why, column: declared[j].name)
                            return
                        }
                    }
                }
                if rejected {
                    rejected = false
                    return
                }
                var extraOffset = -1
                var extraLength = 0
                if !m.extras.isEmpty {
                    extraOffset = batch.arenaMark
                    batch.append(byte: UInt8(ascii: "{"))
                    for (k, e) in m.extras.enumerated() {
                        if k > 0 { batch.append(byte: UInt8(ascii: ",")) }
                        appendJSONKey(e.name)
                        let bad = rec.withField(e.index, scratch: &scratch) { b -> Bool in
                            if typer.parser.isNull(b, forFloat: false) {
                                for c in "null".utf8 { batch.append(byte: c) }
                                return false
                            }
                            guard isValidUTF8(b) else { return true }
                            appendJSONString(b, to: batch)
                            return false
                        }
                        if bad {
                            batch.rollback(arenaTo: mark)
                            try quarantine(
                                line: rec.line, raw: rec.rawText(),
                                reason: "column '\(e.name)' (not declared): \(TypeFailure.invalidUTF8.text)", column: e.name)
                            return
                        }
                    }
                    batch.append(byte: UInt8(ascii: "}"))
                    extraLength = batch.arenaMark - extraOffset
                }
                if try quarantinedForNUL(mark: mark, line: rec.line, extraOffset: extraOffset, extraLength: extraLength, raw: { rec.rawText() }) {
                    return
                }
                try commit(line: rec.line, extraOffset: extraOffset, extraLength: extraLength)
            },
            malformed: { line, raw, reason in
                if !headerDone {
                    // A header that cannot be split into fields: nothing can be mapped.
                    headerDone = true
                    rejection = "the header line (line \(line)) is malformed: \(reason)"
                    result.headerRejections.append(prefixed("the header line is malformed (\(reason)); every row is set aside"))
                    result.sawHeader = true
                    return
                }
                try quarantine(line: line, raw: raw, reason: reason)
            })
        try quarantineDamagedTail(block, line: reader.line)
    }

    /// A part beyond one of the definition's `limits`: refused as a whole (nothing of the
    /// snapshot is stored), saying which limit, which key raises it and how to skip the date.
    private func limitError(_ what: String, key: String, limit: Int) -> MLAuditError {
        MLAuditError(
            .unreadableInput, "\(what), more than '\(key)' allows (\(SafeText.groupedDigits(limit)))", file: part.path, key: key,
            hint: "Nothing of this snapshot was stored. If the file is right, raise '\(key)' in the definition "
                + "(docs/definition.md, \"limits\"); otherwise replace the file, or move it out of the snapshots' folder "
                + "so that `mlaudit run` skips its date (docs/security.md, \"Bounded costs\").")
    }

    private func headerMapping(_ rec: RecordView) -> HeaderMapping {
        var names: [String] = []
        var invalid = Set<Int>()
        for i in 0..<rec.fields.count {
            rec.withField(i, scratch: &scratch) { b in
                if !isValidUTF8(b) { invalid.insert(i) }
                names.append(String(decoding: b, as: UTF8.self))
            }
        }
        let m = HeaderMapping(header: names, declared: plan.declared, invalidUTF8: invalid, ignored: plan.ignored)
        result.sawHeader = true
        for p in m.problems { result.headerProblems.append(prefixed(p)) }
        if let first = result.parts.first(where: { !$0.header.isEmpty }), first.header != m.header {
            let missing = first.header.filter { !m.header.contains($0) }
            let added = m.header.filter { !first.header.contains($0) }
            var what: [String] = []
            if !missing.isEmpty { what.append("without \(missing.joined(separator: ", "))") }
            if !added.isEmpty { what.append("with \(added.joined(separator: ", "))") }
            if what.isEmpty { what.append("in another order") }
            result.headerProblems.append(
                "\(part.name): its header differs from \(first.name)'s (\(what.joined(separator: "; "))); columns are matched by name")
        }
        part.header = m.header
        return m
    }

    /// Why every row of a part must be set aside, if its header cannot be used.
    private func headerRejection(_ m: HeaderMapping) -> String? {
        let missing = plan.requiredHeaderColumns.filter { !m.header.contains($0) }
        if let first = missing.first {
            let message = "the file has no '\(first)' column"
            result.headerRejections.append(prefixed("\(message) (header: \(m.header.joined(separator: ", "))); every row is set aside"))
            return message
        }
        if plan.requireSomeDeclaredColumn, !plan.declared.isEmpty, m.fieldSlots.allSatisfy({ $0 < 0 }) {
            let shown = m.header.prefix(5).joined(separator: ", ") + (m.header.count > 5 ? ", …" : "")
            result.headerRejections.append(prefixed(
                "the header (\(shown)) names none of the declared columns: the file has no header line, or its delimiter is not the one configured; every row is set aside"))
            return "the header names none of the declared columns"
        }
        return nil
    }

    private func appendJSONKey(_ name: String) {
        var n = name
        n.withUTF8 { appendJSONString(UnsafeRawBufferPointer($0), to: batch) }
        batch.append(byte: UInt8(ascii: ":"))
    }

    // MARK: JSON Lines

    /// The target of a key named in `schema.ignored`: its value is dropped.
    static let ignoredKey = Int.min

    /// Where a key goes: a declared column (>= 0), an undeclared one (-1 - its index), or
    /// nowhere (`ignoredKey`).
    private var keyTargets: [String: Int] = [:]
    private var extraNames: [String] = []
    /// The last line's keys by position, to skip the dictionary when lines repeat their layout.
    private var positionKeys: [[UInt8]] = []
    private var positionTargets: [Int] = []

    @inline(__always) private func target(of key: UnsafeRawBufferPointer, position k: Int) -> Int? {
        if k < positionKeys.count, positionKeys[k].withUnsafeBytes({ $0.elementsEqual(key) }) { return positionTargets[k] }
        guard isValidUTF8(key) else { return nil }
        let name = String(decoding: key, as: UTF8.self)
        let t: Int
        if let known = keyTargets[name] {
            t = known
        } else {
            if let j = plan.declared.firstIndex(where: { $0.name == name }) {
                t = j
            } else if plan.ignored.contains(name) {
                t = Self.ignoredKey
            } else {
                extraNames.append(name)
                t = -extraNames.count
            }
            keyTargets[name] = t
            if !part.header.contains(name) { part.header.append(name) }
        }
        if k < positionKeys.count {
            positionKeys[k] = Array(key)
            positionTargets[k] = t
        } else if k == positionKeys.count {
            positionKeys.append(Array(key))
            positionTargets.append(t)
        }
        return t
    }

    private func loadJSONL(_ block: BlockReader) throws {
        let reader = JSONLReader(reader: block)
        keyTargets = [:]
        extraNames = []
        positionKeys = []
        positionTargets = []
        let declared = plan.declared
        let typer = plan.typer
        var valueOf = [Int](repeating: -1, count: declared.count)
        var extras: [(member: Int, extra: Int)] = []
        let extraLimit = plan.maxColumns - declared.count
        try reader.forEach(
            object: { view in
                result.sawHeader = true
                for j in valueOf.indices { valueOf[j] = -1 }
                extras.removeAll(keepingCapacity: true)
                for (k, m) in view.members.enumerated() {
                    guard let t = target(of: view.key(m), position: k) else {
                        try quarantine(line: view.number, raw: view.rawText(), reason: "a key is not valid UTF-8")
                        return
                    }
                    if t < 0, t != Self.ignoredKey, -t > extraLimit {
                        throw limitError(
                            "line \(view.number) brings the file to \(SafeText.groupedDigits(declared.count - t)) columns (declared and distinct undeclared keys)",
                            key: "limits.max_columns", limit: plan.maxColumns)
                    }
                    if t >= 0 {
                        valueOf[t] = k  // a repeated key: the last one wins
                    } else if t == Self.ignoredKey {
                        continue
                    } else if let e = extras.firstIndex(where: { $0.extra == -1 - t }) {
                        extras[e].member = k
                    } else {
                        extras.append((k, -1 - t))
                    }
                }
                let mark = batch.arenaMark
                pendingTypeErrors.removeAll(keepingCapacity: true)
                pendingNonFinite.removeAll(keepingCapacity: true)
                for j in 0..<declared.count {
                    let k = valueOf[j]
                    let outcome: RowTyper.Outcome
                    let value: UnsafeRawBufferPointer
                    if k < 0 {
                        batch.setNull(j)
                        outcome = .null
                        value = UnsafeRawBufferPointer(start: nil, count: 0)
                    } else {
                        let m = view.members[k]
                        value = view.value(m)
                        outcome = typer.type(j, value, syntax: m.syntax, into: batch)
                    }
                    if let failure = apply(outcome, column: j) {
                        batch.rollback(arenaTo: mark)
                        try quarantine(
                            line: view.number, raw: view.rawText(),
                            reason: reason(column: j, value: value, failure: failure), column: declared[j].name)
                        return
                    }
                }
                var extraOffset = -1
                var extraLength = 0
                if !extras.isEmpty {
                    extraOffset = batch.arenaMark
                    batch.append(byte: UInt8(ascii: "{"))
                    for (n, e) in extras.enumerated() {
                        if n > 0 { batch.append(byte: UInt8(ascii: ",")) }
                        appendJSONKey(extraNames[e.extra])
                        let m = view.members[e.member]
                        let v = view.value(m)
                        switch m.syntax {
                        case .text:
                            guard isValidUTF8(v) else {
                                batch.rollback(arenaTo: mark)
                                try quarantine(
                                    line: view.number, raw: view.rawText(),
                                    reason: "key '\(extraNames[e.extra])' (not declared): \(TypeFailure.invalidUTF8.text)",
                                    column: extraNames[e.extra])
                                return
                            }
                            appendJSONString(v, to: batch)
                        case .literal, .null, .nested:
                            _ = batch.append(v)
                        }
                    }
                    batch.append(byte: UInt8(ascii: "}"))
                    extraLength = batch.arenaMark - extraOffset
                }
                if try quarantinedForNUL(
                    mark: mark, line: view.number, extraOffset: extraOffset, extraLength: extraLength, raw: { view.rawText() })
                {
                    return
                }
                try commit(line: view.number, extraOffset: extraOffset, extraLength: extraLength)
            },
            malformed: { line, raw, reason in
                try quarantine(line: line, raw: raw, reason: reason)
            })
        try quarantineDamagedTail(block, line: reader.line)
    }

    // MARK: Parquet

    private func loadParquetPart(_ k: Int, file: FileByteSource) throws {
        let path = plan.parts.files[k]
        part = PartResult(path: path, name: plan.parts.names[k], format: .parquet, compression: .none)
        var st = stat()
        guard fstat(file.fd, &st) == 0 else {
            throw MLAuditError.unreadable(path, what: "the file", cause: String(cString: strerror(errno)))
        }
        let size = Int(st.st_size)
        // Pages are read where the footer says (pread); the SHA-256 is of every byte of the
        // file, read in order afterwards (from the page cache), and the file must not have
        // changed in between (size and modification time).
        try loadParquet(fd: file.fd, size: size)
        file.drain()
        part.fileBytes = file.fileBytesRead
        part.dataBytes = size
        part.sha256 = file.digest()
        if !file.unchangedSinceOpen() || plan.expectedDigests.map({ $0[k] != part.sha256 }) == true {
            throw MLAuditError(
                .unreadableInput, "the file changed while it was being ingested", file: path,
                hint: "Another program is writing it; ingest again once the upstream export has finished. Nothing was stored.")
        }
        result.parts.append(part)
        result.counts.read += part.read
        result.counts.stored += part.stored
        result.counts.quarantined += part.quarantined
        for name in part.header where headerSeen.insert(name).inserted { result.header.append(name) }
    }

    private func loadParquet(fd: Int32, size: Int) throws {
        let footer: ParquetFooter
        let dataEnd: Int
        do {
            (footer, dataEnd) = try ParquetFooter.read(fd: fd, size: size)
        } catch let e as ParquetError {
            throw MLAuditError(
                .unreadableInput, "the Parquet file cannot be read: \(e.message)", file: part.path,
                hint: "Check that the export finished and the file was copied whole; nothing was stored.")
        }
        let declared = plan.declared
        let typer = plan.typer
        // Declared columns by top-level name; nested or conflicting types are definition errors.
        var slot = [Int](repeating: -1, count: declared.count)
        for (j, d) in declared.enumerated() {
            if let i = footer.columns.firstIndex(where: { $0.name == d.name && !$0.nested }) {
                let c = footer.columns[i]
                if let stored = parquetTypeConflict(d.type, c) {
                    throw MLAuditError(
                        .invalidDefinition,
                        "column '\(d.name)' is declared \(d.type.rawValue) but the Parquet file stores it as \(stored), which cannot hold \(d.type.rawValue) values",
                        file: part.path, key: d.name,
                        hint: "Declare the column with a type its Parquet type can hold (docs/ingest.md lists them), or convert the column upstream.")
                }
                slot[j] = i
            } else if footer.topLevel.contains(d.name) || footer.columns.contains(where: { $0.name.hasPrefix(d.name + ".") }) {
                throw MLAuditError(
                    .invalidDefinition,
                    "column '\(d.name)' is a nested Parquet column (a list, map or struct); nested columns cannot be read",
                    file: part.path, key: d.name,
                    hint: "Flatten the column upstream (one scalar column per field), or remove it from the definition.")
            }
        }
        let m = HeaderMapping(header: footer.topLevel, declared: declared)
        result.sawHeader = true
        for p in m.problems { result.headerProblems.append(prefixed(p)) }
        part.header = m.header
        let rejection = headerRejection(m)
        let kinds = footer.columns.map { ParquetValueKind($0) }
        // The Parquet columns read: the declared ones only (projection), each once.
        var wanted: [Int] = []
        for i in slot where i >= 0 && !wanted.contains(i) { wanted.append(i) }
        var rowBase = 0
        var text: [UInt8] = []
        var index = [Int](repeating: -1, count: declared.count)
        var streams = [ParquetColumnStream?](repeating: nil, count: footer.columns.count)
        // The row loop's state per Parquet column, outside Swift arrays (no copy-on-write
        // checks, retains or exclusivity checks per value).
        let views = UnsafeMutablePointer<ParquetPageView>.allocate(capacity: max(footer.columns.count, 1))
        views.initialize(repeating: ParquetPageView(), count: max(footer.columns.count, 1))
        defer { views.deallocate() }
        let readBuffer = ParquetReadBuffer()
        let types = declared.map(\.type)
        let declaredCount = declared.count
        for (g, rg) in footer.rowGroups.enumerated() {
            guard rg.numRows <= parquetMaxRowGroupRows else {
                throw MLAuditError(
                    .unreadableInput,
                    "row group \(g + 1) of the Parquet file claims \(rg.numRows) rows, more than the \(parquetMaxRowGroupRows) one row group may hold here",
                    file: part.path, hint: "Write the file with smaller row groups (pyarrow: row_group_size), or check that it is not corrupt.")
            }
            let rows = Int(rg.numRows)
            let groupEnd = rg.chunks.map { Int(clamping: ($0.dictionaryPageOffset ?? $0.dataPageOffset) &+ $0.totalCompressed) }.max() ?? 0
            defer {
                rowBase += rows
                parquetBytesDone = min(max(groupEnd, parquetBytesDone ?? 0), size)
            }
            if let rejection {
                for r in 0..<rows { try quarantine(line: rowBase + r + 1, raw: "", reason: rejection) }
                continue
            }
            // A damaged row group: the rows from the damage on are set aside with the reason
            // (the rows before it decoded whole and are stored); the next row group is read.
            func damaged(_ i: Int, _ e: ParquetError, from first: Int) throws {
                let failure = "row group \(g + 1), column '\(footer.columns[i].name)': \(e.message)"
                part.damage = part.damage ?? failure
                result.corruptRowGroups.append(prefixed(failure))
                for r in first..<rows { try quarantine(line: rowBase + r + 1, raw: "", reason: "the Parquet data is corrupt: \(failure)") }
            }
            var opened = true
            for i in wanted {
                do {
                    streams[i] = try ParquetColumnStream(
                        fd: fd, dataEnd: dataEnd, column: footer.columns[i], chunk: rg.chunks[i], rows: rows, buffer: readBuffer)
                    views[i] = ParquetPageView()
                } catch let e as ParquetError {
                    try damaged(i, e, from: 0)
                    opened = false
                    break
                }
            }
            guard opened else { continue }
            rowLoop: for r in 0..<rows {
                // Each declared column's value index in this row (-1: null); pages load here,
                // so a damaged page stops the group before the row touches the batch.
                for i in wanted where views[i].pageRow >= views[i].pageRows {
                    do {
                        views[i] = try streams[i]!.nextView()
                    } catch let e as ParquetError {
                        try damaged(i, e, from: r)
                        break rowLoop
                    }
                }
                for j in 0..<declaredCount {
                    let i = slot[j]
                    index[j] = i >= 0 && views[i].isPresent ? views[i].valueIndex : -1
                }
                let b = batch
                let mark = b.arenaMark
                if !pendingTypeErrors.isEmpty { pendingTypeErrors.removeAll(keepingCapacity: true) }
                if !pendingNonFinite.isEmpty { pendingNonFinite.removeAll(keepingCapacity: true) }
                var rejected = -1
                for j in 0..<declaredCount {
                    let k = index[j]
                    let outcome: RowTyper.Outcome
                    if k < 0 {
                        b.setNull(j)
                        outcome = .null
                    } else {
                        let i = slot[j]
                        if let o = typeParquetView(j, views[i], k, kinds[i], types[j], b) {
                            outcome = o
                        } else {
                            outcome = typeParquetValue(j, streams[i]!.page, k, kinds[i], types[j], typer, b, &text)
                        }
                    }
                    if case .stored = outcome { continue }
                    if let failure = apply(outcome, column: j) {
                        b.rollback(arenaTo: mark)
                        var why = "column '\(declared[j].name)': \(failure.text)"
                        if k >= 0 {
                            text.removeAll(keepingCapacity: true)
                            parquetText(streams[slot[j]]!.page, k, kinds[slot[j]], into: &text)
                            why = "column '\(declared[j].name)': '\(String(decoding: text.prefix(80), as: UTF8.self))' \(failure.text)"
                        }
                        try quarantine(line: rowBase + r + 1, raw: parquetRowText(streams, slot, index, kinds), reason: why, column: declared[j].name)
                        rejected = j
                        break
                    }
                }
                if rejected < 0, try !quarantinedForNUL(
                    mark: mark, line: rowBase + r + 1, extraOffset: -1, extraLength: 0,
                    raw: { parquetRowText(streams, slot, index, kinds) })
                {
                    try commit(line: rowBase + r + 1, extraOffset: -1, extraLength: 0)
                }
                for i in wanted { views[i].advance() }
            }
            for i in wanted { streams[i] = nil }
            try send()
        }
    }

    /// A quarantined Parquet row as JSON text (declared columns only).
    private func parquetRowText(_ streams: [ParquetColumnStream?], _ slot: [Int], _ index: [Int], _ kinds: [ParquetValueKind]) -> String {
        var out = "{"
        var text: [UInt8] = []
        for (j, d) in plan.declared.enumerated() {
            if j > 0 { out += "," }
            out += jsonQuoted(d.name) + ":"
            let k = index[j]
            guard k >= 0, slot[j] >= 0, let c = streams[slot[j]]?.page else {
                out += "null"
                continue
            }
            text.removeAll(keepingCapacity: true)
            parquetText(c, k, kinds[slot[j]], into: &text)
            out += jsonQuoted(String(decoding: text.prefix(1000), as: UTF8.self))
        }
        return out + "}"
    }
}
