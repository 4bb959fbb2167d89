import AuditModel
import Foundation
import Logging

/// Writes one JSON object per log line to stderr: `{"time", "level", "label", "message", …metadata}`.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) { self.label = label }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = ["level": event.level.rawValue, "label": label, "message": "\(event.message)"]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, b in b }) { object[k] = "\(v)" }
        Self.write(object)
    }

    /// Writes `fields` and the current time as one JSON line on stderr.
    static func write(_ fields: [String: String]) {
        var object = fields
        object["time"] = Timestamp.format(epochMilliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A file name or header quoted in a message may hold a bidi override (U+202E): written
        // as a JSON escape, as `--json` output writes it, so a terminal tailing the log does not
        // reorder the line.
        guard let data = try? encoder.encode(object) else { return }
        FileHandle.standardError.write(Data((visibleJSON(String(decoding: data, as: UTF8.self)) + "\n").utf8))
    }
}
