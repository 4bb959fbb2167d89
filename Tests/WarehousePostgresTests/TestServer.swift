import AuditModel
import Foundation
import Logging
import NIOConcurrencyHelpers
@testable import WarehousePostgres

/// The throwaway PostgreSQL server of the tests: `make test` starts it with
/// scripts/pg-test-cluster.sh and passes its URL in MLAUDIT_TEST_POSTGRES_URL. Without it the
/// PostgreSQL tests fail (never skip) with a message that says how to start one.
enum TestServer {
    static let variable = "MLAUDIT_TEST_POSTGRES_URL"

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            """
            \(TestServer.variable) is not set: the PostgreSQL warehouse tests need a server. \
            Run `make test` (it starts a throwaway cluster on loopback and stops it afterwards), or by hand: \
            eval "$(scripts/pg-test-cluster.sh start)" && swift test; scripts/pg-test-cluster.sh stop
            """
        }
    }

    /// The server's URL as given (with its password_file parameter, no password).
    static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { throw NotConfigured() }
        return url
    }

    /// A location on a schema of its own (`t_…`), so tests running at once never share tables.
    static func location(schema: String = uniqueSchema()) throws -> PostgresLocation {
        let url = try baseURL()
        return try PostgresLocation(url: url + (url.contains("?") ? "&" : "?") + "schema=" + schema)
    }

    static func uniqueSchema(_ prefix: String = "t") -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// The password of the test cluster (from its password file), for tests of PGPASSWORD.
    static func password() throws -> String {
        let loc = try PostgresLocation(url: try baseURL())
        return try loc.password(environment: [:]) ?? ""
    }

    /// The folder of the server's programs (psql), as the cluster script finds it.
    static func binary(_ name: String) -> String {
        let dirs = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        if let d = dirs.last, FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(d)/bin/\(name)") {
            return "/usr/lib/postgresql/\(d)/bin/\(name)"
        }
        return "/usr/bin/\(name)"
    }
}

/// A log handler that keeps every message and its metadata, to check what is never logged.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    let lines: NIOLockedValueBox<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(_ lines: NIOLockedValueBox<[String]>) { self.lines = lines }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = self.metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLockedValue { $0.append("\(event.level) \(event.message) \(all)") }
    }

    static func logger() -> (Logger, NIOLockedValueBox<[String]>) {
        let box = NIOLockedValueBox<[String]>([])
        var l = Logger(label: "test.postgres") { _ in CapturingLogHandler(box) }
        l.logLevel = .trace
        return (l, box)
    }
}
