import AuditModel
import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// A text column's distinct values with how often each occurs, in order of first appearance,
/// without a code per row: what the checks and profiles of a text column need.
public struct LabelSummary: Sendable, Equatable {
    public var dictionary: [String]
    /// Occurrences of each dictionary entry.
    public var counts: [Int]
    public var nullCount: Int
    /// Rows read (values and nulls).
    public var rows: Int

    public init(dictionary: [String], counts: [Int], nullCount: Int, rows: Int) {
        self.dictionary = dictionary
        self.counts = counts
        self.nullCount = nullCount
        self.rows = rows
    }
}

extension LabelColumnData {
    /// The column's values and counts without the codes.
    public var summary: LabelSummary {
        LabelSummary(dictionary: dictionary, counts: counts, nullCount: nullCount, rows: codes.count)
    }
}

/// What `readTextColumns` gives: every column's summary, the per-row codes of the columns asked
/// for, and (when asked) one key per row.
public struct TextColumns: Sendable {
    public var summaries: [String: LabelSummary]
    /// The columns whose codes were asked for, as `readColumns` gives them.
    public var codes: [String: ColumnData]
    /// One 64-bit key per row, in row order, folding every read column's value (null or the
    /// hash of its bytes): rows whose keys differ differ in some column; rows whose keys are
    /// equal may still differ (confirm by value). Empty unless asked for.
    public var rowKeys: [UInt64]
    /// The columns asked for as hashes (`HashedText`), which have no summary.
    public var hashed: [String: HashedText]

    public init(summaries: [String: LabelSummary], codes: [String: ColumnData], rowKeys: [UInt64], hashed: [String: HashedText] = [:]) {
        self.summaries = summaries
        self.codes = codes
        self.rowKeys = rowKeys
        self.hashed = hashed
    }
}

extension RowTable {
    /// Whether the column is read as text (dictionary-encoded) rather than as numbers: every
    /// type but numeric, integer and boolean.
    public static func isText(_ c: DeclaredColumn) -> Bool { !(c.type.isNumeric || c.type == .boolean) }

    /// Those of `names` whose layout column is read as text, in the order of `names`.
    public func textColumns(_ names: [String]) -> [String] {
        names.filter { n in columns.first { $0.name == n }.map(Self.isText) ?? false }
    }
}

