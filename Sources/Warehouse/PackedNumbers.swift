/// A compact, exact encoding of a run of numbers given as the bit patterns of doubles (the
/// columnar copy's `NumericColumnEncoding` bits): decimal scaling plus frame of reference.
///
/// Numbers read from text mostly have few decimals (`12.3456`, `0.406307`, `61.5`, `42`): such
/// a value `v` is `m / 10^k` for a small integer `m`, and IEEE division of the exact double
/// `Double(m)` by the exact double `10^k` gives back exactly the double `v` (the parser rounded
/// the same real number `m / 10^k` to the nearest double, and so does the division). The
/// encoder picks one scale `k` for the run, stores `m - base` for each value in the fewest
/// whole bytes that hold the run's range, and keeps every value it cannot write that way (null,
/// NaN, infinities, values with more decimals or more digits than the scale allows) as an
/// exception with its full 64 bits. Every value is checked by decoding it while encoding, so
/// `decode(encode(bits))` gives back the very same bits, whatever they are; when packing does
/// not make the run smaller it is stored raw (8 bytes per value, encoding `raw`).
///
/// Nulls (`NumericColumnEncoding.null`) are not exceptions: when a run has any, the delta one
/// past the packed values' range stands for null.
///
/// Layout of a `decimal` run of `n` values (all integers little-endian):
///
/// | bytes | what |
/// |---|---|
/// | 1 | `k`, the decimal scale (0…18): a value is `(base + delta) / 10^k` |
/// | 1 | `w`, bytes per delta (0…8; 0 when every value is the same packed value) |
/// | 4 | `e`, the number of exceptions (UInt32) |
/// | 8 | `base` (Int64) |
/// | 8 | the delta that stands for null (UInt64; 2^64 − 1 when the run has no null) |
/// | 12 × e | the exceptions in ascending row order: row (UInt32), the value's 64 bits (UInt64) |
/// | w × n | each row's delta (unsigned, `w` bytes); an exception's row holds 0 |
public enum PackedNumbers {
    /// How a run is stored (the `encoding` column).
    public static let raw: Int = 0
    public static let decimal: Int = 1

