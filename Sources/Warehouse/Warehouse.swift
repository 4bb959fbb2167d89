import AuditModel
import Foundation
import GRDB
import GRDBSQLite

/// The SQLite warehouse: the only bus between stages.
///
/// One file per pipeline by default (`warehouse/NAME.sqlite`), WAL journal, foreign keys on,
/// schema from `DatabaseMigrator` migrations. Stages read and write through `read` and
/// `write` (the `WarehouseBackend` seam); each `write` is one transaction.
public final class Warehouse: Sendable {
    public let path: String
    let queue: DatabaseQueue
    /// Checkpoints the write-ahead log off the committing thread (nil when read-only).
    let checkpoint: BackgroundCheckpoint?

    /// Opens (creating folder and file if needed) and migrates the warehouse at `path`.
    ///
    /// - Throws: `MLAuditError.warehouse` when the file cannot be opened, is not a SQLite
    ///   database, or was written by a newer MLAudit.
    public init(path: String) throws {
        self.path = path
        let checkpoint = BackgroundCheckpoint(path: path)
        self.checkpoint = checkpoint
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw MLAuditError.warehouse(
                    "cannot create the warehouse folder", file: dir, hint: "Check permissions or set 'warehouse:' in the definition.",
                    cause: error.localizedDescription)
            }
        }
        var config = Configuration()
        config.journalMode = .wal
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "mlaudit.warehouse"
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            let migrator = Migrations.migrator
            if try queue.read({ try migrator.hasBeenSuperseded($0) }) {
                throw MLAuditError.warehouse(
                    "the warehouse was written by a newer version of MLAudit", file: path,
                    hint: "Upgrade mlaudit (this is \(MLAuditVersion.current)); never downgrade a warehouse.")
            }
            try migrator.migrate(queue)
            queue.inDatabase { db in
                if let connection = db.sqliteConnection { checkpoint.install(on: connection) }
            }
        } catch let e as MLAuditError {
            throw e
        } catch {
            throw MLAuditError.warehouse(
                "cannot open the warehouse", file: path,
                hint: "Check that the file is a SQLite database written by MLAudit and that its folder is writable.",
                cause: "\(error)")
        }
    }

    /// Opens the warehouse at `path` for reading only (`mlaudit verify`, `ticket`): SQLite's
    /// `mode=ro`, no migration, no write-ahead-log checkpoint, so the file's bytes and mtime
    /// never change and a writer holding the pipeline's lock is not disturbed. When the
    /// read-only open fails because the `-shm` file cannot be created (a read-only file
    /// system), it is retried `immutable=1` (nothing can write there).
    ///
    /// - Throws: `MLAuditError.warehouse` when the file is missing, not a SQLite database,
    ///   or its schema is not this version's (run `mlaudit run` once to migrate it).
    public init(readOnlyPath path: String) throws {
        self.path = path
        self.checkpoint = nil
        guard FileKind.of(path) == .regular else {
            throw MLAuditError.warehouse(
                "the warehouse is \(FileKind.of(path).rawValue), not a regular file", file: path,
                hint: "Check 'warehouse:' in the definition.")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.label = "mlaudit.warehouse.readonly"
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "/-._~")
        let encoded = absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute
        func open(_ options: String) throws -> DatabaseQueue {
            let q = try DatabaseQueue(path: "file:" + encoded + "?" + options, configuration: config)
            let migrator = Migrations.migrator
            try q.read { db in
                _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master")
                if try migrator.hasBeenSuperseded(db) {
                    throw MLAuditError.warehouse(
                        "the warehouse was written by a newer version of MLAudit", file: path,
                        hint: "Upgrade mlaudit (this is \(MLAuditVersion.current)).")
                }
                if try !migrator.hasCompletedMigrations(db) {
                    throw MLAuditError.warehouse(
                        "the warehouse was written by an older MLAudit and is not migrated yet", file: path,
                        hint: "Run `mlaudit run` on the pipeline once (it migrates under the lock), then verify again.")
                }
            }
            return q
        }
        do {
            do {
                queue = try open("mode=ro")
            } catch let e as DatabaseError where e.resultCode == .SQLITE_CANTOPEN || e.resultCode == .SQLITE_READONLY {
                queue = try open("mode=ro&immutable=1")
            }
        } catch let e as MLAuditError {
            throw e
        } catch {
            throw MLAuditError.warehouse(
                "cannot open the warehouse for reading", file: path,
                hint: "Check that the file is a SQLite database written by MLAudit and is readable.", cause: "\(error)")
        }
    }

    deinit {
        guard let checkpoint else { return }
        checkpoint.stop()
        // The hook points at `checkpoint`; the connection closes after this (copying what is
        // left of the log), without it.
        queue.inDatabase { db in _ = sqlite3_wal_hook(db.sqliteConnection, nil, nil) }
    }

    /// `PRAGMA quick_check` result lines ("ok" when healthy), read-only.
    public func quickCheck() throws -> [String] {
        try wrap { try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") } }
    }

    /// Runs `body` in a read transaction.
    public func read<T>(_ body: (any WarehouseTransaction) throws -> T) throws -> T {
        try wrap { try queue.read { db in try body(Store(db: db)) } }
    }

    /// Runs `body` in one write transaction: all of it is committed, or none of it.
    public func write<T>(_ body: (any WarehouseTransaction) throws -> T) throws -> T {
        try wrap { try queue.write { db in try body(Store(db: db)) } }
    }

    /// Runs `body` in a read transaction with the SQLite handle itself (tests and SQLite-only
    /// tools; where both fit, Swift picks the seam's `read` above).
    public func read<T>(_ body: (Store) throws -> T) throws -> T {
        try wrap { try queue.read { db in try body(Store(db: db)) } }
    }

    /// Runs `body` in one write transaction with the SQLite handle itself (tests and
    /// SQLite-only tools; where both fit, Swift picks the seam's `write` above).
    public func write<T>(_ body: (Store) throws -> T) throws -> T {
        try wrap { try queue.write { db in try body(Store(db: db)) } }
    }

    /// How long `vacuum` waits for readers before its final checkpoint gives up.
    static let vacuumReaderWaitMilliseconds = 3_000

    /// Reclaims the space of deleted rows: checkpoints the WAL and rebuilds the file (VACUUM).
    /// Returns the file size before and after, in bytes.
    public func vacuum() throws -> (before: Int, after: Int) {
        func size() -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
                + ((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0)
        }
        let before = size()
        // VACUUM's own commit would wake the background checkpoint, which would then hold the
        // checkpoint lock that the TRUNCATE below waits for: this warehouse's last job.
        checkpoint?.stop()
        let busy = try wrap {
            try queue.writeWithoutTransaction { db -> Bool in
                // Copies what the log holds without waiting for readers (VACUUM works either way).
                try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
                try db.execute(sql: "VACUUM")
                // A reader that started before VACUUM keeps the log: wait for it at most a few
                // seconds (a verify or ticket ends soon), then say so rather than wait for ever.
                try db.execute(sql: "PRAGMA busy_timeout = \(Self.vacuumReaderWaitMilliseconds)")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = 10000") }
                // (busy, log frames, checkpointed frames): busy 1 when a reader kept the log.
                let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                return (row?[0] as Int?) == 1
            }
        }
        if busy {
            throw MLAuditError.warehouse(
                "vacuum could not finish: another connection is reading the warehouse, so the write-ahead log could not be checkpointed and the file did not shrink",
                file: path, hint: "Run `mlaudit vacuum` again when no verify, ticket or other reader is open on the warehouse.",
                cause: "PRAGMA wal_checkpoint(TRUNCATE) returned SQLITE_BUSY")
        }
        return (before, size())
    }

    /// `PRAGMA integrity_check` result lines ("ok" when healthy).
    public func integrityCheck() throws -> [String] {
        try wrap { try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } }
    }

    /// Converts SQLite errors into warehouse errors; lets MLAudit errors through unchanged.
    func wrap<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as MLAuditError {
            throw e
        } catch let e as DatabaseError {
            throw MLAuditError.warehouse(
                "a warehouse operation failed", file: path,
                hint: "If the disk is full or the file is locked by another program, fix that and run again; nothing partial was committed.",
                cause: e.description)
        }
    }

    /// Now, as canonical UTC timestamp text.
    public static func now() -> String {
        Timestamp.format(epochMilliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

/// A handle on the warehouse inside one transaction. Typed reads and writes per table live in
/// extensions (`Store+Snapshots.swift`, …), so stages never write SQL.
public struct Store {
    let db: Database

    init(db: Database) { self.db = db }

    /// `PRAGMA quick_check` result lines ("ok" when healthy), inside this transaction.
    public func quickCheck() throws -> [String] {
        try String.fetchAll(db, sql: "PRAGMA quick_check")
    }
}

/// Quotes an SQL identifier.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

let jsonEncoder: JSONEncoder = {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    e.nonConformingFloatEncodingStrategy = .convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
    return e
}()

let jsonDecoder: JSONDecoder = {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
    return d
}()

func encodeJSON<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try jsonEncoder.encode(value), as: UTF8.self)
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try jsonDecoder.decode(T.self, from: Data(text.utf8))
}
