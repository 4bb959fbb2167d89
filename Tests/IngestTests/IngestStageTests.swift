import AuditModel
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Ingest

/// One adversarial input and what ingest must make of it.
struct IngestCase: Sendable, CustomStringConvertible {
    let name: String
    let bytes: [UInt8]
    let stored: Int
    let quarantined: Int
    /// Expected quarantine reasons, in line order.
    let reasons: [String]
    /// Expected lines of quarantined rows.
    let lines: [Int]
    var description: String { name }

    init(_ name: String, _ text: String, stored: Int, quarantined: Int = 0, reasons: [String] = [], lines: [Int] = []) {
        self.init(name, bytes: Array(text.utf8), stored: stored, quarantined: quarantined, reasons: reasons, lines: lines)
    }

    init(_ name: String, bytes: [UInt8], stored: Int, quarantined: Int = 0, reasons: [String] = [], lines: [Int] = []) {
        self.name = name
        self.bytes = bytes
        self.stored = stored
        self.quarantined = quarantined
        self.reasons = reasons
        self.lines = lines
    }
}

let h = TinyPipeline.header
let r0 = TinyPipeline.row(0), r1 = TinyPipeline.row(1), r2 = TinyPipeline.row(2)

let ingestCases: [IngestCase] = [
    IngestCase("clean LF", "\(h)\n\(r0)\n\(r1)\n\(r2)\n", stored: 3),
    IngestCase("CRLF and no final newline", "\(h)\r\n\(r0)\r\n\(r1)\r\n\(r2)", stored: 3),
    IngestCase("UTF-8 BOM", "\u{FEFF}\(h)\n\(r0)\n", stored: 1),
    IngestCase("blank lines are skipped", "\(h)\n\n\(r0)\n\n\n\(r1)\n", stored: 2),
    IngestCase(
        "ragged rows", "\(h)\n\(r0)\nid9,2026-02-01T00:00:00Z,1\n\(r1),extra\n", stored: 1, quarantined: 2,
        reasons: ["expected 10 fields, found 3", "expected 10 fields, found 11"], lines: [3, 4]),
    IngestCase(
        "text in a number", "\(h)\n\(TinyPipeline.row(0, x: "abc"))\n\(r1)\n", stored: 1, quarantined: 1,
        reasons: ["column 'x': 'abc' is not a number"], lines: [2]),
    IngestCase(
        "quoted fields with delimiters, doubled quotes and newlines",
        "\(h)\n\(TinyPipeline.row(0, color: "\"red\""))\nid1,2026-02-01T00:00:01Z,\"1,5\",1,\"gr\"\"een\",false,0.1,0,0,20\nid2,2026-02-01T00:00:02Z,3,1,\"bl\nue\",false,0.1,0,0,20\n\(r0)\n",
        stored: 3, quarantined: 1, reasons: ["column 'x': '1,5' is not a number"], lines: [3]),
    IngestCase(
        "unterminated quote costs one row", "\(h)\n\(r0)\nid1,2026-02-01T00:00:01Z,1,1,\"red,false,0.1,0,0,20\n\(r2)\n",
        stored: 2, quarantined: 1,
        reasons: ["unterminated quoted field (a quote opened on line 3 never closes)"], lines: [3]),
    IngestCase(
        "characters after a closing quote", "\(h)\n\"id0\"x,2026-02-01T00:00:00Z,1,1,red,false,0.1,0,0,20\n\(r1)\n",
        stored: 1, quarantined: 1, reasons: ["characters after a closing quote in field 1"], lines: [2]),
    IngestCase("empty file", "", stored: 0),
    IngestCase("header only", "\(h)\n", stored: 0),
    IngestCase(
        "invalid UTF-8 in a category",
        bytes: Array("\(h)\n".utf8) + Array("id0,2026-02-01T00:00:00Z,1,1,".utf8) + [0xC3, 0x28] + Array(",false,0.1,0,0,20\n\(r1)\n".utf8),
        stored: 1, quarantined: 1, reasons: ["column 'color': '\u{FFFD}(' is not valid UTF-8"], lines: [2]),
    IngestCase("Unicode values", "\(h)\n\(TinyPipeline.row(0, color: "rouge-été-🚀"))\n", stored: 1),
    IngestCase(
        "bad timestamp and bad boolean",
        "\(h)\nid0,noon,1,1,red,false,0.1,0,0,20\nid1,2026-02-01T00:00:01Z,1,1,red,perhaps,0.1,0,0,20\n", stored: 0,
        quarantined: 2,
        reasons: [
            "column 'ts': 'noon' is not a timestamp (ISO 8601 or epoch seconds/milliseconds)",
            "column 'flag': 'perhaps' is not a boolean (true/false, 1/0, yes/no)",
        ], lines: [2, 3]),
    IngestCase("nulls in every spelling", "\(h)\nid0,2026-02-01T00:00:00Z,NA,,None,null,NaN,0,,20\n", stored: 1),
]