    static let headerBytes = 22
    static let maxScale = 18
    /// 2^53: integers up to this magnitude are exact doubles.
    static let exactLimit = 9_007_199_254_740_992.0
    static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { a, _ in a * 10 } }
    static let nullBits = NumericColumnEncoding.null
    static let negativeZero: UInt64 = 0x8000_0000_0000_0000

    /// Whether the finite `v` is exactly `round(v × p) / p` with that integer within ±2^53; the
    /// integer is returned through `m`.
    @inline(__always)
    static func fits(_ v: Double, _ p: Double, _ m: inout Double) -> Bool {
        let r = (v * p).rounded(.toNearestOrEven)
        m = r
        // Bit patterns, not ==; and -0.0 is never packed (the integer 0 decodes as +0.0).
        return abs(r) <= exactLimit && (r / p).bitPattern == v.bitPattern && v.bitPattern != negativeZero
    }

    /// The smallest scale in `from...maxScale` at which the finite `v` fits, or nil.
    static func scale(of v: Double, from: Int) -> Int? {
        var m = 0.0
        var k = from
        while k <= maxScale {
            if fits(v, powersOfTen[k], &m) { return k }
            k += 1
        }
        return nil
    }

    /// Encodes `values` into `out` (replacing its contents) and returns the encoding, `raw` or
    /// `decimal`.
    public static func encode(_ values: UnsafeBufferPointer<UInt64>, into out: inout [UInt8]) -> Int {
        let n = values.count
        guard n > 0, n <= Int(UInt32.max) else { return storeRaw(values, into: &out) }
        // Exceptions (NaN, infinities, values that do not fit the scale) allowed: 1/32 of the run.
        let budget = max(4, n / 32)
        // The scale starts as the smallest that fits the first finite values (a sample).
        var scale = 0
        var sampled = 0, i = 0
        while i < n && sampled < 64 {
            let v = Double(bitPattern: values[i])
            i += 1
            guard v.isFinite else { continue }
            sampled += 1
            if let k = self.scale(of: v, from: scale) { scale = k }
        }
        let ms = UnsafeMutablePointer<Int64>.allocate(capacity: n)
        defer { ms.deallocate() }
        // 0 packed, 1 null, 2 exception
        let kinds = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        defer { kinds.deallocate() }
        var misfitScales: [Int] = []  // the scale the first misfits need (maxScale + 1: none)
        func pass(_ k: Int) -> (exceptions: Int, nulls: Int, lo: Int64, hi: Int64) {
            let p = powersOfTen[k]
            var exceptions = 0, nulls = 0
            var lo = Int64.max, hi = Int64.min
            var m = 0.0
            for i in 0..<n {
                let b = values[i]
                let v = Double(bitPattern: b)
                if v.isFinite && fits(v, p, &m) {
                    let mi = Int64(m)
                    ms[i] = mi
                    kinds[i] = 0
                    if mi < lo { lo = mi }
                    if mi > hi { hi = mi }
                } else if b == nullBits {
                    kinds[i] = 1
                    nulls += 1
                } else {
                    kinds[i] = 2
                    exceptions += 1
                    if v.isFinite && misfitScales.count < 64 {
                        misfitScales.append(k < maxScale ? (self.scale(of: v, from: k + 1) ?? maxScale + 1) : maxScale + 1)
                    }
                }
            }
            return (exceptions, nulls, lo, hi)
        }
        var result = pass(scale)
        if result.exceptions > budget {
            // Many values need more decimals: the smallest larger scale that most of the
            // misfits seen fit, then one more pass (or raw).
            guard !misfitScales.isEmpty else { return storeRaw(values, into: &out) }
            let sorted = misfitScales.sorted()
            let k = sorted[(sorted.count * 7) / 8]
            guard k <= maxScale, k > scale else { return storeRaw(values, into: &out) }
            scale = k
            result = pass(scale)
            guard result.exceptions <= budget else { return storeRaw(values, into: &out) }
        }
        let packed = n - result.exceptions - result.nulls
        let base = packed > 0 ? result.lo : 0
        let range = packed > 0 ? UInt64(bitPattern: result.hi &- result.lo) : 0
        let nullDelta: UInt64 = result.nulls > 0 ? range + 1 : ~0
        let largest = result.nulls > 0 ? range + 1 : range
        var width = 0
        while width < 8 && (largest >> UInt64(8 * width)) != 0 { width += 1 }
        let size = headerBytes + 12 * result.exceptions + width * n
        guard size < 8 * n else { return storeRaw(values, into: &out) }
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(size + 8)
        out.append(UInt8(scale))
        out.append(UInt8(width))
        appendLE(&out, UInt64(result.exceptions), bytes: 4)
        appendLE(&out, UInt64(bitPattern: base), bytes: 8)
        appendLE(&out, nullDelta, bytes: 8)
        if result.exceptions > 0 {
            for i in 0..<n where kinds[i] == 2 {
                appendLE(&out, UInt64(i), bytes: 4)
                appendLE(&out, values[i], bytes: 8)
            }
        }
        if width > 0 {
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: width * n + 8))
            out.withUnsafeMutableBytes { raw in
                let p = raw.baseAddress! + start
                for i in 0..<n {
                    let d: UInt64
                    switch kinds[i] {
                    case 0: d = UInt64(bitPattern: ms[i] &- base)
                    case 1: d = nullDelta
                    default: d = 0
                    }
                    // Little-endian, 8 bytes at a time: the next value overwrites the excess.
                    p.storeBytes(of: d.littleEndian, toByteOffset: i * width, as: UInt64.self)
                }
            }
            out.removeLast(8)
        }
        return decimal
    }

    private static func storeRaw(_ values: UnsafeBufferPointer<UInt64>, into out: inout [UInt8]) -> Int {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(8 * values.count)
        for v in values { appendLE(&out, v, bytes: 8) }
        return raw
    }

    @inline(__always)
    static func appendLE(_ out: inout [UInt8], _ v: UInt64, bytes: Int) {
        for b in 0..<bytes { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * b))) }
    }

    @inline(__always)
    static func loadLE(_ p: UnsafeRawPointer, _ offset: Int, bytes: Int) -> UInt64 {
        var v: UInt64 = 0
        for b in 0..<bytes { v |= UInt64(p.load(fromByteOffset: offset + b, as: UInt8.self)) << UInt64(8 * b) }
        return v
    }

    /// Decodes `n` values stored with `encoding` from `bytes` into `out` (their 64 bits, host
    /// order). `bytes` must be readable 8 bytes past its count (the deltas are loaded 8 bytes
    /// at a time). Returns false when the bytes cannot be such a run (damaged).
    public static func decode(_ encoding: Int, _ bytes: UnsafeRawBufferPointer, count n: Int, into out: UnsafeMutablePointer<UInt64>) -> Bool {
        guard let p = bytes.baseAddress else { return n == 0 }
        switch encoding {
        case raw:
            guard bytes.count == 8 * n else { return false }
            for i in 0..<n { out[i] = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) }
            return true
        case decimal:
            guard bytes.count >= headerBytes else { return false }
            let k = Int(p.load(fromByteOffset: 0, as: UInt8.self))
            let width = Int(p.load(fromByteOffset: 1, as: UInt8.self))
            let e = Int(loadLE(p, 2, bytes: 4))
            let base = Int64(bitPattern: loadLE(p, 6, bytes: 8))
            let nullDelta = loadLE(p, 14, bytes: 8)
            guard k <= maxScale, width <= 8, e <= n, bytes.count == headerBytes + 12 * e + width * n else { return false }
            let scale = powersOfTen[k]
            let deltas = p + headerBytes + 12 * e
            if width == 0 {
                let v = (Double(base) / scale).bitPattern
                for i in 0..<n { out[i] = v }
            } else {
                let mask: UInt64 = width == 8 ? ~0 : (1 << UInt64(8 * width)) - 1
                for i in 0..<n {
                    let d = UInt64(littleEndian: deltas.loadUnaligned(fromByteOffset: i * width, as: UInt64.self)) & mask
                    out[i] = d == nullDelta ? nullBits : (Double(base &+ Int64(bitPattern: d)) / scale).bitPattern
                }
            }
            for j in 0..<e {
                let row = Int(loadLE(p, headerBytes + 12 * j, bytes: 4))
                guard row < n else { return false }
                out[row] = loadLE(p, headerBytes + 12 * j + 4, bytes: 8)
            }
            return true
        case sortedDeltas:
            return decodeSorted(bytes, count: n, into: out)
        default:
            return false
        }
    }
}

