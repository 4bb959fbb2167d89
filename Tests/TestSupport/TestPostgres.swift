import Foundation

/// The throwaway PostgreSQL server for tests outside WarehousePostgresTests (the CLI's end-to-end
/// runs): `make test` starts it with scripts/pg-test-cluster.sh and passes its URL in
/// MLAUDIT_TEST_POSTGRES_URL. Without it these tests fail (never skip), saying how to start one.
public enum TestPostgres {
    public static let variable = "MLAUDIT_TEST_POSTGRES_URL"

    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String {
            """
            \(TestPostgres.variable) is not set: the PostgreSQL tests need a server. \
            Run `make test` (it starts a throwaway cluster on loopback and stops it afterwards), or by hand: \
            eval "$(scripts/pg-test-cluster.sh start)" && swift test; scripts/pg-test-cluster.sh stop
            """
        }
    }

    /// The server's URL as given (user, host, port, database, `password_file`; no password).
    public static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else { throw NotConfigured() }
        return url
    }

    /// The server's URL on a schema of its own (`?schema=`), so tests never share tables.
    public static func url(schema: String) throws -> String {
        let url = try baseURL()
        return url + (url.contains("?") ? "&" : "?") + "schema=" + schema
    }

    public static func uniqueSchema(_ prefix: String = "t") -> String {
        prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// Host, port, database, user and password (from the URL's password_file) of the server.
    public static func server() throws -> (host: String, port: Int, database: String, user: String, password: String) {
        let c = try require(URLComponents(string: try baseURL()))
        let file = c.queryItems?.first { $0.name == "password_file" }?.value
        let password = try file.map { try String(contentsOfFile: $0, encoding: .utf8) }?
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        return (c.host ?? "127.0.0.1", c.port ?? 5432, String(c.path.dropFirst()), c.user ?? "", password)
    }

    /// Runs one query with psql in `schema` and returns its rows as psql prints them unaligned
    /// (`a|b` per line, no header), as `sqlite3` prints them.
    public static func query(_ sql: String, schema: String) throws -> String {
        let s = try server()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary("psql"))
        p.arguments = ["-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", "-h", s.host, "-p", String(s.port), "-U", s.user,
                       "-d", s.database, "-c", sql]
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = s.password
        env["PGOPTIONS"] = "-c search_path=\(schema)"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            throw NSError(domain: "psql", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: String(decoding: e, as: UTF8.self)])
        }
        return String(decoding: o, as: UTF8.self)
    }

    /// Runs SQL with psql as the server's user (a test's own setup: roles, grants).
    public static func psql(_ sql: String) throws {
        let s = try server()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary("psql"))
        p.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", s.host, "-p", String(s.port), "-U", s.user, "-d", s.database, "-c", sql]
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = s.password
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            throw NSError(domain: "psql", code: Int(p.terminationStatus), userInfo: [NSLocalizedDescriptionKey: String(decoding: e, as: UTF8.self)])
        }
    }

    /// A server program (psql) where Debian installs it, else on the PATH.
    public static func binary(_ name: String) -> String {
        let dirs = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        if let d = dirs.last, FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\(d)/bin/\(name)") {
            return "/usr/lib/postgresql/\(d)/bin/\(name)"
        }
        return "/usr/bin/\(name)"
    }
}

private struct Missing: Error {}

private func `require`<T>(_ value: T?) throws -> T {
    guard let value else { throw Missing() }
    return value
}
