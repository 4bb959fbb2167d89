import Foundation

/// One column of one row group, decoded: a presence flag per row and the present values,
/// densely, in the storage their physical type needs.
struct ParquetColumnData {
    /// Per row: 1 when the value is present (empty when every row's value is: a required column,
    /// or a page without nulls).
    var present: [UInt8] = []
    /// BOOLEAN (0/1), INT32, INT64; INT96 as Unix milliseconds.
    var ints: [Int64] = []
    /// FLOAT, DOUBLE.
    var doubles: [Double] = []
    /// BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY: value k is `bytes[offsets[k]..<offsets[k+1]]`.
    var offsets: [Int] = [0]
    var bytes: [UInt8] = []

    var valueCount: Int {
        ints.count + doubles.count + offsets.count - 1
    }
}

enum ParquetStorage {
    case ints, doubles, bytes

    init(_ p: ParquetPhysical) {
        switch p {
        case .boolean, .int32, .int64, .int96: self = .ints
        case .float, .double: self = .doubles
        case .byteArray, .fixedLenByteArray: self = .bytes
        }
    }
}

/// Rows per row group the reader accepts (a footer claiming more is refused rather than trusted).
let parquetMaxRowGroupRows: Int64 = 1 << 26

/// The page decoders of one flat column (`readLevels`, `decodeValues`, `decodePlain`), which
/// `ParquetColumnStream` reads a column chunk's pages through.
struct ParquetChunkReader {
    let column: ParquetColumn

    private var storage: ParquetStorage { ParquetStorage(column.physical) }

    /// Makes room for `count` more values that `bytes` bytes of PLAIN data hold (a dictionary
    /// page), in one allocation of the right size instead of the doublings of appending (each
    /// leaves a freed buffer behind; pyarrow's dictionaries are up to 1 MiB per column). The
    /// count comes from the file: the room is bounded by what the bytes can hold.
    func reservePlain(_ out: inout ParquetColumnData, count: Int, bytes: Int) {
        let width: Int
        switch column.physical {
        case .boolean: return
        case .int32, .float, .byteArray: width = 4
        case .int64, .double: width = 8
        case .int96: width = 12
        case .fixedLenByteArray: width = max(1, column.typeLength)
        }
        let n = max(0, min(count, bytes / width))
        switch storage {
        case .ints: out.ints.reserveCapacity(out.ints.count + n)
        case .doubles: out.doubles.reserveCapacity(out.doubles.count + n)
        case .bytes:
            out.offsets.reserveCapacity(out.offsets.count + n)
            out.bytes.reserveCapacity(out.bytes.count + (column.physical == .byteArray ? bytes - 4 * n : n * width))
        }
    }

    /// Definition levels (RLE hybrid, bit width from the maximum level): appends a presence
    /// flag per value; returns how many are present.
    func readLevels(_ c: inout ByteCursor, count: Int, into present: inout [UInt8]) throws -> Int {
        let maxDef = column.maxDefinition
        let width = maxDef == 0 ? 0 : (Int.bitWidth - maxDef.leadingZeroBitCount)
        // A page without nulls is one RLE run of the maximum level (what writers write): no
        // flag is appended, and an empty `present` means every row's value is present.
        if count > 0, present.isEmpty {
            var peek = c
            if let header = try? peek.uleb(), header & 1 == 0, header >> 1 >= UInt64(count),
               let b = try? peek.take((width + 7) / 8)
            {
                var level = 0
                for k in 0..<b.count { level |= Int(b[k]) << (8 * k) }
                if level == maxDef {
                    c = peek
                    return count
                }
            }
        }
        var n = 0
        try decodeHybrid(&c, width: width, count: count) { level in
            guard Int(level) <= maxDef else { throw ParquetError("a definition level (\(level)) exceeds the maximum (\(maxDef))") }
            let p: UInt8 = Int(level) == maxDef ? 1 : 0
            present.append(p)
            n += Int(p)
        }
        return n
    }

