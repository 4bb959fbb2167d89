import AuditModel
import Foundation
import Warehouse

extension MLAuditError.Code {
    /// A report file does not match the hashes that pin it (run `mlaudit verify`).
    public static let integrity = MLAuditError.Code("integrity")
}

/// `mlaudit ticket`: a short Markdown summary of a rendered report for a retraining ticket,
/// with the report paths and the manifest hash that pins them.
///
/// Built from the report version's own summary.json after checking it against its manifest
/// and the manifest against the report ledger, so the ticket says exactly what the pinned
/// report says.
public struct TicketWriter {
    public let loaded: LoadedDefinition
    public let warehouse: any WarehouseBackend

    public init(loaded: LoadedDefinition, warehouse: any WarehouseBackend) {
        self.loaded = loaded
        self.warehouse = warehouse
    }

    /// How many findings the ticket lists.
    public static let topFindings = 5

    /// The ticket text for `day` (the newest version, or `version`).
    ///
    /// - Throws: `MLAuditError.missingPrerequisite` when the day has no report yet;
    ///   `.integrity` when the report's files do not match their manifest or the ledger.
    public func ticket(day: Day, version: Int? = nil) throws -> String {
        let (record, newest) = try warehouse.read { store -> (ReportRecord?, ReportRecord?) in
            guard let pipelineId = try store.ensurePipelineIfExists(loaded.name) else { return (nil, nil) }
            let newest = try store.latestReport(pipelineId: pipelineId, date: day.description)
            if let version { return (try store.report(pipelineId: pipelineId, date: day.description, version: version), newest) }
            return (newest, newest)
        }
        if record == nil, let version, let newest {
            throw MLAuditError(
                .usage, "\(loaded.name) has no report v\(version) for \(day): the newest is v\(newest.version)",
                hint: "Give --report-version between 1 and \(newest.version), or leave it out for the newest.")
        }
        guard let record else {
            throw MLAuditError.prerequisite(
                "\(loaded.name) has no report for \(day)\(version.map { " v\($0)" } ?? "")",
                hint: "Run `mlaudit run \(loaded.path) --date \(day)` first.")
        }
        let dir = loaded.reportRoot + "/" + loaded.name + "/" + record.date + "/v\(record.version)"
        func integrity(_ file: String, _ what: String) -> MLAuditError {
            MLAuditError(.integrity, what, file: file, hint: "Run `mlaudit verify \(loaded.path)` to see everything that changed.")
        }
        guard let manifestData = FileManager.default.contents(atPath: dir + "/manifest.json") else {
            throw integrity(dir + "/manifest.json", "the report's manifest is missing")
        }
        guard sha256Hex(manifestData) == record.manifestSha256 else {
            throw integrity(dir + "/manifest.json", "the manifest does not match the hash in the report ledger")
        }
        let manifest = try SummaryJSON.decode(Manifest.self, from: manifestData)
        guard let summaryEntry = manifest.files.first(where: { $0.name == "summary.json" }),
            let summaryData = FileManager.default.contents(atPath: dir + "/summary.json"),
            sha256Hex(summaryData) == summaryEntry.sha256
        else {
            throw integrity(dir + "/summary.json", "summary.json is missing or does not match its manifest")
        }
        let summary = try SummaryJSON.decode(AuditSummary.self, from: summaryData)
        let view = TicketView(summary: summary, directory: dir, manifestSha256: record.manifestSha256,
                              files: manifest.files.map(\.name), definitionPath: loaded.path)
        return try TemplateStore.read("ticket.md.mustache").render(view)
    }
}

/// The view of ticket.md.mustache.
struct TicketView {
    let pipeline: String
    let date: String
    let version: Int
    let statusLabel: String
    let recommendation: String
    let recommendationLabel: String
    let modelName: String
    let modelVersion: String
    let critical: Int
    let warning: Int
    let info: Int
    let reasons: [String]
    let hasReasons: Bool
    let findings: [TicketFinding]
    let moreFindings: String?
    let html: String?
    let markdown: String?
    let summary: String
    let manifest: String
    let manifestSha256: String
    /// `mlaudit verify PATH` as a code span.
    let verifyCommand: String

    struct TicketFinding {
        let severityLabel: String
        let check: String
        let column: String?
        let message: String
        let advice: String
    }

    init(summary s: AuditSummary, directory: String, manifestSha256: String, files: [String], definitionPath: String) {
        let md = TextEscaping.markdown
        pipeline = md(s.pipeline)
        date = s.date
        version = s.version
        statusLabel = s.status.rawValue.uppercased()
        recommendation = s.retraining.recommendation.rawValue
        recommendationLabel = ReportLabels.recommendation(s.retraining.recommendation)
        modelName = md(s.model.name)
        modelVersion = md(s.model.version)
        critical = s.findingCounts.critical
        warning = s.findingCounts.warning
        info = s.findingCounts.info
        reasons = s.retraining.reasons.map { md($0) }
        hasReasons = !reasons.isEmpty
        let serious = s.findings.filter { $0.severity != .info }
        findings = serious.prefix(TicketWriter.topFindings).map {
            // A segment finding names its segment beside the column.
            let segment = $0.segment.map { " (" + md.value($0.column) + " = " + md.value($0.value) + ")" } ?? ""
            return TicketFinding(
                severityLabel: $0.severity.rawValue.uppercased(), check: $0.check,
                column: $0.column.map { md.value($0) + segment } ?? ($0.segment == nil ? nil : segment.trimmingCharacters(in: .whitespaces)),
                message: md($0.message), advice: md.trusted($0.advice))
        }
        moreFindings = serious.count > TicketWriter.topFindings
            ? "\(serious.count - TicketWriter.topFindings) more at warning or above, and \(s.findingCounts.info) info, in the report." : nil
        // Paths come from report.output and the command line: code spans (SafeText), never raw.
        let code = SafeText.markdownCode
        html = files.contains("report.html") ? code(directory + "/report.html") : nil
        markdown = files.contains("report.md") ? code(directory + "/report.md") : nil
        summary = code(directory + "/summary.json")
        manifest = code(directory + "/manifest.json")
        self.manifestSha256 = manifestSha256
        let plain = definitionPath.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_./-".unicodeScalars.contains($0)) }
        let shellPath = plain && !definitionPath.isEmpty ? definitionPath : "'" + definitionPath.replacingOccurrences(of: "'", with: "'\\''") + "'"
        verifyCommand = code("mlaudit verify " + shellPath)
    }
}
