import AuditModel
import Foundation

/// Why a value does not fit its column's type. A code on the hot path; text only when a row
/// is quarantined.
enum TypeFailure: UInt8, Sendable {
    case notNumber, notInteger, notBoolean, notTimestamp, invalidUTF8, nestedValue
    /// A required column (a labels file's id) is empty or a null token.
    case missing

    var text: String {
        switch self {
        case .notNumber: return "is not a number"
        case .notInteger: return "is not a whole number"
        case .notBoolean: return "is not a boolean (true/false, 1/0, yes/no)"
        case .notTimestamp: return "is not a timestamp (ISO 8601 or epoch seconds/milliseconds)"
        case .invalidUTF8: return "is not valid UTF-8"
        case .nestedValue: return "is a JSON object or array, not a single value"
        case .missing: return "the value is missing (this column is required)"
        }
    }
}

/// How a JSON value was written (CSV fields are all `.text`).
enum ValueSyntax: UInt8 {
    /// A CSV field or a JSON string (unescaped).
    case text
    /// A JSON number or `true`/`false`: its literal spelling.
    case literal
    /// JSON `null`.
    case null
    /// A JSON object or array, as its source text.
    case nested
}

/// Types the values of declared columns into a batch: the rules of docs/ingest.md.
struct RowTyper {
    let columns: [DeclaredColumn]
    let types: [ColumnType]
    /// Per column: a value that does not parse becomes a null (true) or quarantines the row.
    let setNullOnError: [Bool]
    /// Per column: a missing value quarantines the row (the id of a labels file).
    let required: [Bool]
    let parser: ValueParser
    /// Per column: the classes its values are canonicalised to (a classifier's target and
    /// prediction, a labels file's label), or nil.
    let classes: [ClassLabels?]

    /// - Parameter classes: the classifier's classes (`PipelineDefinition.classLabels`); the
    ///   columns whose role is target or prediction store the canonical class of each value.
    init(columns: [DeclaredColumn], parser: ValueParser, required: Set<String> = [], classes: ClassLabels? = nil) {
        self.columns = columns
        types = columns.map(\.type)
        setNullOnError = columns.map { $0.onTypeError == .setNull }
        self.required = columns.map { required.contains($0.name) }
        self.parser = parser
        self.classes = columns.map { c in
            (c.role == .target || c.role == .prediction) && (c.type == .categorical || c.type == .text) ? classes : nil
        }
    }

    /// What typing a value did besides storing it.
    enum Outcome {
        case stored
        case storedNonFinite
        case null
        case failed(TypeFailure)
    }

    /// Types `bytes` as column `j` of the batch's current row.
    @inline(__always)
    func type(_ j: Int, _ bytes: UnsafeRawBufferPointer, syntax: ValueSyntax = .text, into batch: RowBatch) -> Outcome {
        if syntax == .null {
            batch.setNull(j)
            return .null
        }
        let t = types[j]
        if syntax == .nested {
            guard t == .text || t == .categorical else { return .failed(.nestedValue) }
            guard isValidUTF8(bytes) else { return .failed(.invalidUTF8) }
            batch.set(j, text: bytes)
            return .stored
        }
        switch t {
        case .numeric:
            if parser.isNull(bytes, forFloat: true) {
                batch.setNull(j)
                return .null
            }
            guard let v = parseDouble(bytes) else { return .failed(.notNumber) }
            batch.set(j, double: v)
            return v.isFinite ? .stored : .storedNonFinite
        case .integer:
            if parser.isNull(bytes, forFloat: false) {
                batch.setNull(j)
                return .null
            }
            guard let v = parseInteger(bytes) else { return .failed(.notInteger) }
            batch.set(j, int: v)
            return .stored
        case .boolean:
            if parser.isNull(bytes, forFloat: false) {
                batch.setNull(j)
                return .null
            }
            guard let v = parseBoolean(bytes) else { return .failed(.notBoolean) }
            batch.set(j, int: v ? 1 : 0)
            return .stored
        case .datetime:
            if parser.isNull(bytes, forFloat: false) {
                batch.setNull(j)
                return .null
            }
            guard let ms = parseTimestamp(bytes) else { return .failed(.notTimestamp) }
            writeCanonicalTimestamp(ms, column: j, into: batch)
            return .stored
        case .categorical, .text:
            if parser.isNull(bytes, forFloat: false) {
                batch.setNull(j)
                return .null
            }
            guard isValidUTF8(bytes) else { return .failed(.invalidUTF8) }
            if let labels = classes[j] {
                let written = String(decoding: bytes, as: UTF8.self)
                if !labels.isDeclared(written) {
                    var canonical = labels.canonical(written)
                    canonical.withUTF8 { batch.set(j, text: UnsafeRawBufferPointer($0)) }
                    return .stored
                }
            }
            batch.set(j, text: bytes)
            return .stored
        }
    }
}

