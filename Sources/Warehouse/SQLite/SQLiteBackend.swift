import AuditModel
import Foundation

// The SQLite implementation of the storage seam (WarehouseSeam.swift): `Warehouse` is the
// backend, `Store` the transaction handle, `SQLiteRowWriter` the batch row writer, and
// `PipelineLock` (an flock beside the file) the lease.

extension Store: WarehouseTransaction {}

extension Warehouse: WarehouseBackend {
    public var location: String { path }
}

extension PipelineLock: PipelineLease {}

extension Store {
    /// SQLite's TEXT holds any bytes, NUL included.
    public var textHoldsNUL: Bool { true }

    /// A writer of one snapshot's rows through the grouped raw-binding inserter, with the
    /// columnar copy of its numbers (see `SQLiteRowWriter`).
    public func rowWriter(_ table: RowTable, snapshotId: Int64) throws -> any RowWriter {
        try SQLiteRowWriter(store: self, table: table, snapshotId: snapshotId)
    }
}

/// Inserts typed rows into a pipeline's row table in groups of rows per statement
/// (`GroupedRowInserter`), and the values of numeric, integer and boolean columns into their
/// columnar copy (`NumericColumnWriter`, in chunks; `finish()` writes the last).
///
/// Its loops run per value over concrete types: the seam's dispatch happens once per batch.
public final class SQLiteRowWriter: RowWriter {
    let inserter: GroupedRowInserter
    let copy: NumericColumnWriter?
    let store: Store
    let table: RowTable
    let snapshotId: Int64
    /// The table's largest rowid before the first insert: the snapshot's rows follow it.
    let highWater: Int64
    /// Rows inserted so far.
    private var rows = 0

    /// Group statements between two flushes of the page cache: about 2 000 rows of the
    /// benchmark's 27 SQL columns, fewer for wider rows (aiming at a few hundred KiB of pages
    /// between flushes, well below SQLite's default page cache of 2 000 KiB).
    let flushEveryGroups: Int

    public init(store: Store, table: RowTable, snapshotId: Int64, copyChunkRows: Int? = nil) throws {
        inserter = try store.groupedRowInserter(table, snapshotId: snapshotId)
        flushEveryGroups = max(1, 55_000 / (table.columns.count + 3) / inserter.rowsPerGroup)
        copy = try store.numericColumnWriter(table, snapshotId: snapshotId, chunkRows: copyChunkRows)
        self.store = store
        self.table = table
        self.snapshotId = snapshotId
        highWater = try store.rowidHighWater(table)
    }

    /// Writes the last chunk of the columnar copy, and the snapshot's rowid range into its
    /// catalog record (same transaction as the rows).
    public func finish() throws {
        try copy?.finish()
        try store.recordRowRange(table, snapshotId: snapshotId, after: highWater, rows: rows)
    }

    public func write(_ batch: TypedRowSlots) throws {
        try insertRows(batch)
        rows += batch.rows
        if let copy { try append(batch, to: copy) }
        // The copy's chunks (up to 32 MiB of blobs) leave the cache full of dirty pages: spill
        // them now, so that the next batch's first statements do not (see `flushCache`).
        try inserter.flushCache()
    }

    /// The batch's values of the copied columns, column by column, as the row table gives them
    /// back (`NumericColumnEncoding`).
    private func append(_ batch: TypedRowSlots, to copy: NumericColumnWriter) throws {
        let columns = batch.columns
        let kinds = batch.kinds, payloads = batch.payloads
        let null = NumericColumnEncoding.null, nan = NumericColumnEncoding.nan
        var r = 0
        while r < batch.rows {
            let n = min(copy.room, batch.rows - r)
            for (k, j) in copy.columns.enumerated() {
                let out = copy.slots(k)
                var s = r * columns + j
                for i in 0..<n {
                    switch kinds[s] {
                    case RowSlotKind.double.rawValue:
                        out[i] = NumericColumnEncoding.bits(Double(bitPattern: UInt64(bitPattern: payloads[s])))
                    case RowSlotKind.integer.rawValue: out[i] = NumericColumnEncoding.bits(payloads[s])
                    case RowSlotKind.nan.rawValue: out[i] = nan
                    case RowSlotKind.text.rawValue:
                        // Typing never puts text in a numeric column; were it to, the row keeps
                        // what SQLite makes of it and the column is read from the rows.
                        copy.invalidate(k)
                        out[i] = null
                    default: out[i] = null
                    }
                    s += columns
                }
            }
            try copy.advance(n)
            r += n
        }
    }

    private func insertRows(_ batch: TypedRowSlots) throws {
        let group = inserter.rowsPerGroup
        var r = 0
        var groups = 0
        while r + group <= batch.rows {
            try inserter.prepareGroup()
            for k in 0..<group {
                inserter.row(k)
                bind(batch, row: r + k)
            }
            try inserter.insertGroup()
            r += group
            groups += 1
            // Spill the page cache between statements, before it is full (see `flushCache`).
            if groups % flushEveryGroups == 0 { try inserter.flushCache() }
        }
        while r < batch.rows {
            inserter.single()
            bind(batch, row: r)
            try inserter.insertSingle()
            r += 1
        }
    }

    @inline(__always) private func bind(_ batch: TypedRowSlots, row r: Int) {
        let columns = batch.columns
        let kinds = batch.kinds, payloads = batch.payloads, lengths = batch.lengths
        let base = r * columns
        for j in 0..<columns {
            let s = base + j
            switch kinds[s] {
            case RowSlotKind.integer.rawValue: inserter.bind(j, int: payloads[s])
            case RowSlotKind.double.rawValue: inserter.bind(j, double: Double(bitPattern: UInt64(bitPattern: payloads[s])))
            case RowSlotKind.text.rawValue: inserter.bindNoCopy(j, text: batch.text(offset: payloads[s], length: lengths[s]))
            case RowSlotKind.nan.rawValue: inserter.bind(j, double: .nan)
            default: inserter.bindNull(j)
            }
        }
        let extraOffset = batch.extraOffsets[r]
        inserter.bindLine(
            batch.lines[r], extra: extraOffset < 0 ? nil : batch.text(offset: Int64(extraOffset), length: batch.extraLengths[r]))
    }
}
