import AuditModel
import Foundation

/// How many columns of a snapshot a stage holds in memory at once (docs/scaling.md, "Memory").
///
/// Validate and profile read a snapshot's numeric columns a group at a time instead of all at
/// once: columns with a columnar copy (read from their blobs, 9 bytes per row: value and null
/// flag) in groups of at most `numericBytes`, numbers without a copy from the row records in
/// scans within `rowScanBytes`; their text columns in one scan as values with counts
/// (`readTextColumns`). Groups of text columns (whole columns with codes, `readColumns`) are
/// still made for the duplicate-row check's confirmation and for other callers: the columns
/// read from the row records split only when their estimate passes `rowScanBytes` (each extra
/// group is another scan of the rows). The estimate of a text
/// column is what its dictionary-encoded read costs while the two halves of a parallel read are
/// joined: codes and dictionary of a column whose values are mostly distinct (an id, a
/// timestamp) about 64 bytes per row, of a categorical column 16.
public enum ColumnGroups {
    /// Budget of a group of numeric columns read from their columnar copies.
    public static let numericBytes = 64 << 20
    /// Budget of one scan of the row records.
    public static let rowScanBytes = 256 << 20

    /// Estimated bytes per row while a column is read (`readColumns`).
    public static func bytesPerRow(_ c: DeclaredColumn, copied: Bool) -> Int {
        if c.type.isNumeric || c.type == .boolean { return copied ? 9 : 18 }
        if c.role == .id || c.type == .datetime || c.type == .text { return 64 }
        return 16
    }

    /// Consecutive slices of `items` whose sizes add up to at most `budget` (an item over the
    /// budget alone in its slice).
    public static func split<T>(_ items: [T], size: (T) -> Int, budget: Int) -> [[T]] {
        var out: [[T]] = []
        var current: [T] = []
        var used = 0
        for item in items {
            let s = size(item)
            if !current.isEmpty, used + s > budget {
                out.append(current)
                current = []
                used = 0
            }
            current.append(item)
            used += s
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}

extension Store {
    /// The columns `names` of a snapshot in groups to read one after another (`ColumnGroups`):
    /// first the groups of numeric columns read from their columnar copies, then the columns read
    /// from the row records (last, so that the next stage can take them over: `handOffColumns`).
    /// Every name is in exactly one group; within a group, names keep their order in `names`.
    public func columnGroups(
        _ table: RowTable, snapshotId: Int64, columns names: [String],
        numericBudget: Int = ColumnGroups.numericBytes, rowScanBudget: Int = ColumnGroups.rowScanBytes
    ) throws -> [[String]] {
        guard let bounds = try rowBounds(table, snapshotId: snapshotId) else { return names.isEmpty ? [] : [names] }
        let rows = max(bounds.count, 1)
        let copied = Set(try numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count).keys)
        func column(_ name: String) -> DeclaredColumn? { table.columns.first { $0.name == name } }
        func size(_ name: String) -> Int {
            guard let c = column(name) else { return 16 * rows }
            return ColumnGroups.bytesPerRow(c, copied: copied.contains(name)) * rows
        }
        let fromCopy = names.filter { copied.contains($0) }
        let fromRows = names.filter { !copied.contains($0) }
        return ColumnGroups.split(fromCopy, size: size, budget: numericBudget)
            + ColumnGroups.split(fromRows, size: size, budget: rowScanBudget)
    }
}
