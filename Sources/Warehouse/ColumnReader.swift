import AuditModel
import Dispatch
import Foundation
import GRDB
import GRDBSQLite

extension Store {
    /// Reads whole columns of a snapshot in row order.
    ///
    /// Numeric, integer and boolean columns with a complete columnar copy (`numericColumn`,
    /// written at ingest) are read from it: a few large blobs instead of every row record.
    /// The other columns are read from the rows.
    ///
    /// A snapshot's rows are one contiguous run of rowids (one transaction appends them), so
    /// they are read as a rowid range scan of the table rather than through the snapshot index
    /// (which costs a table seek per row). Text values are dictionary-encoded from their bytes
    /// (`ByteInterner`): a `String` is made once per distinct value, not once per row. From
    /// 100 000 rows on, and with two or more cores, the range is split in two and the second
    /// half is read on a second, read-only connection in parallel (WAL lets it read the
    /// committed rows while this connection holds a transaction); the halves are then joined.
    ///
    /// Columns handed over by the previous stage (`handOffColumns`) for the same snapshot are
    /// returned without reading (the next read takes or drops the hand-off).
    ///
    /// - Parameters:
    ///   - parallelFrom: the row count from which the read is split over two connections
    ///     (tests lower it to cover the join on small tables).
    ///   - columnar: whether to use the columnar copy where there is one (tests turn it off to
    ///     compare both paths).
    public func readColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], parallelFrom: Int = 100_000, columnar: Bool = true
    ) throws -> [String: ColumnData] {
        var indices: [Int] = []
        for n in names {
            guard let i = table.columns.firstIndex(where: { $0.name == n }) else {
                throw MLAuditError.internalError("column '\(n)' is not in the row table layout")
            }
            indices.append(i)
        }
        guard !indices.isEmpty else { return [:] }
        let numeric = indices.map { table.columns[$0].type.isNumeric || table.columns[$0].type == .boolean }
        guard let bounds = try rowBounds(table, snapshotId: snapshotId) else {
            ColumnHandoff.shared.clear()
            return Self.assemble(names: names, numeric: numeric, parts: [ColumnPart(numeric: numeric, estimate: 0)])
        }
        if columnar, let path = mainPath,
            let handed = ColumnHandoff.shared.take(ColumnHandoff.key(path: path, snapshotId: snapshotId, bounds: bounds), names)
        {
            return handed
        }
        var out: [String: ColumnData] = [:]
        if columnar {
            for (name, chunks) in try numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count) {
                out[name] = .numeric(try readNumericCopy(chunks, column: name, rows: bounds.count))
            }
        }
        let rest = indices.indices.filter { out[names[$0]] == nil }
        if !rest.isEmpty {
            let fromRows = try readRows(
                table, snapshotId: snapshotId, names: rest.map { names[$0] }, indices: rest.map { indices[$0] },
                numeric: rest.map { numeric[$0] }, range: bounds.range, count: bounds.count, parallelFrom: parallelFrom)
            out.merge(fromRows) { a, _ in a }
        }
        return out
    }

    /// `readColumns` from the row table, over the snapshot's rowid range.
    private func readRows(
        _ table: RowTable, snapshotId: Int64, names: [String], indices: [Int], numeric: [Bool], range: ClosedRange<Int64>,
        count: Int, parallelFrom: Int
    ) throws -> [String: ColumnData] {
        let lo = range.lowerBound, hi = range.upperBound
        let qt = quoteIdentifier(table.name)
        // Rowids of one snapshot are contiguous, so the range size bounds the rows of each part.
        guard hi - lo < Int64(Int32.max) else {
            throw MLAuditError.internalError("snapshot \(snapshotId) spans rowids \(lo)...\(hi)")
        }
        let select = indices.map { quoteIdentifier(table.sqlNames[$0]) }.joined(separator: ", ")
        // `+mlaudit_snapshot` keeps the planner on the rowid range instead of the snapshot index.
        let sql = "SELECT \(select) FROM \(qt) WHERE rowid BETWEEN ?1 AND ?2 AND +mlaudit_snapshot = ?3 ORDER BY rowid"
        let statement = try db.makeStatement(sql: sql)
        let path = String(cString: sqlite3_db_filename(db.sqliteConnection, "main"))
        let parallel = count >= max(2, parallelFrom) && ProcessInfo.processInfo.activeProcessorCount >= 2 && !path.isEmpty
        if !parallel {
            var part = ColumnPart(numeric: numeric, estimate: Int(hi - lo + 1))
            try part.read(statement.sqliteStatement, lo: lo, hi: hi, snapshotId: snapshotId)
            return Self.assemble(names: names, numeric: numeric, parts: [part])
        }
        let mid = lo + (hi - lo) / 2
        let second = SecondPart(numeric: numeric, estimate: Int(hi - mid))
        let group = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            second.read(path: path, sql: sql, lo: mid + 1, hi: hi, snapshotId: snapshotId)
        }
        var first = ColumnPart(numeric: numeric, estimate: Int(mid - lo + 1))
        var firstError: (any Error)?
        do { try first.read(statement.sqliteStatement, lo: lo, hi: mid, snapshotId: snapshotId) } catch { firstError = error }
        group.wait()
        if let firstError {
            second.part.free()
            first.free()
            throw firstError
        }
        if let error = second.error {
            second.part.free()
            first.free()
            throw error
        }
        return Self.assemble(names: names, numeric: numeric, parts: [first, second.part])
    }

    /// Joins the parts in row order into column values, columns in parallel; frees the parts.
    static func assemble(names: [String], numeric: [Bool], parts: [ColumnPart]) -> [String: ColumnData] {
        let total = parts.reduce(0) { $0 + $1.rows }
        let results = ColumnResults(count: names.count)
        // Numeric columns in parallel (copies); text columns one at a time, each part's
        // dictionary freed as soon as its column is joined: a column of distinct values (an id,
        // a timestamp) holds both halves' dictionaries and the joined one while it is joined,
        // and two such joins at once made the peak of a snapshot's read (docs/scaling.md).
        let numericColumns = numeric.indices.filter { numeric[$0] }
        DispatchQueue.concurrentPerform(iterations: numericColumns.count) { i in
            let k = numericColumns[i]
            results.set(k, join(column: k, numeric: true, parts: parts, total: total))
        }
        for k in numeric.indices where !numeric[k] {
            results.set(k, join(column: k, numeric: false, parts: parts, total: total))
        }
        var out: [String: ColumnData] = [:]
        for (k, name) in names.enumerated() { out[name] = results.values[k] }
        for var p in parts {
            // Every part's text interners were freed by `join`; the numeric columns' are unused.
            for k in numeric.indices where numeric[k] { p.interners[k].free() }
            p.free(keepInterners: true)
        }
        return out
    }

    /// Column k of every part, in row order. A text column is re-coded through the first
    /// part's dictionary, so the dictionary stays in order of first appearance, as a single
    /// pass would make it. Touches only column k's buffers and interners.
    private static func join(column k: Int, numeric: Bool, parts: [ColumnPart], total: Int) -> ColumnData {
        if numeric {
            var values: [Double] = [], nulls: [Bool] = []
            values.reserveCapacity(total)
            nulls.reserveCapacity(total)
            for p in parts {
                values.append(contentsOf: p.values(k))
                nulls.append(contentsOf: p.nulls(k))
            }
            return .numeric(NumericColumnData(values: values, nulls: nulls))
        }
        var codes: [Int32] = []
        codes.reserveCapacity(total)
        codes.append(contentsOf: parts[0].codes(k))
        var first = parts[0].interners[k]
        first.reserve(parts.reduce(0) { $0 + $1.interners[k].count })
        for p in parts.dropFirst() {
            var map = [Int32](repeating: -1, count: p.interners[k].count)
            for e in map.indices { map[e] = first.intern(entry: e, of: p.interners[k]) }
            var done = p.interners[k]
            done.free()
            for c in p.codes(k) { codes.append(c < 0 ? -1 : map[Int(c)]) }
            map = []
        }
        let dictionary = first.strings()
        // `first` may have grown (reallocated); the part's copy is stale: free through this one.
        first.free()
        return .labels(LabelColumnData(codes: codes, dictionary: dictionary))
    }
}

