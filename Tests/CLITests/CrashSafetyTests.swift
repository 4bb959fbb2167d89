import Foundation
import Testing
import TestSupport

/// Kills the process (SIGKILL, via the MLAUDIT_FAULT test seam) at each stage boundary and in
/// the middle of an ingest, runs again, and compares with an uninterrupted run.
@Suite("Crash safety")
struct CrashSafetyTests {
    static let days = ["2026-02-01", "2026-02-02"]

    static func prepare() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        _ = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(120, day: "2026-01-01"))
        for d in days { dir.write("days/\(d).csv", TinyPipeline.csv(200, day: d)) }
        dir.write("labels/2026-02-01.csv", "id,y\n" + (0..<200).map { "id\($0),\($0 % 2)" }.joined(separator: "\n") + "\n")
        return dir
    }

    /// What must be identical between an interrupted-then-resumed run and a clean one.
    static func state(_ dir: TemporaryDirectory) throws -> [String] {
        var out: [String] = []
        for d in days {
            let summary = dir.read("reports/tiny/\(d)/v1/summary.json") ?? "missing summary \(d)"
            out.append(summary.replacingOccurrences(of: dir.path, with: "<dir>"))
            out.append(dir.exists("reports/tiny/\(d)/v2") ? "unexpected v2 \(d)" : "only v1 \(d)")
        }
        let db = dir.path + "/tiny.sqlite"
        let queries = [
            "SELECT kind, date, version, status, rowsRead, rowsStored, rowsQuarantined FROM snapshot ORDER BY kind, date, version",
            "SELECT mlaudit_snapshot, COUNT(*) FROM row_tiny GROUP BY mlaudit_snapshot ORDER BY 1",
            Self.rangesQuery,
            Self.rowsOutsideRangesQuery,
            "SELECT COUNT(*) FROM label",
            "SELECT snapshotId, sqlColumn, chunk, rows, encoding, hex(data) FROM numericColumnPacked ORDER BY 1, 2, 3",
            "SELECT snapshotId, sqlColumn, count, encoding, hex(data) FROM sortedColumnPacked ORDER BY 1, 2",
            "SELECT s.date, f.stage, f.checkId, f.severity, IFNULL(f.column, '') FROM finding f JOIN snapshot s ON s.id = f.snapshotId ORDER BY 1, 2, 3, 5",
            "SELECT s.date, m.name, m.column, m.value FROM metric m JOIN snapshot s ON s.id = m.snapshotId ORDER BY 1, 2, 3",
            "SELECT date, version, status FROM report ORDER BY date, version",
            "PRAGMA integrity_check",
        ]
        for q in queries {
            let r = try run("/usr/bin/sqlite3", [db, q])
            out.append(q + "\n" + r)
        }
        return out
    }

    /// Each snapshot's catalog range with its stored count and the rows of the snapshot found
    /// in the range (issue 13: no range may point at missing rows).
    static let rangesQuery = """
        SELECT id, firstRowid, lastRowid, rowsStored, (SELECT COUNT(*) FROM row_tiny r WHERE r.rowid BETWEEN s.firstRowid \
        AND s.lastRowid AND r.mlaudit_snapshot = s.id) FROM snapshot s WHERE kind != 'labels' ORDER BY id
        """
    /// Rows no snapshot's range covers (must be none).
    static let rowsOutsideRangesQuery = """
        SELECT COUNT(*) FROM row_tiny r WHERE NOT EXISTS (SELECT 1 FROM snapshot s WHERE s.id = r.mlaudit_snapshot \
        AND r.rowid BETWEEN s.firstRowid AND s.lastRowid)
        """

    static func run(_ exe: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static let reference: Result<[String], any Error> = Result {
        let dir = try prepare()
        let r = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"])
        guard r.status == 0 else { throw NSError(domain: "test", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        return try state(dir)
    }

    static let faults = ["after-ingest", "after-validate", "after-profile", "after-compare", "render-after-write",
                         "after-render", "ingest-row@70", "ingest-row@250", "after-ingest@2", "after-compare@2"]

    @Test(arguments: faults)
    func killedRunResumesToTheSameResult(_ fault: String) throws {
        let dir = try Self.prepare()
        let killed = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"], environment: ["MLAUDIT_FAULT": fault])
        #expect(killed.status == 9, "the fault point \(fault) must kill the run")
        let resumed = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.state(dir) == Self.reference.get())
        let db = dir.path + "/tiny.sqlite"
        #expect(try Self.run("/usr/bin/sqlite3", [db, Self.rowsOutsideRangesQuery]) == "0\n")
        for line in try Self.run("/usr/bin/sqlite3", [db, Self.rangesQuery]).split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            #expect(f.count == 5 && f[3] == f[4] && f[3] != "0", "range, stored and found rows of a snapshot: \(line)")
        }
        let ledger = try Self.run("/usr/bin/sqlite3", [dir.path + "/tiny.sqlite", "SELECT status, IFNULL(error, '') FROM run ORDER BY id"])
        #expect(ledger.hasPrefix("failed|interrupted: the process ended without finishing (killed or crashed)\n"))
    }

    // MARK: The same on PostgreSQL (MLAUDIT_WAREHOUSE_URL on the test server, a schema per run)

    /// What must be identical on PostgreSQL: the reports, and the warehouse's contents keyed by
    /// date rather than by id (PostgreSQL's identity values used by a rolled-back transaction
    /// are not given back, so ids after a killed run differ from a clean run's).
    static func postgresState(_ dir: TemporaryDirectory, schema: String) throws -> [String] {
        var out: [String] = []
        for d in days {
            let summary = dir.read("reports/tiny/\(d)/v1/summary.json") ?? "missing summary \(d)"
            out.append(summary.replacingOccurrences(of: dir.path, with: "<dir>"))
            out.append(dir.exists("reports/tiny/\(d)/v2") ? "unexpected v2 \(d)" : "only v1 \(d)")
        }
        let queries = [
            "SELECT kind, date, version, status, rowsRead, rowsStored, rowsQuarantined FROM snapshot ORDER BY kind, date, version",
            "SELECT s.kind, s.date, COUNT(*) FROM row_tiny r JOIN snapshot s ON s.id = r.mlaudit_snapshot GROUP BY 1, 2 ORDER BY 1, 2",
            "SELECT COUNT(*) FROM label",
            "SELECT s.kind, s.date, c.sqlColumn, c.chunk, c.rows, c.encoding, md5(c.data) FROM numericColumnPacked c JOIN snapshot s ON s.id = c.snapshotId ORDER BY 1, 2, 3, 4",
            "SELECT s.kind, s.date, c.sqlColumn, c.count, c.encoding, md5(c.data) FROM sortedColumnPacked c JOIN snapshot s ON s.id = c.snapshotId ORDER BY 1, 2, 3",
            "SELECT s.date, f.stage, f.checkId, f.severity, COALESCE(f.\"column\", '') FROM finding f JOIN snapshot s ON s.id = f.snapshotId ORDER BY 1, 2, 3, 5",
            "SELECT s.date, m.name, m.\"column\", m.value FROM metric m JOIN snapshot s ON s.id = m.snapshotId ORDER BY 1, 2, 3",
            "SELECT date, version, status FROM report ORDER BY date, version",
        ]
        for q in queries { out.append(q + "\n" + (try TestPostgres.query(q, schema: schema))) }
        return out
    }

    static let postgresReference: Result<[String], any Error> = Result {
        let dir = try prepare()
        let schema = TestPostgres.uniqueSchema("crash")
        let r = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"], environment: ["MLAUDIT_WAREHOUSE_URL": try TestPostgres.url(schema: schema)])
        guard r.status == 0 else { throw NSError(domain: "test", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
        return try postgresState(dir, schema: schema)
    }

    @Test(arguments: faults)
    func killedPostgresRunResumesToTheSameResult(_ fault: String) throws {
        let dir = try Self.prepare()
        let schema = TestPostgres.uniqueSchema("crash")
        let url = try TestPostgres.url(schema: schema)
        let killed = try BuiltExecutable.run(
            ["run", dir.path + "/tiny.yaml"], environment: ["MLAUDIT_FAULT": fault, "MLAUDIT_WAREHOUSE_URL": url])
        #expect(killed.status == 9, "the fault point \(fault) must kill the run")
        let resumed = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"], environment: ["MLAUDIT_WAREHOUSE_URL": url])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let state = try Self.postgresState(dir, schema: schema)
        #expect(state == (try Self.postgresReference.get()))
        // The reports are those of the SQLite run.
        #expect(Array(state.prefix(2 * Self.days.count)) == Array((try Self.reference.get()).prefix(2 * Self.days.count)))
        let ledger = try TestPostgres.query("SELECT status, COALESCE(error, '') FROM run ORDER BY id", schema: schema)
        #expect(ledger.hasPrefix("failed|interrupted: the process ended without finishing (killed or crashed)\n"), "\(ledger)")
    }
}
