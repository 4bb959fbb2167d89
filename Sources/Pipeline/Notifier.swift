import AuditModel
import Foundation
import Logging

/// Runs the definition's `notify.command` after a date, so teams wire mail, chat or tickets
/// without the tool knowing any of them. Its failure or hang is logged and never changes the
/// audit's result.
///
/// Environment of the command: MLAUDIT_PIPELINE, MLAUDIT_DATE, MLAUDIT_STATUS (ok, warning,
/// critical or failed), MLAUDIT_RECOMMENDATION, MLAUDIT_VERSION, MLAUDIT_REPORT_DIR,
/// MLAUDIT_SUMMARY (summary.json), MLAUDIT_REPORT_HTML, MLAUDIT_REPORT_MD, MLAUDIT_MANIFEST,
/// MLAUDIT_CRITICAL, MLAUDIT_WARNING, MLAUDIT_ERROR (when the date failed).
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
        switch Self.run(spec.command, environment: env, timeout: spec.timeoutSeconds ?? 30) {
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

    /// Runs `/bin/sh -c command` in its own process group, so that on timeout the shell and
    /// everything it started are stopped together (SIGTERM, then SIGKILL after 2 s).
    static func run(_ command: String, environment: [String: String], timeout: Double) -> Outcome {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let args = ["/bin/sh", "-c", command]
        let envStrings = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = withCStrings(args) { argv in
            withCStrings(envStrings) { envp in posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp) }
        }
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
            usleep(20_000)
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
