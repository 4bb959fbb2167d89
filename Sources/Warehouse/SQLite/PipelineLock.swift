import AuditModel
import Foundation

/// An exclusive lock on one pipeline, so two runs never work on the same warehouse at once.
///
/// The lock is an advisory `flock` on `WAREHOUSE.lock`, which the kernel releases when the
/// holding process exits for any reason, `kill -9` included: a lock left by a killed run is
/// therefore never stale. The file holds the holder's pid and start time, for the message a
/// refused run prints. (flock is not reliable on some network filesystems: keep warehouses on
/// local disks.)
public final class PipelineLock {
    public let path: String
    private let fd: Int32
    /// Information left in the file by the previous holder, if any (a run that did not release
    /// it cleanly, e.g. killed).
    public let previousHolder: String?

    /// Takes the lock or throws at once.
    ///
    /// - Throws: `MLAuditError` with code `.locked` naming the holder when another run holds it.
    public init(warehousePath: String, pipeline: String) throws {
        path = warehousePath + ".lock"
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MLAuditError(.locked, "cannot open the lock file", file: path,
                               hint: "Check that the warehouse folder is writable.", cause: String(cString: strerror(errno)))
        }
        let existing = Self.read(fd)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let err = errno
            close(fd)
            if err == EWOULDBLOCK {
                throw MLAuditError(
                    .locked, "another mlaudit run is working on pipeline '\(pipeline)' (\(existing.isEmpty ? "holder unknown" : existing))",
                    file: path, hint: "Wait for it to finish; a run that was killed releases the lock by itself.")
            }
            throw MLAuditError(.locked, "cannot lock the pipeline", file: path, cause: String(cString: strerror(err)))
        }
        previousHolder = existing.isEmpty ? nil : existing
        let me = "pid \(getpid()) since \(Warehouse.now())"
        _ = ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
        fsync(fd)
    }

    deinit {
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func read(_ fd: Int32) -> String {
        var buf = [UInt8](repeating: 0, count: 256)
        let n = pread(fd, &buf, 255, 0)
        return n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
    }
}

