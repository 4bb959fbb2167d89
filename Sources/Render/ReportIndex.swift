import AuditModel
import Foundation
import Mustache
import Warehouse

/// `reports/NAME/index.html` and `index.md`: every report version of a pipeline, one row
/// each, in ledger (hash-chain) order.
///
/// Updated in O(1) per rendered version: a fixed head, one row per version, and a fixed foot.
/// A new version's row is written over the foot, followed by the foot again (for Markdown,
/// whose foot is empty, that is a plain append), after reading only the file's tail to check
/// that it ends with the foot and with the row of the previous ledger entry. When it does not
/// (first render, an index deleted or damaged, a crash between the ledger commit and the
/// index write), both files are rebuilt from the report ledger, atomically. A row depends only
/// on its ledger entry, so the incremental file and the rebuilt one are the same bytes, and
/// `mlaudit verify` compares the files with a rebuild.
package enum ReportIndex {
    package static let htmlName = "index.html"
    package static let markdownName = "index.md"

    /// One row: a ledger entry and the names of its files.
    package struct Entry: Sendable {
        package var record: ReportRecord
        package var files: [String]

        package init(record: ReportRecord, files: [String]) {
            self.record = record
            self.files = files
        }
    }

    /// The expected text of both index files for the whole ledger.
    package static func expected(pipeline: String, entries: [Entry]) throws -> (html: String, markdown: String) {
        let t = try IndexTemplates.load()
        let head = IndexHead(pipeline)
        var html = t.htmlHead.render(head)
        var md = t.markdownHead.render(head)
        for e in entries {
            let row = IndexRow(e)
            html += t.htmlRow.render(row)
            md += t.markdownRow.render(row)
        }
        html += t.htmlFoot.render(head)
        return (html, md)
    }

    /// Adds `entry`'s row to both index files of `folder` (reports/NAME), rebuilding them
    /// from `ledger` when they do not end with the row of `previousId`.
    ///
    /// - Throws: `MLAuditError.output` when a file cannot be written.
    package static func add(
        _ entry: Entry, previousId: Int64?, folder: String, pipeline: String, ledger: () throws -> [Entry]
    ) throws {
        let t = try IndexTemplates.load()
        let head = IndexHead(pipeline)
        let row = IndexRow(entry)
        let htmlFoot = t.htmlFoot.render(head)
        let htmlPath = folder + "/" + htmlName, mdPath = folder + "/" + markdownName
        if let previousId,
            try appendRow(t.htmlRow.render(row), foot: htmlFoot, after: previousId, marker: htmlMarker, path: htmlPath),
            try appendRow(t.markdownRow.render(row), foot: "", after: previousId, marker: markdownMarker, path: mdPath)
        {
            return
        }
        let all = try ledger()
        let (html, md) = try expected(pipeline: pipeline, entries: all)
        try ReportFiles.replaceAtomically(Data(html.utf8), at: htmlPath)
        try ReportFiles.replaceAtomically(Data(md.utf8), at: mdPath)
    }

    /// Every ledger entry of the pipeline with its file names, in chain order.
    package static func entries(_ store: any WarehouseTransaction, pipelineId: Int64) throws -> [Entry] {
        try store.reports(pipelineId: pipelineId).map { r in
            Entry(record: r, files: try store.reportFiles(reportId: r.id).map(\.name))
        }
    }

    /// Rebuilds both index files from `ledger` unless they already end with the row of
    /// `headId` (the newest ledger entry). O(1) when they do.
    package static func repairIfStale(headId: Int64, folder: String, pipeline: String, ledger: () throws -> [Entry]) throws {
        let t = try IndexTemplates.load()
        let htmlFoot = t.htmlFoot.render(IndexHead(pipeline))
        if try endsWithRow(headId, foot: htmlFoot, marker: htmlMarker, path: folder + "/" + htmlName),
            try endsWithRow(headId, foot: "", marker: markdownMarker, path: folder + "/" + markdownName)
        {
            return
        }
        let (html, md) = try expected(pipeline: pipeline, entries: try ledger())
        try ReportFiles.replaceAtomically(Data(html.utf8), at: folder + "/" + htmlName)
        try ReportFiles.replaceAtomically(Data(md.utf8), at: folder + "/" + markdownName)
    }

    static func endsWithRow(_ id: Int64, foot: String, marker: (Int64) -> String, path: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        let tailLength = min(size, 16_384)
        try handle.seek(toOffset: size - tailLength)
        let tail = String(decoding: try handle.read(upToCount: Int(tailLength)) ?? Data(), as: UTF8.self)
        return lastRow(of: tail, foot: foot)?.hasPrefix(marker(id)) ?? false
    }

    /// The last row before `foot` at the end of `tail`, or nil when `tail` does not end with `foot`.
    static func lastRow(of tail: String, foot: String) -> Substring? {
        guard tail.hasSuffix(foot) else { return nil }
        let body = tail.dropLast(foot.count)
        guard !body.isEmpty else { return nil }
        let start = body.dropLast().lastIndex(of: "\n").map { body.index(after: $0) } ?? body.startIndex
        return body[start...]
    }

    static func htmlMarker(_ id: Int64) -> String { "<tr id=\"r\(id)\">" }
    static func markdownMarker(_ id: Int64) -> String { "| \(id) |" }

    /// Writes `row + foot` over the foot at the end of `path`, when the file's tail is the
    /// previous entry's row followed by the foot. Returns false (writing nothing) otherwise.
    static func appendRow(_ row: String, foot: String, after previousId: Int64, marker: (Int64) -> String, path: String) throws
        -> Bool
    {
        guard let handle = FileHandle(forUpdatingAtPath: path) else { return false }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            let tailLength = min(size, 16_384)
            try handle.seek(toOffset: size - tailLength)
            let tail = String(decoding: try handle.read(upToCount: Int(tailLength)) ?? Data(), as: UTF8.self)
            let footBytes = UInt64(foot.utf8.count)
            // The last row must be the previous ledger entry's, followed by the foot.
            guard size >= footBytes, lastRow(of: tail, foot: foot)?.hasPrefix(marker(previousId)) == true else { return false }
            try handle.seek(toOffset: size - footBytes)
            try handle.write(contentsOf: Data((row + foot).utf8))
            try handle.synchronize()
            return true
        } catch {
            throw MLAuditError.output(path, cause: error.localizedDescription)
        }
    }
}

