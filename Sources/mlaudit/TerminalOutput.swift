import AuditModel
import Foundation
import Logging

// Every line mlaudit writes for a person (stdout, error lines and text log lines on stderr)
// goes through `SafeText.terminal`: escape sequences, other controls, bidi controls and line
// separators from data (a CSV header, a file name) are shown as `\uXXXX`, never sent to the
// terminal (docs/security.md, "Output escaping").

/// Prints `text` to stdout with data's control characters shown visibly. Shadows
/// `Swift.print` for strings in this module, so every command's output goes through it.
func print(_ text: String, terminator: String = "\n") {
    Swift.print(SafeText.terminal(text, keepingLineFeeds: true), terminator: terminator)
}

/// Prints JSON to stdout, through `visibleJSON`.
func printJSON(_ json: String) {
    Swift.print(visibleJSON(json), terminator: "")
}

/// JSON text as mlaudit writes it for a terminal or a log (`--json` output, `--log-format json`
/// lines): JSONEncoder escapes C0 controls itself; the other scalars that
/// `SafeText.shownVisibly` selects (bidi controls, C1 controls, line separators) are written as
/// JSON escapes (`\u202E`, surrogate pairs above U+FFFF), which decode to the same string.
func visibleJSON(_ json: String) -> String {
    var out = ""
    for u in json.unicodeScalars {
        guard SafeText.shownVisibly(u), u != "\n", u != "\t" else {
            out.unicodeScalars.append(u)
            continue
        }
        for unit in String(u).utf16 {
            let hex = String(unit, radix: 16, uppercase: true)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
    return out
}

/// The text log handler: swift-log's stderr stream handler, with message and metadata shown
/// through `SafeText.terminal`.
struct TerminalLogHandler: LogHandler {
    var inner: StreamLogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var safe = event
        safe.message = "\(SafeText.terminal("\(event.message)"))"
        safe.metadata = event.metadata?.mapValues { .string(SafeText.terminal("\($0)")) }
        inner.log(event: safe)
    }
}
