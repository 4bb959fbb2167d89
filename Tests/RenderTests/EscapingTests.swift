import AuditModel
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Render

/// SafeText, the one escaper per format (HTML, Markdown, terminal), and a property test over
/// the report writers: hostile strings from every Unicode plane put into every data field of
/// a real report give HTML with no tag from data and Markdown with no HTML, link or table cell
/// from data (docs/security.md).
@Suite("Escaping")
struct EscapingTests {
    static let payload = "\u{0600}<img src=x onerror=alert(1)>"

    // MARK: - SafeText, format by format

    @Test func htmlEscapesPerScalarEvenAfterAPrependScalar() {
        // U+0600 and "<" form one Character; the old escaper compared Characters.
        #expect(Array(Self.payload).first != "<" && Self.payload.count == 28)
        let out = SafeText.html(Self.payload)
        #expect(out == "\u{0600}&lt;img src=x onerror=alert(1)&gt;")
        #expect(SafeText.html("a\u{0600}&\"'\u{0301}>") == "a\u{0600}&amp;&quot;&#39;\u{0301}&gt;")
        #expect(HTMLTokens.startTags("<p>" + out + "</p>").map(\.name) == ["p"])
    }

    @Test func controlsBidiAndSeparatorsAreShownVisibly() {
        #expect(SafeText.html("a\u{202E}b\u{2028}c\u{1B}[31m\u{0}\u{85}") == "a\\u202Eb\\u2028c\\u001B[31m\\u0000\\u0085")
        #expect(SafeText.html("tab\there\nline") == "tab\there\nline")
        #expect(SafeText.terminal("\u{1B}]0;title\u{07}x\ny") == "\\u001B]0;title\\u0007x\\u000Ay")
        #expect(SafeText.terminal("a\nb\u{9B}2J", keepingLineFeeds: true) == "a\nb\\u009B2J")
        #expect(SafeText.markdown("\u{2066}x\u{2069}\u{FFFE}\u{10FFFF}") == "\\u2066x\\u2069\\uFFFE\\u{10FFFF}")
        for u in [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x2029, 0xFDD0] {
            #expect(SafeText.shownVisibly(Unicode.Scalar(u)!), "U+\(String(u, radix: 16))")
        }
        for u in [0x20, 0x41, 0xE9, 0x0600, 0x0301, 0x200D, 0x4E2D, 0x1F600, 0xE000] {
            #expect(!SafeText.shownVisibly(Unicode.Scalar(u)!), "U+\(String(u, radix: 16))")
        }
    }

    @Test func markdownStaysText() {
        #expect(SafeText.markdown("a|b") == "a\\|b")
        #expect(SafeText.markdown("\\|") == "\\\\\\|")
        #expect(SafeText.markdown("[x](http://e.vil)") == "\\[x\\](http\\[:\\]//e.vil)")
        #expect(SafeText.markdown("<http://e.vil>") == "&lt;http\\[:\\]//e.vil&gt;")
        #expect(SafeText.markdown("see WWW.e.vil or a@b.c") == "see WWW\\[.\\]e.vil or a\\[@\\]b.c")
        #expect(SafeText.markdown("*_~`$&") == "\\*\\_\\~\\`\\$&amp;")
        #expect(SafeText.markdown("# h") == "\\# h")
        #expect(SafeText.markdown("- item") == "\\- item")
        #expect(SafeText.markdown("-0.5") == "-0.5")
        #expect(SafeText.markdown("12. x") == "12\\. x")
        #expect(SafeText.markdown("  indented") == "&#32;&#32;indented")
        #expect(SafeText.markdown("a\nb\r\nc") == "a\\u000Ab\\u000D\\u000Ac")
        #expect(SafeText.markdown("\u{0600}<b>") == "\u{0600}&lt;b&gt;")
    }

    @Test func codeSpansFenceLongerThanAnyBacktickRun() {
        #expect(SafeText.markdownCode("reports/x") == "`reports/x`")
        #expect(SafeText.markdownCode("a`b") == "``a`b``")
        #expect(SafeText.markdownCode("a```b``c") == "````a```b``c````")
        #expect(SafeText.markdownCode("`x") == "`` `x ``")
        #expect(SafeText.markdownCode("a\nb") == "`a\\u000Ab`")
        #expect(MarkdownSyntax.tokens(SafeText.markdownCode("x``[y](z)<b>|")) == [["code"]])
    }

    // MARK: - Property test over the report writers