    func decodeValues(
        _ c: inout ByteCursor, encoding: Int32, count: Int, dictionary: ParquetColumnData?, into out: inout ParquetColumnData
    ) throws {
        switch encoding {
        case 0:
            try decodePlain(&c, count: count, into: &out)
        case 2, 8:
            guard let dictionary else { throw ParquetError("a dictionary-encoded page has no dictionary page before it") }
            if count == 0 { return }
            let width = Int(try c.byte())
            let size = dictionary.valueCount
            switch storage {
            case .ints:
                try decodeHybrid(&c, width: width, count: count) { k in
                    guard Int(k) < size else { throw ParquetError("a dictionary index (\(k)) is out of range (the dictionary has \(size) values)") }
                    out.ints.append(dictionary.ints[Int(k)])
                }
            case .doubles:
                try decodeHybrid(&c, width: width, count: count) { k in
                    guard Int(k) < size else { throw ParquetError("a dictionary index (\(k)) is out of range (the dictionary has \(size) values)") }
                    out.doubles.append(dictionary.doubles[Int(k)])
                }
            case .bytes:
                try decodeHybrid(&c, width: width, count: count) { k in
                    guard Int(k) < size else { throw ParquetError("a dictionary index (\(k)) is out of range (the dictionary has \(size) values)") }
                    out.bytes.append(contentsOf: dictionary.bytes[dictionary.offsets[Int(k)]..<dictionary.offsets[Int(k) + 1]])
                    out.offsets.append(out.bytes.count)
                }
            }
        case 3:
            guard column.physical == .boolean else { throw ParquetError("RLE encodes only BOOLEAN values, not \(column.physical.name)") }
            let length = Int(try c.le32())
            var rc = ByteCursor(try c.take(length))
            try decodeHybrid(&rc, width: 1, count: count) { out.ints.append(Int64($0)) }
        case 5:
            guard column.physical == .int32 || column.physical == .int64 else {
                throw ParquetError("DELTA_BINARY_PACKED encodes INT32 and INT64, not \(column.physical.name)")
            }
            let is32 = column.physical == .int32
            let unsigned = column.isUnsigned
            var n = 0
            try decodeDeltaBinaryPacked(&c, limit: count) { v in
                out.ints.append(is32 ? (unsigned ? Int64(UInt32(truncatingIfNeeded: v)) : Int64(Int32(truncatingIfNeeded: v))) : v)
                n += 1
            }
            guard n == count else { throw ParquetError("a DELTA_BINARY_PACKED page holds \(n) values, not \(count)") }
        case 6:
            guard column.physical == .byteArray else { throw ParquetError("DELTA_LENGTH_BYTE_ARRAY encodes BYTE_ARRAY, not \(column.physical.name)") }
            var lengths: [Int] = []
            lengths.reserveCapacity(count)
            let bound = Int64(c.remaining)
            try decodeDeltaBinaryPacked(&c, limit: count) { v in
                guard v >= 0, v <= bound else { throw ParquetError("a DELTA_LENGTH_BYTE_ARRAY length (\(v)) is out of range") }
                lengths.append(Int(v))
            }
            guard lengths.count == count else { throw ParquetError("a DELTA_LENGTH_BYTE_ARRAY page holds \(lengths.count) lengths, not \(count)") }
            for n in lengths {
                out.bytes.append(contentsOf: try c.take(n))
                out.offsets.append(out.bytes.count)
            }
        case 7:
            guard column.physical == .byteArray || column.physical == .fixedLenByteArray else {
                throw ParquetError("DELTA_BYTE_ARRAY encodes byte arrays, not \(column.physical.name)")
            }
            var prefixes: [Int] = []
            try decodeDeltaBinaryPacked(&c, limit: count) { v in
                guard v >= 0, v <= Int64(Int32.max) else { throw ParquetError("a DELTA_BYTE_ARRAY prefix length (\(v)) is out of range") }
                prefixes.append(Int(v))
            }
            var lengths: [Int] = []
            let bound = Int64(c.remaining)
            try decodeDeltaBinaryPacked(&c, limit: count) { v in
                guard v >= 0, v <= bound else { throw ParquetError("a DELTA_BYTE_ARRAY suffix length (\(v)) is out of range") }
                lengths.append(Int(v))
            }
            guard prefixes.count == count, lengths.count == count else {
                throw ParquetError("a DELTA_BYTE_ARRAY page holds \(lengths.count) values, not \(count)")
            }
            var previous: [UInt8] = []
            for k in 0..<count {
                guard prefixes[k] <= previous.count else {
                    throw ParquetError("a DELTA_BYTE_ARRAY prefix (\(prefixes[k])) is longer than the previous value (\(previous.count))")
                }
                previous.removeSubrange(prefixes[k]...)
                previous.append(contentsOf: try c.take(lengths[k]))
                if column.physical == .fixedLenByteArray, previous.count != column.typeLength {
                    throw ParquetError("a DELTA_BYTE_ARRAY value has \(previous.count) bytes, not \(column.typeLength)")
                }
                out.bytes.append(contentsOf: previous)
                out.offsets.append(out.bytes.count)
            }
        case 9:
            let width: Int
            switch column.physical {
            case .float, .int32: width = 4
            case .double, .int64: width = 8
            case .fixedLenByteArray: width = column.typeLength
            default: throw ParquetError("BYTE_STREAM_SPLIT does not encode \(column.physical.name)")
            }
            guard width > 0, count <= c.remaining / width else {
                throw ParquetError("a BYTE_STREAM_SPLIT page holds fewer than \(count) values")
            }
            let streams = try c.take(count * width)
            var value = [UInt8](repeating: 0, count: width)
            for i in 0..<count {
                for k in 0..<width { value[k] = streams[k * count + i] }
                try value.withUnsafeBytes { v in
                    var vc = ByteCursor(v)
                    try decodePlain(&vc, count: 1, into: &out)
                }
            }
        default:
            throw ParquetError("values encoded with \(encodingName(encoding)) cannot be read")
        }
    }

