import Foundation
import GRDBSQLite

/// Copies the write-ahead log into the database file on a thread of its own, so a stage's
/// commit returns as soon as its transaction is durable in the log.
///
/// SQLite's automatic checkpoint runs inside the commit that lets the log pass 1 000 pages: the
/// ingest of a million rows commits about 260 MB of log and then, in the same call, copies it
/// into the file and syncs it (about 0.6 s of wall on the benchmark machine, docs/benchmarks.md
/// "Session 9"), while the next stage waits. This replaces that hook (`sqlite3_wal_hook`, which
/// the automatic checkpoint is built on) with one that only wakes this thread; the thread runs
/// the same PASSIVE checkpoint on its own connection while the next stage reads. Durability is
/// SQLite's as before: `synchronous` is NORMAL on both connections (GRDB's choice in WAL mode), a checkpoint
/// copies committed pages and may stop at any point, and whatever it has not copied when the
/// warehouse closes is copied by the close itself (the last connection checkpoints the whole
/// log and deletes it, as today).
final class BackgroundCheckpoint: @unchecked Sendable {
    /// Log pages after a commit that wake the thread: SQLite's own automatic threshold.
    static let pages: Int32 = 1_000

    private let path: String
    private let condition = NSCondition()
    private var requested = false
    private var stopping = false
    private var thread: Thread?
    private var finished = false
    private var done = 0

    /// Checkpoints this thread has run (tests).
    var completed: Int {
        condition.lock()
        defer { condition.unlock() }
        return done
    }

    init(path: String) { self.path = path }

    /// Installs the hook on the writer's connection `db`; the warehouse keeps this object
    /// alive (and calls `stop`) for as long as the connection lives.
    func install(on db: OpaquePointer) {
        sqlite3_wal_hook(db, { context, _, _, frames in
            if frames >= BackgroundCheckpoint.pages, let context {
                Unmanaged<BackgroundCheckpoint>.fromOpaque(context).takeUnretainedValue().request()
            }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Wakes the thread (starting it the first time); never blocks the committing writer.
    func request() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        requested = true
        if thread == nil {
            let t = Thread { [self] in loop() }
            t.name = "mlaudit.checkpoint"
            thread = t
            t.start()
        }
        condition.signal()
    }

    /// Waits for a checkpoint in progress to end and stops the thread. Called before the
    /// writer's connection closes (which checkpoints what is left).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while thread != nil && !finished { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        var connection: OpaquePointer?
        if sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) != SQLITE_OK {
            sqlite3_close(connection)
            connection = nil
        }
        if let c = connection {
            sqlite3_busy_timeout(c, 10_000)
            // The writer's setting (GRDB sets NORMAL in WAL mode): a checkpoint syncs the log
            // before copying and the file after, as the automatic one did on the writer.
            _ = sqlite3_exec(c, "PRAGMA synchronous = NORMAL", nil, nil, nil)
            // A connection learns that the file is in WAL mode (and opens the log) at its first
            // read; before that a checkpoint on it does nothing.
            _ = sqlite3_exec(c, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
        }
        while true {
            condition.lock()
            while !requested && !stopping { condition.wait() }
            let run = requested && !stopping
            requested = false
            condition.unlock()
            guard run, let connection else { break }
            // PASSIVE: copies what no reader still needs, never waits, never blocks a writer; a
            // busy or failed checkpoint leaves the log as it is (the close copies it).
            _ = sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            condition.lock()
            done += 1
            condition.unlock()
        }
        sqlite3_close(connection)
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
