import Foundation
import Testing
import TestSupport

/// `mlaudit verify`, `mlaudit ticket` and the determinism of `mlaudit render`, run as a user would.
@Suite("Audit commands")
struct AuditCommandTests {
    /// A tiny pipeline with relative paths (root "."), so a copy of its folder is the same audit.
    static func tinyFolder() -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 3))
        return dir
    }

    @Test(arguments: ["verify", "ticket"])
    func explainsItself(_ command: String) throws {
        let r = try BuiltExecutable.run([command, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: mlaudit \(command)"))
        #expect(try BuiltExecutable.run(["--help"]).stdout.contains("  \(command)"))
    }

    @Test func verifyPassesThenNamesATamperedFileAndExits1() throws {
        let dir = Self.tinyFolder()
        #expect(try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path).status == 0)
        let ok = try BuiltExecutable.run(["verify", "tiny.yaml", "--inputs"], in: dir.path)
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("tiny: ok, warehouse quick_check ok, 1 report version, 7 files hashed, chain intact, head "))
        let path = dir.path + "/reports/tiny/2026-02-01/v1/report.html"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: path))
        let bad = try BuiltExecutable.run(["verify", "tiny.yaml"], in: dir.path)
        #expect(bad.status == 1)
        #expect(bad.stdout.hasPrefix("ALTERED reports/tiny/2026-02-01/v1/report.html: sha256 "), "\(bad.stdout)")
        #expect(bad.stdout.hasSuffix("tiny: 1 problem in 1 report version\n"))
    }

    @Test func verifyWithoutAWarehouseOrDefinitionSaysWhy() throws {
        let dir = TemporaryDirectory()
        let r = try BuiltExecutable.run(["verify"], in: dir.path)
        #expect(r.status == 64)
        #expect(r.stderr.contains("No pipelines/*.yaml here"))
        let missing = try BuiltExecutable.run(["verify", "nope.yaml"], in: dir.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("mlaudit: error: nope.yaml"))
        let fresh = Self.tinyFolder()
        let never = try BuiltExecutable.run(["verify", "tiny.yaml"], in: fresh.path)
        #expect(never.status == 2)
        #expect(never.stderr == "mlaudit: error: tiny has no warehouse at tiny.sqlite: nothing has been audited yet. Run `mlaudit run tiny.yaml` first, or check 'warehouse:' and 'root:' in the definition.\n")
        #expect(!fresh.exists("tiny.sqlite"))
    }

    @Test func ticketPrintsVerdictFindingsPathsAndThePinningHash() throws {
        let dir = Self.tinyFolder()
        #expect(try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path).status == 0)
        let r = try BuiltExecutable.run(["ticket", "tiny.yaml", "--date", "2026-02-01"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/tiny/2026-02-01/v1/manifest.json"))
        let verify = try BuiltExecutable.run(["verify", "tiny.yaml"], in: dir.path)
        let head = String(verify.stdout.split(separator: " ").last!.dropLast())
        #expect(r.stdout.hasPrefix("### Model audit tiny 2026-02-01 (v1): OK · Retraining not needed\n"))
        #expect(r.stdout.contains("- Report: `reports/tiny/2026-02-01/v1/report.html`"))
        #expect(r.stdout.contains("- Manifest: `reports/tiny/2026-02-01/v1/manifest.json`, SHA-256 `\(head)`"))
        #expect(head.count == 64 && !manifest.isEmpty)
        let none = try BuiltExecutable.run(["ticket", "tiny.yaml", "--date", "2026-03-01"], in: dir.path)
        #expect(none.status == 2)
        #expect(none.stderr == "mlaudit: error: tiny has no report for 2026-03-01. Run `mlaudit run tiny.yaml --date 2026-03-01` first.\n")
        let v3 = try BuiltExecutable.run(["ticket", "tiny.yaml", "--date", "2026-02-01", "--report-version", "3"], in: dir.path)
        #expect(v3.status == 64)
        #expect(v3.stderr == "mlaudit: error: tiny has no report v3 for 2026-02-01: the newest is v1. Give --report-version between 1 and 1, or leave it out for the newest.\n")
    }

    /// Two processes (different hash seeds) render copies of the same warehouse in two
    /// folders: every file is byte-identical, because rendering reads only the warehouse and
    /// shows recorded times, never the clock.
    @Test func renderingTheSameWarehouseTwiceGivesTheSameBytes() throws {
        let a = Self.tinyFolder()
        for stage in ["ingest", "validate", "profile"] {
            #expect(try BuiltExecutable.run([stage, "tiny.yaml", "--baseline"], in: a.path).status == 0)
        }
        for stage in ["ingest", "validate", "profile", "compare"] {
            #expect(try BuiltExecutable.run([stage, "tiny.yaml", "--date", "2026-02-01"], in: a.path).status == 0)
        }
        let b = TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: a.path) {
            try FileManager.default.copyItem(atPath: a.path + "/" + name, toPath: b.path + "/" + name)
        }
        for d in [a, b] {
            let r = try BuiltExecutable.run(["render", "tiny.yaml", "--date", "2026-02-01"], in: d.path)
            #expect(r.status == 0, "\(r.stderr)")
        }
        for file in ["2026-02-01/v1/report.html", "2026-02-01/v1/report.md", "2026-02-01/v1/summary.json", "2026-02-01/v1/manifest.json", "index.html", "index.md"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: a.path + "/reports/tiny/" + file))
            let y = try Data(contentsOf: URL(fileURLWithPath: b.path + "/reports/tiny/" + file))
            #expect(x == y, "\(file) differs")
        }
    }
}
