import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Pipeline

/// Due dates are found for every way a snapshot can be laid out: a file, a folder of parts,
/// a glob of parts (docs/ingest.md).
@Suite("Snapshot discovery")
struct SnapshotDiscoveryTests {
    func days(_ pattern: String, files: [String]) throws -> [String] {
        let dir = TemporaryDirectory()
        for f in files { dir.write(f, "x\n") }
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: \(pattern)"))
        return SnapshotDiscovery.days(loaded).map(\.description)
    }

    @Test func filesFoldersAndGlobs() throws {
        #expect(try days("days/{date}.csv", files: ["days/2026-02-01.csv", "days/2026-02-02.csv.tmp"]) == ["2026-02-01"])
        #expect(try days("days/{date}", files: ["days/2026-02-01/part-0.csv", "days/2026-02-02/_SUCCESS"]) == ["2026-02-01"])
        #expect(try days("days/{date}/part-*.csv.gz", files: ["days/2026-02-01/part-0.csv.gz", "days/2026-02-02/part-0.csv"]) == ["2026-02-01"])
        #expect(try days("days/{date}-part-*.csv", files: ["days/2026-02-01-part-1.csv", "days/2026-02-01-part-2.csv", "days/2026-02-03-part-1.csv", "days/2026-02-04.csv"]) == ["2026-02-01", "2026-02-03"])
        #expect(try days("d/dt={yyyymmdd}", files: ["d/dt=20260205/p.jsonl"]) == ["2026-02-05"])
    }

    /// Field trial 8: `day-2026-02-30.csv` matched no day and was skipped without a word. Such
    /// names are now listed (the run warns naming each); real dates and other files are not.
    @Test func namesWithImpossibleDatesAreListed() throws {
        let dir = TemporaryDirectory()
        for f in ["days/day-2026-02-28.csv", "days/day-2026-02-30.csv", "days/day-2026-13-01.csv", "days/day-2024-02-29.csv",
                  "days/day-2025-02-29.csv", "days/day-latest.csv", "days/day-2026-02-31.csv.tmp", "days/notes.txt"] {
            dir.write(f, "x\n")
        }
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: days/day-{date}.csv"))
        #expect(SnapshotDiscovery.days(loaded).map(\.description) == ["2024-02-29", "2026-02-28"])
        let pattern = loaded.resolve(loaded.definition.snapshots.path)
        let folder = (pattern as NSString).deletingLastPathComponent
        #expect(SnapshotDiscovery.misdated(matching: pattern) == ["day-2025-02-29.csv", "day-2026-02-30.csv", "day-2026-13-01.csv"].map { folder + "/" + $0 })
        let compact = dir.path + "/c/dt={yyyymmdd}.jsonl"
        dir.write("c/dt=20260230.jsonl", "{}\n")
        dir.write("c/dt=20260227.jsonl", "{}\n")
        #expect(SnapshotDiscovery.misdated(matching: compact) == [dir.path + "/c/dt=20260230.jsonl"])
    }

    /// A folder of many misdated files (names are data) gives at most `misdatedNamed` named
    /// lines and one counting the rest, each file named once and in order; escapes stay on.
    @Test func misdatedWarningsAreBoundedAndCountTheRest() {
        let paths = (0..<25).map { String(format: "d/2026-02-%02d\u{1B}[31m.csv", 30 + $0) }
        let lines = PipelineRunner.misdatedWarnings(pipeline: "p", what: "snapshot", pattern: "d/{date}.csv", paths: paths)
        #expect(lines.count == PipelineRunner.misdatedNamed + 1)
        #expect(lines.allSatisfy { !$0.unicodeScalars.contains("\u{1B}") })
        for (line, path) in zip(lines.dropLast(), paths) { #expect(line.contains("file '" + SafeText.terminal(path) + "'")) }
        #expect(lines.last == "p: skipped 15 more snapshot files named with a date that is not on the calendar (pattern 'd/{date}.csv'; the first 10 are named above)")
        let few = PipelineRunner.misdatedWarnings(pipeline: "p", what: "labels", pattern: "l/{date}.csv", paths: ["l/2026-02-30.csv"])
        #expect(few == ["p: skipped labels file 'l/2026-02-30.csv': its name has a date that is not on the calendar (pattern 'l/{date}.csv')"])
        let eleven = PipelineRunner.misdatedWarnings(pipeline: "p", what: "labels", pattern: "l/{date}.csv", paths: (0..<11).map { "l/\($0)" })
        #expect(eleven.last?.hasPrefix("p: skipped 1 more labels file named") == true)
    }
}
