import AuditModel
import Foundation

/// One pipeline's numbers for the Prometheus textfile: the run that just ended and the report
/// of the pipeline's latest audited period.
public struct PipelineMetrics: Sendable {
    public var pipeline: String
    /// When the run ended.
    public var runFinished: Date
    /// How long the run took (the lock, the baseline, every day, retention).
    public var runDuration: TimeInterval
    /// The run's exit status (0, 1 or 2; docs/operations.md).
    public var exitStatus: Int32
    /// The latest audited period's summary.json; nil when the pipeline has no report yet.
    public var summary: AuditSummary?

    public init(pipeline: String, runFinished: Date, runDuration: TimeInterval, exitStatus: Int32, summary: AuditSummary?) {
        self.pipeline = pipeline
        self.runFinished = runFinished
        self.runDuration = runDuration
        self.exitStatus = exitStatus
        self.summary = summary
    }
}

/// The Prometheus text exposition format (version 0.0.4), written by MLAudit itself for
/// node_exporter's textfile collector (docs/operations.md, "Prometheus"): one family per
/// metric, every sample labelled with its pipeline, label values escaped by
/// ``SafeText/prometheusLabel(_:)``, the file replaced atomically.
public enum PrometheusTextfile {
    /// The most samples of `mlaudit_metric` per pipeline (the performance metrics of a
    /// report are a fixed list today; the bound keeps the file small whatever comes).
    public static let maxMetricSamples = 200
    /// The most serving hosts per pipeline in the `mlaudit_resource_*` families (in host order).
    public static let maxResourceHosts = 200

    /// One metric family: its HELP and TYPE lines and its samples.
    public struct Family: Sendable, Equatable {
        public var name: String
        public var help: String
        public var type: String = "gauge"
        public var samples: [Sample] = []
    }

    /// One sample: label pairs (in order) and a value.
    public struct Sample: Sendable, Equatable {
        public var labels: [(String, String)]
        public var value: Double

        public static func == (a: Sample, b: Sample) -> Bool {
            a.value.bitPattern == b.value.bitPattern && a.labels.map(\.0) == b.labels.map(\.0) && a.labels.map(\.1) == b.labels.map(\.1)
        }
    }

    /// The families for `entries`, in a fixed order; every family is present (with HELP and
    /// TYPE) even when no pipeline has a sample for it.
    public static func families(_ entries: [PipelineMetrics]) -> [Family] {
        var lastRun = Family(name: "mlaudit_last_run_timestamp_seconds", help: "Unix time at which the last mlaudit run of the pipeline ended.")
        var duration = Family(name: "mlaudit_run_duration_seconds", help: "Wall-clock duration of the last mlaudit run of the pipeline.")
        var exit = Family(name: "mlaudit_last_run_exit_status", help: "Exit status of the last run: 0 ok, 1 findings at or above --fail-on, 2 could not finish.")
        var period = Family(name: "mlaudit_audited_period_timestamp_seconds", help: "Unix time of the start (00:00 UTC) of the latest audited period.")
        var rows = Family(name: "mlaudit_rows", help: "Rows of the latest audited period: read = stored + quarantined.")
        var findings = Family(name: "mlaudit_findings", help: "Findings of the latest audited period by severity.")
        var drifted = Family(name: "mlaudit_drifted_share", help: "Share of features that drifted in the latest audited period.")
        var metric = Family(name: "mlaudit_metric", help: "Model performance metrics of the latest audited period: realized (from labels) or estimated (CBPE).")
        var latency = Family(name: "mlaudit_latency_ms", help: "Serving latency quantiles of the latest audited period, in milliseconds.")
        var retraining = Family(name: "mlaudit_retraining_recommended", help: "1 when the latest audited period recommends retraining, else 0 (watch and not_needed).")
        var uptime = Family(name: "mlaudit_resource_uptime_share", help: "Share of the sampling intervals of the latest audited period in which the serving host was up (operational.resources).")
        var memory = Family(name: "mlaudit_resource_memory_share_max", help: "Highest memory share (used / total) of the serving host over the latest audited period.")
        var disk = Family(name: "mlaudit_resource_disk_used_share_max", help: "Highest disk used share of the serving host over the latest audited period.")
        var samples = Family(name: "mlaudit_resource_samples", help: "Resource samples of the serving host inside the latest audited period.")
        for e in entries {
            let p = ("pipeline", e.pipeline)
            lastRun.samples.append(.init(labels: [p], value: (e.runFinished.timeIntervalSince1970 * 1000).rounded() / 1000))
            duration.samples.append(.init(labels: [p], value: (e.runDuration * 1000).rounded() / 1000))
            exit.samples.append(.init(labels: [p], value: Double(e.exitStatus)))
            guard let s = e.summary else { continue }
            if let day = Day(s.date) { period.samples.append(.init(labels: [p], value: Double(day.startEpochSeconds))) }
            for (state, n) in [("read", s.rows.read), ("stored", s.rows.stored), ("quarantined", s.rows.quarantined)] {
                rows.samples.append(.init(labels: [p, ("state", state)], value: Double(n)))
            }
            let c = s.findingCounts
            for (severity, n) in [("critical", c.critical), ("warning", c.warning), ("info", c.info)] {
                findings.samples.append(.init(labels: [p, ("severity", severity)], value: Double(n)))
            }
            drifted.samples.append(.init(labels: [p], value: s.drift.driftedShare))
            var count = 0
            for m in s.performance.metrics {
                guard let v = m.current, count < maxMetricSamples else { continue }
                let estimated = SectionMetricName.isEstimated(m.name)
                let name = SectionMetricName.measured(m.name)
                metric.samples.append(.init(labels: [p, ("metric", name), ("kind", estimated ? "estimated" : "realized")], value: v))
                count += 1
            }
            for (quantile, name) in latencyMetrics {
                if let v = s.operational.metrics.first(where: { $0.name == name.rawValue })?.current {
                    latency.samples.append(.init(labels: [p, ("quantile", quantile)], value: v))
                }
            }
            retraining.samples.append(.init(labels: [p], value: s.retraining.recommendation == .recommended ? 1 : 0))
            for h in (s.operational.resources?.hosts ?? []).prefix(maxResourceHosts) {
                let labels = [p, ("host", h.host)]
                uptime.samples.append(.init(labels: labels, value: h.uptimeShare))
                if let v = h.maxMemoryShare { memory.samples.append(.init(labels: labels, value: v)) }
                if let v = h.maxDiskUsedShare { disk.samples.append(.init(labels: labels, value: v)) }
                samples.samples.append(.init(labels: labels, value: Double(h.samples)))
            }
        }
        return [lastRun, duration, exit, period, rows, findings, drifted, metric, latency, retraining, uptime, memory, disk, samples]
    }

