/// A field of a record, as a byte range of the scanner's buffer.
struct FieldRange {
    var start: Int
    var end: Int
    /// The field was quoted and contains doubled quotes that must be collapsed.
    var escaped: Bool
    var quoted: Bool
}

/// The outcome of scanning one record.
enum ScanResult {
    /// A complete record ending before `next`; `newlines` physical line breaks were consumed.
    case record(next: Int, newlines: Int)
    /// A blank line (skipped, as pandas does).
    case blank(next: Int, newlines: Int)
    /// The record may continue past the buffer; read more.
    case needMore
    /// End of input inside a quoted field that started at `quoteStart`.
    case unterminatedQuote(quoteStart: Int)
    /// Characters after a closing quote (`"abc"x`): the record is malformed; skip to `next`.
    case malformed(next: Int, newlines: Int, reason: String)
}

/// RFC 4180 record scanner over bytes: quoted fields, doubled quotes, delimiters and line
/// breaks inside quotes, CRLF or LF. Fields are byte ranges; nothing is copied.
struct CSVScanner {
    let delimiter: UInt8
    static let quote = UInt8(ascii: "\"")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    /// Scans one record starting at `from` in `buf`. `eof` tells whether more bytes can follow.
    func scan(_ buf: UnsafeRawBufferPointer, from: Int, eof: Bool, fields: inout [FieldRange]) -> ScanResult {
        fields.removeAll(keepingCapacity: true)
        let n = buf.count
        let q = Self.quote, lf = Self.lf, cr = Self.cr, d = delimiter
        var i = from
        var newlines = 0
        // Blank line?
        if i < n, buf[i] == lf { return .blank(next: i + 1, newlines: 1) }
        if i + 1 < n, buf[i] == cr, buf[i + 1] == lf { return .blank(next: i + 2, newlines: 1) }
        if i < n, buf[i] == cr, i + 1 == n, !eof { return .needMore }
        // A lone CR is a line break too (old Mac files): alone at the start, a blank line.
        if i + 1 < n, buf[i] == cr, buf[i + 1] != lf { return .blank(next: i + 1, newlines: 1) }
        if i + 1 == n, buf[i] == cr { return .blank(next: n, newlines: 1) }
        if i >= n { return eof ? .blank(next: n, newlines: 0) : .needMore }
        while true {
            // At the start of a field.
            if i < n, buf[i] == q {
                let quoteStart = i
                i += 1
                let fstart = i
                var escaped = false
                while true {
                    // Find the next quote, counting line breaks on the way.
                    while i < n, buf[i] != q {
                        if buf[i] == lf { newlines += 1 }
                        i += 1
                    }
                    if i >= n { return eof ? .unterminatedQuote(quoteStart: quoteStart) : .needMore }
                    if i + 1 < n, buf[i + 1] == q {
                        escaped = true
                        i += 2
                        continue
                    }
                    if i + 1 >= n, !eof { return .needMore }
                    break
                }
                fields.append(FieldRange(start: fstart, end: i, escaped: escaped, quoted: true))
                i += 1  // closing quote
                if i < n, buf[i] != d, buf[i] != lf, buf[i] != cr {
                    if newlines > 0 {
                        // The quoted field ran over line breaks and then did not close properly:
                        // a stray quote swallowed the following lines. Set aside the record's
                        // first physical line only and resume at the next one (as for an
                        // unterminated quote), so one stray quote costs one row.
                        var end = from
                        while buf[end] != lf { end += 1 }
                        return .malformed(
                            next: end + 1, newlines: 1,
                            reason: "a stray quote: the quoted field \(fields.count) runs over \(newlines) line breaks and has characters after its closing quote; this line is set aside and reading resumes at the next line")
                    }
                    // Garbage after the closing quote: skip to the end of the physical line.
                    while i < n, buf[i] != lf { i += 1 }
                    if i >= n, !eof { return .needMore }
                    return .malformed(
                        next: min(i + 1, n), newlines: newlines + (i < n ? 1 : 0),
                        reason: "characters after a closing quote in field \(fields.count)")
                }
            } else {
                let fstart = i
                while i < n {
                    let c = buf[i]
                    if c == d || c == lf || c == cr { break }
                    i += 1
                }
                if i >= n, !eof { return .needMore }
                fields.append(FieldRange(start: fstart, end: i, escaped: false, quoted: false))
            }
            // After a field: delimiter, line break or end of input.
            if i >= n { return .record(next: n, newlines: newlines) }
            let c = buf[i]
            if c == d {
                i += 1
                if i >= n {
                    if !eof { return .needMore }
                    fields.append(FieldRange(start: i, end: i, escaped: false, quoted: false))
                    return .record(next: n, newlines: newlines)
                }
                continue
            }
            if c == lf { return .record(next: i + 1, newlines: newlines + 1) }
            // CR: CRLF or a lone CR (treated as a line break).
            if i + 1 < n {
                return buf[i + 1] == lf
                    ? .record(next: i + 2, newlines: newlines + 1) : .record(next: i + 1, newlines: newlines + 1)
            }
            if !eof { return .needMore }
            return .record(next: i + 1, newlines: newlines + 1)
        }
    }
}
