import Foundation
import GRDB
import Testing
import TestSupport

/// Issue 12, Deliver 6: small inputs never cost large outputs, through the built binary.
@Suite("Bounded costs")
struct BoundedCostTests {
    static func definition(extra: String = "", snapshots: String = "days/{date}.csv") -> String {
        """
        name: b
        root: .
        model:
          name: m
          version: "1"
        baseline:
          path: baseline.csv
        snapshots:
          path: \(snapshots)
        schema:
          prediction:
            column: pred
            kind: binary
          features:
            - name: c
              type: categorical
            - name: x
              type: numeric
        warehouse: b.sqlite
        report:
          output: reports
        \(extra)
        """
    }

    static func rows(_ n: Int) -> String {
        (0..<n).map { "a\($0 % 3),\($0),\($0 % 2)\n" }.joined()
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    /// Three 1 MiB category values (new categories, quoted by a finding, drawn in the drift
    /// chart): every report shows each cut to 200 scalars with its full size, so the reports
    /// stay small (before: ten 20 MiB values gave a 440 MB report.html). The cut never splits a
    /// scalar: the value is made of 4-byte scalars. Each is on three rows: one row of each is
    /// what chance explains against the 200-row baseline (P = 0.08 at 1/(n + 1), field trial 8),
    /// nine are a finding.
    @Test func longValuesAreCutInEveryReport() throws {
        let dir = TemporaryDirectory()
        dir.write("b.yaml", Self.definition())
        dir.write("baseline.csv", "c,x,pred\n" + Self.rows(200))
        let long = String(repeating: "\u{1F600}", count: 1 << 18)  // 1 MiB of 4-byte scalars
        var day = "c,x,pred\n" + Self.rows(200)
        for k in 0..<9 { day += "\(long)\(k % 3),1,0\n" }
        dir.write("days/2026-02-01.csv", day)
        let r = try BuiltExecutable.run(["run", "b.yaml"], in: dir.path)
        #expect(r.status != 2, "\(r.stderr.suffix(1500))")
        let v1 = dir.path + "/reports/b/2026-02-01/v1/"
        let cut = String(repeating: "\u{1F600}", count: 200) + "… (1 048 577 bytes)"
        for name in ["report.html", "report.md", "summary.json"] {
            #expect(Self.size(v1 + name) < 300_000, "\(name) is \(Self.size(v1 + name)) bytes")
            let text = try #require(dir.read("reports/b/2026-02-01/v1/" + name))
            #expect(text.contains(cut), "\(name) does not show the value cut with its size")
            #expect(!text.contains(String(repeating: "\u{1F600}", count: 201)), "\(name) shows more than 200 scalars of a value")
        }
        let ticket = try BuiltExecutable.run(["ticket", "b.yaml", "--date", "2026-02-01"], in: dir.path)
        #expect(ticket.status == 0, "\(ticket.stderr)")
        #expect(ticket.stdout.utf8.count < 50_000 && ticket.stdout.contains(cut), "\(ticket.stdout.prefix(3000))")
        let validate = try BuiltExecutable.run(["validate", "b.yaml", "--date", "2026-02-01"], in: dir.path)
        #expect(validate.stdout.utf8.count + validate.stderr.utf8.count < 50_000, "terminal output not bounded")
    }

    /// 300 blank header names give 300 `ingest.header` and 300 `schema.unexpected_column`
    /// findings; each check keeps its first 50 and one more finding counts the rest.
    @Test func findingsPerCheckAreBounded() throws {
        let dir = TemporaryDirectory()
        dir.write("b.yaml", Self.definition())
        dir.write("baseline.csv", "c,x,pred\n" + Self.rows(100))
        let blanks = String(repeating: ",", count: 300)
        dir.write("days/2026-02-01.csv", "c,x,pred" + blanks + "\n" + Self.rows(100).replacingOccurrences(of: "\n", with: blanks + "\n"))
        let r = try BuiltExecutable.run(["run", "b.yaml"], in: dir.path)
        #expect(r.status != 2, "\(r.stderr.suffix(1500))")
        let data = try #require(FileManager.default.contents(atPath: dir.path + "/reports/b/2026-02-01/v1/summary.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        for check in ["ingest.header", "schema.unexpected_column"] {
            let of = findings.filter { $0["check"] as? String == check }
            #expect(of.count == 51, "\(check): \(of.count) findings")
            #expect(of.contains { ($0["message"] as? String) == "250 more \(check) findings not listed (only the first 50 of a check are kept)" },
                    "\(of.last ?? [:])")
        }
    }

    /// A header beyond `limits.max_columns` or `limits.max_header_bytes` is refused with exit 2
    /// naming the file, the limit, the key that raises it and how to skip the date; every rerun
    /// says the same (the date is not silently retried for ever); raising the key lets it through.
    /// Before: 100k columns gave a 61 MB report, an 18 MB header in a gzip file an 806 MB warehouse.
    @Test func headerLimitsRefuseTheFileAndSayHowToRaiseThem() throws {
        let dir = TemporaryDirectory()
        dir.write("b.yaml", Self.definition())
        dir.write("baseline.csv", "c,x,pred\n" + Self.rows(100))
        let extra = (0..<10_000).map { ",k\($0)" }.joined()
        dir.write("days/2026-02-01.csv", "c,x,pred" + extra + "\n" + Self.rows(20))
        for _ in 0..<2 {
            let r = try BuiltExecutable.run(["run", "b.yaml"], in: dir.path)
            #expect(r.status == 2)
            #expect(r.stderr.contains("days/2026-02-01.csv: the header has 10 003 columns, more than 'limits.max_columns' allows (10 000)"), "\(r.stderr.suffix(1500))")
            #expect(r.stderr.contains("raise 'limits.max_columns' in the definition") && r.stderr.contains("move it out of the snapshots' folder"), "\(r.stderr.suffix(1500))")
            #expect(r.stdout.contains("b 2026-02-01 failed at ingest: the header has 10 003 columns"), "\(r.stdout)")
        }
        dir.write("b.yaml", Self.definition(extra: "limits:\n  max_columns: 20000"))
        let raised = try BuiltExecutable.run(["run", "b.yaml"], in: dir.path)
        #expect(raised.status != 2, "\(raised.stderr.suffix(1500))")

        // A gzip file whose header is large but compresses to little.
        let gz = TemporaryDirectory()
        gz.write("b.yaml", Self.definition(snapshots: "days/{date}.csv.gz"))
        gz.write("baseline.csv", "c,x,pred\n" + Self.rows(100))
        let wide = "c,x,pred," + String(repeating: "k", count: 2 << 20) + "\n" + Self.rows(20).replacingOccurrences(of: "\n", with: ",\n")
        gz.write("days/2026-02-01.csv.gz", bytes: GzipFixture.gzip(wide))
        let g = try BuiltExecutable.run(["run", "b.yaml"], in: gz.path)
        #expect(g.status == 2)
        #expect(g.stderr.contains("days/2026-02-01.csv.gz: the header line has 2 097 162 bytes, more than 'limits.max_header_bytes' allows (1 048 576)"), "\(g.stderr.suffix(1500))")
        #expect(Self.size(gz.path + "/b.sqlite") < 2_000_000)
    }

    /// JSON Lines: distinct undeclared keys count as columns.
    @Test func jsonLinesKeysCountAsColumns() throws {
        let dir = TemporaryDirectory()
        dir.write("b.yaml", Self.definition(extra: "limits:\n  max_columns: 10", snapshots: "days/{date}.jsonl"))
        dir.write("baseline.csv", "c,x,pred\n" + Self.rows(100))
        var text = ""
        for i in 0..<20 { text += "{\"c\": \"a\", \"x\": \(i), \"pred\": 1, \"k\(i)\": 1}\n" }
        dir.write("days/2026-02-01.jsonl", text)
        let r = try BuiltExecutable.run(["run", "b.yaml"], in: dir.path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("days/2026-02-01.jsonl: line 8 brings the file to 11 columns (declared and distinct undeclared keys), more than 'limits.max_columns' allows (10)"), "\(r.stderr.suffix(1500))")
    }
}

