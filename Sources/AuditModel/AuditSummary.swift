/// summary.json: the machine-readable contract of one audited day (docs/summary.md).
///
/// Field names are part of the contract: tests, schedulers and tickets rely on them. Add
/// freely; rename or remove only with a new `schema_version`.
public struct AuditSummary: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var tool: ToolInfo
    public var pipeline: String
    public var model: ModelInfo
    public var date: String
    /// Report version (the N of vN).
    public var version: Int
    public var status: AuditStatus
    public var rows: RowCounts
    public var snapshot: SnapshotInfo
    public var findingCounts: SeverityCounts
    public var findings: [FindingRecord]
    public var drift: DriftSection
    public var performance: PerformanceSection
    public var operational: OperationalSection
    public var retraining: RetrainingSection
    /// Per protected attribute, when the definition has `fairness:` (docs/fairness.md); absent otherwise.
    public var fairness: [FairnessAttribute]?
    /// Per segment, when the definition has `segments:` (docs/segments.md); absent otherwise.
    public var segments: [Segment]?

    public enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case tool, pipeline, model, date, version, status, rows, snapshot
        case findingCounts = "finding_counts"
        case findings, drift, performance, operational, retraining, fairness, segments
    }

    public init(
        tool: ToolInfo, pipeline: String, model: ModelInfo, date: String, version: Int, status: AuditStatus,
        rows: RowCounts, snapshot: SnapshotInfo, findings: [FindingRecord], drift: DriftSection,
        performance: PerformanceSection, operational: OperationalSection, retraining: RetrainingSection
    ) {
        self.schemaVersion = AuditSummary.currentSchemaVersion
        self.tool = tool
        self.pipeline = pipeline
        self.model = model
        self.date = date
        self.version = version
        self.status = status
        self.rows = rows
        self.snapshot = snapshot
        self.findings = findings
        self.findingCounts = SeverityCounts(
            critical: findings.filter { $0.severity == .critical }.count,
            warning: findings.filter { $0.severity == .warning }.count,
            info: findings.filter { $0.severity == .info }.count)
        self.drift = drift
        self.performance = performance
        self.operational = operational
        self.retraining = retraining
    }

    public struct ToolInfo: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct ModelInfo: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct RowCounts: Codable, Sendable, Equatable {
        public var read: Int
        public var stored: Int
        public var quarantined: Int
        public init(read: Int, stored: Int, quarantined: Int) {
            self.read = read
            self.stored = stored
            self.quarantined = quarantined
        }
    }

    public struct SnapshotInfo: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var bytes: Int
        public var version: Int
        public var labelledRows: Int
        public enum CodingKeys: String, CodingKey {
            case path, sha256, bytes, version
            case labelledRows = "labelled_rows"
        }
        public init(path: String, sha256: String, bytes: Int, version: Int, labelledRows: Int) {
            self.path = path
            self.sha256 = sha256
            self.bytes = bytes
            self.version = version
            self.labelledRows = labelledRows
        }
    }

    public struct SeverityCounts: Codable, Sendable, Equatable {
        public var critical: Int
        public var warning: Int
        public var info: Int
        public init(critical: Int, warning: Int, info: Int) {
            self.critical = critical
            self.warning = warning
            self.info = info
        }
    }

    public struct FindingRecord: Codable, Sendable, Equatable {
        public var check: String
        public var category: FindingCategory
        public var severity: Severity
        public var column: String?
        public var message: String
        public var observed: String?
        public var expected: String?
        public var advice: String
        public var stage: Stage
        /// The segment (`{column, value}`) of a segment finding; the key is written only then.
        public var segment: SegmentRef?

        public init(_ f: Finding) {
            check = f.check
            category = f.category
            severity = f.severity
            column = f.column
            message = f.message
            observed = f.observed
            expected = f.expected
            advice = f.advice
            stage = f.stage
            segment = f.segment
        }

        public enum CodingKeys: String, CodingKey {
            case check, category, severity, column, message, observed, expected, advice, stage, segment
        }

        public func encode(to encoder: any Encoder) throws {
            // Nulls are written explicitly so every finding has the same keys.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(check, forKey: .check)
            try c.encode(category, forKey: .category)
            try c.encode(severity, forKey: .severity)
            try c.encode(column, forKey: .column)
            try c.encode(message, forKey: .message)
            try c.encode(observed, forKey: .observed)
            try c.encode(expected, forKey: .expected)
            try c.encode(advice, forKey: .advice)
            try c.encode(stage, forKey: .stage)
            try c.encodeIfPresent(segment, forKey: .segment)
        }
    }

    public struct DriftColumn: Codable, Sendable, Equatable {
        public var column: String
        public var role: ColumnRole
        public var method: DriftMethod
        public var statistic: Double
        public var pValue: Double?
        public var threshold: Double
        public var drifted: Bool
        public var referenceCount: Int
        public var currentCount: Int
        /// Share of the day's rows missing in this column (nulls and NaN; dropped before the test).
        public var missingShare: Double?
        /// The same share on the baseline.
        public var referenceMissingShare: Double?

        public enum CodingKeys: String, CodingKey {
            case column, role, method, statistic
            case pValue = "p_value"
            case threshold, drifted
            case referenceCount = "reference_count"
            case currentCount = "current_count"
            case missingShare = "missing_share"
            case referenceMissingShare = "reference_missing_share"
        }

        public init(_ r: DriftResult) {
            column = r.column
            role = r.role
            method = r.method
            statistic = r.statistic
            pValue = r.pValue
            threshold = r.threshold
            drifted = r.drifted
            referenceCount = r.referenceCount
            currentCount = r.currentCount
            missingShare = r.extra["missing_share"]
            referenceMissingShare = r.extra["reference_missing_share"]
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(column, forKey: .column)
            try c.encode(role, forKey: .role)
            try c.encode(method, forKey: .method)
            try c.encode(statistic, forKey: .statistic)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(threshold, forKey: .threshold)
            try c.encode(drifted, forKey: .drifted)
            try c.encode(referenceCount, forKey: .referenceCount)
            try c.encode(currentCount, forKey: .currentCount)
            try c.encode(missingShare, forKey: .missingShare)
            try c.encode(referenceMissingShare, forKey: .referenceMissingShare)
        }
    }

    public struct DriftSection: Codable, Sendable, Equatable {
        /// Every audited column: features first, then prediction, score and target.
        public var columns: [DriftColumn]
        /// Share of drifted features (prediction, score and target not counted).
        public var driftedShare: Double
        public var driftedCount: Int
        public var featureCount: Int
        /// Dataset drift: `drifted_share` at or above `share_threshold`.
        public var datasetDrift: Bool
        public var shareThreshold: Double

        public enum CodingKeys: String, CodingKey {
            case columns
            case driftedShare = "drifted_share"
            case driftedCount = "drifted_count"
            case featureCount = "feature_count"
            case datasetDrift = "dataset_drift"
            case shareThreshold = "share_threshold"
        }

        public init(
            columns: [DriftColumn], driftedShare: Double, driftedCount: Int, featureCount: Int, datasetDrift: Bool,
            shareThreshold: Double
        ) {
            self.columns = columns
            self.driftedShare = driftedShare
            self.driftedCount = driftedCount
            self.featureCount = featureCount
            self.datasetDrift = datasetDrift
            self.shareThreshold = shareThreshold
        }
    }

    /// One metric today beside the baseline's.
    public struct MetricComparison: Codable, Sendable, Equatable {
        public var name: String
        public var current: Double?
        public var baseline: Double?
        public var delta: Double?
        /// CBPE estimates only: the sampling error on the day's rows and the confidence band
        /// (± 3 sampling errors, clipped to [0, 1]), as NannyML computes them (docs/summary.md).
        public var samplingError: Double?
        public var lower: Double?
        public var upper: Double?
        public init(name: String, current: Double?, baseline: Double?) {
            self.name = name
            self.current = current
            self.baseline = baseline
            if let current, let baseline { self.delta = current - baseline } else { self.delta = nil }
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(current, forKey: .current)
            try c.encode(baseline, forKey: .baseline)
            try c.encode(delta, forKey: .delta)
            try c.encodeIfPresent(samplingError, forKey: .samplingError)
            try c.encodeIfPresent(lower, forKey: .lower)
            try c.encodeIfPresent(upper, forKey: .upper)
        }
        enum CodingKeys: String, CodingKey {
            case name, current, baseline, delta
            case samplingError = "sampling_error", lower = "lower_confidence_bound", upper = "upper_confidence_bound"
        }
    }

    public struct PerformanceSection: Codable, Sendable, Equatable {
        /// binary, multiclass or regression; nil when the definition declares no prediction.
        public var kind: PredictionKind?
        /// Rows of the day with a true label (in the snapshot or from a labels file).
        public var labelledRows: Int
        /// True when labels exist for the day and metrics were computed.
        public var labelsAvailable: Bool
        /// The metric judged against `max_drop`.
        public var judgedMetric: String?
        public var metrics: [MetricComparison]
        /// Rows of the confusion matrix (actual) by columns (predicted), labels in `classes` order.
        public var confusionMatrix: [[Int]]?
        public var classes: [String]?
        /// Binary models: the score threshold at which the confusion matrix, accuracy,
        /// precision, recall and F1 (realized and estimated) are computed.
        public var decisionThreshold: Double?

        public enum CodingKeys: String, CodingKey {
            case kind
            case labelledRows = "labelled_rows"
            case labelsAvailable = "labels_available"
            case judgedMetric = "judged_metric"
            case metrics
            case confusionMatrix = "confusion_matrix"
            case classes
            case decisionThreshold = "decision_threshold"
        }

        public init(
            kind: PredictionKind?, labelledRows: Int, labelsAvailable: Bool, judgedMetric: String?,
            metrics: [MetricComparison], confusionMatrix: [[Int]]?, classes: [String]?
        ) {
            self.kind = kind
            self.labelledRows = labelledRows
            self.labelsAvailable = labelsAvailable
            self.judgedMetric = judgedMetric
            self.metrics = metrics
            self.confusionMatrix = confusionMatrix
            self.classes = classes
        }
    }

    public struct OperationalSection: Codable, Sendable, Equatable {
        public var metrics: [MetricComparison]
        /// The serving hosts' resources, when the definition has `operational.resources`
        /// (docs/summary.md); absent otherwise.
        public var resources: ResourcesSection?
        public init(metrics: [MetricComparison], resources: ResourcesSection? = nil) {
            self.metrics = metrics
            self.resources = resources
        }
    }

    /// The serving hosts' resource samples of the period, per host (docs/summary.md, "Serving resources").
    public struct ResourcesSection: Codable, Sendable, Equatable {
        /// The resources file as configured for the period (nil: none was found).
        public var path: String?
        /// The audited window: [start, end) in UTC, canonical timestamps.
        public var periodStart: String
        public var periodEnd: String
        public var sampleIntervalSeconds: Double
        /// Uptime slots per host in the window: ceil((end - start) / interval).
        public var expectedSamples: Int
        public var rowsRead: Int
        public var rowsStored: Int
        public var rowsQuarantined: Int
        /// Stored samples whose timestamp falls outside the window (not audited).
        public var samplesOutsidePeriod: Int
        /// Hosts in the file, in host order (at most `maxHosts`; `hostsOmitted` counts the rest).
        public var hosts: [Host]
        public var hostsOmitted: Int
        /// The worst host's value of each measure (nil: no host had it).
        public var maxMemoryShare: Double?
        public var maxDiskUsedShare: Double?
        public var minUptimeShare: Double?

        public static let maxHosts = 500

        public enum CodingKeys: String, CodingKey {
            case path
            case periodStart = "period_start"
            case periodEnd = "period_end"
            case sampleIntervalSeconds = "sample_interval_seconds"
            case expectedSamples = "expected_samples"
            case rowsRead = "rows_read"
            case rowsStored = "rows_stored"
            case rowsQuarantined = "rows_quarantined"
            case samplesOutsidePeriod = "samples_outside_period"
            case hosts
            case hostsOmitted = "hosts_omitted"
            case maxMemoryShare = "max_memory_share"
            case maxDiskUsedShare = "max_disk_used_share"
            case minUptimeShare = "min_uptime_share"
        }

        public init(
            path: String?, periodStart: String, periodEnd: String, sampleIntervalSeconds: Double, expectedSamples: Int,
            rowsRead: Int, rowsStored: Int, rowsQuarantined: Int, samplesOutsidePeriod: Int, hosts: [Host], hostsOmitted: Int
        ) {
            self.path = path
            self.periodStart = periodStart
            self.periodEnd = periodEnd
            self.sampleIntervalSeconds = sampleIntervalSeconds
            self.expectedSamples = expectedSamples
            self.rowsRead = rowsRead
            self.rowsStored = rowsStored
            self.rowsQuarantined = rowsQuarantined
            self.samplesOutsidePeriod = samplesOutsidePeriod
            self.hosts = hosts
            self.hostsOmitted = hostsOmitted
            maxMemoryShare = hosts.compactMap(\.maxMemoryShare).max()
            maxDiskUsedShare = hosts.compactMap(\.maxDiskUsedShare).max()
            minUptimeShare = hosts.map(\.uptimeShare).min()
        }

        /// Every key always present (null when unknown).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(periodStart, forKey: .periodStart)
            try c.encode(periodEnd, forKey: .periodEnd)
            try c.encode(sampleIntervalSeconds, forKey: .sampleIntervalSeconds)
            try c.encode(expectedSamples, forKey: .expectedSamples)
            try c.encode(rowsRead, forKey: .rowsRead)
            try c.encode(rowsStored, forKey: .rowsStored)
            try c.encode(rowsQuarantined, forKey: .rowsQuarantined)
            try c.encode(samplesOutsidePeriod, forKey: .samplesOutsidePeriod)
            try c.encode(hosts, forKey: .hosts)
            try c.encode(hostsOmitted, forKey: .hostsOmitted)
            try c.encode(maxMemoryShare, forKey: .maxMemoryShare)
            try c.encode(maxDiskUsedShare, forKey: .maxDiskUsedShare)
            try c.encode(minUptimeShare, forKey: .minUptimeShare)
        }

        /// One host's numbers over the window.
        public struct Host: Codable, Sendable, Equatable {
            public var host: String
            /// Samples of the host inside the window.
            public var samples: Int
            /// Uptime slots with a sample and no `up = false` sample, over `expected_samples`.
            public var upSlots: Int
            public var uptimeShare: Double
            public var maxMemoryShare: Double?
            public var maxDiskUsedShare: Double?
            public var meanCpu: Double?
            public var maxCpu: Double?
            public var meanIoWait: Double?
            public var maxIoWait: Double?

            public enum CodingKeys: String, CodingKey {
                case host, samples
                case upSlots = "up_slots"
                case uptimeShare = "uptime_share"
                case maxMemoryShare = "max_memory_share"
                case maxDiskUsedShare = "max_disk_used_share"
                case meanCpu = "mean_cpu"
                case maxCpu = "max_cpu"
                case meanIoWait = "mean_io_wait"
                case maxIoWait = "max_io_wait"
            }

            public init(
                host: String, samples: Int, upSlots: Int, uptimeShare: Double, maxMemoryShare: Double?,
                maxDiskUsedShare: Double?, meanCpu: Double?, maxCpu: Double?, meanIoWait: Double?, maxIoWait: Double?
            ) {
                self.host = host
                self.samples = samples
                self.upSlots = upSlots
                self.uptimeShare = uptimeShare
                self.maxMemoryShare = maxMemoryShare
                self.maxDiskUsedShare = maxDiskUsedShare
                self.meanCpu = meanCpu
                self.maxCpu = maxCpu
                self.meanIoWait = meanIoWait
                self.maxIoWait = maxIoWait
            }

            /// Every key always present (null when the file has no such column).
            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(host, forKey: .host)
                try c.encode(samples, forKey: .samples)
                try c.encode(upSlots, forKey: .upSlots)
                try c.encode(uptimeShare, forKey: .uptimeShare)
                try c.encode(maxMemoryShare, forKey: .maxMemoryShare)
                try c.encode(maxDiskUsedShare, forKey: .maxDiskUsedShare)
                try c.encode(meanCpu, forKey: .meanCpu)
                try c.encode(maxCpu, forKey: .maxCpu)
                try c.encode(meanIoWait, forKey: .meanIoWait)
                try c.encode(maxIoWait, forKey: .maxIoWait)
            }
        }
    }

    public struct RetrainingSection: Codable, Sendable, Equatable {
        public var recommendation: Recommendation
        public var reasons: [String]
        public init(recommendation: Recommendation, reasons: [String]) {
            self.recommendation = recommendation
            self.reasons = reasons
        }
    }
}
