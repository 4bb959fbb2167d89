import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Warehouse

/// `readColumns`: the rowid-range scan, the byte dictionary encoding and the two-connection
/// split give back exactly the stored values, in row order.
@Suite("Column reader")
struct ColumnReaderTests {
    static let columns = [
        DeclaredColumn(name: "x", type: .numeric, role: .feature),
        DeclaredColumn(name: "n", type: .integer, role: .feature),
        DeclaredColumn(name: "c", type: .categorical, role: .feature),
        DeclaredColumn(name: "id", type: .text, role: .id),
    ]

    /// Writes two snapshots of `rows` rows each; returns the warehouse, the layout and the second snapshot's id.
    func fixture(_ dir: TemporaryDirectory, rows: Int) throws -> (Warehouse, RowTable, Int64) {
        let w = try Warehouse(path: dir.path + "/w.sqlite")
        let (table, second) = try w.write { store -> (RowTable, Int64) in
            let p = try store.ensurePipeline("p")
            let table = try store.rowTable(pipelineId: p, columns: Self.columns)
            var last: Int64 = 0
            for s in 0..<2 {
                let (id, _) = try store.insertSnapshot(pipelineId: p, NewSnapshot(
                    kind: .daily, date: "2026-01-0\(s + 1)", sourcePath: "f", sha256: "\(s)", bytes: 0, header: []))
                let highWater = try store.rowidHighWater(table)
                let ins = try store.rowInserter(table)
                for i in 0..<rows {
                    if i % 17 == 3 { ins.bindNull(0) } else { ins.bind(0, double: i % 29 == 5 ? .nan : Double(i) * 0.5 - Double(s)) }
                    if i % 11 == 0 { ins.bindNull(1) } else { ins.bind(1, int: Int64(i % 7 - 3)) }
                    if i % 13 == 0 { ins.bindNull(2) } else { ins.bind(2, text: ["rød", "grün", "", "blue"][(i + s) % 4]) }
                    ins.bind(3, text: "row-\(s)-\(i)")
                    try ins.insert(snapshotId: id, line: i + 2, extra: nil)
                }
                try store.recordRowRange(table, snapshotId: id, after: highWater, rows: rows)
                try store.finishSnapshot(id, read: rows, stored: rows, quarantined: 0)
                last = id
            }
            return (table, last)
        }
        return (w, table, second)
    }

