import AuditModel
import Foundation

/// Where a PostgreSQL warehouse is: `postgres://USER@HOST:PORT/DB?sslmode=…&password_file=…`.
///
/// Selected by `warehouse:` in the definition or by `MLAUDIT_WAREHOUSE_URL` (which wins). The
/// URL never carries a password (a definition is committed and printed; an environment is
/// listed by `ps e`): the password comes from `PGPASSWORD` or from the file that the
/// `password_file` parameter names (a mounted secret), and is never logged or printed.
/// `description` is the URL as given, which holds no password by construction.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is encrypted: libpq's `sslmode` values (docs/warehouse.md).
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// No TLS (the default, as for a server on loopback or a private network).
        case disable
        /// TLS when the server offers it, without checking its certificate.
        case prefer
        /// TLS always, without checking the certificate (libpq's meaning of `require`).
        case require
        /// TLS always, the certificate checked against the trusted roots (or `sslrootcert`),
        /// not the host name.
        case verifyCA = "verify-ca"
        /// TLS always, the certificate and the host name checked.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLSMode
    /// A PEM file of trusted roots for `verify-ca` / `verify-full` (`sslrootcert=`).
    public var rootCertificatePath: String?
    /// A file whose first line is the password (`password_file=`), read at connect time.
    public var passwordFile: String?
    /// The PostgreSQL schema that holds MLAudit's tables (`schema=`, created when missing);
    /// nil: the connection's default `search_path` (normally `public`).
    public var schema: String?
    /// The URL as given (no password in it).
    public let url: String

    public var description: String { url }

    /// The definition key (or environment variable) a URL came from, for error messages.
    public static let environmentVariable = "MLAUDIT_WAREHOUSE_URL"

    /// True when `setting` names a PostgreSQL warehouse rather than a SQLite file.
    public static func isPostgresURL(_ setting: String) -> Bool {
        let lower = setting.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// The warehouse setting in force: `MLAUDIT_WAREHOUSE_URL` when set and not empty, else the
    /// definition's `warehouse:` (nil: the SQLite default).
    public static func setting(definition: String?, environment: [String: String]) -> String? {
        if let env = environment[environmentVariable], !env.trimmingCharacters(in: .whitespaces).isEmpty {
            return env
        }
        return definition
    }

    /// Parses a PostgreSQL URL.
    ///
    /// - Parameter source: where the URL came from, for errors (`warehouse` or the variable).
    /// - Throws: `MLAuditError` (invalid definition, naming `source`) for a URL that is malformed,
    ///   carries a password, or has a parameter MLAudit does not know.
    public init(url: String, source: String = "warehouse", file: String? = nil) throws {
        func bad(_ what: String, hint: String) -> MLAuditError {
            // Never repeat the URL itself: a malformed one may still hold a secret.
            MLAuditError.definition("the PostgreSQL warehouse URL in '\(source)' \(what)", file: file, key: source, hint: hint)
        }
        let form = "Write it as postgres://USER@HOST:PORT/DATABASE (optionally ?sslmode=require&password_file=PATH)."
        guard Self.isPostgresURL(url) else { throw bad("does not start with postgres://", hint: form) }
        guard let components = URLComponents(string: url) else { throw bad("is not a valid URL", hint: form) }
        if components.password != nil || (components.percentEncodedUser ?? "").contains(":") {
            throw bad(
                "carries a password",
                hint: "Remove it from the URL: give the password in the environment variable PGPASSWORD, or in a file named by ?password_file=PATH (e.g. a mounted secret). A definition is committed and printed, so it must never hold a password.")
        }
        guard let user = components.user, !user.isEmpty else {
            throw bad("names no user", hint: form)
        }
        guard let host = components.host, !host.isEmpty else { throw bad("names no host", hint: form) }
        let path = components.path
        let database = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !database.isEmpty, !database.contains("/") else { throw bad("names no database (the path after the port)", hint: form) }
        if let port = components.port, !(1...65535).contains(port) {
            throw bad("has a port outside 1–65535", hint: form)
        }
        var tls = TLSMode.disable
        var root: String?
        var passwordFile: String?
        var schema: String?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw bad(
                        "has sslmode=\(Self.printable(value)), which MLAudit does not support",
                        hint: "Use one of: \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                tls = mode
            case "sslrootcert": root = value
            case "schema":
                guard Self.isPlainIdentifier(value) else {
                    throw bad(
                        "has schema=\(Self.printable(value)), which is not a plain name",
                        hint: "Use letters, digits and underscores (not starting with a digit), at most 63 characters.")
                }
                schema = value
            case "password_file":
                guard !value.isEmpty else { throw bad("has an empty password_file", hint: "Name the file that holds the password.") }
                passwordFile = value
            case "password":
                throw bad(
                    "carries a password (the 'password' parameter)",
                    hint: "Remove it: give the password in PGPASSWORD, or in a file named by ?password_file=PATH.")
            default:
                throw bad(
                    "has the parameter '\(Self.printable(item.name))', which MLAudit does not know",
                    hint: "Known parameters: sslmode, sslrootcert, password_file, schema.")
            }
        }
        self.user = user
        self.host = host
        self.port = components.port ?? 5432
        self.database = database
        self.tls = tls
        self.rootCertificatePath = root
        self.passwordFile = passwordFile
        self.schema = schema
        self.url = url
    }

    /// The password: the first line of `password_file` when the URL names one, else
    /// `PGPASSWORD`, else none (trust or peer authentication, or a server that asks and fails).
    ///
    /// - Throws: `MLAuditError` when the password file cannot be read (its path is named, its
    ///   content never).
    public func password(environment: [String: String]) throws -> String? {
        if let passwordFile {
            guard let data = FileManager.default.contents(atPath: passwordFile) else {
                throw MLAuditError.warehouse(
                    "cannot read the PostgreSQL password file named by password_file", file: passwordFile,
                    hint: "Check that the file exists and is readable by this user.")
            }
            // The first line, split on the byte (a "\r\n" is one Character in Swift).
            var line = Array(data.prefix { $0 != 10 })
            if line.last == 13 { line.removeLast() }
            return String(decoding: line, as: UTF8.self)
        }
        if let env = environment["PGPASSWORD"] { return env }
        return nil
    }

    /// `[A-Za-z_][A-Za-z0-9_]{0,62}`: a name that needs no quoting rules beyond double quotes.
    static func isPlainIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, s.unicodeScalars.count <= 63 else { return false }
        func letter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
        return letter(first) && s.unicodeScalars.allSatisfy { letter($0) || ($0 >= "0" && $0 <= "9") }
    }

    /// A bounded, control-free rendering of a piece of a URL for an error message.
    static func printable(_ s: String) -> String {
        let scalars = s.unicodeScalars.prefix(64).map { $0.properties.generalCategory == .control ? "?" : String($0) }
        return scalars.joined()
    }
}