/// Issue 12, Deliver 8: `vacuum` says when a reader kept it from finishing.
@Suite("Vacuum beside a reader")
struct VacuumReaderTests {
    /// A connection of this test process holds a read transaction on the warehouse while the
    /// binary vacuums: vacuum exits 2 saying it could not finish (before: it reported success);
    /// once the reader is gone, vacuum succeeds.
    @Test func vacuumSaysWhenAReaderKeptItFromFinishing() throws {
        let dir = try HostileInputTests.rendered()
        var config = Configuration()
        config.allowsUnsafeTransactions = true  // the read transaction stays open across accesses
        let reader = try DatabaseQueue(path: dir.path + "/tiny.sqlite", configuration: config)
        try reader.inDatabase { db in
            try db.execute(sql: "BEGIN DEFERRED")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")! > 0)
        }
        let r = try BuiltExecutable.run(["vacuum", "tiny.yaml"], in: dir.path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("vacuum could not finish: another connection is reading the warehouse"), "\(r.stdout) \(r.stderr)")
        try reader.inDatabase { db in try db.execute(sql: "COMMIT") }
        try reader.close()
        let ok = try BuiltExecutable.run(["vacuum", "tiny.yaml"], in: dir.path)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("tiny: "), "\(ok.stdout)")
    }
}
