import Foundation
import Testing
import TestSupport

/// Runs the built `mlaudit` binary as a user would and checks exit status and output.
@Suite("Command line")
struct CommandLineTests {
    @Test func helpListsTheStages() throws {
        let r = try BuiltExecutable.run(["--help"])
        #expect(r.status == 0)
        for command in ["run", "ingest", "validate", "profile", "compare", "render", "demo", "init"] {
            #expect(r.stdout.contains("  \(command)"), "\(command)")
        }
        #expect(r.stdout.contains("Exit status: 0 ok; 1"))
    }

    @Test(arguments: ["run", "ingest", "validate", "profile", "compare", "render", "demo", "init"])
    func everySubcommandExplainsItself(_ command: String) throws {
        let r = try BuiltExecutable.run([command, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: mlaudit \(command)"))
        #expect(r.stdout.contains("OVERVIEW:"))
    }

    @Test func badUsageExits64() throws {
        let r = try BuiltExecutable.run(["run"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("Missing expected argument '<pipelines> ...'"))
        let noDate = try BuiltExecutable.run(["compare", "x.yaml"])
        #expect(noDate.status == 64)
        #expect(noDate.stderr.contains("Please give --date YYYY-MM-DD."))
        let badDate = try BuiltExecutable.run(["run", "x.yaml", "--date", "2026-13-01"])
        #expect(badDate.status == 64)
    }

    @Test func misspelledKeyExits2WithKeyAndLine() throws {
        let dir = TemporaryDirectory()
        let text = TinyPipeline.yaml(root: dir.path).replacingOccurrences(of: "warehouse: tiny.sqlite", with: "warehous: tiny.sqlite")
        let path = dir.write("tiny.yaml", text)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("warehous:") }! + 1
        let r = try BuiltExecutable.run(["run", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("tiny.yaml:\(line): unknown key 'warehous' at the top level. Did you mean 'warehouse'?"), "\(r.stderr)")
        #expect(r.stdout == "\(path) failed: unknown key 'warehous' at the top level\n", "one summary line, for cron mail")
    }

    /// With --log-format json every stderr line is a JSON object: log lines, errors, and what
    /// a notify command prints (which never reaches stdout, one line per date there).
    @Test func jsonLogsCoverErrorsAndNotifyOutput() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: ".", extra: "notify:\n  command: 'echo out-line; echo err-line >&2'"))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30))
        let r = try BuiltExecutable.run(["run", "tiny.yaml", "missing.yaml", "--log-format", "json", "--verbose"], in: dir.path)
        #expect(r.status == 2, "the missing definition is the worst result")
        let out = r.stdout.split(separator: "\n")
        #expect(out.count == 2 && out[0].hasPrefix("tiny 2026-02-01 ok v1 "), "\(r.stdout)")
        #expect(out.last == "missing.yaml failed: pipeline definition not found", "one stdout line for the pipeline that could not run")
        #expect(!r.stdout.contains("out-line"))
        var messages: [String] = []
        for line in r.stderr.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)")
            if let m = object?["message"] as? String { messages.append(m) }
        }
        #expect(messages.contains { $0.hasSuffix("said: out-line") })
        #expect(messages.contains { $0.hasSuffix("said: err-line") })
        #expect(messages.contains { $0.contains("missing.yaml") && $0.contains("not found") })
    }

    @Test func usageErrorsNameTheCommandAndTheDateFormat() throws {
        let noDate = try BuiltExecutable.run(["ingest", "x.yaml"])
        #expect(noDate.status == 64)
        #expect(noDate.stderr.contains("Please give --date YYYY-MM-DD or --baseline."))
        #expect(noDate.stderr.contains("Usage: mlaudit ingest"))
        let badDate = try BuiltExecutable.run(["run", "x.yaml", "--date", "22-11-2026"])
        #expect(badDate.status == 64)
        #expect(badDate.stderr.contains("The value '22-11-2026' is invalid for '--date <YYYY-MM-DD>'"))
    }

    @Test func aDataFileOrAFolderIsNotADefinition() throws {
        let dir = TemporaryDirectory()
        let csv = dir.write("base.csv", "x,c\n" + String(repeating: "1,2\n", count: 5000))
        let data = try BuiltExecutable.run(["run", csv])
        #expect(data.status == 2)
        #expect(data.stderr.contains("looks like a data file, not a pipeline definition (YAML)"))
        #expect(data.stderr.contains("mlaudit init \(csv)"))
        let folder = try BuiltExecutable.run(["run", dir.path])
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("is a folder, not a pipeline definition file"))
        #expect(!folder.stderr.contains("NSCocoaErrorDomain"))
        let long = dir.write("long.yaml", String(repeating: "word ", count: 400))
        let r = try BuiltExecutable.run(["run", long])
        #expect(r.status == 2)
        #expect(r.stderr.count < 800, "a long scalar is shown by its start: \(r.stderr.count) characters")
        #expect(r.stderr.contains("(1999 characters)"))
    }

    @Test func missingSnapshotIsAClearMessage() throws {
        let dir = TemporaryDirectory()
        _ = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(20, day: "2026-01-01"))
        let r = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml", "--date", "2026-02-01"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("snapshot for 2026-02-01 not found"))
        #expect(r.stderr.contains("days/2026-02-01.csv"))
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
        #expect(r.stdout.contains("tiny 2026-02-01 failed at ingest"))
    }

    @Test func runWritesReportsAndOneLinePerDate() throws {
        let dir = TemporaryDirectory()
        _ = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30))
        dir.write("days/2026-02-02.csv", TinyPipeline.csv(30, day: "2026-02-02"))
        let r = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("tiny 2026-02-01 ok v1 retraining=not_needed critical=0 warning=0 ") == true)
        #expect(dir.exists("reports/tiny/2026-02-02/v1/report.html"))
        let again = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"])
        #expect(again.status == 0)
        #expect(again.stdout == "tiny: nothing to do (no new snapshot)\n")
    }

    @Test func demoWritesTheSameBytesTwice() throws {
        let a = TemporaryDirectory(), b = TemporaryDirectory()
        for d in [a, b] {
            let r = try BuiltExecutable.run(["demo", "--out", d.path, "--days", "3", "--rows", "50", "--baseline-rows", "100"])
            #expect(r.status == 0)
        }
        for file in ["baseline.csv", "snapshots/2026-11-03.csv", "model/serving/2026-11-02.json"] {
            #expect(a.read(file) != nil)
            #expect(a.read(file) == b.read(file), "\(file)")
        }
    }
}

