import AuditModel
import GRDBSQLite

/// The batch path of `RowInserter`: the snapshot id bound once, text bound without a copy.
extension RowInserter {
    /// Binds the snapshot id for every following `insertBound` (SQLite keeps bindings across
    /// `sqlite3_reset`).
    public func bindSnapshot(_ snapshotId: Int64) {
        sqlite3_bind_int64(stmt, 1, snapshotId)
    }

    /// Binds text without copying it: the bytes must stay valid and unchanged until the next
    /// `insertBound` returns.
    @inline(__always) public func bindNoCopy(_ column: Int, text bytes: UnsafeRawBufferPointer) {
        Self.bindStatic(stmt, Int32(column + 4), bytes)
    }

    /// Inserts the bound row (after `bindSnapshot`); `extra` is bound without a copy.
    public func insertBound(line: Int, extra: UnsafeRawBufferPointer?) throws {
        sqlite3_bind_int64(stmt, 2, Int64(line))
        if let extra { Self.bindStatic(stmt, 3, extra) } else { sqlite3_bind_null(stmt, 3) }
        let rc = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        guard rc == SQLITE_DONE else {
            throw MLAuditError.warehouse(
                "inserting a row into \(path) failed", hint: "Check free disk space; nothing partial was committed.",
                cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
        }
    }

    @inline(__always) private static func bindStatic(_ stmt: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress {
            sqlite3_bind_text(stmt, index, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        } else {
            sqlite3_bind_text(stmt, index, "", 0, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
        }
    }
}
