import Foundation
import Testing
import TestSupport

@testable import Render

/// report.html as a reader, a screen reader and a printer meet it. Full HTML5 validation
/// (the Nu checker) runs in `make check`; these are the structural rules it does not know.
@Suite("HTML report")
struct HTMLReportTests {
    static let html: Result<String, any Error> = Result {
        let f = try RenderFixture(color: "<script>alert('x')</script>", unlistedN: true, driftedX: true)
        let out = try f.render()
        return try String(contentsOfFile: out.directory + "/report.html", encoding: .utf8)
    }

    func matches(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range, in: text)!]) }
    }

    @Test func isSelfContained() throws {
        let html = try Self.html.get()
        #expect(!html.contains("http://") && !html.contains("https://"))
        for tag in ["<script", "<link", "<img", "<iframe", "<object", "@import", "@font-face"] {
            #expect(!html.lowercased().contains(tag), "\(tag)")
        }
        // The only url(…) references are to patterns inside the page.
        #expect(matches("url\\((?!#)", in: html).isEmpty)
        #expect(html.utf8.count < 500_000)
    }

    @Test func escapesData() throws {
        let html = try Self.html.get()
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
    }

    /// The catalog's advice is our text: its `code spans` become <code>, everything else escaped.
    @Test func adviceCodeSpansAreCode() throws {
        let html = try Self.html.get()
        #expect(html.contains("then add them to <code>allowed</code> and plan retraining"))
        #expect(!html.contains("`allowed`"))
    }

    @Test func headingsDescendOneLevelAtATime() throws {
        let html = try Self.html.get()
        let levels = matches("<h([1-6])[ >]", in: html).map { Int(String($0.dropFirst(2).prefix(1)))! }
        #expect(levels.first == 1)
        #expect(levels.filter { $0 == 1 }.count == 1)
        for (a, b) in zip(levels, levels.dropFirst()) { #expect(b <= a + 1, "h\(a) then h\(b)") }
        for section in ["verdict", "findings", "quality", "drift", "performance", "operational", "debt", "trends", "definitions", "provenance"] {
            #expect(html.contains("<h2 id=\"\(section)\">"), "\(section)")
        }
    }

    @Test func everyChartHasATitleAndEveryTableHeaders() throws {
        let html = try Self.html.get()
        let svgs = matches("<svg.*?</svg>", in: html)
        #expect(svgs.count >= 6)
        for svg in svgs {
            #expect(svg.contains("role=\"img\""))
            #expect(svg.contains("<title"))
        }
        let tables = matches("<table.*?</table>", in: html)
        #expect(tables.count >= 8)
        for t in tables {
            #expect(t.contains("<th scope=\"col\""))
            #expect(t.contains("<caption>"))
        }
    }

    @Test func severityIsSpelledOutNotOnlyColoured() throws {
        let html = try Self.html.get()
        #expect(html.contains("<span class=\"pill warning\">WARNING</span>"))
        #expect(html.contains("<span class=\"badge warning\">WARNING</span>"))
        #expect(html.contains(">Drifted</td>"))
        #expect(html.contains("hatched grey bar is the baseline"))
    }

    @Test func tagsAreBalanced() throws {
        let html = try Self.html.get()
        for tag in ["section", "table", "figure", "svg", "div", "dl", "ul", "main", "tbody", "thead", "tr"] {
            let open = matches("<\(tag)[ >]", in: html).count
            let close = matches("</\(tag)>", in: html).count
            #expect(open == close, "<\(tag)>: \(open) opened, \(close) closed")
        }
    }
}
