import AuditModel
import Foundation
import PostgresNIO
import Testing
@testable import WarehousePostgres

@Suite("PostgreSQL migrations")
struct PostgresMigrationTests {
    /// Every table of docs/warehouse.md (row_NAME aside: one per pipeline, made at ingest).
    static let tables: Set<String> = [
        "pipeline", "definition", "run", "modelconfig", "snapshot", "snapshotpart", "rowcolumn", "quarantinedrow",
        "label", "stagerun", "finding", "columnprofile", "metric", "drift", "stageresult", "report", "reportfile",
        "sortedcolumn", "correlation", "numericcolumn", "fairnessgroup", "segmentresult", "mlaudit_migration",
        "numericcolumnpacked", "sortedcolumnpacked",
        "resourcefile", "resourcesample", "resourcequarantine",
    ]

    @Test func createsEveryTableOnceAndRecordsTheLedger() throws {
        let location = try TestServer.location()
        let s = try PostgresSession(location)
        defer { s.close() }
        #expect(try PostgresMigrations.migrate(s) == PostgresMigrations.all.map(\.id))
        let names = try s.query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = \(location.schema!)")
            .map { try $0.decode(String.self) }
        #expect(Set(names) == Self.tables)
        let ledger = try s.query("SELECT id, toolVersion FROM mlaudit_migration ORDER BY id").map { try $0.decode((String, String).self) }
        #expect(ledger.map(\.0) == PostgresMigrations.all.map(\.id).sorted())
        #expect(ledger.allSatisfy { $0.1 == MLAuditVersion.current })
        // A second open applies nothing.
        #expect(try PostgresMigrations.migrate(s) == [])
        // The docs' auditor queries run unchanged (unquoted names fold to lower case).
        _ = try s.simple("""
            SELECT s.date, f.checkId, f."column", f.message FROM finding f JOIN snapshot s ON s.id = f.snapshotId
            WHERE f.severity = 'critical' AND s.status = 'current' ORDER BY s.date
            """)
    }

    @Test func refusesAWarehouseWrittenByANewerVersion() throws {
        let s = try PostgresSession(try TestServer.location())
        defer { s.close() }
        try PostgresMigrations.migrate(s)
        try s.query("INSERT INTO mlaudit_migration (id, appliedAt, toolVersion) VALUES (\("v9-from-the-future"), \("t"), \("99.0"))")
        let error = try #require(throws: MLAuditError.self) { try PostgresMigrations.migrate(s) }
        #expect(error.code == .warehouse)
        #expect(error.message.contains("written by a newer version of MLAudit"))
        #expect(error.message.contains("v9-from-the-future"))
        #expect(error.hint?.contains("never downgrade") == true)
        // An older build (knowing none of the migrations) refuses the current schema the same way.
        try s.query("DELETE FROM mlaudit_migration WHERE id = \("v9-from-the-future")")
        #expect(throws: MLAuditError.self) { try PostgresMigrations.migrate(s, known: []) }
    }

    @Test func aFailingMigrationLeavesNothing() throws {
        let s = try PostgresSession(try TestServer.location())
        defer { s.close() }
        let broken = PostgresMigrations.all + [.init(id: "v9-test-broken", sql: "CREATE TABLE extra (x INT); SELECT no_such_function()")]
        #expect(throws: MLAuditError.self) { try PostgresMigrations.migrate(s, known: broken) }
        #expect(try PostgresMigrations.appliedIDs(s).isEmpty)
        #expect(try s.query("SELECT to_regclass('pipeline') IS NULL").first?.decode(Bool.self) == true)
    }

    @Test func concurrentFirstOpensOfOneWarehouseWaitForEachOther() throws {
        let location = try TestServer.location()
        let results = NIOLockedBox()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let s = try PostgresSession(location)
                defer { s.close() }
                try PostgresMigrations.migrate(s)
                results.append(nil)
            } catch {
                results.append("\(error)")
            }
        }
        let outcomes = results.values
        #expect(outcomes.count == 4)
        #expect(outcomes.allSatisfy { $0 == nil }, "\(outcomes)")
        let s = try PostgresSession(location)
        defer { s.close() }
        #expect(try PostgresMigrations.appliedIDs(s) == Set(PostgresMigrations.all.map(\.id)))
    }
}