/// One slot per column, each written by exactly one `concurrentPerform` iteration.
private final class ColumnResults: @unchecked Sendable {
    var values: [ColumnData?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ k: Int, _ v: ColumnData) { values.withUnsafeMutableBufferPointer { $0[k] = v } }
}

/// Opens a read-only connection of its own on `path`, prepares `sql` and runs `body` with the
/// statement; returns the error, if any (the second half of a parallel read, on its thread).
/// Pages are read with read calls into SQLite's bounded page cache, not through a memory map:
/// every page a map touches stays in the process's resident set until the connection closes
/// (a scan of half a million rows: over 100 MB; docs/scaling.md).
func readOnSecondConnection(path: String, sql: String, _ body: (OpaquePointer) throws -> Void) -> (any Error)? {
    var connection: OpaquePointer?
    defer { sqlite3_close(connection) }
    guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
        return MLAuditError.warehouse("cannot open a second read connection", file: path,
                                      cause: connection.map { String(cString: sqlite3_errmsg($0)) })
    }
    sqlite3_busy_timeout(connection, 10_000)
    var stmt: OpaquePointer?
    defer { sqlite3_finalize(stmt) }
    guard sqlite3_prepare_v2(connection, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
        return MLAuditError.warehouse("cannot prepare a column read", file: path, cause: String(cString: sqlite3_errmsg(connection)))
    }
    do { try body(stmt) } catch { return error }
    return nil
}