private let twoDigits: [UInt8] = {
    var out: [UInt8] = []
    for i in 0..<100 {
        out.append(UInt8(48 + i / 10))
        out.append(UInt8(48 + i % 10))
    }
    return out
}()

/// Writes `Timestamp.format(epochMilliseconds:)`'s canonical text (`YYYY-MM-DDTHH:MM:SS.mmmZ`)
/// straight into the arena; years outside 0…9999 take the `String` path.
@inline(__always)
func writeCanonicalTimestamp(_ ms: Int64, column j: Int, into batch: RowBatch) {
    let dayNumber = (ms >= 0 ? ms : ms - 86_399_999) / 86_400_000
    let rem = Int(ms - dayNumber * 86_400_000)
    let (y, m, d) = Day(ordinal: Int(dayNumber)).components
    guard y >= 0, y <= 9999 else {
        var s = Timestamp.format(epochMilliseconds: ms)
        s.withUTF8 { batch.set(j, text: UnsafeRawBufferPointer($0)) }
        return
    }
    let h = rem / 3_600_000, mi = (rem / 60_000) % 60, sec = (rem / 1000) % 60, milli = rem % 1000
    let (offset, p) = batch.reserve(24)
    twoDigits.withUnsafeBufferPointer { t in
        @inline(__always) func put2(_ at: Int, _ v: Int) {
            p.storeBytes(of: t[2 * v], toByteOffset: at, as: UInt8.self)
            p.storeBytes(of: t[2 * v + 1], toByteOffset: at + 1, as: UInt8.self)
        }
        put2(0, y / 100)
        put2(2, y % 100)
        p.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 4, as: UInt8.self)
        put2(5, m)
        p.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 7, as: UInt8.self)
        put2(8, d)
        p.storeBytes(of: UInt8(ascii: "T"), toByteOffset: 10, as: UInt8.self)
        put2(11, h)
        p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: 13, as: UInt8.self)
        put2(14, mi)
        p.storeBytes(of: UInt8(ascii: ":"), toByteOffset: 16, as: UInt8.self)
        put2(17, sec)
        p.storeBytes(of: UInt8(ascii: "."), toByteOffset: 19, as: UInt8.self)
        p.storeBytes(of: UInt8(48 + milli / 100), toByteOffset: 20, as: UInt8.self)
        put2(21, milli % 100)
        p.storeBytes(of: UInt8(ascii: "Z"), toByteOffset: 23, as: UInt8.self)
    }
    batch.set(j, textAt: offset, count: 24)
}

/// Appends `bytes` to the arena as a JSON string literal (quotes, escapes). The bytes must be
/// valid UTF-8.
func appendJSONString(_ bytes: UnsafeRawBufferPointer, to batch: RowBatch) {
    batch.append(byte: UInt8(ascii: "\""))
    var runStart = 0
    let hexDigits: StaticString = "0123456789abcdef"
    for k in 0..<bytes.count {
        let c = bytes[k]
        guard c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") else { continue }
        if k > runStart { _ = batch.append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<k])) }
        runStart = k + 1
        batch.append(byte: UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): batch.append(byte: c)
        case 0x0A: batch.append(byte: UInt8(ascii: "n"))
        case 0x0D: batch.append(byte: UInt8(ascii: "r"))
        case 0x09: batch.append(byte: UInt8(ascii: "t"))
        default:
            for b in [UInt8(ascii: "u"), 48, 48] { batch.append(byte: b) }
            hexDigits.withUTF8Buffer { h in
                batch.append(byte: h[Int(c >> 4)])
                batch.append(byte: h[Int(c & 15)])
            }
        }
    }
    if bytes.count > runStart { _ = batch.append(UnsafeRawBufferPointer(rebasing: bytes[runStart..<bytes.count])) }
    batch.append(byte: UInt8(ascii: "\""))
}
