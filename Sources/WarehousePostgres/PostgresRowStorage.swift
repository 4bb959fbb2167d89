import AuditModel
import Foundation
import NIOCore
import PostgresNIO
import Warehouse

// MARK: - RowStorage (docs/warehouse.md: the row tables `row_NAME`, `rowColumn`, the columnar
// copy `numericColumnPacked`, the sorted-column cache `sortedColumnPacked`).
//
// PostgreSQL has no rowid: each row table has `mlaudit_row`, a BIGINT identity column, in its
// place (row order = `mlaudit_row` order; one snapshot's rows are appended by one COPY stream
// inside one transaction under the pipeline's lock, so they form one ascending run). Numbers
// are DOUBLE PRECISION (NaN and the infinities as themselves, a NaN value apart from a null),
// integers and booleans BIGINT, everything else TEXT. Identifiers are always quoted and never
// come from data unchecked: a declared column's SQL name is its name where that is a safe
// PostgreSQL identifier, else a made one, and the mapping is kept in `rowColumn`.

/// Rows per read of a row table (a slice of the snapshot's `mlaudit_row` range), so a read
/// holds at most this many rows of the server's answer at once.
let rowSliceRows: Int64 = 65_536

/// Names PostgreSQL gives every table (system columns): a user column cannot take them.
let postgresSystemColumns: Set<String> = ["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid", "oid"]

/// The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer ones are cut.
let postgresMaxIdentifierBytes = 63

extension PostgresTransaction: RowStorage {
    /// PostgreSQL's text type cannot hold a NUL byte: the ingest quarantines such rows.
    public var textHoldsNUL: Bool { false }

    static func q(_ name: String) -> String { PostgresMigrations.quote(name) }

    /// The SQL type of a declared column type.
    static func sqlType(_ t: ColumnType) -> String {
        switch t {
        case .numeric: return "DOUBLE PRECISION"
        case .integer, .boolean: return "BIGINT"
        case .categorical, .text, .datetime: return "TEXT"
        }
    }