/// The second half of a parallel read, filled on another thread.
private final class SecondPart: @unchecked Sendable {
    var part: ColumnPart
    var error: (any Error)?

    init(numeric: [Bool], estimate: Int) { part = ColumnPart(numeric: numeric, estimate: estimate) }

    func read(path: String, sql: String, lo: Int64, hi: Int64, snapshotId: Int64) {
        error = readOnSecondConnection(path: path, sql: sql) { try part.read($0, lo: lo, hi: hi, snapshotId: snapshotId) }
    }
}

/// The columns of one rowid range, as they come out of SQLite: flat, manually managed
/// buffers (one slot per row of the range), so the row loop does no reference counting,
/// no exclusivity checks and no array growth.
struct ColumnPart {
    let numeric: [Bool]
    /// Rows of the range (the buffers' capacity) and rows read.
    let capacity: Int
    private(set) var rows = 0
    private let valueBuffer: UnsafeMutablePointer<Double>
    private let nullBuffer: UnsafeMutablePointer<Bool>
    private let codeBuffer: UnsafeMutablePointer<Int32>
    /// Column k's slot in the numeric or the code buffer.
    private let slot: [Int]
    var interners: [ByteInterner]

    init(numeric: [Bool], estimate: Int) {
        self.numeric = numeric
        capacity = max(estimate, 0)
        var slot: [Int] = []
        var n = 0, t = 0
        for isNumeric in numeric {
            if isNumeric { slot.append(n); n += 1 } else { slot.append(t); t += 1 }
        }
        self.slot = slot
        valueBuffer = .allocate(capacity: max(1, n * capacity))
        nullBuffer = .allocate(capacity: max(1, n * capacity))
        codeBuffer = .allocate(capacity: max(1, t * capacity))
        interners = numeric.map { _ in ByteInterner() }
    }

    /// Column k's values (a numeric column), nulls (numeric) or codes (text), as read.
    func values(_ k: Int) -> UnsafeBufferPointer<Double> { column(valueBuffer, k) }
    func nulls(_ k: Int) -> UnsafeBufferPointer<Bool> { column(nullBuffer, k) }
    func codes(_ k: Int) -> UnsafeBufferPointer<Int32> { column(codeBuffer, k) }

    private func column<T>(_ buffer: UnsafeMutablePointer<T>, _ k: Int) -> UnsafeBufferPointer<T> {
        UnsafeBufferPointer(start: buffer + slot[k] * capacity, count: rows)
    }

