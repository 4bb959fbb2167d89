import Foundation
import Testing
import TestSupport

/// `mlaudit status` and `mlaudit render --fleet`, run as a user would (docs/operations.md,
/// "Fleet overview"). Values are checked against each report's summary.json read as plain JSON.
@Suite("Fleet status")
struct FleetStatusTests {
    /// Two pipelines in pipelines/: `tiny` audited for two days, `idle` (the same data) never run.
    static func fleetFolder() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        dir.write("pipelines/tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("pipelines/idle.yaml", TinyPipeline.yaml(root: ".").replacingOccurrences(of: "name: tiny\n", with: "name: idle\n")
            .replacingOccurrences(of: "warehouse: tiny.sqlite", with: "warehouse: idle.sqlite"))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 3))
        dir.write("days/2026-02-02.csv", TinyPipeline.csv(40, day: "2026-02-02", shift: 30))
        let r = try BuiltExecutable.run(["run", "pipelines/tiny.yaml"], in: dir.path)
        #expect(r.status <= 1, "\(r.stderr)")
        return dir
    }

    static func summary(_ dir: TemporaryDirectory, _ day: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/tiny/\(day)/v1/summary.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func oneLinePerPipelineWithTheLatestPeriodAndStaleness() throws {
        let dir = try Self.fleetFolder()
        let s = try Self.summary(dir, "2026-02-02")
        let counts = try #require(s["finding_counts"] as? [String: Int])
        let status = try #require(s["status"] as? String)
        let advice = try #require((s["retraining"] as? [String: Any])?["recommendation"] as? String)

        let r = try BuiltExecutable.run(["status"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0] == "idle not-audited-yet last_run=never stale")
        let prefix = "tiny 2026-02-02 \(status) v1 critical=\(counts["critical"]!) warning=\(counts["warning"]!) retraining=\(advice) last_run="
        #expect(lines[1].hasPrefix(prefix), "\(lines[1])")
        #expect(lines[1].hasSuffix(" ok"), "a run just now is not stale: \(lines[1])")

        // No run for more than two days (the pipeline is daily): stale.
        let db = dir.path + "/tiny.sqlite"
        let update = try Self.sqlite(db, "UPDATE run SET startedAt = '2026-01-01T00:00:00.000Z', finishedAt = '2026-01-01T00:01:00.000Z'")
        #expect(update.status == 0, "\(update.stderr)")
        let stale = try BuiltExecutable.run(["status", "pipelines/tiny.yaml"], in: dir.path)
        #expect(stale.stdout == prefix + "2026-01-01T00:01:00.000Z ok stale\n")
    }

    @Test func jsonFollowsTheDocumentedSchema() throws {
        let dir = try Self.fleetFolder()
        let s = try Self.summary(dir, "2026-02-02")
        let r = try BuiltExecutable.run(["status", "--json", "pipelines/tiny.yaml", "pipelines/idle.yaml"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["schema_version"] as? Int == 1)
        #expect((json["generated_at"] as? String)?.count == 24)
        let pipelines = try #require(json["pipelines"] as? [[String: Any]])
        #expect(pipelines.count == 2)
        let keys: Set = [
            "pipeline", "definition", "cadence", "latest_period", "report_version", "status", "critical", "warning", "info", "retraining",
            "report", "index", "last_run", "stale", "stale_after_days", "error",
        ]
        for p in pipelines { #expect(Set(p.keys) == keys) }
        let tiny = pipelines[0]
        #expect(tiny["pipeline"] as? String == "tiny")
        #expect(tiny["cadence"] as? String == "daily")
        #expect(tiny["latest_period"] as? String == "2026-02-02")
        #expect(tiny["status"] as? String == s["status"] as? String)
        let counts = try #require(s["finding_counts"] as? [String: Int])
        #expect(tiny["critical"] as? Int == counts["critical"])
        #expect(tiny["warning"] as? Int == counts["warning"])
        #expect(tiny["info"] as? Int == counts["info"])
        #expect(tiny["retraining"] as? String == (s["retraining"] as? [String: Any])?["recommendation"] as? String)
        #expect(tiny["report"] as? String == "reports/tiny/2026-02-02/v1/report.html")
        #expect(tiny["index"] as? String == "reports/tiny/index.html")
        #expect(tiny["stale"] as? Bool == false)
        #expect(tiny["stale_after_days"] as? Int == 2)
        let run = try #require(tiny["last_run"] as? [String: Any])
        #expect(run["status"] as? String == "ok")
        #expect(run["exit_status"] as? Int == 0 || run["exit_status"] as? Int == 1)
        let idle = pipelines[1]
        #expect(idle["latest_period"] is NSNull && idle["last_run"] is NSNull && idle["status"] is NSNull)
        #expect(idle["stale"] as? Bool == true)
    }

    /// `cadence: auto` (the default) is resolved from the audited dates: weekly snapshots make a
    /// weekly pipeline, stale after 14 days.
    @Test func anAutoCadenceIsReadFromTheAuditedDates() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        for day in ["2026-02-01", "2026-02-08", "2026-02-15"] { dir.write("days/\(day).csv", TinyPipeline.csv(30, day: day)) }
        #expect(try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path).status <= 1)
        let r = try BuiltExecutable.run(["status", "--json", "tiny.yaml"], in: dir.path)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let tiny = try #require((json["pipelines"] as? [[String: Any]])?.first)
        #expect(tiny["cadence"] as? String == "weekly")
        #expect(tiny["stale_after_days"] as? Int == 14)
        #expect(tiny["latest_period"] as? String == "2026-02-15")
    }

    @Test func withoutDefinitionsItSaysWhatToGive() throws {
        let dir = TemporaryDirectory()
        let r = try BuiltExecutable.run(["status"], in: dir.path)
        #expect(r.status == 64)
        #expect(r.stderr.contains("No pipelines/*.yaml here: give the pipeline definitions"), "\(r.stderr)")
        // A password in the URL is refused without being repeated.
        let url = "postgres://auditor:s3cr3t-pw@db.example:5432/mlaudit"
        let pg = try BuiltExecutable.run(["status"], in: dir.path, environment: ["MLAUDIT_WAREHOUSE_URL": url])
        #expect(pg.status == 2, "\(pg.stderr)")
        #expect(pg.stderr.contains("MLAUDIT_WAREHOUSE_URL") && pg.stderr.contains("PGPASSWORD"), "\(pg.stderr)")
        #expect(!pg.stderr.contains("s3cr3t-pw") && pg.stdout.isEmpty)
        // A SQLite warehouse that does not exist is named, and nothing is created.
        let none = try BuiltExecutable.run(["status"], in: dir.path, environment: ["MLAUDIT_WAREHOUSE_URL": "nowhere.sqlite"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("MLAUDIT_WAREHOUSE_URL names a SQLite warehouse that does not exist"), "\(none.stderr)")
        #expect(!dir.exists("nowhere.sqlite"))
    }

    /// Two pipelines writing one warehouse (`url`: the shared warehouse's setting), then
    /// `status` and `render --fleet` without definitions list both from the warehouse alone,
    /// with the same numbers as `status` over the definitions.
    static func listsEveryPipelineOfTheWarehouse(_ dir: TemporaryDirectory, url: String) throws {
        var env = ["MLAUDIT_WAREHOUSE_URL": url]
        if let pw = ProcessInfo.processInfo.environment["PGPASSWORD"] { env["PGPASSWORD"] = pw }
        dir.write("pipelines/tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("pipelines/hostile.yaml", TinyPipeline.yaml(root: ".").replacingOccurrences(of: "name: tiny\n", with: "name: a-pipe_line\n"))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 3))
        dir.write("days/2026-02-02.csv", TinyPipeline.csv(40, day: "2026-02-02", shift: 30))
        for p in ["pipelines/tiny.yaml", "pipelines/hostile.yaml"] {
            let r = try BuiltExecutable.run(["run", p], in: dir.path, environment: env)
            #expect(r.status <= 1, "\(r.stderr)")
        }
        let withDefinitions = try BuiltExecutable.run(["status", "--json", "pipelines/hostile.yaml", "pipelines/tiny.yaml"], in: dir.path, environment: env)
        #expect(withDefinitions.status == 0, "\(withDefinitions.stderr)")
        let fromWarehouse = try BuiltExecutable.run(["status", "--json"], in: dir.path, environment: env)
        #expect(fromWarehouse.status == 0, "\(fromWarehouse.stderr)")
        func entries(_ text: String) throws -> [[String: Any]] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            return try #require(json["pipelines"] as? [[String: Any]])
        }
        let a = try entries(withDefinitions.stdout), b = try entries(fromWarehouse.stdout)
        #expect(b.map { $0["pipeline"] as? String } == ["a-pipe_line", "tiny"])
        #expect(b.map { $0["definition"] as? String } == ["", ""])
        for (x, y) in zip(a, b) {
            for key in ["pipeline", "cadence", "latest_period", "report_version", "status", "critical", "warning", "info", "retraining", "report", "index", "stale", "stale_after_days"] {
                #expect("\(x[key] ?? "nil")" == "\(y[key] ?? "nil")", "\(key)")
            }
            #expect(NSDictionary(dictionary: x["last_run"] as? [String: Any] ?? [:]).isEqual(to: y["last_run"] as? [String: Any] ?? [:]))
            #expect(x["last_run"] != nil)
        }
        #expect(b.first?["latest_period"] as? String == "2026-02-02")
        #expect((b.first?["index"] as? String)?.hasSuffix("reports/a-pipe_line/index.html") == true)
        let lines = try BuiltExecutable.run(["status"], in: dir.path, environment: env).stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("a-pipe_line 2026-02-02 ") && lines[1].hasPrefix("tiny 2026-02-02 "))
        let page = try BuiltExecutable.run(["render", "--fleet", "site"], in: dir.path, environment: env)
        #expect(page.status == 0, "\(page.stderr)")
        #expect(page.stdout == "fleet page: site/index.html (2 pipelines)\n")
        let html = try #require(dir.read("site/index.html"))
        #expect(html.contains("href=\"../reports/a-pipe_line/index.html\"") && html.contains("href=\"../reports/tiny/index.html\""))
    }

    @Test func withTheWarehouseSetAndNoDefinitionsEveryPipelineOfASQLiteWarehouseIsListed() throws {
        let dir = TemporaryDirectory()
        try Self.listsEveryPipelineOfTheWarehouse(dir, url: "shared.sqlite")
    }

    /// The same on the throwaway PostgreSQL server (`make test`; fails, never skips, without it).
    @Test func withTheWarehouseSetAndNoDefinitionsEveryPipelineOfAPostgreSQLWarehouseIsListed() throws {
        let dir = TemporaryDirectory()
        try Self.listsEveryPipelineOfTheWarehouse(dir, url: try TestPostgres.url(schema: TestPostgres.uniqueSchema("fleet")))
    }

    @Test func aDefinitionThatDoesNotLoadIsNamedAndTheOthersAreListed() throws {
        let dir = try Self.fleetFolder()
        let hostile = "pipelines/\u{1B}[2Jbad.yaml"
        dir.write(hostile, "name: [")
        let r = try BuiltExecutable.run(["status", "pipelines/tiny.yaml", hostile], in: dir.path)
        #expect(r.status == 2)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("tiny 2026-02-02 "))
        #expect(lines[1].hasPrefix("pipelines/\\u001B[2Jbad.yaml failed: "), "\(lines[1])")
        #expect(!r.stdout.contains("\u{1B}") && !r.stderr.contains("\u{1B}"))
    }

    @Test func renderFleetWritesASelfContainedPageLinkingEachIndex() throws {
        let dir = try Self.fleetFolder()
        let r = try BuiltExecutable.run(["render", "--fleet", "site"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "fleet page: site/index.html (2 pipelines)\n")
        let html = try #require(dir.read("site/index.html"))
        #expect(html.contains("Content-Security-Policy"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(html.contains(#"<a href="../reports/tiny/index.html">tiny</a>"#))
        #expect(html.contains(#"<a href="../reports/tiny/2026-02-02/v1/report.html">2026-02-02</a>"#))
        // The links lead to files that exist.
        #expect(dir.exists("site/../reports/tiny/index.html") && dir.exists("site/../reports/tiny/2026-02-02/v1/report.html"))
        #expect(html.contains(#"<a href="../reports/idle/index.html">idle</a>"#))
        let usage = try BuiltExecutable.run(["render", "--fleet", "site", "--date", "2026-02-01"], in: dir.path)
        #expect(usage.status == 64)
        let one = try BuiltExecutable.run(["render", "pipelines/tiny.yaml"], in: dir.path)
        #expect(one.status == 64)
        #expect(one.stderr.contains("Please give --date YYYY-MM-DD."))
    }

    static func sqlite(_ db: String, _ sql: String) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [db, sql]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: e, as: UTF8.self))
    }
}
