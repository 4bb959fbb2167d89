import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Render

/// The fleet page (`mlaudit render --fleet DIR`): a golden file of a fixed overview, its
/// structure (one row per pipeline, the reports' CSP, links relative to the page), and hostile
/// values that stay text (docs/operations.md, "Fleet overview").
@Suite("Fleet page")
struct FleetPageTests {
    static func entry(_ name: String, period: String?, status: AuditStatus?, critical: Int?, warning: Int?, stale: Bool, run: FleetStatus.Run?)
        -> FleetStatus.Entry
    {
        var e = FleetStatus.Entry(pipeline: name, definition: "pipelines/\(name).yaml", cadence: .daily, index: "reports/\(name)/index.html", staleAfterDays: 2)
        e.latestPeriod = period
        e.reportVersion = period == nil ? nil : 2
        e.status = status
        e.critical = critical
        e.warning = warning
        e.retraining = status == nil ? nil : status == .critical ? .recommended : .notNeeded
        e.report = period.map { "reports/\(name)/\($0)/v2/report.html" }
        e.stale = stale
        e.lastRun = run
        return e
    }

    static let fixed = FleetStatus(generatedAt: "2026-12-03T06:00:00.000Z", pipelines: [
        entry("churn", period: "2026-12-02", status: .critical, critical: 2, warning: 1, stale: false,
              run: .init(startedAt: "2026-12-03T02:30:00.000Z", finishedAt: "2026-12-03T02:31:10.250Z", status: "ok", exitStatus: 1)),
        entry("fraud", period: "2026-11-20", status: .ok, critical: 0, warning: 0, stale: true,
              run: .init(startedAt: "2026-11-21T02:30:00.000Z", finishedAt: "2026-11-21T02:30:09.000Z", status: "failed", exitStatus: 2)),
        entry("new-model", period: nil, status: nil, critical: nil, warning: nil, stale: true, run: nil),
    ])

    @Test func matchesTheGoldenPage() throws {
        let html = try FleetPage.html(Self.fixed, folder: "site", currentDirectory: "/srv/mlaudit")
        let message = Golden.compare(html, name: "fleet.index.html")
        #expect(message == nil, "\(message ?? "")")
    }

    @Test func oneRowPerPipelineWithRelativeLinksAndTheCSP() throws {
        let html = try FleetPage.html(Self.fixed, folder: "site/fleet", currentDirectory: "/srv/mlaudit")
        #expect(html.contains(#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">"#))
        let tags = HTMLTokens.startTags(html)
        #expect(tags.filter { $0.name == "tr" }.count == 1 + 3)
        #expect(!tags.contains { $0.name == "script" || $0.name == "link" || $0.name == "img" })
        #expect(html.contains(#"<a href="../../reports/churn/index.html">churn</a>"#))
        #expect(html.contains(#"<a href="../../reports/churn/2026-12-02/v2/report.html">2026-12-02</a>"#))
        #expect(html.contains("<span class=\"badge critical\">CRITICAL</span>"))
        #expect(html.contains("2026-11-21T02:30:09.000Z <span class=\"badge failed\">FAILED</span> <span class=\"badge stale\">STALE</span>"))
        #expect(html.contains("<span class=\"muted\">not audited yet</span>"))
        #expect(html.contains("3 pipelines: 1 critical, 0 warning, 2 stale."))
        // An absolute report root elsewhere: the link climbs to it.
        #expect(FleetPage.href(from: "/srv/mlaudit/site", to: "/data/reports/x/index.html") == "../../../data/reports/x/index.html")
        #expect(FleetPage.href(from: "/srv/mlaudit", to: "/srv/mlaudit/reports/x/index.html") == "reports/x/index.html")
        #expect(FleetPage.absolute("./a/../b/./c", "/w") == "/w/b/c")
    }

    @Test func hostileValuesStayText() throws {
        let payload = "\u{0600}<img src=x onerror=alert(1)>\"'&\u{202E}"
        var e = Self.entry(payload, period: "2026-12-02", status: .warning, critical: 0, warning: 1, stale: false,
                           run: .init(startedAt: payload, finishedAt: nil, status: "<b>running</b>", exitStatus: nil))
        e.index = "javascript:alert(1)/\"><script>x</script>/index.html"
        e.report = "reports/a b?c#d/report.html"
        var broken = Self.entry("broken", period: nil, status: nil, critical: nil, warning: nil, stale: true, run: nil)
        broken.error = "cannot open <warehouse>\n" + String(repeating: "x", count: 10_000)
        let html = try FleetPage.html(FleetStatus(generatedAt: "2026-12-03T06:00:00.000Z", pipelines: [e, broken]), folder: ".", currentDirectory: "/w")
        let tags = HTMLTokens.startTags(html)
        #expect(!tags.contains { ["img", "script", "b", "warehouse"].contains($0.name) }, "\(tags)")
        #expect(html.contains("\u{0600}&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;\\u202E"))
        #expect(html.contains(#"href="javascript%3Aalert%281%29/%22%3E%3Cscript%3Ex%3C/script%3E/index.html""#))
        #expect(html.contains(#"href="reports/a%20b%3Fc%23d/report.html""#))
        #expect(html.utf8.count < 20_000, "an error message is cut")
    }
}
