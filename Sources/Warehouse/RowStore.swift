import AuditModel
import Foundation
import GRDB
import GRDBSQLite

/// The typed row table of a pipeline (`row_NAME`): one SQL column per declared column, plus
/// `mlaudit_snapshot` (the snapshot id), `mlaudit_line` (line in the source file) and
/// `mlaudit_extra` (undeclared columns' values as a JSON object, or NULL).
///
/// The mapping from declared column to SQL column is kept in `rowColumn`. A column whose
/// declared type changes gets a new SQL column (`name__type`), so old snapshots keep the
/// values they were stored with.
public struct RowTable: Sendable {
    public let name: String
    public let columns: [DeclaredColumn]
    /// SQL column names, parallel to `columns`.
    public let sqlNames: [String]

    /// A row-table layout: the table's name and, parallel, the declared columns and their SQL
    /// column names (`rowColumn`).
    public init(name: String, columns: [DeclaredColumn], sqlNames: [String]) {
        precondition(columns.count == sqlNames.count, "one SQL name per declared column")
        self.name = name
        self.columns = columns
        self.sqlNames = sqlNames
    }

    public func sqlName(of column: String) -> String? {
        columns.firstIndex { $0.name == column }.map { sqlNames[$0] }
    }
}

/// Names SQLite resolves to a table's rowid unless a column takes them (compared lowercased).
let sqliteRowidNames: Set<String> = ["rowid", "oid", "_rowid_"]

/// Whether `name` can be a row-table column: no rowid alias, no reserved prefix, no control
/// or format characters (case-insensitive, as SQLite compares names).
func isSafeSQLColumnName(_ name: String) -> Bool {
    let lower = name.lowercased()
    return !name.isEmpty && !sqliteRowidNames.contains(lower) && !lower.hasPrefix("mlaudit_")
        && !name.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }
}

/// The SQL storage class of a column type.
func sqlType(_ t: ColumnType) -> String {
    switch t {
    case .numeric: return "REAL"
    case .integer, .boolean: return "INTEGER"
    case .categorical, .text, .datetime: return "TEXT"
    }
}

