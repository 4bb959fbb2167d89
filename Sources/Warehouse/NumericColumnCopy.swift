import AuditModel
import Foundation
import GRDB
import GRDBSQLite

/// How the columnar copy (`numericColumn`, docs/warehouse.md) holds a row's value: one
/// little-endian IEEE float64 per row, in row order, with two reserved NaN bit patterns.
///
/// The copy gives back exactly what the row table gives back: a value SQLite would read as
/// +0.0 (it stores a REAL -0.0 as the integer 0) is stored as +0.0, integers and booleans as
/// the double SQLite converts them to, a NaN value (stored in the rows as the text 'NaN') as
/// `nan`, a null as `null`.
public enum NumericColumnEncoding {
    /// A null: the default quiet NaN (`0x7FF8000000000000`).
    public static let null: UInt64 = 0x7FF8_0000_0000_0000
    /// A NaN value: the quiet NaN with payload 1 (`0x7FF8000000000001`).
    public static let nan: UInt64 = 0x7FF8_0000_0000_0001

    /// The stored bits of a double value (`nan` for any NaN, +0.0 for -0.0).
    @inlinable @inline(__always)
    public static func bits(_ v: Double) -> UInt64 {
        v.isNaN ? 0x7FF8_0000_0000_0001 : (v == 0 ? 0 : v.bitPattern)
    }

    /// The stored bits of an integer value (as `sqlite3_value_double` converts it).
    @inlinable @inline(__always)
    public static func bits(_ i: Int64) -> UInt64 { Double(i).bitPattern }

    /// Whether columns of this type get a columnar copy: the types the column readers give back
    /// as numbers (numeric, integer, boolean).
    public static func isCopied(_ type: ColumnType) -> Bool { type.isNumeric || type == .boolean }
}

/// Builds the columnar copy of a snapshot's numeric columns while its rows are inserted, on the
/// writer's connection and inside its transaction: the copy commits or rolls back with the rows.
///
/// Values are collected into one buffer of `chunkRows` rows per column; each full buffer is
/// written as one `numericColumn` row per column (a chunk) and reused, so memory stays at
/// `8 × chunkRows` bytes per copied column whatever the snapshot's size, and `chunkRows`
/// shrinks for wide tables so that the total stays within `bufferBudgetBytes`. For each batch: fill
/// `slots(k)` for every copied column `k` with up to `room` rows' `NumericColumnEncoding` bits,
/// then `advance(n)`; after the last batch, `finish()`.
public final class NumericColumnWriter {
    /// Rows per chunk at most: 512 KiB blobs (8.5 MiB of buffers for 17 columns).
    public static let maxChunkRows = 65_536
    /// Rows per chunk at least, however wide the table.
    public static let minChunkRows = 1_024
    /// The buffers' memory budget: wide tables get shorter chunks, so the writer's memory
    /// stays at 32 MiB whatever the number of columns (up to 4 096 columns; SQLite allows 2 000).
    public static let bufferBudgetBytes = 32 << 20

    /// Rows per chunk for `columns` copied columns: as many as the budget allows, between
    /// `minChunkRows` and `maxChunkRows`. Readers accept any chunk size.
    public static func chunkRows(forColumns columns: Int) -> Int {
        min(maxChunkRows, max(minChunkRows, bufferBudgetBytes / (8 * max(1, columns))))
    }
    public let chunkRows: Int
    /// Positions in the row table layout (`RowTable.columns`) of the copied columns; `k` below
    /// indexes this array.
    public let columns: [Int]
    private let sqlNames: [String]
    private let names: [String]
    private let buffer: UnsafeMutablePointer<UInt64>
    /// Rows collected in the current chunk.
    public private(set) var filled = 0
    private var chunk: Int64 = 0
    private var invalid: [Bool]
    private let db: Database
    private let statement: Statement
    private let snapshotId: Int64
    /// The packed bytes of the chunk being written (reused).
    private var packed: [UInt8] = []

