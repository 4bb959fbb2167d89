import AuditModel
import Foundation
import Warehouse

/// A bounded hand-off of batches between the parser thread and the writer thread.
///
/// A fixed set of batches circulates: the parser takes a free one, fills it and sends it; the
/// writer receives it, inserts it and gives it back. Memory is bounded by the number of
/// batches, whatever the file size.
final class BatchChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: [RowBatch]
    private var full: [RowBatch] = []
    private var outcome: Result<LoadResult, any Error>?
    private var cancelled = false
    /// When set, `send` hands the batch to this writer at once, on the parser's own thread
    /// (small inputs: no second thread to start and wake).
    private let inline: ((RowBatch) throws -> Void)?

    init(batches: Int, columns: Int, inline: ((RowBatch) throws -> Void)? = nil) {
        free = (0..<batches).map { _ in RowBatch(columns: columns) }
        self.inline = inline
    }

    struct Cancelled: Error {}

    /// A free batch (reset), waiting for the writer to return one.
    ///
    /// - Throws: `Cancelled` once the writer has given up.
    func takeFree() throws -> RowBatch {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty, !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        let b = free.removeLast()
        b.reset()
        return b
    }

    func send(_ batch: RowBatch) throws {
        if let inline {
            try inline(batch)
            recycle(batch)
            return
        }
        condition.lock()
        full.append(batch)
        condition.signal()
        condition.unlock()
    }

    /// The parser is done (with its result or its error).
    func finish(_ result: Result<LoadResult, any Error>) {
        condition.lock()
        outcome = result
        condition.broadcast()
        condition.unlock()
    }

    enum Message {
        case batch(RowBatch)
        case done(Result<LoadResult, any Error>)
    }

    /// The next full batch, or the parser's outcome once every batch has been received.
    func receive() -> Message {
        condition.lock()
        defer { condition.unlock() }
        while full.isEmpty, outcome == nil { condition.wait() }
        if !full.isEmpty { return .batch(full.removeFirst()) }
        return .done(outcome!)
    }

    func recycle(_ batch: RowBatch) {
        condition.lock()
        free.append(batch)
        condition.signal()
        condition.unlock()
    }

    /// The writer failed: wake the parser so it stops.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Where the writer thread puts batches.
protocol BatchSink {
    func write(_ batch: RowBatch) throws
}

/// Inserts typed rows into a pipeline's row table (in groups of rows per statement),
/// quarantined rows into `quarantinedRow`, and the values of numeric, integer and boolean
/// columns into their columnar copy (`numericColumn`, in chunks; `finish()` writes the last).
struct RowTableSink: BatchSink {
    let store: Store
    let inserter: GroupedRowInserter
    let copy: NumericColumnWriter?
    let snapshotId: Int64

    init(store: Store, table: RowTable, snapshotId: Int64, copyChunkRows: Int? = nil) throws {
        self.store = store
        self.snapshotId = snapshotId
        inserter = try store.groupedRowInserter(table, snapshotId: snapshotId)
        copy = try store.numericColumnWriter(table, snapshotId: snapshotId, chunkRows: copyChunkRows)
    }

    /// Writes what the columnar copy still holds; call after the last batch.
    func finish() throws { try copy?.finish() }

    func write(_ batch: RowBatch) throws {
        try insertRows(batch)
        if let copy { try append(batch, to: copy) }
        if !batch.quarantined.isEmpty { try store.insertQuarantined(snapshotId: snapshotId, batch.quarantined) }
        // Crash-safety tests kill the process after the N-th inserted row (in batch steps).
        if FaultInjection.isArmed { for _ in 0..<batch.rows { FaultInjection.point("ingest-row") } }
    }

