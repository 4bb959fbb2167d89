import Foundation

/// One member of a JSON Lines object: key and value, as byte ranges.
struct JSONMember {
    /// Key bytes (unescaped): in the line when `keyInScratch` is false, else in the scratch.
    var keyStart: Int
    var keyEnd: Int
    var keyInScratch: Bool
    var valueStart: Int
    var valueEnd: Int
    var valueInScratch: Bool
    var syntax: ValueSyntax
}

/// One line of a JSON Lines file, parsed into members; valid only during the callback.
struct JSONLineView {
    let line: UnsafeRawBufferPointer
    let scratch: UnsafeRawBufferPointer
    let members: [JSONMember]
    /// 1-based line number.
    let number: Int

    @inline(__always) func key(_ m: JSONMember) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: (m.keyInScratch ? scratch : line)[m.keyStart..<m.keyEnd])
    }

    @inline(__always) func value(_ m: JSONMember) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: (m.valueInScratch ? scratch : line)[m.valueStart..<m.valueEnd])
    }

    func rawText(limit: Int = 100_000) -> String {
        Ingest.rawText(line, 0..<line.count, limit: limit)
    }
}

/// Streams a JSON Lines file: one flat JSON object per line. Strings are unescaped; numbers,
/// `true`, `false` keep their spelling; nested objects and arrays are kept as their JSON text.
/// Blank lines are skipped. A line that is not one JSON object is reported with its line
/// number and why.
final class JSONLReader {
    let reader: BlockReader
    private(set) var line = 1
    private var members: [JSONMember] = []
    private var scratch: [UInt8] = []

    init(reader: BlockReader) {
        self.reader = reader
    }

    func forEach(
        object: (JSONLineView) throws -> Void,
        malformed: (_ line: Int, _ raw: String, _ reason: String) throws -> Void
    ) throws {
        var pos = 0
        var searched = 0
        var started = false
        while true {
            let buf = reader.available
            if !started {
                if buf.count < 3, !reader.eof {
                    _ = try reader.fill()
                    continue
                }
                started = true
                if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { pos = 3 }
            }
            if pos >= buf.count {
                if reader.eof { return }
                reader.start += pos
                pos = 0
                searched = 0
                _ = try reader.fill()
                continue
            }
            // Find the end of the line.
            let from = pos + searched
            var end = buf.count
            if let base = buf.baseAddress, from < buf.count, let hit = memchr(base + from, 0x0A, buf.count - from) {
                end = UnsafeRawPointer(hit) - base
            }
            if end == buf.count, !reader.eof, buf.count - pos > CSVReader.maxRecordBytes {
                // A line longer than the cap is quarantined (its first bytes kept as raw text)
                // and skipped to its end without being held in memory.
                try malformed(
                    line, Ingest.rawText(UnsafeRawBufferPointer(rebasing: buf[pos..<buf.count]), 0..<(buf.count - pos)),
                    "line longer than \(CSVReader.limitText) (the limit of one record; docs/ingest.md)")
                var found = false
                while !found {
                    reader.start += reader.available.count
                    pos = 0
                    searched = 0
                    guard try reader.fill() else { return }
                    let b = reader.available
                    if let base = b.baseAddress, b.count > 0, let hit = memchr(base, 0x0A, b.count) {
                        pos = UnsafeRawPointer(hit) - base + 1
                        found = true
                    }
                }
                line += 1
                continue
            }
            if end == buf.count, !reader.eof {
                searched = buf.count - pos
                reader.start += pos
                pos = 0
                _ = try reader.fill()
                continue
            }
            searched = 0
            var lineEnd = end
            if lineEnd > pos, buf[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let text = UnsafeRawBufferPointer(rebasing: buf[pos..<lineEnd])
            if text.count > CSVReader.maxRecordBytes {
                try malformed(line, Ingest.rawText(text, 0..<text.count),
                              "line longer than \(CSVReader.limitText) (the limit of one record; docs/ingest.md)")
                line += 1
                pos = min(end + 1, buf.count)
                continue
            }
            switch parse(text) {
            case .blank:
                break
            case .object:
                try scratch.withUnsafeBytes { s in
                    try object(JSONLineView(line: text, scratch: s, members: members, number: line))
                }
            case .error(let reason):
                try malformed(line, Ingest.rawText(text, 0..<text.count), reason)
            }
            line += 1
            pos = min(end + 1, buf.count)
        }
    }

    enum ParseResult {
        case blank
        case object
        case error(String)
    }

    /// Parses one line into `members` (and `scratch` for unescaped strings).
    func parse(_ p: UnsafeRawBufferPointer) -> ParseResult {
        members.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        let n = p.count
        var i = 0
        @inline(__always) func skipSpace() {
            while i < n, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D { i += 1 }
        }
        skipSpace()
        if i == n { return .blank }
        guard p[i] == UInt8(ascii: "{") else {
            return .error("the line is not a JSON object (it starts with '\(printable(p[i]))')")
        }
        i += 1
        skipSpace()
        if i < n, p[i] == UInt8(ascii: "}") {
            i += 1
            skipSpace()
            return i == n ? .object : .error("text after the JSON object at column \(i + 1)")
        }
        while true {
            skipSpace()
            guard i < n, p[i] == UInt8(ascii: "\"") else {
                return .error(i < n ? "expected a quoted key at column \(i + 1)" : "the JSON object is not closed")
            }
            guard let key = string(p, &i) else { return .error("unterminated or invalid string at column \(i + 1)") }
            skipSpace()
            guard i < n, p[i] == UInt8(ascii: ":") else { return .error("expected ':' after a key at column \(i + 1)") }
            i += 1
            skipSpace()
            guard i < n else { return .error("a value is missing at the end of the line") }
            var member = JSONMember(
                keyStart: key.start, keyEnd: key.end, keyInScratch: key.inScratch, valueStart: 0, valueEnd: 0,
                valueInScratch: false, syntax: .text)
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                guard let v = string(p, &i) else { return .error("unterminated or invalid string at column \(i + 1)") }
                member.valueStart = v.start
                member.valueEnd = v.end
                member.valueInScratch = v.inScratch
                member.syntax = .text
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                let start = i
                guard skipNested(p, &i) else { return .error("an unclosed nested value starts at column \(start + 1)") }
                member.valueStart = start
                member.valueEnd = i
                member.syntax = .nested
            } else {
                let start = i
                while i < n {
                    let d = p[i]
                    if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == 0x20 || d == 0x09 || d == 0x0D { break }
                    i += 1
                }
                let lit = UnsafeRawBufferPointer(rebasing: p[start..<i])
                guard let syntax = literalSyntax(lit) else {
                    return .error("'\(String(decoding: lit.prefix(40), as: UTF8.self))' at column \(start + 1) is not a JSON value")
                }
                member.valueStart = start
                member.valueEnd = i
                member.syntax = syntax
            }
            members.append(member)
            skipSpace()
            guard i < n else { return .error("the JSON object is not closed") }
            if p[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard p[i] == UInt8(ascii: "}") else { return .error("expected ',' or '}' at column \(i + 1)") }
            i += 1
            skipSpace()
            return i == n ? .object : .error("text after the JSON object at column \(i + 1)")
        }
    }

    private func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : String(format: "\\x%02X", c)
    }

