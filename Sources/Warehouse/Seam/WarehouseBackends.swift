import AuditModel
import Foundation

/// Where a pipeline's warehouse is: a SQLite file, or a server named by a URL.
public enum WarehouseLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file (the embedded default, `warehouse/NAME.sqlite`).
    case sqlite(path: String)
    /// A server warehouse named by a URL (`postgres://USER@HOST:PORT/DB`), served by the
    /// backend registered for its scheme. The URL holds no password.
    case url(scheme: String, url: String)

    /// The environment variable whose URL wins over the definition's `warehouse:`.
    public static let environmentVariable = "MLAUDIT_WAREHOUSE_URL"

    /// The location a definition names: `MLAUDIT_WAREHOUSE_URL` when set and not empty, else
    /// `warehouse:` when it is a URL (`scheme://…`), else the SQLite file
    /// (`LoadedDefinition.warehousePath`, relative to `root:`).
    public static func of(_ loaded: LoadedDefinition, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> WarehouseLocation
    {
        if let env = environment[environmentVariable]?.trimmingCharacters(in: .whitespaces), !env.isEmpty {
            return parse(env) ?? .sqlite(path: env)
        }
        if let setting = loaded.definition.warehouse, let location = parse(setting) { return location }
        return .sqlite(path: loaded.warehousePath)
    }

    /// The location a setting names on its own (`MLAUDIT_WAREHOUSE_URL` without a definition):
    /// a `scheme://…` URL, else a SQLite file path.
    public static func of(setting: String) -> WarehouseLocation {
        parse(setting) ?? .sqlite(path: setting)
    }

    /// A URL setting (`scheme://…`), or nil for a file path.
    static func parse(_ setting: String) -> WarehouseLocation? {
        guard let r = setting.range(of: "://") else { return nil }
        let scheme = setting[..<r.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        // `postgresql://` is libpq's other spelling of `postgres://`.
        return .url(scheme: scheme == "postgresql" ? "postgres" : scheme, url: setting)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .url(_, let url): return url
        }
    }
}

/// How a warehouse is opened.
public struct WarehouseOpenOptions: Sendable, Hashable {
    /// Open for reading only: no migration, nothing written (`mlaudit verify`, `ticket`).
    public var readOnly: Bool
    /// Take this pipeline's lease before opening and migrating (so that the warehouse is never
    /// migrated without it), or nil for no lease.
    public var lockPipeline: String?

    public init(readOnly: Bool = false, lockPipeline: String? = nil) {
        self.readOnly = readOnly
        self.lockPipeline = lockPipeline
    }
}

/// An open warehouse, with the pipeline's lease when one was asked for (release it by
/// letting it go, after the last use of the backend).
public struct OpenedWarehouse {
    public let backend: any WarehouseBackend
    public let lease: (any PipelineLease)?

    public init(backend: any WarehouseBackend, lease: (any PipelineLease)?) {
        self.backend = backend
        self.lease = lease
    }
}

/// Opens a server warehouse of one URL scheme; registered by the executable that links it.
public typealias WarehouseOpener = @Sendable (_ url: String, _ options: WarehouseOpenOptions) throws -> OpenedWarehouse

/// The one place where a backend is chosen: SQLite for a file, the registered opener for a URL
/// scheme (`postgres`: the `WarehousePostgres` target registers itself from the executable).
public enum WarehouseBackends {
    private static let registry = OpenerRegistry()

    /// Makes `opener` serve `scheme://` URLs (lowercase scheme; `postgres` also serves
    /// `postgresql://`). The executable calls this at start, before any pipeline runs.
    public static func register(scheme: String, _ opener: @escaping WarehouseOpener) {
        registry.set(scheme.lowercased(), opener)
    }

    /// Whether a backend serves `scheme://` URLs in this build.
    public static func isRegistered(scheme: String) -> Bool { registry.get(scheme.lowercased()) != nil }

    /// Opens the warehouse at `location`.
    ///
    /// - Throws: `MLAuditError` (`.warehouse`) when the location's backend is not linked into
    ///   this build, and whatever the backend throws (cannot connect, locked, newer schema).
    public static func open(_ location: WarehouseLocation, options: WarehouseOpenOptions = .init()) throws -> OpenedWarehouse {
        switch location {
        case .sqlite(let path):
            let lease = try options.lockPipeline.map { try PipelineLock(warehousePath: path, pipeline: $0) }
            let warehouse = options.readOnly ? try Warehouse(readOnlyPath: path) : try Warehouse(path: path)
            return OpenedWarehouse(backend: warehouse, lease: lease)
        case .url(let scheme, let url):
            guard let opener = registry.get(scheme) else { throw notLinked(scheme: scheme, url: url) }
            return try opener(url, options)
        }
    }

    /// The error for a URL whose backend this build does not have.
    static func notLinked(scheme: String, url: String) -> MLAuditError {
        let known = scheme == "postgres"
        return MLAuditError.warehouse(
            known
                ? "the warehouse is a PostgreSQL URL, but this build of mlaudit has no PostgreSQL backend linked in"
                : "the warehouse URL scheme '\(SafeText.terminal(SafeText.cut(scheme)))://' is not one MLAudit knows",
            file: SafeText.terminal(SafeText.cut(url)),
            hint: known
                ? "Use a build that includes the PostgreSQL warehouse (target WarehousePostgres), or set 'warehouse:' to a SQLite file path (and unset \(WarehouseLocation.environmentVariable))."
                : "Set 'warehouse:' (or \(WarehouseLocation.environmentVariable)) to a SQLite file path or a postgres://USER@HOST:PORT/DB URL.")
    }
}

/// The registered openers, behind a lock (registered once at start, read by every open).
private final class OpenerRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var openers: [String: WarehouseOpener] = [:]

    func set(_ scheme: String, _ opener: @escaping WarehouseOpener) {
        lock.lock()
        defer { lock.unlock() }
        openers[scheme] = opener
    }

    func get(_ scheme: String) -> WarehouseOpener? {
        lock.lock()
        defer { lock.unlock() }
        return openers[scheme]
    }
}
