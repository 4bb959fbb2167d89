import AuditModel
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Ingest

/// The Parquet reader against pyarrow: every fixture written by scripts/reference/parquet_reference.py
/// read back value by value and compared with the values pyarrow read from the same file.
@Suite("Parquet reader")
struct ParquetReaderTests {
    struct Expected: Decodable {
        struct Column: Decodable {
            let kind: String
            let values: [Value?]
        }
        struct File: Decodable {
            let rows: Int
            let columns: [String: Column]
        }
        enum Value: Decodable {
            case text(String)
            case number(Double)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
            }
        }
        let pyarrow: String
        let files: [String: File]
        /// Hand-made files pyarrow refuses, with its error.
        let refused: [String: String]
    }

    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/parquet/\(name)", withExtension: nil))
        return url.path
    }

    static let expected: Expected = {
        let url = Bundle.module.url(forResource: "Fixtures/parquet/expected", withExtension: "json")!
        return try! JSONDecoder().decode(Expected.self, from: Data(contentsOf: url))
    }()

    static let fileNames = expected.files.keys.sorted()

    @Test(arguments: fileNames)
    func valuesEqualPyarrows(_ name: String) throws {
        let want = try #require(Self.expected.files[name])
        let got = try ParquetInspection.read(path: try Self.fixture(name))
        #expect(got.rows == want.rows)
        #expect(Set(got.names) == Set(want.columns.keys), "\(name): columns")
        for (n, column) in got.names.enumerated() {
            guard let w = want.columns[column] else { continue }
            let values = got.values[n]
            #expect(values.count == w.values.count, "\(name).\(column): row count")
            var mismatches = 0
            for (r, (g, e)) in zip(values, w.values).enumerated() {
                let same: Bool
                switch (g, e) {
                case (nil, nil): same = true
                case (let g?, .text(let t)?) where w.kind == "float":
                    let d = Double(g)
                    same = t == "nan" ? d?.isNaN == true : d == Double(t == "inf" ? "inf" : t == "-inf" ? "-inf" : t)
                case (let g?, .number(let x)?): same = Double(g) == x
                case (let g?, .text(let t)?): same = g == t
                default: same = false
                }
                if !same, mismatches < 3 {
                    Issue.record("\(name).\(column) row \(r): read \(g ?? "null"), pyarrow \(String(describing: e))")
                }
                if !same { mismatches += 1 }
            }
        }
    }

    @Test func fixturesCoverEveryCodecEncodingAndPageVersion() throws {
        #expect(Self.expected.pyarrow.hasPrefix("26."))
        for codec in ["none", "snappy", "gzip", "zstd", "lz4"] {
            for v in ["v1", "v2"] { #expect(Self.fileNames.contains("types_\(codec)_\(v).parquet")) }
        }
        #expect(Self.fileNames.contains("encodings_v1.parquet") && Self.fileNames.contains("encodings_v2.parquet"))
        #expect(Self.fileNames.contains("dict_fallback.parquet") && Self.fileNames.contains("int96.parquet"))
        #expect(Self.fileNames.contains("dict_orders.parquet"))
    }

    /// The page orders of dict_orders.parquet (hand-made by the reference script; its values
    /// are checked against pyarrow's by `valuesEqualPyarrows`): after the one dictionary page,
    /// data pages dictionary-encoded and PLAIN in any order, v1 and v2, RLE_DICTIONARY and the
    /// deprecated PLAIN_DICTIONARY, and (row group 3) the dictionary page after a PLAIN page.
    @Test func dictionaryPagesMayFollowPlainOnesInAChunk() throws {
        let path = try Self.fixture("dict_orders.parquet")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let orders: [[String]] = try bytes.withUnsafeBytes { b in
            let footer = try ParquetFooter.read(b)
            return try footer.rowGroups.flatMap { rg in
                try rg.chunks.map { chunk in
                    var pos = Int(min(chunk.dictionaryPageOffset ?? chunk.dataPageOffset, chunk.dataPageOffset))
                    let end = pos + Int(chunk.totalCompressed)
                    var pages: [String] = []
                    while pos < end {
                        var r = ThriftReader(b, at: pos)
                        let h = try ParquetPageHeader.read(&r)
                        pages.append(h.type == 2 ? "dictionary" : "\(encodingName(h.encoding)) v\(h.type == 3 ? 2 : 1)")
                        pos = r.pos + h.compressedSize
                    }
                    return pages
                }
            }
        }
        #expect(orders == [
            ["dictionary", "RLE_DICTIONARY v1", "PLAIN v1", "RLE_DICTIONARY v1"],
            ["dictionary", "RLE_DICTIONARY v1", "PLAIN v2", "RLE_DICTIONARY v2"],
            ["dictionary", "PLAIN v1", "RLE_DICTIONARY v1", "PLAIN v2"],
            ["dictionary", "PLAIN_DICTIONARY v1", "PLAIN v1", "PLAIN_DICTIONARY v1"],
            ["PLAIN v1", "dictionary", "RLE_DICTIONARY v1"],
            ["PLAIN v1", "dictionary", "RLE_DICTIONARY v1"],
        ])
        #expect(try ParquetInspection.read(path: path).rows == 27)
    }

    /// A column chunk with two dictionary pages is refused, as pyarrow (Arrow) and parquet-mr
    /// refuse it: the error names the page.
    @Test func aSecondDictionaryPageInAChunkIsAClearError() throws {
        #expect(Self.expected.refused["dict_twice.parquet"] == "Column cannot have more than one dictionary.")
        do {
            _ = try ParquetInspection.read(path: try Self.fixture("dict_twice.parquet"))
            Issue.record("a second dictionary page was read")
        } catch let e as MLAuditError {
            #expect(e.code == .unreadableInput)
            #expect(e.message.hasSuffix(
                "row group 1, column 'n': page 3: a second dictionary page (the first is page 1); a column chunk holds at most one"))
        }
    }

    @Test func nestedColumnsAreListedNotRead() throws {
        let got = try ParquetInspection.read(path: try Self.fixture("nested.parquet"))
        #expect(got.names == ["id", "score"])
        #expect(got.nested == ["tags", "pt"])
    }

    /// `mlaudit init` and ad-hoc compare read Parquet through `forEachRow`: row group after row
    /// group, page by page, never the whole file. Shown by a file whose last row group is
    /// damaged: every row before it arrives, with the values `read` gives for the intact file,
    /// before the error (a whole-file reader would fail before the first row).
    @Test func inspectionStreamsRowGroupsAndStopsAtTheDamage() throws {
        let path = try Self.fixture("tiny.parquet")
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let (groupRows, pos) = try bytes.withUnsafeBytes { b in
            let footer = try ParquetFooter.read(b)
            let chunk = footer.rowGroups.last!.chunks[0]
            return (footer.rowGroups.map { Int($0.numRows) }, Int(chunk.dictionaryPageOffset ?? chunk.dataPageOffset))
        }
        #expect(groupRows.count == 3)
        // The last row group's first page header: type, uncompressed size, then the compressed
        // size (i32 zigzag varints); make it claim 4 bytes fewer (the page no longer decodes).
        var at = pos
        for _ in 0..<2 {
            #expect(bytes[at] & 0x0F == 5)
            at += 1
            while bytes[at] & 0x80 != 0 { at += 1 }
            at += 1
        }
        #expect(bytes[at] & 0x0F == 5)
        at += 1
        #expect(bytes[at] & 0x7F >= 8)
        bytes[at] -= 8
        let dir = TemporaryDirectory()
        dir.write("damaged.parquet", bytes: bytes)

        let intact = try ParquetInspection.read(path: path)
        var rows: [[String?]] = []
        var names: [String] = []
        #expect {
            try ParquetInspection.forEachRow(path: dir.path + "/damaged.parquet", columns: { n, _, _ in names = n }, row: { rows.append($0) })
        } throws: { e in
            (e as? MLAuditError)?.code == .unreadableInput && ((e as? MLAuditError)?.message ?? "").contains("row group 3, column '\(intact.names[0])'")
        }
        let before = groupRows.dropLast().reduce(0, +)
        #expect(names == intact.names)
        #expect(rows.count == before)
        for (r, row) in rows.enumerated() {
            #expect(row == intact.values.map { $0[r] })
        }
    }
}
