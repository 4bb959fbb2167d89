import AuditModel
import Foundation
import GRDB
import GRDBSQLite

/// The finite values of one numeric column of a snapshot, with what was left out.
public struct FiniteNumbers: Sendable, Equatable {
    /// Non-null, finite values in row order.
    public var values: [Double]
    /// Null rows.
    public var nulls: Int
    /// NaN values (stored as the text 'NaN').
    public var nan: Int
    /// Infinite values.
    public var infinite: Int
    /// Rows read.
    public var rows: Int { values.count + nulls + nan + infinite }
}

// Reads the compare stage needs beyond whole aligned columns: finite numbers for drift
// (half the memory of `readColumns`, no null mask), hourly row counts, and the dates that
// have snapshots (monitoring gaps).
extension Store {
    /// The rowid range of a snapshot's rows (a snapshot is inserted in one transaction, so its
    /// rows are contiguous), or nil when it has none.
    func rowidRange(_ table: RowTable, snapshotId: Int64) throws -> (Int64, Int64)? {
        let row = try Row.fetchOne(
            db, sql: "SELECT MIN(rowid) AS lo, MAX(rowid) AS hi FROM \(quoteIdentifier(table.name)) WHERE mlaudit_snapshot = ?",
            arguments: [snapshotId])
        guard let row, let lo: Int64 = row["lo"], let hi: Int64 = row["hi"] else { return nil }
        return (lo, hi)
    }

    /// The non-null finite values of numeric columns of a snapshot, in one sequential pass over
    /// the snapshot's rowid range.
    public func readFiniteNumbers(_ table: RowTable, snapshotId: Int64, columns names: [String]) throws
        -> [String: FiniteNumbers]
    {
        var sqlNames: [String] = []
        for n in names {
            guard let i = table.columns.firstIndex(where: { $0.name == n }), table.columns[i].type.isNumeric
                || table.columns[i].type == .boolean
            else { throw MLAuditError.internalError("column '\(n)' is not a numeric column of the row table") }
            sqlNames.append(table.sqlNames[i])
        }
        var out = names.map { _ in FiniteNumbers(values: [], nulls: 0, nan: 0, infinite: 0) }
        guard !names.isEmpty, let (lo, hi) = try rowidRange(table, snapshotId: snapshotId) else {
            return Dictionary(zip(names, out), uniquingKeysWith: { a, _ in a })
        }
        for k in out.indices { out[k].values.reserveCapacity(Int(hi - lo + 1)) }
        // `+mlaudit_snapshot` keeps SQLite on the rowid range instead of the snapshot index.
        let statement = try db.makeStatement(
            sql: """
                SELECT \(sqlNames.map(quoteIdentifier).joined(separator: ", ")) FROM \(quoteIdentifier(table.name))
                WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ? ORDER BY rowid
                """)
        let stmt = statement.sqliteStatement
        sqlite3_bind_int64(stmt, 1, lo)
        sqlite3_bind_int64(stmt, 2, hi)
        sqlite3_bind_int64(stmt, 3, snapshotId)
        defer { sqlite3_reset(stmt) }
        let count = Int32(names.count)
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else {
                throw MLAuditError.warehouse(
                    "reading rows failed", cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
            }
            for k in 0..<count {
                switch sqlite3_column_type(stmt, k) {
                case SQLITE_NULL: out[Int(k)].nulls += 1
                case SQLITE_TEXT: out[Int(k)].nan += 1  // NaN is stored as the text 'NaN'
                default:
                    let v = sqlite3_column_double(stmt, k)
                    if v.isFinite { out[Int(k)].values.append(v) } else { out[Int(k)].infinite += 1 }
                }
            }
        }
        return Dictionary(zip(names, out), uniquingKeysWith: { a, _ in a })
    }

    /// Rows per hour of a canonical timestamp column (`YYYY-MM-DDTHH`, UTC), counted by SQLite.
    /// Rows with a null timestamp are counted under the key "".
    public func hourCounts(_ table: RowTable, snapshotId: Int64, column: String) throws -> [String: Int] {
        guard let sql = table.sqlName(of: column) else {
            throw MLAuditError.internalError("column '\(column)' is not in the row table layout")
        }
        var out: [String: Int] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT COALESCE(substr(\(quoteIdentifier(sql)), 1, 13), '') AS hour, COUNT(*) AS n
                FROM \(quoteIdentifier(table.name)) WHERE mlaudit_snapshot = ? GROUP BY 1
                """, arguments: [snapshotId])
        {
            out[row["hour"]] = row["n"]
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
