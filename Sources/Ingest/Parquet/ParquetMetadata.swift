import Foundation

/// Parquet physical types (parquet.thrift `Type`).
enum ParquetPhysical: Int32, Sendable {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    var name: String {
        switch self {
        case .boolean: return "BOOLEAN"
        case .int32: return "INT32"
        case .int64: return "INT64"
        case .int96: return "INT96"
        case .float: return "FLOAT"
        case .double: return "DOUBLE"
        case .byteArray: return "BYTE_ARRAY"
        case .fixedLenByteArray: return "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// What a column's values mean, from the logical type or else the legacy converted type.
enum ParquetMeaning: Equatable, Sendable {
    case none
    case string
    case enumeration
    case json
    case decimal(scale: Int, precision: Int)
    case date
    /// Units per second: 1_000 (millis), 1_000_000 (micros), 1_000_000_000 (nanos).
    case timestamp(perSecond: Int64, utc: Bool)
    case time(perSecond: Int64)
    case integer(bits: Int, signed: Bool)
    case uuid
    case float16
    case other(String)

    var name: String {
        switch self {
        case .none: return ""
        case .string: return "STRING"
        case .enumeration: return "ENUM"
        case .json: return "JSON"
        case .decimal(let s, let p): return "DECIMAL(\(p),\(s))"
        case .date: return "DATE"
        case .timestamp(let u, let utc):
            let unit = u == 1000 ? "MILLIS" : u == 1_000_000 ? "MICROS" : "NANOS"
            return "TIMESTAMP(\(unit)\(utc ? ", UTC" : ""))"
        case .time: return "TIME"
        case .integer(let b, let s): return "\(s ? "" : "U")INT\(b)"
        case .uuid: return "UUID"
        case .float16: return "FLOAT16"
        case .other(let s): return s
        }
    }
}

/// One element of the footer's flattened schema tree.
struct ParquetSchemaElement {
    var name = ""
    var physical: ParquetPhysical?
    var typeLength = 0
    /// 0 required, 1 optional, 2 repeated.
    var repetition: Int32 = 0
    var numChildren = 0
    var converted: Int32?
    var scale = 0
    var precision = 0
    var logical: ParquetMeaning?
}

/// A leaf column of the schema, as the reader uses it.
struct ParquetColumn: Sendable {
    /// The top-level name (the dotted path for nested leaves).
    let name: String
    let physical: ParquetPhysical
    let typeLength: Int
    let meaning: ParquetMeaning
    let maxDefinition: Int
    let maxRepetition: Int
    /// Nested (inside a group, or repeated): not read (docs/ingest.md).
    let nested: Bool

    /// How the type reads in messages: `INT64 (TIMESTAMP(MICROS))`.
    var typeName: String {
        meaning == .none ? physical.name : "\(physical.name) (\(meaning.name))"
    }
}

/// A column chunk's place in the file.
struct ParquetChunk {
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalCompressed: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
    var physical: Int32 = -1
    var path: [String] = []
    var externalFile = false
}

struct ParquetRowGroup {
    var numRows: Int64 = 0
    var chunks: [ParquetChunk] = []
}

/// The footer: schema and row groups.
struct ParquetFooter {
    var numRows: Int64 = 0
    var columns: [ParquetColumn] = []
    /// Top-level field names in schema order (nested groups once).
    var topLevel: [String] = []
    var rowGroups: [ParquetRowGroup] = []
    var createdBy: String?

    /// The most column chunks (row groups × columns) a footer may describe: each decodes to a
    /// record of about a hundred bytes from as little as one byte of footer, so this bounds the
    /// footer's decoded size (about 400 MB) whatever its length. 4 000 000 is 10 000 columns in
    /// 400 row groups.
    static let maxColumnChunks = 4_000_000

    /// Reads the footer of a whole Parquet file held in `file`.
    static func read(_ file: UnsafeRawBufferPointer, maxColumnChunks: Int = ParquetFooter.maxColumnChunks) throws -> ParquetFooter {
        let n = file.count
        guard n >= 12 else { throw ParquetError("the file is \(n) bytes long, too short to be Parquet (at least 12)") }
        guard file[0] == 0x50, file[1] == 0x41, file[2] == 0x52, file[3] == 0x31 else {
            throw ParquetError("the file does not start with the Parquet magic bytes PAR1")
        }
        guard file[n - 4] == 0x50, file[n - 3] == 0x41, file[n - 2] == 0x52, file[n - 1] == 0x31 else {
            if file[n - 4] == 0x50, file[n - 3] == 0x41, file[n - 2] == 0x52, file[n - 1] == 0x45 {
                throw ParquetError("the file's footer is encrypted (PARE); encrypted Parquet is not supported")
            }
            throw ParquetError("the file does not end with the Parquet magic bytes PAR1: it is truncated or not a complete Parquet file")
        }
        let len = Int(file.loadUnaligned(fromByteOffset: n - 8, as: UInt32.self).littleEndian)
        guard len > 0, len <= n - 12 else {
            throw ParquetError("the footer length (\(len) bytes) does not fit in the file (\(n) bytes): the file is truncated or corrupt")
        }
        var r = ThriftReader(file, at: n - 8 - len)
        var footer = ParquetFooter()
        var elements: [ParquetSchemaElement] = []
        do {
            try r.readStruct { r, id, t in
                switch (id, t) {
                case (2, 9):
                    let (et, count) = try r.listHeader()
                    guard et == 12 else { throw ParquetError("the schema list holds type \(et), not structs") }
                    for _ in 0..<count { elements.append(try readSchemaElement(&r)) }
                case (3, 6): footer.numRows = try r.i64()
                case (4, 9):
                    let (et, count) = try r.listHeader()
                    guard et == 12 else { throw ParquetError("the row group list holds type \(et), not structs") }
                    var chunks = 0
                    for _ in 0..<count {
                        footer.rowGroups.append(try readRowGroup(&r, chunksSoFar: &chunks, maxChunks: maxColumnChunks))
                    }
                case (6, 8): footer.createdBy = try r.string()
                default: try r.skip(t)
                }
            }
        } catch let e as ParquetError {
            throw ParquetError("the footer is corrupt: \(e.message)")
        }
        try footer.buildColumns(elements)
        for (g, rg) in footer.rowGroups.enumerated() {
            guard rg.numRows >= 0 else { throw ParquetError("row group \(g + 1) claims \(rg.numRows) rows") }
            guard rg.chunks.count == footer.columns.count else {
                throw ParquetError("row group \(g + 1) has \(rg.chunks.count) column chunks for \(footer.columns.count) columns")
            }
        }
        return footer
    }

    private mutating func buildColumns(_ elements: [ParquetSchemaElement]) throws {
        guard let root = elements.first else { throw ParquetError("the footer has no schema") }
        var index = 1
        var leaves: [ParquetColumn] = []
        var top: [String] = []
        // Depth-first over the flattened tree.
        func walk(prefix: [String], definition: Int, repetition: Int, nested: Bool, depth: Int) throws {
            guard index < elements.count else { throw ParquetError("the schema tree is shorter than its child counts say") }
            guard depth <= 64 else { throw ParquetError("the schema nests more than 64 deep") }
            let e = elements[index]
            index += 1
            let path = prefix + [e.name]
            if depth == 0 { top.append(e.name) }
            let def = definition + (e.repetition == 0 ? 0 : 1)
            let rep = repetition + (e.repetition == 2 ? 1 : 0)
            if e.numChildren > 0 {
                for _ in 0..<e.numChildren {
                    try walk(prefix: path, definition: def, repetition: rep, nested: true, depth: depth + 1)
                }
                return
            }
            guard let physical = e.physical else { throw ParquetError("schema element '\(e.name)' has neither a type nor children") }
            leaves.append(ParquetColumn(
                name: path.joined(separator: "."), physical: physical, typeLength: e.typeLength,
                meaning: e.meaning, maxDefinition: def, maxRepetition: rep, nested: nested || rep > 0))
        }
        guard root.numChildren >= 0, root.numChildren < elements.count else {
            throw ParquetError("the schema root claims \(root.numChildren) children")
        }
        for _ in 0..<root.numChildren {
            try walk(prefix: [], definition: 0, repetition: 0, nested: false, depth: 0)
        }
        columns = leaves
        topLevel = top
    }

    private static func readSchemaElement(_ r: inout ThriftReader) throws -> ParquetSchemaElement {
        var e = ParquetSchemaElement()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, 5):
                let v = try r.i32()
                guard let p = ParquetPhysical(rawValue: v) else { throw ParquetError("unknown physical type \(v)") }
                e.physical = p
            case (2, 5): e.typeLength = Int(try r.i32())
            case (3, 5): e.repetition = try r.i32()
            case (4, 8): e.name = try r.string()
            case (5, 5):
                let c = try r.i32()
                guard c >= 0 else { throw ParquetError("a schema element claims \(c) children") }
                e.numChildren = Int(c)
            case (6, 5): e.converted = try r.i32()
            case (7, 5): e.scale = Int(try r.i32())
            case (8, 5): e.precision = Int(try r.i32())
            case (10, 12): e.logical = try readLogical(&r)
            default: try r.skip(t)
            }
        }
        return e
    }

