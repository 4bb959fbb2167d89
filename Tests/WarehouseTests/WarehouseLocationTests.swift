import AuditModel
import Foundation
import Testing
import TestSupport
@testable import Warehouse

/// Which backend a definition selects (`WarehouseLocation.of`), and what opening a URL whose
/// backend is not linked says.
@Suite("Warehouse location")
struct WarehouseLocationTests {
    @Test func aPathIsSQLiteAndAURLNamesItsScheme() throws {
        let dir = TemporaryDirectory()
        let sqlite = try TinyPipeline.load(dir)
        #expect(WarehouseLocation.of(sqlite, environment: [:]) == .sqlite(path: dir.path + "/tiny.sqlite"))
        let url = "postgres://audit@db.internal:5432/mlaudit?sslmode=require"
        let pg = try TinyPipeline.load(dir, replacing: ("warehouse: tiny.sqlite", "warehouse: \(url)"))
        #expect(WarehouseLocation.of(pg, environment: [:]) == .url(scheme: "postgres", url: url))
        let other = try TinyPipeline.load(dir, replacing: ("warehouse: tiny.sqlite", "warehouse: postgresql://a@h/d"))
        #expect(WarehouseLocation.of(other, environment: [:]) == .url(scheme: "postgres", url: "postgresql://a@h/d"),
                "libpq's other spelling is the same backend")
    }

    @Test func theEnvironmentVariableWinsOverTheDefinition() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        let env = ["MLAUDIT_WAREHOUSE_URL": "postgres://fleet@pg:5432/audit"]
        #expect(WarehouseLocation.of(loaded, environment: env) == .url(scheme: "postgres", url: "postgres://fleet@pg:5432/audit"))
        #expect(WarehouseLocation.of(loaded, environment: ["MLAUDIT_WAREHOUSE_URL": "  "]) == .sqlite(path: dir.path + "/tiny.sqlite"),
                "an empty variable is not set")
    }

    @Test func aPostgresURLWithoutTheBackendLinkedIsAClearErrorAndTouchesNothing() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir, replacing: ("warehouse: tiny.sqlite", "warehouse: postgres://audit@127.0.0.1:1/mlaudit"))
        #expect(!WarehouseBackends.isRegistered(scheme: "postgres"), "WarehouseTests does not link WarehousePostgres")
        let error = #expect(throws: MLAuditError.self) {
            try WarehouseBackends.open(WarehouseLocation.of(loaded, environment: [:]), options: .init(lockPipeline: "tiny"))
        }
        #expect(error?.code == .warehouse)
        #expect(error?.description == "postgres://audit@127.0.0.1:1/mlaudit: the warehouse is a PostgreSQL URL, but this build of mlaudit has no PostgreSQL backend linked in. Use a build that includes the PostgreSQL warehouse (target WarehousePostgres), or set 'warehouse:' to a SQLite file path (and unset MLAUDIT_WAREHOUSE_URL).")
        #expect(!dir.exists("tiny.sqlite") && !dir.exists("tiny.sqlite.lock") && !dir.exists("postgres:"))
        #expect(!FileManager.default.fileExists(atPath: "postgres:"), "the URL is not taken for a relative path")
    }

    @Test func anUnknownSchemeSaysWhatIsAccepted() throws {
        let error = #expect(throws: MLAuditError.self) {
            try WarehouseBackends.open(.url(scheme: "mysql", url: "mysql://a@h/d"))
        }
        #expect(error?.message == "the warehouse URL scheme 'mysql://' is not one MLAudit knows")
        #expect(error?.hint == "Set 'warehouse:' (or MLAUDIT_WAREHOUSE_URL) to a SQLite file path or a postgres://USER@HOST:PORT/DB URL.")
    }
}
