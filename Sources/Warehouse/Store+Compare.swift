import AuditModel
import Foundation
import GRDB
import GRDBSQLite

/// The finite values of one numeric column of a snapshot, with what was left out.
public struct FiniteNumbers: Sendable, Equatable {
    /// Non-null, finite values (in row order when read from rows; ascending when from the
    /// sorted-column cache).
    public var values: [Double]
    /// Null rows.
    public var nulls: Int
    /// NaN values (stored as the text 'NaN').
    public var nan: Int
    /// Infinite values.
    public var infinite: Int
    /// Rows read.
    public var rows: Int { values.count + nulls + nan + infinite }

    public init(values: [Double], nulls: Int, nan: Int, infinite: Int) {
        self.values = values
        self.nulls = nulls
        self.nan = nan
        self.infinite = infinite
    }
}

// Reads the compare stage needs beyond whole aligned columns: finite numbers for drift
// (half the memory of `readColumns`, no null mask, optionally on several connections at
// once), the sorted-column cache, hourly row counts, and the dates that have snapshots.
extension Store {
    /// The rowid range of a snapshot's rows, as its catalog record keeps it (`snapshot.firstRowid`
    /// and `lastRowid`, written with the rows: a snapshot is inserted in one transaction, so its
    /// rows are contiguous), or nil when it has none (no rows stored, or purged).
    public func rowidRange(_ table: RowTable, snapshotId: Int64) throws -> ClosedRange<Int64>? {
        try catalogRowRange(snapshotId: snapshotId)
    }

    /// The snapshot's `firstRowid...lastRowid` from its catalog record (nil: none recorded).
    func catalogRowRange(snapshotId: Int64) throws -> ClosedRange<Int64>? {
        let row = try Row.fetchOne(db, sql: "SELECT firstRowid, lastRowid FROM snapshot WHERE id = ?", arguments: [snapshotId])
        guard let row, let lo: Int64 = row["firstRowid"], let hi: Int64 = row["lastRowid"], lo <= hi else { return nil }
        return lo...hi
    }

