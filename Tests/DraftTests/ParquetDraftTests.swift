import AuditModel
import Foundation
import Testing

@testable import Draft

/// `mlaudit init` (and ad-hoc compare, which sketches the same way) on a Parquet file: the
/// types come from the Parquet values, refined as for CSV.
@Suite("Draft from Parquet")
struct ParquetDraftTests {
    @Test func tinyParquetSketchesLikeItsCSV() throws {
        // The fixture written by scripts/reference/parquet_reference.py (TinyPipeline.csv(30) as Parquet).
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../IngestTests/Fixtures/parquet/tiny.parquet").standardized.path
        let (columns, skipped) = try SchemaInference.sketch(path: path)
        #expect(skipped == 0)
        #expect(columns.map(\.name) == ["id", "ts", "x", "n", "color", "flag", "score", "pred", "y", "latency_ms"])
        let types = Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0.inferredType()) })
        #expect(types["ts"] == .datetime)
        #expect(types["x"] == .numeric)
        #expect(types["n"] == .integer)
        #expect(types["color"] == .categorical)
        #expect(types["flag"] == .boolean)
        #expect(types["score"] == .numeric)
        #expect(types["latency_ms"] == .integer)
        #expect(columns.allSatisfy { $0.rows == 30 })
    }
}
