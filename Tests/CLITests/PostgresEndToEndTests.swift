import Foundation
import Testing
import TestSupport

/// The whole pipeline against PostgreSQL (`MLAUDIT_WAREHOUSE_URL=postgres://…`), through the
/// built binary, on the throwaway server of `make test`: the same data gives the same reports
/// as on SQLite, and verify and ticket read the warehouse without writing.
@Suite("PostgreSQL end to end")
struct PostgresEndToEndTests {
    /// A tiny pipeline with a clean day and a drifted one (findings), labels in the day files.
    static func folder() -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(40))
        dir.write("days/2026-02-02.csv", TinyPipeline.csv(40, day: "2026-02-02", shift: 25))
        return dir
    }

    static func file(_ dir: TemporaryDirectory, _ relative: String) -> String {
        (try? String(contentsOfFile: dir.path + "/" + relative, encoding: .utf8)) ?? "missing \(relative)"
    }

    /// `text` with what differs between two runs of the same data masked: times, durations and
    /// hashes (the manifest pins the HTML, which shows the times).
    static func masked(_ text: String) -> String {
        var t = text
        for pattern in [#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, #"\d+ ms"#, #"[0-9a-f]{64}"#] {
            t = t.replacingOccurrences(of: pattern, with: "…", options: .regularExpression)
        }
        return t
    }

    @Test func theTinyPipelineGivesTheSameReportsOnPostgresAsOnSQLite() throws {
        let schema = TestPostgres.uniqueSchema("cli")
        let env = ["MLAUDIT_WAREHOUSE_URL": try TestPostgres.url(schema: schema)]
        let onSQLite = Self.folder(), onPostgres = Self.folder()
        let a = try BuiltExecutable.run(["run", "tiny.yaml"], in: onSQLite.path)
        let b = try BuiltExecutable.run(["run", "tiny.yaml"], in: onPostgres.path, environment: env)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        #expect(a.stdout == b.stdout)
        #expect(b.stdout.contains("tiny 2026-02-02 warning v1 retraining=watch critical=0 warning=1"), "\(b.stdout)")
        #expect(!onPostgres.exists("tiny.sqlite"), "nothing written to a SQLite file")
        for date in ["2026-02-01", "2026-02-02"] {
            for name in ["summary.json", "report.md"] {
                let path = "reports/tiny/\(date)/v1/\(name)"
                #expect(Self.file(onSQLite, path) == Self.file(onPostgres, path), "\(path)")
            }
            // The HTML report also shows when each stage ran and how long it took.
            let html = "reports/tiny/\(date)/v1/report.html"
            #expect(Self.masked(Self.file(onSQLite, html)) == Self.masked(Self.file(onPostgres, html)), "\(html)")
        }
        #expect(Self.file(onPostgres, "reports/tiny/2026-02-02/v1/summary.json").contains("\"check\" : \"drift.feature\""))

        // verify and ticket on PostgreSQL say what they say on SQLite.
        for args in [["verify", "tiny.yaml"], ["ticket", "tiny.yaml", "--date", "2026-02-02"]] {
            let s = try BuiltExecutable.run(args, in: onSQLite.path)
            let p = try BuiltExecutable.run(args, in: onPostgres.path, environment: env)
            #expect(s.status == 0 && p.status == 0, "\(args): \(p.stderr)")
            #expect(Self.masked(s.stdout) == Self.masked(p.stdout), "\(args)")
        }
        #expect(try BuiltExecutable.run(["verify", "tiny.yaml"], in: onPostgres.path, environment: env).stdout
            .contains("warehouse quick_check ok, 2 report versions"))

        // A second run of the same days is a no-op on both (the ledger says they are done).
        let again = try BuiltExecutable.run(["run", "tiny.yaml"], in: onPostgres.path, environment: env)
        let againSQLite = try BuiltExecutable.run(["run", "tiny.yaml"], in: onSQLite.path)
        #expect(again.status == againSQLite.status && again.stdout == againSQLite.stdout, "\(again.stderr)")
    }

    /// verify and ticket open the warehouse read-only: they work for a role that may only SELECT.
    @Test func verifyAndTicketWorkForARoleThatMayOnlyRead() throws {
        let schema = TestPostgres.uniqueSchema("ro")
        let env = ["MLAUDIT_WAREHOUSE_URL": try TestPostgres.url(schema: schema)]
        let dir = Self.folder()
        #expect(try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path, environment: env).status == 0)
        let role = "reader_" + schema
        let password = UUID().uuidString
        try TestPostgres.psql("""
            CREATE ROLE \(role) LOGIN PASSWORD '\(password)';
            GRANT USAGE ON SCHEMA \(schema) TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA \(schema) TO \(role);
            """)
        let s = try TestPostgres.server()
        let readerEnv = [
            "PGPASSWORD": password,
            "MLAUDIT_WAREHOUSE_URL": "postgres://\(role)@\(s.host):\(s.port)/\(s.database)?schema=\(schema)",
        ]
        let verify = try BuiltExecutable.run(["verify", "tiny.yaml"], in: dir.path, environment: readerEnv)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("tiny: ok, warehouse quick_check ok, 2 report versions"), "\(verify.stdout)")
        let ticket = try BuiltExecutable.run(["ticket", "tiny.yaml", "--date", "2026-02-02"], in: dir.path, environment: readerEnv)
        #expect(ticket.status == 0 && ticket.stdout.contains("### Model audit tiny 2026-02-02 (v1)"), "\(ticket.stderr)")
        // The same role cannot run the pipeline: the run's first write is refused, clearly.
        let run = try BuiltExecutable.run(["run", "tiny.yaml", "--date", "2026-02-03"], in: dir.path, environment: readerEnv)
        #expect(run.status == 2, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("permission denied"), "\(run.stderr)")
        #expect(!run.stderr.contains(password))
    }

    /// A value with a NUL byte: SQLite stores it; PostgreSQL cannot, so the row is quarantined
    /// with the reason (never stored changed), and the counts still add up.
    @Test func aNULByteIsQuarantinedOnPostgresWithTheReason() throws {
        let schema = TestPostgres.uniqueSchema("nul")
        let env = ["MLAUDIT_WAREHOUSE_URL": try TestPostgres.url(schema: schema)]
        let onSQLite = Self.folder(), onPostgres = Self.folder()
        var bytes = Array(TinyPipeline.csv(40).utf8)
        let at = try #require(bytes.firstIndex(of: UInt8(ascii: "\n")).flatMap { header in
            bytes[(header + 1)...].firstIndex(of: UInt8(ascii: "r"))  // "red" of the first row's color… or of an id
        })
        bytes.insert(0, at: at + 1)
        for dir in [onSQLite, onPostgres] { dir.write("days/2026-02-01.csv", bytes: bytes) }
        let a = try BuiltExecutable.run(["run", "tiny.yaml", "--date", "2026-02-01"], in: onSQLite.path)
        let b = try BuiltExecutable.run(["run", "tiny.yaml", "--date", "2026-02-01"], in: onPostgres.path, environment: env)
        #expect(a.status != 2 && b.status != 2, "\(a.stderr) \(b.stderr)")
        let rowsSQLite = Self.file(onSQLite, "reports/tiny/2026-02-01/v1/summary.json")
        let rowsPostgres = Self.file(onPostgres, "reports/tiny/2026-02-01/v1/summary.json")
        #expect(rowsSQLite.contains("\"quarantined\" : 0"), "SQLite stores the NUL")
        #expect(rowsPostgres.contains("\"quarantined\" : 1") && rowsPostgres.contains("\"stored\" : 39"), "\(rowsPostgres)")
        let report = Self.file(onPostgres, "reports/tiny/2026-02-01/v1/report.md")
        #expect(report.contains("holds a NUL character (U+0000), which the PostgreSQL warehouse cannot store"), "\(report)")
    }
}
