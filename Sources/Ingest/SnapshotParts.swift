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
    public static func resolve(_ path: String) throws -> SnapshotParts {
        let fm = FileManager.default
        if isGlob(path) {
            let matches = glob(path).filter { isRegularFile($0) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            let base = fixedPrefix(path)
            return SnapshotParts(source: path, files: matches, names: matches.map { relative($0, to: base) })
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
        let names = entries.filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") && isRegularFile(dir + "/" + $0) }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        return SnapshotParts(source: path, files: names.map { dir + "/" + $0 }, names: names)
    }

    /// Whether the snapshot at `path` exists (at least one part).
    public static func exists(_ path: String) -> Bool {
        ((try? resolve(path))?.files.isEmpty == false)
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
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out
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
