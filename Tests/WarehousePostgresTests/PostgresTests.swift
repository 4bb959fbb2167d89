import AuditModel
import Foundation
import Logging
import PostgresNIO
import Testing
@testable import WarehousePostgres

@Suite("PostgreSQL warehouse URL")
struct PostgresLocationTests {
    @Test func parsesUserHostPortDatabaseAndParameters() throws {
        let l = try PostgresLocation(url: "postgres://audit@db.internal:6543/mlaudit?sslmode=require&password_file=/run/secrets/pg&schema=fleet")
        #expect(l.user == "audit")
        #expect(l.host == "db.internal")
        #expect(l.port == 6543)
        #expect(l.database == "mlaudit")
        #expect(l.tls == .require)
        #expect(l.passwordFile == "/run/secrets/pg")
        #expect(l.schema == "fleet")
        let d = try PostgresLocation(url: "postgresql://u@h/db")
        #expect(d.port == 5432)
        #expect(d.tls == .disable)
        #expect(d.schema == nil)
    }

    @Test func refusesAPasswordInTheURLNamingTheKey() throws {
        for url in ["postgres://audit:s3cret@db:5432/mlaudit", "postgres://audit@db/mlaudit?password=s3cret"] {
            let error = try #require(throws: MLAuditError.self) { try PostgresLocation(url: url, source: "warehouse", file: "pipelines/x.yaml") }
            #expect(error.code == .invalidDefinition)
            #expect(error.key == "warehouse")
            #expect(error.file == "pipelines/x.yaml")
            #expect(error.message.contains("carries a password"))
            #expect(error.hint?.contains("PGPASSWORD") == true)
            #expect(error.hint?.contains("password_file") == true)
            // The secret is not repeated anywhere in the error.
            #expect(!error.description.contains("s3cret"))
        }
    }

    @Test func refusesMalformedURLsClearly() throws {
        let cases: [(String, String)] = [
            ("postgres://db:5432/mlaudit", "names no user"),
            ("postgres://u@db:5432/", "names no database"),
            ("postgres://u@db/x?sslmode=sometimes", "sslmode=sometimes"),
            ("postgres://u@db/x?connect_timeout=3", "'connect_timeout'"),
            ("postgres://u@db/x?schema=a;drop", "not a plain name"),
        ]
        for (url, words) in cases {
            let error = try #require(throws: MLAuditError.self) { try PostgresLocation(url: url, source: PostgresLocation.environmentVariable) }
            #expect(error.message.contains(words), "\(url): \(error.message)")
            #expect(error.key == PostgresLocation.environmentVariable)
        }
    }

    @Test func theEnvironmentVariableWinsOverTheDefinition() {
        #expect(PostgresLocation.setting(definition: "warehouse/x.sqlite", environment: ["MLAUDIT_WAREHOUSE_URL": "postgres://u@h/db"]) == "postgres://u@h/db")
        #expect(PostgresLocation.setting(definition: "postgres://u@h/a", environment: ["MLAUDIT_WAREHOUSE_URL": ""]) == "postgres://u@h/a")
        #expect(PostgresLocation.setting(definition: nil, environment: [:]) == nil)
        #expect(PostgresLocation.isPostgresURL("POSTGRESQL://u@h/db"))
        #expect(!PostgresLocation.isPostgresURL("warehouse/postgres.sqlite"))
    }

    @Test func passwordComesFromTheFileBeforePGPASSWORD() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgpw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pw").path
        try "from-file\r\nsecond line\n".write(toFile: file, atomically: true, encoding: .utf8)
        let withFile = try PostgresLocation(url: "postgres://u@h/db?password_file=\(file)")
        #expect(try withFile.password(environment: ["PGPASSWORD": "from-env"]) == "from-file")
        let plain = try PostgresLocation(url: "postgres://u@h/db")
        #expect(try plain.password(environment: ["PGPASSWORD": "from-env"]) == "from-env")
        #expect(try plain.password(environment: [:]) == nil)
        let missing = try PostgresLocation(url: "postgres://u@h/db?password_file=\(dir.path)/absent")
        let error = try #require(throws: MLAuditError.self) { try missing.password(environment: [:]) }
        #expect(error.file == "\(dir.path)/absent")
    }
}

