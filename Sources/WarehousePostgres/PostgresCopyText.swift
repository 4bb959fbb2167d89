import NIOCore
import PostgresNIO
import Warehouse

/// Encodes rows in PostgreSQL's `COPY … FROM STDIN` text format: fields separated by a tab,
/// rows ended by a newline, a null as `\N`, and in values a backslash, tab, newline and
/// carriage return escaped (`\\`, `\t`, `\n`, `\r`), so no value can end a field or a row
/// early: data never becomes syntax. A NUL (U+0000), which PostgreSQL's text type cannot hold,
/// is written as U+FFFD (the replacement character), as the ingest does for invalid UTF-8.
public struct PostgresCopyText {
    public private(set) var buffer: ByteBuffer
    public private(set) var rows = 0
    private var fieldsInRow = 0

    public init(capacity: Int = 1 << 16) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Bytes written so far.
    public var byteCount: Int { buffer.readableBytes }

    private mutating func separator() {
        if fieldsInRow > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
        fieldsInRow += 1
    }

    public mutating func null() {
        separator()
        buffer.writeStaticString("\\N")
    }

    public mutating func text(_ value: String?) {
        guard let value else { return null() }
        separator()
        var plain = true
        for b in value.utf8 where b == UInt8(ascii: "\\") || b == 9 || b == 10 || b == 13 || b == 0 {
            plain = false
            break
        }
        if plain {
            buffer.writeString(value)
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": buffer.writeStaticString("\\\\")
            case "\t": buffer.writeStaticString("\\t")
            case "\n": buffer.writeStaticString("\\n")
            case "\r": buffer.writeStaticString("\\r")
            case "\u{0}": buffer.writeString("\u{FFFD}")
            default: buffer.writeString(String(scalar))
            }
        }
    }

    public mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separator()
        buffer.writeString(String(value))
    }

    /// A double precision value; NaN and the infinities in PostgreSQL's spelling. Swift's
    /// shortest round-trip form, so the value read back is the same double.
    public mutating func double(_ value: Double?) {
        guard let value else { return null() }
        separator()
        if value.isNaN {
            buffer.writeStaticString("NaN")
        } else if value.isInfinite {
            buffer.writeString(value < 0 ? "-Infinity" : "Infinity")
        } else {
            buffer.writeString(value.description)
        }
    }

    /// A bytea value, hex-encoded (`\\x0102…`: the escaped backslash of the text format).
    public mutating func bytes(_ value: [UInt8]?) {
        guard let value else { return null() }
        separator()
        buffer.writeStaticString("\\\\x")
        let digits = Array("0123456789abcdef".utf8)
        for b in value {
            buffer.writeInteger(digits[Int(b >> 4)])
            buffer.writeInteger(digits[Int(b & 0x0F)])
        }
    }

    public mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        fieldsInRow = 0
        rows += 1
    }

    /// Hands the encoded rows over and starts a new buffer.
    public mutating func take() -> ByteBuffer {
        let out = buffer
        buffer = ByteBufferAllocator().buffer(capacity: max(1 << 12, out.readableBytes))
        rows = 0
        fieldsInRow = 0
        return out
    }
}

/// Every text bound into a statement of this backend (`\(value)` in a `PostgresQuery`) goes
/// through `StoredText.storable`: PostgreSQL's text type refuses U+0000 ("invalid byte
/// sequence for encoding UTF8: 0x00"), so a NUL from data (an undeclared column's name in a
/// finding, a quarantined row's raw text) used to fail the stage on every run. It is written
/// as U+FFFD, as `PostgresCopyText.text` writes it and as the SQLite backend stores it.
/// These overloads are chosen over postgres-nio's generic ones for `String` and `String?`.
extension PostgresQuery.StringInterpolation {
    mutating func appendInterpolation(_ value: String) {
        appendBound(StoredText.storable(value))
    }

    mutating func appendInterpolation(_ value: String?) {
        appendBound(StoredText.storable(value))
    }

    /// postgres-nio's generic binding (inside a generic function, the overloads above do not apply).
    private mutating func appendBound<V: PostgresDynamicTypeEncodable>(_ value: V) {
        appendInterpolation(value)
    }

    private mutating func appendBound<V: PostgresDynamicTypeEncodable>(_ value: V?) {
        appendInterpolation(value)
    }
}
