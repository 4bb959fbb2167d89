import AuditModel
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Render

/// report.md, summary.json, the index and the ticket of the fixed tiny fixture, against
/// golden files in Golden/ (re-record with RECORD_GOLDEN=1 and review the diff). The
/// fixture lives in a fresh temporary folder, so its path and the definition's hash (the
/// definition names its root) are replaced by placeholders; manifest hashes too, since the
/// manifest records the source commit of the build.
@Suite("Golden reports")
struct GoldenReportTests {
    static func normalized(_ text: String, _ f: RenderFixture) throws -> String {
        var t = text.replacingOccurrences(of: f.dir.path, with: "$ROOT")
            .replacingOccurrences(of: f.loaded.sha256, with: "$DEFINITION_SHA256")
        for r in try f.warehouse.read({ try $0.reports(pipelineId: 1) }) {
            t = t.replacingOccurrences(of: r.manifestSha256, with: "$MANIFEST_SHA256_\(r.id)")
                .replacingOccurrences(of: String(r.manifestSha256.prefix(12)), with: "$MANIFEST_\(r.id)")
        }
        return t
    }

    static let fixture: Result<(RenderFixture, RenderOutcome), any Error> = Result {
        let f = try RenderFixture(color: "<b>|purple_*</b>", driftedX: true)
        return (f, try f.render())
    }

    func check(_ file: String, golden: String) throws {
        let (f, out) = try Self.fixture.get()
        let text = try String(contentsOfFile: out.directory + "/" + file, encoding: .utf8)
        let message = Golden.compare(try Self.normalized(text, f), name: golden)
        #expect(message == nil, "\(message ?? "")")
    }

    @Test func reportMarkdown() throws { try check("report.md", golden: "tiny-2026-02-01.report.md") }

    @Test func summaryJSON() throws { try check("summary.json", golden: "tiny-2026-02-01.summary.json") }

    @Test func indexMarkdown() throws { try check("../../index.md", golden: "tiny.index.md") }

    @Test func ticket() throws {
        let (f, _) = try Self.fixture.get()
        let text = try TicketWriter(loaded: f.loaded, warehouse: f.warehouse).ticket(day: Day("2026-02-01")!)
        let message = Golden.compare(try Self.normalized(text, f), name: "tiny-2026-02-01.ticket.md")
        #expect(message == nil, "\(message ?? "")")
    }

    @Test func markdownHasNoRawHTML() throws {
        let (_, out) = try Self.fixture.get()
        let md = try String(contentsOfFile: out.directory + "/report.md", encoding: .utf8)
        #expect(md.range(of: "<[A-Za-z/!]", options: .regularExpression) == nil)
        #expect(md.contains("&lt;b&gt;\\|purple\\_\\*&lt;/b&gt;"))
    }

    @Test func summaryMatchesTheSchema() throws {
        let (_, out) = try Self.fixture.get()
        let schema = try JSONSchemaSubset(Data(contentsOf: URL(fileURLWithPath: Self.docs + "/summary.schema.json")))
        let summary = try JSONValue.parse(Data(contentsOf: URL(fileURLWithPath: out.directory + "/summary.json")))
        #expect(schema.errors(summary) == [])
        #expect(schema.errors(.object([:])).contains("$: missing required schema_version"))
    }

    @Test func theSchemaValidatorCatchesViolations() throws {
        let (_, out) = try Self.fixture.get()
        let schema = try JSONSchemaSubset(Data(contentsOf: URL(fileURLWithPath: Self.docs + "/summary.schema.json")))
        var text = try String(contentsOfFile: out.directory + "/summary.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"status\" : \"warning\"", with: "\"status\" : \"fine\"")
            .replacingOccurrences(of: "\"schema_version\" : 1", with: "\"schema_version\" : 2")
            .replacingOccurrences(of: "\"drifted_count\" :", with: "\"drifted_total\" :")
        let errors = schema.errors(try JSONValue.parse(Data(text.utf8)))
        #expect(errors.contains("$.status: \"fine\" is not one of the allowed values") || errors.contains { $0.hasPrefix("$.status:") })
        #expect(errors.contains { $0.hasPrefix("$.schema_version: must be") })
        #expect(errors.contains("$.drift: missing required drifted_count"))
    }

    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs").path
}