    /// summary.json's operational latency metrics by quantile.
    static let latencyMetrics: [(String, SectionMetricName)] = [("0.5", .latencyP50Ms), ("0.95", .latencyP95Ms), ("0.99", .latencyP99Ms)]

    /// The text of `families`: `# HELP`, `# TYPE`, then one line per sample.
    public static func render(_ families: [Family]) -> String {
        var out = ""
        for f in families {
            out += "# HELP \(f.name) \(helpText(f.help))\n"
            out += "# TYPE \(f.name) \(f.type)\n"
            for s in f.samples {
                out += f.name
                if !s.labels.isEmpty {
                    out += "{" + s.labels.map { "\($0.0)=\"\(SafeText.prometheusLabel($0.1))\"" }.joined(separator: ",") + "}"
                }
                out += " " + number(s.value) + "\n"
            }
        }
        return out
    }

    /// HELP text: backslash and line feed escaped, as the format asks.
    static func helpText(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }

    /// A sample value as the format writes it: `NaN`, `+Inf`, `-Inf`, integers without a
    /// fraction, other numbers in Swift's shortest round-trip form (`0.25`, `1e-05`).
    public static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// Writes the textfile for `entries` to `path` atomically: a temporary file in the same
    /// folder (named so that node_exporter, which reads only `*.prom`, never sees it), flushed
    /// to disk, then renamed over `path`; the folder is flushed too. The folder must exist.
    ///
    /// - Throws: `MLAuditError.output` naming the path when the file cannot be written.
    public static func write(_ entries: [PipelineMetrics], to path: String) throws {
        let text = render(families(entries))
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MLAuditError(
                .output, "the folder of the metrics textfile does not exist", file: path,
                hint: "Create it (node_exporter's --collector.textfile.directory), or fix 'metrics.textfile' / --metrics-textfile.")
        }
        let temp = folder + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())"
        func failure(_ what: String) -> MLAuditError {
            MLAuditError(.output, "cannot write the metrics textfile: \(what)", file: path, hint: "Check the folder's permissions and free space.")
        }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(String(cString: strerror(errno))) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let message = String(cString: strerror(errno))
                close(fd)
                unlink(temp)
                throw failure(message)
            }
            written += n
        }
        if fsync(fd) != 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            unlink(temp)
            throw failure(message)
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let message = String(cString: strerror(errno))
            unlink(temp)
            throw failure(message)
        }
        let dfd = open(folder, O_RDONLY)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
