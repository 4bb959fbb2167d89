import AuditModel
import Foundation

/// Reads one column chunk page by page from the file with `pread`, through a read buffer shared
/// by the file's columns and this column's decoded page: the ingest never holds a whole file,
/// row group or column chunk in memory (docs/ingest.md, "Parquet": memory).
///
/// The caller walks the rows of the row group in order through `nextView()`: a view of the
/// next data page's values with its own row cursor, asked for when the last one is used up.
final class ParquetColumnStream {
    let fd: Int32
    let decoder: ParquetChunkReader
    let column: ParquetColumn
    let chunk: ParquetChunk
    let rows: Int
    private var pos: Int
    private let end: Int
    private var dictionary: ParquetColumnData?
    /// The number of the chunk's dictionary page, once read: a chunk holds at most one.
    private var dictionaryPage: Int?
    private var pageNumber = 0
    /// The compressed bytes of the page being read, shared by the streams of one file (a page
    /// is decoded as soon as it is read, so one buffer serves every column).
    private let shared: ParquetReadBuffer
    /// Rows of the row group in pages loaded so far.
    private(set) var rowsLoaded = 0

    /// The current page's values.
    private(set) var page = ParquetColumnData()
    /// Rows in the current page.
    private(set) var pageRows = 0
    /// Rows of the current page consumed (all of them once `nextView()` hands the page out).
    private var pageRow = 0
    private let optional: Bool

    /// - Throws: `ParquetError` when the chunk's position lies outside the file's data.
    init(fd: Int32, dataEnd: Int, column: ParquetColumn, chunk: ParquetChunk, rows: Int, buffer: ParquetReadBuffer) throws {
        self.fd = fd
        shared = buffer
        self.column = column
        self.chunk = chunk
        self.rows = rows
        optional = column.maxDefinition > 0
        decoder = ParquetChunkReader(column: column)
        guard !chunk.externalFile else { throw ParquetError("the column chunk lives in another file (not supported)") }
        guard chunk.physical == column.physical.rawValue else {
            throw ParquetError("the column chunk's type (\(chunk.physical)) differs from the schema's (\(column.physical.name))")
        }
        var start = chunk.dataPageOffset
        if let d = chunk.dictionaryPageOffset, d > 0, d < start { start = d }
        guard rows == 0 || (start >= 4 && start < Int64(dataEnd) && chunk.totalCompressed >= 0
            && chunk.totalCompressed <= Int64(dataEnd) - start)
        else {
            throw ParquetError("the column chunk's position (offset \(start), \(chunk.totalCompressed) bytes) lies outside the file's data")
        }
        pos = Int(clamping: start)
        end = rows == 0 ? pos : Int(start + chunk.totalCompressed)
    }

    /// The next data page's values as a view (pointers into this stream's page, valid until
    /// the next call), skipping dictionary, index and empty pages.
    func nextView() throws -> ParquetPageView {
        pageRow = pageRows
        try ensureRow()
        var v = ParquetPageView()
        v.pageRows = pageRows
        if optional, !page.present.isEmpty { v.present = page.present.withUnsafeBufferPointer { $0.baseAddress } }
        v.ints = page.ints.withUnsafeBufferPointer { $0.baseAddress }
        v.doubles = page.doubles.withUnsafeBufferPointer { $0.baseAddress }
        v.offsets = page.offsets.withUnsafeBufferPointer { $0.baseAddress }
        v.bytes = page.bytes.withUnsafeBufferPointer { $0.baseAddress }
        return v
    }

    /// Loads pages until one with rows is current.
    private func ensureRow() throws {
        while pageRow >= pageRows { try loadPage() }
    }

