import AuditModel
import GRDB
import GRDBSQLite

/// Inserts rows into a row table several at a time: one prepared `INSERT … VALUES (…), (…), …`
/// of `rowsPerGroup` rows, reused, so SQLite's per-statement work (opening cursors on the
/// table and its index, halting, resetting) is paid once per group instead of once per row.
/// A last, partial group goes through a one-row statement.
///
/// Call `prepareGroup()`, bind every column of each row slot (`row(_:)` selects it), then
/// `insertGroup()`; or select the one-row statement with `single()`, bind, `insertSingle()`.
public final class GroupedRowInserter {
    private let db: Database
    private let groupSQL: String
    private var group: Statement?
    private let one: Statement
    private var groupStmt: OpaquePointer?
    private let oneStmt: OpaquePointer
    /// Parameters per row: snapshot, line, extra, then the declared columns.
    private let width: Int32
    public let rowsPerGroup: Int
    private let snapshotId: Int64
    private var current: OpaquePointer
    private var base: Int32 = 0
    private let table: String

    init(db: Database, table: RowTable, snapshotId: Int64, maxRowsPerGroup: Int) throws {
        self.db = db
        let cols = ["mlaudit_snapshot", "mlaudit_line", "mlaudit_extra"] + table.sqlNames
        width = Int32(cols.count)
        // SQLite allows at most 32 766 parameters per statement in its default build.
        rowsPerGroup = max(1, min(maxRowsPerGroup, 32_766 / cols.count))
        let row = "(" + Array(repeating: "?", count: cols.count).joined(separator: ", ") + ")"
        let head = "INSERT INTO \(quoteIdentifier(table.name)) (\(cols.map(quoteIdentifier).joined(separator: ", "))) VALUES "
        groupSQL = head + Array(repeating: row, count: rowsPerGroup).joined(separator: ", ")
        one = try db.makeStatement(sql: head + row)
        oneStmt = one.sqliteStatement
        current = oneStmt
        self.snapshotId = snapshotId
        self.table = table.name
        // Bindings survive sqlite3_reset: the snapshot id is bound once per slot.
        sqlite3_bind_int64(oneStmt, 1, snapshotId)
    }

    /// Prepares the group statement (on first use: small snapshots never need it).
    public func prepareGroup() throws {
        guard groupStmt == nil else { return }
        let g = try db.makeStatement(sql: groupSQL)
        group = g
        let stmt = g.sqliteStatement
        groupStmt = stmt
        for r in 0..<Int32(rowsPerGroup) { sqlite3_bind_int64(stmt, r * width + 1, snapshotId) }
    }

    /// Selects slot `r` of the group statement for the following binds.
    @inline(__always) public func row(_ r: Int) {
        current = groupStmt!
        base = Int32(r) * width
    }

    /// Selects the one-row statement for the following binds.
    @inline(__always) public func single() {
        current = oneStmt
        base = 0
    }

    @inline(__always) public func bindNull(_ column: Int) { sqlite3_bind_null(current, base + Int32(column) + 4) }

    @inline(__always) public func bind(_ column: Int, int v: Int64) { sqlite3_bind_int64(current, base + Int32(column) + 4, v) }

    /// Binds a double; NaN as the text 'NaN' (SQLite would store a NaN double as NULL).
    @inline(__always) public func bind(_ column: Int, double v: Double) {
        if v.isNaN {
            sqlite3_bind_text(current, base + Int32(column) + 4, "NaN", 3, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        } else {
            sqlite3_bind_double(current, base + Int32(column) + 4, v)
        }
    }

    /// Binds text without copying: the bytes must stay unchanged until the insert returns.
    @inline(__always) public func bindNoCopy(_ column: Int, text bytes: UnsafeRawBufferPointer) {
        bindStatic(current, base + Int32(column) + 4, bytes)
    }

    /// Binds the row's source line and undeclared columns (JSON, without a copy; nil for none).
    @inline(__always) public func bindLine(_ line: Int, extra: UnsafeRawBufferPointer?) {
        sqlite3_bind_int64(current, base + 2, Int64(line))
        if let extra { bindStatic(current, base + 3, extra) } else { sqlite3_bind_null(current, base + 3) }
    }

    /// Inserts the `rowsPerGroup` rows bound in the group statement.
    public func insertGroup() throws { try step(groupStmt!) }

    /// Inserts the row bound in the one-row statement.
    public func insertSingle() throws { try step(oneStmt) }

    /// Writes the transaction's dirty pages to the write-ahead log now, between statements
    /// (`sqlite3_db_cacheflush`; nothing is committed: the frames count only once the commit
    /// frame is written, as for the pages SQLite spills by itself).
    ///
    /// Why: a group insert is a multi-row statement into a table with NOT NULL columns (and,
    /// in row tables made before issue 13, a foreign key), so SQLite keeps a statement journal for it (the pages the statement changes, as they were before
    /// it). That journal lives in memory while a statement's stays under 64 KiB, and becomes a
    /// temporary file for the rest of the transaction once one statement's does not. A statement
    /// that finds the page cache full spills older dirty pages, and journals each of them first:
    /// after the first such statement every later one wrote its pages to the file. For the
    /// 1M-row benchmark that was 538 MiB of statement journal, beside 281 MiB of log and 276 MiB
    /// of checkpoint. Spilled here, outside any statement, no page needs journaling, the group
    /// statements stay under 64 KiB, and the statement journal stays in memory.
    public func flushCache() throws {
        let rc = sqlite3_db_cacheflush(db.sqliteConnection)
        guard rc == SQLITE_OK else {
            throw MLAuditError.warehouse(
                "writing rows into \(table) failed", hint: "Check free disk space; nothing partial was committed.",
                cause: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    private func step(_ stmt: OpaquePointer) throws {
        let rc = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        guard rc == SQLITE_DONE else {
            throw MLAuditError.warehouse(
                "inserting rows into \(table) failed", hint: "Check free disk space; nothing partial was committed.",
                cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
        }
    }
}

@inline(__always) private func bindStatic(_ stmt: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
    if let base = bytes.baseAddress {
        sqlite3_bind_text(stmt, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
    } else {
        sqlite3_bind_text(stmt, index, "", 0, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }
}

extension Store {
    /// A grouped inserter for one snapshot's rows (see `GroupedRowInserter`).
    public func groupedRowInserter(_ table: RowTable, snapshotId: Int64, maxRowsPerGroup: Int = 64) throws -> GroupedRowInserter {
        try GroupedRowInserter(db: db, table: table, snapshotId: snapshotId, maxRowsPerGroup: maxRowsPerGroup)
    }
}
