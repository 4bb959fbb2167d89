import Foundation
import Testing
import TestSupport

/// `mlaudit init` as a user runs it: on the demo baseline, the drafted definition runs the
/// demo pipeline without edits (the issue's done-when).
@Suite("mlaudit init")
struct InitCommandTests {
    @Test func draftedDefinitionRunsTheDemoWithoutEdits() throws {
        let dir = TemporaryDirectory()
        let demo = try BuiltExecutable.run(["demo", "--out", "demo-data", "--days", "3", "--rows", "150", "--baseline-rows", "600"], in: dir.path)
        #expect(demo.status == 0, "\(demo.stderr)")
        let initialized = try BuiltExecutable.run(
            ["init", "demo-data/baseline.csv", "--target", "defaulted", "--prediction", "predicted_default",
             "--score", "default_probability", "--id", "request_id", "--timestamp", "ts", "--out", "pipelines/drafted.yaml"],
            in: dir.path)
        #expect(initialized.status == 0, "\(initialized.stderr)")
        #expect(initialized.stderr.contains("wrote pipelines/drafted.yaml"))
        let text = try #require(dir.read("pipelines/drafted.yaml"))
        #expect(text.contains("path: demo-data/snapshots/{date}.csv"))
        let run = try BuiltExecutable.run(["run", "pipelines/drafted.yaml"], in: dir.path)
        #expect(run.status == 0 || run.status == 1, "the audit ran: \(run.stderr)")
        #expect(run.stdout.split(separator: "\n").count == 3, "\(run.stdout)")
        for day in ["2026-11-01", "2026-11-02", "2026-11-03"] {
            #expect(dir.exists("reports/demo-data/\(day)/v1/summary.json"), "\(day)")
        }
        let again = try BuiltExecutable.run(
            ["init", "demo-data/baseline.csv", "--out", "pipelines/drafted.yaml"], in: dir.path)
        #expect(again.status == 64, "never overwrites without --force")
        #expect(again.stderr.contains("pipelines/drafted.yaml exists"))
    }

    @Test func printsToStdoutAndNamesUnknownColumns() throws {
        let dir = TemporaryDirectory()
        dir.write("train.csv", "a,b,label\n1,x,0\n2,y,1\n3,x,0\n4,y,1\n")
        let r = try BuiltExecutable.run(["init", "train.csv", "--target", "label"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("# Pipeline definition drafted by `mlaudit init`"))
        #expect(r.stdout.contains("  target: label"))
        let bad = try BuiltExecutable.run(["init", "train.csv", "--target", "z"], in: dir.path)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--target names column 'z', which is not in the baseline"))
    }

    /// README, "Audit your own model": its `mlaudit init` command (role flags and all), run as
    /// written on a generated look-alike of the data it describes (labels written 1.0/0.0 in the
    /// baseline and 1/0 in the snapshots, served at 0.3, integer region codes, a carried year and
    /// source, an ignored note), then `mlaudit run`: every day is clean.
    @Test func theReadmeWalkthroughRunsAsWritten() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.range(of: "## Audit your own model"))
        let start = try #require(text.range(of: "mlaudit init ", range: section.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\n#", range: start.upperBound..<text.endIndex))
        let command = text[start.lowerBound..<end.lowerBound].replacingOccurrences(of: "\\\n", with: " ")
        let arguments = command.split(separator: " ").dropFirst().map { $0.replacingOccurrences(of: "'", with: "") }

        let dir = TemporaryDirectory()
        func rows(_ n: Int, day: String, year: Int, labels: (Int) -> String) -> String {
            var out = "request_id,ts,age,region_code,year,source,note,score,approved,defaulted\n"
            for i in 0..<n {
                let score = Double((i * 7919) % 1000) / 1000
                let y = (i * 31) % 1000 < Int(score * 1000) ? 1 : 0
                out += "\(day)-\(i),\(day)T\(String(format: "%02d", i % 24)):\(String(format: "%02d", (i / 24) % 60)):00Z,"
                    + "\(18 + (i * 13) % 60),\(1 + (i * 7) % 9),\(year),\(["web", "app"][i % 2]),note \(i * 104_729 % 9973),"
                    + "\(score),\(score >= 0.3 ? 1 : 0),\(labels(y))\n"
            }
            return out
        }
        dir.write("data/baseline.csv", rows(2000, day: "2026-10-01", year: 2025) { "\($0).0" })
        let days = ["2026-11-01", "2026-11-02", "2026-11-03"]
        for d in days { dir.write("data/snapshots/\(d).csv", rows(1000, day: d, year: 2026) { "\($0)" }) }
        let drafted = try BuiltExecutable.run(arguments, in: dir.path)
        #expect(drafted.status == 0, "\(arguments): \(drafted.stderr)")
        let yaml = try #require(dir.read("pipelines/credit.yaml"))
        #expect(yaml.contains("    threshold: 0.3 "))
        #expect(yaml.contains("  carried: [year, source]") && yaml.contains("  ignored: [note]"))
        let run = try BuiltExecutable.run(["run", "pipelines/credit.yaml"], in: dir.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.contains(" ok v1 ") && $0.contains("critical=0 warning=0") }, "\(run.stdout)")
    }
}
