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

@Suite("PostgreSQL many writers")
struct PostgresManyWritersTests {
    /// Four processes' worth of sessions, each holding its own pipeline's lock, write runs,
    /// snapshots, quarantined rows, findings and metrics into one warehouse at once; none waits
    /// for another's lock, none fails, and every pipeline's rows are its own.
    @Test func fourPipelinesWriteOneWarehouseAtOnce() throws {
        let location = try TestServer.location()
        // A first open migrates; the writers then open the same warehouse concurrently.
        try PostgresWarehouse(location: location).close()
        let names = ["credit", "fraud", "churn", "pricing"]
        let errors = NIOLockedBox()
        DispatchQueue.concurrentPerform(iterations: names.count) { i in
            do {
                let name = names[i]
                let lock = try PostgresPipelineLock(location: location, pipeline: name)
                defer { lock.release() }
                let w = try PostgresWarehouse(location: location)
                defer { w.close() }
                for day in 1...5 {
                    try w.write { s throws in
                        let tx = PostgresTransaction(session: s)
                        let p = try tx.ensurePipeline(name)
                        let run = try tx.startRun(pipelineId: p, definitionId: nil, command: "mlaudit run \(name).yaml")
                        let date = "2026-11-0\(day)"
                        let snap = try tx.insertSnapshot(pipelineId: p, NewSnapshot(
                            kind: .daily, date: date, sourcePath: "\(name).csv", sha256: "h", bytes: 1, header: ["x"]))
                        try tx.insertQuarantined(snapshotId: snap.id, [QuarantinedRow(file: "\(name).csv", line: day, raw: "?", reason: name)])
                        try tx.finishSnapshot(snap.id, read: 10 + i, stored: 9 + i, quarantined: 1)
                        let stage = try tx.startStage(runId: run, pipelineId: p, date: date, stage: .validate)
                        try tx.replaceFindings(snapshotId: snap.id, stage: .validate, [
                            Finding(check: "quality.null_rate", stage: .validate, category: .dataQuality, severity: .warning,
                                    column: "x", message: name),
                        ], stageRunId: stage)
                        try tx.replaceMetrics(snapshotId: snap.id, stage: .validate, [Metric(MetricName(rawValue: "rows.read"), Double(10 + i))])
                        try tx.completeStage(stage, snapshotId: snap.id)
                        try tx.finishRun(run, ok: true, exitStatus: 0, error: nil)
                    }
                }
                errors.append(nil)
            } catch {
                errors.append("\(error)")
            }
        }
        #expect(errors.values.count == names.count)
        #expect(errors.values.allSatisfy { $0 == nil }, "\(errors.values)")
        let w = try PostgresWarehouse(location: location)
        defer { w.close() }
        try w.read { s throws in
            let tx = PostgresTransaction(session: s)
            for (i, name) in names.enumerated() {
                let p = try #require(try tx.ensurePipelineIfExists(name))
                let days = try tx.currentDailySnapshots(pipelineId: p)
                #expect(days.map(\.date) == (1...5).map { "2026-11-0\($0)" })
                #expect(days.allSatisfy { $0.rowsRead == 10 + i && $0.sourcePath == "\(name).csv" })
                for d in days {
                    #expect(try tx.findings(snapshotId: d.id).map(\.message) == [name])
                    #expect(try tx.quarantined(snapshotId: d.id).map(\.reason) == [name])
                    #expect(try tx.metric(snapshotId: d.id, name: MetricName(rawValue: "rows.read")) == Double(10 + i))
                }
                #expect(try tx.latestRun(pipelineId: p)?.status == "ok")
            }
            #expect(try s.query("SELECT count(*) FROM run WHERE status = 'ok'").first?.decode(Int.self) == 20)
        }
    }
}
