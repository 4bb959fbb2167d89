import AuditModel
import Foundation
import TestSupport
import Testing
import Warehouse
@testable import WarehousePostgres

extension TestBackend {
    /// A place for a warehouse: a SQLite file in a fresh folder, or a schema of its own on the
    /// test server. `open(place)` may be called again to reopen the same warehouse.
    func place() throws -> String {
        switch self {
        case .sqlite: return TemporaryDirectory().path + "/w.sqlite"
        case .postgres: return try TestServer.location().url
        }
    }

    func open(_ place: String) throws -> any WarehouseBackend {
        switch self {
        case .sqlite: return try Warehouse(path: place)
        case .postgres: return try PostgresBackend(location: try PostgresLocation(url: place))
        }
    }
}

/// WarehouseTests' behaviour through the seam (`WarehouseBackend`, `WarehouseTransaction`),
/// on both backends: what a stage relies on, not how SQLite stores it (the SQLite-only tests
/// — WAL and foreign keys, a retyped column's SQL column, a file that is not a database —
/// stay in WarehouseTests).
@Suite("Warehouse on both backends")
struct BothBackendsWarehouseTests {
    @Test(arguments: TestBackend.allCases)
    func reopeningKeepsData(_ backend: TestBackend) throws {
        let place = try backend.place()
        let id = try backend.open(place).write { try $0.ensurePipeline("p") }
        let again = try backend.open(place).read { try $0.ensurePipelineIfExists("p") }
        #expect(again == id)
    }

    @Test(arguments: TestBackend.allCases)
    func rowCountsMustAddUpAndAFailedWriteLeavesNothing(_ backend: TestBackend) throws {
        let w = try backend.open(try backend.place())
        #expect(throws: MLAuditError.self) {
            try w.write { store in
                let p = try store.ensurePipeline("p")
                let (id, _) = try store.insertSnapshot(
                    pipelineId: p, NewSnapshot(kind: .daily, date: "2026-01-01", sourcePath: "a", sha256: "x", bytes: 1, header: []))
                try store.finishSnapshot(id, read: 10, stored: 8, quarantined: 1)
            }
        }
        #expect(try w.read { try $0.ensurePipelineIfExists("p") } == nil)
    }

    @Test(arguments: TestBackend.allCases)
    func newVersionSupersedesTheCurrentOne(_ backend: TestBackend) throws {
        let w = try backend.open(try backend.place())
        let versions = try w.write { store -> [SnapshotRecord] in
            let p = try store.ensurePipeline("p")
            for sha in ["a", "b", "c"] {
                _ = try store.insertSnapshot(
                    pipelineId: p, NewSnapshot(kind: .daily, date: "2026-01-01", sourcePath: "f", sha256: sha, bytes: 1, header: ["x"]))
            }
            return try store.snapshotVersions(pipelineId: p, kind: .daily, date: "2026-01-01")
        }
        #expect(versions.map(\.version) == [1, 2, 3])
        #expect(versions.map(\.status) == ["superseded", "superseded", "current"])
        #expect(versions.last?.header == ["x"])
    }

    @Test(arguments: TestBackend.allCases)
    func metricsAreReplacedPerStage(_ backend: TestBackend) throws {
        let w = try backend.open(try backend.place())
        let metrics = try w.write { store -> [Metric] in
            let p = try store.ensurePipeline("p")
            let (id, _) = try store.insertSnapshot(
                pipelineId: p, NewSnapshot(kind: .daily, date: "2026-01-01", sourcePath: "f", sha256: "a", bytes: 1, header: []))
            try store.replaceMetrics(snapshotId: id, stage: .validate, [Metric(.nullRate, column: "x", 0.5)])
            try store.replaceMetrics(snapshotId: id, stage: .profile, [Metric(.mean, column: "x", 2), Metric(.std, column: "x", .nan)])
            try store.replaceMetrics(snapshotId: id, stage: .validate, [Metric(.nullRate, column: "x", 0.25)])
            return try store.metrics(snapshotId: id)
        }
        #expect(metrics == [Metric(.mean, column: "x", 2), Metric(.nullRate, column: "x", 0.25), Metric(.std, column: "x", nil)])
    }
}