    static let markup = [
        "<", ">", "&", "\"", "'", "|", "`", "``", "```", "[", "]", "(", ")", "\\", "*", "_", "~", "$", "#", "@", "!", "-", " ",
        "://", "www.", "http://e.vil/x", "<http://e.vil>", "[a](javascript:alert(1))", "![i](x)", "<img src=x onerror=alert(1)>",
        "</td></tr></table><script>", "&lt;", "&#60;", "<!--", "-->", "\n", "\r\n", "\t", "\u{0}", "\u{1B}[31m", "\u{7F}",
        "\u{85}", "\u{9B}", "1. ", "# ", "---",
    ]
    static let prepend: [UInt32] = [0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x08E2, 0x110BD, 0x111C2]
    static let combining: [UInt32] = [0x0300, 0x0301, 0x0338, 0x20D2, 0x200D, 0xFE0F, 0x1F3FB]
    static let bidi: [UInt32] = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029, 0xFEFF]

    static func hostile(_ rng: inout SeededRandom) -> String {
        var s = ""
        for _ in 0..<Int.random(in: 1...14, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1: s += markup.randomElement(using: &rng)!
            case 2: s.unicodeScalars.append(Unicode.Scalar(prepend.randomElement(using: &rng)!)!)
            case 3: s.unicodeScalars.append(Unicode.Scalar(combining.randomElement(using: &rng)!)!)
            case 4: s.unicodeScalars.append(Unicode.Scalar(bidi.randomElement(using: &rng)!)!)
            default:
                // Any scalar of any plane, noncharacters and private use included.
                let plane = UInt32.random(in: 0...16, using: &rng)
                let v = plane << 16 | UInt32.random(in: 0...0xFFFF, using: &rng)
                if let u = Unicode.Scalar(v) { s.unicodeScalars.append(u) }
            }
        }
        return s
    }

    /// `data` with every string that comes from data (values, headers, file names, model
    /// configs, the description) replaced by `v` + the original, so order and uniqueness stay.
    static func substituted(_ d: ReportData, _ v: String) -> ReportData {
        func c(_ s: String) -> String { v + s }
        var definition = d.definition
        definition.description = v
        var snapshot = d.snapshot, baseline = d.baseline
        snapshot.sourcePath = c(snapshot.sourcePath)
        baseline.sourcePath = c(baseline.sourcePath)
        let findings = d.findings.map { f -> Finding in
            var f = f
            f.column = f.column.map(c)
            f.message = c(f.message)
            f.observed = f.observed.map(c)
            f.expected = f.expected.map(c)
            return f
        }
        let drift = d.drift.map { r -> DriftResult in
            var r = r
            r.column = c(r.column)
            return r
        }
        let samples = d.quarantineSamples.map { q -> QuarantinedRow in
            var q = q
            q.file = c(q.file)
            q.raw = c(q.raw)
            q.reason = c(q.reason)
            q.column = q.column.map(c)
            return q
        }
        return ReportData(
            definition: definition, definitionPath: c(d.definitionPath), definitionSha256: d.definitionSha256,
            pipelineId: d.pipelineId, day: d.day, snapshot: snapshot, baseline: baseline, labels: d.labels, findings: findings,
            drift: drift, dayProfiles: Dictionary(uniqueKeysWithValues: d.dayProfiles.map { (c($0.key), $0.value) }),
            baseProfiles: Dictionary(uniqueKeysWithValues: d.baseProfiles.map { (c($0.key), $0.value) }),
            performance: d.performance, operational: d.operational, retraining: d.retraining,
            quarantineReasons: d.quarantineReasons.map { ValueCount(value: c($0.value), count: $0.count) },
            quarantineSamples: samples, nullRates: d.nullRates.map { (c($0.column), $0.rate) }, trends: d.trends,
            stages: d.stages, modelConfig: d.modelConfig.map { (c($0.path), $0.sha256) },
            trainingConfig: d.trainingConfig.map { (c($0.path), $0.sha256) })
    }

    struct Rendered {
        var html: [String] = []
        var markdown: [String] = []
    }

    static func render(_ data: ReportData, _ v: String) throws -> Rendered {
        let templates = try TemplateStore.load()
        let d = substituted(data, v)
        let summary = d.summary(version: 1)
        var out = Rendered()
        out.html.append(templates.html.render(ReportViewBuilder(data: d, summary: summary, escape: .html).build()))
        out.markdown.append(templates.markdown.render(ReportViewBuilder(data: d, summary: summary, escape: .markdown).build()))
        let index = try IndexTemplates.load()
        out.html.append(index.htmlHead.render(IndexHead(v + "tiny")))
        out.markdown.append(index.markdownHead.render(IndexHead(v + "tiny")))
        let ticket = TicketView(summary: summary, directory: v + "reports/tiny/2026-02-01/v1", manifestSha256: String(repeating: "a", count: 64),
                                files: ["report.html", "report.md", "summary.json"], definitionPath: v + "tiny.yaml")
        out.markdown.append(try TemplateStore.read("ticket.md.mustache").render(ticket))
        return out
    }

    /// Where two token lists first differ, or nil.
    static func firstDifference<T: Equatable>(_ a: [T], _ b: [T]) -> String? {
        guard a != b else { return nil }
        let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        return "at \(i): \(i < a.count ? "\(a[i])" : "end") instead of \(i < b.count ? "\(b[i])" : "end")"
    }

    static let data: Result<ReportData, any Error> = Result {
        let f = try RenderFixture(color: "purple")
        return try f.warehouse.read { try ReportData.read($0, loaded: f.loaded, day: Day("2026-02-01")!) }
    }

    @Test func hostileStringsNeverBecomeMarkup() throws {
        let data = try Self.data.get()
        // The structure of a report whose data is plain: every hostile rendering must match it.
        let plain = try Self.render(data, "x")
        let plainTags = plain.html.map(HTMLTokens.startTags)
        let plainMarkdown = plain.markdown.map(MarkdownSyntax.tokens)
        #expect(plainTags[0].count > 100 && plainMarkdown[0].count > 50)
        #expect(plainTags.joined().allSatisfy { !$0.attributes.contains { $0.hasPrefix("on") } })
        var rng = SeededRandom(seed: 0x12A)
        for _ in 0..<50 {
            let v = Self.hostile(&rng)
            let codes = v.unicodeScalars.map { String($0.value, radix: 16) }
            let r = try Self.render(data, v)
            for (k, html) in r.html.enumerated() {
                let diff = Self.firstDifference(HTMLTokens.startTags(html), plainTags[k])
                #expect(diff == nil, "HTML \(k): a tag from data for \(codes): \(diff ?? "")")
            }
            for (k, md) in r.markdown.enumerated() {
                let diff = Self.firstDifference(MarkdownSyntax.tokens(md), plainMarkdown[k])
                #expect(diff == nil, "Markdown \(k): markup from data for \(codes): \(diff ?? "")")
            }
        }
    }
}
