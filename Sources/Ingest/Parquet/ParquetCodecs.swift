import CLZ4
import CSnappy
import CZlib
import CZstd
import Foundation

/// Where pages are decompressed: one per file, reused by every column's pages (a page is
/// decoded as soon as it is decompressed).
final class ParquetInflateBuffer {
    var bytes: [UInt8] = []
}

/// Parquet compression codecs (parquet.thrift `CompressionCodec`), through the system libraries.
enum ParquetCodec {
    /// The largest page the reader inflates (1 GiB): a page header claiming more is corrupt.
    static let maxPageBytes = 1 << 30

    static func name(_ codec: Int32) -> String {
        switch codec {
        case 0: return "UNCOMPRESSED"
        case 1: return "SNAPPY"
        case 2: return "GZIP"
        case 3: return "LZO"
        case 4: return "BROTLI"
        case 5: return "LZ4"
        case 6: return "ZSTD"
        case 7: return "LZ4_RAW"
        default: return "codec \(codec)"
        }
    }

    /// Calls `body` with `input` decompressed into exactly `size` bytes: an uncompressed page
    /// as it is, any other in `scratch` (reused from page to page, grown when short, never
    /// cleared: no allocation, zeroing or copy per page). `body` must not touch `scratch`.
    static func withDecompressed<R>(
        _ codec: Int32, _ input: UnsafeRawBufferPointer, size: Int, scratch: ParquetInflateBuffer,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        guard size >= 0, size <= maxPageBytes else {
            throw ParquetError("a page claims \(size) uncompressed bytes (more than \(maxPageBytes))")
        }
        if codec == 0 {
            guard input.count == size else {
                throw ParquetError("an uncompressed page holds \(input.count) bytes but its header says \(size)")
            }
            return try body(input)
        }
        if scratch.bytes.count < max(size, 1) { scratch.bytes = [UInt8](repeating: 0, count: max(size, 1)) }
        return try scratch.bytes.withUnsafeMutableBytes { o in
            try decompress(codec, input, into: o.baseAddress!, size: size)
            return try body(UnsafeRawBufferPointer(start: o.baseAddress!, count: size))
        }
    }

    /// Decompresses `input` (compressed with `codec`, not UNCOMPRESSED) into exactly `size`
    /// bytes at `dst`.
    private static func decompress(_ codec: Int32, _ input: UnsafeRawBufferPointer, into dst: UnsafeMutableRawPointer, size: Int) throws {
        let produced: Int = try { () throws -> Int in
            guard let src = input.baseAddress ?? (input.isEmpty ? UnsafeRawPointer(bitPattern: 1) : nil) else { return 0 }
            switch codec {
            case 1:
                var length = 0
                guard snappy_uncompressed_length(src.assumingMemoryBound(to: CChar.self), input.count, &length) == SNAPPY_OK,
                      length == size
                else { throw ParquetError("a Snappy page is corrupt (its length does not match the header's \(size) bytes)") }
                var outLength = size
                guard snappy_uncompress(src.assumingMemoryBound(to: CChar.self), input.count,
                                        dst.assumingMemoryBound(to: CChar.self), &outLength) == SNAPPY_OK
                else { throw ParquetError("a Snappy page is corrupt") }
                return outLength
            case 2:
                return try inflateAll(src, input.count, dst, size)
            case 6:
                let n = ZSTD_decompress(dst, size, src, input.count)
                if ZSTD_isError(n) != 0 {
                    throw ParquetError("a Zstandard page is corrupt (\(String(cString: ZSTD_getErrorName(n))))")
                }
                return n
            case 7:
                guard input.count <= Int(Int32.max), size <= Int(Int32.max) else { throw ParquetError("an LZ4 page is too large") }
                let n = LZ4_decompress_safe(
                    src.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(size))
                guard n >= 0 else { throw ParquetError("an LZ4_RAW page is corrupt") }
                return Int(n)
            case 5:
                return try hadoopLZ4(input, dst, size)
            default:
                throw ParquetError("pages compressed with \(name(codec)) cannot be read (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, LZ4)")
            }
        }()
        guard produced == size else {
            throw ParquetError("a \(name(codec)) page inflates to \(produced) bytes but its header says \(size)")
        }
    }

    private static func inflateAll(_ src: UnsafeRawPointer, _ count: Int, _ dst: UnsafeMutableRawPointer, _ size: Int) throws -> Int {
        var s = z_stream()
        guard inflateInit2_(&s, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError("zlib could not start")
        }
        defer { inflateEnd(&s) }
        s.next_in = UnsafeMutablePointer(mutating: src.assumingMemoryBound(to: Bytef.self))
        s.avail_in = uInt(min(count, Int(UInt32.max)))
        s.next_out = dst.assumingMemoryBound(to: Bytef.self)
        s.avail_out = uInt(size)
        let rc = inflate(&s, Z_FINISH)
        guard rc == Z_STREAM_END else {
            throw ParquetError("a GZIP page is corrupt (\(s.msg.map { String(cString: $0) } ?? "zlib error \(rc)"))")
        }
        return size - Int(s.avail_out)
    }

    /// The deprecated LZ4 codec: Hadoop's framing (big-endian lengths around LZ4 blocks), or
    /// a raw LZ4 block as some writers produced.
    private static func hadoopLZ4(_ input: UnsafeRawBufferPointer, _ dst: UnsafeMutableRawPointer, _ size: Int) throws -> Int {
        func be32(_ at: Int) -> Int {
            (Int(input[at]) << 24) | (Int(input[at + 1]) << 16) | (Int(input[at + 2]) << 8) | Int(input[at + 3])
        }
        var pos = 0
        var produced = 0
        var framed = true
        while pos < input.count {
            guard input.count - pos >= 8 else { framed = false; break }
            let raw = be32(pos), compressed = be32(pos + 4)
            guard raw <= size - produced, compressed <= input.count - pos - 8 else { framed = false; break }
            let n = LZ4_decompress_safe(
                (input.baseAddress! + pos + 8).assumingMemoryBound(to: CChar.self),
                (dst + produced).assumingMemoryBound(to: CChar.self), Int32(compressed), Int32(raw))
            guard n == raw else { framed = false; break }
            produced += raw
            pos += 8 + compressed
        }
        if framed, produced == size { return produced }
        let n = LZ4_decompress_safe(
            input.baseAddress!.assumingMemoryBound(to: CChar.self), dst.assumingMemoryBound(to: CChar.self),
            Int32(input.count), Int32(size))
        guard n >= 0 else { throw ParquetError("an LZ4 page is corrupt") }
        return Int(n)
    }
}