    /// Reads `count` bytes at `offset` into the shared buffer.
    private func readBytes(_ offset: Int, _ count: Int) throws {
        if shared.bytes.count < count { shared.bytes = [UInt8](repeating: 0, count: count) }
        var done = 0
        try shared.bytes.withUnsafeMutableBytes { b in
            while done < count {
                let n = pread(fd, b.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else {
                    throw ParquetError(n < 0 ? "the file cannot be read (\(String(cString: strerror(errno))))" : "the file ends early")
                }
                done += n
            }
        }
    }

    /// The next page header: read through a small window, widened when a header is larger.
    private func readHeader() throws -> ParquetPageHeader {
        var window = min(end - pos, 1 << 10)
        while true {
            try readBytes(pos, window)
            do {
                return try shared.bytes.withUnsafeBytes { b in
                    var r = ThriftReader(UnsafeRawBufferPointer(rebasing: b[0..<window]))
                    let h = try ParquetPageHeader.read(&r)
                    pos += r.pos
                    return h
                }
            } catch let e as ParquetError {
                // A header cut by the window: widen it (page statistics can be large), up to
                // the chunk's end and 16 MiB.
                guard window < end - pos, window < 1 << 24 else { throw e }
                window = min(end - pos, window * 8)
            }
        }
    }

    private func loadPage() throws {
        guard rowsLoaded < rows, pos < end else {
            throw ParquetError("the column chunk ends after \(rowsLoaded) of its \(rows) rows")
        }
        pageNumber += 1
        let h: ParquetPageHeader
        do {
            h = try readHeader()
        } catch let e as ParquetError {
            throw ParquetError("page \(pageNumber)'s header is corrupt: \(e.message)")
        }
        guard h.compressedSize <= end - pos else {
            throw ParquetError("page \(pageNumber) claims \(h.compressedSize) compressed bytes but its column chunk has \(end - pos) left")
        }
        guard h.compressedSize <= ParquetCodec.maxPageBytes else {
            throw ParquetError("page \(pageNumber) claims \(h.compressedSize) compressed bytes (more than \(ParquetCodec.maxPageBytes))")
        }
        try readBytes(pos, h.compressedSize)
        pos += h.compressedSize
        let codec = chunk.codec
        let left = rows - rowsLoaded
        let n = pageNumber
        do {
            try shared.bytes.withUnsafeBytes { all in
                let body = UnsafeRawBufferPointer(rebasing: all[0..<h.compressedSize])
                switch h.type {
                case 2:
                    // One dictionary page per column chunk (parquet-format, "Dictionary Encoding");
                    // data pages after it may be dictionary-encoded or PLAIN in any order, so the
                    // dictionary is kept to the chunk's end. A second one is refused, as parquet-mr
                    // and Arrow refuse it: which dictionary a later page's indices mean is unknown.
                    if let first = dictionaryPage {
                        throw ParquetError("a second dictionary page (the first is page \(first)); a column chunk holds at most one")
                    }
                    dictionaryPage = n
                    guard h.encoding == 0 || h.encoding == 2 else {
                        throw ParquetError("a dictionary page is encoded with \(encodingName(h.encoding)), not PLAIN")
                    }
                    var d = ParquetColumnData()
                    try ParquetCodec.withDecompressed(codec, body, size: h.uncompressedSize, scratch: shared.inflated) { b in
                        decoder.reservePlain(&d, count: h.numValues, bytes: b.count)
                        var c = ByteCursor(b)
                        try decoder.decodePlain(&c, count: h.numValues, into: &d)
                    }
                    dictionary = d
                case 0:
                    guard h.numValues <= left else {
                        throw ParquetError("page \(n) holds \(h.numValues) values, more than the rows left (\(left))")
                    }
                    resetPage(rows: h.numValues)
                    try ParquetCodec.withDecompressed(codec, body, size: h.uncompressedSize, scratch: shared.inflated) { b in
                        var c = ByteCursor(b)
                        if column.maxRepetition > 0 { throw ParquetError("repeated values are not read") }
                        var present = h.numValues
                        if optional {
                            let length = Int(try c.le32())
                            var lc = ByteCursor(try c.take(length))
                            present = try decoder.readLevels(&lc, count: h.numValues, into: &page.present)
                        }
                        try decoder.decodeValues(&c, encoding: h.encoding, count: present, dictionary: dictionary, into: &page)
                        guard page.valueCount == present else {
                            throw ParquetError("page \(n) holds \(page.valueCount) values for \(present) present rows")
                        }
                    }
                    pageRows = h.numValues
                case 3:
                    guard h.numValues <= left else {
                        throw ParquetError("page \(n) holds \(h.numValues) values, more than the rows left (\(left))")
                    }
                    guard h.repetitionBytes == 0 else { throw ParquetError("repeated values are not read") }
                    guard h.definitionBytes <= body.count else {
                        throw ParquetError("page \(n)'s definition levels (\(h.definitionBytes) bytes) exceed the page")
                    }
                    resetPage(rows: h.numValues)
                    var present = h.numValues
                    if optional {
                        var lc = ByteCursor(UnsafeRawBufferPointer(rebasing: body[0..<h.definitionBytes]))
                        present = try decoder.readLevels(&lc, count: h.numValues, into: &page.present)
                    }
                    let rest = UnsafeRawBufferPointer(rebasing: body[h.definitionBytes...])
                    let valueSize = h.uncompressedSize - h.definitionBytes
                    try ParquetCodec.withDecompressed(h.isCompressed ? codec : 0, rest, size: valueSize, scratch: shared.inflated) { b in
                        var c = ByteCursor(b)
                        try decoder.decodeValues(&c, encoding: h.encoding, count: present, dictionary: dictionary, into: &page)
                    }
                    guard page.valueCount == present else {
                        throw ParquetError("page \(n) holds \(page.valueCount) values for \(present) present rows")
                    }
                    pageRows = h.numValues
                default:
                    break  // index pages and unknown pages: skipped
                }
            }
        } catch let e as ParquetError {
            throw ParquetError("page \(n): \(e.message)")
        }
        if h.type == 0 || h.type == 3 { rowsLoaded += h.numValues }
    }

    /// Empties the page arrays for a page of `rows` rows, keeping their memory, and sizes them
    /// for it at once (up to 65 536 values: writers cut pages at 20 000 rows; more grows).
    private func resetPage(rows: Int) {
        page.present.removeAll(keepingCapacity: true)
        page.ints.removeAll(keepingCapacity: true)
        page.doubles.removeAll(keepingCapacity: true)
        page.offsets.removeAll(keepingCapacity: true)
        page.offsets.append(0)
        page.bytes.removeAll(keepingCapacity: true)
        let n = min(rows, 1 << 16)
        if optional { page.present.reserveCapacity(n) }
        switch ParquetStorage(column.physical) {
        case .ints: page.ints.reserveCapacity(n)
        case .doubles: page.doubles.reserveCapacity(n)
        case .bytes: page.offsets.reserveCapacity(n + 1)
        }
        pageRows = 0
        pageRow = 0
    }
}

/// The read buffer the column streams of one file share, and the buffer their pages are
/// decompressed into.
final class ParquetReadBuffer {
    var bytes: [UInt8] = []
    let inflated = ParquetInflateBuffer()
}

/// A data page's decoded values seen through pointers, with the row cursor: what the ingest's
/// row loop reads without retains or exclusivity checks. The pointers are into the stream's
/// page arrays, which are not touched until the stream's next `nextView()`.
struct ParquetPageView {
    var present: UnsafePointer<UInt8>?
    var ints: UnsafePointer<Int64>?
    var doubles: UnsafePointer<Double>?
    var offsets: UnsafePointer<Int>?
    var bytes: UnsafePointer<UInt8>?
    var pageRows = 0
    var pageRow = 0
    var valueIndex = 0

