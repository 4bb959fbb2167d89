import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Ingest
@testable import Warehouse

/// The columnar copy of numeric columns (`numericColumn`) written at ingest: read through it,
/// every column is exactly what the row table gives back (nulls, NaN, infinities, -0.0 and
/// integers included), and it goes and comes back with the rows.
@Suite("Columnar copy of numeric columns")
struct NumericCopyTests {
    /// Values of `x` (numeric) chosen to be hard to copy: NaN spellings, infinities, signed zeros,
    /// the extremes of the double range, null tokens.
    static let xs = [
        "NaN", "inf", "-inf", "-0.0", "", "NA", "1e308", "-1.7976931348623157e308", "5e-324", "-5e-324", "-1.5", "0",
        "12.25", "1e-300", "nan", "Infinity", "-0", "4.0000", "9007199254740993", "null",
    ]
    /// Values of `n` (integer): beyond 2^53 the double SQLite reads is rounded, and must be the same.
    static let ns = ["0", "-3", "", "9007199254740993", "-9223372036854775807", "9223372036854775807", "NA", "42"]

    static func csv(rows: Int) -> String {
        var lines = [TinyPipeline.header]
        for i in 0..<rows {
            var f = TinyPipeline.row(i, day: "2026-01-01").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            f[2] = xs[i % xs.count]
            f[3] = ns[i % ns.count]
            if i % 5 == 2 { f[5] = "" }  // flag (boolean) null
            if i % 9 == 4 { f[6] = "" }  // score null
            lines.append(f.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bit patterns of a numeric column's values, with NaN made canonical (NaN is NaN).
    static func bits(_ d: NumericColumnData) -> [UInt64] {
        d.values.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern }
    }

    static func bits(_ f: FiniteNumbers) -> [UInt64] { f.values.map(\.bitPattern) }

    /// A pipeline "p" with the row table of `columns` and an empty daily snapshot, written
    /// batch by batch by the tests that drive the sink directly.
    static func emptySnapshot(_ store: Store, columns: [DeclaredColumn]) throws -> (RowTable, Int64) {
        let p = try store.ensurePipeline("p")
        let table = try store.rowTable(pipelineId: p, columns: columns)
        let (id, _) = try store.insertSnapshot(pipelineId: p, NewSnapshot(
            kind: .daily, date: "2026-01-01", sourcePath: "f", sha256: "s", bytes: 0, header: []))
        return (table, id)
    }

    /// Every numeric, integer and boolean column of a snapshot, read through the copy and
    /// through the rows: identical, bit for bit.
    static func expectBothPathsAgree(_ w: Warehouse, _ table: RowTable, snapshotId: Int64) throws {
        let numeric = table.columns.filter { NumericColumnEncoding.isCopied($0.type) }.map(\.name)
        let all = table.columns.map(\.name)
        try w.read { store in
            let copies = try store.numericCopies(
                table, snapshotId: snapshotId, columns: numeric, rows: try store.storedRowCount(table, snapshotId: snapshotId))
            #expect(Set(copies.keys) == Set(numeric), "every numeric column has a complete copy")
            let viaCopy = try store.readColumns(table, snapshotId: snapshotId, columns: all)
            let viaRows = try store.readColumns(table, snapshotId: snapshotId, columns: all, columnar: false)
            for name in all {
                switch (viaCopy[name], viaRows[name]) {
                case (.numeric(let a)?, .numeric(let b)?):
                    #expect(a.nulls == b.nulls, "nulls of \(name)")
                    #expect(bits(a) == bits(b), "values of \(name)")
                case (.labels(let a)?, .labels(let b)?):
                    #expect(a == b, "\(name)")
                default:
                    Issue.record("column \(name) differs in kind")
                }
            }
            let finiteCopy = try store.readFiniteNumbers(table, snapshotId: snapshotId, columns: numeric)
            let finiteRows = try store.readFiniteNumbers(table, snapshotId: snapshotId, columns: numeric, columnar: false)
            for name in numeric {
                let a = try #require(finiteCopy[name]), b = try #require(finiteRows[name])
                #expect(bits(a) == bits(b) && a.nulls == b.nulls && a.nan == b.nan && a.infinite == b.infinite, "\(name)")
            }
        }
        let range = try #require(try w.read { try $0.rowidRange(table, snapshotId: snapshotId) })
        let partsCopy = try w.readFiniteNumberParts(table, snapshotId: snapshotId, columns: numeric, rowids: range, parts: 2, minimumRowsPerPart: 1)
        let partsRows = try w.readFiniteNumberParts(
            table, snapshotId: snapshotId, columns: numeric, rowids: range, parts: 2, minimumRowsPerPart: 1, columnar: false)
        for name in numeric {
            let a = try #require(partsCopy[name]), b = try #require(partsRows[name])
            #expect(a.count == 1 && b.count == 2, "a copied column is one part; the rows are read in two")
            #expect(a.flatMap(bits) == b.flatMap(bits), "\(name) in row order")
            #expect(a.map(\.nulls).reduce(0, +) == b.map(\.nulls).reduce(0, +))
            #expect(a.map(\.nan).reduce(0, +) == b.map(\.nan).reduce(0, +))
            #expect(a.map(\.infinite).reduce(0, +) == b.map(\.infinite).reduce(0, +))
        }
    }

    @Test func ingestedCopyReadsExactlyAsTheRows() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", Self.csv(rows: 120))
        let w = try Warehouse(path: loaded.warehousePath)
        let outcome = try IngestStage(loaded: loaded, warehouse: w, logger: testLogger).run(.baseline, runId: nil, stageRunId: nil)
        #expect(outcome.rowsStored == 120)
        let table = try w.write { store in
            try store.rowTable(pipelineId: try store.ensurePipeline("tiny"), columns: loaded.definition.declaredColumns)
        }
        try Self.expectBothPathsAgree(w, table, snapshotId: outcome.snapshotId)
        // The values themselves, as documented: -0.0 comes back as +0.0, NaN is a value, "" a null.
        let x = try w.read { try $0.readColumns(table, snapshotId: outcome.snapshotId, columns: ["x"]) }["x"]
        guard case .numeric(let x)? = x else {
            Issue.record("x is not numeric")
            return
        }
        #expect(x.values[0].isNaN && !x.nulls[0])
        #expect(x.values[1] == .infinity && x.values[2] == -.infinity)
        #expect(x.values[3].bitPattern == 0, "-0.0 is stored by SQLite as the integer 0")
        #expect(x.nulls[4] && x.nulls[5] && x.values[4].isNaN)
        #expect(x.values[8] == .leastNonzeroMagnitude && x.values[18] == 9007199254740992)
    }

    /// The writer's chunks end inside batches, at batch ends and after a single-row batch; text
    /// in a numeric column (which typing never produces) takes that column off the copy.
    @Test func chunksSplitBatchesAnywhere() throws {
        let dir = TemporaryDirectory()
        let columns = [
            DeclaredColumn(name: "x", type: .numeric, role: .feature),
            DeclaredColumn(name: "n", type: .integer, role: .feature),
            DeclaredColumn(name: "b", type: .boolean, role: .feature),
            DeclaredColumn(name: "c", type: .categorical, role: .feature),
            DeclaredColumn(name: "t", type: .numeric, role: .feature),
        ]
        let w = try Warehouse(path: dir.path + "/w.sqlite")
        let (table, id) = try w.write { store -> (RowTable, Int64) in
            let (table, id) = try Self.emptySnapshot(store, columns: columns)
            let sink = try RowTableSink(store: store, table: table, snapshotId: id, copyChunkRows: 5)
            var line = 2
            for size in [7, 13, 1, 4] {
                let batch = RowBatch(columns: columns.count)
                for _ in 0..<size {
                    let i = line - 2
                    switch i % 6 {
                    case 0: batch.setNull(0)
                    case 1: batch.set(0, double: .nan)
                    case 2: batch.set(0, double: -0.0)
                    case 3: batch.set(0, double: -.infinity)
                    default: batch.set(0, double: Double(i) / 3)
                    }
                    if i % 4 == 0 { batch.setNull(1) } else { batch.set(1, int: Int64(i) * 1_000_000_007 - 7) }
                    if i % 3 == 0 { batch.setNull(2) } else { batch.set(2, int: Int64(i % 2)) }
                    var text = "v\(i % 3)"
                    text.withUTF8 { batch.set(3, text: UnsafeRawBufferPointer($0)) }
                    // Text a typed ingest never stores in a numeric column: SQLite's REAL affinity
                    // turns "12.5" into a number; the copy cannot know, so `t` gets none.
                    if i == 17 {
                        var t = "12.5"
                        t.withUTF8 { batch.set(4, text: UnsafeRawBufferPointer($0)) }
                    } else {
                        batch.set(4, double: Double(i))
                    }
                    batch.commitRow(line: line, extraOffset: -1, extraLength: 0)
                    line += 1
                }
                try sink.write(batch)
            }
            try sink.finish()
            try store.finishSnapshot(id, read: 25, stored: 25, quarantined: 0)
            return (table, id)
        }
        let chunks = try w.read { try $0.numericCopies(table, snapshotId: id, columns: ["x", "n", "b", "t"], rows: 25) }
        #expect(chunks["x"]?.map(\.rows) == [5, 5, 5, 5, 5])
        #expect(chunks["t"] == nil, "a column with text in it has no copy")
        #expect(try w.read { try Int.fetchOne($0.db, sql: "SELECT COUNT(*) FROM numericColumnPacked WHERE sqlColumn = 't'") } == 0)
        let t = try w.read { try $0.readColumns(table, snapshotId: id, columns: ["t"]) }["t"]
        guard case .numeric(let tv)? = t else {
            Issue.record("t is not numeric")
            return
        }
        #expect(tv.values[17] == 12.5, "read from the rows")
        let all = columns.map(\.name)
        try w.read { store in
            let viaCopy = try store.readColumns(table, snapshotId: id, columns: all)
            let viaRows = try store.readColumns(table, snapshotId: id, columns: all, columnar: false)
            for name in ["x", "n", "b", "t"] {
                guard case .numeric(let a)? = viaCopy[name], case .numeric(let b)? = viaRows[name] else {
                    Issue.record("\(name) is not numeric")
                    continue
                }
                #expect(a.nulls == b.nulls, "\(name)")
                #expect(Self.bits(a) == Self.bits(b), "\(name)")
                #expect(a.values.count == 25)
            }
            #expect(viaCopy["c"] == viaRows["c"])
        }
    }

    /// The writer's buffers stay within their budget however wide the table: wide tables get
    /// shorter chunks (and a 1 000-column copy still reads back exactly as the rows).
    @Test func wideTablesGetShorterChunks() throws {
        #expect(NumericColumnWriter.chunkRows(forColumns: 17) == 65_536)
        #expect(NumericColumnWriter.chunkRows(forColumns: 1_000) == 4_194)
        #expect(NumericColumnWriter.chunkRows(forColumns: 100_000) == 1_024)
        for n in [1, 17, 64, 65, 500, 1_000, 2_000, 4_096] {
            #expect(NumericColumnWriter.chunkRows(forColumns: n) * n * 8 <= NumericColumnWriter.bufferBudgetBytes)
        }

        let dir = TemporaryDirectory()
        let columns = (0..<1_000).map { DeclaredColumn(name: "f\($0)", type: .numeric, role: .feature) }
        let rows = 9_000
        let w = try Warehouse(path: dir.path + "/w.sqlite")
        let (table, id) = try w.write { store -> (RowTable, Int64) in
            let (table, id) = try Self.emptySnapshot(store, columns: columns)
            let sink = try RowTableSink(store: store, table: table, snapshotId: id)
            var line = 2
            while line - 2 < rows {
                let batch = RowBatch(columns: columns.count)
                while batch.rows < batch.rowCapacity, line - 2 < rows {
                    let i = line - 2
                    for c in 0..<columns.count {
                        if (i + c) % 97 == 0 { batch.setNull(c) } else { batch.set(c, double: Double(i * 1_000 + c) / 7) }
                    }
                    batch.commitRow(line: line, extraOffset: -1, extraLength: 0)
                    line += 1
                }
                try sink.write(batch)
            }
            try sink.finish()
            try store.finishSnapshot(id, read: rows, stored: rows, quarantined: 0)
            return (table, id)
        }
        let chunks = try w.read { try $0.numericCopies(table, snapshotId: id, columns: ["f0", "f999"], rows: rows) }
        #expect(chunks["f999"]?.map(\.rows) == [4_194, 4_194, 612])
        try w.read { store in
            let names = ["f0", "f1", "f500", "f999"]
            let viaCopy = try store.readColumns(table, snapshotId: id, columns: names)
            let viaRows = try store.readColumns(table, snapshotId: id, columns: names, columnar: false)
            for name in names {
                guard case .numeric(let a)? = viaCopy[name], case .numeric(let b)? = viaRows[name] else {
                    Issue.record("\(name) is not numeric")
                    continue
                }
                #expect(a.nulls == b.nulls && Self.bits(a) == Self.bits(b), "\(name)")
            }
        }
    }

    /// Retention deletes the copy with the rows; ingesting the same bytes again reloads the rows
    /// and rebuilds the copy; an incomplete copy is not used.
    @Test func retentionDeletesTheCopyAndReingestRebuildsIt() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(40, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", Self.csv(rows: 60).replacingOccurrences(of: "2026-01-01", with: "2026-02-01"))
        let w = try Warehouse(path: loaded.warehousePath)
        let stage = IngestStage(loaded: loaded, warehouse: w, logger: testLogger)
        _ = try stage.run(.baseline, runId: nil, stageRunId: nil)
        let day = try stage.run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        #expect(try w.read { try $0.hasNumericCopy(snapshotId: day.snapshotId) })
        let purged = try w.write { try $0.purgeRows(pipelineId: 1, before: "2026-03-01") }
        #expect(purged.map(\.date) == ["2026-02-01"])
        #expect(try w.read { try $0.hasNumericCopy(snapshotId: day.snapshotId) } == false)
        #expect(try w.read { try $0.hasNumericCopy(snapshotId: 1) }, "the baseline is never purged")

        let again = try stage.run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        #expect(again.snapshotId == day.snapshotId && !again.unchanged, "the same bytes reload the purged rows")
        #expect(try w.read { try $0.hasNumericCopy(snapshotId: day.snapshotId) })
        let table = try w.write { store in
            try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns)
        }
        try Self.expectBothPathsAgree(w, table, snapshotId: day.snapshotId)

        // A copy missing a chunk, or disagreeing with the rows' count (the snapshot's last row
        // deleted, its catalog range shortened with it), is ignored: the rows are read.
        try w.write { store in
            try store.db.execute(sql: "DELETE FROM numericColumnPacked WHERE snapshotId = ? AND sqlColumn = 'x'", arguments: [day.snapshotId])
            try store.db.execute(
                sql: "DELETE FROM \(table.name) WHERE rowid = (SELECT lastRowid FROM snapshot WHERE id = ?)",
                arguments: [day.snapshotId])
            try store.db.execute(sql: "UPDATE snapshot SET lastRowid = lastRowid - 1 WHERE id = ?", arguments: [day.snapshotId])
        }
        try w.read { store in
            #expect(try store.numericCopies(table, snapshotId: day.snapshotId, columns: ["x", "score"], rows: 59).isEmpty)
            let viaCopy = try store.readFiniteNumbers(table, snapshotId: day.snapshotId, columns: ["x", "score"])
            let viaRows = try store.readFiniteNumbers(table, snapshotId: day.snapshotId, columns: ["x", "score"], columnar: false)
            #expect(viaCopy == viaRows)
            #expect(viaCopy["score"]?.rows == 59)
        }
    }