    /// The batch's values of the copied columns, column by column, as the row table gives them
    /// back (`NumericColumnEncoding`).
    private func append(_ batch: RowBatch, to copy: NumericColumnWriter) throws {
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
                    case SlotKind.double.rawValue:
                        out[i] = NumericColumnEncoding.bits(Double(bitPattern: UInt64(bitPattern: payloads[s])))
                    case SlotKind.integer.rawValue: out[i] = NumericColumnEncoding.bits(payloads[s])
                    case SlotKind.nan.rawValue: out[i] = nan
                    case SlotKind.text.rawValue:
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

    private func insertRows(_ batch: RowBatch) throws {
        let group = inserter.rowsPerGroup
        var r = 0
        while r + group <= batch.rows {
            try inserter.prepareGroup()
            for k in 0..<group {
                inserter.row(k)
                bind(batch, row: r + k)
            }
            try inserter.insertGroup()
            r += group
        }
        while r < batch.rows {
            inserter.single()
            bind(batch, row: r)
            try inserter.insertSingle()
            r += 1
        }
    }

    @inline(__always) private func bind(_ batch: RowBatch, row r: Int) {
        let columns = batch.columns
        let kinds = batch.kinds, payloads = batch.payloads, lengths = batch.lengths
        let base = r * columns
        for j in 0..<columns {
            let s = base + j
            switch kinds[s] {
            case SlotKind.integer.rawValue: inserter.bind(j, int: payloads[s])
            case SlotKind.double.rawValue: inserter.bind(j, double: Double(bitPattern: UInt64(bitPattern: payloads[s])))
            case SlotKind.text.rawValue: inserter.bindNoCopy(j, text: batch.text(offset: payloads[s], length: lengths[s]))
            case SlotKind.nan.rawValue: inserter.bind(j, double: .nan)
            default: inserter.bindNull(j)
            }
        }
        let extraOffset = batch.extraOffsets[r]
        inserter.bindLine(
            batch.lines[r], extra: extraOffset < 0 ? nil : batch.text(offset: Int64(extraOffset), length: batch.extraLengths[r]))
    }
}

/// Progress of a load as the writer sees it.
struct LoadProgress {
    var rows: Int
    var fileBytesDone: Int
}

/// Runs a load: the parser on its own thread, the writer (the caller, which holds the
/// warehouse transaction) inserting what it hands over. Parsing and inserting overlap on two
/// cores; at most `batches` batches exist at a time.
///
/// - Throws: the parser's error (unreadable file, file changed while read) or the sink's
///   (warehouse); the caller's transaction then rolls back, so nothing is half-ingested.
func runLoad(_ plan: LoadPlan, sink: some BatchSink, batches: Int = 4, progress: ((LoadProgress) -> Void)? = nil) throws
    -> LoadResult
{
    let partSizes = plan.parts.files.map { fileSize($0) }
    var rows = 0
    var bytesBefore = 0
    var lastPart = 0
    /// Writes one batch and reports progress (bytes: whole parts before the batch's part, plus
    /// what the parser had read of that part when it sent the batch).
    func write(_ b: RowBatch) throws {
        try sink.write(b)
        rows += b.rows + b.quarantined.count
        if b.partIndex != lastPart {
            bytesBefore += partSizes[lastPart..<b.partIndex].reduce(0, +)
            lastPart = b.partIndex
        }
        progress?(LoadProgress(rows: rows, fileBytesDone: bytesBefore + b.fileBytesDone))
    }

    if partSizes.reduce(0, +) <= inlineLoadBytes {
        return try withoutActuallyEscaping(write) { write in
            let channel = BatchChannel(batches: 1, columns: plan.declared.count, inline: write)
            return try SnapshotProducer(plan: plan, channel: channel).run()
        }
    }

    let channel = BatchChannel(batches: batches, columns: plan.declared.count)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        let outcome = Result<LoadResult, any Error> {
            let producer = try SnapshotProducer(plan: plan, channel: channel)
            return try producer.run()
        }
        channel.finish(outcome)
        done.signal()
    }
    thread.stackSize = 8 << 20
    thread.name = "mlaudit-ingest-parser"
    thread.start()
    defer {
        channel.cancel()
        done.wait()
    }
    while true {
        switch channel.receive() {
        case .batch(let b):
            defer { channel.recycle(b) }
            try write(b)
        case .done(let result):
            return try result.get()
        }
    }
}

/// Inputs up to this size (on disk) are parsed and written on one thread.
let inlineLoadBytes = 1 << 20

/// Size of a file on disk (0 when it cannot be read).
func fileSize(_ path: String) -> Int {
    var st = stat()
    return stat(path, &st) == 0 ? Int(st.st_size) : 0
}