    init(db: Database, table: RowTable, snapshotId: Int64, chunkRows: Int?) throws {
        self.db = db
        self.snapshotId = snapshotId
        columns = table.columns.indices.filter { NumericColumnEncoding.isCopied(table.columns[$0].type) }
        self.chunkRows = chunkRows ?? Self.chunkRows(forColumns: columns.count)
        precondition(self.chunkRows >= 1)
        sqlNames = columns.map { table.sqlNames[$0] }
        names = columns.map { table.columns[$0].name }
        invalid = Array(repeating: false, count: columns.count)
        buffer = .allocate(capacity: max(1, columns.count * self.chunkRows))
        statement = try db.makeStatement(
            sql: """
                INSERT INTO numericColumnPacked (snapshotId, sqlColumn, column, chunk, rows, encoding, data)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
    }

    deinit { buffer.deallocate() }

    /// Rows that fit before the current chunk is written.
    @inline(__always) public var room: Int { chunkRows - filled }

    /// Where the next `room` rows of copied column `k` go.
    @inline(__always) public func slots(_ k: Int) -> UnsafeMutablePointer<UInt64> { buffer + k * chunkRows + filled }

    /// Column `k` received a value the copy cannot stand for (text in a numeric column): it gets
    /// no copy, and readers read it from the rows.
    public func invalidate(_ k: Int) { invalid[k] = true }

    /// Counts `n` rows written into `slots`; writes the chunk when it is full.
    public func advance(_ n: Int) throws {
        precondition(n >= 0 && n <= room)
        filled += n
        if filled == chunkRows { try flush() }
    }

    /// Writes the last, partial chunk, and removes the chunks of invalidated columns.
    public func finish() throws {
        if filled > 0 { try flush() }
        for k in columns.indices where invalid[k] {
            try db.execute(
                sql: "DELETE FROM numericColumnPacked WHERE snapshotId = ? AND sqlColumn = ?", arguments: [snapshotId, sqlNames[k]])
        }
    }

    private func flush() throws {
        let stmt = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for k in columns.indices where !invalid[k] {
            let data = buffer + k * chunkRows
            let encoding = PackedNumbers.encode(UnsafeBufferPointer(start: data, count: filled), into: &packed)
            sqlite3_reset(stmt)
            sqlite3_bind_int64(stmt, 1, snapshotId)
            sqlite3_bind_text(stmt, 2, sqlNames[k], -1, transient)
            sqlite3_bind_text(stmt, 3, names[k], -1, transient)
            sqlite3_bind_int64(stmt, 4, chunk)
            sqlite3_bind_int64(stmt, 5, Int64(filled))
            sqlite3_bind_int64(stmt, 6, Int64(encoding))
            // Static: SQLite copies the bytes into the record before `step` returns.
            let rc = packed.withUnsafeBytes { raw in
                sqlite3_bind_blob64(stmt, 7, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, sqlite3_uint64(raw.count), nil)
                return sqlite3_step(stmt)
            }
            sqlite3_reset(stmt)
            guard rc == SQLITE_DONE else {
                throw MLAuditError.warehouse(
                    "writing the columnar copy of '\(names[k])' failed", hint: "Check free disk space; nothing partial was committed.",
                    cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
            }
        }
        sqlite3_clear_bindings(stmt)
        chunk += 1
        filled = 0
    }
}

/// One chunk of a column's copy: its row in `numericColumnPacked` (or, written by an older
/// version, `numericColumn`), its row count and encoding (`PackedNumbers`).
struct NumericChunk: Sendable {
    var rowid: Int64
    var rows: Int
    /// In `numericColumnPacked` (else `numericColumn`, raw).
    var packed: Bool = false
    var encoding: Int = PackedNumbers.raw
}

extension Store {
    /// A writer of the columnar copy of a snapshot's numeric columns (see `NumericColumnWriter`),
    /// or nil when the layout has no numeric, integer or boolean column.
    public func numericColumnWriter(
        _ table: RowTable, snapshotId: Int64, chunkRows: Int? = nil
    ) throws -> NumericColumnWriter? {
        guard table.columns.contains(where: { NumericColumnEncoding.isCopied($0.type) }) else { return nil }
        return try NumericColumnWriter(db: db, table: table, snapshotId: snapshotId, chunkRows: chunkRows)
    }

    /// Whether a snapshot has a columnar copy of any column.
    public func hasNumericCopy(snapshotId: Int64) throws -> Bool {
        try Bool.fetchOne(
            db, sql: """
                SELECT EXISTS (SELECT 1 FROM numericColumnPacked WHERE snapshotId = ?1)
                    OR EXISTS (SELECT 1 FROM numericColumn WHERE snapshotId = ?1)
                """, arguments: [snapshotId]) ?? false
    }

    /// Deletes the columnar copy of a snapshot (with its rows: retention, reloading), and its
    /// packed sorted columns (derived from the same rows).
    public func deleteNumericColumns(snapshotId: Int64) throws {
        try db.execute(sql: "DELETE FROM numericColumn WHERE snapshotId = ?", arguments: [snapshotId])
        try db.execute(sql: "DELETE FROM numericColumnPacked WHERE snapshotId = ?", arguments: [snapshotId])
        try db.execute(sql: "DELETE FROM sortedColumnPacked WHERE snapshotId = ?", arguments: [snapshotId])
    }

    /// The chunks of the columns among `names` (numeric, integer or boolean) whose copy is
    /// complete for a snapshot of `rows` stored rows: chunks 0, 1, … without a gap, holding
    /// `rows` values in all. A column without such a copy (a snapshot ingested before the copy
    /// existed, a column added to the layout later) is absent: read it from the rows.
    func numericCopies(_ table: RowTable, snapshotId: Int64, columns names: [String], rows: Int) throws -> [String: [NumericChunk]] {
        var wanted: [String: String] = [:]  // sqlColumn → name
        for n in names {
            guard let i = table.columns.firstIndex(where: { $0.name == n }), NumericColumnEncoding.isCopied(table.columns[i].type)
            else { continue }
            wanted[table.sqlNames[i]] = n
        }
        guard !wanted.isEmpty, rows > 0 else { return [:] }
        // The packed copy (written since v4-issue13), then the raw one older versions wrote.
        var complete: [String: [NumericChunk]] = [:]
        for packed in [true, false] {
            var found: [String: [NumericChunk]] = [:]
            var broken: Set<String> = []
            let rowsOf = try Row.fetchAll(
                db, sql: packed
                    ? "SELECT sqlColumn, chunk, rows, rowid, encoding FROM numericColumnPacked WHERE snapshotId = ? ORDER BY sqlColumn, chunk"
                    : "SELECT sqlColumn, chunk, rows, rowid, 0 AS encoding FROM numericColumn WHERE snapshotId = ? ORDER BY sqlColumn, chunk",
                arguments: [snapshotId])
            for row in rowsOf {
                let sqlColumn: String = row["sqlColumn"]
                guard let name = wanted[sqlColumn], complete[name] == nil, !broken.contains(name) else { continue }
                let chunk: Int64 = row["chunk"]
                if Int64(found[name, default: []].count) != chunk {
                    broken.insert(name)
                    continue
                }
                found[name, default: []].append(
                    NumericChunk(rowid: row["rowid"], rows: row["rows"], packed: packed, encoding: row["encoding"]))
            }
            for (name, chunks) in found where !broken.contains(name) && chunks.reduce(0, { $0 + $1.rows }) == rows {
                complete[name] = chunks
            }
        }
        return complete
    }

    /// Calls `body` with each chunk's values (`NumericColumnEncoding` bits, host byte order), in
    /// row order, reading the blobs into one reused buffer (`sqlite3_blob_read`) and decoding
    /// packed chunks (`PackedNumbers`) into another.
    func forEachChunk(_ chunks: [NumericChunk], column: String, _ body: (UnsafeBufferPointer<UInt64>) throws -> Void) throws {
        guard let largest = chunks.map(\.rows).max() else { return }
        let handle = db.sqliteConnection
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: largest)
        defer { scratch.deallocate() }
        // A packed chunk is at most as long as its raw form (else it is stored raw), plus 8
        // bytes of slack for the decoder's 8-byte loads.
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 8 * largest + 64, alignment: 8)
        defer { bytes.deallocate() }
        var blob: OpaquePointer?
        var blobTable = ""
        defer { if let blob { sqlite3_blob_close(blob) } }
        func failure() -> MLAuditError {
            MLAuditError.warehouse(
                "reading the columnar copy of '\(column)' failed",
                hint: "Delete the copy (DELETE FROM numericColumnPacked WHERE snapshotId = …) to read the rows instead.",
                cause: String(cString: sqlite3_errmsg(handle)))
        }
        func damaged() -> MLAuditError {
            MLAuditError.warehouse(
                "the columnar copy of '\(column)' is damaged (a chunk's size or contents disagree with its row count)",
                hint: "Delete the copy (DELETE FROM numericColumnPacked WHERE snapshotId = …) to read the rows instead.")
        }
        for c in chunks {
            let table = c.packed ? "numericColumnPacked" : "numericColumn"
            if blob != nil && blobTable != table {
                sqlite3_blob_close(blob)
                blob = nil
            }
            let rc = blob == nil
                ? sqlite3_blob_open(handle, "main", table, "data", c.rowid, 0, &blob)
                : sqlite3_blob_reopen(blob, c.rowid)
            blobTable = table
            guard rc == SQLITE_OK, let b = blob else { throw failure() }
            let size = Int(sqlite3_blob_bytes(b))
            if c.encoding == PackedNumbers.raw {
                guard size == 8 * c.rows else { throw damaged() }
                guard sqlite3_blob_read(b, scratch, Int32(size), 0) == SQLITE_OK else { throw failure() }
                if UInt16(1).bigEndian == 1 {
                    for i in 0..<c.rows { scratch[i] = UInt64(littleEndian: scratch[i]) }
                }
            } else {
                guard size <= 8 * c.rows + 56 else { throw damaged() }
                guard sqlite3_blob_read(b, bytes, Int32(size), 0) == SQLITE_OK else { throw failure() }
                guard PackedNumbers.decode(c.encoding, UnsafeRawBufferPointer(start: bytes, count: size), count: c.rows, into: scratch)
                else { throw damaged() }
            }
            try body(UnsafeBufferPointer(start: scratch, count: c.rows))
        }
    }

    /// A column of `rows` values from its copy, in row order, as `readColumns` gives it.
    func readNumericCopy(_ chunks: [NumericChunk], column: String, rows: Int) throws -> NumericColumnData {
        var values = [Double](repeating: 0, count: rows)
        var nulls = [Bool](repeating: false, count: rows)
        var at = 0
        try values.withUnsafeMutableBufferPointer { values in
            try nulls.withUnsafeMutableBufferPointer { nulls in
                try forEachChunk(chunks, column: column) { chunk in
                    for i in 0..<chunk.count {
                        let v = Double(bitPattern: chunk[i])
                        if v.isNaN {
                            values[at + i] = .nan
                            nulls[at + i] = chunk[i] == NumericColumnEncoding.null
                        } else {
                            values[at + i] = v
                        }
                    }
                    at += chunk.count
                }
            }
        }
        return NumericColumnData(values: values, nulls: nulls)
    }

    /// A column's non-null finite values from its copy, in row order, with the counts left out,
    /// as `readFiniteNumbers` gives them.
    func readFiniteNumbersCopy(_ chunks: [NumericChunk], column: String, rows: Int) throws -> FiniteNumbers {
        var nulls = 0, nan = 0, infinite = 0
        var count = 0
        let values = try [Double](unsafeUninitializedCapacity: rows) { out, initialized in
            defer { initialized = count }
            try forEachChunk(chunks, column: column) { chunk in
                for b in chunk {
                    let v = Double(bitPattern: b)
                    if v.isFinite {
                        out[count] = v
                        count += 1
                    } else if v.isInfinite {
                        infinite += 1
                    } else if b == NumericColumnEncoding.null {
                        nulls += 1
                    } else {
                        nan += 1
                    }
                }
            }
        }
        return FiniteNumbers(values: values, nulls: nulls, nan: nan, infinite: infinite)
    }

    /// The rowid range and the row count of a snapshot's rows, or nil when it has none. The
    /// range is the catalog's (`rowidRange`); its rows are contiguous (checked when recorded),
    /// so the count, what a columnar copy must hold to be used, is the range's size.
    func rowBounds(_ table: RowTable, snapshotId: Int64) throws -> (range: ClosedRange<Int64>, count: Int)? {
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return nil }
        return (range, Int(range.upperBound - range.lowerBound + 1))
    }
}
