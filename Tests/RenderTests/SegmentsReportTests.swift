import AuditModel
import Definition
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Render

/// The "Segments and fairness" section with segments: one table per segment column in
/// report.html and report.md, hostile segment values escaped, a column with 100 values
/// rendered in full (and 30 more grouped), summary.json's `segments` valid against the schema.
@Suite("Report: segments")
struct SegmentsReportTests {
    static let yaml = """
        name: segs
        model: {name: m, version: "1"}
        baseline: {path: baseline.csv}
        snapshots: {path: "days/{date}.csv"}
        schema:
          id: id
          prediction: {column: pred, kind: binary, score: score}
          target: y
          features:
            - {name: x, type: numeric}
          carried: [region, shop]
        segments:
          columns:
            - column: region
            - column: shop
          min_rows: 100
        warehouse: segs.sqlite
        report: {output: reports}
        """
    static let hostile = "<b>a|b_*</b>"

    /// Region north / south / the hostile value (each a third); shop: 130 values, 100 of them
    /// with 30 rows and 30 with 10 (the 100 largest are segments, the rest grouped).
    static func rows(seed: UInt64) -> String {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(UInt64(1) << 53)
        }
        var text = "id,x,region,shop,score,pred,y\n"
        var i = 0
        for shop in 0..<130 {
            for _ in 0..<(shop < 100 ? 30 : 10) {
                let region = ["north", "south", "\"\(hostile)\""][i % 3]
                let y = next() < 0.4 ? 1 : 0
                let score = y == 1 ? 0.4 + 0.6 * next() : 0.6 * next()
                text += "r\(i),\(formatNumber(next())),\(region),shop\(shop),\(formatNumber(score)),\(score >= 0.5 ? 1 : 0),\(y)\n"
                i += 1
            }
        }
        return text
    }

    static let fixture: Result<(html: String, md: String, summary: Data), any Error> = Result {
        let dir = TemporaryDirectory()
        let text = "root: \(dir.path)\n" + yaml
        let loaded = try DefinitionLoader.parse(text: text, file: dir.write("segs.yaml", text))
        dir.write("baseline.csv", rows(seed: 1))
        // Three days: the report of the last one draws each judged segment's metric over them.
        for (k, date) in ["2026-02-01", "2026-02-02", "2026-02-03"].enumerated() {
            dir.write("days/\(date).csv", rows(seed: UInt64(2 + k)))
        }
        let w = try Warehouse(path: loaded.warehousePath)
        let h = StageHarness(loaded: loaded, warehouse: w)
        try h.baseline()
        for date in ["2026-02-01", "2026-02-02", "2026-02-03"] { try h.day(Day(date)!) }
        let out = try RenderStage(loaded: loaded, warehouse: w, logger: testLogger).run(Day("2026-02-03")!, runId: nil, stageRunId: nil)
        return (
            try String(contentsOfFile: out.directory + "/report.html", encoding: .utf8),
            try String(contentsOfFile: out.directory + "/report.md", encoding: .utf8),
            try Data(contentsOf: URL(fileURLWithPath: out.directory + "/summary.json")))
    }

    @Test func htmlHasATablePerSegmentColumnWithValuesEscaped() throws {
        let html = try Self.fixture.get().html
        #expect(html.contains("<h2 id=\"fairness\">Segments and fairness</h2>"))
        #expect(html.contains("<h3>Segments by region</h3>") && html.contains("<h3>Segments by shop</h3>"))
        #expect(html.contains("<th scope=\"row\">&lt;b&gt;a|b_*&lt;/b&gt;</th>"))
        #expect(!html.contains(Self.hostile))
        #expect(html.contains("<caption>3 segments, 3 judged. Metric: accuracy.</caption>"))
        // shop: 100 segments of 30 rows (under min_rows: listed, not judged) and the grouped rest.
        #expect(html.contains("<caption>101 segments, 0 judged. Metric: accuracy.</caption>"))
        #expect(html.components(separatedBy: "<th scope=\"row\">shop").count - 1 == 100)
        #expect(html.contains("30 further values beyond the 100 with the most rows, grouped: listed, not judged"))
        #expect(html.contains("<th scope=\"row\">(other)</th><td class=\"num\">300 (300 labelled)</td>"))
    }

    @Test func markdownCarriesTheSameTables() throws {
        let md = try Self.fixture.get().md
        #expect(md.contains("### Segments by region"))
        #expect(md.contains("| &lt;b&gt;a\\|b\\_\\*&lt;/b&gt; | 1100 (1100 labelled) | 1100 | yes |"), "escaped, one cell")
        #expect(md.range(of: "<[A-Za-z/!]", options: .regularExpression) == nil)
        let shopRows = md.components(separatedBy: "\n").filter { $0.hasPrefix("| shop") }
        #expect(shopRows.count == 100)
    }

    @Test func summaryHasTheSegmentsAndMatchesTheSchema() throws {
        let data = try Self.fixture.get().summary
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/summary.schema.json")
        let schema = try JSONSchemaSubset(Data(contentsOf: docs))
        #expect(schema.errors(try JSONValue.parse(data)) == [])
        let summary = try SummaryJSON.decoder().decode(AuditSummary.self, from: data)
        let segments = try #require(summary.segments)
        #expect(segments.count == 3 + 101)
        #expect(segments.filter { $0.column == "region" }.map(\.value) == [Self.hostile, "north", "south"])
        #expect(!summary.findings.contains { $0.segment != nil }, "a clean day")
    }

    /// Small multiples: one chart per judged segment (region: 3; shop's segments are under
    /// min_rows, so none), one point per day, today's point the segment's metric in summary.json.
    @Test func smallMultiplesShowEachJudgedSegmentOverTheDays() throws {
        let (html, _, data) = try Self.fixture.get()
        let summary = try SummaryJSON.decoder().decode(AuditSummary.self, from: data)
        let region = try #require(html.components(separatedBy: "<h3>Segments by region</h3>").last?
            .components(separatedBy: "<h3>Segments by shop</h3>").first)
        let shop = try #require(html.components(separatedBy: "<h3>Segments by shop</h3>").last?
            .components(separatedBy: "</section>").first)
        #expect(region.contains("Accuracy of each judged segment, one point per audited day"))
        #expect(!shop.contains("<figure>"))
        let figures = region.components(separatedBy: "<figure>").dropFirst()
        #expect(figures.count == 3)
        for segment in summary.segments!.filter({ $0.column == "region" }) {
            let caption = "<figcaption>\(segment.value == Self.hostile ? "&lt;b&gt;a|b_*&lt;/b&gt;" : segment.value)</figcaption>"
            let figure = try #require(figures.first { $0.contains(caption) }, "\(segment.value)")
            let points = try #require(figure.components(separatedBy: "points=\"").dropFirst().first?.components(separatedBy: "\"").first)
            #expect(points.split(separator: " ").count == 3, "three days")
            let today = try #require(segment.metrics["accuracy"])
            #expect(figure.contains("<div class=\"last\">\(formatNumber(today))</div>"))
            let base = try #require(segment.baselineMetrics["accuracy"])
            #expect(figure.contains("dashed: baseline \(formatNumber(base))"))
        }
        #expect(!html.contains(Self.hostile))
    }

    @Test func ticketNamesTheSegmentOfAFinding() throws {
        var summary = try SummaryJSON.decoder().decode(AuditSummary.self, from: Self.fixture.get().summary)
        summary.findings = [AuditSummary.FindingRecord(Finding(
            CheckCatalog.segmentDrift, severity: .warning, column: "x", message: "m",
            segment: SegmentRef(column: "region", value: "a_b|c")))]
        let view = TicketView(summary: summary, directory: "/tmp", manifestSha256: "", files: [], definitionPath: "d.yaml")
        #expect(view.findings.first?.column == "x (region = a\\_b\\|c)")
    }
}