/// Errors collected from threads.
final class NIOLockedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String?] = []
    func append(_ s: String?) { lock.lock(); items.append(s); lock.unlock() }
    var values: [String?] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite("PostgreSQL pipeline lock")
struct PostgresPipelineLockTests {
    @Test func aSecondRunOfThePipelineIsRefusedNamingTheHolder() throws {
        let location = try TestServer.location()
        let first = try PostgresPipelineLock(location: location, pipeline: "credit")
        let error = try #require(throws: MLAuditError.self) { try PostgresPipelineLock(location: location, pipeline: "credit") }
        #expect(error.code == .locked)
        #expect(error.message.hasPrefix("another mlaudit run is working on pipeline 'credit' (mlaudit pid \(getpid()) on "), "\(error.message)")
        #expect(error.message.contains(", server process "))
        #expect(error.message.contains(", connected since 20"))
        #expect(error.file == location.url)
        #expect(error.hint?.hasPrefix("Wait for it to finish; a run that was killed releases the lock by itself") == true)
        // Another pipeline of the same warehouse runs at once.
        let other = try PostgresPipelineLock(location: location, pipeline: "fraud")
        other.release()
        // Released: the next run takes it.
        first.release()
        let again = try PostgresPipelineLock(location: location, pipeline: "credit")
        again.release()
    }

    @Test func keysAreStableAndSeparatePipelinesAndSchemas() {
        #expect(PostgresPipelineLock.key(schema: nil, pipeline: "credit") == PostgresPipelineLock.key(schema: nil, pipeline: "credit"))
        #expect(PostgresPipelineLock.key(schema: nil, pipeline: "credit") != PostgresPipelineLock.key(schema: nil, pipeline: "fraud"))
        #expect(PostgresPipelineLock.key(schema: "a", pipeline: "credit") != PostgresPipelineLock.key(schema: "b", pipeline: "credit"))
        // FNV-1a 64 of "mlaudit pipeline\0\0credit", computed independently (Python):
        // h=0xcbf29ce484222325; for b in b"mlaudit pipeline\x00\x00credit": h=((h^b)*0x100000001b3)%2**64
        #expect(UInt64(bitPattern: PostgresPipelineLock.key(schema: nil, pipeline: "credit")) == Self.fnvCredit)
    }

    static let fnvCredit: UInt64 = 0x4612_b8fc_25cb_3356

    @Test func aKilledHolderReleasesTheLock() throws {
        let location = try TestServer.location()
        let key = PostgresPipelineLock.key(schema: location.schema, pipeline: "killed")
        // The holder: another process (psql) that takes the same advisory lock and sleeps.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: TestServer.binary("psql"))
        child.arguments = [
            "-X", "-q", "-h", location.host, "-p", String(location.port), "-U", location.user, "-d", location.database,
        ]
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = try TestServer.password()
        env["PGAPPNAME"] = "test holder"
        child.environment = env
        child.standardOutput = FileHandle.nullDevice
        // psql reads its commands from a pipe kept open: it takes the lock, then waits for more
        // input with its session idle, as a run's lock session is.
        let input = Pipe()
        child.standardInput = input
        try child.run()
        input.fileHandleForWriting.write(Data("SELECT pg_advisory_lock(\(key));\n".utf8))
        defer { try? input.fileHandleForWriting.close() }
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() } }
        let watcher = try PostgresSession(location)
        defer { watcher.close() }
        let held = try poll(seconds: 15) {
            try watcher.query("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'test holder'")
                .first?.decode(Int.self) == 1
        }
        #expect(held, "the psql child never took the lock")
        let refused = try #require(throws: MLAuditError.self) { try PostgresPipelineLock(location: location, pipeline: "killed") }
        #expect(refused.code == .locked)
        #expect(refused.message.contains("(test holder, server process "), "\(refused.message)")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        // The server ends the killed client's session, and with it the lock.
        var lock: PostgresPipelineLock?
        let taken = try poll(seconds: 15) {
            do {
                lock = try PostgresPipelineLock(location: location, pipeline: "killed")
                return true
            } catch let e as MLAuditError where e.code == .locked {
                return false
            }
        }
        #expect(taken, "the lock was still held after its holder was killed")
        lock?.release()
    }

    func poll(seconds: Double, _ body: () throws -> Bool) throws -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try body() { return true }
            usleep(50_000)
        }
        return false
    }
}
