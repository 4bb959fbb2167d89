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

/// Writes typed rows through the warehouse's row writer (the row table and the columnar copy
/// of its numbers, a batch per call) and quarantined rows into `quarantinedRow`.
struct RowTableSink: BatchSink {
    let store: any WarehouseTransaction
    let writer: any RowWriter
    let snapshotId: Int64

    /// - Parameter copyChunkRows: tests only: a small chunk size for SQLite's columnar copy.
    init(store: any WarehouseTransaction, table: RowTable, snapshotId: Int64, copyChunkRows: Int? = nil) throws {
        self.store = store
        self.snapshotId = snapshotId
        if let copyChunkRows, let sqlite = store as? Store {
            writer = try SQLiteRowWriter(store: sqlite, table: table, snapshotId: snapshotId, copyChunkRows: copyChunkRows)
        } else {
            writer = try store.rowWriter(table, snapshotId: snapshotId)
        }
    }

    /// Writes what the row writer still holds; call after the last batch.
    func finish() throws { try writer.finish() }

    func write(_ batch: RowBatch) throws {
        try writer.write(batch.slots)
        if !batch.quarantined.isEmpty { try store.insertQuarantined(snapshotId: snapshotId, batch.quarantined) }
        // Crash-safety tests kill the process after the N-th inserted row (in batch steps).
        if FaultInjection.isArmed { for _ in 0..<batch.rows { FaultInjection.point("ingest-row") } }
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