@Suite("Ingest")
struct IngestStageTests {
    func ingest(_ dir: TemporaryDirectory, day: String = "2026-02-01", extra: String = "") throws -> (IngestOutcome, Warehouse, LoadedDefinition) {
        let loaded = try TinyPipeline.load(dir, extra: extra)
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let stage = IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger)
        return (try stage.run(.day(Day(day)!), runId: nil, stageRunId: nil), warehouse, loaded)
    }

    @Test(arguments: ingestCases)
    func adversarialInput(_ c: IngestCase) throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", bytes: c.bytes)
        let (outcome, warehouse, _) = try ingest(dir)
        #expect(outcome.rowsStored == c.stored)
        #expect(outcome.rowsQuarantined == c.quarantined)
        #expect(outcome.rowsRead == c.stored + c.quarantined)
        let q = try warehouse.read { try $0.quarantined(snapshotId: outcome.snapshotId) }
        #expect(q.map(\.reason) == c.reasons)
        #expect(q.map(\.line) == c.lines)
        let stored = try warehouse.read { store in
            try store.storedRowCount(try store.rowTable(pipelineId: 1, columns: []), snapshotId: outcome.snapshotId)
        }
        #expect(stored == c.stored)
    }

    @Test func storedValuesAreTyped() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", "\(h)\nid0,2026-02-01T01:02:03+01:00,12.5,7,\"gr\"\"een\",yes,0.25,1,0,20\nid1,1769904000,nan,NA,blue,0,inf,0,1,\n")
        let (outcome, warehouse, loaded) = try ingest(dir)
        let cols = try warehouse.read { store in
            try store.readColumns(
                try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns), snapshotId: outcome.snapshotId,
                columns: ["ts", "x", "n", "color", "flag", "score", "latency_ms"])
        }
        guard case .labels(let ts)? = cols["ts"], case .numeric(let x)? = cols["x"], case .numeric(let n)? = cols["n"],
            case .labels(let color)? = cols["color"], case .numeric(let flag)? = cols["flag"],
            case .numeric(let score)? = cols["score"], case .numeric(let latency)? = cols["latency_ms"]
        else {
            Issue.record("unexpected column kinds")
            return
        }
        #expect(ts.value(at: 0) == "2026-02-01T00:02:03.000Z")
        #expect(ts.value(at: 1) == "2026-02-01T00:00:00.000Z")
        #expect(x.values[0] == 12.5)
        #expect(x.values[1].isNaN && !x.nulls[1], "NaN is a value, not a null")
        #expect(n.values[0] == 7 && n.nulls[1])
        #expect(color.value(at: 0) == "gr\"een")
        #expect(flag.values == [1, 0])
        #expect(score.values[1] == .infinity)
        #expect(latency.nulls == [false, true])
    }

    @Test func sameBytesTwiceIsANoOp() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(5))
        let (first, warehouse, loaded) = try ingest(dir)
        let again = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        #expect(!first.unchanged)
        #expect(again.unchanged)
        #expect(again.snapshotId == first.snapshotId)
        let versions = try warehouse.read { try $0.snapshotVersions(pipelineId: 1, kind: .daily, date: "2026-02-01") }
        #expect(versions.count == 1)
    }

    @Test func changedBytesMakeANewVersionAndKeepTheOld() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(5))
        let (first, warehouse, loaded) = try ingest(dir)
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(7))
        let second = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        #expect(second.version == 2)
        #expect(second.rowsStored == 7)
        let versions = try warehouse.read { try $0.snapshotVersions(pipelineId: 1, kind: .daily, date: "2026-02-01") }
        #expect(versions.map(\.status) == ["superseded", "current"])
        #expect(versions.map(\.rowsStored) == [5, 7])
        let findings = try warehouse.read { try $0.findings(snapshotId: second.snapshotId, stage: .ingest) }
        #expect(findings.map(\.check) == ["ingest.snapshot_replaced"])
        let oldRows = try warehouse.read { store in
            try store.storedRowCount(try store.rowTable(pipelineId: 1, columns: []), snapshotId: first.snapshotId)
        }
        #expect(oldRows == 5)
    }

    @Test func missingFileIsAClearError() throws {
        let dir = TemporaryDirectory()
        do {
            _ = try ingest(dir)
            Issue.record("expected an error")
        } catch let e as MLAuditError {
            #expect(e.code == .unreadableInput)
            #expect(e.message == "snapshot for 2026-02-01 not found")
            #expect(e.file == dir.path + "/days/2026-02-01.csv")
        }
    }

    @Test func headerProblemsAreFindings() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", "id,ts,x,x,,n,color,flag,score,pred,y,latency_ms\nid0,2026-02-01,1,2,z,3,red,true,0.5,1,1,20\n")
        let (outcome, warehouse, _) = try ingest(dir)
        #expect(outcome.rowsStored == 1)
        let messages = try warehouse.read { try $0.findings(snapshotId: outcome.snapshotId, stage: .ingest) }.map(\.message)
        #expect(messages == [
            "header name 'x' appears twice (fields 3 and 4); the first is used",
            "header field 5 is blank; its values are kept as 'column_5'",
        ])
    }

    @Test func typeErrorsCanBecomeNulls() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir, replacing: ("    - name: n\n      type: integer", "    - name: n\n      type: integer\n      on_type_error: set_null"))
        dir.write("days/2026-02-01.csv", "\(h)\nid0,2026-02-01,1,seven,red,true,0.5,1,1,20\n\(r1)\n")
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let outcome = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        #expect(outcome.rowsStored == 2)
        #expect(outcome.rowsQuarantined == 0)
        let metric = try warehouse.read { try $0.metric(snapshotId: outcome.snapshotId, name: "type_errors", column: "n") }
        #expect(metric == 1)
    }

    @Test func lateLabelsJoinById() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(4))
        dir.write("labels/2026-02-01.csv", "id,y\nid0,1\nid1,0\nid3,NA\nidX,1\nbroken\n")
        let (outcome, warehouse, _) = try ingest(dir)
        #expect(outcome.labelsLoaded == 4)
        let labelsSnapshot = try warehouse.read { try $0.currentSnapshot(pipelineId: 1, kind: .labels, date: "2026-02-01") }
        #expect(labelsSnapshot?.rowsRead == 5)
        #expect(labelsSnapshot?.rowsQuarantined == 1)
        let labels = try warehouse.read { try $0.labels(snapshotId: labelsSnapshot!.id) }
        #expect(labels == ["id0": "1", "id1": "0", "idX": "1"])
        let findings = try warehouse.read { try $0.findings(snapshotId: outcome.snapshotId, stage: .ingest) }
        #expect(findings.map(\.check).sorted() == ["ingest.labels_unmatched", "ingest.quarantined_rows"])
        #expect(findings.first { $0.check == "ingest.labels_unmatched" }?.message == "1 of 3 labels match no prediction of the day")
    }
}
