import AuditModel
import Foundation
import PostgresNIO

/// The pipeline lock of a PostgreSQL warehouse: a session-level advisory lock
/// (`pg_try_advisory_lock`) on a key derived from the schema and the pipeline's name, held by a
/// connection of its own for the whole run.
///
/// PostgreSQL releases it when that session ends for any reason: the run finishes, or its
/// process is killed (`kill -9` included: the kernel closes the socket and the server ends the
/// session at once). A holder on another machine that vanishes without closing its socket
/// (power loss, a network partition) keeps it until the server notices the dead connection:
/// set `tcp_keepalives_idle` on the server (docs/warehouse.md). Two runs of the same pipeline
/// are refused with the message the file lock gives; different pipelines never block each
/// other (different keys).
public final class PostgresPipelineLock {
    public let pipeline: String
    public let key: Int64
    private let session: PostgresSession
    private var released = false

    /// Takes the lock or throws at once.
    ///
    /// - Throws: `MLAuditError` with code `.locked` naming the holder (its session's
    ///   `application_name`, host and start) when another session holds it; `.warehouse` when
    ///   the server cannot be reached.
    public init(
        location: PostgresLocation, pipeline: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        self.pipeline = pipeline
        key = Self.key(schema: location.schema, pipeline: pipeline)
        session = try PostgresSession(location, environment: environment)
        let got = try session.query("SELECT pg_try_advisory_lock(\(key))").first.map { try $0.decode(Bool.self) } ?? false
        if !got {
            let holder = (try? holderDescription()) ?? nil
            released = true
            session.close()
            throw MLAuditError(
                .locked, "another mlaudit run is working on pipeline '\(pipeline)' (\(holder ?? "holder unknown"))",
                file: location.url,
                hint: "Wait for it to finish; a run that was killed releases the lock by itself (its database session ends).")
        }
    }

    deinit { release() }

    /// Releases the lock (idempotent): unlocks it on the server, then closes the session. The
    /// explicit unlock makes the release take effect before this returns (a closed session's
    /// locks are freed only once the server has noticed the disconnection), so the next run
    /// of the pipeline, started right after, is not refused.
    public func release() {
        guard !released else { return }
        released = true
        _ = try? session.query("SELECT pg_advisory_unlock(\(key))")
        session.close()
    }

    /// Who holds the lock: the holder session's name, client address and start, from
    /// `pg_locks` and `pg_stat_activity`.
    private func holderDescription() throws -> String? {
        let high = Int64(UInt32(truncatingIfNeeded: UInt64(bitPattern: key) >> 32))
        let low = Int64(UInt32(truncatingIfNeeded: UInt64(bitPattern: key)))
        let rows = try session.query("""
            SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local socket'),
                   to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.classid::bigint = \(high) AND l.objid::bigint = \(low)
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """)
        guard let row = rows.first else { return nil }
        let (pid, name, client, since) = try row.decode((Int32, String, String, String).self)
        let who = name.isEmpty ? "server process \(pid)" : "\(name), server process \(pid)"
        return "\(who), from \(client), connected since \(since)"
    }

    /// The advisory-lock key of a pipeline: FNV-1a (64-bit) of `mlaudit pipeline`, the schema
    /// and the name, NUL-separated. Stable across versions and machines (documented: an
    /// operator can find the holder with the same key).
    public static func key(schema: String?, pipeline: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("mlaudit pipeline\u{0}\(schema ?? "")\u{0}\(pipeline)".utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