    /// Whether `name` can be a row-table column as it is: not empty, at most 63 bytes, no
    /// control or format character, no double quote (COPY names columns in double quotes), not
    /// a system column's name, not the reserved `mlaudit_` prefix (any case).
    static func isSafeColumnName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return !name.isEmpty && name.utf8.count <= postgresMaxIdentifierBytes && !postgresSystemColumns.contains(lower)
            && !lower.hasPrefix("mlaudit_")
            && !name.unicodeScalars.contains {
                $0 == "\"" || $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
            }
    }

    /// An SQL column name for `c` that no other column of the table has (compared without
    /// case) and that is a safe identifier (`isSafeColumnName`); the declared name where it can.
    static func freeSQLName(for c: DeclaredColumn, taken: inout Set<String>) -> String {
        var base = String(String.UnicodeScalarView(c.name.unicodeScalars.map {
            $0 == "\"" || $0.properties.generalCategory == .control || $0.properties.generalCategory == .format ? "_" : $0
        }))
        if base.isEmpty { base = "col" }
        var candidate = base
        if !isSafeColumnName(candidate) || taken.contains(candidate.lowercased()) {
            let lower = base.lowercased()
            if postgresSystemColumns.contains(lower) || lower.hasPrefix("mlaudit_") { base = "col_" + base }
            // Room for "__" + the type + a counter within 63 bytes, cut at a scalar boundary.
            var cut = ""
            for s in base.unicodeScalars {
                if cut.utf8.count + String(s).utf8.count > 40 { break }
                cut.unicodeScalars.append(s)
            }
            base = cut
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

    public func rowTable(pipelineId: Int64, columns: [DeclaredColumn]) throws -> RowTable {
        guard let table = try session.query("SELECT rowTable FROM pipeline WHERE id = \(pipelineId)").first?.decode(String.self)
        else { throw MLAuditError.internalError("pipeline \(pipelineId) is not in the warehouse") }
        guard table.utf8.count + "_snapshot".utf8.count <= postgresMaxIdentifierBytes, !table.contains("\"") else {
            throw MLAuditError.internalError("the row table name '\(table)' is not a safe PostgreSQL identifier")
        }
        let qt = Self.q(table)
        if try !tableExists(table) {
            try session.simple("""
                CREATE TABLE \(qt) (
                  mlaudit_row BIGINT GENERATED ALWAYS AS IDENTITY,
                  mlaudit_snapshot BIGINT NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  mlaudit_line BIGINT NOT NULL,
                  mlaudit_extra TEXT
                )
                """)
            try session.simple("CREATE INDEX \(Self.q(table + "_snapshot")) ON \(qt) (mlaudit_snapshot, mlaudit_row)")
        }
        var sqlNames: [String] = []
        for c in columns {
            let taken = try session.query("SELECT name, type, sqlName FROM rowColumn WHERE pipelineId = \(pipelineId)")
                .map { try $0.decode((String, String, String).self) }
            if let existing = taken.first(where: { $0.0 == c.name && $0.1 == c.type.rawValue }) {
                sqlNames.append(existing.2)
                continue
            }
            var names = Set(taken.map { $0.2.lowercased() })
            let candidate = Self.freeSQLName(for: c, taken: &names)
            try session.simple("ALTER TABLE \(qt) ADD COLUMN \(Self.q(candidate)) \(Self.sqlType(c.type))")
            try session.query("""
                INSERT INTO rowColumn (pipelineId, name, type, sqlName, addedAt)
                VALUES (\(pipelineId), \(c.name), \(c.type.rawValue), \(candidate), \(Self.now()))
                """)
            sqlNames.append(candidate)
        }
        return RowTable(name: table, columns: columns, sqlNames: sqlNames)
    }

    /// Whether a table of this exact name is on the search path.
    func tableExists(_ table: String) throws -> Bool {
        try session.query("SELECT to_regclass(\(Self.q(table))) IS NOT NULL").first?.decode(Bool.self) ?? false
    }

    public func rowWriter(_ table: RowTable, snapshotId: Int64) throws -> any RowWriter {
        try PostgresRowWriter(session: session, table: table, snapshotId: snapshotId)
    }

    public func deleteStoredRows(_ table: RowTable, snapshotId: Int64) throws {
        try session.query("DELETE FROM \(unescaped: Self.q(table.name)) WHERE mlaudit_snapshot = \(snapshotId)")
        try deleteNumericColumns(snapshotId: snapshotId)
        try session.query("DELETE FROM quarantinedRow WHERE snapshotId = \(snapshotId)")
    }

    /// Deletes the columnar copy and the sorted-column cache of a snapshot.
    func deleteNumericColumns(snapshotId: Int64) throws {
        try session.query("DELETE FROM numericColumn WHERE snapshotId = \(snapshotId)")
        try session.query("DELETE FROM numericColumnPacked WHERE snapshotId = \(snapshotId)")
        try deleteSortedColumns(snapshotId: snapshotId)
    }

    public func purgeRows(pipelineId: Int64, before cutoff: String) throws -> [(date: String, rows: Int)] {
        guard let table = try session.query("SELECT rowTable FROM pipeline WHERE id = \(pipelineId)").first?.decode(String.self)
        else { return [] }
        let targets = try session.query("""
            SELECT id, kind, date FROM snapshot WHERE pipelineId = \(pipelineId) AND kind IN ('daily', 'labels')
            AND date < \(cutoff) AND rowsPurgedAt IS NULL ORDER BY date COLLATE "C", id
            """).map { try $0.decode((Int64, String, String).self) }
        let hasTable = try tableExists(table)
        var out: [(String, Int)] = []
        for (id, kind, date) in targets {
            let deleted: PostgresQuery = kind == "daily"
                ? "WITH d AS (DELETE FROM \(unescaped: Self.q(table)) WHERE mlaudit_snapshot = \(id) RETURNING 1) SELECT count(*) FROM d"
                : "WITH d AS (DELETE FROM label WHERE snapshotId = \(id) RETURNING 1) SELECT count(*) FROM d"
            var n = 0
            if kind != "daily" || hasTable { n = Int(try session.query(deleted).first?.decode(Int64.self) ?? 0) }
            try deleteNumericColumns(snapshotId: id)
            try session.query("UPDATE snapshot SET rowsPurgedAt = \(Self.now()) WHERE id = \(id)")
            out.append((date, n))
        }
        return out
    }

    public func storedRowCount(_ table: RowTable, snapshotId: Int64) throws -> Int {
        Int(try session.query("SELECT count(*) FROM \(unescaped: Self.q(table.name)) WHERE mlaudit_snapshot = \(snapshotId)")
            .first?.decode(Int64.self) ?? 0)
    }

    /// The `mlaudit_row` range and the row count of a snapshot's rows, or nil when it has none.
    func rowBounds(_ table: RowTable, snapshotId: Int64) throws -> (range: ClosedRange<Int64>, count: Int)? {
        guard let row = try session.query("""
            SELECT min(mlaudit_row), max(mlaudit_row), count(*) FROM \(unescaped: Self.q(table.name))
            WHERE mlaudit_snapshot = \(snapshotId)
            """).first
        else { return nil }
        let (lo, hi, n) = try row.decode((Int64?, Int64?, Int64).self)
        guard let lo, let hi else { return nil }
        return (lo...hi, Int(n))
    }

    public func rowidRange(_ table: RowTable, snapshotId: Int64) throws -> ClosedRange<Int64>? {
        try rowBounds(table, snapshotId: snapshotId)?.range
    }

    /// Index in the layout of each name, or an internal error for a name not in it.
    static func indices(_ table: RowTable, _ names: [String]) throws -> [Int] {
        try names.map { n in
            guard let i = table.columns.firstIndex(where: { $0.name == n }) else {
                throw MLAuditError.internalError("column '\(n)' is not in the row table layout")
            }
            return i
        }
    }

    /// Calls `body` with each row of a snapshot (its cells: the columns `sqlNames` in order),
    /// in row order, reading the `mlaudit_row` range a slice at a time.
    func forEachRow(
        _ table: RowTable, snapshotId: Int64, select: String, range: ClosedRange<Int64>, _ body: (PostgresRandomAccessRow) throws -> Void
    ) throws {
        var lo = range.lowerBound
        while lo <= range.upperBound {
            let hi = min(range.upperBound, lo + rowSliceRows - 1)
            let rows = try session.query("""
                SELECT \(unescaped: select) FROM \(unescaped: Self.q(table.name))
                WHERE mlaudit_snapshot = \(snapshotId) AND mlaudit_row BETWEEN \(lo) AND \(hi) ORDER BY mlaudit_row
                """)
            for r in rows { try body(r.makeRandomAccess()) }
            if hi == range.upperBound { break }
            lo = hi + 1
        }
    }

    public func readColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], parallelFrom: Int, columnar: Bool
    ) throws -> [String: ColumnData] {
        let indices = try Self.indices(table, names)
        guard !indices.isEmpty else { return [:] }
        let numeric = indices.map { NumericColumnEncoding.isCopied(table.columns[$0].type) }
        guard let bounds = try rowBounds(table, snapshotId: snapshotId) else {
            var out: [String: ColumnData] = [:]
            for (k, n) in names.enumerated() {
                out[n] = numeric[k] ? .numeric(NumericColumnData(values: [], nulls: [])) : .labels(LabelColumnData(codes: [], dictionary: []))
            }
            return out
        }
        var out: [String: ColumnData] = [:]
        if columnar {
            for (name, chunks) in try numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count) {
                out[name] = .numeric(try readNumericCopy(chunks, table: table, snapshotId: snapshotId, column: name, rows: bounds.count))
            }
        }
        let rest = names.indices.filter { out[names[$0]] == nil }
        guard !rest.isEmpty else { return out }
        let select = rest.map { Self.q(table.sqlNames[indices[$0]]) }.joined(separator: ", ")
        let isFloat = rest.map { table.columns[indices[$0]].type == .numeric }
        let isNumber = rest.map { numeric[$0] }
        var values = rest.map { _ in [Double]() }
        var nulls = rest.map { _ in [Bool]() }
        var codes = rest.map { _ in [Int32]() }
        var dictionaries = rest.map { _ in [String]() }
        var lookup = rest.map { _ in [String: Int32]() }
        for k in rest.indices {
            if isNumber[k] {
                values[k].reserveCapacity(bounds.count)
                nulls[k].reserveCapacity(bounds.count)
            } else {
                codes[k].reserveCapacity(bounds.count)
            }
        }
        try forEachRow(table, snapshotId: snapshotId, select: select, range: bounds.range) { cells in
            for k in rest.indices {
                if isNumber[k] {
                    let v: Double? = isFloat[k] ? try cells[k].decode(Double?.self) : try cells[k].decode(Int64?.self).map(Double.init)
                    values[k].append(v ?? .nan)
                    nulls[k].append(v == nil)
                } else if let s = try cells[k].decode(String?.self) {
                    if let code = lookup[k][s] {
                        codes[k].append(code)
                    } else {
                        let code = Int32(dictionaries[k].count)
                        dictionaries[k].append(s)
                        lookup[k][s] = code
                        codes[k].append(code)
                    }
                } else {
                    codes[k].append(-1)
                }
            }
        }
        for (k, i) in rest.enumerated() {
            out[names[i]] = isNumber[k]
                ? .numeric(NumericColumnData(values: values[k], nulls: nulls[k]))
                : .labels(LabelColumnData(codes: codes[k], dictionary: dictionaries[k]))
        }
        return out
    }

    public func columnGroups(
        _ table: RowTable, snapshotId: Int64, columns names: [String], numericBudget: Int, rowScanBudget: Int
    ) throws -> [[String]] {
        guard let bounds = try rowBounds(table, snapshotId: snapshotId) else { return names.isEmpty ? [] : [names] }
        let rows = max(bounds.count, 1)
        let copied = Set(try numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count).keys)
        func size(_ name: String) -> Int {
            guard let c = table.columns.first(where: { $0.name == name }) else { return 16 * rows }
            return ColumnGroups.bytesPerRow(c, copied: copied.contains(name)) * rows
        }
        return ColumnGroups.split(names.filter { copied.contains($0) }, size: size, budget: numericBudget)
            + ColumnGroups.split(names.filter { !copied.contains($0) }, size: size, budget: rowScanBudget)
    }

    /// The PostgreSQL warehouse keeps no hand-off between stages: each stage reads the server.
    public func handOffColumns(_ table: RowTable, snapshotId: Int64, _ columns: [String: ColumnData]) throws {}

    /// The text columns a group at a time (`columnGroups`' row-scan budget), each group read with
    /// `readColumns` and reduced to values with counts (`TextColumns.add`); the columns in
    /// `hashed` are then given as `HashedText` made from those counts (the same facts, no saving
    /// of memory here).
    public func readTextColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], codes keep: [String], rowKeys: Bool, hashed: [String],
        parallelFrom: Int
    ) throws -> TextColumns {
        for i in try Self.indices(table, names) where !RowTable.isText(table.columns[i]) {
            throw MLAuditError.internalError("column '\(table.columns[i].name)' is not a text column")
        }
        var out = TextColumns(summaries: [:], codes: [:], rowKeys: [])
        let groups = try columnGroups(
            table, snapshotId: snapshotId, columns: names, numericBudget: ColumnGroups.numericBytes,
            rowScanBudget: ColumnGroups.rowScanBytes)
        for group in groups {
            let data = try readColumns(table, snapshotId: snapshotId, columns: group, parallelFrom: parallelFrom, columnar: true)
            try out.add(data, names: group, keep: keep, rowKeys: rowKeys)
        }
        for name in hashed where !keep.contains(name) {
            if let s = out.summaries.removeValue(forKey: name) { out.hashed[name] = HashedText(s) }
        }
        return out
    }

    /// No hand-off on PostgreSQL (see `handOffColumns`).
    public func handOffTextColumns(_ table: RowTable, snapshotId: Int64, _ text: TextColumns) throws {}

    public func readFiniteNumbers(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>?, columnar: Bool
    ) throws -> [String: FiniteNumbers] {
        for i in try Self.indices(table, names) where !NumericColumnEncoding.isCopied(table.columns[i].type) {
            throw MLAuditError.internalError("column '\(table.columns[i].name)' is not a numeric column of the row table")
        }
        guard !names.isEmpty else { return [:] }
        var out: [String: FiniteNumbers] = [:]
        var range = rowids
        if rowids == nil {
            guard let bounds = try rowBounds(table, snapshotId: snapshotId) else {
                return Dictionary(names.map { ($0, FiniteNumbers(values: [], nulls: 0, nan: 0, infinite: 0)) }) { a, _ in a }
            }
            range = bounds.range
            if columnar {
                for (name, chunks) in try numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count) {
                    var nulls = 0, nan = 0, infinite = 0
                    var values: [Double] = []
                    values.reserveCapacity(bounds.count)
                    try forEachChunk(chunks, table: table, snapshotId: snapshotId, column: name) { chunk in
                        for b in chunk {
                            let v = Double(bitPattern: b)
                            if v.isFinite { values.append(v) } else if v.isInfinite { infinite += 1 }
                            else if b == NumericColumnEncoding.null { nulls += 1 } else { nan += 1 }
                        }
                    }
                    out[name] = FiniteNumbers(values: values, nulls: nulls, nan: nan, infinite: infinite)
                }
            }
        }
        let rest = names.filter { out[$0] == nil }
        guard !rest.isEmpty, let range else { return out }
        let indices = try Self.indices(table, rest)
        let isFloat = indices.map { table.columns[$0].type == .numeric }
        var values = rest.map { _ in [Double]() }
        var tallies = rest.map { _ in (nulls: 0, nan: 0, infinite: 0) }
        let select = indices.map { Self.q(table.sqlNames[$0]) }.joined(separator: ", ")
        try forEachRow(table, snapshotId: snapshotId, select: select, range: range) { cells in
            for k in rest.indices {
                let v: Double? = isFloat[k] ? try cells[k].decode(Double?.self) : try cells[k].decode(Int64?.self).map(Double.init)
                guard let v else {
                    tallies[k].nulls += 1
                    continue
                }
                if v.isFinite { values[k].append(v) } else if v.isNaN { tallies[k].nan += 1 } else { tallies[k].infinite += 1 }
            }
        }
        for (k, name) in rest.enumerated() {
            out[name] = FiniteNumbers(values: values[k], nulls: tallies[k].nulls, nan: tallies[k].nan, infinite: tallies[k].infinite)
        }
        return out
    }

    public func hourCounts(_ table: RowTable, snapshotId: Int64, column: String) throws -> [String: Int] {
        guard let sql = table.sqlName(of: column) else {
            throw MLAuditError.internalError("column '\(column)' is not in the row table layout")
        }
        var out: [String: Int] = [:]
        for row in try session.query("""
            SELECT COALESCE(substr(\(unescaped: Self.q(sql))::text, 1, 13), ''), count(*) FROM \(unescaped: Self.q(table.name))
            WHERE mlaudit_snapshot = \(snapshotId) GROUP BY 1
            """)
        {
            let (hour, n) = try row.decode((String, Int64).self)
            out[hour] = Int(n)
        }
        return out
    }

    public func extraColumns(_ table: RowTable, snapshotId: Int64) throws -> [String?] {
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return [] }
        var out: [String?] = []
        try forEachRow(table, snapshotId: snapshotId, select: "mlaudit_extra", range: range) { out.append(try $0[0].decode(String?.self)) }
        return out
    }

    public func storedLines(_ table: RowTable, snapshotId: Int64) throws -> [Int] {
        guard let range = try rowidRange(table, snapshotId: snapshotId) else { return [] }
        var out: [Int] = []
        try forEachRow(table, snapshotId: snapshotId, select: "mlaudit_line", range: range) { out.append(Int(try $0[0].decode(Int64.self))) }
        return out
    }

    // MARK: The columnar copy (numericColumnPacked) and the sorted-column cache (sortedColumnPacked)

    /// The chunk counts of the columns among `names` (numeric, integer or boolean) whose copy is
    /// complete for a snapshot of `rows` stored rows: chunks 0, 1, … without a gap holding
    /// `rows` values in all (else the column is read from the rows), by name.
    func numericCopies(_ table: RowTable, snapshotId: Int64, columns names: [String], rows: Int) throws -> [String: [Int]] {
        var wanted: [String: String] = [:]  // sqlColumn → name
        for n in names {
            guard let i = table.columns.firstIndex(where: { $0.name == n }), NumericColumnEncoding.isCopied(table.columns[i].type)
            else { continue }
            wanted[table.sqlNames[i]] = n
        }
        guard !wanted.isEmpty, rows > 0 else { return [:] }
        var found: [String: [Int]] = [:]
        var broken: Set<String> = []
        for row in try session.query(
            "SELECT sqlColumn, chunk, rows FROM numericColumnPacked WHERE snapshotId = \(snapshotId) ORDER BY sqlColumn, chunk")
        {
            let (sqlColumn, chunk, n) = try row.decode((String, Int64, Int64).self)
            guard let name = wanted[sqlColumn], !broken.contains(name) else { continue }
            if Int64(found[name, default: []].count) != chunk {
                broken.insert(name)
                continue
            }
            found[name, default: []].append(Int(n))
        }
        return found.filter { !broken.contains($0.key) && $0.value.reduce(0, +) == rows }
    }

    /// Calls `body` with each chunk's values (`NumericColumnEncoding` bits), in row order.
    func forEachChunk(
        _ chunks: [Int], table: RowTable, snapshotId: Int64, column: String, _ body: (UnsafeBufferPointer<UInt64>) throws -> Void
    ) throws {
        guard let sqlName = table.sqlName(of: column), let largest = chunks.max() else { return }
        func damaged() -> MLAuditError {
            MLAuditError.warehouse(
                "the columnar copy of '\(column)' is damaged (a chunk's size or contents disagree with its row count)",
                file: session.location.url,
                hint: "Delete the copy (DELETE FROM numericColumnPacked WHERE snapshotId = …) to read the rows instead.")
        }
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: largest)
        defer { scratch.deallocate() }
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 8 * largest + 64, alignment: 8)
        defer { bytes.deallocate() }
        var k = 0
        var lo: Int64 = 0
        // A few chunks per query: bounded memory (at most 8 bytes a row per chunk).
        while k < chunks.count {
            let rows = try session.query("""
                SELECT chunk, rows, encoding, data FROM numericColumnPacked
                WHERE snapshotId = \(snapshotId) AND sqlColumn = \(sqlName) AND chunk >= \(lo) AND chunk < \(lo + 8) ORDER BY chunk
                """)
            for row in rows {
                let (chunk, n, encoding, data) = try row.decode((Int64, Int64, Int64, ByteBuffer).self)
                guard chunk == Int64(k), Int(n) == chunks[k] else { throw damaged() }
                let size = data.readableBytes
                let count = Int(n)
                if Int(encoding) == PackedNumbers.raw {
                    guard size == 8 * count else { throw damaged() }
                    data.withUnsafeReadableBytes { raw in
                        for i in 0..<count { scratch[i] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
                    }
                } else {
                    guard size <= 8 * count + 56 else { throw damaged() }
                    data.withUnsafeReadableBytes { raw in if size > 0 { bytes.copyMemory(from: raw.baseAddress!, byteCount: size) } }
                    guard PackedNumbers.decode(Int(encoding), UnsafeRawBufferPointer(start: bytes, count: size), count: count, into: scratch)
                    else { throw damaged() }
                }
                try body(UnsafeBufferPointer(start: scratch, count: count))
                k += 1
            }
            if rows.isEmpty { throw damaged() }
            lo += 8
        }
    }

    /// A column of `rows` values from its copy, in row order, as `readColumns` gives it.
    func readNumericCopy(_ chunks: [Int], table: RowTable, snapshotId: Int64, column: String, rows: Int) throws -> NumericColumnData {
        var values: [Double] = []
        var nulls: [Bool] = []
        values.reserveCapacity(rows)
        nulls.reserveCapacity(rows)
        try forEachChunk(chunks, table: table, snapshotId: snapshotId, column: column) { chunk in
            for b in chunk {
                let v = Double(bitPattern: b)
                values.append(v.isNaN ? .nan : v)
                nulls.append(b == NumericColumnEncoding.null)
            }
        }
        return NumericColumnData(values: values, nulls: nulls)
    }

    public func sortedColumns(_ table: RowTable, snapshotId: Int64, columns names: [String]) throws -> [String: FiniteNumbers] {
        var out: [String: FiniteNumbers] = [:]
        for name in names {
            guard let sqlName = table.sqlName(of: name), let row = try session.query("""
                SELECT count, nulls, nan, infinite, encoding, data FROM sortedColumnPacked
                WHERE snapshotId = \(snapshotId) AND sqlColumn = \(sqlName)
                """).first
            else { continue }
            let (c, nulls, nan, infinite, encoding, data) = try row.decode((Int64, Int64, Int64, Int64, Int64, ByteBuffer).self)
            let count = Int(c), size = data.readableBytes
            // A damaged entry is a cache miss: the column is read and sorted again.
            if (Int(encoding) == PackedNumbers.raw) ? (size != 8 * count) : (size >= 8 * count + 56) { continue }
            var decoded = true
            let values = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
                initialized = count
                guard count > 0 else { return }
                let out = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt64.self)
                data.withUnsafeReadableBytes { raw in
                    if Int(encoding) == PackedNumbers.raw {
                        for i in 0..<count { out[i] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
                    } else {
                        let bytes = UnsafeMutableRawPointer.allocate(byteCount: size + 8, alignment: 8)
                        defer { bytes.deallocate() }
                        if size > 0 { bytes.copyMemory(from: raw.baseAddress!, byteCount: size) }
                        decoded = PackedNumbers.decode(Int(encoding), UnsafeRawBufferPointer(start: bytes, count: size), count: count, into: out)
                        if !decoded { for i in 0..<count { out[i] = 0 } }
                    }
                }
            }
            guard decoded else { continue }
            out[name] = FiniteNumbers(values: values, nulls: Int(nulls), nan: Int(nan), infinite: Int(infinite))
        }
        return out
    }

    public func putSortedColumn(_ table: RowTable, snapshotId: Int64, column: String, _ numbers: FiniteNumbers) throws {
        guard let sqlName = table.sqlName(of: column) else {
            throw MLAuditError.internalError("column '\(column)' is not in the row table layout")
        }
        var packed: [UInt8] = []
        let encoding = numbers.values.withUnsafeBufferPointer { values in
            values.withMemoryRebound(to: UInt64.self) { PackedNumbers.encode($0, into: &packed) }
        }
        let data = ByteBuffer(bytes: packed)
        try session.query("""
            INSERT INTO sortedColumnPacked (snapshotId, sqlColumn, "column", count, nulls, nan, infinite, encoding, data)
            VALUES (\(snapshotId), \(sqlName), \(column), \(Int64(numbers.values.count)), \(Int64(numbers.nulls)),
                    \(Int64(numbers.nan)), \(Int64(numbers.infinite)), \(Int64(encoding)), \(data))
            ON CONFLICT (snapshotId, sqlColumn) DO UPDATE SET "column" = EXCLUDED."column", count = EXCLUDED.count,
              nulls = EXCLUDED.nulls, nan = EXCLUDED.nan, infinite = EXCLUDED.infinite, encoding = EXCLUDED.encoding,
              data = EXCLUDED.data
            """)
        try session.query("DELETE FROM sortedColumn WHERE snapshotId = \(snapshotId) AND sqlColumn = \(sqlName)")
    }

    public func deleteSortedColumns(snapshotId: Int64) throws {
        try session.query("DELETE FROM sortedColumn WHERE snapshotId = \(snapshotId)")
        try session.query("DELETE FROM sortedColumnPacked WHERE snapshotId = \(snapshotId)")
    }
}

