import AuditModel
import Foundation
import Logging
import Render

/// Runs the definition's `notify.command` after a date, so teams wire mail, chat or tickets
/// without the tool knowing any of them. Its failure or hang is logged and never changes the
/// audit's result.
///
/// Environment of the command: MLAUDIT_PIPELINE, MLAUDIT_DATE, MLAUDIT_STATUS (ok, warning,
/// critical or failed), MLAUDIT_RECOMMENDATION, MLAUDIT_VERSION, MLAUDIT_REPORT_DIR,
/// MLAUDIT_SUMMARY (summary.json), MLAUDIT_REPORT_HTML, MLAUDIT_REPORT_MD, MLAUDIT_MANIFEST,
/// MLAUDIT_MANIFEST_SHA256 (the SHA-256 of manifest.json: the chain head, which an external
/// log can keep and `mlaudit verify --head` can check), MLAUDIT_CRITICAL, MLAUDIT_WARNING,
/// MLAUDIT_ERROR (when the date failed).
struct Notifier {
    let spec: NotifySpec
    let logger: Logger

    /// The variables given to the command for a day's result.
    static func environment(pipeline: String, result: DayResult) -> [String: String] {
        var env = ["MLAUDIT_PIPELINE": pipeline, "MLAUDIT_DATE": result.day.description]
        if let r = result.report {
            env["MLAUDIT_STATUS"] = r.status.rawValue
            env["MLAUDIT_RECOMMENDATION"] = r.recommendation.rawValue
            env["MLAUDIT_VERSION"] = String(r.version)
            env["MLAUDIT_REPORT_DIR"] = r.directory
            env["MLAUDIT_SUMMARY"] = r.directory + "/summary.json"
            env["MLAUDIT_REPORT_HTML"] = r.directory + "/report.html"
            env["MLAUDIT_REPORT_MD"] = r.directory + "/report.md"
            env["MLAUDIT_MANIFEST"] = r.directory + "/manifest.json"
            if let data = try? readRegularFile(r.directory + "/manifest.json", limit: 64 << 20) {
                env["MLAUDIT_MANIFEST_SHA256"] = sha256Hex(data)
            }
            env["MLAUDIT_CRITICAL"] = String(r.findingCounts.critical)
            env["MLAUDIT_WARNING"] = String(r.findingCounts.warning)
        } else {
            env["MLAUDIT_STATUS"] = "failed"
            env["MLAUDIT_ERROR"] = result.error?.description ?? "unknown error"
        }
        return env
    }

    func notify(pipeline: String, result: DayResult) {
        let env = ProcessInfo.processInfo.environment.merging(
            Self.environment(pipeline: pipeline, result: result), uniquingKeysWith: { _, new in new })
        let what = "notify command for \(pipeline) \(result.day)"
        let (outcome, output) = Self.run(spec.command, environment: env, timeout: spec.timeoutSeconds ?? 30)
        // The command's own output goes to the log, never to stdout (one line per date there).
        let lines = output.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
        for line in lines.prefix(Self.maxLoggedLines) { logger.info("\(what) said: \(line)") }
        if lines.count > Self.maxLoggedLines {
            logger.info("\(what) said \(lines.count - Self.maxLoggedLines) more lines (not logged)")
        }
        switch outcome {
        case .exited(0): logger.info("\(what) ran")
        case .exited(let status): logger.error("\(what) exited with status \(status) (the audit result is unchanged)")
        case .signalled(let sig): logger.error("\(what) was killed by signal \(sig) (the audit result is unchanged)")
        case .timedOut: logger.error("\(what) did not finish within \(formatNumber(spec.timeoutSeconds ?? 30)) s and was stopped (the audit result is unchanged)")
        case .failedToStart(let why): logger.error("\(what) could not start: \(why) (the audit result is unchanged)")
        }
    }

    enum Outcome: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case failedToStart(String)
    }

    /// Lines of the command's output written to the log, at most.
    static let maxLoggedLines = 50
    /// Bytes of the command's output kept, at most (the rest is read and dropped).
    static let maxOutputBytes = 64 << 10

    /// Runs `/bin/sh -c command` in its own process group, so that on timeout the shell and
    /// everything it started are stopped together (SIGTERM, then SIGKILL after 2 s). Its stdout
    /// and stderr are captured through a pipe (the first `maxOutputBytes`) and returned.
    static func run(_ command: String, environment: [String: String], timeout: Double) -> (Outcome, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return (.failedToStart(String(cString: strerror(errno))), "") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(readEnd, F_SETFL, fcntl(readEnd, F_GETFL) | O_NONBLOCK)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        /// Reads what the pipe holds now; false at end of file.
        func drain() -> Bool {
            while true {
                let n = read(readEnd, &buffer, buffer.count)
                if n > 0 {
                    if output.count < maxOutputBytes { output += buffer[0..<min(n, maxOutputBytes - output.count)] }
                    continue
                }
                return n != 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            }
        }
        defer { close(readEnd) }
        var open = true
        // Waits (up to 20 ms) for output and reads it as soon as it comes, so a chatty command
        // never stalls on a full pipe; what is past `maxOutputBytes` is read and dropped.
        let outcome = spawnAndWait(command, environment: environment, timeout: timeout, writeEnd: writeEnd) {
            guard open else { usleep(20_000); return }
            var p = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            _ = Glibc.poll(&p, 1, 20)
            open = drain()
        }
        _ = drain()
        return (outcome, String(decoding: output, as: UTF8.self))
    }

    /// Spawns the command with stdout and stderr on `writeEnd` (closed here once the child has
    /// it) and waits for it, calling `poll` between checks (it waits up to 20 ms).
    private static func spawnAndWait(
        _ command: String, environment: [String: String], timeout: Double, writeEnd: Int32, poll: () -> Void
    ) -> Outcome {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        let args = ["/bin/sh", "-c", command]
        let envStrings = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = withCStrings(args) { argv in
            withCStrings(envStrings) { envp in posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp) }
        }
        close(writeEnd)
        guard rc == 0 else { return .failedToStart(String(cString: strerror(rc))) }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0, errno != EINTR { return .failedToStart(String(cString: strerror(errno))) }
            if Date() >= deadline {
                kill(-pid, SIGTERM)
                let grace = Date().addingTimeInterval(2)
                while waitpid(pid, &status, WNOHANG) == 0 {
                    if Date() >= grace {
                        kill(-pid, SIGKILL)
                        waitpid(pid, &status, 0)
                        break
                    }
                    usleep(20_000)
                }
                kill(-pid, SIGKILL)
                return .timedOut
            }
            poll()
        }
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
