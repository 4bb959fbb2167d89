import AuditModel

/// A text column read as one 64-bit hash per value instead of its values (`readTextColumns`'s
/// `hashed`): for a column of (nearly) distinct values, the id, whose counting dictionary costs
/// about 150 bytes a row while the two halves of a read are joined (1.2 GB for a 10M-row day),
/// 8 bytes a row while it is read. Exact all the same: the values whose hash another value shares
/// (a repeated value, or two values with one hash) are read again and counted by value.
public struct HashedText: Sendable, Equatable {
    /// Rows read (values and nulls).
    public var rows: Int
    public var nullCount: Int
    /// Distinct non-null values (distinct byte strings).
    public var distinct: Int
    /// The values on more than one row with their counts, in order of first appearance.
    public var repeated: [ValueCount]
    /// Lengths of the non-null values in Unicode scalars (UTF-8 bytes that do not continue a
    /// sequence): the least, the greatest (nil without values) and their sum.
    public var minLength: Int?
    public var maxLength: Int?
    public var totalLength: Int

    public init(rows: Int, nullCount: Int, distinct: Int, repeated: [ValueCount], minLength: Int?, maxLength: Int?, totalLength: Int) {
        self.rows = rows
        self.nullCount = nullCount
        self.distinct = distinct
        self.repeated = repeated
        self.minLength = minLength
        self.maxLength = maxLength
        self.totalLength = totalLength
    }

    /// The same facts from a column's values with their counts (a backend that reads whole
    /// columns; the reference in tests).
    public init(_ s: LabelSummary) {
        var distinct = 0, minL = Int.max, maxL = 0, total = 0
        var repeated: [ValueCount] = []
        for (k, v) in s.dictionary.enumerated() where s.counts[k] > 0 {
            distinct += 1
            if s.counts[k] > 1 { repeated.append(ValueCount(value: v, count: s.counts[k])) }
            var u = v
            let len = u.withUTF8 { HashPart.scalarCount(UnsafeRawPointer($0.baseAddress), $0.count) }
            minL = min(minL, len)
            maxL = max(maxL, len)
            total += len * s.counts[k]
        }
        self.init(
            rows: s.rows, nullCount: s.nullCount, distinct: distinct, repeated: repeated,
            minLength: distinct > 0 ? minL : nil, maxLength: distinct > 0 ? maxL : nil, totalLength: total)
    }

    /// Non-null values.
    public var count: Int { rows - nullCount }
}

extension DeclaredColumn {
    /// Whether validate and profile read the column as hashes (`HashedText`): the id, whose
    /// checks (nulls, repeated ids) and profile (distinct values, lengths) need no dictionary.
    public var isReadAsHashes: Bool { role == .id && type == .text && feature == nil }
}

/// How `readTextColumns` reads one column.
enum TextMode: Sendable {
    /// A counting dictionary (`LabelSummary`).
    case counted
    /// A hash per value (`HashedText`).
    case hashed
    /// A counting dictionary of the values whose hash (masked) is in the set only: the second
    /// read of a hashed column, confirming the hashes two rows share.
    case confirm(Set<UInt64>)
}

/// One part's hashes of a hashed column, with the lengths of its values (manually managed,
/// as `TextPart`'s buffers).
struct HashPart {
    let buffer: UnsafeMutablePointer<UInt64>
    private(set) var count = 0
    private(set) var minLength = Int.max
    private(set) var maxLength = 0
    private(set) var totalLength = 0

    init(capacity: Int) { buffer = .allocate(capacity: max(1, capacity)) }

    @inline(__always) mutating func add(_ h: UInt64, _ p: UnsafeRawPointer?, _ n: Int) {
        buffer[count] = h
        count += 1
        let len = Self.scalarCount(p, n)
        minLength = min(minLength, len)
        maxLength = max(maxLength, len)
        totalLength += len
    }

    /// Unicode scalars in `n` bytes of UTF-8 at `p`: the bytes that do not continue a sequence.
    @inline(__always) static func scalarCount(_ p: UnsafeRawPointer?, _ n: Int) -> Int {
        guard let p else { return 0 }
        let b = p.assumingMemoryBound(to: UInt8.self)
        var len = 0
        for i in 0..<n where b[i] & 0xC0 != 0x80 { len += 1 }
        return len
    }

    /// Sorts the hashes (each part on its own thread, after its read).
    func sort() {
        var all = UnsafeMutableBufferPointer(start: buffer, count: count)
        all.sort()
    }

    func free() { buffer.deallocate() }

    /// The column's facts from the parts' sorted hashes: distinct hashes, and the hashes on more
    /// than one row (to confirm by value: `HashedText.confirmed`).
    static func join(_ parts: [HashPart], rows: Int, nulls: Int) -> (text: HashedText, shared: Set<UInt64>) {
        var heads = [Int](repeating: 0, count: parts.count)
        var distinct = 0
        var shared = Set<UInt64>()
        var last: UInt64 = 0, run = 0
        while true {
            // The least head of the parts (two parts: a merge).
            var pick = -1
            for (j, p) in parts.enumerated() where heads[j] < p.count {
                if pick < 0 || p.buffer[heads[j]] < parts[pick].buffer[heads[pick]] { pick = j }
            }
            if pick < 0 { break }
            let h = parts[pick].buffer[heads[pick]]
            heads[pick] += 1
            if run > 0 && h == last {
                run += 1
                if run == 2 { shared.insert(h) }
            } else {
                distinct += 1
                last = h
                run = 1
            }
        }
        let values = parts.reduce(0) { $0 + $1.count }
        let text = HashedText(
            rows: rows, nullCount: nulls, distinct: distinct, repeated: [],
            minLength: values > 0 ? parts.map(\.minLength).min() : nil, maxLength: values > 0 ? parts.map(\.maxLength).max() : nil,
            totalLength: parts.reduce(0) { $0 + $1.totalLength })
        return (text, shared)
    }
}

extension HashedText {
    /// The exact facts once the values whose hash is in `shared` were counted by value
    /// (`values`): each shared hash counted one distinct value; it stands for as many as the
    /// values that have it.
    func confirmed(shared: Int, values: LabelSummary) -> HashedText {
        var out = self
        var found = 0
        out.repeated = []
        for (k, v) in values.dictionary.enumerated() where values.counts[k] > 0 {
            found += 1
            if values.counts[k] > 1 { out.repeated.append(ValueCount(value: v, count: values.counts[k])) }
        }
        out.distinct = distinct - shared + found
        return out
    }
}
