import Foundation
import Testing

/// The stages reach the warehouse only through the storage seam's protocols: no stage names the
/// SQLite implementation (`Store`, `Warehouse(…)`, its inserters and writers, `PipelineLock`)
/// or imports GRDB. Pipeline chooses the backend (`WarehouseBackends.open`).
@Suite("Seam boundary")
struct SeamBoundaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// SQLite-only names, as whole words.
    static let sqliteOnly = [
        "Store", "SQLiteRowWriter", "GroupedRowInserter", "RowInserter", "NumericColumnWriter", "PipelineLock",
        "DatabaseQueue", "GRDB",
    ]

    /// Lines allowed to name SQLite: the ingest's test hook for a small columnar chunk size.
    static let allowed: Set<String> = [
        "if let copyChunkRows, let sqlite = store as? Store {",
        "writer = try SQLiteRowWriter(store: sqlite, table: table, snapshotId: snapshotId, copyChunkRows: copyChunkRows)",
    ]

    @Test(arguments: ["Ingest", "Validate", "Profile", "Compare", "Render", "Verify"])
    func stageNamesOnlyTheSeam(_ target: String) throws {
        let folder = Self.root.appendingPathComponent("Sources/\(target)")
        let files = try #require(FileManager.default.enumerator(atPath: folder.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        let words = try NSRegularExpression(pattern: "\\b(" + Self.sqliteOnly.joined(separator: "|") + ")\\b|\\bWarehouse\\(")
        var offending: [String] = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("//") || Self.allowed.contains(line) { continue }
                let code = line.components(separatedBy: "//").first ?? line
                if words.firstMatch(in: code, range: NSRange(code.startIndex..., in: code)) != nil {
                    offending.append("Sources/\(target)/\(file):\(n + 1): \(line)")
                }
            }
        }
        #expect(offending.isEmpty, "\(offending.joined(separator: "\n"))")
    }

    /// Only the thin executable links the PostgreSQL backend (it registers it at start): no stage,
    /// nor Pipeline, imports WarehousePostgres.
    @Test func onlyTheExecutableImportsThePostgresBackend() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        var importers: Set<String> = []
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) where target != "WarehousePostgres" {
            let folder = sources.appendingPathComponent(target)
            for file in (FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []) where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                if text.split(separator: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("import WarehousePostgres") }) {
                    importers.insert(target)
                }
            }
        }
        #expect(importers == ["mlaudit"])
    }
}