extension Store {
    /// Every text column of `names` in one scan of the snapshot's rows (`readColumns`'s rowid
    /// range scan, split over two connections from `parallelFrom` rows): per column its
    /// distinct values and their counts, codes per row only for the columns in `codes`, and
    /// with `rowKeys` one key per row over all of them. Memory: the columns' dictionaries (and
    /// the asked-for codes, 4 bytes per row each), not a code per row of every column, so a
    /// snapshot's text columns need one scan of the row records instead of one per group.
    ///
    /// The columns in `hashed` are read as a hash per value (`HashedText`, 8 bytes a row), and
    /// read a second time, counting only the values whose hash two rows share, when there are any.
    ///
    /// Text columns handed over by the previous stage (`handOffTextColumns`) are returned
    /// without reading when they cover what is asked.
    public func readTextColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], codes keep: [String], rowKeys: Bool,
        hashed: [String] = [], parallelFrom: Int = 100_000
    ) throws -> TextColumns {
        try readTextColumns(
            table, snapshotId: snapshotId, columns: names, codes: keep, rowKeys: rowKeys, hashed: hashed,
            parallelFrom: parallelFrom, hashMask: .max)
    }

    /// `readTextColumns` with the hashes of the hashed columns masked by `hashMask` (tests force
    /// shared hashes with a narrow mask) and, for the second read, `confirm`: the columns counted
    /// only for values with one of those (masked) hashes.
    func readTextColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], codes keep: [String], rowKeys: Bool,
        hashed: [String], parallelFrom: Int, hashMask: UInt64, confirm: [String: Set<UInt64>] = [:]
    ) throws -> TextColumns {
        var indices: [Int] = []
        for n in names {
            guard let i = table.columns.firstIndex(where: { $0.name == n }) else {
                throw MLAuditError.internalError("column '\(n)' is not in the row table layout")
            }
            guard RowTable.isText(table.columns[i]) else {
                throw MLAuditError.internalError("column '\(n)' is not a text column")
            }
            indices.append(i)
        }
        let kept = names.map { keep.contains($0) }
        let modes: [TextMode] = names.map { n in
            confirm[n].map { .confirm($0) } ?? (hashed.contains(n) && !keep.contains(n) ? .hashed : .counted)
        }
        func part(_ estimate: Int) -> TextPart { TextPart(keep: kept, modes: modes, hashMask: hashMask, keys: rowKeys, estimate: estimate) }
        func assembled(_ parts: [TextPart]) throws -> TextColumns {
            var (text, shared) = Self.assembleText(names: names, keep: kept, rowKeys: rowKeys, parts: parts)
            guard !shared.isEmpty else { return text }
            let again = try readTextColumns(
                table, snapshotId: snapshotId, columns: Array(shared.keys), codes: [], rowKeys: false, hashed: [],
                parallelFrom: parallelFrom, hashMask: hashMask, confirm: shared)
            for (name, hashes) in shared {
                text.hashed[name] = text.hashed[name]!.confirmed(shared: hashes.count, values: again.summaries[name]!)
            }
            return text
        }
        guard let bounds = try rowBounds(table, snapshotId: snapshotId) else {
            ColumnHandoff.shared.clear()
            return try assembled([part(0)])
        }
        if let path = mainPath,
            let handed = ColumnHandoff.shared.takeText(
                ColumnHandoff.key(path: path, snapshotId: snapshotId, bounds: bounds), names, codes: keep, rowKeys: rowKeys, hashed: hashed)
        {
            return handed
        }
        ColumnHandoff.shared.clear()
        guard !names.isEmpty else { return TextColumns(summaries: [:], codes: [:], rowKeys: []) }
        let lo = bounds.range.lowerBound, hi = bounds.range.upperBound
        guard hi - lo < Int64(Int32.max) else {
            throw MLAuditError.internalError("snapshot \(snapshotId) spans rowids \(lo)...\(hi)")
        }
        let select = indices.map { quoteIdentifier(table.sqlNames[$0]) }.joined(separator: ", ")
        // `+mlaudit_snapshot` keeps the planner on the rowid range instead of the snapshot index.
        let sql = "SELECT \(select) FROM \(quoteIdentifier(table.name)) WHERE rowid BETWEEN ?1 AND ?2 AND +mlaudit_snapshot = ?3 ORDER BY rowid"
        let statement = try db.makeStatement(sql: sql)
        let path = mainPath ?? ""
        let parallel = bounds.count >= max(2, parallelFrom) && ProcessInfo.processInfo.activeProcessorCount >= 2 && !path.isEmpty
        if !parallel {
            var only = part(Int(hi - lo + 1))
            do { try only.read(statement.sqliteStatement, lo: lo, hi: hi, snapshotId: snapshotId) } catch {
                only.free()
                throw error
            }
            return try assembled([only])
        }
        let mid = lo + (hi - lo) / 2
        let second = SecondTextPart(part(Int(hi - mid)))
        let group = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            second.read(path: path, sql: sql, lo: mid + 1, hi: hi, snapshotId: snapshotId)
        }
        var first = part(Int(mid - lo + 1))
        var firstError: (any Error)?
        do { try first.read(statement.sqliteStatement, lo: lo, hi: mid, snapshotId: snapshotId) } catch { firstError = error }
        group.wait()
        if let error = firstError ?? second.error {
            second.part.free()
            first.free()
            throw error
        }
        return try assembled([first, second.part])
    }

    /// Hands text columns just read (`readTextColumns`) to the next `readTextColumns` of the same
    /// snapshot in this process (see `ColumnHandoff`).
    public func handOffTextColumns(_ table: RowTable, snapshotId: Int64, _ text: TextColumns) throws {
        guard let path = mainPath, let bounds = try rowBounds(table, snapshotId: snapshotId) else { return }
        ColumnHandoff.shared.putText(ColumnHandoff.key(path: path, snapshotId: snapshotId, bounds: bounds), text)
    }

    /// Joins the parts in row order (a column at a time: each column's dictionaries are freed as
    /// soon as it is joined); frees the parts. A dictionary stays in order of first appearance,
    /// as a single pass would make it.
    /// Hashed columns' hashes that two rows share come back by column, to confirm by value.
    static func assembleText(
        names: [String], keep: [Bool], rowKeys: Bool, parts: [TextPart]
    ) -> (TextColumns, shared: [String: Set<UInt64>]) {
        let total = parts.reduce(0) { $0 + $1.rows }
        var summaries: [String: LabelSummary] = [:]
        var codes: [String: ColumnData] = [:]
        var hashedColumns: [String: HashedText] = [:]
        var shared: [String: Set<UInt64>] = [:]
        // The hashed columns first, their hashes freed before the dictionaries are joined.
        var parts = parts
        for (k, name) in names.enumerated() {
            guard let slot = parts[0].hashSlot(k) else { continue }
            let (text, hashes) = HashPart.join(parts.map { $0.hashParts[slot] }, rows: total, nulls: parts.reduce(0) { $0 + $1.nulls[k] })
            hashedColumns[name] = text
            if !hashes.isEmpty { shared[name] = hashes }
            for p in parts {
                var unused = p.interners[k]
                unused.free()
            }
        }
        for i in parts.indices { parts[i].freeHashes() }
        for (k, name) in names.enumerated() {
            if parts[0].hashSlot(k) != nil { continue }
            let nulls = parts.reduce(0) { $0 + $1.nulls[k] }
            var first = parts[0].interners[k]
            first.reserve(parts.reduce(0) { $0 + $1.interners[k].count })
            var columnCodes: [Int32] = []
            if keep[k] {
                columnCodes.reserveCapacity(total)
                columnCodes.append(contentsOf: parts[0].codes(k))
            }
            for p in parts.dropFirst() {
                let other = p.interners[k]
                var map = [Int32](repeating: -1, count: other.count)
                for e in map.indices {
                    map[e] = first.intern(entry: e, of: other)
                    first.addTally(other.tally(of: e), to: map[e])
                }
                var done = other
                done.free()
                if keep[k] { for c in p.codes(k) { columnCodes.append(c < 0 ? -1 : map[Int(c)]) } }
            }
            let dictionary = first.strings()
            let counts = (0..<first.count).map { first.tally(of: $0) }
            // `first` may have grown (reallocated); the part's copy is stale: free through this one.
            first.free()
            summaries[name] = LabelSummary(dictionary: dictionary, counts: counts, nullCount: nulls, rows: total)
            if keep[k] { codes[name] = .labels(LabelColumnData(codes: columnCodes, dictionary: dictionary)) }
        }
        var keys: [UInt64] = []
        if rowKeys {
            keys.reserveCapacity(total)
            for p in parts { keys.append(contentsOf: p.keys()) }
        }
        for var p in parts { p.free(keepInterners: true) }
        return (TextColumns(summaries: summaries, codes: codes, rowKeys: keys, hashed: hashedColumns), shared)
    }
}