    private static func readTimeUnit(_ r: inout ThriftReader) throws -> Int64 {
        var unit: Int64 = 1000
        try r.readStruct { r, id, t in
            switch id {
            case 1: unit = 1000
            case 2: unit = 1_000_000
            case 3: unit = 1_000_000_000
            default: break
            }
            try r.skip(t)
        }
        return unit
    }

    private static func readLogical(_ r: inout ThriftReader) throws -> ParquetMeaning {
        var m = ParquetMeaning.other("unknown logical type")
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, 12): m = .string; try r.skip(t)
            case (2, 12): m = .other("MAP"); try r.skip(t)
            case (3, 12): m = .other("LIST"); try r.skip(t)
            case (4, 12): m = .enumeration; try r.skip(t)
            case (5, 12):
                var scale = 0, precision = 0
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, 5): scale = Int(try r.i32())
                    case (2, 5): precision = Int(try r.i32())
                    default: try r.skip(t)
                    }
                }
                m = .decimal(scale: scale, precision: precision)
            case (6, 12): m = .date; try r.skip(t)
            case (7, 12), (8, 12):
                var utc = false
                var unit: Int64 = 1000
                try r.readStruct { r, fid, ft in
                    switch (fid, ft) {
                    case (1, 1), (1, 2): utc = try r.bool(ft)
                    case (2, 12): unit = try readTimeUnit(&r)
                    default: try r.skip(ft)
                    }
                }
                m = id == 7 ? .time(perSecond: unit) : .timestamp(perSecond: unit, utc: utc)
            case (10, 12):
                var bits = 64
                var signed = true
                try r.readStruct { r, fid, ft in
                    switch (fid, ft) {
                    case (1, 3): bits = Int(Int8(bitPattern: try r.byte()))
                    case (2, 1), (2, 2): signed = try r.bool(ft)
                    default: try r.skip(ft)
                    }
                }
                m = .integer(bits: bits, signed: signed)
            case (11, 12): m = .other("NULL"); try r.skip(t)
            case (12, 12): m = .json; try r.skip(t)
            case (13, 12): m = .other("BSON"); try r.skip(t)
            case (14, 12): m = .uuid; try r.skip(t)
            case (15, 12): m = .float16; try r.skip(t)
            default: try r.skip(t)
            }
        }
        return m
    }

    private static func readRowGroup(_ r: inout ThriftReader, chunksSoFar: inout Int, maxChunks: Int) throws -> ParquetRowGroup {
        var g = ParquetRowGroup()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, 9):
                let (et, count) = try r.listHeader()
                guard et == 12 else { throw ParquetError("a column chunk list holds type \(et), not structs") }
                chunksSoFar += count
                guard chunksSoFar <= maxChunks else {
                    throw ParquetError("the row groups hold more than \(maxChunks) column chunks (row groups × columns), the most MLAudit reads")
                }
                for _ in 0..<count { g.chunks.append(try readChunk(&r)) }
            case (3, 6): g.numRows = try r.i64()
            default: try r.skip(t)
            }
        }
        return g
    }

    private static func readChunk(_ r: inout ThriftReader) throws -> ParquetChunk {
        var c = ParquetChunk()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, 8): c.externalFile = !(try r.binary()).isEmpty
            case (3, 12):
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, 5): c.physical = try r.i32()
                    case (3, 9):
                        let (et, count) = try r.listHeader()
                        // A schema nests at most 64 deep (`buildColumns`), so a longer path is corrupt.
                        guard count <= 65 else { throw ParquetError("a column chunk's path has \(count) parts (a schema nests at most 64 deep)") }
                        for _ in 0..<count {
                            if et == 8 { c.path.append(try r.string()) } else { try r.skip(et) }
                        }
                    case (4, 5): c.codec = try r.i32()
                    case (5, 6): c.numValues = try r.i64()
                    case (7, 6): c.totalCompressed = try r.i64()
                    case (9, 6): c.dataPageOffset = try r.i64()
                    case (11, 6): c.dictionaryPageOffset = try r.i64()
                    default: try r.skip(t)
                    }
                }
            default: try r.skip(t)
            }
        }
        return c
    }
}

