import AuditModel
import Foundation
import GRDB
import Testing
import TestSupport

@testable import Ingest
@testable import Warehouse

/// Issue 13: a row table has no index on `mlaudit_snapshot` and no foreign key; each snapshot's
/// rows are found by the rowid range its catalog record keeps (`snapshot.firstRowid`,
/// `lastRowid`). The ranges are compared with what SQLite itself finds scanning the table
/// (`MIN`/`MAX(rowid)` grouped by `mlaudit_snapshot`), and deletes with the rows left.
@Suite("Snapshot rowid ranges")
struct RowRangeTests {
    static let days = ["2026-02-01", "2026-02-02", "2026-02-03"]

    static func prepare() throws -> (TemporaryDirectory, LoadedDefinition) {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(120, day: "2026-01-01"))
        for (k, d) in days.enumerated() { dir.write("days/\(d).csv", TinyPipeline.csv(150 + 10 * k, day: d)) }
        return (dir, loaded)
    }

    /// Per snapshot id: the catalog's range, and SQLite's MIN(rowid), MAX(rowid), COUNT(*) over
    /// the rows carrying that id (a full scan of the table), as text.
    static func ranges(_ store: Store) throws -> (catalog: [String], scanned: [String]) {
        let catalog = try String.fetchAll(
            store.db,
            sql: """
                SELECT id || ':' || IFNULL(firstRowid, '-') || '..' || IFNULL(lastRowid, '-') || ' ' || rowsStored
                FROM snapshot WHERE kind IN ('baseline', 'daily') AND rowsPurgedAt IS NULL ORDER BY id
                """)
        let scanned = try String.fetchAll(
            store.db,
            sql: """
                SELECT s.id || ':' || IFNULL(MIN(r.rowid), '-') || '..' || IFNULL(MAX(r.rowid), '-') || ' ' || COUNT(r.rowid)
                FROM snapshot s LEFT JOIN row_tiny r ON r.mlaudit_snapshot = s.id
                WHERE s.kind IN ('baseline', 'daily') AND s.rowsPurgedAt IS NULL GROUP BY s.id ORDER BY s.id
                """)
        return (catalog, scanned)
    }

    /// Each snapshot's rows as one text (line, id value, extra), for "left intact" comparisons.
    static func contents(_ store: Store) throws -> [Int64: String] {
        var out: [Int64: String] = [:]
        for row in try Row.fetchAll(
            store.db,
            sql: """
                SELECT mlaudit_snapshot AS s, group_concat(rowid || '/' || mlaudit_line || '/' || id || '/' || IFNULL(x, ''), ';') AS t
                FROM (SELECT rowid, * FROM row_tiny ORDER BY rowid) GROUP BY 1
                """)
        {
            out[row["s"]] = row["t"]
        }
        return out
    }

    static func snapshotId(_ store: Store, date: String) throws -> Int64 {
        try #require(try Int64.fetchOne(store.db, sql: "SELECT id FROM snapshot WHERE date = ? AND status = 'current'", arguments: [date]))
    }

    @Test func newRowTableHasNoIndexNoForeignKeyAndRangesMatchTheRows() throws {
        let (dir, loaded) = try Self.prepare()
        _ = dir
        let w = try Warehouse(path: loaded.warehousePath)
        let stage = IngestStage(loaded: loaded, warehouse: w, logger: testLogger)
        _ = try stage.run(.baseline, runId: nil, stageRunId: nil)
        for d in Self.days { _ = try stage.run(.day(Day(d)!), runId: nil, stageRunId: nil) }
        try w.read { (store: Store) throws -> Void in
            #expect(try Row.fetchAll(store.db, sql: "PRAGMA index_list(row_tiny)").isEmpty)
            #expect(try Row.fetchAll(store.db, sql: "PRAGMA foreign_key_list(row_tiny)").isEmpty)
            let (catalog, scanned) = try Self.ranges(store)
            #expect(catalog.count == 4)
            #expect(catalog == scanned)
            let table = try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns)
            for id in try Int64.fetchAll(store.db, sql: "SELECT id FROM snapshot ORDER BY id") {
                let range = try #require(try store.rowidRange(table, snapshotId: id))
                let lines = try Int.fetchAll(
                    store.db, sql: "SELECT mlaudit_line FROM row_tiny WHERE mlaudit_snapshot = ? ORDER BY rowid", arguments: [id])
                #expect(try store.storedLines(table, snapshotId: id) == lines)
                #expect(try store.storedRowCount(table, snapshotId: id) == lines.count && range.count == lines.count)
            }
        }
        // The same in the sqlite3 shell's terms: the documented query selects exactly the rows
        // `WHERE mlaudit_snapshot = ?` selects (docs/warehouse.md).
        try w.read { (store: Store) throws -> Void in
            for id in try Int64.fetchAll(store.db, sql: "SELECT id FROM snapshot ORDER BY id") {
                let viaRange = try Int64.fetchAll(
                    store.db,
                    sql: """
                        SELECT r.rowid FROM snapshot s CROSS JOIN row_tiny r ON r.rowid BETWEEN s.firstRowid AND s.lastRowid
                        WHERE s.id = ? ORDER BY s.id, r.rowid
                        """, arguments: [id])
                let viaColumn = try Int64.fetchAll(
                    store.db, sql: "SELECT rowid FROM row_tiny WHERE mlaudit_snapshot = ? ORDER BY rowid", arguments: [id])
                #expect(viaRange == viaColumn && !viaColumn.isEmpty)
            }
        }
    }

    /// A snapshot with no stored rows (a header-only day) after others that have rows: no range.
    @Test func aSnapshotWithoutRowsHasNoRange() throws {
        let (dir, loaded) = try Self.prepare()
        dir.write("days/\(Self.days[0]).csv", TinyPipeline.header + "\n")
        let w = try Warehouse(path: loaded.warehousePath)
        let stage = IngestStage(loaded: loaded, warehouse: w, logger: testLogger)
        _ = try stage.run(.baseline, runId: nil, stageRunId: nil)
        let empty = try stage.run(.day(Day(Self.days[0])!), runId: nil, stageRunId: nil)
        #expect(empty.rowsStored == 0)
        _ = try stage.run(.day(Day(Self.days[1])!), runId: nil, stageRunId: nil)
        try w.read { (store: Store) throws -> Void in
            let bounds = try Row.fetchOne(store.db, sql: "SELECT firstRowid, lastRowid FROM snapshot WHERE id = ?", arguments: [empty.snapshotId])
            #expect(bounds?["firstRowid"] as Int64? == nil && bounds?["lastRowid"] as Int64? == nil)
            let (catalog, scanned) = try Self.ranges(store)
            #expect(catalog == scanned && catalog.count == 3)
        }
    }

    /// Retention's purge deletes exactly the purged snapshot's rows and clears its range; the
    /// same bytes ingested again reload them under a new range; a changed file makes a new
    /// version with its own range, the old version's rows untouched. Every other snapshot's rows
    /// stay as they were, and every range stays what SQLite finds.
    @Test func purgeReloadAndNewVersionTouchOnlyTheirSnapshot() throws {
        let (dir, loaded) = try Self.prepare()
        let w = try Warehouse(path: loaded.warehousePath)
        try Self.exercisePurgeAndReload(dir, loaded, w)
    }

    static func exercisePurgeAndReload(_ dir: TemporaryDirectory, _ loaded: LoadedDefinition, _ w: Warehouse) throws {
        let stage = IngestStage(loaded: loaded, warehouse: w, logger: testLogger)
        _ = try stage.run(.baseline, runId: nil, stageRunId: nil)
        for d in days { _ = try stage.run(.day(Day(d)!), runId: nil, stageRunId: nil) }
        let before = try w.read { try contents($0) }
        let first = try w.read { try snapshotId($0, date: days[0]) }

        let purged = try w.write { try $0.purgeRows(pipelineId: 1, before: days[1]) }
        #expect(purged.map(\.date) == [days[0]] && purged.map(\.rows) == [150])
        try w.read { (store: Store) throws -> Void in
            let after = try contents(store)
            #expect(after[first] == nil)
            var expected = before
            expected[first] = nil
            #expect(after == expected)
            #expect(try store.rowidRange(store.rowTable(pipelineId: 1, columns: []), snapshotId: first) == nil)
            let (catalog, scanned) = try ranges(store)
            #expect(catalog == scanned && catalog.count == 3)
        }

        // The same bytes again (what `mlaudit run --date … --force` does for a purged day): reloaded.
        let again = try stage.run(.day(Day(days[0])!), runId: nil, stageRunId: nil)
        #expect(again.snapshotId == first && !again.unchanged && again.rowsStored == 150)
        try w.read { (store: Store) throws -> Void in
            let after = try contents(store)
            for (id, text) in before where id != first { #expect(after[id] == text) }
            let reloaded = try #require(after[first])
            #expect(reloaded.split(separator: ";").count == 150)
            let (catalog, scanned) = try ranges(store)
            #expect(catalog == scanned && catalog.count == 4)
        }

        // Different bytes for the last day: a new version beside the old one.
        let last = try w.read { try snapshotId($0, date: days[2]) }
        dir.write("days/\(days[2]).csv", TinyPipeline.csv(90, day: days[2]))
        let replaced = try stage.run(.day(Day(days[2])!), runId: nil, stageRunId: nil)
        #expect(replaced.snapshotId != last && replaced.version == 2 && replaced.rowsStored == 90)
        try w.read { (store: Store) throws -> Void in
            let after = try contents(store)
            #expect(after[last] == before[last])
            #expect(after[replaced.snapshotId]?.split(separator: ";").count == 90)
            let (catalog, scanned) = try ranges(store)
            #expect(catalog == scanned && catalog.count == 5)
            #expect(try String.fetchAll(store.db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
    }

    /// A warehouse whose row table was made before issue 13 (index on `mlaudit_snapshot`, foreign
    /// key with ON DELETE CASCADE, no ranges in the catalog; built here by SQL from a current
    /// one): opening it runs v6-issue13-row-ranges, which fills each snapshot's range from its
    /// rows; the table keeps its index and foreign key; purge, reload and a new version work.
    @Test func anOldShapeWarehouseIsMigratedAndKeepsWorking() throws {
        let (dir, loaded) = try Self.prepare()
        do {
            let w = try Warehouse(path: loaded.warehousePath)
            let stage = IngestStage(loaded: loaded, warehouse: w, logger: testLogger)
            _ = try stage.run(.baseline, runId: nil, stageRunId: nil)
            _ = try stage.run(.day(Day(Self.days[0])!), runId: nil, stageRunId: nil)
            try w.write { store in
                let create = try #require(
                    try String.fetchOne(store.db, sql: "SELECT sql FROM sqlite_master WHERE name = 'row_tiny'"))
                #expect(create.contains("mlaudit_snapshot INTEGER NOT NULL,"))
                let old = create
                    .replacingOccurrences(of: "CREATE TABLE \"row_tiny\"", with: "CREATE TABLE \"row_tiny_old\"")
                    .replacingOccurrences(
                        of: "mlaudit_snapshot INTEGER NOT NULL,",
                        with: "mlaudit_snapshot INTEGER NOT NULL REFERENCES snapshot(id) ON DELETE CASCADE,")
                #expect(old != create && old.contains("row_tiny_old"))
                try store.db.execute(sql: old)
                try store.db.execute(sql: """
                    INSERT INTO row_tiny_old (rowid, mlaudit_snapshot, mlaudit_line, mlaudit_extra, id, ts, x, n, color, flag, score, pred, y, latency_ms)
                      SELECT rowid, mlaudit_snapshot, mlaudit_line, mlaudit_extra, id, ts, x, n, color, flag, score, pred, y, latency_ms FROM row_tiny;
                    DROP TABLE row_tiny;
                    ALTER TABLE row_tiny_old RENAME TO row_tiny;
                    CREATE INDEX "row_tiny_snapshot" ON "row_tiny"(mlaudit_snapshot);
                    ALTER TABLE snapshot DROP COLUMN lastRowid;
                    ALTER TABLE snapshot DROP COLUMN firstRowid;
                    DELETE FROM grdb_migrations WHERE identifier = 'v6-issue13-row-ranges';
                    """)
            }
        }
        let w = try Warehouse(path: loaded.warehousePath)
        try w.read { (store: Store) throws -> Void in
            #expect(try Row.fetchAll(store.db, sql: "PRAGMA index_list(row_tiny)").map { $0["name"] as String } == ["row_tiny_snapshot"])
            #expect(try Row.fetchAll(store.db, sql: "PRAGMA foreign_key_list(row_tiny)").map { $0["table"] as String } == ["snapshot"])
            let (catalog, scanned) = try Self.ranges(store)
            #expect(catalog.count == 2 && !catalog.contains { $0.contains("-") })
            #expect(catalog == scanned)
        }
        // The rest of the days on the old table, then the same purge, reload and new version.
        let stage = IngestStage(loaded: loaded, warehouse: w, logger: testLogger)
        for d in Self.days.dropFirst() { _ = try stage.run(.day(Day(d)!), runId: nil, stageRunId: nil) }
        try Self.exercisePurgeAndReload(dir, loaded, w)
        try w.read { (store: Store) throws -> Void in
            #expect(try Row.fetchAll(store.db, sql: "PRAGMA index_list(row_tiny)").count == 1)
        }
    }
}