    /// The non-null finite values of numeric columns of a snapshot in row order.
    ///
    /// For the whole snapshot (`rowids` nil), columns with a complete columnar copy
    /// (`numericColumn`) are read from it, unless `columnar` is false; the others (and every
    /// column of a part of the rowid range) in one sequential pass over the rows.
    public func readFiniteNumbers(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>? = nil, columnar: Bool = true
    ) throws -> [String: FiniteNumbers] {
        for n in names {
            guard let i = table.columns.firstIndex(where: { $0.name == n }),
                table.columns[i].type.isNumeric || table.columns[i].type == .boolean
            else { throw MLAuditError.internalError("column '\(n)' is not a numeric column of the row table") }
        }
        guard !names.isEmpty else { return [:] }
        if rowids != nil || !columnar { return try readFiniteNumbersFromRows(table, snapshotId: snapshotId, columns: names, rowids: rowids) }
        guard let bounds = try rowBounds(table, snapshotId: snapshotId) else {
            return try readFiniteNumbersFromRows(table, snapshotId: snapshotId, columns: names, rowids: nil)
        }
        var out: [String: FiniteNumbers] = [:]
        for (name, chunks) in try numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count) {
            out[name] = try readFiniteNumbersCopy(chunks, column: name, rows: bounds.count)
        }
        let rest = names.filter { out[$0] == nil }
        if !rest.isEmpty {
            out.merge(try readFiniteNumbersFromRows(table, snapshotId: snapshotId, columns: rest, rowids: bounds.range)) { a, _ in a }
        }
        return out
    }

    /// `readFiniteNumbers` from the row table: one sequential pass over the snapshot's rowid
    /// range (or the part of it given).
    func readFiniteNumbersFromRows(_ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>?)
        throws -> [String: FiniteNumbers]
    {
        let sqlNames = names.map { n in table.sqlName(of: n)! }
        func empty() -> [String: FiniteNumbers] {
            Dictionary(names.map { ($0, FiniteNumbers(values: [], nulls: 0, nan: 0, infinite: 0)) }, uniquingKeysWith: { a, _ in a })
        }
        guard !names.isEmpty else { return [:] }
        guard let range = try rowids ?? rowidRange(table, snapshotId: snapshotId) else { return empty() }
        let k = names.count
        let capacity = Int(range.upperBound - range.lowerBound + 1)
        // Raw buffers: the loop below runs once per value (millions of times) and must not pay
        // for array uniqueness and bounds checks.
        let buffers = UnsafeMutablePointer<UnsafeMutablePointer<Double>>.allocate(capacity: k)
        let tallies = UnsafeMutablePointer<Int>.allocate(capacity: 4 * k)
        tallies.initialize(repeating: 0, count: 4 * k)
        for c in 0..<k { (buffers + c).initialize(to: UnsafeMutablePointer<Double>.allocate(capacity: capacity)) }
        defer {
            for c in 0..<k { buffers[c].deallocate() }
            buffers.deallocate()
            tallies.deallocate()
        }
        let counts = tallies, nulls = tallies + k, nan = tallies + 2 * k, infinite = tallies + 3 * k
        // `+mlaudit_snapshot` keeps SQLite on the rowid range instead of the snapshot index.
        let statement = try db.makeStatement(
            sql: """
                SELECT \(sqlNames.map(quoteIdentifier).joined(separator: ", ")) FROM \(quoteIdentifier(table.name))
                WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ? ORDER BY rowid
                """)
        let stmt = statement.sqliteStatement
        sqlite3_bind_int64(stmt, 1, range.lowerBound)
        sqlite3_bind_int64(stmt, 2, range.upperBound)
        sqlite3_bind_int64(stmt, 3, snapshotId)
        defer { sqlite3_reset(stmt) }
        var rows = 0
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW, rows < capacity else {
                throw MLAuditError.warehouse(
                    "reading rows failed", cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
            }
            rows += 1
            for c in 0..<k {
                let col = Int32(c)
                // NULL and the text 'NaN' (how NaN is stored) both read as 0.0: only a 0.0 needs
                // the storage class, which halves the calls into SQLite.
                let v = sqlite3_column_double(stmt, col)
                if v == 0 {
                    switch sqlite3_column_type(stmt, col) {
                    case SQLITE_NULL:
                        nulls[c] += 1
                        continue
                    case SQLITE_TEXT:
                        nan[c] += 1
                        continue
                    default: break
                    }
                } else if !v.isFinite {
                    infinite[c] += 1
                    continue
                }
                buffers[c][counts[c]] = v
                counts[c] += 1
            }
        }
        var out: [String: FiniteNumbers] = [:]
        for c in 0..<k {
            let values = [Double](UnsafeBufferPointer(start: buffers[c], count: counts[c]))
            out[names[c]] = FiniteNumbers(values: values, nulls: nulls[c], nan: nan[c], infinite: infinite[c])
        }
        return out
    }

    /// Rows per hour of a canonical timestamp column (`YYYY-MM-DDTHH`, UTC): the key is the
    /// value's first 13 characters (SQL `substr(value, 1, 13)`), rows with a null timestamp
    /// are counted under the key "".
    ///
    /// One sequential pass over the snapshot's rowid range, counted here: runs of equal keys
    /// (a log's rows come in time order) cost a byte comparison each, a dictionary update
    /// only when the key changes. A `GROUP BY` in SQL sorted every row first (about half the
    /// time of the whole count). A value stored as anything but text or null (never written by
    /// ingest) sends the count back to SQL.
    public func hourCounts(_ table: RowTable, snapshotId: Int64, column: String) throws -> [String: Int] {
        guard let sql = table.sqlName(of: column) else {
            throw MLAuditError.internalError("column '\(column)' is not in the row table layout")
        }
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return [:] }
        let statement = try db.makeStatement(
            sql: """
                SELECT \(quoteIdentifier(sql)) FROM \(quoteIdentifier(table.name))
                WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ?
                """)
        let stmt = statement.sqliteStatement
        sqlite3_bind_int64(stmt, 1, range.lowerBound)
        sqlite3_bind_int64(stmt, 2, range.upperBound)
        sqlite3_bind_int64(stmt, 3, snapshotId)
        defer { sqlite3_reset(stmt) }
        var counts = HourKeyCounts()
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw MLAuditError.warehouse(
                    "reading rows failed", cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
            }
            switch sqlite3_column_type(stmt, 0) {
            case SQLITE_NULL:
                counts.add(nil, 0)
            case SQLITE_TEXT:
                let n = Int(sqlite3_column_bytes(stmt, 0))
                guard let text = sqlite3_column_text(stmt, 0) else { counts.add(nil, 0); continue }
                counts.add(text, HourKeyCounts.prefixLength(text, n))
            default:
                sqlite3_reset(stmt)
                return try hourCountsGrouped(table, snapshotId: snapshotId, sqlName: sql)
            }
        }
        return counts.finish()
    }

    /// `hourCounts` by SQL's `GROUP BY` (values of other storage classes than text).
    func hourCountsGrouped(_ table: RowTable, snapshotId: Int64, sqlName sql: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return out }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT COALESCE(substr(\(quoteIdentifier(sql)), 1, 13), '') AS hour, COUNT(*) AS n
                FROM \(quoteIdentifier(table.name)) WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ? GROUP BY 1
                """, arguments: [range.lowerBound, range.upperBound, snapshotId])
        {
            let hour: String = row["hour"]
            out[hour, default: 0] += row["n"] as Int
        }
        return out
    }

    /// Dates (`YYYY-MM-DD`) with a current snapshot of `kind`, ascending.
    public func currentSnapshotDates(pipelineId: Int64, kind: SnapshotKind) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT date FROM snapshot WHERE pipelineId = ? AND kind = ? AND status = 'current' ORDER BY date",
            arguments: [pipelineId, kind.rawValue])
    }
}

// MARK: - Sorted-column cache

extension Store {
    /// The cached sorted finite values of numeric columns of a snapshot (`sortedColumnPacked`,
    /// or `sortedColumn` as older versions wrote it), for the columns that have an entry. The
    /// blob is read straight into the array (`sqlite3_blob_read`), or decoded into it when
    /// packed (`PackedNumbers`).
    public func sortedColumns(_ table: RowTable, snapshotId: Int64, columns names: [String]) throws -> [String: FiniteNumbers] {
        var out: [String: FiniteNumbers] = [:]
        for packed in [true, false] {
            let source = packed ? "sortedColumnPacked" : "sortedColumn"
            let statement = try db.makeStatement(
                sql: "SELECT rowid, count, nulls, nan, infinite, \(packed ? "encoding" : "0") FROM \(source) WHERE snapshotId = ? AND sqlColumn = ?")
            let stmt = statement.sqliteStatement
            defer { sqlite3_reset(stmt) }
            let handle = sqlite3_db_handle(stmt)
            for name in names where out[name] == nil {
                guard let sqlName = table.sqlName(of: name) else { continue }
                sqlite3_reset(stmt)
                sqlite3_bind_int64(stmt, 1, snapshotId)
                sqlite3_bind_text(stmt, 2, sqlName, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                guard sqlite3_step(stmt) == SQLITE_ROW else { continue }
                let rowid = sqlite3_column_int64(stmt, 0)
                let count = Int(sqlite3_column_int64(stmt, 1))
                let nulls = Int(sqlite3_column_int64(stmt, 2)), nan = Int(sqlite3_column_int64(stmt, 3))
                let infinite = Int(sqlite3_column_int64(stmt, 4))
                let encoding = Int(sqlite3_column_int64(stmt, 5))
                var blob: OpaquePointer?
                guard sqlite3_blob_open(handle, "main", source, "data", rowid, 0, &blob) == SQLITE_OK, let blob else {
                    throw MLAuditError.warehouse("reading the sorted column '\(name)' failed", cause: String(cString: sqlite3_errmsg(handle)))
                }
                defer { sqlite3_blob_close(blob) }
                let size = Int(sqlite3_blob_bytes(blob))
                if encoding == PackedNumbers.raw {
                    guard size == 8 * count else { continue }
                } else {
                    guard size < 8 * count + 56 else { continue }
                }
                var rc = SQLITE_OK
                var decoded = true
                let values = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                    initialized = count
                    guard count > 0 else { return }
                    if encoding == PackedNumbers.raw {
                        rc = sqlite3_blob_read(blob, buffer.baseAddress!, Int32(8 * count), 0)
                        if UInt16(1).bigEndian == 1 {  // stored little-endian
                            for i in 0..<count { buffer[i] = Double(bitPattern: UInt64(littleEndian: buffer[i].bitPattern)) }
                        }
                    } else {
                        let bytes = UnsafeMutableRawPointer.allocate(byteCount: size + 8, alignment: 8)
                        defer { bytes.deallocate() }
                        rc = sqlite3_blob_read(blob, bytes, Int32(size), 0)
                        let out = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt64.self)
                        if rc == SQLITE_OK {
                            decoded = PackedNumbers.decode(encoding, UnsafeRawBufferPointer(start: bytes, count: size), count: count, into: out)
                        }
                        if !decoded { for i in 0..<count { out[i] = 0 } }
                    }
                }
                guard rc == SQLITE_OK else {
                    throw MLAuditError.warehouse("reading the sorted column '\(name)' failed", cause: String(cString: sqlite3_errmsg(handle)))
                }
                // A damaged entry is a cache miss: the column is read and sorted again.
                guard decoded else { continue }
                out[name] = FiniteNumbers(values: values, nulls: nulls, nan: nan, infinite: infinite)
            }
        }
        return out
    }

    /// Stores (replacing) the sorted finite values of a numeric column of a snapshot, packed
    /// (`sortedColumnPacked`; as deltas of consecutive values, `PackedNumbers.encodeSorted`).
    public func putSortedColumn(_ table: RowTable, snapshotId: Int64, column: String, _ numbers: FiniteNumbers) throws {
        guard let sqlName = table.sqlName(of: column) else {
            throw MLAuditError.internalError("column '\(column)' is not in the row table layout")
        }
        let statement = try db.makeStatement(
            sql: """
                INSERT OR REPLACE INTO sortedColumnPacked (snapshotId, sqlColumn, column, count, nulls, nan, infinite, encoding, data)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let stmt = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        sqlite3_bind_int64(stmt, 1, snapshotId)
        sqlite3_bind_text(stmt, 2, sqlName, -1, transient)
        sqlite3_bind_text(stmt, 3, column, -1, transient)
        sqlite3_bind_int64(stmt, 4, Int64(numbers.values.count))
        sqlite3_bind_int64(stmt, 5, Int64(numbers.nulls))
        sqlite3_bind_int64(stmt, 6, Int64(numbers.nan))
        sqlite3_bind_int64(stmt, 7, Int64(numbers.infinite))
        var packed: [UInt8] = []
        let encoding = numbers.values.withUnsafeBufferPointer { values in
            values.withMemoryRebound(to: UInt64.self) { PackedNumbers.encodeSorted($0, into: &packed) }
        }
        sqlite3_bind_int64(stmt, 8, Int64(encoding))
        let rc = packed.withUnsafeBytes { raw in
            sqlite3_bind_blob64(stmt, 9, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, sqlite3_uint64(raw.count), transient)
            return sqlite3_step(stmt)
        }
        sqlite3_reset(stmt)
        guard rc == SQLITE_DONE else {
            throw MLAuditError.warehouse(
                "caching the sorted column '\(column)' failed", cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
        }
        // An entry older versions wrote for the column is superseded.
        try db.execute(
            sql: "DELETE FROM sortedColumn WHERE snapshotId = ? AND sqlColumn = ?", arguments: [snapshotId, sqlName])
    }
}

