import AuditModel
import Foundation
import TestSupport
import Testing
import Warehouse
@testable import WarehousePostgres

/// The storage seam's contract (`SeamContract`), checked on the PostgreSQL backend, as
/// WarehouseTests/SeamContractTests.swift checks it on SQLite.
@Suite("Seam contract: PostgreSQL")
struct PostgresSeamContractTests {
    @Test(arguments: SeamContract.all.map(\.name))
    func postgresKeepsTheContract(_ name: String) throws {
        let url = try TestServer.location().url
        let check = try #require(SeamContract.all.first { $0.name == name }).check
        let problems = try check { try PostgresBackends.open(url: url, options: $0) }
        #expect(problems.isEmpty, "\(problems)")
    }
}

/// A batch of typed rows built from Swift values, written through a `RowWriter`.
struct SlotRows {
    enum Value {
        case null, int(Int64), double(Double), nan, text(String)
    }

    var rows: [[Value]]
    var lines: [Int]
    var extras: [String?]

    /// Writes rows `range` as one batch.
    func write(_ writer: any RowWriter, _ range: Range<Int>) throws {
        let columns = rows.first?.count ?? 0
        var kinds: [UInt8] = [], payloads: [Int64] = [], lengths: [Int32] = []
        var arena: [UInt8] = []
        var extraOffsets: [Int] = [], extraLengths: [Int32] = []
        for r in range {
            for v in rows[r] {
                switch v {
                case .null: kinds.append(RowSlotKind.null.rawValue); payloads.append(0); lengths.append(0)
                case .int(let i): kinds.append(RowSlotKind.integer.rawValue); payloads.append(i); lengths.append(0)
                case .double(let d):
                    kinds.append(RowSlotKind.double.rawValue); payloads.append(Int64(bitPattern: d.bitPattern)); lengths.append(0)
                case .nan: kinds.append(RowSlotKind.nan.rawValue); payloads.append(0); lengths.append(0)
                case .text(let s):
                    kinds.append(RowSlotKind.text.rawValue)
                    payloads.append(Int64(arena.count))
                    lengths.append(Int32(s.utf8.count))
                    arena += Array(s.utf8)
                }
            }
            if let e = extras[r] {
                extraOffsets.append(arena.count)
                extraLengths.append(Int32(e.utf8.count))
                arena += Array(e.utf8)
            } else {
                extraOffsets.append(-1)
                extraLengths.append(0)
            }
        }
        arena.append(0)  // never empty
        let lines = Array(self.lines[range])
        try kinds.withUnsafeBufferPointer { k in
            try payloads.withUnsafeBufferPointer { p in
                try lengths.withUnsafeBufferPointer { l in
                    try lines.withUnsafeBufferPointer { ln in
                        try extraOffsets.withUnsafeBufferPointer { eo in
                            try extraLengths.withUnsafeBufferPointer { el in
                                try arena.withUnsafeBytes { a in
                                    try writer.write(TypedRowSlots(
                                        rows: range.count, columns: columns, kinds: k.baseAddress!, payloads: p.baseAddress!,
                                        lengths: l.baseAddress!, lines: ln.baseAddress!, extraOffsets: eo.baseAddress!,
                                        extraLengths: el.baseAddress!, arena: a.baseAddress!))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The same typed rows written through both backends read back the same, call for call.
@Suite("Row storage on both backends")
struct BothBackendsRowStorageTests {
    /// Hostile declared names: a PostgreSQL system column, the reserved prefix, a double quote,
    /// names differing only in case, a name past PostgreSQL's 63-byte identifiers, Unicode.
    static let columns = [
        DeclaredColumn(name: "x", type: .numeric, role: .feature),
        DeclaredColumn(name: "xmin", type: .integer, role: .feature),
        DeclaredColumn(name: "mlaudit_row", type: .boolean, role: .feature),
        DeclaredColumn(name: "Color \"q\"; DROP TABLE snapshot; --", type: .categorical, role: .feature),
        DeclaredColumn(name: "ts", type: .datetime, role: .timestamp),
        DeclaredColumn(name: String(repeating: "long", count: 20), type: .text, role: .feature),
        DeclaredColumn(name: "MiXeD", type: .numeric, role: .feature),
        DeclaredColumn(name: "mixed", type: .numeric, role: .feature),
        DeclaredColumn(name: "naïve ✓\ttab", type: .categorical, role: .feature),
    ]

    static let texts = ["rød", "", "tab\there", "new\nline\r\n", "back\\slash\\N", "<b>&\"'", "\\.", "ünï ✓ 😀"]

    static func data(rows n: Int) -> SlotRows {
        var rows: [[SlotRows.Value]] = []
        var extras: [String?] = []
        for r in 0..<n {
            let x: SlotRows.Value = r % 7 == 0 ? .null : r % 11 == 0 ? .nan : r == 5 ? .double(.infinity) : r == 6 ? .double(-.infinity)
                : r == 8 ? .double(-0.0) : .double(Double(r) * 0.1 - 3 + 1e-9 * Double(r % 3))
            rows.append([
                x,
                r % 13 == 0 ? .null : .int(Int64(r) * 1_000_003 - 5_000_000_000),
                .int(Int64(r % 2)),
                r % 17 == 0 ? .null : .text(texts[r % texts.count]),
                r % 19 == 0 ? .null : .text(String(format: "2026-02-01T%02d:%02d:00Z", r % 24, r % 60)),
                .text("free text \(r) " + texts[(r + 3) % texts.count]),
                .double(Double(r % 5) / 3),
                r % 3 == 0 ? .nan : .double(1e300 * Double(r % 4)),
                .text(["a", "b", "c"][r % 3]),
            ])
            extras.append(r % 9 == 0 ? "{\"extra\":\"\(r)\\t\\\\\",\"k\":null}" : nil)
        }
        return SlotRows(rows: rows, lines: (0..<n).map { $0 + 2 }, extras: extras)
    }

    /// A fresh warehouse of each backend.
    static func open(_ backend: TestBackend, _ dir: TemporaryDirectory) throws -> OpenedWarehouse {
        switch backend {
        case .sqlite: return try WarehouseBackends.open(.sqlite(path: dir.path + "/w.sqlite"))
        case .postgres: return try PostgresBackends.open(url: try TestServer.location().url, options: .init())
        }
    }

    /// Everything the row storage reads, in a form both backends must give identically.
    struct Reads: Equatable {
        var columns: [String: [String]] = [:]
        var finite: [String: [String]] = [:]
        var firstHalf: [String: [String]] = [:]
        var parts: [String: [String]] = [:]
        var groups: [[String]] = []
        var hours: [String: Int] = [:]
        var extras: [String?] = []
        var lines: [Int] = []
        var count = 0
        var sorted: [String] = []
        var purged: [String] = []
        var afterPurge = -1
        var text: [String] = []
    }

    static func describe(_ d: ColumnData?) -> [String] {
        switch d {
        case .numeric(let n)?: return n.values.indices.map { n.nulls[$0] ? "null" : "\(n.values[$0].bitPattern)" }
        case .labels(let l)?: return l.codes.indices.map { l.value(at: $0).map { "'\($0)'" } ?? "null" }
        case nil: return ["missing"]
        }
    }

    static func describe(_ f: FiniteNumbers?) -> [String] {
        guard let f else { return ["missing"] }
        return f.values.map { "\($0.bitPattern)" } + ["nulls \(f.nulls) nan \(f.nan) inf \(f.infinite)"]
    }

    static func reads(_ backend: TestBackend) throws -> Reads {
        let dir = TemporaryDirectory()
        let opened = try open(backend, dir)
        let w = opened.backend
        let data = data(rows: 1_000)
        let names = columns.map(\.name)
        let numeric = columns.filter { NumericColumnEncoding.isCopied($0.type) }.map(\.name)
        let (table, snapshot, pipeline) = try w.write { tx -> (RowTable, Int64, Int64) in
            let p = try tx.ensurePipeline("rows")
            let table = try tx.rowTable(pipelineId: p, columns: columns)
            let (s, _) = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                kind: .daily, date: "2026-02-01", sourcePath: "d.csv", sha256: "0", bytes: 1, header: names))
            let writer = try tx.rowWriter(table, snapshotId: s)
            try data.write(writer, 0..<300)
            try data.write(writer, 300..<1_000)
            try writer.finish()
            try tx.finishSnapshot(s, read: 1_000, stored: 1_000, quarantined: 0)
            return (table, s, p)
        }
        var out = Reads()
        try w.read { tx in
            for columnar in [true, false] {
                let read = try tx.readColumns(table, snapshotId: snapshot, columns: names, columnar: columnar)
                for n in names { out.columns["\(n) \(columnar)"] = describe(read[n]) }
                let finite = try tx.readFiniteNumbers(table, snapshotId: snapshot, columns: numeric, columnar: columnar)
                for n in numeric { out.finite["\(n) \(columnar)"] = describe(finite[n]) }
            }
            let range = try #require(try tx.rowidRange(table, snapshotId: snapshot))
            let half = range.lowerBound...(range.lowerBound + 499)
            for (n, f) in try tx.readFiniteNumbers(table, snapshotId: snapshot, columns: numeric, rowids: half) {
                out.firstHalf[n] = describe(f)
            }
            // The text columns in one read: values with counts, the kept codes and the row keys.
            let textNames = table.textColumns(names)
            let text = try tx.readTextColumns(
                table, snapshotId: snapshot, columns: textNames, codes: [textNames[0]], rowKeys: true, hashed: [], parallelFrom: 100)
            for n in textNames {
                let s = try #require(text.summaries[n])
                out.text.append("\(n): \(zip(s.dictionary, s.counts).map { "\($0)=\($1)" }) nulls \(s.nullCount) rows \(s.rows)")
            }
            out.text.append("codes \(describe(text.codes[textNames[0]]))")
            out.text.append("keys \(text.rowKeys.count) distinct \(Set(text.rowKeys).count) first \(text.rowKeys.prefix(3))")
            out.groups = try tx.columnGroups(table, snapshotId: snapshot, columns: names, numericBudget: 20_000, rowScanBudget: 40_000)
            out.hours = try tx.hourCounts(table, snapshotId: snapshot, column: "ts")
            out.extras = try tx.extraColumns(table, snapshotId: snapshot)
            out.lines = try tx.storedLines(table, snapshotId: snapshot)
            out.count = try tx.storedRowCount(table, snapshotId: snapshot)
        }
        let range = try #require(try w.read { try $0.rowidRange(table, snapshotId: snapshot) })
        for columnar in [true, false] {
            let parts = try w.readFiniteNumberParts(
                table, snapshotId: snapshot, columns: numeric, rowids: range, parts: 2, minimumRowsPerPart: 100, columnar: columnar)
            for n in numeric {
                let joined = FiniteNumbers(
                    values: (parts[n] ?? []).flatMap(\.values), nulls: (parts[n] ?? []).map(\.nulls).reduce(0, +),
                    nan: (parts[n] ?? []).map(\.nan).reduce(0, +), infinite: (parts[n] ?? []).map(\.infinite).reduce(0, +))
                out.parts["\(n) \(columnar)"] = describe(joined)
            }
        }
        try w.write { tx in
            let x = try #require(try tx.readFiniteNumbers(table, snapshotId: snapshot, columns: ["x"])["x"])
            try tx.putSortedColumn(table, snapshotId: snapshot, column: "x", FiniteNumbers(
                values: x.values.sorted(), nulls: x.nulls, nan: x.nan, infinite: x.infinite))
            try tx.putSortedColumn(table, snapshotId: snapshot, column: "x", FiniteNumbers(
                values: x.values.sorted(), nulls: x.nulls, nan: x.nan, infinite: x.infinite))
        }
        out.sorted = try w.read { describe(try $0.sortedColumns(table, snapshotId: snapshot, columns: ["x", "MiXeD"])["x"]) }
        if try w.read({ try $0.sortedColumns(table, snapshotId: snapshot, columns: ["MiXeD"]) }).count != 0 {
            out.sorted.append("a column never cached came back")
        }
        out.purged = try w.write { tx in
            try tx.purgeRows(pipelineId: pipeline, before: "2026-02-02").map { "\($0.date) \($0.rows)" }
        }
        out.afterPurge = try w.read { try $0.storedRowCount(table, snapshotId: snapshot) }
        if try w.read({ try $0.sortedColumns(table, snapshotId: snapshot, columns: ["x"]) }).count != 0 {
            out.sorted.append("the sorted column survived the purge")
        }
        return out
    }

    @Test func bothBackendsReadTheSameRows() throws {
        let sqlite = try Self.reads(.sqlite)
        let postgres = try Self.reads(.postgres)
        #expect(sqlite.count == 1_000 && postgres.count == 1_000)
        for key in sqlite.columns.keys.sorted() {
            #expect(sqlite.columns[key] == postgres.columns[key], "readColumns \(key)")
        }
        #expect(sqlite.columns["x true"]?[8] == "0", "-0.0 reads as +0.0 on both, as SQLite stores it")
        for key in sqlite.finite.keys.sorted() { #expect(sqlite.finite[key] == postgres.finite[key], "readFiniteNumbers \(key)") }
        #expect(sqlite.firstHalf == postgres.firstHalf)
        #expect(sqlite.firstHalf["x"]?.last == "nulls 72 nan 39 inf 2")
        for key in sqlite.parts.keys.sorted() { #expect(sqlite.parts[key] == postgres.parts[key], "readFiniteNumberParts \(key)") }
        #expect(sqlite.parts["x true"] == sqlite.finite["x true"])
        #expect(sqlite.groups == postgres.groups)
        #expect(sqlite.groups.count > 2, "small budgets split the columns: \(sqlite.groups)")
        #expect(sqlite.hours == postgres.hours)
        #expect(sqlite.hours[""] == 53 && sqlite.hours["2026-02-01T00"] != nil)
        #expect(sqlite.extras == postgres.extras)
        #expect(sqlite.lines == postgres.lines && sqlite.lines == Array(2..<1_002))
        #expect(sqlite.sorted == postgres.sorted && sqlite.sorted.count == 1_000 - 143 - 78 - 2 + 1)
        #expect(sqlite.purged == ["2026-02-01 1000"] && postgres.purged == sqlite.purged)
        #expect(sqlite.afterPurge == 0 && postgres.afterPurge == 0)
        #expect(sqlite.text == postgres.text, "readTextColumns")
        #expect(sqlite.text.count == 6 && sqlite.text.last?.hasPrefix("keys 1000 ") == true)
    }

    /// Every made name is a safe PostgreSQL identifier, the layout is stable across opens, and
    /// a column whose declared type changes gets a new SQL column.
    @Test func postgresColumnNamesAreSafeAndStable() throws {
        let opened = try PostgresBackends.open(url: try TestServer.location().url, options: .init())
        let long = String(repeating: "p", count: 90)
        let (first, second, retyped) = try opened.backend.write { tx -> (RowTable, RowTable, RowTable) in
            let p = try tx.ensurePipeline(long)
            let a = try tx.rowTable(pipelineId: p, columns: Self.columns)
            let b = try tx.rowTable(pipelineId: p, columns: Self.columns)
            let c = try tx.rowTable(pipelineId: p, columns: [DeclaredColumn(name: "x", type: .integer, role: .feature)])
            return (a, b, c)
        }
        #expect(first.sqlNames == second.sqlNames)
        #expect(Set(first.sqlNames.map { $0.lowercased() }).count == first.sqlNames.count)
        for name in first.sqlNames {
            #expect(name.utf8.count <= 63 && !name.contains("\"") && !name.lowercased().hasPrefix("mlaudit_") && name != "xmin", "\(name)")
        }
        #expect(first.sqlNames[0] == "x" && first.sqlNames[6] == "MiXeD")
        #expect(retyped.sqlNames == ["x__integer"])
        #expect(first.name.utf8.count <= 54 && first.name.hasPrefix("row_pppp"), "\(first.name)")
    }

    /// A NUL byte in a text value never reaches PostgreSQL changed: the writer refuses it and
    /// the transaction leaves nothing (the ingest quarantines such rows before: IngestOnPostgresTests).
    @Test func postgresWriterRefusesANULAndLeavesNothing() throws {
        let opened = try PostgresBackends.open(url: try TestServer.location().url, options: .init())
        let w = opened.backend
        let columns = [DeclaredColumn(name: "c", type: .categorical, role: .feature)]
        let (table, snapshot) = try w.write { tx -> (RowTable, Int64) in
            let p = try tx.ensurePipeline("nul")
            let (s, _) = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                kind: .daily, date: "2026-02-01", sourcePath: "d.csv", sha256: "0", bytes: 1, header: ["c"]))
            return (try tx.rowTable(pipelineId: p, columns: columns), s)
        }
        #expect(!((try? w.read { $0.textHoldsNUL }) ?? true))
        let rows = SlotRows(rows: [[.text("ok")], [.text("a\u{0}b")]], lines: [2, 3], extras: [nil, nil])
        #expect(throws: MLAuditError.self) {
            try w.write { tx in
                let writer = try tx.rowWriter(table, snapshotId: snapshot)
                try rows.write(writer, 0..<2)
                try writer.finish()
            }
        }
        #expect(try w.read { try $0.storedRowCount(table, snapshotId: snapshot) } == 0)
    }
}
