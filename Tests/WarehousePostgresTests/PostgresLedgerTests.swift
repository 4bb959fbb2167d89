import AuditModel
import Foundation
import PostgresNIO
import Testing
import Warehouse
@testable import WarehousePostgres

@Suite("PostgreSQL run ledger and crash safety")
struct PostgresLedgerTests {
    @Test func theLedgerRecordsRunsAndStagesAsSQLiteDoes() throws {
        let w = try PostgresWarehouse(location: try TestServer.location())
        defer { w.close() }
        let (pipelineId, runId) = try w.write { s throws in
            let tx = PostgresTransaction(session: s)
            #expect(try tx.ensurePipelineIfExists("credit") == nil)
            let p = try tx.ensurePipeline("credit")
            #expect(try tx.ensurePipeline("credit") == p)
            #expect(try tx.ensurePipelineIfExists("credit") == p)
            return (p, try tx.startRun(pipelineId: p, definitionId: nil, command: "mlaudit run x.yaml"))
        }
        try w.write { s throws in
            let tx = PostgresTransaction(session: s)
            let ingest = try tx.startStage(runId: runId, pipelineId: pipelineId, date: "2026-11-05", stage: .ingest)
            try tx.completeStage(ingest, snapshotId: nil)
            let validate = try tx.startStage(runId: runId, pipelineId: pipelineId, date: "2026-11-05", stage: .validate)
            try tx.failStage(validate, error: "boom")
        }
        try w.read { s throws in
            let tx = PostgresTransaction(session: s)
            let runs = try tx.stageRuns(runId: runId)
            #expect(runs.map(\.stage) == [.ingest, .validate])
            #expect(runs.map(\.status) == [.ok, .failed])
            #expect(runs[1].error == "boom")
            #expect(try tx.lastStageRun(pipelineId: pipelineId, date: "2026-11-05", stage: .validate)?.status == .failed)
            #expect(try tx.completedStages(pipelineId: pipelineId, date: "2026-11-05").map(\.stage) == [.ingest])
            #expect(try tx.run(id: runId)?.status == "running")
        }
        // A run left `running` by a killed process is marked failed by the next run.
        let next = try w.write { s throws in
            let tx = PostgresTransaction(session: s)
            let next = try tx.startRun(pipelineId: pipelineId, definitionId: nil, command: "mlaudit run x.yaml")
            #expect(try tx.markInterrupted(pipelineId: pipelineId, exceptRun: next) == 1)
            return next
        }
        try w.write { s throws in
            let tx = PostgresTransaction(session: s)
            #expect(try tx.run(id: runId)?.status == "failed")
            try tx.finishRun(next, ok: true, exitStatus: 0, error: nil)
            let r = try #require(try tx.run(id: next))
            #expect(r.status == "ok")
            #expect(r.toolVersion == MLAuditVersion.current)
            #expect(r.finishedAt != nil)
        }
    }