    /// A warehouse written before v4-issue13 holds its copy raw in `numericColumn` (and its
    /// sorted columns raw in `sortedColumn`): read as before. New chunks are packed: the
    /// ingest's copy of the tiny pipeline's decimals takes less than 8 bytes per value.
    @Test func rawCopiesOlderVersionsWroteAreStillRead() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(300, day: "2026-01-01"))
        let w = try Warehouse(path: loaded.warehousePath)
        let outcome = try IngestStage(loaded: loaded, warehouse: w, logger: testLogger).run(.baseline, runId: nil, stageRunId: nil)
        let id = outcome.snapshotId
        let table = try w.write { store in
            try store.rowTable(pipelineId: try store.ensurePipeline("tiny"), columns: loaded.definition.declaredColumns)
        }
        let numeric = table.columns.filter { NumericColumnEncoding.isCopied($0.type) }
        let (packedBytes, values) = try w.read { store -> (Int, Int) in
            (try Int.fetchOne(store.db, sql: "SELECT SUM(length(data)) FROM numericColumnPacked WHERE snapshotId = ?", arguments: [id]) ?? 0,
             try Int.fetchOne(store.db, sql: "SELECT SUM(rows) FROM numericColumnPacked WHERE snapshotId = ?", arguments: [id]) ?? 0)
        }
        #expect(values == 300 * numeric.count)
        #expect(packedBytes < 4 * values, "packed: \(packedBytes) bytes for \(values) values")
        // Rewrite the copy as an older version stored it: raw little-endian float64, one chunk.
        try w.write { store in
            let chunks = try store.numericCopies(table, snapshotId: id, columns: numeric.map(\.name), rows: 300)
            for (i, c) in table.columns.enumerated() where NumericColumnEncoding.isCopied(c.type) {
                var raw: [UInt8] = []
                try store.forEachChunk(try #require(chunks[c.name]), column: c.name) { bits in
                    for b in bits { withUnsafeBytes(of: b.littleEndian) { raw.append(contentsOf: $0) } }
                }
                try store.db.execute(
                    sql: "INSERT INTO numericColumn (snapshotId, sqlColumn, column, chunk, rows, data) VALUES (?, ?, ?, 0, 300, ?)",
                    arguments: [id, table.sqlNames[i], c.name, Data(raw)])
            }
            try store.db.execute(sql: "DELETE FROM numericColumnPacked WHERE snapshotId = ?", arguments: [id])
        }
        try Self.expectBothPathsAgree(w, table, snapshotId: id)
        #expect(try w.read { try $0.hasNumericCopy(snapshotId: id) })

        // The sorted-column cache: packed when written now; a raw entry an older version wrote is read.
        let x = try #require(try w.read { try $0.readFiniteNumbers(table, snapshotId: id, columns: ["x"]) }["x"])
        let sortedX = FiniteNumbers(values: x.values.sorted(), nulls: x.nulls, nan: x.nan, infinite: x.infinite)
        try w.write { try $0.putSortedColumn(table, snapshotId: id, column: "x", sortedX) }
        #expect(try w.read { try $0.sortedColumns(table, snapshotId: id, columns: ["x"]) }["x"] == sortedX)
        #expect(try w.read { try Int.fetchOne($0.db, sql: "SELECT encoding FROM sortedColumnPacked") } == PackedNumbers.sortedDeltas)
        try w.write { store in
            let raw = Data(sortedX.values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } })
            try store.db.execute(sql: "DELETE FROM sortedColumnPacked")
            try store.db.execute(
                sql: """
                    INSERT INTO sortedColumn (snapshotId, sqlColumn, column, count, nulls, nan, infinite, data)
                    VALUES (?, ?, 'x', ?, ?, ?, ?, ?)
                    """,
                arguments: [id, table.sqlName(of: "x"), sortedX.values.count, x.nulls, x.nan, x.infinite, raw])
        }
        #expect(try w.read { try $0.sortedColumns(table, snapshotId: id, columns: ["x"]) }["x"] == sortedX)
        // Writing the entry again replaces the raw one with a packed one.
        try w.write { try $0.putSortedColumn(table, snapshotId: id, column: "x", sortedX) }
        #expect(try w.read { try Int.fetchOne($0.db, sql: "SELECT COUNT(*) FROM sortedColumn") } == 0)
        #expect(try w.read { try $0.sortedColumns(table, snapshotId: id, columns: ["x"]) }["x"] == sortedX)

        // A warehouse at v4-issue13 (sortedColumnPacked admitting encodings 0 and 1) holding a
        // `decimal` entry: v5-issue13-sorted-deltas rebuilds the table with the entry, which
        // reads as before; the table then admits sorted deltas and nothing else new.
        var decimal: [UInt8] = []
        let encoding = sortedX.values.withUnsafeBufferPointer {
            $0.withMemoryRebound(to: UInt64.self) { PackedNumbers.encode($0, into: &decimal) }
        }
        #expect(encoding == PackedNumbers.decimal)
        try w.write { store in
            try store.db.execute(sql: """
                DROP TABLE sortedColumnPacked;
                CREATE TABLE sortedColumnPacked (
                  snapshotId INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,
                  sqlColumn TEXT NOT NULL,
                  column TEXT NOT NULL,
                  count INTEGER NOT NULL CHECK (count >= 0),
                  nulls INTEGER NOT NULL,
                  nan INTEGER NOT NULL,
                  infinite INTEGER NOT NULL,
                  encoding INTEGER NOT NULL CHECK (encoding IN (0, 1)),
                  data BLOB NOT NULL CHECK (encoding <> 0 OR length(data) = 8 * count),
                  PRIMARY KEY (snapshotId, sqlColumn)
                );
                DELETE FROM grdb_migrations WHERE identifier = 'v5-issue13-sorted-deltas';
                """)
            try store.db.execute(
                sql: """
                    INSERT INTO sortedColumnPacked (snapshotId, sqlColumn, column, count, nulls, nan, infinite, encoding, data)
                    VALUES (?, ?, 'x', ?, ?, ?, ?, 1, ?)
                    """,
                arguments: [id, table.sqlName(of: "x"), sortedX.values.count, x.nulls, x.nan, x.infinite, Data(decimal)])
            #expect(throws: (any Error).self) {
                try store.db.execute(sql: "UPDATE sortedColumnPacked SET encoding = 2")
            }
        }
        let migrated = try Warehouse(path: loaded.warehousePath)
        #expect(try migrated.read { try $0.sortedColumns(table, snapshotId: id, columns: ["x"]) }["x"] == sortedX)
        #expect(try migrated.read { try Int.fetchOne($0.db, sql: "SELECT encoding FROM sortedColumnPacked") } == PackedNumbers.decimal)
        try migrated.write { try $0.putSortedColumn(table, snapshotId: id, column: "x", sortedX) }
        #expect(try migrated.read { try Int.fetchOne($0.db, sql: "SELECT encoding FROM sortedColumnPacked") } == PackedNumbers.sortedDeltas)
        #expect(try migrated.read { try $0.sortedColumns(table, snapshotId: id, columns: ["x"]) }["x"] == sortedX)
        _ = try migrated.write { store in
            #expect(throws: (any Error).self) { try store.db.execute(sql: "UPDATE sortedColumnPacked SET encoding = 3") }
        }
    }
}