extension ParquetSchemaElement {
    /// The logical type, else the converted type's meaning.
    var meaning: ParquetMeaning {
        if let logical, logical != .other("unknown logical type") { return logical }
        guard let converted else { return .none }
        switch converted {
        case 0: return .string
        case 1, 2: return .other("MAP")
        case 3: return .other("LIST")
        case 4: return .enumeration
        case 5: return .decimal(scale: scale, precision: precision)
        case 6: return .date
        case 7: return .time(perSecond: 1000)
        case 8: return .time(perSecond: 1_000_000)
        case 9: return .timestamp(perSecond: 1000, utc: true)
        case 10: return .timestamp(perSecond: 1_000_000, utc: true)
        case 11: return .integer(bits: 8, signed: false)
        case 12: return .integer(bits: 16, signed: false)
        case 13: return .integer(bits: 32, signed: false)
        case 14: return .integer(bits: 64, signed: false)
        case 15: return .integer(bits: 8, signed: true)
        case 16: return .integer(bits: 16, signed: true)
        case 17: return .integer(bits: 32, signed: true)
        case 18: return .integer(bits: 64, signed: true)
        case 19: return .json
        case 20: return .other("BSON")
        case 21: return .other("INTERVAL")
        default: return .none
        }
    }
}

/// Page headers (parquet.thrift `PageHeader`).
struct ParquetPageHeader {
    /// 0 data v1, 1 index, 2 dictionary, 3 data v2.
    var type: Int32 = -1
    var uncompressedSize = 0
    var compressedSize = 0
    var numValues = 0
    var encoding: Int32 = 0
    var numNulls = 0
    var definitionBytes = 0
    var repetitionBytes = 0
    var isCompressed = true