    /// A stage writes its results and marks its ledger entry `ok` in one transaction: a
    /// failure mid-stage leaves neither (docs/warehouse.md, crash safety).
    @Test func aFailureMidStageLeavesNeitherResultsNorLedgerEntry() throws {
        let w = try PostgresWarehouse(location: try TestServer.location())
        defer { w.close() }
        let (snapshotId, stageRunId) = try w.write { s throws in
            let tx = PostgresTransaction(session: s)
            let p = try tx.ensurePipeline("credit")
            let run = try tx.startRun(pipelineId: p, definitionId: nil, command: "test")
            let snap = try s.query("""
                INSERT INTO snapshot (pipelineId, kind, date, version, sourcePath, sha256, bytes, rowsRead, rowsStored,
                  rowsQuarantined, status, header, ingestedAt)
                VALUES (\(p), 'daily', '2026-11-05', 1, 'x.csv', 'h', 0, 0, 0, 0, 'current', '[]', 't') RETURNING id
                """).first!.decode(Int64.self)
            return (snap, try tx.startStage(runId: run, pipelineId: p, date: "2026-11-05", stage: .profile))
        }
        struct Crash: Error {}
        #expect(throws: Crash.self) {
            try w.write { s throws in
                let tx = PostgresTransaction(session: s)
                for i in 0..<100 {
                    try s.query("INSERT INTO metric (snapshotId, stage, name, \"column\", value) VALUES (\(snapshotId), 'profile', 'mean', \("c\(i)"), \(Double(i)))")
                }
                try tx.completeStage(stageRunId, snapshotId: snapshotId)
                throw Crash()
            }
        }
        try w.read { s throws in
            #expect(try s.query("SELECT count(*) FROM metric").first?.decode(Int.self) == 0)
            #expect(try s.query("SELECT status FROM stageRun WHERE id = \(stageRunId)").first?.decode(String.self) == "running")
        }
        // A server-side failure (a constraint) mid-stage: the same.
        #expect(throws: MLAuditError.self) {
            try w.write { s throws in
                let tx = PostgresTransaction(session: s)
                try s.query("INSERT INTO metric (snapshotId, stage, name, \"column\", value) VALUES (\(snapshotId), 'profile', 'mean', 'a', 1.0)")
                try tx.completeStage(stageRunId, snapshotId: snapshotId)
                try s.query("INSERT INTO metric (snapshotId, stage, name, \"column\", value) VALUES (\(snapshotId), 'profile', 'mean', 'a', 2.0)")
            }
        }
        try w.read { s throws in
            #expect(try s.query("SELECT count(*) FROM metric").first?.decode(Int.self) == 0)
            #expect(try s.query("SELECT status FROM stageRun WHERE id = \(stageRunId)").first?.decode(String.self) == "running")
        }
        // The stage completes: both.
        try w.write { s throws in
            let tx = PostgresTransaction(session: s)
            try s.query("INSERT INTO metric (snapshotId, stage, name, \"column\", value) VALUES (\(snapshotId), 'profile', 'mean', 'a', 1.0)")
            try tx.completeStage(stageRunId, snapshotId: snapshotId)
        }
        try w.read { s throws in
            #expect(try s.query("SELECT count(*) FROM metric").first?.decode(Int.self) == 1)
            #expect(try s.query("SELECT status FROM stageRun WHERE id = \(stageRunId)").first?.decode(String.self) == "ok")
        }
    }

    /// A process killed mid-stage (its session ends with the transaction open): the server
    /// rolls the transaction back, so neither results nor the `ok` are there.
    @Test func aKilledWriterLeavesNothing() throws {
        let location = try TestServer.location()
        let w = try PostgresWarehouse(location: location)
        defer { w.close() }
        // The writer: psql, in a transaction it never commits, killed with SIGKILL.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: TestServer.binary("psql"))
        child.arguments = ["-X", "-q", "-h", location.host, "-p", String(location.port), "-U", location.user, "-d", location.database]
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = try TestServer.password()
        env["PGAPPNAME"] = "killed writer"
        child.environment = env
        child.standardOutput = FileHandle.nullDevice
        let input = Pipe()
        child.standardInput = input
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() } }
        let schema = location.schema!
        input.fileHandleForWriting.write(Data("""
            SET search_path TO \(schema);
            BEGIN;
            INSERT INTO pipeline (name, rowTable, createdAt) VALUES ('half', 'row_half', 't');

            """.utf8))
        // Wait until the insert ran (the session is idle in its transaction), then kill it.
        var idle = false
        for _ in 0..<300 where !idle {
            idle = try w.session.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'killed writer' AND state = 'idle in transaction'")
                .first?.decode(Int.self) == 1
            if !idle { usleep(50_000) }
        }
        #expect(idle)
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(try w.session.query("SELECT count(*) FROM pipeline").first?.decode(Int.self) == 0)
    }
}
