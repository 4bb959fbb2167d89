import AuditModel
import Definition
import Foundation
import TestSupport
import Testing

@testable import Draft

/// `mlaudit init` on a JSON Lines baseline (the anes96 trial: `init baseline.jsonl` read the file
/// as CSV and stopped at "the header line is malformed", although ingest reads JSON Lines
/// baselines). The fixture and its CSV twin are written by pandas
/// (scripts/reference/jsonl_draft_reference.py): the draft must be the same from both.
@Suite("Draft from JSON Lines")
struct JSONLDraftTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func jsonLinesSketchesLikeItsCSVTwin() throws {
        let (jsonl, skippedJSONL) = try SchemaInference.sketch(path: Self.fixtures.appendingPathComponent("tiny.jsonl").path)
        let (csv, skippedCSV) = try SchemaInference.sketch(path: Self.fixtures.appendingPathComponent("tiny_twin.csv").path)
        #expect(skippedJSONL == 0 && skippedCSV == 0)
        // Keys in first-seen order (row 9 lists them reversed, row 5 has no color key).
        #expect(jsonl.map(\.name) == csv.map(\.name))
        #expect(jsonl.map(\.name) == ["id", "ts", "x", "n", "color", "flag", "score", "pred", "y", "latency_ms"])
        for (j, c) in zip(jsonl, csv) {
            #expect(j.inferredType() == c.inferredType(), "\(j.name)")
            #expect(j.rows == c.rows && j.nulls == c.nulls, "\(j.name)")
            #expect(j.minimum == c.minimum && j.maximum == c.maximum, "\(j.name)")
        }
        let byName = Dictionary(uniqueKeysWithValues: jsonl.map { ($0.name, $0) })
        #expect(byName["x"]?.nulls == 2)  // two JSON nulls
        #expect(byName["color"]?.nulls == 1)  // an absent key
        #expect(byName["ts"]?.inferredType() == .datetime)
        #expect(byName["flag"]?.inferredType() == .boolean)
        #expect(byName["n"]?.inferredType() == .integer)
        #expect(byName["x"]?.inferredType() == .numeric)
        #expect(byName["color"]?.inferredType() == .categorical)
    }

    @Test func theDraftFromJSONLinesIsTheDraftFromCSV() throws {
        let options = DefinitionDraft.Options(target: "y", prediction: "pred", score: "score", id: "id", name: "tiny", snapshots: "snapshots/{date}")
        func draft(_ file: String) throws -> String {
            try DefinitionDraft(baselinePath: Self.fixtures.appendingPathComponent(file).path, options: options).yaml()
                .replacingOccurrences(of: Self.fixtures.path + "/", with: "")
                .replacingOccurrences(of: file, with: "BASELINE")
                .replacingOccurrences(of: "labels/{date}.jsonl", with: "labels/{date}.csv")  // the suggestion follows the format
                .split(separator: "\n").map { $0.replacingOccurrences(of: " +#", with: " #", options: .regularExpression) }
                .joined(separator: "\n")
        }
        let fromJSONL = try draft("tiny.jsonl")
        #expect(fromJSONL == (try draft("tiny_twin.csv")))
        let definition = try DefinitionLoader.parse(text: fromJSONL, file: "t").definition
        #expect(definition.schema.prediction?.threshold == 0.5)
        #expect(definition.schema.features.map(\.name) == ["x", "n", "color", "flag"])
        #expect(definition.schema.timestamp == "ts")
    }

    /// The commented `labels:` block suggests labels files in the baseline's format, beside it,
    /// as the snapshots default is (field trial 8: a JSON Lines baseline of statsmodels' `fair`
    /// was drafted with `labels/{date}.csv`, which ingest would read as CSV by its extension).
    @Test func theLabelsSuggestionIsInTheBaselinesFormat() throws {
        let parquet = Self.fixtures.appendingPathComponent("../../IngestTests/Fixtures/parquet/tiny.parquet").standardized.path
        let dir = TemporaryDirectory()
        let gz = dir.path + "/data/baseline.csv.gz"
        try FileManager.default.createDirectory(atPath: dir.path + "/data", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("tiny_twin.csv").path, toPath: gz)
        for (path, ext) in [(Self.fixtures.appendingPathComponent("tiny.jsonl").path, ".jsonl"),
                            (Self.fixtures.appendingPathComponent("tiny_twin.csv").path, ".csv"), (parquet, ".parquet"), (gz, ".csv.gz")] {
            let options = DefinitionDraft.Options(target: "y", prediction: "pred", id: "id", name: "tiny")
            let text = try DefinitionDraft(baselinePath: path, options: options).yaml()
            let folder = (path as NSString).deletingLastPathComponent
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("#   path: ") }, "\(path)")
            #expect(line.hasPrefix("#   path: \(folder)/labels/{date}\(ext) "), "\(line)")
            #expect(text.contains("  path: \(folder)/snapshots/{date}\(ext) "), "\(path)")
            // Uncommented, the block loads, and ingest reads the files by that extension.
            let uncommented = text.replacingOccurrences(of: "# labels:", with: "labels:").replacingOccurrences(of: "#   path:", with: "  path:")
            let definition = try DefinitionLoader.parse(text: uncommented, file: "t").definition
            #expect(definition.labels?.path == "\(folder)/labels/{date}\(ext)")
        }
    }

    @Test func aFileWithoutObjectsIsAClearError() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("empty.jsonl", "\n\n")
        #expect(throws: MLAuditError.self) { try SchemaInference.sketch(path: path) }
        do {
            _ = try SchemaInference.sketch(path: path)
        } catch let e as MLAuditError {
            #expect(e.description.contains("the file holds no JSON object with a key"))
        }
    }
}