extension Store {
    /// Makes sure the pipeline's row table has a column for each of `columns` and returns the layout.
    public func rowTable(pipelineId: Int64, columns: [DeclaredColumn]) throws -> RowTable {
        guard let table = try String.fetchOne(db, sql: "SELECT rowTable FROM pipeline WHERE id = ?", arguments: [pipelineId])
        else { throw MLAuditError.internalError("pipeline \(pipelineId) is not in the warehouse") }
        let qt = quoteIdentifier(table)
        if try !db.tableExists(table) {
            // No index on mlaudit_snapshot and no foreign key (issue 13): a snapshot's rows are
            // found by the rowid range its catalog record keeps (`snapshot.firstRowid`,
            // `lastRowid`), and deleted through the Store by that range. A foreign key without an
            // index would make SQLite scan the whole table on each delete of a snapshot record.
            // Tables created before keep their index and foreign key (docs/warehouse.md).
            try db.execute(sql: """
                CREATE TABLE \(qt) (
                  mlaudit_snapshot INTEGER NOT NULL,
                  mlaudit_line INTEGER NOT NULL,
                  mlaudit_extra TEXT
                )
                """)
        }
        var sqlNames: [String] = []
        for c in columns {
            let takenRows = try Row.fetchAll(db, sql: "SELECT name, type, sqlName FROM rowColumn WHERE pipelineId = ?", arguments: [pipelineId])
            // SQLite compares column names without case: "Region2" and "region2" are one column.
            var taken = Set(takenRows.map { (($0["sqlName"] as String?) ?? "").lowercased() })
            if let existing = takenRows.first(where: { $0["name"] == c.name && $0["type"] == c.type.rawValue }) {
                let sqlName: String = existing["sqlName"]
                if isSafeSQLColumnName(sqlName) {
                    sqlNames.append(sqlName)
                    continue
                }
                // Written by an older MLAudit under a name SQLite gives another meaning (a
                // column `rowid` hides the real rowid): rename it.
                let safe = Self.freeSQLName(for: c, taken: &taken)
                try db.execute(sql: "ALTER TABLE \(qt) RENAME COLUMN \(quoteIdentifier(sqlName)) TO \(quoteIdentifier(safe))")
                try db.execute(
                    sql: "UPDATE rowColumn SET sqlName = ? WHERE pipelineId = ? AND name = ? AND type = ?",
                    arguments: [safe, pipelineId, c.name, c.type.rawValue])
                sqlNames.append(safe)
                continue
            }
            let candidate = Self.freeSQLName(for: c, taken: &taken)
            try db.execute(sql: "ALTER TABLE \(qt) ADD COLUMN \(quoteIdentifier(candidate)) \(sqlType(c.type))")
            try db.execute(
                sql: "INSERT INTO rowColumn (pipelineId, name, type, sqlName, addedAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [pipelineId, c.name, c.type.rawValue, candidate, Warehouse.now()])
            sqlNames.append(candidate)
        }
        return RowTable(name: table, columns: columns, sqlNames: sqlNames)
    }

    /// An SQL column name for `c` that no other column of the table has (compared without
    /// case, as SQLite does) and that SQLite gives no meaning of its own: not `rowid`, `oid` or
    /// `_rowid_`, not the reserved `mlaudit_` prefix (any case), no control characters. The
    /// declared name is kept where it is safe; the mapping is stored in `rowColumn`.
    static func freeSQLName(for c: DeclaredColumn, taken: inout Set<String>) -> String {
        var base = String(String.UnicodeScalarView(c.name.unicodeScalars.map {
            $0.properties.generalCategory == .control || $0.properties.generalCategory == .format ? "_" : $0
        }))
        if base.isEmpty { base = "col" }
        var candidate = base
        if !isSafeSQLColumnName(candidate) || taken.contains(candidate.lowercased()) {
            let lower = base.lowercased()
            if sqliteRowidNames.contains(lower) || lower.hasPrefix("mlaudit_") { base = "col_" + base }
            candidate = base + "__" + c.type.rawValue
        }
        var n = 2
        while taken.contains(candidate.lowercased()) {
            candidate = base + "__" + c.type.rawValue + "\(n)"
            n += 1
        }
        taken.insert(candidate.lowercased())
        return candidate
    }

    /// A reusable prepared insert into the row table, binding values straight to SQLite. A
    /// snapshot's rows inserted through it are found once their range is recorded: take
    /// `rowidHighWater` before the first and call `recordRowRange` after the last.
    public func rowInserter(_ table: RowTable) throws -> RowInserter {
        let cols = ["mlaudit_snapshot", "mlaudit_line", "mlaudit_extra"] + table.sqlNames
        let sql = "INSERT INTO \(quoteIdentifier(table.name)) (\(cols.map(quoteIdentifier).joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: cols.count).joined(separator: ", ")))"
        return RowInserter(statement: try db.makeStatement(sql: sql), columnCount: table.columns.count, path: table.name)
    }

    /// Stored rows of a snapshot (counted over its rowid range).
    public func storedRowCount(_ table: RowTable, snapshotId: Int64) throws -> Int {
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return 0 }
        return try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM \(quoteIdentifier(table.name)) WHERE rowid BETWEEN ? AND ? AND +mlaudit_snapshot = ?",
            arguments: [range.lowerBound, range.upperBound, snapshotId]) ?? 0
    }

    /// The largest rowid of the row table (0 when empty): the rows a writer inserts next come
    /// after it (SQLite gives a new row the largest rowid plus one).
    public func rowidHighWater(_ table: RowTable) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM \(quoteIdentifier(table.name))") ?? 0
    }

    /// Records in the catalog the rowid range of the `rows` rows of a snapshot just inserted,
    /// in this transaction, after `highWater` (`rowidHighWater` before the first insert); no
    /// rows: no range. Both ends are seeks in the rowid tree. Throws unless the rows are
    /// contiguous (then `lastRowid - firstRowid + 1` is the snapshot's row count).
    public func recordRowRange(_ table: RowTable, snapshotId: Int64, after highWater: Int64, rows: Int) throws {
        let qt = quoteIdentifier(table.name)
        let row = try Row.fetchOne(
            db, sql: "SELECT (SELECT MIN(rowid) FROM \(qt) WHERE rowid > ?1) AS lo, (SELECT MAX(rowid) FROM \(qt)) AS hi",
            arguments: [highWater])
        // No row after the high-water mark: no range, whatever rows earlier snapshots have.
        let lo: Int64? = row?["lo"]
        let hi: Int64? = lo == nil ? nil : row?["hi"]
        if let lo, let hi {
            guard hi - lo + 1 == Int64(rows) else {
                throw MLAuditError.internalError(
                    "snapshot \(snapshotId): \(rows) rows inserted, but rowids \(lo)...\(hi) follow \(highWater) in \(table.name)")
            }
        } else if rows != 0 {
            throw MLAuditError.internalError("snapshot \(snapshotId): \(rows) rows inserted, none found in \(table.name)")
        }
        try db.execute(
            sql: "UPDATE snapshot SET firstRowid = ?, lastRowid = ? WHERE id = ?", arguments: [lo, hi, snapshotId])
    }

    // `readColumns` lives in ColumnReader.swift.
}

