import AuditModel
import Foundation

/// Converts field bytes to typed values without creating Strings on the hot path.
struct ValueParser {
    /// Tokens read as missing in every column (NaN-like tokens in float columns are NaN, not missing).
    let nullTokens: [[UInt8]]
    let maxNullTokenLength: Int
    /// `firstByte[b]`: some token starts with byte `b` (a quick no for most fields).
    private let firstByte: [Bool]

    static let defaultNullTokens = ["", "NA", "N/A", "n/a", "null", "NULL", "Null", "None", "none", "NaN", "nan", "-"]

    init(nullTokens: [String]?) {
        let tokens = (nullTokens ?? Self.defaultNullTokens).map { Array($0.utf8) }
        self.nullTokens = tokens
        self.maxNullTokenLength = tokens.map(\.count).max() ?? 0
        var first = [Bool](repeating: false, count: 256)
        for t in tokens where !t.isEmpty { first[Int(t[0])] = true }
        firstByte = first
    }

    /// Whether the field is a missing-value token. `forFloat`: NaN spellings are values, not missing.
    @inline(__always)
    func isNull(_ p: UnsafeRawBufferPointer, forFloat: Bool) -> Bool {
        if p.count == 0 { return true }
        if p.count > maxNullTokenLength || !firstByte[Int(p[0])] { return false }
        for t in nullTokens where t.count == p.count {
            var same = true
            for k in 0..<t.count where t[k] != p[k] {
                same = false
                break
            }
            if same {
                if forFloat, isNaNSpelling(p) { return false }
                return true
            }
        }
        return false
    }

    private func isNaNSpelling(_ p: UnsafeRawBufferPointer) -> Bool {
        p.count == 3 && (p[0] | 0x20) == UInt8(ascii: "n") && (p[1] | 0x20) == UInt8(ascii: "a")
            && (p[2] | 0x20) == UInt8(ascii: "n")
    }
}

private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
]

@inline(__always)
private func trimmed(_ p: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var s = 0, e = p.count
    while s < e, p[s] == 0x20 || p[s] == 0x09 { s += 1 }
    while e > s, p[e - 1] == 0x20 || p[e - 1] == 0x09 { e -= 1 }
    return UnsafeRawBufferPointer(rebasing: p[s..<e])
}

/// Parses a decimal floating-point number. A fast exact path covers ordinary decimals
/// (up to 15 significant digits, exponent within ±22: Clinger's fast path, correctly
/// rounded); anything else goes to `strtod`. Accepts `nan`, `inf`, `-inf`, `infinity`.
func parseDouble(_ raw: UnsafeRawBufferPointer) -> Double? {
    let p = trimmed(raw)
    let n = p.count
    if n == 0 { return nil }
    var i = 0
    var negative = false
    if p[0] == UInt8(ascii: "-") {
        negative = true
        i = 1
    } else if p[0] == UInt8(ascii: "+") {
        i = 1
    }
    var mantissa: UInt64 = 0
    var digits = 0
    var exponent = 0
    var sawDigit = false
    while i < n, p[i] >= 48, p[i] <= 57 {
        if digits < 19 {
            mantissa = mantissa &* 10 &+ UInt64(p[i] - 48)
            if mantissa != 0 { digits += 1 }
        } else {
            exponent += 1
            digits += 1
        }
        sawDigit = true
        i += 1
    }
    if i < n, p[i] == UInt8(ascii: ".") {
        i += 1
        while i < n, p[i] >= 48, p[i] <= 57 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(p[i] - 48)
                if mantissa != 0 { digits += 1 }
                exponent -= 1
            } else {
                digits += 1
            }
            sawDigit = true
            i += 1
        }
    }
    if sawDigit, i < n, p[i] | 0x20 == UInt8(ascii: "e") {
        var j = i + 1
        var eneg = false
        if j < n, p[j] == UInt8(ascii: "-") || p[j] == UInt8(ascii: "+") {
            eneg = p[j] == UInt8(ascii: "-")
            j += 1
        }
        var e = 0
        var any = false
        while j < n, p[j] >= 48, p[j] <= 57 {
            if e < 100_000 { e = e * 10 + Int(p[j] - 48) }
            any = true
            j += 1
        }
        if any {
            exponent += eneg ? -e : e
            i = j
        }
    }
    if sawDigit, i == n, digits <= 15, exponent >= -22, exponent <= 22 {
        var v = Double(mantissa)
        if exponent < 0 { v /= exactPowersOfTen[-exponent] } else { v *= exactPowersOfTen[exponent] }
        return negative ? -v : v
    }
    return strtodFallback(p)
}

private func strtodFallback(_ p: UnsafeRawBufferPointer) -> Double? {
    let n = p.count
    if n > 511 { return nil }
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { tmp -> Double? in
        for k in 0..<n {
            let c = p[k]
            // strtod would accept hex floats and locale forms; accept only the decimal alphabet.
            let ok = (c >= 48 && c <= 57) || c == 0x2E || c == 0x2D || c == 0x2B || c | 0x20 == 0x65
                || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
            if !ok || c | 0x20 == UInt8(ascii: "x") { return nil }
            tmp[k] = CChar(bitPattern: c)
        }
        tmp[n] = 0
        var endPtr: UnsafeMutablePointer<CChar>?
        let v = strtod(tmp.baseAddress!, &endPtr)
        guard let endPtr, endPtr - tmp.baseAddress! == n else { return nil }
        return v
    }
}

