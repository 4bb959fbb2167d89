import Foundation

/// Why a Parquet file cannot be read: a message for the error or the quarantine reason.
struct ParquetError: Error, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A reader of the Thrift compact protocol, the encoding of Parquet's footer and page headers
/// (parquet-format's parquet.thrift). Every read is bounds-checked against the buffer; nesting
/// is bounded; lengths and counts are checked against the bytes left, so a hostile footer
/// cannot make it allocate more than the buffer it reads.
struct ThriftReader {
    let bytes: UnsafeRawBufferPointer
    var pos: Int
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer, at pos: Int = 0) {
        self.bytes = bytes
        self.pos = pos
    }

    /// Compact type codes.
    enum TType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    mutating func byte() throws -> UInt8 {
        guard pos < bytes.count else { throw ParquetError("the Thrift data ends early (at byte \(pos))") }
        defer { pos += 1 }
        return bytes[pos]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ParquetError("a Thrift varint is longer than 10 bytes (at byte \(pos))") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws -> Int32 {
        let v = try zigzag()
        guard let r = Int32(exactly: v) else { throw ParquetError("a Thrift i32 is out of range (\(v))") }
        return r
    }

    mutating func i64() throws -> Int64 { try zigzag() }

    mutating func binary() throws -> UnsafeRawBufferPointer {
        let n = try varint()
        guard n <= UInt64(bytes.count - pos) else {
            throw ParquetError("a Thrift string claims \(n) bytes but only \(bytes.count - pos) remain")
        }
        defer { pos += Int(n) }
        return UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + Int(n)])
    }

    mutating func string() throws -> String {
        let b = try binary()
        return String(decoding: b, as: UTF8.self)
    }

    /// The most elements of one list or map: 1 000 000, as Apache Arrow's reader
    /// (`thrift_container_size_limit`). An element can be one byte (an empty struct) and decodes
    /// to a record of about a hundred, so without it a 20 MB footer of empty schema elements
    /// took 3.2 GB (docs/ingest.md, "Bad input").
    static let maxContainerElements = 1_000_000

    /// A list header: element type and count (the count bounded by the bytes left and by
    /// ``maxContainerElements``).
    mutating func listHeader() throws -> (type: UInt8, count: Int) {
        let h = try byte()
        var n = UInt64(h >> 4)
        if n == 15 { n = try varint() }
        guard n <= UInt64(bytes.count - pos) else {
            throw ParquetError("a Thrift list claims \(n) elements but only \(bytes.count - pos) bytes remain")
        }
        guard n <= UInt64(Self.maxContainerElements) else {
            throw ParquetError("a Thrift list claims \(n) elements, more than the \(Self.maxContainerElements) MLAudit reads in one list")
        }
        return (h & 0x0F, Int(n))
    }

    /// Iterates the fields of a struct: `body(fieldID, type)` must consume or skip each value.
    mutating func readStruct(_ body: (inout ThriftReader, Int16, UInt8) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 32 else { throw ParquetError("Thrift structs nest more than 32 deep") }
        var last: Int16 = 0
        while true {
            let h = try byte()
            let type = h & 0x0F
            if type == 0 { return }
            let delta = h >> 4
            let id: Int16
            if delta != 0 {
                id = last &+ Int16(delta)
            } else {
                let z = try zigzag()
                guard let v = Int16(exactly: z) else { throw ParquetError("a Thrift field id is out of range (\(z))") }
                id = v
            }
            last = id
            try body(&self, id, type)
        }
    }

    /// A boolean field's value (carried by its type code).
    func bool(_ type: UInt8) throws -> Bool {
        switch type {
        case 1: return true
        case 2: return false
        default: throw ParquetError("a Thrift field expected to be a boolean has type \(type)")
        }
    }

    /// Checks a field's type before reading it.
    func expect(_ type: UInt8, _ wanted: TType, field: String) throws {
        guard type == wanted.rawValue else {
            throw ParquetError("the Thrift field \(field) has type \(type), expected \(wanted)")
        }
    }

    /// Skips a value of the given type.
    mutating func skip(_ type: UInt8) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 32 else { throw ParquetError("Thrift values nest more than 32 deep") }
        switch type {
        case 1, 2: return
        case 3: _ = try byte()
        case 4, 5, 6: _ = try varint()
        case 7:
            guard bytes.count - pos >= 8 else { throw ParquetError("the Thrift data ends early (at byte \(pos))") }
            pos += 8
        case 8: _ = try binary()
        case 9, 10:
            let (t, n) = try listHeader()
            for _ in 0..<n {
                if t == 1 || t == 2 { _ = try byte() } else { try skip(t) }
            }
        case 11:
            let n = try varint()
            guard n <= UInt64(bytes.count - pos), n <= UInt64(Self.maxContainerElements) else {
                throw ParquetError("a Thrift map claims \(n) entries")
            }
            if n > 0 {
                let kv = try byte()
                for _ in 0..<n {
                    try skip(kv >> 4)
                    try skip(kv & 0x0F)
                }
            }
        case 12:
            try readStruct { r, _, t in try r.skip(t) }
        default:
            throw ParquetError("unknown Thrift type \(type) at byte \(pos)")
        }
    }
}
