#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test seam for crash-safety tests: when the environment variable `MLAUDIT_FAULT` names a
/// point (`NAME` or `NAME@N` for the N-th time it is reached), the process kills itself with
/// SIGKILL there, as `kill -9` would. Unset, it costs one dictionary-free environment lookup
/// per call site and does nothing.
public enum FaultInjection {
    private static let setting: (name: String, count: Int)? = {
        guard let raw = getenv("MLAUDIT_FAULT") else { return nil }
        let text = String(cString: raw)
        guard !text.isEmpty else { return nil }
        let parts = text.split(separator: "@", maxSplits: 1)
        return (String(parts[0]), parts.count == 2 ? Int(parts[1]) ?? 1 : 1)
    }()

    nonisolated(unsafe) private static var hits = 0

    /// Whether any fault point is armed (call sites on hot paths check this once).
    public static var isArmed: Bool { setting != nil }

    /// Kills the process if `name` is the armed point and this is its N-th hit.
    public static func point(_ name: String) {
        guard let s = setting, s.name == name else { return }
        hits += 1
        if hits >= s.count { kill(getpid(), SIGKILL) }
    }
}