    @inline(__always) var isPresent: Bool { present == nil || present![pageRow] != 0 }

    @inline(__always) mutating func advance() {
        if present == nil || present![pageRow] != 0 { valueIndex += 1 }
        pageRow += 1
    }

    /// Value `k`'s bytes (byte arrays).
    @inline(__always) func bytes(_ k: Int) -> UnsafeRawBufferPointer {
        let s = offsets![k], e = offsets![k + 1]
        guard e > s, let b = bytes else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: b + s, count: e - s)
    }
}

/// Types value `k` of a page view for the common pairings, straight from the decoded values;
/// nil for the rarer ones (the caller types those from the page itself).
@inline(__always)
func typeParquetView(_ j: Int, _ v: ParquetPageView, _ k: Int, _ kind: ParquetValueKind, _ type: ColumnType, _ batch: RowBatch)
    -> RowTyper.Outcome?
{
    switch (type, kind) {
    case (.numeric, .floating):
        let x = v.doubles![k]
        batch.set(j, double: x)
        return x.isFinite ? .stored : .storedNonFinite
    case (.numeric, .integer), (.numeric, .boolean):
        batch.set(j, double: Double(v.ints![k]))
        return .stored
    case (.integer, .integer), (.integer, .boolean):
        batch.set(j, int: v.ints![k])
        return .stored
    case (.boolean, .boolean):
        batch.set(j, int: v.ints![k] != 0 ? 1 : 0)
        return .stored
    case (.datetime, .date), (.datetime, .timestamp), (.datetime, .int96):
        guard let ms = parquetMilliseconds(v.ints![k], kind) else {
            return .failed(.notTimestamp)
        }
        writeCanonicalTimestamp(ms, column: j, into: batch)
        return .stored
    case (.categorical, .bytes), (.text, .bytes):
        let b = v.bytes(k)
        guard isValidUTF8(b) else { return .failed(.invalidUTF8) }
        batch.set(j, text: b)
        return .stored
    default:
        return nil
    }
}

