import ArgumentParser
import AuditModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import WarehousePostgres

@main
struct MLAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlaudit",
        abstract: "Audit machine-learning models in production: data quality, drift, performance, operations and technical debt.",
        discussion: """
            Each night, `mlaudit run pipelines/NAME.yaml` ingests the day's serving snapshot into a SQLite warehouse, validates and profiles it, compares it with the training baseline and writes a versioned report (HTML, Markdown, JSON) under reports/NAME/DATE/vN/.

            Exit status: 0 ok; 1 the audit ran and found findings at or above --fail-on; 2 the tool could not finish (bad definition, unreadable input, internal error); 64 bad usage.
            """,
        version: MLAuditVersion.current,
        subcommands: [Run.self, Ingest.self, Validate.self, Profile.self, Compare.self, Render.self, Demo.self, VerifyCommand.self, Ticket.self, Status.self, Vacuum.self, Init.self])

    /// Links the server backends in (`postgres://` URLs: WarehousePostgres), then runs the command.
    static func main() {
        MemoryReturn.configure()
        PostgresBackends.register()
        main(nil)
    }
}

/// glibc's malloc keeps memory it was given back: after a large block is freed it raises its
/// mmap threshold to that block's size (up to 32 MiB) and its trim threshold to twice that, so
/// the stages' column arrays (8 MB for a million numbers) come from the heap and up to 64 MiB
/// per arena stays resident after they are freed. Fixed thresholds (which also turn the
/// dynamic rise off): blocks of 16 MiB and more are mapped and unmapped on their own, and the
/// heap is trimmed past 16 MiB free. Measured on the 1M-row runs (`mlaudit-bench run`,
/// alternated): peak RSS first run 329–330 → 268–269 MiB, nightly 221–223 → 181–182 MiB, for
/// about 1–3 CPU s more on the first run (heap pages faulted in again after trims);
/// docs/benchmarks.md, "Session 8". A user's own MALLOC_MMAP_THRESHOLD_,
/// MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES is left to win.
///
/// Arenas: glibc gives threads arenas of their own (up to 8 per core), and each keeps its own
/// freed memory up to the trim threshold. The stages' threads are few and allocate mostly large
/// blocks (the parallel halves of reads and sorts, the ingest's parser, the background
/// checkpoint), so they share one arena: with the checkpoint's thread the first run's peak was
/// 337 MiB (RssAnon 305 MB); with at most two arenas 259–275 MiB, with one 251–252 MiB, and the
/// same CPU within noise on both runs (`mlaudit run` alternated, docs/benchmarks.md "Session
/// 9"). A user's own MALLOC_ARENA_MAX wins.
enum MemoryReturn {
    static let mmapThreshold: Int32 = 16 << 20
    static let trimThreshold: Int32 = 16 << 20
    static let arenas: Int32 = 1

    static func configure() {
        #if canImport(Glibc)
        let env = ProcessInfo.processInfo.environment
        if (env["GLIBC_TUNABLES"] ?? "").contains("malloc") { return }
        // <malloc.h> is not in Swift's Glibc module: mallopt by name, and its parameters'
        // values from that header (M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3, M_ARENA_MAX -8).
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        if env["MALLOC_MMAP_THRESHOLD_"] == nil, env["MALLOC_TRIM_THRESHOLD_"] == nil {
            _ = mallopt(-3, mmapThreshold)
            _ = mallopt(-1, trimThreshold)
        }
        if env["MALLOC_ARENA_MAX"] == nil { _ = mallopt(-8, arenas) }
        #endif
    }
}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Log each stage's progress to stderr.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Log only errors to stderr.")
    var quiet = false

    @Option(help: "Log line format on stderr: text, or json (one object per line, for log collectors).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    func bootstrapLogging() -> Logger {
        let level: Logger.Level = verbose ? .info : quiet ? .error : .notice
        let format = logFormat
        errorsAsJSON = format == .json
        LoggingSystem.bootstrap { label in
            if format == .json {
                var h = JSONLogHandler(label: label)
                h.logLevel = level
                return h
            }
            var h = TerminalLogHandler(inner: StreamLogHandler.standardError(label: label))
            h.logLevel = level
            return h
        }
        var logger = Logger(label: "mlaudit")
        logger.logLevel = level
        return logger
    }
}

extension Day: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension Severity: ExpressibleByArgument {}

/// Whether errors go to stderr as JSON objects (`--log-format json`), like the log lines.
/// Set once by `bootstrapLogging`, before any work, on the main thread.
nonisolated(unsafe) var errorsAsJSON = false

/// Prints an error the way every command does and returns the exit code to throw: a text line,
/// or with `--log-format json` one JSON object like the log lines (level `error`, with
/// `exit_status`), so that a log collector gets every line of stderr.
func printError(_ error: MLAuditError) -> ExitCode {
    if errorsAsJSON {
        JSONLogHandler.write([
            "level": "error", "label": "mlaudit", "message": error.description, "exit_status": String(error.exitStatus),
        ])
    } else {
        FileHandle.standardError.write(Data("mlaudit: error: \(SafeText.terminal(error.description))\n".utf8))
    }
    return ExitCode(error.exitStatus)
}

/// Runs `body`, turning MLAudit errors into a message on stderr and exit status 2 (64 for usage).
func guarded<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as MLAuditError {
        throw printError(e)
    }
}