/// Writes one snapshot's typed rows into its pipeline's row table with `COPY … FROM STDIN`
/// (text format, every value escaped: data never becomes syntax), and the numbers of numeric,
/// integer and boolean columns into their columnar copy (`numericColumnPacked`, packed chunks as
/// SQLite's). Rows are gathered into buffers of about 4 MiB, each sent as one COPY, inside the
/// caller's transaction: they commit or roll back with the stage.
///
/// A text value holding a NUL byte is refused with an error (the ingest sets such rows aside
/// before they get here: `RowStorage.textHoldsNUL`); it is never changed.
public final class PostgresRowWriter: RowWriter {
    let session: PostgresSession
    let table: RowTable
    let snapshotId: Int64
    let copyColumns: [String]
    let columnTypes: [ColumnType]
    var buffer: ByteBuffer
    /// The columnar copy's chunk being filled, column by column (`NumericColumnEncoding` bits).
    let copied: [Int]
    let chunkRows: Int
    var chunkBuffers: [[UInt64]]
    var chunk: Int64 = 0
    var invalid: [Bool]
    static let flushBytes = 4 << 20
    private let snapshotText: [UInt8]

    init(session: PostgresSession, table: RowTable, snapshotId: Int64) throws {
        self.session = session
        self.table = table
        self.snapshotId = snapshotId
        copyColumns = ["mlaudit_snapshot", "mlaudit_line", "mlaudit_extra"] + table.sqlNames
        columnTypes = table.columns.map(\.type)
        buffer = ByteBufferAllocator().buffer(capacity: Self.flushBytes + (1 << 16))
        copied = table.columns.indices.filter { NumericColumnEncoding.isCopied(table.columns[$0].type) }
        let chunkRows = NumericColumnWriter.chunkRows(forColumns: copied.count)
        self.chunkRows = chunkRows
        chunkBuffers = copied.map { _ in
            var a: [UInt64] = []
            a.reserveCapacity(chunkRows)
            return a
        }
        invalid = copied.map { _ in false }
        snapshotText = Array(String(snapshotId).utf8)
    }