// MARK: - Reading on several connections

extension Warehouse {
    /// `readFiniteNumbers` over `parts` read-only connections on their own threads. Columns
    /// with a complete columnar copy (`numericColumn`; unless `columnar` is false) are read whole
    /// from it, shared out between the connections; the others are read from the rows, each
    /// connection reading a contiguous slice of the snapshot's rowid range. Returns each
    /// column's parts in row order (concatenated, they are the column in row order). The rows
    /// must be committed (they are: ingest commits before later stages run).
    public func readFiniteNumberParts(_ table: RowTable, snapshotId: Int64, columns names: [String],
                                      rowids: ClosedRange<Int64>, parts: Int, minimumRowsPerPart: Int = 50_000,
                                      columnar: Bool = true)
        throws -> [String: [FiniteNumbers]]
    {
        let total = rowids.upperBound - rowids.lowerBound + 1
        let parts = max(1, min(parts, Int(total) / max(1, minimumRowsPerPart)))
        let step = (total + Int64(parts) - 1) / Int64(parts)
        let slices = (0..<Int64(parts)).map { p -> ClosedRange<Int64> in
            let lo = rowids.lowerBound + p * step
            return lo...min(rowids.upperBound, lo + step - 1)
        }
        let path = self.path
        @Sendable func reader() throws -> DatabaseQueue {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(10)
            config.label = "mlaudit.warehouse.reader"
            // No memory map: the pages a map touches stay in the resident set until the
            // connection closes (the columns of a drift group: over 100 MB); read calls into
            // SQLite's bounded page cache instead (docs/scaling.md).
            return try DatabaseQueue(path: path, configuration: config)
        }
        // Which columns have a copy, and how many rows the snapshot has, seen once for all parts.
        let (copies, rows) = !columnar ? ([:], 0) : try wrap {
            try reader().read { db -> ([String: [NumericChunk]], Int) in
                let store = Store(db: db)
                guard let bounds = try store.rowBounds(table, snapshotId: snapshotId), bounds.range == rowids else { return ([:], 0) }
                return (try store.numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count), bounds.count)
            }
        }
        let copied = names.filter { copies[$0] != nil }
        let rest = names.filter { copies[$0] == nil }
        let results = try parallelMap(Array(slices.enumerated())) { item -> [String: FiniteNumbers] in
            let (p, slice) = item
            return try wrap {
                try reader().read { db in
                    let store = Store(db: db)
                    var out: [String: FiniteNumbers] = [:]
                    // The chunks' rowids are looked up again in this part's own transaction: an
                    // implicit rowid can change between transactions (VACUUM renumbers them).
                    let mine = copied.enumerated().filter { $0.offset % parts == p }.map(\.element)
                    let local = mine.isEmpty ? [:] : try store.numericCopies(table, snapshotId: snapshotId, columns: mine, rows: rows)
                    for name in mine {
                        guard let chunks = local[name] else {
                            throw MLAuditError.warehouse(
                                "the columnar copy of '\(name)' changed while it was being read",
                                hint: "Another process rewrote the warehouse (vacuum, retention or a reload); run the stage again.")
                        }
                        out[name] = try store.readFiniteNumbersCopy(chunks, column: name, rows: rows)
                    }
                    if !rest.isEmpty {
                        out.merge(try store.readFiniteNumbersFromRows(table, snapshotId: snapshotId, columns: rest, rowids: slice)) { a, _ in a }
                    }
                    return out
                }
            }
        }
        var out: [String: [FiniteNumbers]] = [:]
        for name in names { out[name] = results.compactMap { $0[name] } }
        return out
    }
}