struct IndexHead {
    let pipeline: String
    let pipelineMarkdown: String

    init(_ pipeline: String) {
        self.pipeline = pipeline
        pipelineMarkdown = TextEscaping.markdown(pipeline)
    }
}

/// One index row, formatted. Depends only on the ledger entry, never on the clock.
struct IndexRow {
    let id: Int64
    let date: String
    let version: Int
    let replaces: String?
    let status: String
    let statusLabel: String
    let recommendation: String
    let critical: String
    let warning: String
    let html: String?
    let markdown: String?
    let summary: String?
    let manifest: String
    let manifestShort: String
    let manifestSha256: String

    init(_ e: ReportIndex.Entry) {
        let r = e.record
        let base = "\(r.date)/v\(r.version)/"
        id = r.id
        date = r.date
        version = r.version
        replaces = r.version > 1 ? "v\(r.version - 1)" : nil
        status = r.status
        statusLabel = r.status.uppercased()
        recommendation = r.recommendation ?? "—"
        critical = r.criticalCount.map(String.init) ?? "—"
        warning = r.warningCount.map(String.init) ?? "—"
        html = e.files.contains("report.html") ? base + "report.html" : nil
        markdown = e.files.contains("report.md") ? base + "report.md" : nil
        summary = e.files.contains("summary.json") ? base + "summary.json" : nil
        manifest = base + "manifest.json"
        manifestShort = String(r.manifestSha256.prefix(12))
        manifestSha256 = r.manifestSha256
    }
}

/// The index templates (Templates/index-*.mustache).
struct IndexTemplates {
    let htmlHead: MustacheTemplate
    let htmlRow: MustacheTemplate
    let htmlFoot: MustacheTemplate
    let markdownHead: MustacheTemplate
    let markdownRow: MustacheTemplate

    static func load() throws -> IndexTemplates {
        return IndexTemplates(
            htmlHead: try TemplateStore.read("index-head.html.mustache"),
            htmlRow: try TemplateStore.read("index-row.html.mustache"),
            htmlFoot: try TemplateStore.read("index-foot.html.mustache"),
            markdownHead: try TemplateStore.read("index-head.md.mustache"),
            markdownRow: try TemplateStore.read("index-row.md.mustache"))
    }
}
