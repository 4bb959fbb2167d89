import AuditModel
import Foundation
import Ingest

/// Finds the dates for which a snapshot file exists, from the definition's path pattern.
public enum SnapshotDiscovery {
    /// Every day whose snapshot path (the pattern with `{date}` substituted) exists, oldest first.
    ///
    /// The first path component holding `{date}` (or `{yyyymmdd}`) is matched against the
    /// entries of its parent folder; the full path is then checked for each candidate day: a
    /// file, a folder with part files, or a glob matching at least one file (`SnapshotParts`).
    public static func days(_ loaded: LoadedDefinition) -> [Day] {
        let pattern = loaded.resolve(loaded.definition.snapshots.path)
        var components = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let index = components.firstIndex(where: { $0.contains("{date}") || $0.contains("{yyyymmdd}") }) else { return [] }
        let component = components[index]
        components.removeSubrange(index...)
        var parent = components.joined(separator: "/")
        if parent.isEmpty { parent = pattern.hasPrefix("/") ? "/" : "." }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        var days = Set<Day>()
        for entry in entries {
            guard let day = match(entry, component) else { continue }
            if SnapshotParts.exists(loaded.snapshotPath(for: day)) { days.insert(day) }
        }
        return days.sorted()
    }

    /// The day encoded in `name` if it matches `component` (literal text around one `{date}`
    /// or `{yyyymmdd}` placeholder; the text after it may be a glob, as in `{date}-part-*.csv`).
    static func match(_ name: String, _ component: String) -> Day? {
        for (token, width) in [("{date}", 10), ("{yyyymmdd}", 8)] {
            guard let r = component.range(of: token) else { continue }
            let prefix = String(component[..<r.lowerBound]), suffix = String(component[r.upperBound...])
            if SnapshotParts.isGlob(suffix) {
                guard name.count >= prefix.count + width, name.hasPrefix(prefix) else { continue }
                let rest = String(name.dropFirst(prefix.count + width))
                guard fnmatch(suffix, rest, 0) == 0 else { continue }
            } else {
                guard name.count == prefix.count + width + suffix.count, name.hasPrefix(prefix), name.hasSuffix(suffix) else { continue }
            }
            let start = name.index(name.startIndex, offsetBy: prefix.count)
            let text = String(name[start..<name.index(start, offsetBy: width)])
            if width == 10 { return Day(text) }
            let dashed = String(text.prefix(4)) + "-" + String(text.dropFirst(4).prefix(2)) + "-" + String(text.suffix(2))
            return Day(dashed)
        }
        return nil
    }
}