    @Test func parallelAndSerialReadsAgreeWithTheStoredValues() throws {
        let dir = TemporaryDirectory()
        let rows = 1_000
        let (w, table, snapshot) = try fixture(dir, rows: rows)
        let names = Self.columns.map(\.name)
        let serial = try w.read { try $0.readColumns(table, snapshotId: snapshot, columns: names) }
        let parallel = try w.write { try $0.readColumns(table, snapshotId: snapshot, columns: names, parallelFrom: 2) }
        #expect(serial.count == 4)
        guard case .numeric(let x)? = serial["x"], case .numeric(let n)? = serial["n"], case .labels(let c)? = serial["c"],
              case .labels(let id)? = serial["id"] else {
            Issue.record("unexpected column kinds")
            return
        }
        #expect(x.values.count == rows && id.codes.count == rows)
        for i in 0..<rows {
            #expect(x.nulls[i] == (i % 17 == 3))
            if i % 17 != 3 {
                if i % 29 == 5 { #expect(x.values[i].isNaN) } else { #expect(x.values[i] == Double(i) * 0.5 - 1) }
            }
            #expect(n.nulls[i] == (i % 11 == 0))
            if i % 11 != 0 { #expect(n.values[i] == Double(i % 7 - 3)) }
            #expect(c.value(at: i) == (i % 13 == 0 ? nil : ["rød", "grün", "", "blue"][(i + 1) % 4]))
            #expect(id.value(at: i) == "row-1-\(i)")
        }
        #expect(c.dictionary == ["", "blue", "rød", "grün"], "first-appearance order (row 0 is null)")
        // The split read joins its halves into exactly the serial result, dictionary order included.
        guard case .numeric(let px)? = parallel["x"] else {
            Issue.record("x is not numeric in the parallel read")
            return
        }
        #expect(px.nulls == x.nulls)
        #expect(Self.sameNumbers(px.values, x.values), "NaN compares unequal, so value by value")
        guard case .numeric(let pn)? = parallel["n"] else {
            Issue.record("n is not numeric in the parallel read")
            return
        }
        #expect(pn.nulls == n.nulls)
        #expect(Self.sameNumbers(pn.values, n.values))
        #expect(parallel["c"] == serial["c"])
        #expect(parallel["id"] == serial["id"])
    }

    /// `readTextColumns`: one scan gives each text column's values with their counts exactly as
    /// a full read does (dictionary order included), serial or split over two connections; the
    /// kept column's codes equal the full read's; row keys are equal exactly for rows equal in
    /// every column read (here a 5-value column: 5 keys).
    @Test func textColumnsInOneScanEqualAFullRead() throws {
        let dir = TemporaryDirectory()
        let rows = 1_000
        let (w, table, snapshot) = try fixture(dir, rows: rows)
        let full = try w.read { try $0.readColumns(table, snapshotId: snapshot, columns: ["c", "id"]) }
        guard case .labels(let c)? = full["c"], case .labels(let id)? = full["id"] else {
            Issue.record("unexpected column kinds")
            return
        }
        #expect(table.textColumns(["x", "c", "n", "id"]) == ["c", "id"])
        for parallelFrom in [100_000, 2] {
            let text = try w.write {
                try $0.readTextColumns(table, snapshotId: snapshot, columns: ["c", "id"], codes: ["c"], rowKeys: true, parallelFrom: parallelFrom)
            }
            #expect(text.summaries["c"] == c.summary)
            #expect(text.summaries["id"] == id.summary)
            #expect(text.summaries["c"]?.nullCount == (0..<rows).filter { $0 % 13 == 0 }.count)
            #expect(text.summaries["id"]?.counts == Array(repeating: 1, count: rows))
            #expect(text.codes["c"] == full["c"] && text.codes["id"] == nil)
            #expect(text.rowKeys.count == rows)
            let onlyC = try w.write {
                try $0.readTextColumns(table, snapshotId: snapshot, columns: ["c"], codes: [], rowKeys: true, parallelFrom: parallelFrom)
            }
            var keyOf: [Int32: UInt64] = [:]
            for i in 0..<rows {
                if let k = keyOf[c.codes[i]] { #expect(k == onlyC.rowKeys[i]) } else { keyOf[c.codes[i]] = onlyC.rowKeys[i] }
            }
            #expect(keyOf.count == 5 && Set(keyOf.values).count == 5)
        }
        let none = try w.read { try $0.readTextColumns(table, snapshotId: 999, columns: ["c"], codes: ["c"], rowKeys: true) }
        #expect(none.summaries["c"] == LabelSummary(dictionary: [], counts: [], nullCount: 0, rows: 0))
        #expect(none.codes["c"] == .labels(LabelColumnData(codes: [], dictionary: [])) && none.rowKeys.isEmpty)
        #expect(throws: MLAuditError.self) {
            try w.read { try $0.readTextColumns(table, snapshotId: snapshot, columns: ["x"], codes: [], rowKeys: false) }
        }
    }

    /// Text columns handed over are taken once, only when they cover what is asked.
    @Test func textHandoffIsTakenOnceWhenItCoversTheRead() throws {
        let dir = TemporaryDirectory()
        let (w, table, snapshot) = try fixture(dir, rows: 300)
        let read = try w.read {
            try $0.readTextColumns(table, snapshotId: snapshot, columns: ["c", "id"], codes: ["c"], rowKeys: false)
        }
        try w.read { try $0.handOffTextColumns(table, snapshotId: snapshot, read) }
        let handed = try w.read {
            try $0.readTextColumns(table, snapshotId: snapshot, columns: ["id"], codes: [], rowKeys: false)
        }
        #expect(handed.summaries == ["id": read.summaries["id"]!] && handed.codes.isEmpty)
        let h = ColumnHandoff()
        let key = ColumnHandoff.key(path: "/w.sqlite", snapshotId: 2, bounds: (range: 5...6, count: 2))
        h.putText(key, read)
        #expect(h.takeText(key, ["c"], codes: ["c"], rowKeys: false)?.codes["c"] == read.codes["c"])
        #expect(h.takeText(key, ["c"], codes: [], rowKeys: false) == nil, "taken once")
        h.putText(key, read)
        #expect(h.takeText(key, ["id"], codes: ["id"], rowKeys: false) == nil, "no codes of id: read instead")
        h.putText(key, read)
        #expect(h.takeText(key, ["c"], codes: [], rowKeys: true) == nil, "no row keys: read instead")
        h.putText(key, read)
        #expect(h.take(key, ["c"]) == nil && h.takeText(key, ["c"], codes: [], rowKeys: false) == nil, "a column read drops it")
    }

    static func sameNumbers(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { pair in pair.0 == pair.1 || (pair.0.isNaN && pair.1.isNaN) }
    }

    @Test func emptySnapshotAndNoColumns() throws {
        let dir = TemporaryDirectory()
        let (w, table, _) = try fixture(dir, rows: 3)
        let none = try w.read { try $0.readColumns(table, snapshotId: 999, columns: ["x", "c"]) }
        #expect(none["x"] == .numeric(NumericColumnData(values: [], nulls: [])))
        #expect(none["c"] == .labels(LabelColumnData(codes: [], dictionary: [])))
        #expect(try w.read { try $0.readColumns(table, snapshotId: 1, columns: []) }.isEmpty)
    }

    static func internerValue(_ i: Int) -> String {
        "value-\(i % 3_000)" + (i % 2 == 0 ? "" : String(repeating: "é", count: i % 9))
    }

    @Test func byteInternerGrowsAndKeepsCodes() {
        var interner = ByteInterner()
        defer { interner.free() }
        var codes: [Int32] = []
        for i in 0..<5_000 {
            var s = Self.internerValue(i)
            codes.append(s.withUTF8 { interner.intern(UnsafeRawPointer($0.baseAddress), count: $0.count) })
        }
        let strings = interner.strings()
        let expected = (0..<5_000).map(Self.internerValue)
        #expect(strings.count == Set(expected).count)
        #expect(codes.map { strings[Int($0)] } == expected)
        var empty = ""
        let e1 = empty.withUTF8 { interner.intern(UnsafeRawPointer($0.baseAddress), count: 0) }
        let e2 = interner.intern(nil, count: 0)
        #expect(e1 == e2 && strings.count + 1 == interner.count)
    }

    /// The hand-off from one stage to the next: taken once, only for the same key and when
    /// every asked column is there; any other read drops it.
    @Test func columnHandoffIsTakenOnceForTheSameSnapshotOnly() {
        let h = ColumnHandoff()
        let a = ColumnData.numeric(NumericColumnData(values: [1, 2], nulls: [false, true]))
        let b = ColumnData.labels(LabelColumnData(codes: [0, -1], dictionary: ["x"]))
        let key = ColumnHandoff.key(path: "/w.sqlite", snapshotId: 2, bounds: (range: 5...6, count: 2))
        h.put(key, ["a": a, "b": b])
        #expect(h.take(key, ["b"]) == ["b": b])
        #expect(h.take(key, ["b"]) == nil, "taken once")
        h.put(key, ["a": a, "b": b])
        #expect(h.take(ColumnHandoff.key(path: "/w.sqlite", snapshotId: 3, bounds: (range: 5...6, count: 2)), ["a"]) == nil)
        #expect(h.take(key, ["a"]) == nil, "another snapshot's read dropped it")
        h.put(key, ["a": a])
        #expect(h.take(key, ["a", "b"]) == nil, "a column is missing: read instead")
        #expect(h.take(key, ["a"]) == nil)
        h.put(key, ["a": a])
        #expect(h.take(ColumnHandoff.key(path: "/w.sqlite", snapshotId: 2, bounds: (range: 5...7, count: 3)), ["a"]) == nil,
                "other rows under the same id")
    }

    /// What validate hands over is what a read of the rows gives.
    @Test func handedOverColumnsEqualAReadOfTheRows() throws {
        let dir = TemporaryDirectory()
        let (w, table, snapshot) = try fixture(dir, rows: 300)
        let names = Self.columns.map(\.name)
        let read = try w.read { try $0.readColumns(table, snapshotId: snapshot, columns: names) }
        try w.read { try $0.handOffColumns(table, snapshotId: snapshot, read) }
        let again = try w.read { try $0.readColumns(table, snapshotId: snapshot, columns: names) }
        let rows = try w.read { try $0.readColumns(table, snapshotId: snapshot, columns: names, columnar: false) }
        // NaN != NaN: compare the numbers' bit patterns.
        func bits(_ d: [String: ColumnData]) -> [String: [UInt64]] {
            d.mapValues { c in
                switch c {
                case .numeric(let n): return n.values.map(\.bitPattern) + n.nulls.map { $0 ? 1 : 0 }
                case .labels(let l): return l.codes.map { UInt64(bitPattern: Int64($0)) }
                }
            }
        }
        func dictionaries(_ d: [String: ColumnData]) -> [String: [String]] {
            d.compactMapValues { if case .labels(let l) = $0 { return l.dictionary } else { return nil } }
        }
        #expect(bits(again) == bits(read) && dictionaries(again) == dictionaries(read))
        #expect(bits(rows) == bits(read) && dictionaries(rows) == dictionaries(read))
    }

    /// `hourCounts` counts in Swift over the rowid range; SQLite's own `GROUP BY substr(ts, 1,
    /// 13)` over the same rows is the reference: runs of one hour, alternating hours, nulls,
    /// empty and short values, multi-byte characters, invalid UTF-8 (stray continuation bytes,
    /// a truncated sequence) and a NUL, and a snapshot before and after the one counted.
    @Test func hourCountsEqualSQLiteGroupBy() throws {
        let dir = TemporaryDirectory()
        let w = try Warehouse(path: dir.path + "/h.sqlite")
        let values: [[UInt8]?] = [
            Array("2026-01-01T00:15:00Z".utf8), Array("2026-01-01T00:59:59.999Z".utf8), Array("2026-01-01T01:00:00Z".utf8),
            nil, Array("".utf8), Array("2026-01".utf8), Array("2026-01-01T0".utf8), Array("2026-01-01T02".utf8),
            Array("2026-01-01T02:00".utf8), Array("2026-01-01Tø3:00Z".utf8), Array("ååååååååååååååå".utf8),
            Array("2026-01-01T0😀:00".utf8), [0x32, 0x80, 0x80, 0x30, 0xBF, 0x31, 0x2D, 0x30, 0x31, 0x2D, 0x30, 0x31, 0x54, 0x30, 0x33],
            [0x32, 0x30, 0x32, 0x36, 0xE2, 0x82], [0x32, 0x30, 0x00, 0x36, 0x2D, 0x30, 0x31, 0x2D, 0x30, 0x31, 0x54, 0x30, 0x34, 0x3A],
        ]
        let (table, snapshots) = try w.write { store -> (RowTable, [Int64]) in
            let p = try store.ensurePipeline("p")
            let table = try store.rowTable(pipelineId: p, columns: [DeclaredColumn(name: "ts", type: .datetime, role: .timestamp)])
            var ids: [Int64] = []
            for s in 0..<3 {
                let (id, _) = try store.insertSnapshot(pipelineId: p, NewSnapshot(
                    kind: .daily, date: "2026-01-0\(s + 1)", sourcePath: "f", sha256: "\(s)", bytes: 0, header: ["ts"]))
                let highWater = try store.rowidHighWater(table)
                let ins = try store.rowInserter(table)
                for i in 0..<600 {
                    // Runs of 40 equal values, then every value in turn, then runs of 3.
                    let k = i < 200 ? (i / 40 + s) % values.count : i < 400 ? i % values.count : (i / 3) % values.count
                    if let v = values[k] {
                        v.withUnsafeBytes { ins.bind(0, text: $0) }
                    } else {
                        ins.bindNull(0)
                    }
                    try ins.insert(snapshotId: id, line: i + 2, extra: nil)
                }
                try store.recordRowRange(table, snapshotId: id, after: highWater, rows: 600)
                try store.finishSnapshot(id, read: 600, stored: 600, quarantined: 0)
                ids.append(id)
            }
            return (table, ids)
        }
        let sqlName = try #require(table.sqlName(of: "ts"))
        for id in snapshots {
            let (counted, grouped) = try w.read { store in
                (try store.hourCounts(table, snapshotId: id, column: "ts"), try store.hourCountsGrouped(table, snapshotId: id, sqlName: sqlName))
            }
            #expect(counted == grouped)
            #expect(counted.values.reduce(0, +) == 600)
            #expect(counted[""] != nil && counted["2026-01-01T00"] != nil && counted.count > 8)
        }
        #expect(try w.read { try $0.hourCounts(table, snapshotId: 999, column: "ts") }.isEmpty)
    }
}
