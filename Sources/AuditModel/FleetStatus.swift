/// `mlaudit status --json` and the fleet page: one entry per pipeline (docs/operations.md,
/// "Fleet overview"). Field names are a contract like summary.json's: added freely, renamed or
/// removed only with a new `schema_version`.
public struct FleetStatus: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// When the overview was made (canonical UTC timestamp); staleness is judged against it.
    public var generatedAt: String
    public var pipelines: [Entry]

    public enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case generatedAt = "generated_at"
        case pipelines
    }

    public init(generatedAt: String, pipelines: [Entry]) {
        self.schemaVersion = FleetStatus.currentSchemaVersion
        self.generatedAt = generatedAt
        self.pipelines = pipelines
    }

    /// One pipeline's line.
    public struct Entry: Codable, Sendable, Equatable {
        public var pipeline: String
        /// The definition file it was read from.
        public var definition: String
        /// `daily`, `weekly`, `monthly`, `quarterly` or `yearly` (`auto` resolved from the audited dates).
        public var cadence: Cadence
        /// The latest audited period (its date) and the newest report version of it.
        public var latestPeriod: String?
        public var reportVersion: Int?
        /// `ok`, `warning` or `critical` for the latest period; nil before the first report.
        public var status: AuditStatus?
        public var critical: Int?
        public var warning: Int?
        public var info: Int?
        /// `recommended`, `watch` or `not_needed`.
        public var retraining: Recommendation?
        /// The latest period's report.html (or report.md, summary.json) and the pipeline's
        /// report index, as recorded (relative to where mlaudit runs unless absolute).
        public var report: String?
        public var index: String
        public var lastRun: Run?
        /// No run for two periods of the cadence (or never a run).
        public var stale: Bool
        /// How many days without a run make the pipeline stale (two periods).
        public var staleAfterDays: Int
        /// Set when the pipeline's warehouse could not be read; the other fields are then empty.
        public var error: String?

        public enum CodingKeys: String, CodingKey {
            case pipeline, definition, cadence
            case latestPeriod = "latest_period"
            case reportVersion = "report_version"
            case status, critical, warning, info, retraining, report, index
            case lastRun = "last_run"
            case stale
            case staleAfterDays = "stale_after_days"
            case error
        }

        public init(pipeline: String, definition: String, cadence: Cadence, index: String, staleAfterDays: Int) {
            self.pipeline = pipeline
            self.definition = definition
            self.cadence = cadence
            self.index = index
            self.stale = true
            self.staleAfterDays = staleAfterDays
        }

        public func encode(to encoder: any Encoder) throws {
            // Nulls are written explicitly so every entry has the same keys.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(pipeline, forKey: .pipeline)
            try c.encode(definition, forKey: .definition)
            try c.encode(cadence, forKey: .cadence)
            try c.encode(latestPeriod, forKey: .latestPeriod)
            try c.encode(reportVersion, forKey: .reportVersion)
            try c.encode(status, forKey: .status)
            try c.encode(critical, forKey: .critical)
            try c.encode(warning, forKey: .warning)
            try c.encode(info, forKey: .info)
            try c.encode(retraining, forKey: .retraining)
            try c.encode(report, forKey: .report)
            try c.encode(index, forKey: .index)
            try c.encode(lastRun, forKey: .lastRun)
            try c.encode(stale, forKey: .stale)
            try c.encode(staleAfterDays, forKey: .staleAfterDays)
            try c.encode(error, forKey: .error)
        }
    }

    /// The pipeline's most recent run.
    public struct Run: Codable, Sendable, Equatable {
        public var startedAt: String
        public var finishedAt: String?
        /// `running`, `ok` or `failed` (the run could not finish: exit status 2).
        public var status: String
        public var exitStatus: Int?

        public enum CodingKeys: String, CodingKey {
            case startedAt = "started_at"
            case finishedAt = "finished_at"
            case status
            case exitStatus = "exit_status"
        }

        public init(startedAt: String, finishedAt: String?, status: String, exitStatus: Int?) {
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.status = status
            self.exitStatus = exitStatus
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encode(finishedAt, forKey: .finishedAt)
            try c.encode(status, forKey: .status)
            try c.encode(exitStatus, forKey: .exitStatus)
        }
    }

    /// Whether a pipeline whose last run started at `lastRunMs` (Unix milliseconds; nil: never)
    /// is stale at `nowMs`: no run for more than two periods of `cadence`.
    public static func isStale(lastRunMs: Int64?, nowMs: Int64, cadence: Cadence) -> Bool {
        guard let lastRunMs else { return true }
        return nowMs - lastRunMs > Int64(staleAfterDays(cadence)) * 86_400_000
    }

    /// Two periods of `cadence`, in days (2, 14, 62).
    public static func staleAfterDays(_ cadence: Cadence) -> Int { 2 * cadence.approximateDays }
}
