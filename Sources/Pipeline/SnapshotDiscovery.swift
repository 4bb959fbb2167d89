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
        days(matching: loaded.resolve(loaded.definition.snapshots.path)) {
            SnapshotParts.exists(loaded.snapshotPath(for: $0), followSymlinks: loaded.definition.followSymlinks ?? false)
        }
    }

    /// The folder whose entries a resolved path pattern is matched against: the parent of its
    /// first component holding `{date}` or `{yyyymmdd}`. Nil when the pattern has no placeholder.
    public static func folder(of pattern: String) -> String? {
        var components = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let index = components.firstIndex(where: { $0.contains("{date}") || $0.contains("{yyyymmdd}") }) else { return nil }
        components.removeSubrange(index...)
        let parent = components.joined(separator: "/")
        return parent.isEmpty ? (pattern.hasPrefix("/") ? "/" : ".") : parent
    }

    /// Every day whose name matches the resolved `pattern` in its folder and for which `exists`
    /// holds, oldest first.
    public static func days(matching pattern: String, exists: (Day) -> Bool) -> [Day] {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let parent = folder(of: pattern),
            let component = components.first(where: { $0.contains("{date}") || $0.contains("{yyyymmdd}") })
        else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        var days = Set<Day>()
        for entry in entries {
            guard let day = match(entry, component) else { continue }
            if exists(day) { days.insert(day) }
        }
        return days.sorted()
    }

    /// Whether `folder` exists as a directory.
    static func isFolder(_ folder: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) && isDir.boolValue
    }

    /// A wrong path is an error (issue 11 g): the snapshot pattern matching no file at all, or a
    /// labels or model-configuration pattern that can never match (its folder does not exist, or
    /// no file was ever found although one is overdue), exits 2 naming the pattern and the
    /// folder. "No new snapshot yet" is not checked here: it stays a quiet success.
    public static func checkDeclaredPaths(_ loaded: LoadedDefinition, found: [Day]) throws {
        let d = loaded.definition
        let snapshotPattern = loaded.resolve(d.snapshots.path)
        if found.isEmpty {
            let folder = folder(of: snapshotPattern) ?? "."
            throw MLAuditError(
                .unreadableInput,
                "no snapshot matches the pattern '\(d.snapshots.path)' (looked in '\(folder)'" + (isFolder(folder) ? ")" : ", which does not exist)"),
                file: loaded.path, key: "snapshots.path",
                hint: "Check snapshots.path and root: the pattern needs {date} (YYYY-MM-DD) or {yyyymmdd} where the date is in the file or folder name.")
        }
        if let labels = d.labels {
            let pattern = loaded.resolve(labels.path)
            if let folder = folder(of: pattern) {
                let labelled = days(matching: pattern) { FileManager.default.fileExists(atPath: loaded.resolve(labels.path, day: $0)) }
                let overdue = labels.expectedWithinDays.map { w in found.contains { $0.adding(days: w) < found.last! } } ?? false
                // Labels arrive late: only an overdue labels file can be "never found".
                if labelled.isEmpty && overdue {
                    throw MLAuditError(
                        .unreadableInput,
                        "no labels file matches the pattern '\(labels.path)' (looked in '\(folder)'"
                            + (isFolder(folder) ? "" : ", which does not exist")
                            + ") although labels are expected within \(labels.expectedWithinDays ?? 0) days",
                        file: loaded.path, key: "labels.path",
                        hint: "Check labels.path and root, or remove the labels section if labels come in the snapshots.")
                }
            }
        }
        if let config = d.model.config, config.contains("{date}") || config.contains("{yyyymmdd}") {
            let pattern = loaded.resolve(config)
            if let folder = folder(of: pattern) {
                let configured = days(matching: pattern) { FileManager.default.fileExists(atPath: loaded.resolve(config, day: $0)) }
                if configured.isEmpty {
                    throw MLAuditError(
                        .unreadableInput,
                        "no model configuration matches the pattern '\(config)' (looked in '\(folder)'" + (isFolder(folder) ? ")" : ", which does not exist)"),
                        file: loaded.path, key: "model.config",
                        hint: "Check model.config and root, or remove model.config if no configuration is published.")
                }
            }
        }
    }

    /// Entries of the pattern's folder named like a snapshot but with a date that is not on the
    /// calendar (`day-2026-02-30.csv`, `2026-13-01.csv`, `20260231`), as paths in that folder,
    /// sorted. They match no day, so without this they would be skipped without a word (field
    /// trial 8); the run warns naming each one.
    public static func misdated(matching pattern: String) -> [String] {
        let components = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let parent = folder(of: pattern),
            let component = components.first(where: { $0.contains("{date}") || $0.contains("{yyyymmdd}") })
        else { return [] }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return entries.filter { entry in
            guard let text = dateText(entry, component) else { return false }
            return day(from: text) == nil
        }.sorted().map { parent == "." ? $0 : (parent.hasSuffix("/") ? parent + $0 : parent + "/" + $0) }
    }

    /// The day encoded in `name` if it matches `component` (literal text around one `{date}`
    /// or `{yyyymmdd}` placeholder; the text after it may be a glob, as in `{date}-part-*.csv`).
    static func match(_ name: String, _ component: String) -> Day? {
        dateText(name, component).flatMap(day(from:))
    }

    /// The day a date text of a name stands for: `YYYY-MM-DD` or `YYYYMMDD`; nil when it is not a
    /// calendar date.
    static func day(from text: String) -> Day? {
        if text.count == 10 { return Day(text) }
        let dashed = String(text.prefix(4)) + "-" + String(text.dropFirst(4).prefix(2)) + "-" + String(text.suffix(2))
        return Day(dashed)
    }

    /// The text where `name` has `component`'s placeholder, when `name` has the component's
    /// literal text around it and digits where the placeholder's digits go (`2026-02-30`
    /// included: whether it is a calendar date is `day(from:)`'s question).
    static func dateText(_ name: String, _ component: String) -> String? {
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
            let shaped = text.utf8.enumerated().allSatisfy { k, c in
                width == 10 && (k == 4 || k == 7) ? c == UInt8(ascii: "-") : (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
            }
            guard shaped else { continue }
            return text
        }
        return nil
    }
}