@Suite("PostgreSQL COPY text format")
struct PostgresCopyTextTests {
    @Test func escapesEverythingThatCouldEndAFieldOrARow() {
        var w = PostgresCopyText()
        w.text("a\tb\nc\\d\re")
        w.null()
        w.double(.infinity)
        w.double(-.infinity)
        w.double(.nan)
        w.double(0.1)
        w.int(-7)
        w.bytes([0x00, 0xAB])
        w.endRow()
        let text = String(buffer: w.buffer)
        #expect(text == "a\\tb\\nc\\\\d\\re\t\\N\tInfinity\t-Infinity\tNaN\t0.1\t-7\t\\\\x00ab\n")
        #expect(w.rows == 1)
    }
}

@Suite("PostgreSQL warehouse against a server", .serialized)
struct PostgresServerTests {
    @Test func connectsWithThePasswordFileAndRunsQueries() throws {
        let s = try PostgresSession(try TestServer.location())
        defer { s.close() }
        let rows = try s.query("SELECT 1 + \(41)")
        #expect(try rows.first?.decode(Int.self) == 42)
    }

    @Test func pgpasswordIsUsedAndThePasswordIsNeverLogged() throws {
        let password = try TestServer.password()
        #expect(password.count >= 16)
        let base = try PostgresLocation(url: try TestServer.baseURL())
        var noFile = base
        noFile.passwordFile = nil
        // PGPASSWORD, with postgres-nio logging everything it does at trace level.
        let (logger, lines) = CapturingLogHandler.logger()
        let s = try PostgresSession(noFile, environment: ["PGPASSWORD": password], logger: logger)
        try s.query("SELECT \("a bound value")::text")
        s.close()
        // A wrong password: a clear error that holds neither password.
        let wrong = "wrong-\(UUID().uuidString)"
        let error = try #require(throws: MLAuditError.self) {
            try PostgresSession(noFile, environment: ["PGPASSWORD": wrong], logger: logger)
        }
        #expect(error.message == "cannot connect to the PostgreSQL warehouse")
        #expect(error.cause?.contains("password authentication failed") == true, "\(error)")
        #expect(!error.description.contains(wrong))
        #expect(!error.description.contains(password))
        let logged = lines.withLockedValue { $0 }
        #expect(!logged.isEmpty, "postgres-nio logged nothing at trace level: the check below would be empty")
        #expect(!logged.contains { $0.contains(password) || $0.contains(wrong) })
        // No password at all against a server that asks for one.
        let none = try #require(throws: MLAuditError.self) { try PostgresSession(noFile, environment: [:]) }
        #expect(none.message == "cannot connect to the PostgreSQL warehouse")
    }

    @Test func sslmodeRequireRefusesAServerWithoutTLS() throws {
        // The test server has no certificate: `sslmode=require` must not fall back to plain text.
        var l = try TestServer.location()
        l.tls = .require
        let error = try #require(throws: MLAuditError.self) { try PostgresSession(l) }
        #expect(error.message == "cannot connect to the PostgreSQL warehouse")
        #expect(error.cause?.contains("sslUnsupported") == true, "\(error)")
        // `prefer` falls back to plain text, as libpq's does.
        l.tls = .prefer
        let s = try PostgresSession(l)
        s.close()
    }

    @Test func aTransactionCommitsAllOrNothing() throws {
        let s = try PostgresSession(try TestServer.location())
        defer { s.close() }
        try PostgresMigrations.migrate(s)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try s.transaction { t in
                try t.query("INSERT INTO pipeline (name, rowTable, createdAt) VALUES (\("p"), \("row_p"), \("2026-12-03T00:00:00.000Z"))")
                throw Boom()
            }
        }
        #expect(try s.query("SELECT count(*) FROM pipeline").first?.decode(Int.self) == 0)
        // A server error inside the transaction rolls back what came before it too.
        #expect(throws: MLAuditError.self) {
            try s.transaction { t in
                try t.query("INSERT INTO pipeline (name, rowTable, createdAt) VALUES (\("p"), \("row_p"), \("t"))")
                try t.query("INSERT INTO pipeline (name, rowTable, createdAt) VALUES (\("p"), \("row_q"), \("t"))")
            }
        }
        #expect(try s.query("SELECT count(*) FROM pipeline").first?.decode(Int.self) == 0)
        try s.transaction { t in
            try t.query("INSERT INTO pipeline (name, rowTable, createdAt) VALUES (\("p"), \("row_p"), \("t"))")
        }
        #expect(try s.query("SELECT count(*) FROM pipeline").first?.decode(Int.self) == 1)
    }

    @Test func copyLoadsHostileTextExactly() throws {
        let s = try PostgresSession(try TestServer.location())
        defer { s.close() }
        try PostgresMigrations.migrate(s)
        try s.simple("CREATE TABLE copied (t TEXT, x DOUBLE PRECISION, n BIGINT, b BYTEA)")
        let texts: [String?] = ["plain", "tab\there", "new\nline", "back\\slash", "\\N", nil, "é 👩🏽‍💻 \u{202E}rtl", "cr\rlf\r\n", "", "'; DROP TABLE copied; --"]
        let doubles: [Double?] = [1.5, -0.0, .nan, .infinity, -.infinity, nil, 1e-308, .pi, 0.1 + 0.2, -1]
        var w = PostgresCopyText()
        for (i, t) in texts.enumerated() {
            w.text(t)
            w.double(doubles[i])
            w.int(i == 5 ? nil : Int64(i) * 1_000_000_007)
            w.bytes(i == 3 ? nil : [UInt8(i), 0, 255])
            w.endRow()
        }
        let buffer = w.take()
        try s.transaction { t in try t.copy(table: "copied", columns: ["t", "x", "n", "b"], buffers: [buffer]) }
        let rows = try s.query("SELECT t, x, n, b FROM copied")
        #expect(rows.count == texts.count)
        for (i, row) in rows.enumerated() {
            let (t, x, n, bytea) = try row.decode((String?, Double?, Int64?, ByteBuffer?).self)
            let b = bytea.map { Array($0.readableBytesView) }
            #expect(t == texts[i], "row \(i)")
            if let d = doubles[i] {
                let got = try #require(x)
                #expect(d.isNaN ? got.isNaN : got.bitPattern == d.bitPattern || (d == 0 && got == 0), "row \(i): \(got) vs \(d)")
            } else {
                #expect(x == nil)
            }
            #expect(n == (i == 5 ? nil : Int64(i) * 1_000_000_007))
            #expect(b == (i == 3 ? nil : [UInt8(i), 0, 255]))
        }
    }

    @Test func aFailedCopyLeavesNothing() throws {
        let s = try PostgresSession(try TestServer.location())
        defer { s.close() }
        try PostgresMigrations.migrate(s)
        try s.simple("CREATE TABLE strict (x BIGINT NOT NULL)")
        var w = PostgresCopyText()
        w.int(1); w.endRow()
        w.null(); w.endRow()
        let buffer = w.take()
        let error = try #require(throws: MLAuditError.self) {
            try s.transaction { t in
                try t.query("INSERT INTO strict VALUES (\(0))")
                try t.copy(table: "strict", columns: ["x"], buffers: [buffer])
            }
        }
        #expect(error.message.contains("COPY"))
        #expect(error.cause?.contains("23502") == true, "\(error)")
        #expect(try s.query("SELECT count(*) FROM strict").first?.decode(Int.self) == 0)
        // The session is usable afterwards.
        #expect(try s.query("SELECT 1").count == 1)
    }
}
