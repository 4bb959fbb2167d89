import AuditModel
import Foundation

/// A PostgreSQL warehouse: one session, migrated on open (docs/warehouse.md, "PostgreSQL").
///
/// Stages reach it through the storage seam (the Warehouse room's protocols); this class owns
/// the connection and the transaction boundary: `write` runs its body in one transaction, so
/// a stage's results and its ledger entry are committed together or not at all.
public final class PostgresWarehouse {
    public let location: PostgresLocation
    public let session: PostgresSession

    /// Connects and migrates (creating the schema on first use).
    ///
    /// - Throws: `MLAuditError` when the server cannot be reached, refuses, or the warehouse
    ///   was written by a newer MLAudit.
    public init(location: PostgresLocation, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.location = location
        session = try PostgresSession(location, environment: environment)
        try PostgresMigrations.migrate(session)
    }

    /// Runs `body` in one transaction: all of it is committed, or none of it.
    public func write<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try session.transaction(body)
    }

    /// Runs `body` in a read-only transaction (one consistent snapshot of the data).
    public func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try session.transaction { s in
            try s.simple("SET TRANSACTION READ ONLY")
            return try body(s)
        }
    }

    public func close() { session.close() }
}
