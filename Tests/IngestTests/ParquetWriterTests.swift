import AuditModel
import Demo
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Ingest

/// MLAudit's own Parquet writer (the demo's `--format parquet`, the benchmark's copy): what it
/// writes is a golden file, and pyarrow reads the golden file back to the values written
/// (scripts/reference/parquet_writer_check.py → Fixtures/parquet/writer_expected.json).
@Suite("Parquet writer")
struct ParquetWriterTests {
    static let columns: [ParquetWriter.Column] = [
        .init("s", .string), .init("i", .int64), .init("d", .double, optional: false), .init("b", .boolean),
        .init("t", .timestampMillis), .init("r", .string, optional: false),
    ]

    /// Row `k` of the table (25 rows): nulls, unicode, extremes, negative timestamps.
    static func row(_ k: Int) -> (String?, Int64?, Double, Bool?, Int64?, String) {
        let words = ["", "plain", "é", "日本語", "emoji 🙂", "comma, and \"quote\"", "line\nbreak"]
        let s: String? = k % 5 == 3 ? nil : words[k % words.count]
        let i: Int64? = k % 4 == 1 ? nil : (k == 0 ? Int64.min : k == 2 ? Int64.max : Int64(k * k) - 50)
        let d = k == 6 ? -0.0 : Double(k) * 1.25 - 7.0 / Double(k + 1)
        let b: Bool? = k % 3 == 2 ? nil : k % 2 == 0
        let t: Int64? = k % 6 == 5 ? nil : -86_400_000 + Int64(k) * 3_600_001
        return (s, i, d, b, t, "r\(k)")
    }

    static func values(_ rows: Range<Int>) -> [ParquetWriter.Values] {
        let r = rows.map(row)
        return [.strings(r.map(\.0)), .ints(r.map(\.1)), .doubles(r.map(\.2)), .booleans(r.map(\.3)), .ints(r.map(\.4)), .strings(r.map(\.5))]
    }

    static func write(_ path: String, codec: ParquetWriter.Codec) throws {
        let w = try ParquetWriter(path: path, columns: columns, codec: codec, rowsPerPage: 4)
        for g in [0..<10, 10..<20, 20..<25] { try w.append(rowGroup: values(g)) }
        try w.finish()
    }