    static func read(_ r: inout ThriftReader) throws -> ParquetPageHeader {
        var h = ParquetPageHeader()
        func nonNegative(_ v: Int32, _ what: String) throws -> Int {
            guard v >= 0 else { throw ParquetError("a page header's \(what) is negative (\(v))") }
            return Int(v)
        }
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, 5): h.type = try r.i32()
            case (2, 5): h.uncompressedSize = try nonNegative(try r.i32(), "uncompressed size")
            case (3, 5): h.compressedSize = try nonNegative(try r.i32(), "compressed size")
            case (5, 12), (7, 12):
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, 5): h.numValues = try nonNegative(try r.i32(), "value count")
                    case (2, 5): h.encoding = try r.i32()
                    default: try r.skip(t)
                    }
                }
            case (8, 12):
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, 5): h.numValues = try nonNegative(try r.i32(), "value count")
                    case (2, 5): h.numNulls = try nonNegative(try r.i32(), "null count")
                    case (4, 5): h.encoding = try r.i32()
                    case (5, 5): h.definitionBytes = try nonNegative(try r.i32(), "definition level length")
                    case (6, 5): h.repetitionBytes = try nonNegative(try r.i32(), "repetition level length")
                    case (7, 1), (7, 2): h.isCompressed = try r.bool(t)
                    default: try r.skip(t)
                    }
                }
            default: try r.skip(t)
            }
        }
        return h
    }
}
