import AuditModel
import Foundation

/// The fleet page (`mlaudit render --fleet DIR`): one self-contained HTML page with one row per
/// pipeline — latest audited period, status, critical and warning counts, retraining advice,
/// last run, stale — linking each pipeline's report index and newest report. A pure function
/// of a ``FleetStatus``; values are escaped per scalar (``SafeText/html(_:)``) and the page
/// carries the reports' Content-Security-Policy.
public enum FleetPage {
    /// The page's file name inside DIR.
    public static let fileName = "index.html"

    /// The HTML of the page for `status`, with links relative to `folder` (where the page is
    /// written; relative paths are taken against `currentDirectory`).
    ///
    /// - Throws: `MLAuditError.internal` when the template is missing or does not parse.
    public static func html(_ status: FleetStatus, folder: String, currentDirectory: String) throws -> String {
        let template = try TemplateStore.read("fleet.html.mustache")
        let from = absolute(folder, currentDirectory)
        let rows = status.pipelines.enumerated().map { i, e in
            FleetRow(e, position: i + 1, index: href(from: from, to: absolute(e.index, currentDirectory)),
                     report: e.report.map { href(from: from, to: absolute($0, currentDirectory)) })
        }
        let view = FleetView(
            count: status.pipelines.count, plural: status.pipelines.count == 1 ? "" : "s",
            criticalCount: status.pipelines.filter { $0.status == .critical }.count,
            warningCount: status.pipelines.filter { $0.status == .warning }.count,
            staleCount: status.pipelines.filter(\.stale).count, generatedAt: status.generatedAt, rows: rows)
        return template.render(view)
    }

    /// Writes the page to `path` atomically (creating its folder).
    ///
    /// - Throws: `MLAuditError.output` when it cannot be written.
    public static func write(_ html: String, to path: String) throws {
        try ReportFiles.replaceAtomically(Data(html.utf8), at: path)
    }

    /// `p` as an absolute path without `.` and `..` components.
    static func absolute(_ p: String, _ currentDirectory: String) -> String {
        let joined = p.hasPrefix("/") ? p : currentDirectory + "/" + p
        var parts: [Substring] = []
        for c in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The relative URL from folder `from` to file `to` (both absolute), each segment
    /// percent-encoded (only ASCII letters, digits and `-._~` stay), so no path becomes a
    /// scheme (`javascript:`), a query or a fragment.
    static func href(from: String, to: String) -> String {
        let a = from.split(separator: "/"), b = to.split(separator: "/")
        var common = 0
        while common < a.count, common < b.count - 1, a[common] == b[common] { common += 1 }
        let up = Array(repeating: "..", count: a.count - common)
        let down = b[common...].map { segment -> String in
            var out = ""
            for byte in segment.utf8 {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
            }
            return out
        }
        return (up + down).joined(separator: "/")
    }
}

struct FleetView {
    let count: Int
    let plural: String
    let criticalCount: Int
    let warningCount: Int
    let staleCount: Int
    let generatedAt: String
    let rows: [FleetRow]
}

/// One row, formatted: every value is text for the escaping template.
struct FleetRow {
    let position: Int
    let pipeline: String
    let indexHref: String
    let reportHref: String?
    let period: String
    let version: String
    let status: String?
    let statusLabel: String
    let critical: String
    let warning: String
    let retraining: String
    let lastRun: String
    let runStatus: String?
    let runStatusLabel: String
    let stale: Bool
    let cadence: String

    init(_ e: FleetStatus.Entry, position: Int, index: String, report: String?) {
        self.position = position
        pipeline = SafeText.cut(e.pipeline)
        indexHref = index
        reportHref = e.latestPeriod == nil ? nil : report
        if let error = e.error {
            period = "warehouse unreadable: " + SafeText.cut(error, to: SafeText.textLimit)
        } else {
            period = e.latestPeriod ?? "not audited yet"
        }
        version = e.reportVersion.map(String.init) ?? ""
        status = e.status?.rawValue
        statusLabel = e.status?.rawValue.uppercased() ?? ""
        critical = e.critical.map(String.init) ?? "—"
        warning = e.warning.map(String.init) ?? "—"
        retraining = e.retraining?.rawValue ?? "—"
        if let run = e.lastRun {
            lastRun = run.finishedAt ?? run.startedAt
            // Only what needs attention is flagged: a failed run, or one still running.
            runStatus = run.status == "ok" ? nil : run.status
            runStatusLabel = run.status.uppercased()
        } else {
            lastRun = "never"
            runStatus = nil
            runStatusLabel = ""
        }
        stale = e.stale
        cadence = e.cadence.rawValue
    }
}
