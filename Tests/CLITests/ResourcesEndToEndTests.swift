import Foundation
import GRDB
import Testing
import TestSupport

/// `operational.resources` through the built binary on both warehouses: the pandas fixture's
/// incident file (Tests/CompareTests/Fixtures, scripts/reference/resources_reference.py) gives
/// the same summary.json and report.md on PostgreSQL (samples and quarantine by COPY) as on
/// SQLite; a host holding a NUL is quarantined on both.
@Suite("Serving resources end to end")
struct ResourcesEndToEndTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("CompareTests/Fixtures/resources_reference.csv").path

    static func folder() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: ".", extra: """
            operational:
              resources:
                path: resources/{date}.csv
                columns: {timestamp: ts, host: node, cpu: cpu_pct, memory_bytes: mem_used, memory_total_bytes: mem_total, disk_used_share: disk, io_wait: iowait, up: is_up}
                memory_total_bytes: 17179869184
                sample_interval_seconds: 600
            """))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-03-02.csv", TinyPipeline.csv(40, day: "2026-03-02"))
        dir.write("days/2026-03-03.csv", TinyPipeline.csv(40, day: "2026-03-03"))
        dir.write("resources/2026-03-02.csv", try String(contentsOfFile: fixture, encoding: .utf8))
        dir.write("resources/2026-03-03.csv", """
            ts,node,is_up
            2026-03-03T00:00:05Z,web-1,true
            2026-03-03T00:10:05Z,"we\u{0}b",true

            """)
        return dir
    }

    @Test func theSameResourcesAuditOnPostgresAsOnSQLite() throws {
        let env = ["MLAUDIT_WAREHOUSE_URL": try TestPostgres.url(schema: TestPostgres.uniqueSchema("res"))]
        let onSQLite = try Self.folder(), onPostgres = try Self.folder()
        let a = try BuiltExecutable.run(["run", "tiny.yaml"], in: onSQLite.path)
        let b = try BuiltExecutable.run(["run", "tiny.yaml"], in: onPostgres.path, environment: env)
        #expect(a.status == 1 && b.status == 1, "critical resource findings: \(a.stderr) \(b.stderr)")
        #expect(a.stdout == b.stdout)
        for date in ["2026-03-02", "2026-03-03"] {
            for name in ["summary.json", "report.md"] {
                let path = "reports/tiny/\(date)/v1/\(name)"
                #expect(onSQLite.read(path) == onPostgres.read(path), "\(path)")
            }
        }
        let text = try #require(onPostgres.read("reports/tiny/2026-03-02/v1/summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let resources = try #require((summary["operational"] as? [String: Any])?["resources"] as? [String: Any])
        #expect(resources["rows_read"] as? Int == 364 && resources["rows_quarantined"] as? Int == 9)
        #expect((resources["hosts"] as? [Any])?.count == 3)
        // The NUL host: quarantined with its reason on both backends, never stored changed.
        for dir in [onSQLite, onPostgres] {
            let t = try #require(dir.read("reports/tiny/2026-03-03/v1/summary.json"))
            let s = try #require(try JSONSerialization.jsonObject(with: Data(t.utf8)) as? [String: Any])
            let r = try #require((s["operational"] as? [String: Any])?["resources"] as? [String: Any])
            #expect(r["rows_read"] as? Int == 2 && r["rows_stored"] as? Int == 1 && r["rows_quarantined"] as? Int == 1)
            #expect((r["hosts"] as? [[String: Any]])?.map { $0["host"] as? String } == ["web-1"])
        }
        // The NUL host's row keeps its fields as raw text (it used to be empty), the NUL as U+FFFD.
        let db = try DatabaseQueue(path: onSQLite.path + "/tiny.sqlite")
        let raw = try db.read { try String.fetchAll($0, sql: "SELECT raw FROM resourceQuarantine WHERE reason LIKE '%NUL%'") }
        #expect(raw == ["ts=2026-03-03T00:10:05.000Z, node=we\u{FFFD}b, is_up=true"])
    }
}
