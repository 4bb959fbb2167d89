import AuditModel
import Definition
import Demo
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Ingest

/// Parquet snapshots through the ingest stage: the same rows as the CSV of the same data,
/// provenance, idempotence, type conflicts, and corrupt files (a clear error, or the damaged
/// row group quarantined with the accounting intact; never a crash).
@Suite("Parquet ingest")
struct ParquetIngestTests {
    let day = Day("2026-02-01")!
    static let columns = ["id", "ts", "x", "n", "color", "flag", "score", "pred", "y", "latency_ms"]

    func fixtureBytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/parquet/\(name)", withExtension: nil))
        return Array(try Data(contentsOf: url))
    }

    func ingest(_ dir: TemporaryDirectory, path: String) throws -> (IngestOutcome, Warehouse, LoadedDefinition, IngestStage) {
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: \(path)"))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let stage = IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: nil)
        return (try stage.run(.day(day), runId: nil, stageRunId: nil), warehouse, loaded, stage)
    }

    func stored(_ warehouse: Warehouse, _ loaded: LoadedDefinition, _ snapshotId: Int64) throws -> [String: ColumnData] {
        try warehouse.read { store in
            try store.readColumns(
                try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns), snapshotId: snapshotId,
                columns: Self.columns)
        }
    }

    @Test func parquetStoresWhatTheSameCSVStores() throws {
        let csvDir = TemporaryDirectory()
        csvDir.write("days/2026-02-01.csv", TinyPipeline.csv(30))
        let (csv, csvWarehouse, csvLoaded, _) = try ingest(csvDir, path: "days/{date}.csv")
        let pqDir = TemporaryDirectory()
        let bytes = try fixtureBytes("tiny.parquet")
        pqDir.write("days/2026-02-01.parquet", bytes: bytes)
        let (pq, pqWarehouse, pqLoaded, stage) = try ingest(pqDir, path: "days/{date}.parquet")
        #expect(pq.rowsRead == 30 && pq.rowsStored == 30 && pq.rowsQuarantined == 0)
        #expect(csv.rowsStored == 30)
        let a = try stored(csvWarehouse, csvLoaded, csv.snapshotId)
        let b = try stored(pqWarehouse, pqLoaded, pq.snapshotId)
        for c in Self.columns { #expect(a[c] == b[c], "column \(c)") }
        let (snapshot, parts, lines) = try pqWarehouse.read { store in
            (try store.snapshot(id: pq.snapshotId), try store.snapshotParts(snapshotId: pq.snapshotId),
             try store.storedLines(try store.rowTable(pipelineId: 1, columns: pqLoaded.definition.declaredColumns), snapshotId: pq.snapshotId))
        }
        #expect(snapshot?.sha256 == FileDigest.of(data: Data(bytes)).sha256)
        #expect(parts.map(\.format) == ["parquet"])
        #expect(lines == Array(1...30))
        // The same bytes again: a no-op.
        let again = try stage.run(.day(day), runId: nil, stageRunId: nil)
        #expect(again.unchanged && again.snapshotId == pq.snapshotId)
    }

    @Test func aFolderOfParquetPartsIsOneSnapshot() throws {
        let dir = TemporaryDirectory()
        let bytes = try fixtureBytes("tiny.parquet")
        dir.write("days/2026-02-01/part-0000.parquet", bytes: bytes)
        dir.write("days/2026-02-01/part-0001.parquet", bytes: bytes)
        dir.write("days/2026-02-01/_SUCCESS", "")
        let (outcome, _, _, _) = try ingest(dir, path: "days/{date}/part-*.parquet")
        #expect(outcome.rowsRead == 60 && outcome.rowsStored == 60)
    }

    @Test func aTypeTheParquetColumnCannotHoldIsADefinitionError() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.parquet", bytes: try fixtureBytes("tiny.parquet"))
        var loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: days/{date}.parquet"))
        let text = try String(contentsOfFile: dir.path + "/tiny.yaml", encoding: .utf8)
            .replacingOccurrences(of: "    - name: x\n      type: numeric", with: "    - name: x\n      type: integer")
        try text.write(toFile: dir.path + "/tiny.yaml", atomically: true, encoding: .utf8)
        loaded = try DefinitionLoader.load(path: dir.path + "/tiny.yaml")
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let stage = IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: nil)
        let error = #expect(throws: MLAuditError.self) { try stage.run(.day(day), runId: nil, stageRunId: nil) }
        #expect(error?.code == .invalidDefinition)
        #expect(error?.message == "column 'x' is declared integer but the Parquet file stores it as DOUBLE, which cannot hold integer values")
    }

    // MARK: Corrupt input

    func expectError(_ bytes: [UInt8], _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.parquet", bytes: bytes)
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: days/{date}.parquet\n  format: parquet"))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let stage = IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: nil)
        let error = #expect(throws: MLAuditError.self, sourceLocation: sourceLocation) { try stage.run(.day(day), runId: nil, stageRunId: nil) }
        #expect(error?.code == .unreadableInput, sourceLocation: sourceLocation)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")", sourceLocation: sourceLocation)
        let versions = try warehouse.read { try $0.snapshotVersions(pipelineId: 1, kind: .daily, date: "2026-02-01") }
        #expect(versions.isEmpty, "nothing stored", sourceLocation: sourceLocation)
    }

    @Test func aTruncatedFileIsAClearError() throws {
        let bytes = try fixtureBytes("tiny.parquet")
        try expectError(Array(bytes.dropLast(100)), "does not end with the Parquet magic bytes PAR1")
        // The magic bytes kept, the footer cut: its length no longer fits.
        var cut = Array(bytes.prefix(200))
        cut += bytes.suffix(8)
        try expectError(cut, "the footer length")
    }

    /// A Parquet file around a hand-written footer (Thrift compact protocol).
    static func craftedParquet(footer: [UInt8]) -> [UInt8] {
        let n = UInt32(footer.count)
        return Array("PAR1".utf8) + footer + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + Array("PAR1".utf8)
    }

    static func varint(_ v: Int) -> [UInt8] {
        var v = UInt64(v), out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        return out + [UInt8(v)]
    }

    /// A one-byte element can decode to a record of a hundred: a 20 MB footer of 20 million
    /// empty schema elements took 3.2 GB and 95 s before it was refused. Lists are bounded at
    /// 1 000 000 elements (Apache Arrow's limit), the column chunks of all row groups at
    /// 4 000 000, a chunk's path at 65 parts; each refusal is a clear error and nothing is stored.
    @Test func footersClaimingHugeListsAreRefusedBeforeTheyAreDecoded() throws {
        // FileMetaData { 2: schema list<struct>[1 000 001] = root (name, 1 000 000 children) + empty elements }.
        var schema: [UInt8] = [0x29, 0xFC] + Self.varint(1_000_001)
        schema += [0x48, 6] + Array("schema".utf8) + [0x15] + Self.varint(2_000_000) + [0x00]
        try expectError(Self.craftedParquet(footer: schema + [UInt8](repeating: 0, count: 1_000_000) + [0x16, 0x00, 0x00]),
                        "the footer is corrupt: a Thrift list claims 1000001 elements, more than the 1000000 MLAudit reads in one list")

        // A valid one-column schema, then 5 row groups of one empty column chunk each, read with
        // the chunk limit lowered from 4 000 000 to 4 (the same rule, without decoding 4M chunks).
        let oneColumn: [UInt8] = [0x29, 0x2C, 0x48, 6] + Array("schema".utf8) + [0x15, 0x02, 0x00]
            + [0x15, 0x04, 0x38, 1, UInt8(ascii: "x"), 0x00] + [0x16, 0x00]
        var groups: [UInt8] = [0x19, 0x5C]
        for _ in 0..<5 { groups += [0x19, 0x1C, 0x00, 0x26, 0x00, 0x00] }
        let manyChunks = Self.craftedParquet(footer: oneColumn + groups + [0x00])
        #expect(ParquetFooter.maxColumnChunks == 4_000_000)
        let error = #expect(throws: ParquetError.self) { try manyChunks.withUnsafeBytes { try ParquetFooter.read($0, maxColumnChunks: 4) } }
        #expect(error?.message == "the footer is corrupt: the row groups hold more than 4 column chunks (row groups × columns), the most MLAudit reads")
        #expect(try manyChunks.withUnsafeBytes { try ParquetFooter.read($0, maxColumnChunks: 5) }.rowGroups.count == 5)

        // One row group, one chunk whose path_in_schema claims 66 parts.
        var chunk: [UInt8] = [0x19, 0x1C, 0x19, 0x1C, 0x3C, 0x39, 0xF8] + Self.varint(66)
        for _ in 0..<66 { chunk += [1, UInt8(ascii: "p")] }
        chunk += [0x00, 0x00, 0x26, 0x02, 0x00]
        try expectError(Self.craftedParquet(footer: oneColumn + chunk + [0x00]),
                        "the footer is corrupt: a column chunk's path has 66 parts (a schema nests at most 64 deep)")
    }

    /// A Parquet TIMESTAMP of Int64.min or Int64.max crashed the ingest (arithmetic overflow
    /// in `Timestamp.format` while writing the row's raw text: exit 132, no message). Outside
    /// years 0001–9999 a timestamp is now a type error in a datetime column (as a CSV epoch
    /// number is) and its integer as written in a text column.
    @Test func timestampsOutsideTheCanonicalYearsAreTypeErrorsNotACrash() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/days", withIntermediateDirectories: true)
        let w = try ParquetWriter(path: dir.path + "/days/2026-02-01.parquet", columns: [
            .init("id", .string), .init("ts", .timestampMillis), .init("x", .double), .init("n", .int64),
            .init("color", .timestampMillis), .init("flag", .boolean), .init("score", .double), .init("pred", .int64),
            .init("y", .int64), .init("latency_ms", .int64),
        ], codec: .uncompressed)
        let day: Int64 = 1_769_904_000_000  // 2026-02-01T00:00:00Z
        try w.append(rowGroup: [
            .strings(["a", "b", "c"]), .ints([Int64.max, Int64.min, day]), .doubles([1, 2, 3]), .ints([1, 2, 3]),
            .ints([Int64.min, 0, Int64.max]), .booleans([true, false, true]), .doubles([0.1, 0.2, 0.3]), .ints([0, 0, 1]),
            .ints([0, 1, 1]), .ints([5, 6, 7]),
        ])
        try w.finish()
        let (outcome, warehouse, loaded, _) = try ingest(dir, path: "days/{date}.parquet")
        #expect(outcome.rowsStored + outcome.rowsQuarantined == 3)
        let quarantined = try warehouse.read { try $0.quarantined(snapshotId: outcome.snapshotId) }
        let columns = try stored(warehouse, loaded, outcome.snapshotId)
        #expect(outcome.rowsStored == 1)
        #expect(quarantined.map(\.reason) == [
            "column 'ts': '9223372036854775807' is not a timestamp (ISO 8601 or epoch seconds/milliseconds)",
            "column 'ts': '-9223372036854775808' is not a timestamp (ISO 8601 or epoch seconds/milliseconds)",
        ])
        #expect(quarantined.first?.raw.contains("\"color\":\"-9223372036854775808\"") == true, "\(quarantined.first?.raw ?? "")")
        guard case .labels(let ts) = columns["ts"], case .labels(let color) = columns["color"] else { Issue.record("not text columns"); return }
        #expect(ts.dictionary == ["2026-02-01T00:00:00.000Z"] && color.dictionary == ["9223372036854775807"])
        // The formatter itself is total over Int64.
        #expect(Timestamp.format(epochMilliseconds: Int64.min) == "-292275055-05-16T16:47:04.192Z")
        #expect(Timestamp.format(epochMilliseconds: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test func wrongMagicIsAClearError() throws {
        var bytes = try fixtureBytes("tiny.parquet")
        bytes[0] = UInt8(ascii: "X")
        try expectError(bytes, "does not start with the Parquet magic bytes PAR1")
    }

    @Test func aBadThriftFieldIsAClearError() throws {
        var bytes = try fixtureBytes("tiny.parquet")
        let n = bytes.count
        let footerLength = Int(bytes[n - 8]) | Int(bytes[n - 7]) << 8 | Int(bytes[n - 6]) << 16 | Int(bytes[n - 5]) << 24
        // The first field header of FileMetaData, turned into an unknown Thrift type (13).
        bytes[n - 8 - footerLength] = 0x1D
        try expectError(bytes, "the footer is corrupt: unknown Thrift type 13")
    }

    /// Offset of the first page header of column `c` in row group `g`, and the header's fields'
    /// value positions (for patching).
    func firstPage(_ bytes: [UInt8], group g: Int = 0, column c: Int) throws -> Int {
        try bytes.withUnsafeBytes { b in
            let footer = try ParquetFooter.read(b)
            let chunk = footer.rowGroups[g].chunks[c]
            return Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset)
        }
    }

    @Test func aPageWhoseCompressedSizeLiesQuarantinesItsRowGroup() throws {
        var bytes = try fixtureBytes("tiny.parquet")
        // Page header: field 1 (type), 2 (uncompressed size), 3 (compressed size), as i32 zigzag varints.
        var pos = try firstPage(bytes, column: 2)
        for _ in 0..<2 {
            #expect(bytes[pos] & 0x0F == 5)
            pos += 1
            while bytes[pos] & 0x80 != 0 { pos += 1 }
            pos += 1
        }
        #expect(bytes[pos] & 0x0F == 5)
        pos += 1
        // The compressed size, 2 less (zigzag: 4 less), same varint length.
        #expect(bytes[pos] & 0x7F >= 4)
        bytes[pos] -= 4
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.parquet", bytes: bytes)
        let (outcome, warehouse, _, _) = try ingest(dir, path: "days/{date}.parquet")
        // Row group 1 (12 rows) is set aside; groups 2 and 3 are stored.
        #expect(outcome.rowsRead == 30 && outcome.rowsStored == 18 && outcome.rowsQuarantined == 12)
        let (quarantined, findings) = try warehouse.read { store in
            (try store.quarantined(snapshotId: outcome.snapshotId), try store.findings(snapshotId: outcome.snapshotId, stage: .ingest))
        }
        #expect(quarantined.map(\.line) == Array(1...12))
        #expect(quarantined.allSatisfy { $0.reason.hasPrefix("the Parquet data is corrupt: row group 1, column 'x': page ") })
        #expect(findings.map(\.check).contains("ingest.truncated_input"))
        #expect(findings.contains { $0.message.hasSuffix("the row group's rows from the damage on are quarantined, not stored") })
    }

    @Test func aDictionaryIndexOutOfRangeQuarantinesItsRowGroup() throws {
        var bytes = try fixtureBytes("dict_required.parquet")
        let (dataPage, dictionaryPage) = try bytes.withUnsafeBytes { b in
            let chunk = try ParquetFooter.read(b).rowGroups[0].chunks[0]
            return (Int(chunk.dataPageOffset), chunk.dictionaryPageOffset)
        }
        #expect(dictionaryPage != nil)
        let body = try bytes.withUnsafeBytes { b in
            var r = ThriftReader(b, at: dataPage)
            _ = try ParquetPageHeader.read(&r)
            return r.pos
        }
        // Required column, page v1: [bit width][RLE/bit-packed indices]. An RLE run of 30 × index 3.
        #expect(bytes[body] == 2)
        bytes[body + 1] = 60
        bytes[body + 2] = 3
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.parquet", bytes: bytes)
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: days/{date}.parquet"))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let outcome = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: nil)
            .run(.day(day), runId: nil, stageRunId: nil)
        #expect(outcome.rowsRead == 30 && outcome.rowsQuarantined == 30 && outcome.rowsStored == 0)
        let quarantined = try warehouse.read { try $0.quarantined(snapshotId: outcome.snapshotId) }
        #expect(quarantined.first?.reason
            == "the Parquet data is corrupt: row group 1, column 'color': page 2: a dictionary index (3) is out of range (the dictionary has 3 values)")
    }

    /// A second dictionary page in a column chunk (dict_twice.parquet, hand-made by the reference
    /// script; pyarrow refuses it too): the rows of the pages before it are stored, the rest of
    /// the row group quarantined with the reason, and the accounting holds.
    @Test func aSecondDictionaryPageQuarantinesTheRestOfItsRowGroup() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.parquet", bytes: try fixtureBytes("dict_twice.parquet"))
        let (outcome, warehouse, loaded, _) = try ingest(dir, path: "days/{date}.parquet")
        #expect(outcome.rowsRead == 8 && outcome.rowsStored == 4 && outcome.rowsQuarantined == 4)
        let quarantined = try warehouse.read { try $0.quarantined(snapshotId: outcome.snapshotId) }
        #expect(quarantined.map(\.line) == [5, 6, 7, 8])
        #expect(quarantined.allSatisfy {
            $0.reason == "the Parquet data is corrupt: row group 1, column 'n': page 3: a second dictionary page (the first is page 1); a column chunk holds at most one"
        })
        guard case .numeric(let n)? = try stored(warehouse, loaded, outcome.snapshotId)["n"] else {
            Issue.record("column n was not read as numbers")
            return
        }
        #expect(n.values == [100, -7, 100, 1_099_511_627_776] && n.nulls == [false, false, false, false])
    }
}