/// A column of numbers in row order. Null rows hold NaN and `nulls[i] == true`; a NaN value
/// (stored as the text 'NaN') holds NaN with `nulls[i] == false`.
public struct NumericColumnData: Sendable, Equatable {
    public var values: [Double]
    public var nulls: [Bool]
    public init(values: [Double], nulls: [Bool]) {
        self.values = values
        self.nulls = nulls
    }
    /// The non-null values.
    public var present: [Double] {
        var out: [Double] = []
        out.reserveCapacity(values.count)
        for i in 0..<values.count where !nulls[i] { out.append(values[i]) }
        return out
    }
    public var nullCount: Int { nulls.reduce(0) { $0 + ($1 ? 1 : 0) } }
}

/// A column of text values in row order, dictionary-encoded: `codes[i]` indexes `dictionary`,
/// -1 is null.
public struct LabelColumnData: Sendable, Equatable {
    public var codes: [Int32]
    public var dictionary: [String]
    public init(codes: [Int32], dictionary: [String]) {
        self.codes = codes
        self.dictionary = dictionary
    }
    public func value(at i: Int) -> String? { codes[i] < 0 ? nil : dictionary[Int(codes[i])] }
    public var nullCount: Int { codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) } }
    /// Count of each dictionary entry.
    public var counts: [Int] {
        var c = [Int](repeating: 0, count: dictionary.count)
        for code in codes where code >= 0 { c[Int(code)] += 1 }
        return c
    }
}

public enum ColumnData: Sendable, Equatable {
    case numeric(NumericColumnData)
    case labels(LabelColumnData)

    public var count: Int {
        switch self {
        case .numeric(let d): return d.values.count
        case .labels(let d): return d.codes.count
        }
    }
}

/// Inserts rows through one prepared statement with values bound directly (the measured fast
/// path: about twice GRDB's argument arrays). Bind every column of a row, then `insert`.
public final class RowInserter {
    let statement: Statement
    let stmt: OpaquePointer
    public let columnCount: Int
    let path: String

    init(statement: Statement, columnCount: Int, path: String) {
        self.statement = statement
        self.stmt = statement.sqliteStatement
        self.columnCount = columnCount
        self.path = path
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @inline(__always) public func bindNull(_ column: Int) { sqlite3_bind_null(stmt, Int32(column + 4)) }

    @inline(__always) public func bind(_ column: Int, double v: Double) {
        if v.isNaN { sqlite3_bind_text(stmt, Int32(column + 4), "NaN", 3, Self.transient) } else { sqlite3_bind_double(stmt, Int32(column + 4), v) }
    }

    @inline(__always) public func bind(_ column: Int, int v: Int64) { sqlite3_bind_int64(stmt, Int32(column + 4), v) }

    @inline(__always) public func bind(_ column: Int, text bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress {
            sqlite3_bind_text(stmt, Int32(column + 4), base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        } else {
            sqlite3_bind_text(stmt, Int32(column + 4), "", 0, Self.transient)
        }
    }

    public func bind(_ column: Int, text: String) {
        var t = text
        t.withUTF8 { u in bind(column, text: UnsafeRawBufferPointer(u)) }
    }

    /// Inserts the bound row.
    public func insert(snapshotId: Int64, line: Int, extra: String?) throws {
        sqlite3_bind_int64(stmt, 1, snapshotId)
        sqlite3_bind_int64(stmt, 2, Int64(line))
        if let extra {
            var e = extra
            e.withUTF8 { u in
                _ = sqlite3_bind_text(
                    stmt, 3, UnsafeRawPointer(u.baseAddress!).assumingMemoryBound(to: CChar.self), Int32(u.count),
                    Self.transient)
            }
        } else {
            sqlite3_bind_null(stmt, 3)
        }
        let rc = sqlite3_step(stmt)
        sqlite3_reset(stmt)
        guard rc == SQLITE_DONE else {
            throw MLAuditError.warehouse(
                "inserting a row into \(path) failed", hint: "Check free disk space; nothing partial was committed.",
                cause: String(cString: sqlite3_errmsg(sqlite3_db_handle(stmt))))
        }
    }
}
