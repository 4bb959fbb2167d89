import AuditModel
import CSnappy
import Foundation

/// A small Parquet writer for the demo data set and the benchmarks (docs/ingest.md, "Writing
/// Parquet"): flat schemas, PLAIN-encoded values in data pages v1, optional columns with
/// RLE/bit-packed definition levels, one row group per `append`, SNAPPY or UNCOMPRESSED
/// pages, a Thrift compact footer. Its output is checked against pyarrow by
/// scripts/reference/parquet_writer_check.py. Package access: MLAudit's own targets use it.
package final class ParquetWriter {
    package enum Codec: Int32, Sendable {
        case uncompressed = 0
        case snappy = 1
    }

    /// A column's Parquet type as written.
    package enum Kind: Sendable {
        /// BYTE_ARRAY annotated STRING (UTF8).
        case string
        /// INT64 (signed, INT(64, true)).
        case int64
        /// DOUBLE.
        case double
        /// BOOLEAN.
        case boolean
        /// INT64 TIMESTAMP(MILLIS, isAdjustedToUTC = true).
        case timestampMillis
    }

    package struct Column: Sendable {
        package var name: String
        package var kind: Kind
        package var optional: Bool
        package init(_ name: String, _ kind: Kind, optional: Bool = true) {
            self.name = name
            self.kind = kind
            self.optional = optional
        }
    }

    /// One row group's values of one column (nil: null; only in optional columns).
    package enum Values {
        case strings([String?])
        case ints([Int64?])
        case doubles([Double?])
        case booleans([Bool?])

        var count: Int {
            switch self {
            case .strings(let v): return v.count
            case .ints(let v): return v.count
            case .doubles(let v): return v.count
            case .booleans(let v): return v.count
            }
        }
    }

    let path: String
    let columns: [Column]
    let codec: Codec
    let rowsPerPage: Int
    private let handle: FileHandle
    private var offset = 0
    private var rowGroups: [[UInt8]] = []
    private var totalRows = 0

    /// Creates (or truncates) the file at `path` and writes the leading magic bytes.
    package init(path: String, columns: [Column], codec: Codec = .snappy, rowsPerPage: Int = 65_536) throws {
        self.path = path
        self.columns = columns
        self.codec = codec
        self.rowsPerPage = max(1, rowsPerPage)
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw MLAuditError.output(path, cause: "cannot create the file")
        }
        handle = h
        try write(Array("PAR1".utf8))
    }

    deinit { try? handle.close() }

    private func write(_ bytes: [UInt8]) throws {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw MLAuditError.output(path, cause: error.localizedDescription)
        }
        offset += bytes.count
    }

    /// Writes one row group: `values[i]` holds column i's values, all of the same length.
    package func append(rowGroup values: [Values]) throws {
        precondition(values.count == columns.count, "one Values per column")
        let rows = values.first?.count ?? 0
        precondition(values.allSatisfy { $0.count == rows }, "every column has the row group's rows")
        guard rows > 0 else { return }
        var chunks = ThriftWriter()
        chunks.listHeader(count: columns.count, type: .structure)
        var groupUncompressed = 0
        var groupCompressed = 0
        let groupStart = offset
        for (i, column) in columns.enumerated() {
            let start = offset
            var uncompressedTotal = 0
            var row = 0
            while row < rows {
                let end = min(rows, row + rowsPerPage)
                var body: [UInt8] = []
                if column.optional { appendLevels(values[i], row..<end, into: &body) }
                appendPlain(values[i], row..<end, column: column, into: &body)
                let compressed = compress(body)
                var header = ThriftWriter()
                header.field(1, .i32); header.varint(zigzag(0))  // DATA_PAGE
                header.field(2, .i32); header.varint(zigzag(Int64(body.count)))
                header.field(3, .i32); header.varint(zigzag(Int64(compressed.count)))
                header.field(5, .structure)
                header.begin()
                header.field(1, .i32); header.varint(zigzag(Int64(end - row)))
                header.field(2, .i32); header.varint(zigzag(0))  // PLAIN
                header.field(3, .i32); header.varint(zigzag(3))  // RLE
                header.field(4, .i32); header.varint(zigzag(3))  // RLE
                header.end()
                header.end()
                try write(header.bytes)
                try write(compressed)
                uncompressedTotal += header.bytes.count + body.count
                row = end
            }
            let compressedTotal = offset - start
            groupUncompressed += uncompressedTotal
            groupCompressed += compressedTotal
            // ColumnChunk
            chunks.begin()
            chunks.field(2, .i64); chunks.varint(zigzag(Int64(start)))
            chunks.field(3, .structure)
            chunks.begin()
            chunks.field(1, .i32); chunks.varint(zigzag(Int64(physical(column.kind))))
            chunks.field(2, .list); chunks.listHeader(count: 2, type: .i32)
            chunks.varint(zigzag(0)); chunks.varint(zigzag(3))  // PLAIN, RLE
            chunks.field(3, .list); chunks.listHeader(count: 1, type: .binary); chunks.binary(column.name)
            chunks.field(4, .i32); chunks.varint(zigzag(Int64(codec.rawValue)))
            chunks.field(5, .i64); chunks.varint(zigzag(Int64(rows)))
            chunks.field(6, .i64); chunks.varint(zigzag(Int64(uncompressedTotal)))
            chunks.field(7, .i64); chunks.varint(zigzag(Int64(compressedTotal)))
            chunks.field(9, .i64); chunks.varint(zigzag(Int64(start)))
            chunks.end()
            chunks.end()
        }
        var group = ThriftWriter()
        group.begin()
        group.field(1, .list)
        group.raw(chunks.bytes)
        group.field(2, .i64); group.varint(zigzag(Int64(groupUncompressed)))
        group.field(3, .i64); group.varint(zigzag(Int64(rows)))
        group.field(5, .i64); group.varint(zigzag(Int64(groupStart)))
        group.field(6, .i64); group.varint(zigzag(Int64(groupCompressed)))
        group.field(7, .i16); group.varint(zigzag(Int64(rowGroups.count)))
        group.end()
        rowGroups.append(group.bytes)
        totalRows += rows
    }

    /// Writes the footer and closes the file.
    package func finish() throws {
        var t = ThriftWriter()
        t.field(1, .i32); t.varint(zigzag(1))
        t.field(2, .list); t.listHeader(count: columns.count + 1, type: .structure)
        t.begin()
        t.field(4, .binary); t.binary("schema")
        t.field(5, .i32); t.varint(zigzag(Int64(columns.count)))
        t.end()
        for c in columns {
            t.begin()
            t.field(1, .i32); t.varint(zigzag(Int64(physical(c.kind))))
            t.field(3, .i32); t.varint(zigzag(c.optional ? 1 : 0))
            t.field(4, .binary); t.binary(c.name)
            switch c.kind {
            case .string:
                t.field(6, .i32); t.varint(zigzag(0))  // UTF8
                t.field(10, .structure); t.begin(); t.field(1, .structure); t.begin(); t.end(); t.end()
            case .timestampMillis:
                t.field(6, .i32); t.varint(zigzag(9))  // TIMESTAMP_MILLIS
                t.field(10, .structure); t.begin()
                t.field(8, .structure); t.begin()
                t.bool(1, true)
                t.field(2, .structure); t.begin(); t.field(1, .structure); t.begin(); t.end(); t.end()
                t.end()
                t.end()
            case .int64, .double, .boolean:
                break
            }
            t.end()
        }
        t.field(3, .i64); t.varint(zigzag(Int64(totalRows)))
        t.field(4, .list); t.listHeader(count: rowGroups.count, type: .structure)
        for g in rowGroups { t.raw(g) }
        t.field(6, .binary); t.binary("MLAudit ParquetWriter")
        t.end()
        try write(t.bytes)
        var tail: [UInt8] = []
        withUnsafeBytes(of: UInt32(t.bytes.count).littleEndian) { tail.append(contentsOf: $0) }
        tail.append(contentsOf: Array("PAR1".utf8))
        try write(tail)
        do { try handle.close() } catch { throw MLAuditError.output(path, cause: error.localizedDescription) }
    }

    private func physical(_ k: Kind) -> Int32 {
        switch k {
        case .boolean: return 0
        case .int64, .timestampMillis: return 2
        case .double: return 5
        case .string: return 6
        }
    }

    private func compress(_ body: [UInt8]) -> [UInt8] {
        guard codec == .snappy, !body.isEmpty else { return body }
        var out = [UInt8](repeating: 0, count: snappy_max_compressed_length(body.count))
        var n = out.count
        let rc = body.withUnsafeBytes { b in
            out.withUnsafeMutableBytes { o in
                snappy_compress(b.baseAddress!.assumingMemoryBound(to: CChar.self), b.count,
                                o.baseAddress!.assumingMemoryBound(to: CChar.self), &n)
            }
        }
        precondition(rc == SNAPPY_OK, "snappy_compress failed")
        out.removeSubrange(n...)
        return out
    }

    /// Definition levels (bit width 1) as one bit-packed run, behind their 4-byte length.
    private func appendLevels(_ v: Values, _ rows: Range<Int>, into out: inout [UInt8]) {
        let groups = (rows.count + 7) / 8
        var levels: [UInt8] = []
        var header = UInt64(groups) << 1 | 1
        while header >= 0x80 {
            levels.append(UInt8(header & 0x7F) | 0x80)
            header >>= 7
        }
        levels.append(UInt8(header))
        var packed = [UInt8](repeating: 0, count: groups)
        for (n, r) in rows.enumerated() where isPresent(v, r) { packed[n >> 3] |= 1 << UInt8(n & 7) }
        levels.append(contentsOf: packed)
        withUnsafeBytes(of: UInt32(levels.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: levels)
    }

    private func isPresent(_ v: Values, _ r: Int) -> Bool {
        switch v {
        case .strings(let a): return a[r] != nil
        case .ints(let a): return a[r] != nil
        case .doubles(let a): return a[r] != nil
        case .booleans(let a): return a[r] != nil
        }
    }

    /// The present values, PLAIN.
    private func appendPlain(_ v: Values, _ rows: Range<Int>, column: Column, into out: inout [UInt8]) {
        switch (v, column.kind) {
        case (.strings(let a), .string):
            for r in rows {
                guard let s = a[r] else { precondition(column.optional, "null in required column \(column.name)"); continue }
                let u = Array(s.utf8)
                withUnsafeBytes(of: UInt32(u.count).littleEndian) { out.append(contentsOf: $0) }
                out.append(contentsOf: u)
            }
        case (.ints(let a), .int64), (.ints(let a), .timestampMillis):
            for r in rows {
                guard let x = a[r] else { precondition(column.optional, "null in required column \(column.name)"); continue }
                withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            }
        case (.doubles(let a), .double):
            for r in rows {
                guard let x = a[r] else { precondition(column.optional, "null in required column \(column.name)"); continue }
                withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) }
            }
        case (.booleans(let a), .boolean):
            var byte: UInt8 = 0
            var bits = 0
            for r in rows {
                guard let x = a[r] else { precondition(column.optional, "null in required column \(column.name)"); continue }
                if x { byte |= 1 << UInt8(bits) }
                bits += 1
                if bits == 8 {
                    out.append(byte)
                    byte = 0
                    bits = 0
                }
            }
            if bits > 0 { out.append(byte) }
        default:
            preconditionFailure("column \(column.name): values do not match its kind")
        }
    }
}

/// Zigzag encoding of a signed integer (Thrift compact i16/i32/i64).
@inline(__always) private func zigzag(_ v: Int64) -> UInt64 {
    UInt64(bitPattern: (v << 1) ^ (v >> 63))
}

/// A writer of the Thrift compact protocol (structs, fields, lists, strings, integers).
struct ThriftWriter {
    enum TType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    var bytes: [UInt8] = []
    private var lastField: [Int] = [0]

    /// Opens a struct (list elements and nested struct fields).
    mutating func begin() { lastField.append(0) }

    /// Closes a struct: the stop field.
    mutating func end() {
        bytes.append(0)
        lastField.removeLast()
    }

    mutating func field(_ id: Int, _ type: TType) {
        let delta = id - lastField[lastField.count - 1]
        if delta > 0, delta <= 15 {
            bytes.append(UInt8(delta << 4) | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func bool(_ id: Int, _ value: Bool) { field(id, value ? .boolTrue : .boolFalse) }

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func binary(_ s: String) {
        let u = Array(s.utf8)
        varint(UInt64(u.count))
        bytes.append(contentsOf: u)
    }

    mutating func listHeader(count: Int, type: TType) {
        if count < 15 {
            bytes.append(UInt8(count << 4) | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
}