extension ParquetFooter {
    /// The footer longest accepted (256 MiB): a length claiming more is corrupt.
    static let maxFooterBytes = 1 << 28

    /// Reads the footer of the Parquet file open as `fd` (`size` bytes) with `pread`: the
    /// magic bytes at both ends, then the footer alone. Returns it with the end of the data.
    static func read(fd: Int32, size: Int) throws -> (footer: ParquetFooter, dataEnd: Int) {
        guard size >= 12 else { throw ParquetError("the file is \(size) bytes long, too short to be Parquet (at least 12)") }
        func bytes(_ offset: Int, _ count: Int) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: count)
            var done = 0
            try out.withUnsafeMutableBytes { b in
                while done < count {
                    let n = pread(fd, b.baseAddress! + done, count - done, off_t(offset + done))
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { throw ParquetError("the file cannot be read at byte \(offset + done)") }
                    done += n
                }
            }
            return out
        }
        let head = try bytes(0, 4)
        let tail = try bytes(size - 8, 8)
        let len = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
        guard head == [0x50, 0x41, 0x52, 0x31] else {
            throw ParquetError("the file does not start with the Parquet magic bytes PAR1")
        }
        guard tail[4...] == [0x50, 0x41, 0x52, 0x31][...] else {
            if tail[4...] == [0x50, 0x41, 0x52, 0x45][...] {
                throw ParquetError("the file's footer is encrypted (PARE); encrypted Parquet is not supported")
            }
            throw ParquetError("the file does not end with the Parquet magic bytes PAR1: it is truncated or not a complete Parquet file")
        }
        guard len > 0, len <= size - 12, len <= maxFooterBytes else {
            throw ParquetError("the footer length (\(len) bytes) does not fit in the file (\(size) bytes): the file is truncated or corrupt")
        }
        // The footer framed as a small file of its own: magic, footer, length, magic.
        let framed = head + (try bytes(size - 8 - len, len)) + tail
        let footer = try framed.withUnsafeBytes { try read($0) }
        return (footer, size - 8 - len)
    }
}
