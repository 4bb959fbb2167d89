import Foundation
import Testing
import TestSupport

/// `mlaudit init` as a user runs it: on the demo baseline, the drafted definition runs the
/// demo pipeline without edits (the done-when).
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
}
