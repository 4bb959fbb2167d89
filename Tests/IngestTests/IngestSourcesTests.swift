import AuditModel
import Foundation
import Logging
import Testing
import TestSupport
import Warehouse

@testable import Ingest

/// Multi-part and gzip snapshots, their provenance and idempotence; JSON Lines values; labels
/// through the same readers; messages of the damage and header findings; progress reporting.
@Suite("Ingest sources")
struct IngestSourcesTests {
    let day = Day("2026-02-01")!

    func stage(_ dir: TemporaryDirectory, replacing: (String, String)? = nil, progress: (any IngestProgressReporter)? = nil)
        throws -> (IngestStage, Warehouse)
    {
        let loaded = try TinyPipeline.load(dir, replacing: replacing)
        let warehouse = try Warehouse(path: loaded.warehousePath)
        return (IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: progress), warehouse)
    }

    func sha256(_ bytes: [UInt8]) -> String { FileDigest.of(data: Data(bytes)).sha256 }

    // MARK: Parts

    @Test func partsAreRecordedAndHashedAsAListing() throws {
        let dir = TemporaryDirectory()
        let a = Array("\(h)\n\(r0)\n\(r1)\n".utf8)
        let b = GzipFixture.gzip("\(h)\n\(r2)\n\(TinyPipeline.row(3, x: "bad"))\n")
        dir.write("days/2026-02-01/part-0000.csv", bytes: a)
        dir.write("days/2026-02-01/part-0001.csv.gz", bytes: b)
        dir.write("days/2026-02-01/_SUCCESS", "")
        let (stage, warehouse) = try stage(dir, replacing: snapshots("  path: days/{date}"))
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(outcome.rowsStored == 3 && outcome.rowsQuarantined == 1)
        let (snapshot, parts, quarantined) = try warehouse.read { store in
            (try store.snapshot(id: outcome.snapshotId), try store.snapshotParts(snapshotId: outcome.snapshotId),
             try store.quarantined(snapshotId: outcome.snapshotId))
        }
        let listing = "\(sha256(a))  part-0000.csv\n\(sha256(b))  part-0001.csv.gz\n"
        #expect(snapshot?.sha256 == sha256(Array(listing.utf8)))
        #expect(snapshot?.bytes == a.count + b.count)
        #expect(snapshot?.sourcePath == dir.path + "/days/2026-02-01")
        #expect(parts.map(\.name) == ["part-0000.csv", "part-0001.csv.gz"])
        #expect(parts.map(\.compression) == ["none", "gzip"])
        #expect(parts.map(\.format) == ["csv", "csv"])
        #expect(parts.map(\.sha256) == [sha256(a), sha256(b)])
        #expect(parts.map(\.rowsRead) == [2, 2])
        #expect(parts.map(\.rowsQuarantined) == [0, 1])
        #expect(parts[1].dataBytes == "\(h)\n\(r2)\n\(TinyPipeline.row(3, x: "bad"))\n".utf8.count)
        #expect(quarantined.map(\.file) == [dir.path + "/days/2026-02-01/part-0001.csv.gz"])
        #expect(quarantined.map(\.line) == [3])
    }

    @Test func sameMultiPartBytesAreANoOpAndAChangedPartIsANewVersion() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01/part-0000.csv", "\(h)\n\(r0)\n")
        dir.write("days/2026-02-01/part-0001.csv.gz", bytes: GzipFixture.gzip("\(h)\n\(r1)\n"))
        let (stage, warehouse) = try stage(dir, replacing: snapshots("  path: days/{date}"))
        let first = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let again = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(again.unchanged && again.snapshotId == first.snapshotId)
        // Same size, different bytes: hashed before loading, found different, loaded.
        dir.write("days/2026-02-01/part-0001.csv.gz", bytes: GzipFixture.gzip("\(h)\n\(TinyPipeline.row(1, color: "blu"))\n"))
        let sameSize = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(!sameSize.unchanged && sameSize.version == 2)
        // A new part: a new version again.
        dir.write("days/2026-02-01/part-0002.csv", "\(h)\n\(r2)\n")
        let third = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(third.version == 3 && third.rowsStored == 3)
        let (versions, findings, oldRows) = try warehouse.read { store in
            (try store.snapshotVersions(pipelineId: 1, kind: .daily, date: "2026-02-01"),
             try store.findings(snapshotId: third.snapshotId, stage: .ingest),
             try store.storedRowCount(try store.rowTable(pipelineId: 1, columns: []), snapshotId: first.snapshotId))
        }
        #expect(versions.map(\.status) == ["superseded", "superseded", "current"])
        #expect(Set(versions.map(\.sha256)).count == 3)
        #expect(findings.map(\.check) == ["ingest.snapshot_replaced"])
        #expect(oldRows == 2)
    }

    @Test func gzipSnapshotIsIdempotent() throws {
        let dir = TemporaryDirectory()
        let gz = GzipFixture.gzip(TinyPipeline.csv(5))
        dir.write("days/2026-02-01.csv", bytes: gz)
        let (stage, warehouse) = try stage(dir)
        let first = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let again = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(first.rowsStored == 5 && again.unchanged)
        let snapshot = try warehouse.read { try $0.snapshot(id: first.snapshotId) }
        #expect(snapshot?.sha256 == sha256(gz), "a single file's hash is its bytes' hash (compressed)")
    }

    @Test func missingFolderAndUnmatchedGlobAreClearErrors() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01/_SUCCESS", "")
        let (folder, _) = try stage(dir, replacing: snapshots("  path: days/{date}"))
        #expect(throws: MLAuditError(
            .unreadableInput, "snapshot for 2026-02-01 is a folder with no part files", file: dir.path + "/days/2026-02-01",
            hint: "The upstream export has not written its parts yet (names starting with '.' or '_' are not parts).")
        ) { try folder.run(.day(day), runId: nil, stageRunId: nil) }
        let (glob, _) = try stage(dir, replacing: snapshots("  path: days/{date}-part-*.csv"))
        #expect(throws: MLAuditError(
            .unreadableInput, "no file matches the pattern of the snapshot for 2026-02-01",
            file: dir.path + "/days/2026-02-01-part-*.csv",
            hint: "Check the path pattern in the definition, or that the upstream export has run for this date.")
        ) { try glob.run(.day(day), runId: nil, stageRunId: nil) }
    }

    /// A part whose file name is not valid UTF-8 cannot be opened through a String path: the
    /// snapshot is refused with the names, never loaded without it.
    @Test func partNamesThatAreNotUTF8AreAnErrorNotASkip() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01/part-ok.csv", TinyPipeline.csv(3))
        var raw = Array((dir.path + "/days/2026-02-01/part-").utf8) + [0xFF] + Array(".csv".utf8) + [0]
        let fd = raw.withUnsafeMutableBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { open($0, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        #expect(throws: MLAuditError.self) { try SnapshotParts.resolve(dir.path + "/days/2026-02-01") }
        do {
            _ = try SnapshotParts.resolve(dir.path + "/days/2026-02-01")
        } catch let e as MLAuditError {
            #expect(e.message.hasPrefix("the snapshot folder holds 1 file whose name is not valid UTF-8 (part-\\xff.csv)"), "\(e.message)")
        }
        #expect(throws: MLAuditError.self) { try SnapshotParts.resolve(dir.path + "/days/2026-02-01/part-*.csv") }
        #expect(SnapshotParts.exists(dir.path + "/days/2026-02-01"), "the date is due, so that running it reports the problem")
    }

    @Test func delimiterMustBeOneCharacter() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(2))
        let (stage, _) = try stage(dir, replacing: snapshots("  path: days/{date}.csv\n  delimiter: \"\\\"\""))
        do {
            _ = try stage.run(.day(day), runId: nil, stageRunId: nil)
            Issue.record("expected an error")
        } catch let e as MLAuditError {
            #expect(e.code == .invalidDefinition)
            #expect(e.key == "snapshots.delimiter")
            #expect(e.line == 11)
            #expect(e.message == "the delimiter cannot be a quote or a line break")
        }
    }

    // MARK: Damage and header findings

    @Test func truncatedGzipFindingSaysWhatIsMissing() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", bytes: truncatedGzip)
        let (stage, warehouse) = try stage(dir)
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let (findings, parts) = try warehouse.read {
            (try $0.findings(snapshotId: outcome.snapshotId, stage: .ingest), try $0.snapshotParts(snapshotId: outcome.snapshotId))
        }
        let damage = "the gzip stream is truncated (it ends after \(truncatedGzip.count) compressed bytes, inside a member)"
        #expect(findings.first?.message == "\(damage): rows after the damage are missing from this snapshot")
        #expect(findings.first?.severity == .critical)
        #expect(parts.first?.damage == damage)
    }

    @Test func corruptGzipNamesZlibsReason() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", bytes: badChecksumGzip)
        let (stage, warehouse) = try stage(dir)
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let findings = try warehouse.read { try $0.findings(snapshotId: outcome.snapshotId, stage: .ingest) }
        #expect(findings.map(\.message) == [
            "the gzip data is corrupt (incorrect data check, near compressed byte \(badChecksumGzip.count - 4)): rows after the damage are missing from this snapshot"
        ])
    }

    @Test func headerMismatchFindingSuggestsTheCause() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", "\(h)\n\(r0)\n".replacingOccurrences(of: ",", with: ";"))
        let (stage, warehouse) = try stage(dir)
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let findings = try warehouse.read { try $0.findings(snapshotId: outcome.snapshotId, stage: .ingest) }
        #expect(findings.first?.message == "the header (\(h.replacingOccurrences(of: ",", with: ";"))) names none of the declared columns: the file has no header line, or its delimiter is not the one configured; every row is set aside")
        #expect(findings.first?.severity == .critical)
    }

    // MARK: JSON Lines

    /// Issue 11 (d) and (a) in JSON Lines: a key in `schema.ignored` is dropped (not in
    /// `mlaudit_extra`), other undeclared keys are kept; labels written as JSON `1.0`, `true` and
    /// `"1"` are the class 1.
    @Test func jsonLinesIgnoredKeysAndLabelsByValue() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.jsonl", """
            {"id":"a","pred":1.0,"y":true,"meta":{"a":1},"extra":"kept"}
            {"id":"b","pred":"1","y":0.0,"meta":"x"}
            {"id":"c","pred":false,"y":"0"}

            """)
        let loaded = try TinyPipeline.load(dir, replacing: (
            "  path: days/{date}.csv\nlabels:\n  path: labels/{date}.csv\nschema:\n  id: id\n",
            "  path: days/{date}.jsonl\nlabels:\n  path: labels/{date}.csv\nschema:\n  id: id\n  ignored: [meta]\n"))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let outcome = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(day), runId: nil, stageRunId: nil)
        let (cols, extras) = try warehouse.read { store in
            let table = try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns)
            return (try store.readColumns(table, snapshotId: outcome.snapshotId, columns: ["pred", "y"]),
                    try store.extraColumns(table, snapshotId: outcome.snapshotId))
        }
        #expect(extras == ["{\"extra\":\"kept\"}", nil, nil])
        guard case .labels(let pred)? = cols["pred"], case .labels(let y)? = cols["y"] else {
            Issue.record("unexpected column kinds")
            return
        }
        #expect((0..<3).map { pred.value(at: $0) } == ["1", "1", "0"])
        #expect((0..<3).map { y.value(at: $0) } == ["1", "0", "0"])
    }

    @Test func jsonLinesValuesNestedTextAndExtras() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.jsonl", jsonLines)
        let (stage, warehouse) = try stage(dir, replacing: snapshots("  path: days/{date}.jsonl"))
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let loaded = try TinyPipeline.load(dir, replacing: snapshots("  path: days/{date}.jsonl"))
        let (cols, extras, lines, header) = try warehouse.read { store in
            let table = try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns)
            return (
                try store.readColumns(table, snapshotId: outcome.snapshotId, columns: ["x", "n", "color", "flag", "ts"]),
                try store.extraColumns(table, snapshotId: outcome.snapshotId),
                try store.storedLines(table, snapshotId: outcome.snapshotId),
                try store.snapshot(id: outcome.snapshotId)?.header
            )
        }
        guard case .numeric(let x)? = cols["x"], case .numeric(let n)? = cols["n"], case .labels(let color)? = cols["color"],
            case .numeric(let flag)? = cols["flag"], case .labels(let ts)? = cols["ts"]
        else {
            Issue.record("unexpected column kinds")
            return
        }
        #expect(lines == [1, 3, 7])
        #expect(x.values[0] == 1.5 && x.values[1] == 2.5 && x.values[2].isNaN && !x.nulls[2])
        #expect(n.values[0] == 3 && n.nulls[1] && n.nulls[2])
        #expect((0..<3).map { color.value(at: $0) } == ["red", "blue", "{\"k\":\"v\"}"])
        #expect(flag.values[0] == 1 && flag.values[1] == 0 && flag.nulls[2])
        #expect((0..<3).map { ts.value(at: $0) } == ["2026-02-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"])
        #expect(extras == [nil, "{\"meta\":{\"a\":[1,2]}}", "{\"extra\":\"é\"}"])
        #expect(header == ["id", "ts", "x", "n", "color", "flag", "score", "pred", "y", "latency_ms", "meta", "extra"])
    }

    @Test func jsonStringEscapesAreDecoded() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.jsonl", "{\"id\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude80\\/\",\"x\":\"1e3\"}\n")
        let (stage, warehouse) = try stage(dir, replacing: snapshots("  path: days/{date}.jsonl"))
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let loaded = try TinyPipeline.load(dir, replacing: snapshots("  path: days/{date}.jsonl"))
        let cols = try warehouse.read { store in
            try store.readColumns(
                try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns), snapshotId: outcome.snapshotId,
                columns: ["id", "x"])
        }
        guard case .labels(let id)? = cols["id"], case .numeric(let x)? = cols["x"] else {
            Issue.record("unexpected column kinds")
            return
        }
        #expect(id.value(at: 0) == "a\"b\\c\né🚀/")
        #expect(x.values == [1000])
    }

    // MARK: Labels

    @Test func labelsUseTheSameReadersJSONLinesAndGzip() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(3))
        dir.write("labels/2026-02-01.jsonl.gz", bytes: GzipFixture.gzip("{\"id\":\"id0\",\"y\":1}\n{\"y\":0}\n{\"id\":\"id2\",\"y\":null}\nnot json\n"))
        let (stage, warehouse) = try stage(dir, replacing: ("  path: labels/{date}.csv", "  path: labels/{date}.jsonl.gz"))
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(outcome.labelsLoaded == 2)
        let (labelsSnapshot, quarantined) = try warehouse.read { store in
            let s = try store.currentSnapshot(pipelineId: 1, kind: .labels, date: "2026-02-01")
            return (s, try store.quarantined(snapshotId: s!.id))
        }
        #expect(labelsSnapshot?.rowsRead == 4 && labelsSnapshot?.rowsQuarantined == 2)
        #expect(quarantined.map(\.reason) == [
            "column 'id': the value is missing (this column is required)",
            "the line is not a JSON object (it starts with 'n')",
        ])
        let labels = try warehouse.read { try $0.labels(snapshotId: labelsSnapshot!.id) }
        #expect(labels == ["id0": "1"])
    }

    @Test func labelsWithoutTheLabelColumnAreSetAsideWithAFinding() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(3))
        dir.write("labels/2026-02-01.csv", "id,label\nid0,1\nid1,0\n")
        let (stage, warehouse) = try stage(dir)
        let outcome = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(outcome.labelsLoaded == 0)
        let findings = try warehouse.read { try $0.findings(snapshotId: outcome.snapshotId, stage: .ingest) }
        #expect(findings.map(\.check) == ["ingest.quarantined_rows", "ingest.header_mismatch"])
        #expect(findings.last?.message == "labels file: the file has no 'y' column (header: id, label); every row is set aside")
    }

    // MARK: Files changing under the reader

    @Test func aFileWrittenWhileReadIsDetected() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("f.csv", "a,b\n1,2\n")
        let file = try FileByteSource(path: path)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        defer { buffer.deallocate() }
        while try file.read(into: buffer, capacity: 64) > 0 {}
        #expect(file.unchangedSinceOpen())
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("3,4\n".utf8))
        try handle.close()
        #expect(!file.unchangedSinceOpen())
    }

    // MARK: Progress

    @Test func progressIsReportedPerLoadAndPerFile() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01/a.csv", TinyPipeline.csv(4))
        dir.write("days/2026-02-01/b.csv", TinyPipeline.csv(2))
        let recorder = RecordingProgress()
        let (stage, _) = try stage(dir, replacing: snapshots("  path: days/{date}"), progress: recorder)
        _ = try stage.run(.day(day), runId: nil, stageRunId: nil)
        let total = TinyPipeline.csv(4).utf8.count + TinyPipeline.csv(2).utf8.count
        #expect(recorder.events.first == "begin tiny 2026-02-01 \(total)")
        #expect(recorder.events.last == "end tiny 2026-02-01 a.csv:4/4/0 b.csv:2/2/0")
        #expect(recorder.events.contains("update 6 \(total)"))
    }

    @Test func terminalProgressRewritesOneLineAndEndsWithASummary() {
        let output = OutputBox()
        let p = TerminalIngestProgress(write: { output.text += $0 })
        p.begin("tiny 2026-02-01", totalBytes: 2_097_152)
        p.update(rows: 1234, bytesDone: 1_048_576)
        p.update(rows: 1300, bytesDone: 1_100_000)  // within 0.1 s: not drawn
        p.end("tiny 2026-02-01", files: [
            IngestFileSummary(path: "d.csv", rowsRead: 2000, rowsStored: 1999, rowsQuarantined: 1, bytes: 2_097_152, compression: "none", format: "csv")
        ], seconds: 2)
        let parts = output.text.components(separatedBy: "\r\u{1B}[2K").filter { !$0.isEmpty }
        #expect(parts.count == 2)
        #expect(parts[0].hasPrefix("ingest tiny 2026-02-01: 1,234 rows, 1.0/2.0 MB, "))
        #expect(parts[1] == "ingest tiny 2026-02-01: 2,000 rows read, 1,999 stored, 1 quarantined, 2.0 MB in 2.00 s (1.0 MB/s)\n")
    }

    @Test func logProgressWritesOneLinePerFile() {
        let box = OutputBox()
        let logger = Logger(label: "t", factory: { _ in CapturingLogHandler(box: box) })
        let p = LogIngestProgress(logger: logger)
        p.end("tiny 2026-02-01", files: [
            IngestFileSummary(path: "d/a.csv", rowsRead: 10, rowsStored: 10, rowsQuarantined: 0, bytes: 3_145_728, compression: "none", format: "csv"),
            IngestFileSummary(path: "d/b.csv.gz", rowsRead: 5, rowsStored: 4, rowsQuarantined: 1, bytes: 1_048_576, compression: "gzip", format: "csv"),
        ], seconds: 4)
        #expect(box.text == """
            notice ingest tiny 2026-02-01 d/a.csv: 10 rows read, 10 stored, 0 quarantined, 3.0 MB in 3.00 s (1.0 MB/s)
            notice ingest tiny 2026-02-01 d/b.csv.gz: 5 rows read, 4 stored, 1 quarantined, 1.0 MB in 1.00 s (1.0 MB/s)

            """)
    }
}

final class OutputBox: @unchecked Sendable {
    var text = ""
}

final class RecordingProgress: IngestProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var log: [String] = []
    var events: [String] { lock.withLock { log } }

    func begin(_ label: String, totalBytes: Int) { lock.withLock { log.append("begin \(label) \(totalBytes)") } }
    func update(rows: Int, bytesDone: Int) { lock.withLock { log.append("update \(rows) \(bytesDone)") } }
    func abandon() { lock.withLock { log.append("abandon") } }
    func end(_ label: String, files: [IngestFileSummary], seconds: Double) {
        let summary = files.map { "\(($0.path as NSString).lastPathComponent):\($0.rowsRead)/\($0.rowsStored)/\($0.rowsQuarantined)" }
        lock.withLock { log.append("end \(label) \(summary.joined(separator: " "))") }
    }
}

struct CapturingLogHandler: LogHandler {
    let box: OutputBox
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { box.text += "\(event.level) \(event.message)\n" }
}
