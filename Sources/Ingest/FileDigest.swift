import AuditModel
import Crypto
import Foundation

/// SHA-256 and size of a file, streamed in blocks (bounded memory for any file size).
public struct FileDigest: Sendable, Equatable {
    public let sha256: String
    public let bytes: Int

    public static func of(path: String) throws -> FileDigest {
        guard let fh = FileHandle(forReadingAtPath: path) else {
            throw MLAuditError.unreadable(path, what: "the file", cause: "it cannot be opened")
        }
        defer { try? fh.close() }
        var hasher = SHA256()
        var total = 0
        while true {
            let data: Data
            do {
                data = try fh.read(upToCount: 1 << 22) ?? Data()
            } catch {
                throw MLAuditError.unreadable(path, what: "the file", cause: error.localizedDescription)
            }
            if data.isEmpty { break }
            total += data.count
            hasher.update(data: data)
        }
        return FileDigest(sha256: hex(hasher.finalize()), bytes: total)
    }

    public static func of(data: Data) -> FileDigest {
        FileDigest(sha256: hex(SHA256.hash(data: data)), bytes: data.count)
    }
}

func hex(_ digest: some Sequence<UInt8>) -> String {
    let chars = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for b in digest {
        out.append(chars[Int(b >> 4)])
        out.append(chars[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Reads a byte source in large blocks into a growable buffer, keeping the unconsumed tail.
///
/// When the source reports damage (a truncated or corrupt gzip stream), the bytes after the
/// last line break are set aside in `damagedTail` and the stream ends there: a reader never
/// types the cut-off remains of a record as if they were whole.
final class BlockReader {
    let path: String
    let source: any ByteSource
    private(set) var buffer: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Valid bytes are `start..<end`.
    var start = 0
    private(set) var end = 0
    private(set) var eof = false
    /// Bytes produced by the source so far (decompressed bytes for gzip).
    private(set) var bytesRead = 0
    let blockSize: Int
    /// Set when the stream ended early.
    private(set) var damage: StreamDamage?
    /// The incomplete last record at the point of damage.
    private(set) var damagedTail: [UInt8] = []

    init(path: String, source: any ByteSource, blockSize: Int = 1 << 22) {
        self.path = path
        self.source = source
        self.blockSize = blockSize
        capacity = blockSize * 2
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    /// Bytes taken from the file on disk so far (compressed bytes for gzip).
    var fileBytesRead: Int { source.fileBytesRead }

    /// Moves the unconsumed tail to the front and reads one more block. Returns false at EOF.
    func fill() throws -> Bool {
        if eof { return false }
        let tail = end - start
        if start > 0 {
            if tail > 0 { memmove(buffer, buffer + start, tail) }
            start = 0
            end = tail
        }
        if capacity - end < blockSize {
            let newCap = max(capacity * 2, end + blockSize)
            let nb = UnsafeMutableRawPointer.allocate(byteCount: newCap, alignment: 16)
            nb.copyMemory(from: buffer, byteCount: end)
            buffer.deallocate()
            buffer = nb
            capacity = newCap
        }
        let n: Int
        do {
            n = try source.read(into: buffer + end, capacity: capacity - end)
        } catch let d as StreamDamage {
            damage = d
            eof = true
            // Keep whole lines only; the rest is the cut-off record.
            var cut = end
            while cut > start, buffer.load(fromByteOffset: cut - 1, as: UInt8.self) != 0x0A { cut -= 1 }
            damagedTail = Array(UnsafeRawBufferPointer(start: buffer + cut, count: end - cut))
            end = cut
            return false
        }
        if n == 0 {
            eof = true
            return false
        }
        end += n
        bytesRead += n
        return true
    }

    var available: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: buffer + start, count: end - start) }
}