/// The second half of a parallel text read, filled on another thread.
private final class SecondTextPart: @unchecked Sendable {
    var part: TextPart
    var error: (any Error)?

    init(_ part: TextPart) { self.part = part }

    func read(path: String, sql: String, lo: Int64, hi: Int64, snapshotId: Int64) {
        error = readOnSecondConnection(path: path, sql: sql) { try part.read($0, lo: lo, hi: hi, snapshotId: snapshotId) }
    }
}

/// The text columns of one rowid range: a counting dictionary per column, the null counts, the
/// codes of the kept columns and the row keys, in manually managed buffers (see `ColumnPart`).
struct TextPart {
    let keep: [Bool]
    let capacity: Int
    private(set) var rows = 0
    private(set) var nulls: [Int]
    private let codeBuffer: UnsafeMutablePointer<Int32>
    private let keyBuffer: UnsafeMutablePointer<UInt64>
    private let hasKeys: Bool
    /// Column k's slot in the code buffer (-1: no codes kept).
    private let slot: [Int]
    var interners: [ByteInterner]
    /// How each column is read; the hashed columns' hashes (`hashSlot`), masked by `hashMask`.
    let modes: [TextMode]
    private(set) var hashParts: [HashPart]
    private let hashSlots: [Int]
    let hashMask: UInt64

    init(keep: [Bool], modes: [TextMode], hashMask: UInt64, keys: Bool, estimate: Int) {
        self.keep = keep
        self.modes = modes
        self.hashMask = hashMask
        var hashSlots: [Int] = []
        var parts: [HashPart] = []
        for m in modes {
            if case .hashed = m {
                hashSlots.append(parts.count)
                parts.append(HashPart(capacity: max(estimate, 0)))
            } else {
                hashSlots.append(-1)
            }
        }
        self.hashSlots = hashSlots
        hashParts = parts
        capacity = max(estimate, 0)
        var slot: [Int] = []
        var t = 0
        for k in keep {
            if k { slot.append(t); t += 1 } else { slot.append(-1) }
        }
        self.slot = slot
        nulls = keep.map { _ in 0 }
        codeBuffer = .allocate(capacity: max(1, t * capacity))
        hasKeys = keys
        keyBuffer = .allocate(capacity: keys ? max(1, capacity) : 1)
        interners = keep.map { _ in ByteInterner() }
    }

    func codes(_ k: Int) -> UnsafeBufferPointer<Int32> {
        UnsafeBufferPointer(start: codeBuffer + slot[k] * capacity, count: rows)
    }

    /// Frees the hashed columns' hashes (once: `free` calls it too).
    mutating func freeHashes() {
        for p in hashParts { p.free() }
        hashParts = []
    }

    /// Column k's place among the hash parts when it is read as hashes.
    func hashSlot(_ k: Int) -> Int? { hashSlots[k] >= 0 ? hashSlots[k] : nil }