    /// Reads the rows with rowid in `lo...hi` (at most `capacity`).
    mutating func read(_ stmt: OpaquePointer, lo: Int64, hi: Int64, snapshotId: Int64) throws {
        sqlite3_reset(stmt)
        sqlite3_bind_int64(stmt, 1, lo)
        sqlite3_bind_int64(stmt, 2, hi)
        sqlite3_bind_int64(stmt, 3, snapshotId)
        defer { sqlite3_reset(stmt) }
        let columns = numeric.count
        let capacity = capacity
        let values = valueBuffer, nulls = nullBuffer, codes = codeBuffer
        var row = 0
        try numeric.withUnsafeBufferPointer { isNumeric in
            try slot.withUnsafeBufferPointer { slot in
                try interners.withUnsafeMutableBufferPointer { interners in
                    while true {
                        let rc = sqlite3_step(stmt)
                        if rc == SQLITE_DONE { break }
                        guard rc == SQLITE_ROW, row < capacity else {
                            throw MLAuditError.warehouse(
                                "reading rows failed",
                                cause: rc == SQLITE_ROW ? "more rows than the snapshot's rowid range" : String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
                        }
                        for k in 0..<columns {
                            // One column call, then the value accessors (no per-call API bookkeeping).
                            let value = sqlite3_column_value(stmt, Int32(k))
                            let type = sqlite3_value_type(value)
                            let at = slot[k] * capacity + row
                            if isNumeric[k] {
                                // NaN is stored as the text 'NaN' (SQLite would turn a NaN double into NULL).
                                values[at] = type == SQLITE_NULL || type == SQLITE_TEXT ? .nan : sqlite3_value_double(value)
                                nulls[at] = type == SQLITE_NULL
                            } else if type == SQLITE_NULL {
                                codes[at] = -1
                            } else {
                                let p = sqlite3_value_text(value)
                                let n = Int(sqlite3_value_bytes(value))
                                codes[at] = interners[k].intern(UnsafeRawPointer(p), count: n)
                            }
                        }
                        row += 1
                    }
                }
            }
        }
        rows = row
    }

    /// Frees the buffers and the interners; `join` has already freed (and may have
    /// reallocated) the first part's text interners, which `keepInterners` skips.
    mutating func free(keepInterners: Bool = false) {
        if !keepInterners { for k in interners.indices { interners[k].free() } }
        valueBuffer.deallocate()
        nullBuffer.deallocate()
        codeBuffer.deallocate()
    }
}

/// Dictionary encoding of byte strings: an open-addressing hash table over an arena of the
/// distinct values' bytes. Each slot holds the entry and the top half of its hash, so a probe
/// touches one cache line until the hash matches. Interning a value already seen costs a hash
/// and a compare, no allocation; `strings()` makes one `String` per distinct value at the end.
/// Manually managed (`free()`), so that the hot loop touches no reference counts.
struct ByteInterner {
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity = 1 << 12
    private var arenaCount = 0
    private var offsets: UnsafeMutablePointer<Int>
    private var lengths: UnsafeMutablePointer<Int32>
    /// Full hashes by entry, read only when the table grows.
    private var hashes: UnsafeMutablePointer<UInt64>
    /// Occurrences by entry, kept by `tally` only (`readTextColumns`).
    private var tallies: UnsafeMutablePointer<Int>
    private var entryCapacity = 64
    private(set) var count = 0
    /// 0 when empty, else `(hash >> 32) << 32 | (entry + 1)`.
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotMask = 127

    init() {
        arena = .allocate(capacity: arenaCapacity)
        offsets = .allocate(capacity: entryCapacity)
        lengths = .allocate(capacity: entryCapacity)
        hashes = .allocate(capacity: entryCapacity)
        tallies = .allocate(capacity: entryCapacity)
        slots = .allocate(capacity: slotMask + 1)
        slots.initialize(repeating: 0, count: slotMask + 1)
    }

    mutating func free() {
        arena.deallocate()
        offsets.deallocate()
        lengths.deallocate()
        hashes.deallocate()
        tallies.deallocate()
        slots.deallocate()
        count = -1
    }

