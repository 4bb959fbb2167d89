import AuditModel
import Foundation

/// How a Parquet column's values become a declared column's values (docs/ingest.md).
enum ParquetValueKind {
    case boolean
    case integer
    case unsigned64
    case floating
    /// Unscaled integer (INT32/INT64/byte arrays) with this scale.
    case decimal(scale: Int)
    /// Days since 1970-01-01.
    case date
    /// Units per second.
    case timestamp(perSecond: Int64)
    /// INT96: already milliseconds.
    case int96
    case bytes
    case uuid

    init(_ c: ParquetColumn) {
        switch (c.physical, c.meaning) {
        case (_, .decimal(let s, _)): self = .decimal(scale: s)
        case (.boolean, _): self = .boolean
        case (.int96, _): self = .int96
        case (.int32, .date): self = .date
        case (.int32, .timestamp(let u, _)), (.int64, .timestamp(let u, _)): self = .timestamp(perSecond: u)
        case (.int64, .integer(_, false)): self = .unsigned64
        case (.int32, _), (.int64, _): self = .integer
        case (.float, _), (.double, _): self = .floating
        case (.fixedLenByteArray, .uuid): self = .uuid
        default: self = .bytes
        }
    }

    var isTemporal: Bool {
        switch self {
        case .date, .timestamp, .int96: return true
        default: return false
        }
    }
}

/// Why a declared type cannot be read from a Parquet column, or nil when it can.
func parquetTypeConflict(_ declared: ColumnType, _ c: ParquetColumn) -> String? {
    let kind = ParquetValueKind(c)
    let fits: Bool
    switch declared {
    case .numeric:
        switch kind {
        case .integer, .unsigned64, .floating, .decimal, .boolean: fits = true
        default: fits = false
        }
    case .integer:
        switch kind {
        case .integer, .unsigned64, .boolean: fits = true
        case .decimal(let s): fits = s == 0
        default: fits = false
        }
    case .boolean:
        switch kind {
        case .boolean, .integer, .unsigned64: fits = true
        default: fits = false
        }
    case .datetime:
        switch kind {
        case .date, .timestamp, .int96, .integer: fits = true
        case .bytes: fits = c.physical == .byteArray
        default: fits = false
        }
    case .categorical, .text:
        fits = c.meaning != .float16 && !(c.meaning.isTime)
    }
    return fits ? nil : c.typeName
}

extension ParquetMeaning {
    var isTime: Bool {
        if case .time = self { return true }
        return false
    }
}

/// Floor division.
@inline(__always) private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// Milliseconds since the epoch of a temporal value, or nil when it lies outside the
/// canonical form's years 0001–9999 (`Timestamp.canonicalRange`, as CSV epoch numbers).
@inline(__always) func parquetMilliseconds(_ v: Int64, _ kind: ParquetValueKind) -> Int64? {
    let ms: Int64
    switch kind {
    case .date:
        let (m, o) = v.multipliedReportingOverflow(by: 86_400_000)
        if o { return nil }
        ms = m
    case .timestamp(let u):
        ms = u == 1000 ? v : floorDiv(v, u / 1000)
    case .int96: ms = v
    default: return nil
    }
    return Timestamp.canonicalRange.contains(ms) ? ms : nil
}

/// Decimal text of a big-endian two's-complement integer with `scale` digits after the point.
func decimalText(bigEndian b: UnsafeRawBufferPointer, scale: Int, into out: inout [UInt8]) {
    var digits: [UInt8] = []
    var mag = Array(b)
    let negative = (mag.first ?? 0) & 0x80 != 0
    if negative {
        // Two's complement negate.
        for i in mag.indices { mag[i] = ~mag[i] }
        var i = mag.count - 1
        while i >= 0 {
            let (s, o) = mag[i].addingReportingOverflow(1)
            mag[i] = s
            if !o { break }
            i -= 1
        }
    }
    while mag.contains(where: { $0 != 0 }) {
        var rem = 0
        for i in mag.indices {
            let cur = rem * 256 + Int(mag[i])
            mag[i] = UInt8(cur / 10)
            rem = cur % 10
        }
        digits.append(UInt8(48 + rem))
    }
    if digits.isEmpty { digits = [48] }
    appendScaled(digits: digits, negative: negative, scale: scale, into: &out)
}

/// `digits` least significant first.
private func appendScaled(digits: [UInt8], negative: Bool, scale: Int, into out: inout [UInt8]) {
    var d = digits
    let s = max(scale, 0)
    while d.count <= s { d.append(48) }
    if negative, d.contains(where: { $0 != 48 }) { out.append(UInt8(ascii: "-")) }
    for i in stride(from: d.count - 1, through: 0, by: -1) {
        out.append(d[i])
        if i == s, s > 0 { out.append(UInt8(ascii: ".")) }
    }
    if scale < 0 { for _ in 0..<(-scale) { out.append(48) } }
}

func decimalText(_ v: Int64, scale: Int, into out: inout [UInt8]) {
    var digits: [UInt8] = []
    var m = v.magnitude
    repeat {
        digits.append(UInt8(48 + m % 10))
        m /= 10
    } while m > 0
    appendScaled(digits: digits, negative: v < 0, scale: scale, into: &out)
}

