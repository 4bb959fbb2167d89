import AuditModel
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One PostgreSQL connection behind a synchronous facade, for a command-line tool whose stages
/// are synchronous code.
///
/// Every call blocks the calling thread until the server answers, through postgres-nio's
/// `EventLoopFuture` interface (`wait()`), so nothing here needs the Swift concurrency pool:
/// a caller on a pool thread (a test) cannot starve it. The one async-only call, `COPY FROM
/// STDIN`, runs its task on the connection's own event loop (`EventLoopTaskExecutor`), again
/// never on the pool. Never call it from an event-loop thread (NIO traps that).
///
/// A session is used by one thread at a time (it is not `Sendable`). The password is passed
/// to postgres-nio and kept nowhere else; errors and logs name the URL, which holds none.
public final class PostgresSession {
    public let location: PostgresLocation
    let connection: PostgresConnection
    let logger: Logger
    private var closed = false
    private let taskExecutor: EventLoopTaskExecutor

    /// Connects, authenticates and sets the session's name (`application_name`), which
    /// `pg_stat_activity` shows and the pipeline lock's refusal message quotes.
    ///
    /// - Parameters:
    ///   - environment: where `PGPASSWORD` is read (the process environment by default).
    ///   - applicationName: shown in `pg_stat_activity` (default `mlaudit pid N on HOST`).
    ///   - logger: postgres-nio's log (nothing below `.error` by default).
    /// - Throws: `MLAuditError` (warehouse) when the server cannot be reached or refuses.
    public init(
        _ location: PostgresLocation, environment: [String: String] = ProcessInfo.processInfo.environment,
        applicationName: String? = nil, logger: Logger? = nil
    ) throws {
        self.location = location
        self.logger = logger ?? Self.quietLogger
        let password = try location.password(environment: environment)
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: password,
            database: location.database, tls: try Self.tls(location))
        configuration.options.connectTimeout = .seconds(15)
        configuration.options.additionalStartupParameters = [
            ("application_name", String((applicationName ?? Self.defaultApplicationName).prefix(63)))
        ]
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        taskExecutor = EventLoopTaskExecutor(eventLoop)
        do {
            connection = try PostgresConnection.connect(
                on: eventLoop, configuration: configuration, id: Self.nextID(), logger: self.logger
            ).wait()
        } catch {
            throw Self.describe(
                error, location: location, what: "cannot connect to the PostgreSQL warehouse",
                hint: "Check that the server runs and accepts this user from this host (pg_hba.conf), and the password (PGPASSWORD or password_file), or the URL in 'warehouse:' / \(PostgresLocation.environmentVariable).")
        }
        if let schema = location.schema {
            // Names stay unqualified in every statement; the schema is created by the migration.
            try simple("SET search_path TO \(PostgresMigrations.quote(schema))")
        }
    }

    deinit {
        if !closed {
            let future: EventLoopFuture<Void> = connection.close()
            _ = future
        }
    }

    /// Closes the connection (the server ends the session: advisory locks it held are released).
    public func close() {
        guard !closed else { return }
        closed = true
        let future: EventLoopFuture<Void> = connection.close()
        _ = try? future.wait()
    }

    /// Runs one statement (extended protocol, parameters bound, never interpolated) and
    /// returns all its rows.
    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) throws -> [PostgresRow] {
        do {
            let result = try connection.query(query, logger: logger, file: file, line: line).wait()
            return Array(result.rows)
        } catch {
            throw Self.describe(error, location: location, what: "a PostgreSQL warehouse operation failed", hint: Self.writeHint)
        }
    }

    /// Runs one statement without parameters (`BEGIN`, `COMMIT`, DDL).
    @discardableResult
    public func simple(_ sql: String) throws -> [PostgresRow] {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// Runs MLAudit's own DDL: statements separated by `;` at the end of a line, one by one
    /// (postgres-nio speaks the extended protocol, one statement per call). Never data.
    public func script(_ sql: String) throws {
        for statement in sql.components(separatedBy: ";\n") {
            let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines)
            let body = trimmed.hasSuffix(";") ? String(trimmed.dropLast()) : trimmed
            if !body.isEmpty { try simple(body) }
        }
    }

    /// Runs `body` in one transaction: all of it is committed, or none of it (any error,
    /// thrown by `body` or by the server, rolls back and is rethrown).
    @discardableResult
    public func transaction<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try simple("BEGIN")
        let value: T
        do {
            value = try body(self)
        } catch {
            _ = try? simple("ROLLBACK")
            throw error
        }
        do {
            try simple("COMMIT")
        } catch {
            _ = try? simple("ROLLBACK")
            throw error
        }
        return value
    }

    /// `COPY table (columns) FROM STDIN` in PostgreSQL's text format, from buffers already
    /// encoded with `PostgresCopyText` (each buffer whole lines). Inside the caller's
    /// transaction when one is open.
    ///
    /// - Parameters:
    ///   - table: the table's exact name as PostgreSQL stores it (lower case for the tables
    ///     MLAudit creates unquoted): postgres-nio double-quotes it without escaping, so it
    ///     must be an identifier MLAudit made, never data, and must not contain a quote.
    ///   - columns: exact column names, likewise.
    public func copy(table: String, columns: [String], buffers: [ByteBuffer]) throws {
        guard !(([table] + columns).contains { $0.contains("\"") || $0.isEmpty }) else {
            throw MLAuditError.internalError("a COPY table or column name is empty or holds a double quote")
        }
        let connection = self.connection
        let logger = self.logger
        do {
            try blockOn {
                try await connection.copyFrom(table: table, columns: columns, format: .text(.init()), logger: logger) { writer in
                    for b in buffers { try await writer.write(b) }
                }
            }
        } catch {
            throw Self.describe(error, location: location, what: "a PostgreSQL bulk load (COPY) failed", hint: Self.writeHint)
        }
    }

    /// Runs async `body` to completion on the connection's event loop and blocks the calling
    /// (non-async, non-event-loop) thread for its result.
    func blockOn<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let promise = connection.eventLoop.makePromise(of: T.self)
        if #available(macOS 15.0, *) {
            Task(executorPreference: taskExecutor) {
                do { promise.succeed(try await body()) } catch { promise.fail(error) }
            }
        } else {
            promise.completeWithTask { try await body() }
        }
        return try promise.futureResult.wait()
    }

    static let writeHint =
        "Nothing partial was committed. If the server went away or the disk is full, fix that and run again."

    /// `mlaudit pid N on HOST`.
    static var defaultApplicationName: String {
        "mlaudit pid \(getpid()) on \(ProcessInfo.processInfo.hostName)"
    }

    /// postgres-nio logs to this unless told otherwise: errors only, to stderr through the
    /// process's bootstrapped handler (the executable's).
    static var quietLogger: Logger {
        var l = Logger(label: "mlaudit.postgres")
        l.logLevel = .error
        return l
    }

    private static let ids = IDCounter()
    static func nextID() -> Int { ids.next() }

    /// TLS from the URL's `sslmode` (docs/warehouse.md, "TLS").
    static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        func context(verify: CertificateVerification) throws -> NIOSSLContext {
            var c = TLSConfiguration.makeClientConfiguration()
            c.certificateVerification = verify
            if let root = location.rootCertificatePath {
                c.trustRoots = .file(root)
            }
            do {
                return try NIOSSLContext(configuration: c)
            } catch {
                throw MLAuditError.warehouse(
                    "cannot set up TLS for the PostgreSQL warehouse", file: location.rootCertificatePath ?? location.url,
                    hint: "Check sslrootcert (a PEM file of trusted certificates).", cause: "\(error)")
            }
        }
        switch location.tls {
        case .disable: return .disable
        case .prefer: return .prefer(try context(verify: .none))
        case .require: return .require(try context(verify: .none))
        case .verifyCA: return .require(try context(verify: .noHostnameVerification))
        case .verifyFull: return .require(try context(verify: .fullVerification))
        }
    }

    /// An MLAudit error from a postgres-nio one: the server's message, SQLSTATE and detail, or
    /// the connection failure; the URL (which holds no password) as the place.
    static func describe(_ error: any Error, location: PostgresLocation, what: String, hint: String) -> MLAuditError {
        if let e = error as? MLAuditError { return e }
        var cause: String
        if let p = error as? PSQLError {
            if let info = p.serverInfo, let message = info[.message] {
                cause = message
                if let state = info[.sqlState] { cause += " [SQLSTATE \(state)]" }
                if let detail = info[.detail] { cause += "; " + detail }
            } else if let underlying = p.underlying {
                cause = "\(p.code): \(underlying)"
            } else {
                cause = "\(p.code)"
            }
        } else {
            cause = "\(error)"
        }
        return MLAuditError.warehouse(what, file: location.url, hint: hint, cause: cause)
    }

    /// The SQLSTATE of a server error, if `error` is one.
    public static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}

/// A Swift task executor that runs jobs on one NIO event loop, so the few async-only
/// postgres-nio calls run there instead of on the concurrency pool a blocked caller may hold.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop
    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}

/// Connection ids for postgres-nio's log metadata.
final class IDCounter: Sendable {
    private let value = NIOLockedValueBox(0)
    func next() -> Int { value.withLockedValue { $0 += 1; return $0 } }
}
