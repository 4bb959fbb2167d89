import Warehouse

/// Rows equal in every column to an earlier row, counted while the columns are read a group at
/// a time (docs/checks.md, `quality.duplicate_rows`): each column is folded into a running hash
/// per row (8 bytes per row), rows whose hash no other row shares are distinct, and rows that
/// share one are confirmed value by value, a group of columns at a time (`refine`). The count is
/// exact: a class of rows equal in every column counts its size minus one.
///
/// Equality per value: nulls equal nulls, NaN equals NaN, 0 equals -0, text by dictionary code.
struct DuplicateRows {
    let rows: Int
    private(set) var hashes: [UInt64]

    init(rows: Int) {
        self.rows = rows
        hashes = [UInt64](repeating: 0x243F_6A88_85A3_08D3, count: rows)
    }

    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Folds one column (`rows` values) into the row hashes.
    mutating func add(_ column: ColumnData) {
        let n = min(rows, column.count)
        hashes.withUnsafeMutableBufferPointer { h in
            switch column {
            case .numeric(let d):
                d.values.withUnsafeBufferPointer { values in
                    d.nulls.withUnsafeBufferPointer { nulls in
                        for i in 0..<n {
                            let v = values[i]
                            // Nulls, NaN, 0 and -0 each hash to one key, matching `same` below.
                            let key: UInt64 = nulls[i] ? 1 : v.isNaN ? 2 : v == 0 ? 3 : v.bitPattern
                            h[i] = Self.mix(h[i] ^ key)
                        }
                    }
                }
            case .labels(let d):
                d.codes.withUnsafeBufferPointer { codes in
                    for i in 0..<n { h[i] = Self.mix(h[i] ^ UInt64(bitPattern: Int64(codes[i]))) }
                }
            }
        }
    }

    /// Folds one key per row (`TextColumns.rowKeys`: equal values give equal keys) into the row hashes.
    mutating func add(keys: [UInt64]) {
        let n = min(rows, keys.count)
        hashes.withUnsafeMutableBufferPointer { h in
            keys.withUnsafeBufferPointer { k in
                for i in 0..<n { h[i] = Self.mix(h[i] ^ k[i]) }
            }
        }
    }

    /// The rows that share their hash with another row, as classes (one per shared hash, rows
    /// ascending); every other row is unlike all others. Usually empty.
    func candidates() -> [[Int]] {
        guard rows > 1 else { return [] }
        var sorted = hashes
        sorted.sort()
        var shared: Set<UInt64> = []
        for i in 1..<sorted.count where sorted[i] == sorted[i - 1] { shared.insert(sorted[i]) }
        guard !shared.isEmpty else { return [] }
        var classes: [UInt64: [Int]] = [:]
        var order: [UInt64] = []
        for i in 0..<rows where shared.contains(hashes[i]) {
            if classes[hashes[i]] == nil { order.append(hashes[i]) }
            classes[hashes[i], default: []].append(i)
        }
        return order.map { classes[$0]! }
    }

    /// Splits every class into classes of rows equal in `columns` (rows stay ascending; classes
    /// of one row are dropped: they have no duplicate).
    static func refine(_ classes: [[Int]], by columns: [ColumnData]) -> [[Int]] {
        func same(_ i: Int, _ j: Int) -> Bool {
            for column in columns {
                switch column {
                case .numeric(let d):
                    if d.nulls[i] != d.nulls[j] { return false }
                    if d.nulls[i] { continue }
                    let a = d.values[i], b = d.values[j]
                    if !(a == b || (a.isNaN && b.isNaN)) { return false }
                case .labels(let d):
                    if d.codes[i] != d.codes[j] { return false }
                }
            }
            return true
        }
        var out: [[Int]] = []
        for rowsOfClass in classes {
            var parts: [[Int]] = []
            for i in rowsOfClass {
                if let k = parts.firstIndex(where: { same($0[0], i) }) { parts[k].append(i) } else { parts.append([i]) }
            }
            out += parts.filter { $0.count > 1 }
        }
        return out
    }

    /// Rows that repeat an earlier row: each class of equal rows but its first.
    static func count(_ classes: [[Int]]) -> Int { classes.reduce(0) { $0 + $1.count - 1 } }
}