    @inline(__always)
    static func hash(_ p: UnsafeRawPointer?, _ n: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var tail: UInt64 = 0
        if let p, n > 0 {
            var i = 0
            while i + 8 <= n {
                h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i += 8
            }
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
        }
        // MurmurHash3's 64-bit finalizer: every input bit reaches the low bits the table uses.
        h ^= tail
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    /// The code of the `n` bytes at `p`, adding them when new.
    @inline(__always)
    mutating func intern(_ p: UnsafeRawPointer?, count n: Int) -> Int32 {
        intern(p, count: n, hash: Self.hash(p, n))
    }

    /// `intern` with the bytes' hash (`hash(p, n)`) already made, counting the occurrence.
    @inline(__always)
    mutating func tally(_ p: UnsafeRawPointer?, count n: Int, hash h: UInt64) -> Int32 {
        let e = intern(p, count: n, hash: h)
        tallies[Int(e)] += 1
        return e
    }

    /// How often entry `e` was tallied (plus what `addTally` added).
    func tally(of e: Int) -> Int { tallies[e] }

    mutating func addTally(_ n: Int, to e: Int32) { tallies[Int(e)] += n }

    @inline(__always)
    mutating func intern(_ p: UnsafeRawPointer?, count n: Int, hash h: UInt64) -> Int32 {
        let tag = h & 0xFFFF_FFFF_0000_0000
        var i = Int(truncatingIfNeeded: h) & slotMask
        while true {
            let s = slots[i]
            if s == 0 { break }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let e = Int(s & 0xFFFF_FFFF) - 1
                if Int(lengths[e]) == n, n == 0 || memcmp(arena + offsets[e], p!, n) == 0 { return Int32(e) }
            }
            i = (i + 1) & slotMask
        }
        return insert(p, n, h, slot: i)
    }

    private mutating func insert(_ p: UnsafeRawPointer?, _ n: Int, _ h: UInt64, slot: Int) -> Int32 {
        if count == entryCapacity {
            let cap = entryCapacity * 2
            offsets = grow(offsets, from: count, to: cap)
            lengths = grow(lengths, from: count, to: cap)
            hashes = grow(hashes, from: count, to: cap)
            tallies = grow(tallies, from: count, to: cap)
            entryCapacity = cap
        }
        if arenaCount + n > arenaCapacity {
            var cap = arenaCapacity * 2
            while arenaCount + n > cap { cap *= 2 }
            arena = grow(arena, from: arenaCount, to: cap)
            arenaCapacity = cap
        }
        if n > 0 { (arena + arenaCount).update(from: p!.assumingMemoryBound(to: UInt8.self), count: n) }
        let e = count
        offsets[e] = arenaCount
        lengths[e] = Int32(n)
        hashes[e] = h
        tallies[e] = 0
        arenaCount += n
        count += 1
        slots[slot] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(e + 1)
        if count * 2 > slotMask + 1 { rehash(to: (slotMask + 1) * 2) }
        return Int32(e)
    }

    /// Makes room for `entries` values without growing on the way.
    mutating func reserve(_ entries: Int) {
        var size = slotMask + 1
        while entries * 2 > size { size *= 2 }
        if size > slotMask + 1 { rehash(to: size) }
    }

    private mutating func rehash(to size: Int) {
        slots.deallocate()
        slots = .allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        slotMask = size - 1
        for e in 0..<count {
            let h = hashes[e]
            var i = Int(truncatingIfNeeded: h) & slotMask
            while slots[i] != 0 { i = (i + 1) & slotMask }
            slots[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(e + 1)
        }
    }

    private func grow<T>(_ old: UnsafeMutablePointer<T>, from used: Int, to capacity: Int) -> UnsafeMutablePointer<T> {
        let new = UnsafeMutablePointer<T>.allocate(capacity: capacity)
        new.moveInitialize(from: old, count: used)
        old.deallocate()
        return new
    }

    /// Interns entry `e` of `other` into this dictionary.
    mutating func intern(entry e: Int, of other: ByteInterner) -> Int32 {
        intern(UnsafeRawPointer(other.arena + other.offsets[e]), count: Int(other.lengths[e]))
    }

    /// The distinct values in order of first appearance.
    func strings() -> [String] {
        (0..<count).map { e in
            String(decoding: UnsafeBufferPointer(start: arena + offsets[e], count: Int(lengths[e])), as: UTF8.self)
        }
    }
}

// Parts are handed to other threads in two ways only: the second half is filled by one
// thread while nothing else touches it, and `assemble` joins column k on one thread while
// other threads join other columns (disjoint buffers and interners).
extension ColumnPart: @unchecked Sendable {}