// MARK: - Sorted runs: deltas, bit-packed

extension PackedNumbers {
    /// How a sorted run is stored (`sortedColumnPacked.encoding` 2, migration
    /// `v5-issue13-sorted-deltas`).
    public static let sortedDeltas: Int = 2

    static let sortedHeaderBytes = 18
    /// Widest delta slot: a slot is read with one 8-byte load at any bit offset within a byte.
    static let maxDeltaBits = 57

    /// Encodes the ascending finite numbers `values` (a sorted-column cache entry, as bit
    /// patterns) into `out` and returns the encoding: `sortedDeltas` when it is the smallest,
    /// else what `encode` gives (`decimal` or `raw`).
    ///
    /// Like `decimal`, one decimal scale `k` for the run; each value that fits it is the integer
    /// `m` with `value = m / 10^k`, and since the run is sorted, consecutive `m` differ by small
    /// non-negative steps. Each step is stored in `b` bits; a step of `2^b − 1` or more writes
    /// the escape `2^b − 1` and takes the step from a list of 8-byte steps. Values that do not fit
    /// the scale (and −0.0) are exceptions with their 64 bits and take no step. Every value is
    /// decoded back while encoding and compared bit for bit; any difference falls back to
    /// `encode`, so the run always decodes to exactly `values`.
    ///
    /// Layout (integers little-endian): `k` (1 byte), `b` (1, 1…57), exceptions `e` (UInt32),
    /// escaped steps `o` (UInt32), the first packed value's `m` (Int64); then `e` × (row UInt32,
    /// bits UInt64); `o` × step (UInt64); then the steps of the `n − e` packed values, `b` bits
    /// each, least significant bit first (the first packed value's step, from itself, is 0).
    public static func encodeSorted(_ values: UnsafeBufferPointer<UInt64>, into out: inout [UInt8]) -> Int {
        let fallback = encode(values, into: &out)
        let n = values.count
        guard n > 1, n <= Int(UInt32.max) else { return fallback }
        // The scale: the smallest that fits most values (as `encode` finds it, from a sample).
        var scale = 0
        var sampled = 0, i = 0
        while i < n && sampled < 64 {
            let v = Double(bitPattern: values[i])
            i += 1
            guard v.isFinite else { continue }
            sampled += 1
            if let k = self.scale(of: v, from: scale) { scale = k }
        }
        let budget = max(4, n / 32)
        var steps: [UInt64] = []
        var exceptions: [Int] = []
        var first: Int64 = 0
        func pass(_ k: Int) -> [Int] {
            let p = powersOfTen[k]
            steps.removeAll(keepingCapacity: true)
            steps.reserveCapacity(n)
            var misfits: [Int] = []
            var previous: Int64?
            var m = 0.0
            for i in 0..<n {
                let v = Double(bitPattern: values[i])
                if v.isFinite && fits(v, p, &m) {
                    let mi = Int64(m)
                    if let previous { steps.append(UInt64(bitPattern: mi &- previous)) } else { first = mi; steps.append(0) }
                    previous = mi
                } else {
                    misfits.append(i)
                    if misfits.count > budget { return misfits }
                }
            }
            return misfits
        }
        exceptions = pass(scale)
        if exceptions.count > budget {
            var needed: [Int] = []
            for r in exceptions.prefix(64) {
                let v = Double(bitPattern: values[r])
                if v.isFinite { needed.append(scale < maxScale ? (self.scale(of: v, from: scale + 1) ?? maxScale + 1) : maxScale + 1) }
            }
            guard !needed.isEmpty else { return fallback }
            let k = needed.sorted()[(needed.count * 7) / 8]
            guard k <= maxScale, k > scale else { return fallback }
            scale = k
            exceptions = pass(scale)
            guard exceptions.count <= budget else { return fallback }
        }
        guard !steps.isEmpty else { return fallback }
        // The width that makes the run smallest: steps of `bits` bits plus 8 bytes per escape.
        var longer = [Int](repeating: 0, count: 66)  // steps needing more than b bits, by b
        var allOnes = [Int](repeating: 0, count: 66)  // steps equal to 2^b - 1, by b
        for s in steps {
            let length = 64 - s.leadingZeroBitCount
            longer[length] += 1
            if s != 0 && (s & (s &+ 1)) == 0 { allOnes[length] += 1 }
        }
        // above[b] = steps with more than b bits
        var above = [Int](repeating: 0, count: 66)
        for b in stride(from: 64, through: 0, by: -1) { above[b] = above[b + 1] + longer[b + 1] }
        var bestBits = 1, bestSize = Int.max
        for b in 1...maxDeltaBits {
            let escapes = above[b] + allOnes[b]
            let size = sortedHeaderBytes + 12 * exceptions.count + 8 * escapes + (b * steps.count + 7) / 8
            if size < bestSize { bestSize = size; bestBits = b }
        }
        guard bestSize < fallbackSize(fallback, out, n) else { return fallback }
        let b = bestBits
        let escape: UInt64 = (1 << UInt64(b)) - 1
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bestSize + 8)
        encoded.append(UInt8(scale))
        encoded.append(UInt8(b))
        appendLE(&encoded, UInt64(exceptions.count), bytes: 4)
        let escaped = steps.filter { $0 >= escape }
        appendLE(&encoded, UInt64(escaped.count), bytes: 4)
        appendLE(&encoded, UInt64(bitPattern: first), bytes: 8)
        for r in exceptions {
            appendLE(&encoded, UInt64(r), bytes: 4)
            appendLE(&encoded, values[r], bytes: 8)
        }
        for s in escaped { appendLE(&encoded, s, bytes: 8) }
        let start = encoded.count
        encoded.append(contentsOf: repeatElement(0, count: (b * steps.count + 7) / 8 + 8))
        encoded.withUnsafeMutableBytes { raw in
            let p = raw.baseAddress! + start
            for (j, s) in steps.enumerated() {
                let bit = j * b
                let slot = p + (bit >> 3)
                let word = UInt64(littleEndian: slot.loadUnaligned(as: UInt64.self)) | (min(s, escape) << UInt64(bit & 7))
                slot.storeBytes(of: word.littleEndian, as: UInt64.self)
            }
        }
        encoded.removeLast(8)
        // Decode while encoding: anything but the very same bits falls back.
        let check = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer { check.deallocate() }
        encoded.append(contentsOf: repeatElement(0, count: 8))
        let same = encoded.withUnsafeBytes { raw in
            decode(sortedDeltas, UnsafeRawBufferPointer(start: raw.baseAddress, count: raw.count - 8), count: n, into: check)
        } && (0..<n).allSatisfy { check[$0] == values[$0] }
        encoded.removeLast(8)
        guard same else { return fallback }
        out = encoded
        return sortedDeltas
    }

    private static func fallbackSize(_ encoding: Int, _ bytes: [UInt8], _ n: Int) -> Int {
        encoding == raw ? 8 * n : bytes.count
    }

    /// Decodes a `sortedDeltas` run (see `encodeSorted`); `bytes` readable 8 bytes past its count.
    static func decodeSorted(_ bytes: UnsafeRawBufferPointer, count n: Int, into out: UnsafeMutablePointer<UInt64>) -> Bool {
        guard let p = bytes.baseAddress, bytes.count >= sortedHeaderBytes else { return n == 0 && bytes.count == 0 }
        let k = Int(p.load(fromByteOffset: 0, as: UInt8.self))
        let b = Int(p.load(fromByteOffset: 1, as: UInt8.self))
        let e = Int(loadLE(p, 2, bytes: 4))
        let o = Int(loadLE(p, 6, bytes: 4))
        let first = Int64(bitPattern: loadLE(p, 10, bytes: 8))
        guard k <= maxScale, b >= 1, b <= maxDeltaBits, e <= n, o <= n - e,
            bytes.count == sortedHeaderBytes + 12 * e + 8 * o + (b * (n - e) + 7) / 8
        else { return false }
        let scale = powersOfTen[k]
        let escapes = sortedHeaderBytes + 12 * e
        let slots = p + escapes + 8 * o
        let escape: UInt64 = (1 << UInt64(b)) - 1
        var nextException = 0
        var nextRow = e > 0 ? Int(loadLE(p, sortedHeaderBytes, bytes: 4)) : n
        var nextEscape = 0
        var m = first
        var j = 0
        for i in 0..<n {
            if i == nextRow {
                out[i] = loadLE(p, sortedHeaderBytes + 12 * nextException + 4, bytes: 8)
                nextException += 1
                if nextException < e {
                    let row = Int(loadLE(p, sortedHeaderBytes + 12 * nextException, bytes: 4))
                    guard row > nextRow, row < n else { return false }
                    nextRow = row
                } else {
                    nextRow = n
                }
                continue
            }
            let bit = j * b
            var s = (UInt64(littleEndian: (slots + (bit >> 3)).loadUnaligned(as: UInt64.self)) >> UInt64(bit & 7)) & escape
            if s == escape {
                guard nextEscape < o else { return false }
                s = loadLE(p, escapes + 8 * nextEscape, bytes: 8)
                nextEscape += 1
            }
            m = m &+ Int64(bitPattern: s)
            out[i] = (Double(m) / scale).bitPattern
            j += 1
        }
        return nextException == e && nextEscape == o && j == n - e
    }
}
