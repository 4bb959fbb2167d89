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
        try checkInflatedSize(codec, input, size: size)
        if scratch.bytes.count < max(size, 1) {
            // Not zero-filled: the decompressor writes every byte `body` sees (it must produce
            // exactly `size`), and a size that lies costs address space, not resident memory.
            scratch.bytes = []
            scratch.bytes = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { _, count in count = max(size, 1) }
        }
        return try scratch.bytes.withUnsafeMutableBytes { o in
            try decompress(codec, input, into: o.baseAddress!, size: size)
            return try body(UnsafeRawBufferPointer(start: o.baseAddress!, count: size))
        }
    }

    /// The most a codec's output can be per input byte: deflate 1032 (zlib's documented
    /// maximum compression factor), LZ4 255 (a match's length grows by at most 255 per byte).
    static let maxDeflateRatio = 1032, maxLZ4Ratio = 255

    /// Refuses, before any memory is set aside, a page header's uncompressed size that the page's
    /// compressed bytes cannot produce: Snappy and Zstandard write the size in their own header
    /// (Snappy always, Zstandard in its frame headers, or at most 128 KiB per block where a frame
    /// does not say), deflate and LZ4
    /// cannot expand past their maximum ratio. A crafted 20-byte page claiming 1 GiB is an error
    /// naming both sizes, not a 1 GiB buffer.
    static func checkInflatedSize(_ codec: Int32, _ input: UnsafeRawBufferPointer, size: Int) throws {
        let most: Int?
        switch codec {
        case 1:
            var length = 0
            guard let src = input.baseAddress,
                  snappy_uncompressed_length(src.assumingMemoryBound(to: CChar.self), input.count, &length) == SNAPPY_OK,
                  length == size
            else { throw ParquetError("a Snappy page is corrupt (its length does not match the header's \(size) bytes)") }
            return
        case 6:
            guard let src = input.baseAddress else { most = 0; break }
            // The frames' declared sizes, or (a frame without one) its blocks × 128 KiB.
            let bound = ZSTD_decompressBound(src, input.count)
            if bound == ZSTD_CONTENTSIZE_ERROR {
                throw ParquetError("a Zstandard page is corrupt (its bytes are not a sequence of whole frames)")
            }
            if bound < UInt64(size) {
                throw ParquetError("a Zstandard page's frames hold at most \(bound) bytes but its header says \(size)")
            }
            return
        case 2: most = input.count.multipliedReportingOverflow(by: maxDeflateRatio).partialValue
        case 5, 7: most = input.count.multipliedReportingOverflow(by: maxLZ4Ratio).partialValue + 16
        default: return
        }
        if let most, size > most {
            throw ParquetError("a \(name(codec)) page of \(input.count) compressed bytes claims \(size) uncompressed bytes (\(name(codec)) inflates \(input.count) bytes to at most \(most))")
        }
    }

    /// Decompresses `input` (compressed with `codec`, not UNCOMPRESSED) into exactly `size`
    /// bytes at `dst`.
    private static func decompress(_ codec: Int32, _ input: UnsafeRawBufferPointer, into dst: UnsafeMutableRawPointer, size: Int) throws {
        let produced: Int = try { () throws -> Int in
            guard let src = input.baseAddress ?? (input.isEmpty ? UnsafeRawPointer(bitPattern: 1) : nil) else { return 0 }
            switch codec {
            case 1:
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