/// The text of value `k` (for text columns, quarantine reasons and the untyped reader).
func parquetText(_ data: ParquetColumnData, _ k: Int, _ kind: ParquetValueKind, into out: inout [UInt8]) {
    switch kind {
    case .boolean: out.append(contentsOf: (data.ints[k] != 0 ? "true" : "false").utf8)
    case .integer: out.append(contentsOf: String(data.ints[k]).utf8)
    case .unsigned64: out.append(contentsOf: String(UInt64(bitPattern: data.ints[k])).utf8)
    case .floating:
        let v = data.doubles[k]
        out.append(contentsOf: (v.isNaN ? "NaN" : v.isInfinite ? (v < 0 ? "-inf" : "inf") : "\(v)").utf8)
    case .decimal(let s):
        if data.ints.count > k, data.offsets.count == 1 {
            decimalText(data.ints[k], scale: s, into: &out)
        } else {
            data.bytes.withUnsafeBytes { b in
                decimalText(bigEndian: UnsafeRawBufferPointer(rebasing: b[data.offsets[k]..<data.offsets[k + 1]]), scale: s, into: &out)
            }
        }
    case .date:
        out.append(contentsOf: Day(ordinal: Int(clamping: data.ints[k])).description.utf8)
    case .timestamp, .int96:
        if let ms = parquetMilliseconds(data.ints[k], kind) {
            out.append(contentsOf: Timestamp.format(epochMilliseconds: ms).utf8)
        } else {
            // Outside years 0001–9999: the stored integer as written, nothing lost.
            out.append(contentsOf: String(data.ints[k]).utf8)
        }
    case .bytes:
        out.append(contentsOf: data.bytes[data.offsets[k]..<data.offsets[k + 1]])
    case .uuid:
        let hexDigits = Array("0123456789abcdef".utf8)
        for (i, b) in data.bytes[data.offsets[k]..<data.offsets[k + 1]].enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 15)])
        }
    }
}

/// Types value `k` of a Parquet column as declared column `j` of the batch's current row,
/// straight from its decoded storage (text only for text columns and the rarer pairings).
@inline(__always)
func typeParquetValue(
    _ j: Int, _ data: ParquetColumnData, _ k: Int, _ kind: ParquetValueKind, _ type: ColumnType,
    _ typer: RowTyper, _ batch: RowBatch, _ text: inout [UInt8]
) -> RowTyper.Outcome {
    switch (type, kind) {
    case (.numeric, .floating):
        let v = data.doubles[k]
        batch.set(j, double: v)
        return v.isFinite ? .stored : .storedNonFinite
    case (.numeric, .integer), (.numeric, .boolean):
        batch.set(j, double: Double(data.ints[k]))
        return .stored
    case (.numeric, .unsigned64):
        batch.set(j, double: Double(UInt64(bitPattern: data.ints[k])))
        return .stored
    case (.integer, .integer), (.integer, .boolean):
        batch.set(j, int: data.ints[k])
        return .stored
    case (.integer, .unsigned64):
        guard data.ints[k] >= 0 else { return .failed(.notInteger) }
        batch.set(j, int: data.ints[k])
        return .stored
    case (.boolean, .boolean):
        batch.set(j, int: data.ints[k] != 0 ? 1 : 0)
        return .stored
    case (.boolean, .integer), (.boolean, .unsigned64):
        let v = data.ints[k]
        guard v == 0 || v == 1 else { return .failed(.notBoolean) }
        batch.set(j, int: v)
        return .stored
    case (.datetime, .date), (.datetime, .timestamp), (.datetime, .int96):
        guard let ms = parquetMilliseconds(data.ints[k], kind) else {
            return .failed(.notTimestamp)
        }
        writeCanonicalTimestamp(ms, column: j, into: batch)
        return .stored
    case (.categorical, .bytes), (.text, .bytes):
        return data.bytes.withUnsafeBytes { b in
            let v = UnsafeRawBufferPointer(rebasing: b[data.offsets[k]..<data.offsets[k + 1]])
            guard isValidUTF8(v) else { return .failed(.invalidUTF8) }
            batch.set(j, text: v)
            return .stored
        }
    case (.datetime, .bytes):
        return data.bytes.withUnsafeBytes { b in
            let v = UnsafeRawBufferPointer(rebasing: b[data.offsets[k]..<data.offsets[k + 1]])
            guard let ms = parseTimestamp(v) else { return .failed(.notTimestamp) }
            writeCanonicalTimestamp(ms, column: j, into: batch)
            return .stored
        }
    default:
        // Decimals, integers read as timestamps (epoch digits, as in CSV), values read as text.
        text.removeAll(keepingCapacity: true)
        parquetText(data, k, kind, into: &text)
        return text.withUnsafeBytes { typer.type(j, $0, syntax: .literal, into: batch) }
    }
}

/// Whether the file starts with Parquet's magic bytes `PAR1`.
func hasParquetMagic(_ file: FileByteSource) -> Bool {
    var magic: [UInt8] = [0, 0, 0, 0]
    let n = magic.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, 4, 0) }
    return n == 4 && magic == [0x50, 0x41, 0x52, 0x31]
}

/// JSON string literal of `s`.
func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 || u.value == 0x7F || (0x80...0x9F).contains(u.value) {
                out += String(format: "\\u%04x", u.value)
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

extension FileByteSource {
    /// Reads (and hashes) the whole file into memory: a Parquet file is read from its footer.
    func readAll() throws -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw MLAuditError.unreadable(path, what: "the file", cause: String(cString: strerror(errno)))
        }
        let size = Int(st.st_size)
        var out = [UInt8](repeating: 0, count: size)
        var done = 0
        try out.withUnsafeMutableBytes { b in
            while done < size {
                let n = try read(into: b.baseAddress! + done, capacity: min(size - done, 1 << 24))
                if n == 0 { break }
                done += n
            }
        }
        if done < size { out.removeSubrange(done...) }
        return out
    }
}
