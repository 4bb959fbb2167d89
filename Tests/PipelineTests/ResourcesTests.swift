import AuditModel
import Definition
import Foundation
import Testing
import TestSupport
import Warehouse

@testable import Pipeline

/// `operational.resources` end to end: ingest (quarantine with reasons), the audit per host
/// against pandas (scripts/reference/resources_reference.py, fixtures in
/// Tests/CompareTests/Fixtures), findings, summary.json, the report and the textfile.
@Suite("Serving resources")
struct ResourcesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CompareTests/Fixtures").path

    static let extra = """
        operational:
          resources:
            path: resources/{date}.csv
            columns: {timestamp: ts, host: node, cpu: cpu_pct, memory_bytes: mem_used, memory_total_bytes: mem_total, disk_used_share: disk, io_wait: iowait, up: is_up}
            memory_total_bytes: 17179869184
            sample_interval_seconds: 600
        """

    /// What the format's parser reads back from `SafeText.prometheusLabel(s)`: `\\`, `\"` and
    /// `\n` unescaped (scalars shown by their code stay as that text).
    static func parsedLabel(_ s: String) -> String {
        var out = ""
        var it = SafeText.prometheusLabel(s).unicodeScalars.makeIterator()
        while let u = it.next() {
            if u == "\\", let n = it.next() { out.unicodeScalars.append(n == "n" ? "\n" : n) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    func reference(_ key: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/resources_reference.json"))
        let all = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(all[key] as? [String: Any])
    }

    /// Runs the tiny pipeline on 2026-03-02 with `resources` (a fixture's name, or nil: no file).
    func run(_ dir: TemporaryDirectory, resources: String?) throws -> (AuditSummary, LoadedDefinition) {
        let loaded = try TinyPipeline.load(dir, extra: Self.extra)
        dir.write("baseline.csv", TinyPipeline.csv(90, day: "2026-01-01"))
        dir.write("days/2026-03-02.csv", TinyPipeline.csv(30, day: "2026-03-02"))
        if let resources {
            let text = try String(contentsOfFile: Self.fixtures + "/" + resources, encoding: .utf8)
            dir.write("resources/2026-03-02.csv", text)
        }
        let r = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        let outcome = r.run(days: [Day("2026-03-02")!])
        let report = try #require(outcome.days.first?.report)
        #expect(report.version == 1)
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/tiny/2026-03-02/v1/summary.json"))
        let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/summary.schema.json")
        let schema = try JSONSchemaSubset(Data(contentsOf: schemaPath))
        #expect(schema.errors(try JSONValue.parse(data)) == [])
        return (try SummaryJSON.decode(AuditSummary.self, from: data), loaded)
    }

    func close(_ a: Double?, _ b: Any?, _ what: String) {
        let e = referenceNumber(b)
        guard let a, let e else {
            #expect(a == nil && e == nil, "\(what): \(String(describing: a)) vs \(String(describing: e))")
            return
        }
        #expect(abs(a - e) <= 1e-12 * max(1, abs(e)), "\(what): \(a) vs pandas \(e)")
    }

    func expectHostsMatch(_ section: AuditSummary.ResourcesSection, _ ref: [String: Any]) throws {
        #expect(section.rowsRead == ref["rows_read"] as? Int)
        #expect(section.rowsStored == ref["rows_stored"] as? Int)
        #expect(section.rowsQuarantined == ref["rows_quarantined"] as? Int)
        #expect(section.samplesOutsidePeriod == ref["samples_outside_period"] as? Int)
        #expect(section.expectedSamples == ref["expected_samples"] as? Int)
        let hosts = try #require(ref["hosts"] as? [[String: Any]])
        #expect(section.hosts.map(\.host) == hosts.map { $0["host"] as? String ?? "" })
        for (h, e) in zip(section.hosts, hosts) {
            #expect(h.samples == e["samples"] as? Int, "\(h.host)")
            #expect(h.upSlots == e["up_slots"] as? Int, "\(h.host)")
            close(h.uptimeShare, e["uptime_share"], "\(h.host) uptime")
            close(h.maxMemoryShare, e["max_memory_share"], "\(h.host) memory")
            close(h.maxDiskUsedShare, e["max_disk_used_share"], "\(h.host) disk")
            close(h.meanCpu, e["mean_cpu"], "\(h.host) mean cpu")
            close(h.maxCpu, e["max_cpu"], "\(h.host) max cpu")
            close(h.meanIoWait, e["mean_io_wait"], "\(h.host) mean io")
            close(h.maxIoWait, e["max_io_wait"], "\(h.host) max io")
        }
    }

    @Test func hostsAreAuditedAsPandasComputesThemAndBadRowsAreQuarantined() throws {
        let dir = TemporaryDirectory()
        let (s, loaded) = try run(dir, resources: "resources_reference.csv")
        let section = try #require(s.operational.resources)
        try expectHostsMatch(section, try reference("incidents"))
        #expect(section.periodStart == "2026-03-02T00:00:00.000Z" && section.periodEnd == "2026-03-03T00:00:00.000Z")
        #expect(section.sampleIntervalSeconds == 600)
        #expect(section.minUptimeShare == section.hosts.map(\.uptimeShare).min())

        // Findings: web-2 memory 93 % (warning over 90 %), the db host's disk 97 % (critical
        // over 95 %), uptime of web-2 (132/144) and the db host (72/144) under 95 % (critical);
        // the quarantined rows (info). Nothing about web-1.
        let resources = s.findings.filter { $0.check.contains("resources") }
        func find(_ check: CheckInfo) -> [AuditSummary.FindingRecord] { resources.filter { $0.check == check.id } }
        #expect(find(CheckCatalog.resourcesMemory).map(\.severity) == [.warning])
        #expect(find(CheckCatalog.resourcesMemory).first?.message.contains("'web-2'") == true)
        #expect(find(CheckCatalog.resourcesDisk).map(\.severity) == [.critical])
        #expect(find(CheckCatalog.resourcesUptime).map(\.severity) == [.critical, .critical])
        #expect(find(CheckCatalog.resourcesQuarantined).map(\.severity) == [.info])
        #expect(find(CheckCatalog.resourcesQuarantined).first?.message.hasPrefix("9 of 364") == true)
        #expect(!resources.contains { $0.message.contains("web-1") })
        #expect(find(CheckCatalog.resourcesMissing).isEmpty)

        // Every quarantined row is kept with its reason.
        let w = try Warehouse(path: dir.path + "/tiny.sqlite")
        try w.read { store in
            let p = try #require(try store.ensurePipelineIfExists("tiny"))
            let file = try #require(try store.resourceFile(pipelineId: p, date: "2026-03-02"))
            #expect(file.rowsRead == 364 && file.rowsStored == 355 && file.rowsQuarantined == 9)
            let q = try store.resourceQuarantined(fileId: file.id, limit: 100)
            #expect(q.count == 9)
            #expect(q.allSatisfy { !$0.reason.isEmpty && $0.line >= 2 })
            #expect(q.contains { $0.reason.contains("disk_used_share 1.5 is outside [0, 1]") && $0.column == "disk" })
            #expect(q.contains { $0.reason.contains("memory_bytes -5 is negative") })
            #expect(q.contains { $0.reason.contains("not finite") })
            #expect(try store.resourceSamples(fileId: file.id).count == 355)
        }
        _ = loaded

        // The report: the hostile host name escaped in HTML and Markdown.
        let html = try #require(dir.read("reports/tiny/2026-03-02/v1/report.html"))
        let md = try #require(dir.read("reports/tiny/2026-03-02/v1/report.md"))
        #expect(html.contains("Serving hosts") && md.contains("### Serving hosts"))
        #expect(!html.contains("<b>&amp;amp;") && html.contains("db &lt;b&gt;&amp;amp;"))
        #expect(!html.contains("\u{202E}") && !md.contains("\u{202E}"))
        let row = try #require(md.split(separator: "\n").first { $0.hasPrefix("| db") })
        #expect(row.contains("\\|"), "the host's pipe is escaped: \(row)")
        #expect(row.replacingOccurrences(of: "\\|", with: "").split(separator: "|", omittingEmptySubsequences: false).count == 9, "\(row)")

        // The textfile: one sample per host of each resource family.
        let families = PrometheusTextfile.families([
            PipelineMetrics(pipeline: "tiny", runFinished: Date(), runDuration: 1, exitStatus: 0, summary: s)
        ])
        let uptime = try #require(families.first { $0.name == "mlaudit_resource_uptime_share" })
        #expect(uptime.samples.map { $0.labels[1].1 } == section.hosts.map(\.host))
        #expect(uptime.samples.map(\.value) == section.hosts.map(\.uptimeShare))
        let memory = try #require(families.first { $0.name == "mlaudit_resource_memory_share_max" })
        #expect(memory.samples.count == 3)
        // Prometheus' own parser reads the hostile host label back (escaped per the format).
        try PrometheusTextfile.write(
            [PipelineMetrics(pipeline: "tiny", runFinished: Date(), runDuration: 1, exitStatus: 0, summary: s)],
            to: dir.path + "/r.prom")
        let parsed = try MetricsTextfileTests.parse(dir.path + "/r.prom")
        #expect(parsed.families.count == 14)
        for h in section.hosts {
            let labels = ["pipeline": "tiny", "host": Self.parsedLabel(h.host)]
            #expect(parsed.value("mlaudit_resource_uptime_share", labels) == h.uptimeShare, "\(h.host)")
            #expect(parsed.value("mlaudit_resource_disk_used_share_max", labels) == h.maxDiskUsedShare, "\(h.host)")
            #expect(parsed.value("mlaudit_resource_samples", labels) == Double(h.samples), "\(h.host)")
        }
    }

    @Test func aCleanResourcesFileGivesNoFinding() throws {
        let dir = TemporaryDirectory()
        let (s, _) = try run(dir, resources: "resources_clean.csv")
        let section = try #require(s.operational.resources)
        try expectHostsMatch(section, try reference("clean"))
        #expect(!s.findings.contains { $0.check.contains("resources") }, "\(s.findings.map(\.message))")
    }

    @Test func aMissingResourcesFileIsAMonitoringGap() throws {
        let dir = TemporaryDirectory()
        let (s, _) = try run(dir, resources: nil)
        let section = try #require(s.operational.resources)
        #expect(section.path == nil && section.hosts.isEmpty && section.minUptimeShare == nil)
        let gap = s.findings.filter { $0.check == CheckCatalog.resourcesMissing.id }
        #expect(gap.map(\.severity) == [.warning])
    }

    /// `retention.raw_days` deletes old resource samples (the file record and its quarantined
    /// rows stay); re-auditing that day with the same file back loads them again, so the
    /// results are the same and no new report version is written.
    @Test func retentionDeletesOldSamplesAndAReauditLoadsThemAgain() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir, extra: Self.extra + "\nretention:\n  raw_days: 3")
        dir.write("baseline.csv", TinyPipeline.csv(90, day: "2026-01-01"))
        let incident = try String(contentsOfFile: Self.fixtures + "/resources_reference.csv", encoding: .utf8)
        for d in ["2026-03-02", "2026-03-06"] { dir.write("days/\(d).csv", TinyPipeline.csv(30, day: d)) }
        dir.write("resources/2026-03-02.csv", incident)
        let r = PipelineRunner(loaded: loaded, logger: testLogger, command: "test")
        let first = r.run(days: [Day("2026-03-02")!, Day("2026-03-06")!])
        #expect(first.days.allSatisfy { $0.error == nil })
        let w = try r.openWarehouse()
        func state() throws -> (file: ResourceFileRecord, samples: Bool, quarantined: Int) {
            try w.read { store in
                let file = try #require(try store.resourceFile(pipelineId: 1, date: "2026-03-02"))
                return (file, try store.hasResourceSamples(fileId: file.id),
                        try store.resourceQuarantined(fileId: file.id, limit: 1000).count)
            }
        }
        let purged = try state()
        #expect(!purged.samples, "2026-03-02 is older than 3 days before 2026-03-06")
        #expect(purged.file.rowsRead == 364 && purged.file.rowsQuarantined == 9 && purged.quarantined == 9)
        let before = try #require(dir.read("reports/tiny/2026-03-02/v1/summary.json"))
        #expect(before.contains("\"hosts\""))

        let redo = r.run(days: [Day("2026-03-02")!], force: true)
        #expect(redo.days[0].error == nil)
        #expect(redo.days[0].report?.version == 1, "the same samples again: the same results")
        #expect(redo.days[0].report?.written == false)
        #expect(!dir.exists("reports/tiny/2026-03-02/v2"))
        let again = try state()
        #expect(!again.samples && again.quarantined == 9 && again.file.rowsRead == 364,
                "loaded again, and retention deleted its samples again at the end")
    }

    @Test func withoutResourcesTheSummaryHasNoResourcesKey() throws {
        let dir = TemporaryDirectory()
        let loaded = try TinyPipeline.load(dir)
        dir.write("baseline.csv", TinyPipeline.csv(90, day: "2026-01-01"))
        dir.write("days/2026-03-02.csv", TinyPipeline.csv(30, day: "2026-03-02"))
        _ = PipelineRunner(loaded: loaded, logger: testLogger, command: "test").run(days: [Day("2026-03-02")!])
        let text = try #require(dir.read("reports/tiny/2026-03-02/v1/summary.json"))
        #expect(!text.contains("resources"))
    }
}
