import AuditModel
import Crypto
import Foundation

/// The files that make up one snapshot.
///
/// A resolved source path (after `{date}` substitution) names one of:
/// - a file: the snapshot is that file;
/// - a folder: every regular file directly in it whose name does not start with `.` or `_`
///   (so Spark's `_SUCCESS` and `.part-0000.crc` are skipped), in byte order of the name;
/// - a glob: a path whose last components contain `*`, `?` or `[…]` (`days/{date}/part-*.csv.gz`),
///   every matching regular file, in byte order of the path.
///
/// The parts are read in that order and together make one snapshot: one transaction, one
/// SHA-256, one set of row counts. docs/ingest.md documents the rules.
public struct SnapshotParts: Sendable, Equatable {
    /// The path as resolved from the definition (a file, a folder or a glob).
    public let source: String
    /// The part files in reading order.
    public let files: [String]
    /// Each part's name relative to the snapshot (the file name for a folder; the path below
    /// the glob's fixed prefix for a glob).
    public let names: [String]

    /// Whether `path` contains glob characters.
    public static func isGlob(_ path: String) -> Bool {
        path.contains("*") || path.contains("?") || path.contains("[")
    }

    /// Lists the parts of `path`; an empty list when nothing exists there.
    ///
    /// - Throws: `MLAuditError` when a folder cannot be listed.
    public static func resolve(_ path: String, followSymlinks: Bool = false) throws -> SnapshotParts {
        let parts = try list(path)
        let folder: String
        if isGlob(path) {
            folder = fixedPrefix(path)
        } else if FileKind.of(path) == .folder {
            folder = path
        } else {
            folder = (path as NSString).deletingLastPathComponent
        }
        try checkParts(parts.files, folder: folder.isEmpty ? "." : folder, followSymlinks: followSymlinks)
        return parts
    }

