import Foundation

/// A bounds-checked cursor over a page's bytes.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var pos = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - pos }

    mutating func take(_ n: Int) throws -> UnsafeRawBufferPointer {
        guard n >= 0, n <= remaining else {
            throw ParquetError("a page's data ends early (wanted \(n) bytes at offset \(pos), \(remaining) left)")
        }
        defer { pos += n }
        return UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + n])
    }

    mutating func byte() throws -> UInt8 { try take(1)[0] }

    mutating func uleb() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw ParquetError("a varint in a page is longer than 10 bytes") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try uleb()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func le32() throws -> UInt32 {
        let b = try take(4)
        return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }
}

/// Reads `count` values of `width` bits each, packed LSB first, starting at `bytes[0]`.
@inline(__always)
func unpackBits(_ bytes: UnsafeRawBufferPointer, width: Int, count: Int, _ emit: (UInt64) -> Void) {
    if width == 0 {
        for _ in 0..<count { emit(0) }
        return
    }
    let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
    var bit = 0
    let n = bytes.count
    for _ in 0..<count {
        var byteIndex = bit >> 3
        let shift = bit & 7
        // Fast path: the value lies within one 8-byte little-endian load (width ≤ 56 bits, at
        // least 8 bytes left); else gathered byte by byte below.
        if width <= 56, byteIndex + 8 <= n {
            let word = UInt64(littleEndian: bytes.baseAddress!.loadUnaligned(fromByteOffset: byteIndex, as: UInt64.self))
            emit((word >> UInt64(shift)) & mask)
            bit += width
            continue
        }
        var v: UInt64 = 0
        var got = 0
        // Gather up to 9 bytes (64 bits + shift).
        while got < width + shift, byteIndex < n {
            v |= got < 64 ? UInt64(bytes[byteIndex]) << UInt64(got) : 0
            got += 8
            byteIndex += 1
        }
        var value = (v >> UInt64(shift))
        if width + shift > 64, (bit >> 3) + 8 < n {
            value |= UInt64(bytes[(bit >> 3) + 8]) << UInt64(64 - shift)
        }
        emit(value & mask)
        bit += width
    }
}

/// The RLE / bit-packing hybrid (levels, booleans, dictionary indices): decodes `count` values
/// of `width` bits from `c`, calling `emit` for each. Values past the data are an error.
func decodeHybrid(_ c: inout ByteCursor, width: Int, count: Int, _ emit: (UInt32) throws -> Void) throws {
    guard width >= 0, width <= 32 else { throw ParquetError("an RLE bit width of \(width) is out of range (0…32)") }
    var done = 0
    let valueBytes = (width + 7) / 8
    while done < count {
        let header = try c.uleb()
        if header & 1 == 0 {
            guard header >> 1 <= UInt64(Int32.max) else { throw ParquetError("an RLE run is too long (\(header >> 1))") }
            let run = Int(header >> 1)
            let b = try c.take(valueBytes)
            var v: UInt32 = 0
            for k in 0..<valueBytes { v |= UInt32(b[k]) << UInt32(8 * k) }
            guard run > 0 else { throw ParquetError("an RLE run of length 0") }
            let n = min(run, count - done)
            for _ in 0..<n { try emit(v) }
            done += n
        } else {
            guard header >> 1 <= UInt64(Int32.max / 8) else { throw ParquetError("a bit-packed run is too long") }
            let groups = Int(header >> 1)
            let n = min(groups * 8, count - done)
            guard (n * width + 7) / 8 <= c.remaining else { throw ParquetError("a bit-packed run ends early") }
            // The last run may be cut short at the page end by some writers: take what is there.
            let b = try c.take(min(groups * width, c.remaining))
            var failure: (any Error)?
            unpackBits(b, width: width, count: n) { v in
                if failure == nil {
                    do { try emit(UInt32(truncatingIfNeeded: v)) } catch { failure = error }
                }
            }
            if let failure { throw failure }
            done += n
        }
    }
}

/// DELTA_BINARY_PACKED: decodes every value of the stream at `c` (advancing past it).
func decodeDeltaBinaryPacked(_ c: inout ByteCursor, limit: Int, _ emit: (Int64) throws -> Void) throws {
    let blockSize = try c.uleb()
    let miniblocks = try c.uleb()
    let total = try c.uleb()
    var value = try c.zigzag()
    guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
          (blockSize / miniblocks) % 32 == 0
    else { throw ParquetError("a DELTA_BINARY_PACKED header is invalid (block \(blockSize), miniblocks \(miniblocks))") }
    guard total <= UInt64(limit) else {
        throw ParquetError("a DELTA_BINARY_PACKED stream claims \(total) values, more than the page holds (\(limit))")
    }
    let count = Int(total)
    if count == 0 { return }
    try emit(value)
    var done = 1
    let perMini = Int(blockSize / miniblocks)
    let minis = Int(miniblocks)
    var widths = [Int](repeating: 0, count: minis)
    while done < count {
        let minDelta = try c.zigzag()
        let w = try c.take(minis)
        for k in 0..<minis { widths[k] = Int(w[k]) }
        for k in 0..<minis {
            if done >= count { break }
            let width = widths[k]
            guard width <= 64 else { throw ParquetError("a DELTA_BINARY_PACKED miniblock has bit width \(width)") }
            let b = try c.take(perMini * width / 8)
            let n = min(perMini, count - done)
            var failure: (any Error)?
            unpackBits(b, width: width, count: n) { d in
                value = value &+ minDelta &+ Int64(bitPattern: d)
                if failure == nil {
                    do { try emit(value) } catch { failure = error }
                }
            }
            if let failure { throw failure }
            done += n
        }
    }
}
