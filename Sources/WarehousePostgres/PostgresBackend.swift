import AuditModel
import Foundation
import PostgresNIO
import Warehouse

// The PostgreSQL implementation of the storage seam (Warehouse/Seam/WarehouseSeam.swift):
// `PostgresBackend` is the backend, `PostgresTransaction` the transaction handle,
// `PostgresRowWriter` the batch row writer (COPY), `PostgresPipelineLock` (an advisory lock)
// the lease, and `PostgresBackends.register()` the opener the executable registers.

extension PostgresTransaction: WarehouseTransaction {
    /// "ok" when every migration this MLAudit knows is applied and the server answers; else
    /// one line per problem.
    public func quickCheck() throws -> [String] {
        let applied = try PostgresMigrations.appliedIDs(session)
        let missing = PostgresMigrations.all.map(\.id).filter { !applied.contains($0) }
        if missing.isEmpty { return ["ok"] }
        return missing.map { "migration \($0) is not applied (open the warehouse for writing once to apply it)" }
    }
}

/// A PostgreSQL warehouse behind the seam: one session (connection), migrated on open unless
/// opened read-only. `write` runs its body in one transaction; `read` in a read-only one.
///
/// Calls are serialised on the session (one statement at a time; a read asked for inside a
/// running transaction on the same thread joins it, as the compare stage's parallel baseline
/// read does: PostgreSQL reads it on this one connection).
public final class PostgresBackend: WarehouseBackend, @unchecked Sendable {
    public let postgres: PostgresLocation
    public let readOnly: Bool
    let session: PostgresSession
    private let lock = NSRecursiveLock()
    /// Transactions open on the session (0 or 1; a nested read joins the open one).
    private var depth = 0

    public var location: String { postgres.url }

    /// Connects; migrates unless `readOnly` (then refuses a warehouse with no or a newer schema).
    ///
    /// - Throws: `MLAuditError` when the server cannot be reached or refuses, the warehouse was
    ///   written by a newer MLAudit, or (read-only) holds no MLAudit tables.
    public init(
        location: PostgresLocation, readOnly: Bool = false,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        postgres = location
        self.readOnly = readOnly
        session = try PostgresSession(location, environment: environment)
        if readOnly {
            let applied = try PostgresMigrations.appliedIDs(session)
            if applied.isEmpty {
                session.close()
                throw MLAuditError.warehouse(
                    "the PostgreSQL warehouse holds no MLAudit tables (nothing has been audited into it)", file: location.url,
                    hint: "Check the URL (database and ?schema=), or run `mlaudit run` against it first.")
            }
            let unknown = applied.subtracting(PostgresMigrations.all.map(\.id))
            if !unknown.isEmpty {
                session.close()
                throw MLAuditError.warehouse(
                    "the warehouse was written by a newer version of MLAudit (migration \(unknown.sorted().joined(separator: ", ")) is unknown to this one)",
                    file: location.url, hint: "Upgrade mlaudit (this is \(MLAuditVersion.current)); never downgrade a warehouse.")
            }
        } else {
            do {
                try PostgresMigrations.migrate(session)
            } catch {
                session.close()
                throw error
            }
        }
    }

    deinit { session.close() }

    public func read<T>(_ body: (any WarehouseTransaction) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if depth > 0 { return try body(PostgresTransaction(session: session)) }
        depth += 1
        defer { depth -= 1 }
        return try session.transaction { s in
            try s.simple("SET TRANSACTION READ ONLY")
            return try body(PostgresTransaction(session: s))
        }
    }

    public func write<T>(_ body: (any WarehouseTransaction) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !readOnly else {
            throw MLAuditError.warehouse(
                "the PostgreSQL warehouse was opened read-only", file: postgres.url,
                hint: "This command only reads the warehouse; this is a bug in MLAudit, please report it.")
        }
        guard depth == 0 else { throw MLAuditError.internalError("a write transaction inside another transaction") }
        depth += 1
        defer { depth -= 1 }
        return try session.transaction { s in try body(PostgresTransaction(session: s)) }
    }

    public func quickCheck() throws -> [String] {
        try read { try $0.quickCheck() }
    }

    /// PostgreSQL reads the parts on this one session, one after another (in the open
    /// transaction when there is one): columns with a complete columnar copy whole, the others
    /// in `parts` slices of the row range.
    public func readFiniteNumberParts(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>, parts: Int,
        minimumRowsPerPart: Int, columnar: Bool
    ) throws -> [String: [FiniteNumbers]] {
        try read { tx -> [String: [FiniteNumbers]] in
            guard let tx = tx as? PostgresTransaction else { return [:] }
            var out: [String: [FiniteNumbers]] = [:]
            var rest = names
            if columnar, let bounds = try tx.rowBounds(table, snapshotId: snapshotId), bounds.range == rowids {
                let copied = try tx.numericCopies(table, snapshotId: snapshotId, columns: names, rows: bounds.count)
                if !copied.isEmpty {
                    let whole = try tx.readFiniteNumbers(
                        table, snapshotId: snapshotId, columns: names.filter { copied[$0] != nil }, rowids: nil, columnar: true)
                    for (name, numbers) in whole { out[name] = [numbers] }
                    rest = names.filter { copied[$0] == nil }
                }
            }
            guard !rest.isEmpty else { return out }
            let total = rowids.upperBound - rowids.lowerBound + 1
            let count = max(1, min(parts, Int(total) / max(1, minimumRowsPerPart)))
            let step = (total + Int64(count) - 1) / Int64(count)
            for p in 0..<Int64(count) {
                let lo = rowids.lowerBound + p * step
                let slice = lo...min(rowids.upperBound, lo + step - 1)
                for (name, numbers) in try tx.readFiniteNumbers(table, snapshotId: snapshotId, columns: rest, rowids: slice, columnar: false) {
                    out[name, default: []].append(numbers)
                }
            }
            return out
        }
    }

    /// `VACUUM` of the warehouse's tables (outside any transaction); the database's size before
    /// and after (`pg_database_size`: PostgreSQL gives most space back to the tables for reuse,
    /// not to the disk, so the size may not shrink).
    public func vacuum() throws -> (before: Int, after: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard !readOnly, depth == 0 else { throw MLAuditError.internalError("vacuum inside a transaction or read-only") }
        func size() throws -> Int {
            Int(try session.query("SELECT pg_database_size(current_database())").first?.decode(Int64.self) ?? 0)
        }
        let before = try size()
        try session.simple("VACUUM")
        return (before, try size())
    }

    public func close() { session.close() }
}

/// The opener of `postgres://` (and `postgresql://`) warehouse URLs.
public enum PostgresBackends {
    /// Makes `WarehouseBackends.open` serve PostgreSQL URLs (the executable calls this at start).
    public static func register() {
        WarehouseBackends.register(scheme: "postgres") { url, options in try open(url: url, options: options) }
    }

    /// Opens the warehouse at `url`: the pipeline's advisory lock first when asked for (so the
    /// warehouse is never migrated without it), then the session (migrated unless read-only).
    public static func open(
        url: String, options: WarehouseOpenOptions, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> OpenedWarehouse {
        let fromVariable = environment[PostgresLocation.environmentVariable]?.trimmingCharacters(in: .whitespaces) == url
        let location = try PostgresLocation(url: url, source: fromVariable ? PostgresLocation.environmentVariable : "warehouse")
        let lease = try options.lockPipeline.map {
            try PostgresPipelineLock(location: location, pipeline: $0, environment: environment)
        }
        let backend = try PostgresBackend(location: location, readOnly: options.readOnly, environment: environment)
        return OpenedWarehouse(backend: backend, lease: lease)
    }
}