@Suite("Command line: operations")
struct OperationsCommandLineTests {
    func tiny(days: [String] = ["2026-02-01"], extra: String = "") throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        _ = try TinyPipeline.load(dir, extra: extra)
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        for d in days { dir.write("days/\(d).csv", TinyPipeline.csv(30, day: d)) }
        return dir
    }

    @Test func exitStatusReflectsTheWorstPipeline() throws {
        let good = try tiny()
        // A null spike on x makes a critical finding: exit 1 at the default --fail-on.
        let bad = try tiny()
        var rows = [TinyPipeline.header]
        for i in 0..<30 { rows.append(TinyPipeline.row(i, x: i < 10 ? "" : nil)) }
        bad.write("days/2026-02-01.csv", rows.joined(separator: "\n") + "\n")
        let one = try BuiltExecutable.run(["run", good.path + "/tiny.yaml", bad.path + "/tiny.yaml"])
        #expect(one.status == 1)
        #expect(one.stdout.contains("tiny 2026-02-01 ok v1"))
        #expect(one.stdout.contains("tiny 2026-02-01 critical v1"))
        // --fail-on warning on a clean day: still 0.
        let clean = try BuiltExecutable.run(["run", good.path + "/tiny.yaml", "--fail-on", "warning", "--force"])
        #expect(clean.status == 0)
        // A broken pipeline next to a good one: the good one still runs; exit 2.
        let broken = try tiny()
        try FileManager.default.removeItem(atPath: broken.path + "/baseline.csv")
        let other = try tiny(days: ["2026-02-03"])
        let two = try BuiltExecutable.run(["run", broken.path + "/tiny.yaml", other.path + "/tiny.yaml"])
        #expect(two.status == 2)
        #expect(two.stderr.contains("baseline file not found"))
        #expect(two.stdout.contains("tiny 2026-02-03 ok v1"))
    }

    @Test func jsonLogsForCollectors() throws {
        let dir = try tiny()
        let r = try BuiltExecutable.run(["run", dir.path + "/tiny.yaml", "--verbose", "--log-format", "json"])
        #expect(r.status == 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["message"] != nil && object?["time"] != nil, "\(line)")
        }
    }

    @Test func vacuumReclaimsSpace() throws {
        let dir = try tiny()
        #expect(try BuiltExecutable.run(["run", dir.path + "/tiny.yaml"]).status == 0)
        let r = try BuiltExecutable.run(["vacuum", dir.path + "/tiny.yaml"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("tiny: \(dir.path)/tiny.sqlite "))
    }
}
