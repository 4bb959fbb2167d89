import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What kind of file system entry a path is, for the "regular files only" rule (docs/security.md).
public enum FileKind: String, Sendable {
    case regular = "a regular file"
    case folder = "a folder"
    case fifo = "a FIFO (named pipe)"
    case characterDevice = "a character device"
    case blockDevice = "a block device"
    case socket = "a socket"
    case symlink = "a symbolic link"
    case other = "not a regular file"
    case missing = "missing"

    /// The kind of `path`; `followLinks` false reports a symbolic link itself.
    public static func of(_ path: String, followLinks: Bool = true) -> FileKind {
        var st = stat()
        let rc = followLinks ? stat(path, &st) : lstat(path, &st)
        guard rc == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .folder
        case S_IFIFO: return .fifo
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        case S_IFSOCK: return .socket
        case S_IFLNK: return .symlink
        default: return .other
        }
    }
}

/// Throws exit-2 `unreadableInput` naming `path` unless it is a regular file (after links):
/// FIFOs, devices and sockets are refused before anything is read, so a crafted input never
/// hangs a run that holds the pipeline's lock.
public func requireRegularFile(_ path: String, what: String) throws {
    let kind = FileKind.of(path)
    guard kind == .regular || kind == .missing else {
        throw MLAuditError(
            .unreadableInput, "\(what) is \(kind.rawValue), not a regular file", file: path,
            hint: "MLAudit reads only regular files (see docs/security.md); copy the data to a file and point the definition at it.")
    }
}

/// Reads at most `limit` bytes of the regular file at `path` without ever blocking on a FIFO
/// or device (it is opened non-blocking and checked with fstat before any read).
///
/// - Throws: `MLAuditError` (`unreadableInput`) when the path is not a regular file, cannot
///   be read, or is larger than `limit`.
public func readRegularFile(_ path: String, limit: Int, what: String = "the file") throws -> Data {
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { throw MLAuditError.unreadable(path, what: what, cause: String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw MLAuditError.unreadable(path, what: what, cause: String(cString: strerror(errno))) }
    guard st.st_mode & S_IFMT == S_IFREG else {
        try requireRegularFile(path, what: what)
        throw MLAuditError(.unreadableInput, "\(what) is not a regular file", file: path)
    }
    guard Int(st.st_size) <= limit else {
        throw MLAuditError(
            .unreadableInput, "\(what) is \(st.st_size) bytes, more than the \(limit) bytes MLAudit reads", file: path,
            hint: "See docs/security.md for the size limits.")
    }
    var data = Data(count: Int(st.st_size))
    var done = 0
    while done < data.count {
        let n = data.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
        if n < 0, errno == EINTR { continue }
        guard n >= 0 else { throw MLAuditError.unreadable(path, what: what, cause: String(cString: strerror(errno))) }
        if n == 0 { break }
        done += n
    }
    data.count = done
    return data
}