    /// PLAIN values.
    func decodePlain(_ c: inout ByteCursor, count: Int, into out: inout ParquetColumnData) throws {
        switch column.physical {
        case .boolean:
            let b = try c.take((count + 7) / 8)
            for i in 0..<count { out.ints.append(Int64((b[i >> 3] >> UInt8(i & 7)) & 1)) }
        case .int32:
            guard count <= c.remaining / 4 else { throw ParquetError("a PLAIN page holds fewer than \(count) INT32 values") }
            let b = try c.take(4 * count)
            let unsigned = column.isUnsigned
            for i in 0..<count {
                let raw = b.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian
                out.ints.append(unsigned ? Int64(raw) : Int64(Int32(bitPattern: raw)))
            }
        case .int64:
            guard count <= c.remaining / 8 else { throw ParquetError("a PLAIN page holds fewer than \(count) INT64 values") }
            let b = try c.take(8 * count)
            for i in 0..<count { out.ints.append(Int64(littleEndian: b.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .int96:
            guard count <= c.remaining / 12 else { throw ParquetError("a PLAIN page holds fewer than \(count) INT96 values") }
            let b = try c.take(12 * count)
            for i in 0..<count {
                let nanos = Int64(littleEndian: b.loadUnaligned(fromByteOffset: 12 * i, as: Int64.self))
                let julian = Int64(Int32(littleEndian: b.loadUnaligned(fromByteOffset: 12 * i + 8, as: Int32.self)))
                // Julian day 2440588 is 1970-01-01; the nanoseconds of the day floor to milliseconds.
                let ms = (julian - 2_440_588) * 86_400_000 + (nanos >= 0 ? nanos / 1_000_000 : (nanos - 999_999) / 1_000_000)
                out.ints.append(ms)
            }
        case .float:
            guard count <= c.remaining / 4 else { throw ParquetError("a PLAIN page holds fewer than \(count) FLOAT values") }
            let b = try c.take(4 * count)
            for i in 0..<count {
                out.doubles.append(Double(Float(bitPattern: b.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian)))
            }
        case .double:
            guard count <= c.remaining / 8 else { throw ParquetError("a PLAIN page holds fewer than \(count) DOUBLE values") }
            let b = try c.take(8 * count)
            for i in 0..<count {
                out.doubles.append(Double(bitPattern: b.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
            }
        case .byteArray:
            for _ in 0..<count {
                let n = Int(try c.le32())
                out.bytes.append(contentsOf: try c.take(n))
                out.offsets.append(out.bytes.count)
            }
        case .fixedLenByteArray:
            let w = column.typeLength
            guard w > 0, count <= c.remaining / w else { throw ParquetError("a PLAIN page holds fewer than \(count) values of \(w) bytes") }
            out.bytes.append(contentsOf: try c.take(w * count))
            for i in 1...max(count, 1) where i <= count { out.offsets.append(out.offsets[out.offsets.count - 1] + w) }
        }
    }
}

extension ParquetColumn {
    var isUnsigned: Bool {
        if case .integer(_, false) = meaning { return true }
        return false
    }
}

func encodingName(_ e: Int32) -> String {
    switch e {
    case 0: return "PLAIN"
    case 2: return "PLAIN_DICTIONARY"
    case 3: return "RLE"
    case 4: return "BIT_PACKED"
    case 5: return "DELTA_BINARY_PACKED"
    case 6: return "DELTA_LENGTH_BYTE_ARRAY"
    case 7: return "DELTA_BYTE_ARRAY"
    case 8: return "RLE_DICTIONARY"
    case 9: return "BYTE_STREAM_SPLIT"
    default: return "encoding \(e)"
    }
}