    /// `null`, `true`, `false`, a number, or the non-standard `NaN`, `Infinity`, `-Infinity`
    /// that Python's json module writes.
    private func literalSyntax(_ lit: UnsafeRawBufferPointer) -> ValueSyntax? {
        if lit.elementsEqual("null".utf8) { return .null }
        if lit.elementsEqual("true".utf8) || lit.elementsEqual("false".utf8) { return .literal }
        if lit.elementsEqual("NaN".utf8) || lit.elementsEqual("Infinity".utf8) || lit.elementsEqual("-Infinity".utf8) {
            return .literal
        }
        // A JSON number: -?digits(.digits)?([eE][+-]?digits)?
        var i = 0
        let n = lit.count
        if i < n, lit[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while i < n, lit[i] >= 48, lit[i] <= 57 {
            i += 1
            digits += 1
        }
        guard digits > 0 else { return nil }
        if i < n, lit[i] == UInt8(ascii: ".") {
            i += 1
            var frac = 0
            while i < n, lit[i] >= 48, lit[i] <= 57 {
                i += 1
                frac += 1
            }
            guard frac > 0 else { return nil }
        }
        if i < n, lit[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < n, lit[i] == UInt8(ascii: "+") || lit[i] == UInt8(ascii: "-") { i += 1 }
            var exp = 0
            while i < n, lit[i] >= 48, lit[i] <= 57 {
                i += 1
                exp += 1
            }
            guard exp > 0 else { return nil }
        }
        return i == n ? .literal : nil
    }

    /// Reads a string starting at the quote `p[i]`; leaves `i` after the closing quote. A string
    /// without escapes is a range of the line; one with escapes is unescaped into the scratch.
    private func string(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> (start: Int, end: Int, inScratch: Bool)? {
        let n = p.count
        i += 1
        let start = i
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return (start, i - 1, false)
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { return nil }
            i += 1
        }
        guard i < n else { return nil }
        // Escapes: unescape into the scratch.
        let sStart = scratch.count
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<i]))
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return (sStart, scratch.count, true)
            }
            if c < 0x20 { return nil }
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                i += 1
                continue
            }
            guard i + 1 < n else { return nil }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                guard var u = hex4(p, i) else { return nil }
                i += 4
                if u >= 0xD800, u < 0xDC00 {
                    // A surrogate pair.
                    guard i + 6 <= n, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u"), let lo = hex4(p, i + 2),
                        lo >= 0xDC00, lo < 0xE000
                    else { return nil }
                    i += 6
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                } else if u >= 0xDC00, u < 0xE000 {
                    return nil
                }
                guard let scalar = Unicode.Scalar(u) else { return nil }
                scratch.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                return nil
            }
        }
        return nil
    }

    private func hex4(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32? {
        guard i + 4 <= p.count else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            let c = p[k]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 97...102: d = UInt32(c - 87)
            case 65...70: d = UInt32(c - 55)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// Skips a nested object or array starting at `p[i]`; leaves `i` after its end. Brackets
    /// must match and strings close; the members inside are not checked further.
    private func skipNested(_ p: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        let n = p.count
        var closers: [UInt8] = []
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                while i < n, p[i] != UInt8(ascii: "\"") { i += p[i] == UInt8(ascii: "\\") ? 2 : 1 }
                guard i < n else { return false }
            } else if c == UInt8(ascii: "{") {
                closers.append(UInt8(ascii: "}"))
            } else if c == UInt8(ascii: "[") {
                closers.append(UInt8(ascii: "]"))
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                guard closers.popLast() == c else { return false }
                if closers.isEmpty {
                    i += 1
                    return true
                }
            }
            i += 1
        }
        return false
    }
}
