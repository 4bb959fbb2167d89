import AuditModel
import Foundation
import GRDB
import GRDBSQLite

/// The columns one stage read, handed to the next stage of the same process that reads the same
/// columns of the same snapshot (validate reads every declared column of a snapshot, then the
/// profile stage reads them again): one read of the rows instead of two.
///
/// Only committed rows of one snapshot are handed over, and a snapshot's rows never change
/// (a new version of a file is a new snapshot; retention purges rows, which the stages check
/// before reading). One hand-off at a time: the next read of any columns takes it or drops
/// it, so at most one snapshot's columns wait in memory, and never past the next read.
final class ColumnHandoff: @unchecked Sendable {
    static let shared = ColumnHandoff()
    private let lock = NSLock()
    private var key: String?
    private var columns: [String: ColumnData] = [:]
    /// Or text columns as `readTextColumns` returned them.
    private var text: TextColumns?

    static func key(path: String, snapshotId: Int64, bounds: (range: ClosedRange<Int64>, count: Int)) -> String {
        "\(path)#\(snapshotId)#\(bounds.range.lowerBound)-\(bounds.range.upperBound)#\(bounds.count)"
    }

    func put(_ key: String, _ columns: [String: ColumnData]) {
        lock.lock()
        defer { lock.unlock() }
        self.key = key
        self.columns = columns
        text = nil
    }

    func putText(_ key: String, _ text: TextColumns) {
        lock.lock()
        defer { lock.unlock() }
        self.key = key
        columns = [:]
        self.text = text
    }

    /// The handed-over text columns `names` (with the codes of `keep`, row keys when `rowKeys`,
    /// and those of `hashed` as hashes) when they are all there for `key`; the hand-off is
    /// emptied either way.
    func takeText(_ key: String, _ names: [String], codes keep: [String], rowKeys: Bool, hashed: [String] = []) -> TextColumns? {
        lock.lock()
        defer { lock.unlock() }
        guard self.key != nil else { return nil }
        var found: TextColumns?
        if self.key == key, let text,
            names.allSatisfy({ hashed.contains($0) && !keep.contains($0) ? text.hashed[$0] != nil : text.summaries[$0] != nil }),
            keep.allSatisfy({ text.codes[$0] != nil }),
            !rowKeys || (text.summaries.values.allSatisfy({ $0.rows == text.rowKeys.count })
                && text.hashed.values.allSatisfy({ $0.rows == text.rowKeys.count }))
        {
            found = TextColumns(
                summaries: text.summaries.filter { names.contains($0.key) }, codes: text.codes.filter { keep.contains($0.key) },
                rowKeys: rowKeys ? text.rowKeys : [], hashed: text.hashed.filter { names.contains($0.key) })
        }
        self.key = nil
        columns = [:]
        self.text = nil
        return found
    }

    /// The handed-over columns `names` when they are all there for `key`; the hand-off is
    /// emptied either way.
    func take(_ key: String, _ names: [String]) -> [String: ColumnData]? {
        lock.lock()
        defer { lock.unlock() }
        guard self.key != nil else { return nil }
        let found = self.key == key && names.allSatisfy { columns[$0] != nil }
            ? columns.filter { names.contains($0.key) } : nil
        self.key = nil
        columns = [:]
        text = nil
        return found
    }

    func clear() {
        lock.lock()
        defer { lock.unlock() }
        key = nil
        columns = [:]
        text = nil
    }
}

extension Store {
    /// Hands `columns`, as `readColumns` returned them for this snapshot, to the next
    /// `readColumns` of the same columns in this process (see `ColumnHandoff`).
    public func handOffColumns(_ table: RowTable, snapshotId: Int64, _ columns: [String: ColumnData]) throws {
        guard let path = mainPath, let bounds = try rowBounds(table, snapshotId: snapshotId) else { return }
        ColumnHandoff.shared.put(ColumnHandoff.key(path: path, snapshotId: snapshotId, bounds: bounds), columns)
    }

    /// Forgets columns handed over and not taken (tests; a stage that failed after handing over).
    public static func clearColumnHandoff() { ColumnHandoff.shared.clear() }

    /// The warehouse file's path ("" for an in-memory database: nil).
    var mainPath: String? {
        let path = String(cString: sqlite3_db_filename(db.sqliteConnection, "main"))
        return path.isEmpty ? nil : path
    }
}
