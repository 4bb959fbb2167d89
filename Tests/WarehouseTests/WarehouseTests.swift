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

    @Test func reopeningKeepsData() throws {
        let dir = TemporaryDirectory()
        let id = try open(dir).write { try $0.ensurePipeline("p") }
        let again = try open(dir).read { try $0.ensurePipelineIfExists("p") }
        #expect(again == id)
    }

    @Test func rowCountsMustAddUp() throws {
        let dir = TemporaryDirectory()
        let w = try open(dir)
        #expect(throws: MLAuditError.self) {
            try w.write { store in
                let p = try store.ensurePipeline("p")
                let (id, _) = try store.insertSnapshot(pipelineId: p, NewSnapshot(kind: .daily, date: "2026-01-01", sourcePath: "a", sha256: "x", bytes: 1, header: []))
                try store.finishSnapshot(id, read: 10, stored: 8, quarantined: 1)
            }
        }
        // The failed transaction left nothing behind.
        #expect(try w.read { try $0.ensurePipelineIfExists("p") } == nil)
    }

    @Test func newVersionSupersedesTheCurrentOne() throws {
        let dir = TemporaryDirectory()
        let w = try open(dir)
        let versions = try w.write { store -> [SnapshotRecord] in
            let p = try store.ensurePipeline("p")
            for sha in ["a", "b", "c"] {
                _ = try store.insertSnapshot(pipelineId: p, NewSnapshot(kind: .daily, date: "2026-01-01", sourcePath: "f", sha256: sha, bytes: 1, header: ["x"]))
            }
            return try store.snapshotVersions(pipelineId: p, kind: .daily, date: "2026-01-01")
        }
        #expect(versions.map(\.version) == [1, 2, 3])
        #expect(versions.map(\.status) == ["superseded", "superseded", "current"])
        #expect(versions.last?.header == ["x"])
    }

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

    @Test func metricsAreReplacedPerStage() throws {
        let dir = TemporaryDirectory()
        let w = try open(dir)
        let metrics = try w.write { store -> [Metric] in
            let p = try store.ensurePipeline("p")
            let (id, _) = try store.insertSnapshot(pipelineId: p, NewSnapshot(kind: .daily, date: "2026-01-01", sourcePath: "f", sha256: "a", bytes: 1, header: []))
            try store.replaceMetrics(snapshotId: id, stage: .validate, [Metric(.nullRate, column: "x", 0.5)])
            try store.replaceMetrics(snapshotId: id, stage: .profile, [Metric(.mean, column: "x", 2), Metric(.std, column: "x", .nan)])
            try store.replaceMetrics(snapshotId: id, stage: .validate, [Metric(.nullRate, column: "x", 0.25)])
            return try store.metrics(snapshotId: id)
        }
        #expect(metrics == [Metric(.mean, column: "x", 2), Metric(.nullRate, column: "x", 0.25), Metric(.std, column: "x", nil)])
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
