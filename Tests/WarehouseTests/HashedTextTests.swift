import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Warehouse

/// `readTextColumns` with `hashed`: a column read as one hash per value gives exactly the
/// distinct values, the repeated values with their counts and the lengths that its values with
/// their counts give, also when hashes are forced to collide (a narrow `hashMask`: every shared
/// hash is confirmed by reading the values again).
@Suite("Hashed text columns")
struct HashedTextTests {
    static let columns = [
        DeclaredColumn(name: "id", type: .text, role: .id),
        DeclaredColumn(name: "c", type: .categorical, role: .feature),
    ]

    /// The id of row i of snapshot s (nil: null): mostly distinct, some repeated two to five
    /// times, empty and non-ASCII values among them.
    static func id(_ s: Int, _ i: Int) -> String? {
        if i % 31 == 7 { return nil }
        if i % 97 == 3 { return "" }
        if i % 10 == 0 { return "rep-\(i % 170)" }
        if i % 45 == 1 { return "ü-\(s)-\(i % 90)-ø" }
        return "row-\(s)-\(i)"
    }

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
                    if let v = Self.id(s, i) { ins.bind(0, text: v) } else { ins.bindNull(0) }
                    ins.bind(1, text: ["a", "b", "c"][i % 3])
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

    @Test func hashedColumnsEqualTheirValuesCountedWithAndWithoutCollisions() throws {
        let dir = TemporaryDirectory()
        let rows = 3_000
        let (w, table, snapshot) = try fixture(dir, rows: rows)
        // The plain answer from the values themselves (snapshot 1 is the second).
        let values = (0..<rows).compactMap { Self.id(1, $0) }
        var counts: [String: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        let lengths = values.map { $0.unicodeScalars.count }
        let counted = try w.read {
            try $0.readTextColumns(table, snapshotId: snapshot, columns: ["id", "c"], codes: [], rowKeys: true)
        }
        #expect(counts.values.contains { $0 > 1 } && counts.count < values.count)
        for mask: UInt64 in [.max, 0xFFFF, 0xF, 0] {
            for parallelFrom in [100_000, 2] {
                let read = try w.write {
                    try $0.readTextColumns(
                        table, snapshotId: snapshot, columns: ["id", "c"], codes: [], rowKeys: true, hashed: ["id", "c"],
                        parallelFrom: parallelFrom, hashMask: mask)
                }
                let id = try #require(read.hashed["id"])
                #expect(read.summaries.isEmpty)
                #expect(id.rows == rows && id.nullCount == rows - values.count)
                #expect(id.distinct == Set(values).count, "mask \(mask)")
                #expect(Set(id.repeated) == Set(counts.filter { $0.value > 1 }.map { ValueCount(value: $0.key, count: $0.value) }))
                #expect(id.minLength == lengths.min() && id.maxLength == lengths.max() && id.totalLength == lengths.reduce(0, +))
                // The same facts, order of first appearance included, as from the counted values.
                #expect(id == HashedText(counted.summaries["id"]!))
                #expect(read.hashed["c"] == HashedText(counted.summaries["c"]!))
                // Row keys do not depend on how a column is read.
                #expect(read.rowKeys == counted.rowKeys)
            }
        }
    }

    /// The hand-off gives hashed columns to a read that asks for them hashed, not to one that
    /// asks for their values.
    @Test func handOffKeepsHashedColumnsApart() throws {
        let dir = TemporaryDirectory()
        let (w, table, snapshot) = try fixture(dir, rows: 500)
        let read = try w.read {
            try $0.readTextColumns(table, snapshotId: snapshot, columns: ["id", "c"], codes: [], rowKeys: false, hashed: ["id"])
        }
        let h = ColumnHandoff()
        let key = ColumnHandoff.key(path: "/w.sqlite", snapshotId: 2, bounds: (range: 5...6, count: 2))
        h.putText(key, read)
        #expect(h.takeText(key, ["id", "c"], codes: [], rowKeys: false) == nil, "asked for the id's values")
        h.putText(key, read)
        let taken = h.takeText(key, ["id", "c"], codes: [], rowKeys: false, hashed: ["id"])
        #expect(taken?.hashed["id"] == read.hashed["id"] && taken?.summaries["c"] == read.summaries["c"])
    }
}