    public func write(_ batch: TypedRowSlots) throws {
        let columns = batch.columns
        guard columns == table.columns.count else {
            throw MLAuditError.internalError("a batch of \(columns) columns for a row table of \(table.columns.count)")
        }
        for r in 0..<batch.rows {
            buffer.writeBytes(snapshotText)
            buffer.writeInteger(UInt8(ascii: "\t"))
            writeDecimal(Int64(batch.lines[r]))
            buffer.writeInteger(UInt8(ascii: "\t"))
            let extraOffset = batch.extraOffsets[r]
            if extraOffset < 0 {
                buffer.writeStaticString("\\N")
            } else {
                try writeText(batch.text(offset: Int64(extraOffset), length: batch.extraLengths[r]), column: nil)
            }
            let base = r * columns
            for j in 0..<columns {
                buffer.writeInteger(UInt8(ascii: "\t"))
                let s = base + j
                switch batch.kinds[s] {
                case RowSlotKind.integer.rawValue:
                    if columnTypes[j] == .numeric { writeDouble(Double(batch.payloads[s])) } else { writeDecimal(batch.payloads[s]) }
                case RowSlotKind.double.rawValue:
                    let v = Double(bitPattern: UInt64(bitPattern: batch.payloads[s]))
                    if columnTypes[j] == .integer || columnTypes[j] == .boolean {
                        guard let i = Int64(exactly: v) else {
                            throw MLAuditError.internalError("a fractional value for the integer column '\(table.columns[j].name)'")
                        }
                        writeDecimal(i)
                    } else if columnTypes[j] == .numeric {
                        writeDouble(v)
                    } else {
                        throw MLAuditError.internalError("a number for the text column '\(table.columns[j].name)'")
                    }
                case RowSlotKind.nan.rawValue:
                    guard columnTypes[j] == .numeric else {
                        throw MLAuditError.internalError("NaN for the non-float column '\(table.columns[j].name)'")
                    }
                    buffer.writeStaticString("NaN")
                case RowSlotKind.text.rawValue:
                    guard !NumericColumnEncoding.isCopied(columnTypes[j]) else {
                        // Typing never puts text in a numeric column; PostgreSQL could not store it.
                        throw MLAuditError.internalError("text for the numeric column '\(table.columns[j].name)'")
                    }
                    try writeText(batch.text(offset: batch.payloads[s], length: batch.lengths[s]), column: j)
                default:
                    buffer.writeStaticString("\\N")
                }
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        if !copied.isEmpty { try appendCopy(batch) }
        if buffer.readableBytes >= Self.flushBytes { try flushRows() }
    }

    public func finish() throws {
        try flushRows()
        if !copied.isEmpty, !chunkBuffers[0].isEmpty { try flushChunk() }
        for (k, j) in copied.enumerated() where invalid[k] {
            try session.query(
                "DELETE FROM numericColumnPacked WHERE snapshotId = \(snapshotId) AND sqlColumn = \(table.sqlNames[j])")
        }
    }

    private func flushRows() throws {
        guard buffer.readableBytes > 0 else { return }
        try session.copy(table: table.name, columns: copyColumns, buffers: [buffer])
        buffer.clear()
    }

    @inline(__always) private func writeDecimal(_ v: Int64) {
        buffer.writeString(String(v))
    }

    /// A double as the row table gives it back: -0.0 as 0 (as SQLite does), the shortest text
    /// that reads back as the same double, the infinities in PostgreSQL's spelling.
    @inline(__always) private func writeDouble(_ v: Double) {
        if v == 0 {
            buffer.writeInteger(UInt8(ascii: "0"))
        } else if v.isNaN {
            buffer.writeStaticString("NaN")
        } else if v.isInfinite {
            buffer.writeStaticString(v < 0 ? "-Infinity" : "Infinity")
        } else {
            buffer.writeString(v.description)
        }
    }

    /// UTF-8 bytes escaped for COPY's text format (backslash, tab, newline, carriage return).
    private func writeText(_ bytes: UnsafeRawBufferPointer, column j: Int?) throws {
        var plain = true
        for b in bytes where b == UInt8(ascii: "\\") || b == 9 || b == 10 || b == 13 || b == 0 {
            plain = false
            break
        }
        if plain {
            buffer.writeBytes(bytes)
            return
        }
        for b in bytes {
            switch b {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 9: buffer.writeStaticString("\\t")
            case 10: buffer.writeStaticString("\\n")
            case 13: buffer.writeStaticString("\\r")
            case 0:
                throw MLAuditError.warehouse(
                    "a value of \(j.map { "column '\(table.columns[$0].name)'" } ?? "the undeclared columns") holds a NUL character (U+0000), which PostgreSQL cannot store",
                    file: session.location.url,
                    hint: "This is a bug in MLAudit (the ingest sets such rows aside); please report it. Nothing was stored.")
            default: buffer.writeInteger(b)
            }
        }
    }

    /// The batch's values of the copied columns into the chunk buffers (chunks written when full).
    private func appendCopy(_ batch: TypedRowSlots) throws {
        let columns = batch.columns
        var r = 0
        while r < batch.rows {
            let n = min(chunkRows - chunkBuffers[0].count, batch.rows - r)
            for (k, j) in copied.enumerated() {
                var s = r * columns + j
                for _ in 0..<n {
                    let bits: UInt64
                    switch batch.kinds[s] {
                    case RowSlotKind.double.rawValue:
                        bits = NumericColumnEncoding.bits(Double(bitPattern: UInt64(bitPattern: batch.payloads[s])))
                    case RowSlotKind.integer.rawValue: bits = NumericColumnEncoding.bits(batch.payloads[s])
                    case RowSlotKind.nan.rawValue: bits = NumericColumnEncoding.nan
                    case RowSlotKind.text.rawValue:
                        invalid[k] = true
                        bits = NumericColumnEncoding.null
                    default: bits = NumericColumnEncoding.null
                    }
                    chunkBuffers[k].append(bits)
                    s += columns
                }
            }
            r += n
            if chunkBuffers[0].count == chunkRows { try flushChunk() }
        }
    }

    private func flushChunk() throws {
        let filled = chunkBuffers[0].count
        var packed: [UInt8] = []
        for (k, j) in copied.enumerated() where !invalid[k] {
            let encoding = chunkBuffers[k].withUnsafeBufferPointer { PackedNumbers.encode($0, into: &packed) }
            let data = ByteBuffer(bytes: packed)
            try session.query("""
                INSERT INTO numericColumnPacked (snapshotId, sqlColumn, "column", chunk, rows, encoding, data)
                VALUES (\(snapshotId), \(table.sqlNames[j]), \(table.columns[j].name), \(chunk), \(Int64(filled)),
                        \(Int64(encoding)), \(data))
                """)
        }
        for k in chunkBuffers.indices { chunkBuffers[k].removeAll(keepingCapacity: true) }
        chunk += 1
    }
}