    /// Refuses parts that are not regular files and, unless `followSymlinks`, parts that are
    /// symbolic links leading outside `folder` (docs/security.md): nothing is read before.
    static func checkParts(_ files: [String], folder: String, followSymlinks: Bool) throws {
        let realFolder = realPath(folder)
        for f in files {
            try requireRegularFile(f, what: "snapshot part")
            guard !followSymlinks, FileKind.of(f, followLinks: false) == .symlink else { continue }
            let target = realPath(f)
            guard let realFolder, let target, target.hasPrefix(realFolder.hasSuffix("/") ? realFolder : realFolder + "/") else {
                throw MLAuditError(
                    .unreadableInput, "snapshot part is a symbolic link leading outside its folder (to \(target ?? "?"))", file: f,
                    hint: "Copy the file into the folder, or set 'follow_symlinks: true' in the definition if the link is intended (docs/definition.md).")
            }
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    private static func list(_ path: String) throws -> SnapshotParts {
        let fm = FileManager.default
        if isGlob(path) {
            let all = glob(path)
            let broken = all.filter { $0.unicodeScalars.contains("\u{FFFD}") && !isRegularFile($0) }
            if !broken.isEmpty { throw undecodable(broken.map { ($0 as NSString).lastPathComponent }, in: path) }
            let matches = all.filter { isPart($0) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            let base = fixedPrefix(path)
            return SnapshotParts(source: path, files: matches, names: matches.map { relative($0, to: base) })
        }
        if isGlob(path) == false, let bad = undecodableNames(in: path), !bad.isEmpty {
            throw undecodable(bad, in: path)
        }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else { return SnapshotParts(source: path, files: [], names: []) }
        guard isDir.boolValue else {
            return SnapshotParts(source: path, files: [path], names: [(path as NSString).lastPathComponent])
        }
        let entries: [String]
        do {
            entries = try fm.contentsOfDirectory(atPath: path)
        } catch {
            throw MLAuditError.unreadable(path, what: "the snapshot folder", cause: error.localizedDescription)
        }
        let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
        let names = entries.filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") && isPart(dir + "/" + $0) }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return SnapshotParts(source: path, files: names.map { dir + "/" + $0 }, names: names)
    }

    /// Whether the snapshot at `path` exists (at least one part).
    public static func exists(_ path: String, followSymlinks: Bool = false) -> Bool {
        do {
            return try !resolve(path, followSymlinks: followSymlinks).files.isEmpty
        } catch {
            return true  // something is there but cannot be read: running the date reports why
        }
    }

    /// Whether a folder or glob entry is a part: anything but a folder (a FIFO or device is a
    /// part, and is then refused by `checkParts` rather than skipped in silence).
    private static func isPart(_ path: String) -> Bool {
        let k = FileKind.of(path)
        return k != .folder && k != .missing
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    private static func glob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard Foundation.glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            // A path that is not valid UTF-8 cannot be opened again from a String: keep it
            // visibly broken (U+FFFD) so that resolving reports it instead of skipping it.
            if let p = g.gl_pathv[i] { out.append(String(validatingCString: p) ?? String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)) }
        }
        return out
    }

    /// Names in the folder `path` (not starting with `.` or `_`) that are not valid UTF-8, as
    /// printable text; nil when `path` is not a readable folder.
    static func undecodableNames(in path: String) -> [String]? {
        guard let d = opendir(path) else { return nil }
        defer { closedir(d) }
        var out: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw -> [UInt8] in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            guard let first = name.first, first != UInt8(ascii: "."), first != UInt8(ascii: "_") else { continue }
            if String(validating: name, as: UTF8.self) == nil {
                out.append(name.map { $0 < 0x80 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined())
            }
        }
        return out.sorted()
    }

    static func undecodable(_ names: [String], in path: String) -> MLAuditError {
        MLAuditError(
            .unreadableInput,
            "the snapshot folder holds \(names.count) file\(names.count == 1 ? "" : "s") whose name is not valid UTF-8 (\(names.prefix(3).joined(separator: ", "))\(names.count > 3 ? ", …" : "")): they cannot be read as parts, and leaving them out would lose rows",
            file: path, hint: "Rename them to UTF-8 names (e.g. with convmv), or move them out of the folder.")
    }

    /// The folder part of a glob before its first wildcard component.
    private static func fixedPrefix(_ pattern: String) -> String {
        var parts: [Substring] = []
        for c in pattern.split(separator: "/", omittingEmptySubsequences: false) {
            if isGlob(String(c)) { break }
            parts.append(c)
        }
        return parts.joined(separator: "/")
    }

    private static func relative(_ path: String, to base: String) -> String {
        guard !base.isEmpty, path.hasPrefix(base + "/") else { return (path as NSString).lastPathComponent }
        return String(path.dropFirst(base.count + 1))
    }
}

/// What a snapshot's bytes hash to.
struct SnapshotDigest: Sendable, Equatable {
    /// The snapshot's SHA-256: the file's own for a single file; for several parts, the SHA-256
    /// of the `sha256sum`-style listing (`<sha256>  <name>\n` per part, in reading order), which
    /// `sha256sum part-* | sha256sum` reproduces and which covers names, order and content.
    let sha256: String
    /// Bytes on disk, all parts.
    let bytes: Int
    let parts: [FileDigest]

    static func of(_ parts: SnapshotParts) throws -> SnapshotDigest {
        combine(parts, try parts.files.map { try FileDigest.of(path: $0) })
    }

    /// The snapshot digest from its parts' digests (in reading order).
    static func combine(_ parts: SnapshotParts, _ digests: [FileDigest]) -> SnapshotDigest {
        let total = digests.reduce(0) { $0 + $1.bytes }
        if digests.count == 1, parts.files.first == parts.source { return SnapshotDigest(sha256: digests[0].sha256, bytes: total, parts: digests) }
        var listing = ""
        for (d, name) in zip(digests, parts.names) { listing += "\(d.sha256)  \(name)\n" }
        return SnapshotDigest(sha256: FileDigest.of(data: Data(listing.utf8)).sha256, bytes: total, parts: digests)
    }
}
