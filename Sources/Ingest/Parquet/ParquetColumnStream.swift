import AuditModel
import Foundation

/// Reads one column chunk page by page from the file with `pread`, through a buffer that holds
/// one page (its compressed bytes, then its decoded values): the ingest never holds a whole
/// file, row group or column chunk in memory (docs/ingest.md, "Parquet": memory).
///
/// The caller walks the rows of the row group in order: `ensureRow()` before each row (loads
/// the next page when the current one is used up), then `present` / `valueIndex` / `page`
/// for the row's value, then `advance()`.
final class ParquetColumnStream {
    let fd: Int32
    let decoder: ParquetChunkReader
    let column: ParquetColumn
    let chunk: ParquetChunk
    let rows: Int
    private var pos: Int
    private let end: Int
    private var dictionary: ParquetColumnData?
    private var pageNumber = 0
    private var buffer: [UInt8] = []
    /// Rows of the row group in pages loaded so far.
    private(set) var rowsLoaded = 0

    /// The current page's values.
    private(set) var page = ParquetColumnData()
    /// Rows in the current page.
    private(set) var pageRows = 0
    /// The current row within the page.
    private(set) var pageRow = 0
    /// The current row's value index in `page` (meaningful when `present`).
    private(set) var valueIndex = 0
    private let optional: Bool

    /// - Throws: `ParquetError` when the chunk's position lies outside the file's data.
    init(fd: Int32, dataEnd: Int, column: ParquetColumn, chunk: ParquetChunk, rows: Int) throws {
        self.fd = fd
        self.column = column
        self.chunk = chunk
        self.rows = rows
        optional = column.maxDefinition > 0
        decoder = ParquetChunkReader(file: UnsafeRawBufferPointer(start: nil, count: 0), dataEnd: dataEnd, column: column, chunk: chunk, rows: rows)
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

    /// Whether the current row's value is present (not null).
    @inline(__always) var present: Bool { !optional || page.present[pageRow] != 0 }

    /// Makes the current row readable, loading pages as needed.
    @inline(__always) func ensureRow() throws {
        while pageRow >= pageRows { try loadPage() }
    }

    /// Moves to the next row.
    @inline(__always) func advance() {
        if !optional || page.present[pageRow] != 0 { valueIndex += 1 }
        pageRow += 1
    }

    /// Reads `count` bytes at `offset` into `buffer`.
    private func readBytes(_ offset: Int, _ count: Int) throws {
        if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
        var done = 0
        try buffer.withUnsafeMutableBytes { b in
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
                return try buffer.withUnsafeBytes { b in
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
            try buffer.withUnsafeBytes { all in
                let body = UnsafeRawBufferPointer(rebasing: all[0..<h.compressedSize])
                switch h.type {
                case 2:
                    let data = try ParquetCodec.decompress(codec, body, size: h.uncompressedSize)
                    guard h.encoding == 0 || h.encoding == 2 else {
                        throw ParquetError("a dictionary page is encoded with \(encodingName(h.encoding)), not PLAIN")
                    }
                    var d = ParquetColumnData()
                    try data.withUnsafeBytes { b in
                        var c = ByteCursor(b)
                        try decoder.decodePlain(&c, count: h.numValues, into: &d)
                    }
                    dictionary = d
                case 0:
                    guard h.numValues <= left else {
                        throw ParquetError("page \(n) holds \(h.numValues) values, more than the rows left (\(left))")
                    }
                    resetPage()
                    let data = try ParquetCodec.decompress(codec, body, size: h.uncompressedSize)
                    try data.withUnsafeBytes { b in
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
                    resetPage()
                    var present = h.numValues
                    if optional {
                        var lc = ByteCursor(UnsafeRawBufferPointer(rebasing: body[0..<h.definitionBytes]))
                        present = try decoder.readLevels(&lc, count: h.numValues, into: &page.present)
                    }
                    let rest = UnsafeRawBufferPointer(rebasing: body[h.definitionBytes...])
                    let valueSize = h.uncompressedSize - h.definitionBytes
                    let data = try ParquetCodec.decompress(h.isCompressed ? codec : 0, rest, size: valueSize)
                    try data.withUnsafeBytes { b in
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

    private func resetPage() {
        page.present.removeAll(keepingCapacity: true)
        page.ints.removeAll(keepingCapacity: true)
        page.doubles.removeAll(keepingCapacity: true)
        page.offsets.removeAll(keepingCapacity: true)
        page.offsets.append(0)
        page.bytes.removeAll(keepingCapacity: true)
        pageRows = 0
        pageRow = 0
        valueIndex = 0
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