    func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/parquet/\(name)").path
    }

    @Test(arguments: [("writer_snappy.parquet", ParquetWriter.Codec.snappy), ("writer_none.parquet", .uncompressed)])
    func writesWhatPyarrowReadsBack(name: String, codec: ParquetWriter.Codec) throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/" + name
        try Self.write(path, codec: codec)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
            try written.write(to: URL(fileURLWithPath: fixture(name)))
        }
        // The golden file is what the writer writes; pyarrow's reading of it is the reference.
        #expect(written == (try Data(contentsOf: URL(fileURLWithPath: fixture(name)))),
                "the writer's bytes changed: re-record with RECORD_GOLDEN=1, then run scripts/reference/parquet_writer_check.py")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture("writer_expected.json"))))
        let expected = try #require((json as? [String: Any])?[name] as? [String: Any])
        #expect(expected["rows"] as? Int == 25)
        #expect(expected["rows_per_group"] as? [Int] == [10, 10, 5])
        #expect(expected["codec"] as? String == (codec == .snappy ? "SNAPPY" : "UNCOMPRESSED"))
        #expect(expected["types"] as? [String: String] == [
            "s": "string", "i": "int64", "d": "double", "b": "bool", "t": "timestamp[ms, tz=UTC]", "r": "string",
        ])
        #expect(expected["nullable"] as? [String: Bool] == ["s": true, "i": true, "d": false, "b": true, "t": true, "r": false])
        let columns = try #require(expected["columns"] as? [String: [Any]])
        let rows = (0..<25).map(Self.row)
        func same<T: Equatable>(_ name: String, _ mine: [T?], _ convert: (Any) -> T?) {
            let theirs = columns[name] ?? []
            #expect(theirs.count == mine.count, "\(name)")
            for (k, v) in theirs.enumerated() where k < mine.count {
                let t: T? = v is NSNull ? nil : convert(v)
                #expect(t == mine[k], "\(name) row \(k)")
            }
        }
        same("s", rows.map(\.0)) { $0 as? String }
        same("i", rows.map(\.1)) { ($0 as? NSNumber)?.int64Value }
        same("d", rows.map { Optional($0.2) }) { ($0 as? String).flatMap { Double($0) } }
        same("b", rows.map(\.3)) { ($0 as? NSNumber)?.boolValue }
        same("t", rows.map(\.4)) { ($0 as? NSNumber)?.int64Value }
        same("r", rows.map { Optional($0.5) }) { $0 as? String }
        // -0.0 keeps its sign through pyarrow.
        #expect((columns["d"]?[6]) as? String == "-0.0")

        // MLAudit's reader reads the same values.
        let mine = try ParquetInspection.read(path: path)
        #expect(mine.names == ["s", "i", "d", "b", "t", "r"])
        #expect(mine.values[0] == rows.map(\.0))
        #expect(mine.values[1] == rows.map { $0.1.map { String($0) } })
        #expect(mine.values[5] == rows.map(\.5))
    }

    /// The ingest reads a file of many small pages and row groups, with nulls in optional
    /// columns, page by page (pages straddle nothing: each column's pages end at different
    /// rows): the same stored columns as the same data as CSV.
    @Test func manyPagesPerColumnStoreWhatTheCSVStores() throws {
        let dir = TemporaryDirectory(), pqDir = TemporaryDirectory()
        var lines = TinyPipeline.csv(300).split(separator: "\n").map(String.init)
        for k in 1..<lines.count {
            var f = lines[k].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if k % 5 == 0 { f[2] = "" }  // x null
            if k % 7 == 0 { f[4] = "" }  // color null
            if k % 11 == 0 { f[5] = "" }  // flag null
            lines[k] = f.joined(separator: ",")
        }
        let csv = lines.joined(separator: "\n") + "\n"
        dir.write("days/2026-02-01.csv", csv)
        try FileManager.default.createDirectory(atPath: pqDir.path + "/pq", withIntermediateDirectories: true)
        try DemoGenerator.writeParquet(
            csv: csv,
            columns: [
                .init("id", .string, optional: false), .init("ts", .timestampMillis, optional: false), .init("x", .double),
                .init("n", .int64, optional: false), .init("color", .string), .init("flag", .boolean),
                .init("score", .double, optional: false), .init("pred", .int64, optional: false), .init("y", .int64, optional: false),
                .init("latency_ms", .int64, optional: false),
            ],
            to: pqDir.path + "/pq/2026-02-01.parquet", rowGroupRows: 64, rowsPerPage: 7)
        func ingest(_ dir: TemporaryDirectory, _ path: String) throws -> [String: ColumnData] {
            let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: \(path)"))
            let warehouse = try Warehouse(path: loaded.warehousePath)
            let outcome = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: nil)
                .run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
            #expect(outcome.rowsRead == 300 && outcome.rowsStored == 300, "\(path)")
            let columns = ["id", "ts", "x", "n", "color", "flag", "score", "pred", "y", "latency_ms"]
            return try warehouse.read { store in
                try store.readColumns(
                    try store.rowTable(pipelineId: 1, columns: loaded.definition.declaredColumns), snapshotId: outcome.snapshotId,
                    columns: columns)
            }
        }
        let fromCSV = try ingest(dir, "days/{date}.csv")
        let fromParquet = try ingest(pqDir, "pq/{date}.parquet")
        #expect(fromCSV.keys.sorted() == fromParquet.keys.sorted())
        for (name, column) in fromCSV {
            if case .numeric(let a) = column, case .numeric(let b)? = fromParquet[name] {
                // Nulls are NaN in `values` (NaN != NaN): compare the null flags and the rest.
                #expect(a.nulls == b.nulls, "column \(name)")
                #expect(zip(a.values, b.values).enumerated().allSatisfy { a.nulls[$0.offset] || $0.element.0 == $0.element.1 }, "column \(name)")
            } else {
                #expect(fromParquet[name] == column, "column \(name)")
            }
        }
        guard case .numeric(let x)? = fromParquet["x"] else { Issue.record("x is not numeric"); return }
        #expect(x.nulls.filter { $0 }.count == 60)
    }

    /// Labels files may be Parquet: the same join, counts and findings as the CSV labels file of
    /// `lateLabelsJoinById` (a null label is a null, as "NA" is in CSV).
    @Test func aLabelsFileMayBeParquet() throws {
        let dir = TemporaryDirectory()
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(4))
        try FileManager.default.createDirectory(atPath: dir.path + "/labels", withIntermediateDirectories: true)
        let w = try ParquetWriter(
            path: dir.path + "/labels/2026-02-01.parquet", columns: [.init("id", .string, optional: false), .init("y", .int64)])
        try w.append(rowGroup: [.strings(["id0", "id1"]), .ints([1, 0])])
        try w.append(rowGroup: [.strings(["id3", "idX"]), .ints([nil, 1])])
        try w.finish()
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: labels/{date}.csv", "  path: labels/{date}.parquet"))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let outcome = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: nil)
            .run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        #expect(outcome.labelsLoaded == 4)
        let labelsSnapshot = try #require(try warehouse.read { try $0.currentSnapshot(pipelineId: 1, kind: .labels, date: "2026-02-01") })
        #expect(labelsSnapshot.rowsRead == 4 && labelsSnapshot.rowsQuarantined == 0)
        let parts = try warehouse.read { try $0.snapshotParts(snapshotId: labelsSnapshot.id) }
        #expect(parts.map(\.format) == ["parquet"])
        let labels = try warehouse.read { try $0.labels(snapshotId: labelsSnapshot.id) }
        #expect(labels == ["id0": "1", "id1": "0", "idX": "1"])
        let findings = try warehouse.read { try $0.findings(snapshotId: outcome.snapshotId, stage: .ingest) }
        #expect(findings.map(\.check) == ["ingest.labels_unmatched"])
        #expect(findings.first?.message == "1 of 3 labels match no prediction of the day")
    }

    /// A Parquet part symlinked from outside its folder is refused like a CSV part (docs/security.md).
    @Test func aParquetPartLinkedFromOutsideItsFolderIsRefused() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/days", withIntermediateDirectories: true)
        try Self.write(dir.path + "/elsewhere.parquet", codec: .snappy)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/days/2026-02-01.parquet", withDestinationPath: dir.path + "/elsewhere.parquet")
        let loaded = try TinyPipeline.load(dir, replacing: ("  path: days/{date}.csv", "  path: days/{date}.parquet"))
        let warehouse = try Warehouse(path: loaded.warehousePath)
        let error = #expect(throws: MLAuditError.self) {
            try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger, progress: nil)
                .run(.day(Day("2026-02-01")!), runId: nil, stageRunId: nil)
        }
        #expect(error?.code == .unreadableInput)
        #expect(error?.hint?.contains("follow_symlinks") == true, "\(error?.message ?? "")")
    }
}
