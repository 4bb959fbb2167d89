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
    private static func appendLE(_ out: inout [UInt8], _ v: UInt64, bytes: Int) {
        for b in 0..<bytes { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * b))) }
    }

    @inline(__always)
    private static func loadLE(_ p: UnsafeRawPointer, _ offset: Int, bytes: Int) -> UInt64 {
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
        default:
            return false
        }
    }
}