/// Parses an integer; accepts an integral float such as `3.0` (pandas writes integer columns
/// with missing values as floats).
func parseInteger(_ raw: UnsafeRawBufferPointer) -> Int64? {
    let p = trimmed(raw)
    let n = p.count
    if n == 0 { return nil }
    var i = 0
    var negative = false
    if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") {
        negative = p[0] == UInt8(ascii: "-")
        i = 1
    }
    if i == n { return nil }
    var v: Int64 = 0
    while i < n {
        let c = p[i]
        guard c >= 48, c <= 57 else { break }
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
        if o1 || o2 { return nil }
        v = a
        i += 1
    }
    if i == n { return negative ? -v : v }
    // Integral float spelling?
    guard let d = parseDouble(p), d.isFinite, d == d.rounded(), abs(d) < 9.2e18 else { return nil }
    return Int64(d)
}

/// Parses a boolean: true/false, t/f, yes/no, y/n, 1/0, 1.0/0.0, any case.
func parseBoolean(_ raw: UnsafeRawBufferPointer) -> Bool? {
    let p = trimmed(raw)
    let n = p.count
    guard n >= 1, n <= 5 else { return nil }
    // Lowercased bytes packed into an integer, compared against the accepted spellings.
    var key: UInt64 = 0
    for k in 0..<n {
        let c = p[k]
        key = key << 8 | UInt64(c >= 65 && c <= 90 ? c | 0x20 : c)
    }
    switch key {
    case booleanKey("true"), booleanKey("t"), booleanKey("yes"), booleanKey("y"), booleanKey("1"), booleanKey("1.0"):
        return true
    case booleanKey("false"), booleanKey("f"), booleanKey("no"), booleanKey("n"), booleanKey("0"), booleanKey("0.0"):
        return false
    default:
        return nil
    }
}

@inline(__always)
private func booleanKey(_ s: StaticString) -> UInt64 {
    var key: UInt64 = 0
    s.withUTF8Buffer { for c in $0 { key = key << 8 | UInt64(c) } }
    return key
}

/// Parses a timestamp to Unix epoch milliseconds: ISO 8601 date or date-time (`T` or space,
/// optional seconds and fraction, `Z` or ±HH:MM / ±HHMM / ±HH offset; no zone means UTC), or
/// epoch seconds / milliseconds as digits (12 or more integer digits are milliseconds).
func parseTimestamp(_ raw: UnsafeRawBufferPointer) -> Int64? {
    let p = trimmed(raw)
    let n = p.count
    if n == 0 { return nil }
    @inline(__always) func digit(_ i: Int) -> Int? {
        guard i < n, p[i] >= 48, p[i] <= 57 else { return nil }
        return Int(p[i] - 48)
    }
    func num(_ i: Int, _ len: Int) -> Int? {
        var v = 0
        for k in 0..<len {
            guard let d = digit(i + k) else { return nil }
            v = v * 10 + d
        }
        return v
    }
    // Epoch seconds or milliseconds: digits, optionally signed, optionally with a fraction.
    var k = p[0] == UInt8(ascii: "-") ? 1 : 0
    var intDigits = 0
    while k < n, p[k] >= 48, p[k] <= 57 {
        intDigits += 1
        k += 1
    }
    if intDigits > 0, k == n || p[k] == UInt8(ascii: ".") {
        guard let v = parseDouble(p), v.isFinite else { return nil }
        let ms = intDigits >= 12 ? v.rounded() : (v * 1000).rounded()
        // Years 0001 to 9999 only (the canonical form's range): a longer number is not a time.
        guard abs(ms) <= Double(Timestamp.canonicalRange.upperBound) else { return nil }
        return Int64(ms)
    }
    guard n >= 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
        let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let day = Day(year: y, month: mo, day: d)
    else { return nil }
    var ms = day.startEpochSeconds * 1000
    if n == 10 { return ms }
    guard p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " ") || p[10] == UInt8(ascii: "t"),
        let h = num(11, 2), n >= 16, p[13] == UInt8(ascii: ":"), let mi = num(14, 2), h < 24, mi < 60
    else { return nil }
    ms += Int64(h) * 3_600_000 + Int64(mi) * 60_000
    var i = 16
    if i < n, p[i] == UInt8(ascii: ":") {
        guard let s = num(i + 1, 2), s <= 60 else { return nil }
        ms += Int64(s) * 1000
        i += 3
        if i < n, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",") {
            i += 1
            var frac = 0
            var scale = 100
            var any = false
            while let dg = digit(i) {
                frac += dg * scale
                scale /= 10
                any = true
                i += 1
            }
            guard any else { return nil }
            ms += Int64(frac)
        }
    }
    if i == n { return ms }
    let z = p[i]
    if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") { return i + 1 == n ? ms : nil }
    guard z == UInt8(ascii: "+") || z == UInt8(ascii: "-"), let oh = num(i + 1, 2) else { return nil }
    var om = 0
    var j = i + 3
    if j < n, p[j] == UInt8(ascii: ":") { j += 1 }
    if j < n {
        guard let m = num(j, 2) else { return nil }
        om = m
        j += 2
    }
    guard j == n, oh < 24, om < 60 else { return nil }
    let offset = Int64(oh * 3600 + om * 60) * 1000
    return z == UInt8(ascii: "+") ? ms - offset : ms + offset
}

/// Whether the bytes are valid UTF-8 (ASCII fast path, eight bytes at a time).
@inline(__always)
func isValidUTF8(_ p: UnsafeRawBufferPointer) -> Bool {
    let n = p.count
    guard let base = p.baseAddress else { return true }
    var i = 0
    while i + 8 <= n {
        if base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return validateUTF8(p) }
        i += 8
    }
    while i < n {
        if p[i] >= 0x80 { return validateUTF8(p) }
        i += 1
    }
    return true
}

private func validateUTF8(_ p: UnsafeRawBufferPointer) -> Bool {
    String(validating: UnsafeBufferPointer(start: p.baseAddress?.assumingMemoryBound(to: UInt8.self), count: p.count), as: UTF8.self) != nil
}
