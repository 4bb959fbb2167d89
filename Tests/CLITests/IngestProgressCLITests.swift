import Foundation
import Testing
import TestSupport

/// Progress of `mlaudit ingest` when stderr is not a terminal: one summary line per file.
@Suite("Command line: ingest progress")
struct IngestProgressCLITests {
    @Test func oneSummaryLinePerFileOnStderr() throws {
        let dir = TemporaryDirectory()
        let text = TinyPipeline.yaml(root: dir.path).replacingOccurrences(of: "  path: days/{date}.csv", with: "  path: days/{date}")
        let path = dir.write("tiny.yaml", text)
        dir.write("days/2026-02-01/part-0.csv", TinyPipeline.csv(3))
        dir.write("days/2026-02-01/part-1.csv", TinyPipeline.csv(2) + "broken\n")
        let r = try BuiltExecutable.run(["ingest", path, "--date", "2026-02-01"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "tiny 2026-02-01 ingest: read=6 stored=5 quarantined=1 version=1 labels=0\n")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(r.stderr)")
        #expect(lines.first?.contains("ingest tiny 2026-02-01 \(dir.path)/days/2026-02-01/part-0.csv: 3 rows read, 3 stored, 0 quarantined, ") == true)
        #expect(lines.last?.contains("ingest tiny 2026-02-01 \(dir.path)/days/2026-02-01/part-1.csv: 3 rows read, 2 stored, 1 quarantined, ") == true)
        let quiet = try BuiltExecutable.run(["ingest", path, "--date", "2026-02-01", "--quiet"])
        #expect(quiet.stderr.isEmpty)
    }
}
