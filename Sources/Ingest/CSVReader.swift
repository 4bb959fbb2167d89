import AuditModel
import Foundation

/// One record handed to a consumer: its fields as byte ranges of the read buffer, valid only
/// during the callback.
struct RecordView {
    let buffer: UnsafeRawBufferPointer
    let fields: [FieldRange]
    /// 1-based physical line where the record starts.
    let line: Int
    let raw: Range<Int>

    /// Calls `body` with the field's bytes, with doubled quotes collapsed.
    @inline(__always)
    func withField<T>(_ i: Int, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let f = fields[i]
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[f.start..<f.end])
        guard f.escaped else { return try body(bytes) }
        scratch.removeAll(keepingCapacity: true)
        var k = 0
        while k < bytes.count {
            scratch.append(bytes[k])
            if bytes[k] == CSVScanner.quote, k + 1 < bytes.count, bytes[k + 1] == CSVScanner.quote { k += 2 } else { k += 1 }
        }
        return try scratch.withUnsafeBytes { try body($0) }
    }

    /// The record's source text (lossy UTF-8), capped at `limit` bytes.
    func rawText(limit: Int = 100_000) -> String {
        Ingest.rawText(buffer, raw, limit: limit)
    }
}

/// Text of a byte range for the quarantine table: lossy UTF-8, trailing line break removed,
/// capped so one giant malformed row cannot bloat the warehouse.
func rawText(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, limit: Int = 100_000) -> String {
    var r = range
    while r.upperBound > r.lowerBound, buffer[r.upperBound - 1] == CSVScanner.lf || buffer[r.upperBound - 1] == CSVScanner.cr {
        r = r.lowerBound..<(r.upperBound - 1)
    }
    if r.count > limit {
        let head = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[r.lowerBound..<(r.lowerBound + limit)]), as: UTF8.self)
        return head + "… [truncated: \(r.count) bytes in all]"
    }
    return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[r]), as: UTF8.self)
}

/// Streams CSV records in bounded memory (blocks of 4 MiB; a record longer than a block grows
/// the buffer to hold it, up to `maxRecordBytes`).
final class CSVReader {
    let path: String
    let scanner: CSVScanner
    let reader: BlockReader
    private var pos = 0
    /// 1-based physical line of the next record.
    private(set) var line = 1
    private var fields: [FieldRange] = []
    private var started = false
    /// A quoted field still open after this many bytes is treated as an unterminated quote,
    /// so one stray quote cannot make the reader hold the rest of a huge file in memory.
    /// (64 MiB; the test hook `MLAUDIT_TEST_MAX_RECORD_BYTES` lowers it so tests stay small.)
    static let maxRecordBytes: Int = {
        if let raw = getenv("MLAUDIT_TEST_MAX_RECORD_BYTES"), let n = Int(String(cString: raw)), n > 0 { return n }
        return 64 << 20
    }()
    /// The record limit as text ("64 MiB").
    static var limitText: String { maxRecordBytes >= 1 << 20 ? "\(maxRecordBytes >> 20) MiB" : "\(maxRecordBytes) bytes" }

    init(reader: BlockReader, delimiter: UInt8) {
        self.path = reader.path
        self.reader = reader
        scanner = CSVScanner(delimiter: delimiter)
    }

    var bytesRead: Int { reader.bytesRead }

    /// Calls `record` for each well-formed record (the header included: it is the first) and
    /// `malformed` for each record that cannot be split into fields.
    func forEach(
        record: (RecordView) throws -> Void,
        malformed: (_ line: Int, _ raw: String, _ reason: String) throws -> Void
    ) throws {
        while true {
            let buf = reader.available
            if !started {
                // Skip a UTF-8 byte-order mark.
                if buf.count < 3, !reader.eof {
                    _ = try reader.fill()
                    continue
                }
                started = true
                if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { pos = 3 }
            }
            if pos >= buf.count, reader.eof { return }
            var result = scanner.scan(buf, from: pos, eof: reader.eof, fields: &fields)
            var overflow = false
            if case .needMore = result, buf.count - pos > Self.maxRecordBytes {
                result = scanner.scan(buf, from: pos, eof: true, fields: &fields)
                overflow = true
            }
            switch result {
            case .needMore:
                reader.start += pos
                pos = 0
                _ = try reader.fill()
            case .record(let next, let newlines):
                try record(RecordView(buffer: buf, fields: fields, line: line, raw: pos..<next))
                line += newlines
                pos = next
            case .blank(let next, let newlines):
                line += newlines
                pos = next
            case .malformed(let next, let newlines, let reason):
                try malformed(line, rawText(buf, pos..<next), reason)
                line += newlines
                pos = next
            case .unterminatedQuote(let quoteStart):
                // Only known at the end of input: set aside the physical line where the quote
                // opened and resume at the next line, so one stray quote costs one row, not the file.
                var end = quoteStart
                while end < buf.count, buf[end] != CSVScanner.lf { end += 1 }
                let next = min(end + 1, buf.count)
                var quoteLine = line
                for k in pos..<quoteStart where buf[k] == CSVScanner.lf { quoteLine += 1 }
                let why = overflow
                    ? "unterminated quoted field (a quote opened on line \(quoteLine) does not close within \(Self.limitText))"
                    : "unterminated quoted field (a quote opened on line \(quoteLine) never closes)"
                try malformed(line, rawText(buf, pos..<next), why)
                for k in pos..<next where buf[k] == CSVScanner.lf { line += 1 }
                pos = next
            }
        }
    }
}