    func keys() -> UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: keyBuffer, count: hasKeys ? rows : 0) }

    /// A row key starts at `keySeed`; each column folds in its value's hash (`nullKey` for null).
    static let keySeed: UInt64 = 0x243F_6A88_85A3_08D3
    static let nullKey: UInt64 = 0x6E75_6C6C

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Reads the rows with rowid in `lo...hi` (at most `capacity`).
    mutating func read(_ stmt: OpaquePointer, lo: Int64, hi: Int64, snapshotId: Int64) throws {
        sqlite3_reset(stmt)
        sqlite3_bind_int64(stmt, 1, lo)
        sqlite3_bind_int64(stmt, 2, hi)
        sqlite3_bind_int64(stmt, 3, snapshotId)
        defer { sqlite3_reset(stmt) }
        let columns = keep.count
        let capacity = capacity
        let codes = codeBuffer, keys = keyBuffer, hasKeys = hasKeys
        let counted = modes.map { if case .counted = $0 { true } else { false } }
        let filters: [Set<UInt64>?] = modes.map { if case .confirm(let s) = $0 { s } else { nil } }
        let hashSlots = hashSlots, mask = hashMask
        var row = 0
        try hashParts.withUnsafeMutableBufferPointer { hashParts in
        try slot.withUnsafeBufferPointer { slot in
            try nulls.withUnsafeMutableBufferPointer { nulls in
                try interners.withUnsafeMutableBufferPointer { interners in
                    while true {
                        let rc = sqlite3_step(stmt)
                        if rc == SQLITE_DONE { break }
                        guard rc == SQLITE_ROW, row < capacity else {
                            throw MLAuditError.warehouse(
                                "reading rows failed",
                                cause: rc == SQLITE_ROW ? "more rows than the snapshot's rowid range" : String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
                        }
                        var key = Self.keySeed
                        for k in 0..<columns {
                            let value = sqlite3_column_value(stmt, Int32(k))
                            let code: Int32
                            if sqlite3_value_type(value) == SQLITE_NULL {
                                nulls[k] += 1
                                code = -1
                                key = Self.mix(key ^ Self.nullKey)
                            } else {
                                let p = UnsafeRawPointer(sqlite3_value_text(value))
                                let n = Int(sqlite3_value_bytes(value))
                                let h = ByteInterner.hash(p, n)
                                if counted[k] {
                                    code = interners[k].tally(p, count: n, hash: h)
                                } else if hashSlots[k] >= 0 {
                                    hashParts[hashSlots[k]].add(h & mask, p, n)
                                    code = -1
                                } else if filters[k]!.contains(h & mask) {
                                    code = interners[k].tally(p, count: n, hash: h)
                                } else {
                                    code = -1
                                }
                                key = Self.mix(key ^ h)
                            }
                            if slot[k] >= 0 { codes[slot[k] * capacity + row] = code }
                        }
                        if hasKeys { keys[row] = key }
                        row += 1
                    }
                }
            }
        }
        }
        rows = row
        for p in hashParts { p.sort() }
    }

    /// Frees the buffers and (unless `assembleText` already did) the interners.
    mutating func free(keepInterners: Bool = false) {
        if !keepInterners { for k in interners.indices { interners[k].free() } }
        freeHashes()
        codeBuffer.deallocate()
        keyBuffer.deallocate()
    }
}

// As `ColumnPart`: the second half is filled by one thread while nothing else touches it.
extension TextPart: @unchecked Sendable {}

extension TextColumns {
    /// Adds whole columns as `readColumns` gives them (for a backend that reads text columns a
    /// group at a time): their summaries, the codes of those in `keep`, and with `rowKeys` their
    /// values folded into the row keys in the order of `names` — the same keys `readTextColumns`
    /// of the SQLite warehouse makes in one scan. Call once per group, groups in column order.
    public mutating func add(_ columns: [String: ColumnData], names: [String], keep: [String], rowKeys: Bool) throws {
        for name in names {
            guard case .labels(let d)? = columns[name] else {
                throw MLAuditError.internalError("column '\(name)' was not read as text")
            }
            summaries[name] = d.summary
            if keep.contains(name) { codes[name] = .labels(d) }
            guard rowKeys else { continue }
            if self.rowKeys.isEmpty { self.rowKeys = [UInt64](repeating: TextPart.keySeed, count: d.codes.count) }
            guard self.rowKeys.count == d.codes.count else {
                throw MLAuditError.internalError("column '\(name)' has \(d.codes.count) rows, the others \(self.rowKeys.count)")
            }
            let hashes = d.dictionary.map { value in
                var v = value
                return v.withUTF8 { ByteInterner.hash(UnsafeRawPointer($0.baseAddress), $0.count) }
            }
            self.rowKeys.withUnsafeMutableBufferPointer { keys in
                for (i, c) in d.codes.enumerated() {
                    keys[i] = TextPart.mix(keys[i] ^ (c < 0 ? TextPart.nullKey : hashes[Int(c)]))
                }
            }
        }
    }
}
