import AuditModel
import Foundation
import Testing
import TestSupport

@testable import Pipeline

/// The Prometheus textfile (docs/operations.md, "Prometheus"): read back by the Prometheus
/// project's own Python parser (scripts/parse_textfile.py, Debian python3-prometheus-client),
/// its numbers compared with summary.json read as plain JSON. When the parser is missing the
/// tests fail (never skip): `make deps` installs it.
@Suite("Prometheus textfile")
struct MetricsTextfileTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// One parsed sample: metric name, labels, value ("NaN", "+Inf", "-Inf" as strings).
    struct Parsed {
        var families: [[String: Any]]

        func samples(_ name: String) -> [(labels: [String: String], value: Any)] {
            families.flatMap { ($0["samples"] as? [[String: Any]]) ?? [] }.filter { $0["name"] as? String == name }.map {
                (($0["labels"] as? [String: String]) ?? [:], $0["value"] as Any)
            }
        }

        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples(name).first { $0.labels == labels }?.value as? Double
        }
    }

    /// Parses `path` with scripts/parse_textfile.py under Debian's python3.
    static func parse(_ path: String) throws -> Parsed {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [repository + "/scripts/parse_textfile.py", path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do {
            try p.run()
        } catch {
            throw TextfileCheckError("cannot start /usr/bin/python3 (\(error)); install python3 and python3-prometheus-client (make deps)")
        }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw TextfileCheckError("scripts/parse_textfile.py exited \(p.terminationStatus): \(e)")
        }
        let json = try JSONSerialization.jsonObject(with: o) as? [String: Any]
        return Parsed(families: (json?["families"] as? [[String: Any]]) ?? [])
    }

    struct TextfileCheckError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    @Test func aRunWritesATextfileWhoseNumbersAreTheSummarys() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 3))
        dir.write("days/2026-02-02.csv", TinyPipeline.csv(40, day: "2026-02-02", shift: 30))
        try FileManager.default.createDirectory(atPath: dir.path + "/textfile", withIntermediateDirectories: true)
        let before = Date().timeIntervalSince1970
        let r = try BuiltExecutable.run(["run", "tiny.yaml", "--metrics-textfile", "textfile/mlaudit.prom"], in: dir.path)
        let after = Date().timeIntervalSince1970
        #expect(r.status <= 1, "\(r.stderr)")
        let contents = try #require(dir.read("textfile/mlaudit.prom"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/textfile") == ["mlaudit.prom"], "no temporary file left")

        let parsed = try Self.parse(dir.path + "/textfile/mlaudit.prom")
        // The latest audited period's summary.json, read as plain JSON (not through AuditSummary).
        let summaryData = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/tiny/2026-02-02/v1/summary.json"))
        let summary = try #require(try JSONSerialization.jsonObject(with: summaryData) as? [String: Any])
        let p = ["pipeline": "tiny"]

        let rows = try #require(summary["rows"] as? [String: Int])
        for state in ["read", "stored", "quarantined"] {
            #expect(parsed.value("mlaudit_rows", p.merging(["state": state]) { a, _ in a }) == Double(rows[state]!))
        }
        let counts = try #require(summary["finding_counts"] as? [String: Int])
        for severity in ["critical", "warning", "info"] {
            #expect(parsed.value("mlaudit_findings", p.merging(["severity": severity]) { a, _ in a }) == Double(counts[severity]!))
        }
        let drift = try #require(summary["drift"] as? [String: Any])
        #expect(parsed.value("mlaudit_drifted_share", p) == drift["drifted_share"] as? Double)
        #expect((drift["drifted_share"] as? Double ?? 0) > 0, "the shifted day drifts: the value is not a default")
        let retraining = try #require((summary["retraining"] as? [String: Any])?["recommendation"] as? String)
        #expect(parsed.value("mlaudit_retraining_recommended", p) == (retraining == "recommended" ? 1 : 0))

        let metrics = try #require((summary["performance"] as? [String: Any])?["metrics"] as? [[String: Any]])
        var expectedMetrics = 0
        for m in metrics {
            guard let current = m["current"] as? Double, let name = m["name"] as? String else { continue }
            let estimated = name.hasPrefix("estimated_")
            let labels = p.merging(["metric": estimated ? String(name.dropFirst(10)) : name, "kind": estimated ? "estimated" : "realized"]) { a, _ in a }
            #expect(parsed.value("mlaudit_metric", labels) == current, "\(name)")
            expectedMetrics += 1
        }
        #expect(expectedMetrics >= 10)
        #expect(parsed.samples("mlaudit_metric").count == expectedMetrics)
        #expect(parsed.samples("mlaudit_metric").contains { $0.labels["kind"] == "estimated" })

        let operational = try #require((summary["operational"] as? [String: Any])?["metrics"] as? [[String: Any]])
        for (q, name) in [("0.5", "latency_p50_ms"), ("0.95", "latency_p95_ms"), ("0.99", "latency_p99_ms")] {
            let v = operational.first { $0["name"] as? String == name }?["current"] as? Double
            #expect(v != nil)
            #expect(parsed.value("mlaudit_latency_ms", p.merging(["quantile": q]) { a, _ in a }) == v)
        }
        #expect(parsed.value("mlaudit_audited_period_timestamp_seconds", p) == 1_769_990_400)  // 2026-02-02T00:00:00Z
        #expect(parsed.value("mlaudit_last_run_exit_status", p) == Double(r.status))
        let last = try #require(parsed.value("mlaudit_last_run_timestamp_seconds", p))
        #expect(last >= before.rounded(.down) && last <= after + 1)
        let duration = try #require(parsed.value("mlaudit_run_duration_seconds", p))
        #expect(duration > 0 && duration <= after - before + 1)

        // Every family has HELP and TYPE, and every sample carries the pipeline label.
        #expect(parsed.families.count == 14)
        for f in parsed.families {
            #expect(f["type"] as? String == "gauge")
            #expect(!((f["documentation"] as? String) ?? "").isEmpty)
            for s in (f["samples"] as? [[String: Any]]) ?? [] {
                #expect((s["labels"] as? [String: String])?["pipeline"] == "tiny")
            }
        }
        #expect(contents.hasPrefix("# HELP mlaudit_last_run_timestamp_seconds "))

        // A second call with nothing to do still refreshes the run numbers and keeps the report's.
        let again = try BuiltExecutable.run(["run", "tiny.yaml", "--metrics-textfile", "textfile/mlaudit.prom"], in: dir.path)
        #expect(again.stdout == "tiny: nothing to do (no new snapshot)\n")
        let reparsed = try Self.parse(dir.path + "/textfile/mlaudit.prom")
        #expect(reparsed.value("mlaudit_last_run_exit_status", p) == 0)
        #expect(reparsed.value("mlaudit_drifted_share", p) == drift["drifted_share"] as? Double)
        #expect(try #require(reparsed.value("mlaudit_last_run_timestamp_seconds", p)) >= last)
    }

    @Test func theDefinitionsKeyWritesTheFileAndAMissingFolderIsAnError() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: ".", extra: "metrics:\n  textfile: prom/tiny.prom\n"))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 3))
        let missing = try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("mlaudit: error: prom/tiny.prom: the folder of the metrics textfile does not exist."), "\(missing.stderr)")
        #expect(missing.stdout.hasPrefix("tiny 2026-02-01 "), "the audit itself ran and is reported")
        try FileManager.default.createDirectory(atPath: dir.path + "/prom", withIntermediateDirectories: true)
        let ok = try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path)
        #expect(ok.status == 0, "\(ok.stderr)")
        let parsed = try Self.parse(dir.path + "/prom/tiny.prom")
        #expect(parsed.value("mlaudit_rows", ["pipeline": "tiny", "state": "read"]) == 30)
    }

    /// Label values from outside (pipeline and metric names) are escaped per the format: the
    /// parser reads back exactly the value (backslash, quote, line feed), other controls shown
    /// as their code, long values cut; no value adds a line.
    @Test func hostileLabelValuesRoundTripThroughTheParser() throws {
        let hostile = [
            "a\\b", "quote\"d", "two\nlines", "cr\rhere", "sep\u{2028}x", "}{pipeline=\"evil\"} 1\n# TYPE x counter",
            String(repeating: "é", count: 5_000), "\u{202E}rtl", "tab\there", "emoji 😀", "",
        ]
        let expected = [
            "a\\b", "quote\"d", "two\nlines", "cr\\u000Dhere", "sep\\u2028x", "}{pipeline=\"evil\"} 1\n# TYPE x counter",
            SafeText.cut(String(repeating: "é", count: 5_000)), "\\u202Ertl", "tab\\u0009here", "emoji 😀", "",
        ]
        var family = PrometheusTextfile.Family(name: "mlaudit_test", help: "help with \\ and\nnewline")
        for (i, h) in hostile.enumerated() {
            family.samples.append(.init(labels: [("pipeline", h), ("i", String(i))], value: Double(i)))
        }
        family.samples.append(.init(labels: [("pipeline", "nan")], value: .nan))
        family.samples.append(.init(labels: [("pipeline", "inf")], value: .infinity))
        let text = PrometheusTextfile.render([family])
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 2 + hostile.count + 2 + 1)
        let dir = TemporaryDirectory()
        try PrometheusTextfile.write([], to: dir.path + "/empty.prom")
        let path = dir.write("hostile.prom", text)
        let parsed = try Self.parse(path)
        let samples = parsed.samples("mlaudit_test")
        #expect(samples.count == hostile.count + 2)
        for (i, e) in expected.enumerated() {
            #expect(samples.first { $0.labels["i"] == String(i) }?.labels["pipeline"] == e, "value \(i)")
        }
        #expect(samples.first { $0.labels["pipeline"] == "nan" }?.value as? String == "NaN")
        #expect(samples.first { $0.labels["pipeline"] == "inf" }?.value as? String == "+Inf")
        #expect(parsed.families.first?["documentation"] as? String == "help with \\ and\nnewline")
        // An empty run list still gives a valid file with every family declared.
        #expect(try Self.parse(dir.path + "/empty.prom").families.count == 14)
    }

    @Test(arguments: [
        (0.0, "0"), (30.0, "30"), (-2.0, "-2"), (0.25, "0.25"), (1e-5, "1e-05"), (1e20, "1e+20"), (Double.nan, "NaN"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (1_764_000_000.123, "1764000000.123"),
    ])
    func numbersAreWrittenInTheFormatsSpelling(_ value: Double, _ text: String) {
        #expect(PrometheusTextfile.number(value) == text)
    }
}