extension Store {
    /// Removes the sorted-column cache of a snapshot (it is rebuilt on the next comparison).
    public func deleteSortedColumns(snapshotId: Int64) throws {
        try db.execute(sql: "DELETE FROM sortedColumn WHERE snapshotId = ?", arguments: [snapshotId])
        try db.execute(sql: "DELETE FROM sortedColumnPacked WHERE snapshotId = ?", arguments: [snapshotId])
    }
}

/// Counts of `hourCounts` keys: the current run of equal keys as bytes, the finished runs by
/// key (a key's bytes decoded as GRDB decodes text: up to the first NUL, invalid UTF-8
/// repaired).
struct HourKeyCounts {
    private var run: [UInt8] = []
    private var runIsNull = false
    private var runLength = 0
    private var out: [String: Int] = [:]

    /// Bytes of the first 13 characters of UTF-8 text, counted as SQLite's `substr` counts
    /// them: a byte from 0xC0 up starts a character that takes the continuation bytes
    /// (0x80–0xBF) after it; any other byte is a character of its own.
    static func prefixLength(_ text: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var i = 0
        for _ in 0..<13 {
            guard i < n else { break }
            let b = text[i]
            i += 1
            if b >= 0xC0 {
                while i < n && text[i] & 0xC0 == 0x80 { i += 1 }
            }
        }
        return i
    }

    /// One row: its key's bytes (`nil`: a null value, key "").
    mutating func add(_ key: UnsafePointer<UInt8>?, _ length: Int) {
        if runLength > 0 {
            if let key {
                if !runIsNull && run.count == length
                    && (length == 0 || run.withUnsafeBufferPointer({ memcmp($0.baseAddress!, key, length) == 0 }))
                {
                    runLength += 1
                    return
                }
            } else if runIsNull {
                runLength += 1
                return
            }
            flush()
        }
        runLength = 1
        runIsNull = key == nil
        run.removeAll(keepingCapacity: true)
        if let key { run.append(contentsOf: UnsafeBufferPointer(start: key, count: length)) }
    }

    private mutating func flush() {
        guard runLength > 0 else { return }
        let name: String
        if runIsNull {
            name = ""
        } else {
            let end = run.firstIndex(of: 0) ?? run.count
            name = String(decoding: run[..<end], as: UTF8.self)
        }
        out[name, default: 0] += runLength
        runLength = 0
    }

    mutating func finish() -> [String: Int] {
        flush()
        return out
    }
}
