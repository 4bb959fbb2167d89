import AuditModel
import Foundation
import GRDB
import Testing
import TestSupport

@testable import Warehouse

@Suite("Warehouse")
struct WarehouseTests {
    func open(_ dir: TemporaryDirectory) throws -> Warehouse { try Warehouse(path: dir.path + "/sub/w.sqlite") }

    @Test func createsFolderAndTablesWithWALAndForeignKeys() throws {
        let dir = TemporaryDirectory()
        let w = try open(dir)
        #expect(dir.exists("sub/w.sqlite"))
        let (mode, fk, tables) = try w.read { store in
            (try String.fetchOne(store.db, sql: "PRAGMA journal_mode"), try Int.fetchOne(store.db, sql: "PRAGMA foreign_keys"),
             try String.fetchAll(store.db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb_%' ORDER BY name"))
        }
        #expect(mode == "wal")
        #expect(fk == 1)
        #expect(tables == ["columnProfile", "correlation", "definition", "drift", "fairnessGroup", "finding", "label", "metric", "modelConfig", "numericColumn", "numericColumnPacked", "pipeline", "quarantinedRow",
                           "report", "reportFile", "resourceFile", "resourceQuarantine", "resourceSample", "rowColumn", "run", "segmentResult", "snapshot", "snapshotPart", "sortedColumn", "sortedColumnPacked", "stageResult", "stageRun"])
        #expect(try w.integrityCheck() == ["ok"])
    }

    /// A commit that leaves 1 000 pages or more in the write-ahead log returns without copying
    /// them: the background checkpoint copies them into the file on its own connection, and
    /// the close copies the rest and deletes the log; nothing is lost either way.
    @Test func aLargeCommitIsCheckpointedInTheBackgroundAndKeptWhole() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/sub/w.sqlite"
        func size(_ p: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0 }
        let blob = [UInt8](repeating: 7, count: 4_000)
        do {
            let w = try open(dir)
            let fileBefore = size(path)
            try w.write { (store: Store) in
                try store.db.execute(sql: "CREATE TABLE big (b BLOB)")
                for _ in 0..<2_000 { try store.db.execute(sql: "INSERT INTO big VALUES (?)", arguments: [Data(blob)]) }
            }
            #expect(size(path + "-wal") > 8_000_000)
            // Copied by the other connection: the file grows without another write here.
            var waited = 0
            while (w.checkpoint?.completed ?? 0) < 1 && waited < 600 { usleep(50_000); waited += 1 }
            #expect(w.checkpoint?.completed == 1)
            #expect(size(path) >= fileBefore + 8_000_000)
            #expect(try w.read { (store: Store) in try Int.fetchOne(store.db, sql: "SELECT count(*) FROM big") } == 2_000)
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let again = try open(dir)
        #expect(try again.read { (store: Store) in try Int.fetchOne(store.db, sql: "SELECT sum(length(b)) FROM big") } == 8_000_000)
        #expect(try again.integrityCheck() == ["ok"])
        #expect(try again.vacuum().after > 8_000_000)
    }

    // Reopening, row counts that must add up, versions superseding and metrics replaced per
    // stage run on both backends: Tests/WarehousePostgresTests/BothBackendsWarehouseTests.swift.

    @Test func retypedColumnGetsItsOwnSQLColumn() throws {
        let dir = TemporaryDirectory()
        let w = try open(dir)
        let (a, b) = try w.write { store -> (RowTable, RowTable) in
            let p = try store.ensurePipeline("p")
            let t1 = try store.rowTable(pipelineId: p, columns: [DeclaredColumn(name: "x", type: .numeric, role: .feature)])
            let t2 = try store.rowTable(pipelineId: p, columns: [DeclaredColumn(name: "x", type: .categorical, role: .feature)])
            return (t1, t2)
        }
        #expect(a.sqlNames == ["x"])
        #expect(b.sqlNames == ["x__categorical"])
        #expect(a.name == "row_p")
    }

    @Test func notADatabaseIsAClearError() throws {
        let dir = TemporaryDirectory()
        dir.write("junk.sqlite", String(repeating: "not sqlite ", count: 100))
        do {
            _ = try Warehouse(path: dir.path + "/junk.sqlite")
            Issue.record("expected an error")
        } catch let e as MLAuditError {
            #expect(e.code == .warehouse)
            #expect(e.message == "cannot open the warehouse")
        }
    }
}
