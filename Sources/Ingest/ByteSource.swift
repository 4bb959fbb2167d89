import AuditModel
import CZlib
import Crypto
import Foundation

/// How a part file is compressed, detected from its first bytes (never from its name alone).
public enum Compression: String, Sendable, Equatable {
    case none
    case gzip
}

/// Why a byte stream ended before its end: the bytes up to here are good, the rest is lost.
struct StreamDamage: Error, Equatable {
    /// What went wrong, for the quarantine reason and the finding.
    let message: String
}

/// A stream of bytes read in large blocks.
protocol ByteSource: AnyObject {
    /// Reads up to `capacity` bytes into `buffer`; returns 0 at the end of the stream.
    ///
    /// - Throws: `MLAuditError` when the file cannot be read, `StreamDamage` when the
    ///   stream is damaged (a truncated or corrupt gzip member).
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int
    /// Bytes taken from the file on disk so far (compressed bytes for gzip).
    var fileBytesRead: Int { get }
}

/// A plain file read with `read(2)`, hashing every byte it reads (SHA-256), so the loader
/// can prove the bytes it loaded are the bytes it hashed beforehand.
final class FileByteSource: ByteSource {
    let path: String
    let fd: Int32
    private(set) var fileBytesRead = 0
    private var hasher = SHA256()
    private var opened = stat()

    init(path: String) throws {
        self.path = path
        // Non-blocking open, so a FIFO cannot hang here; anything but a regular file is refused
        // before a byte is read.
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw MLAuditError.unreadable(path, what: "the file", cause: String(cString: strerror(errno)))
        }
        fstat(fd, &opened)
        guard opened.st_mode & S_IFMT == S_IFREG else {
            // (deinit closes fd)
            try requireRegularFile(path, what: "input")
            throw MLAuditError(.unreadableInput, "input is not a regular file", file: path)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        while true {
            let n = Foundation.read(fd, buffer, capacity)
            if n < 0 {
                if errno == EINTR { continue }
                throw MLAuditError.unreadable(path, what: "the file", cause: String(cString: strerror(errno)))
            }
            if n > 0 { hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: n)) }
            fileBytesRead += n
            return n
        }
    }

    /// Reads (and hashes) the rest of the file, after a damaged stream stopped early.
    func drain() {
        let block = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { block.deallocate() }
        while let n = try? read(into: block, capacity: 1 << 20), n > 0 {}
    }

    /// Whether the file still has the size and modification time it had when opened, and every
    /// byte of it was read.
    func unchangedSinceOpen() -> Bool {
        var now = stat()
        guard fstat(fd, &now) == 0 else { return false }
        return now.st_size == opened.st_size && now.st_mtim.tv_sec == opened.st_mtim.tv_sec
            && now.st_mtim.tv_nsec == opened.st_mtim.tv_nsec && Int(now.st_size) == fileBytesRead
    }

    /// SHA-256 (hex) of every byte read so far.
    func digest() -> String { hex(hasher.finalize()) }
}

/// Inflates a gzip file as it is read, in bounded memory: several concatenated gzip members
/// (as `cat a.gz b.gz` or pigz write) read as one stream. A stream that ends inside a member,
/// or data that fails zlib's checks (CRC, length, invalid deflate codes), ends the stream with
/// `StreamDamage` after the bytes inflated so far.
final class GzipByteSource: ByteSource {
    let file: FileByteSource
    private var stream = z_stream()
    private let input: UnsafeMutableRawPointer
    private let inputCapacity = 1 << 20
    private var inputEOF = false
    private var finished = false
    /// Inside a member (a header seen, its end not yet reached).
    private var inMember = false
    private var damage: StreamDamage?

    var fileBytesRead: Int { file.fileBytesRead }

    init(file: FileByteSource) throws {
        self.file = file
        input = UnsafeMutableRawPointer.allocate(byteCount: inputCapacity, alignment: 16)
        // 15 + 16: a gzip wrapper only (not raw deflate nor zlib), 32 KiB window.
        let rc = inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            input.deallocate()
            throw MLAuditError.internalError("zlib inflateInit2 failed (\(rc))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    /// Bytes of compressed input not yet handed to zlib.
    private func refill() throws {
        guard stream.avail_in == 0, !inputEOF else { return }
        let n = try file.read(into: input, capacity: inputCapacity)
        if n == 0 { inputEOF = true }
        stream.next_in = input.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = uInt(n)
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        if let damage { throw damage }
        if finished { return 0 }
        stream.next_out = buffer.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(min(capacity, Int(UInt32.max)))
        while stream.avail_out > 0 {
            try refill()
            if stream.avail_in == 0, inputEOF {
                if inMember {
                    damage = StreamDamage(
                        message: "the gzip stream is truncated (it ends after \(file.fileBytesRead) compressed bytes, inside a member)")
                }
                finished = true
                break
            }
            inMember = true
            let rc = inflate(&stream, Z_NO_FLUSH)
            if rc == Z_STREAM_END {
                inMember = false
                // Another member may follow (concatenated gzip); anything else is trailing garbage.
                try refill()
                if stream.avail_in == 0, inputEOF {
                    finished = true
                    break
                }
                if stream.next_in[0] != 0x1F {
                    damage = StreamDamage(
                        message: "the gzip stream has \(Int(stream.avail_in)) bytes of trailing data that are not gzip")
                    finished = true
                    break
                }
                inflateReset(&stream)
                continue
            }
            if rc == Z_BUF_ERROR, stream.avail_in == 0 { continue }  // needs more input; refill on the next turn
            guard rc == Z_OK else {
                let why = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
                damage = StreamDamage(
                    message: "the gzip data is corrupt (\(why), near compressed byte \(file.fileBytesRead - Int(stream.avail_in)))")
                finished = true
                break
            }
        }
        let produced = capacity - Int(stream.avail_out)
        if produced == 0, let damage { throw damage }
        return produced
    }
}

/// Opens a part file: sniffs the gzip magic bytes (1F 8B) and wraps the file accordingly.
func openByteSource(path: String) throws -> (source: any ByteSource, file: FileByteSource, compression: Compression) {
    let file = try FileByteSource(path: path)
    var magic: [UInt8] = [0, 0]
    let n = magic.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, 2, 0) }
    if n == 2, magic[0] == 0x1F, magic[1] == 0x8B {
        return (try GzipByteSource(file: file), file, .gzip)
    }
    return (file, file, .none)
}
