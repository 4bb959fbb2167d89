extension AuditSummary {
    /// One segment of a day: a value (or bin) of a `segments.columns` entry, audited against
    /// the same segment of the baseline (summary.json `segments[]`, docs/segments.md).
    public struct Segment: Codable, Sendable, Equatable {
        /// The segment column and the segment's value as written in the data (numbers as the
        /// report writes them), or its bin (`< 25`, `[25, 45)`, `>= 65`), or `(other)` for the
        /// values beyond the per-column limit grouped together (`grouped` true).
        public var column: String
        public var value: String
        public var grouped: Bool
        public var rows: Int
        public var baselineRows: Int
        /// Whether the baseline has rows of this segment (false: nothing to compare with).
        public var inBaseline: Bool
        /// Rows on both sides reach `segments.min_rows` (and the segment is not the grouped
        /// rest): its drift, missing values and performance are judged.
        public var judged: Bool
        /// Why the segment is not judged, or what else a reader must know; nil when nothing.
        public var note: String?
        /// Share of the features compared that drifted (after the Benjamini–Hochberg correction).
        public var driftedShare: Double?
        /// Missing share of each declared feature in the segment, and in the baseline's segment.
        public var nullRates: [String: Double]
        public var baselineNullRates: [String: Double]
        public var drift: [SegmentDrift]
        public var labelledRows: Int
        public var baselineLabelledRows: Int
        /// The metric judged (`performance.metric`), realized on labelled rows.
        public var judgedMetric: String?
        /// Realized metrics of the segment's labelled rows, and of the baseline's segment.
        public var metrics: [String: Double]
        public var baselineMetrics: [String: Double]
        /// CBPE estimates from the segment's scores (binary models with a score).
        public var estimated: [String: Double]

        public enum CodingKeys: String, CodingKey {
            case column, value, grouped, rows
            case baselineRows = "baseline_rows"
            case inBaseline = "in_baseline"
            case judged, note
            case driftedShare = "drifted_share"
            case nullRates = "null_rates"
            case baselineNullRates = "baseline_null_rates"
            case drift
            case labelledRows = "labelled_rows"
            case baselineLabelledRows = "baseline_labelled_rows"
            case judgedMetric = "judged_metric"
            case metrics
            case baselineMetrics = "baseline_metrics"
            case estimated
        }

        public init(column: String, value: String, grouped: Bool = false, rows: Int, baselineRows: Int) {
            self.column = column
            self.value = value
            self.grouped = grouped
            self.rows = rows
            self.baselineRows = baselineRows
            self.inBaseline = baselineRows > 0
            self.judged = false
            self.nullRates = [:]
            self.baselineNullRates = [:]
            self.drift = []
            self.labelledRows = 0
            self.baselineLabelledRows = 0
            self.metrics = [:]
            self.baselineMetrics = [:]
            self.estimated = [:]
        }

        public func encode(to encoder: any Encoder) throws {
            // Nulls written explicitly: every segment has the same keys.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(column, forKey: .column)
            try c.encode(value, forKey: .value)
            try c.encode(grouped, forKey: .grouped)
            try c.encode(rows, forKey: .rows)
            try c.encode(baselineRows, forKey: .baselineRows)
            try c.encode(inBaseline, forKey: .inBaseline)
            try c.encode(judged, forKey: .judged)
            try c.encode(note, forKey: .note)
            try c.encode(driftedShare, forKey: .driftedShare)
            try c.encode(nullRates, forKey: .nullRates)
            try c.encode(baselineNullRates, forKey: .baselineNullRates)
            try c.encode(drift, forKey: .drift)
            try c.encode(labelledRows, forKey: .labelledRows)
            try c.encode(baselineLabelledRows, forKey: .baselineLabelledRows)
            try c.encode(judgedMetric, forKey: .judgedMetric)
            try c.encode(metrics, forKey: .metrics)
            try c.encode(baselineMetrics, forKey: .baselineMetrics)
            try c.encode(estimated, forKey: .estimated)
        }
    }

    /// Drift of one column within a segment. `adjusted_p_value` is the Benjamini–Hochberg
    /// adjusted p-value over the day's segment tests; a test drifts when it is at most
    /// `segments.false_discovery_rate`. Distances (no p-value) drift at their threshold.
    public struct SegmentDrift: Codable, Sendable, Equatable {
        public var column: String
        public var role: ColumnRole
        public var method: DriftMethod
        public var statistic: Double
        public var pValue: Double?
        public var adjustedPValue: Double?
        public var threshold: Double
        public var drifted: Bool

        public enum CodingKeys: String, CodingKey {
            case column, role, method, statistic
            case pValue = "p_value"
            case adjustedPValue = "adjusted_p_value"
            case threshold, drifted
        }

        public init(column: String, role: ColumnRole, method: DriftMethod, statistic: Double, pValue: Double?,
                    adjustedPValue: Double?, threshold: Double, drifted: Bool) {
            self.column = column
            self.role = role
            self.method = method
            self.statistic = statistic
            self.pValue = pValue
            self.adjustedPValue = adjustedPValue
            self.threshold = threshold
            self.drifted = drifted
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(column, forKey: .column)
            try c.encode(role, forKey: .role)
            try c.encode(method, forKey: .method)
            try c.encode(statistic, forKey: .statistic)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(adjustedPValue, forKey: .adjustedPValue)
            try c.encode(threshold, forKey: .threshold)
            try c.encode(drifted, forKey: .drifted)
        }
    }
}
