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
    /// A page header's uncompressed size is data: a crafted page of a few bytes claiming 1 GiB
    /// is refused before any buffer is set aside (hostile-data probe, session 6: the buffer was
    /// zero-filled to the claimed size first). Snappy and Zstandard carry their own size; deflate
    /// and LZ4 cannot expand past 1032:1 and 255:1.
    @Test func aPageClaimingMoreThanItsBytesCanHoldIsRefusedBeforeAllocating() throws {
        let scratch = ParquetInflateBuffer()
        func refusal(_ codec: Int32, _ input: [UInt8], size: Int) -> String? {
            let error = #expect(throws: ParquetError.self) {
                try input.withUnsafeBytes { try ParquetCodec.withDecompressed(codec, $0, size: size, scratch: scratch) { _ in } }
            }
            return error?.message
        }
        let gib = 1 << 30
        let twenty = [UInt8](repeating: 0x41, count: 20)
        // Snappy: the stream starts with its length as a varint (10 here).
        #expect(refusal(1, [0x0A] + twenty, size: gib) == "a Snappy page is corrupt (its length does not match the header's 1073741824 bytes)")
        #expect(refusal(2, twenty, size: gib) == "a GZIP page of 20 compressed bytes claims 1073741824 uncompressed bytes (GZIP inflates 20 bytes to at most 20640)")
        #expect(refusal(7, twenty, size: gib) == "a LZ4_RAW page of 20 compressed bytes claims 1073741824 uncompressed bytes (LZ4_RAW inflates 20 bytes to at most 5116)")
        #expect(refusal(5, twenty, size: gib) == "a LZ4 page of 20 compressed bytes claims 1073741824 uncompressed bytes (LZ4 inflates 20 bytes to at most 5116)")
        // Zstandard: magic, a single-segment frame header whose one-byte content size is 5, one
        // last raw block of 5 bytes (header (5 << 3) | 1), "AAAAA": a whole frame of 5 bytes.
        let frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05, 0x29, 0x00, 0x00] + twenty.prefix(5)
        #expect(refusal(6, frame, size: gib) == "a Zstandard page's frames hold at most 5 bytes but its header says 1073741824")
        #expect(refusal(6, [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x05] + twenty, size: gib) == "a Zstandard page is corrupt (its bytes are not a sequence of whole frames)")
        #expect(scratch.bytes.isEmpty)
        // Within the bound the decompressor itself judges the bytes (and the buffer is sized).
        #expect(refusal(2, twenty, size: 20_640)?.hasPrefix("a GZIP page is corrupt") == true)
        #expect(scratch.bytes.count == 20_640)
    }

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
