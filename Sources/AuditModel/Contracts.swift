/// The names one stage writes into the warehouse and another stage (or Render, `history`,
/// the textfile exporter) reads back. They live here, in one place, so that a writer and its
/// readers cannot drift apart on a misspelt string: metric names (`MetricName`), the keys of
/// structured results (`StoredResultKey`), and the names of the numbers in the summary's
/// performance and operational sections (`SectionMetricName`). Check ids are `CheckCatalog`'s.
///
/// The raw strings are the warehouse's and summary.json's contract with their readers
/// (docs/warehouse.md, docs/summary.md): they never change once released.

/// The name of a number in the long `metric` table (`metric.name`).
///
/// Whole-snapshot metrics have fixed names (`MetricName.driftedShare` is `drift.drifted_share`);
/// families carry a part from the definition or the data (`MetricName.performance("accuracy")`
/// is `performance.accuracy`).
public struct MetricName: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: MetricName, b: MetricName) -> Bool { a.rawValue < b.rawValue }
}

extension MetricName {
    // MARK: Ingest (whole snapshot, then per column)
    public static let rowsRead = MetricName(rawValue: "rows.read")
    public static let rowsStored = MetricName(rawValue: "rows.stored")
    public static let rowsQuarantined = MetricName(rawValue: "rows.quarantined")
    public static let typeErrors = MetricName(rawValue: "type_errors")
    public static let nonFinite = MetricName(rawValue: "non_finite")

    // MARK: Validate
    public static let nullRate = MetricName(rawValue: "null_rate")
    public static let nullRateMax = MetricName(rawValue: "null_rate.max")
    public static let nonFiniteShare = MetricName(rawValue: "non_finite_share")
    public static let outOfRangeShare = MetricName(rawValue: "out_of_range_share")
    public static let probabilityOutOfRangeShare = MetricName(rawValue: "probability_out_of_range_share")
    public static let unseenCategoryShare = MetricName(rawValue: "unseen_category_share")
    public static let unknownLabelShare = MetricName(rawValue: "unknown_label_share")
    public static let labelsFileUnknownLabelShare = MetricName(rawValue: "labels_file.unknown_label_share")
    public static let mostFrequentShare = MetricName(rawValue: "most_frequent_share")
    public static let duplicateIdShare = MetricName(rawValue: "duplicate_id_share")
    public static let duplicateRowShare = MetricName(rawValue: "duplicate_row_share")
    /// The baseline's classes of equal rows: column = a class size (2, 3, …), value = how many
    /// classes have it. The chance of repeated rows on a day (docs/checks.md).
    public static let duplicateRowClasses = MetricName(rawValue: "duplicate_rows.classes")
    public static let quarantinedShare = MetricName(rawValue: "quarantined_share")
    public static let typeFailureShare = MetricName(rawValue: "type_failure_share")
    public static let rowCountChange = MetricName(rawValue: "row_count.change")
    public static let rowCountZ = MetricName(rawValue: "row_count.z")
    public static let timestampOutsideDayShare = MetricName(rawValue: "timestamp_outside_day_share")
    public static let futureTimestampShare = MetricName(rawValue: "future_timestamp_share")

    // MARK: Profile (per column)
    public static let mean = MetricName(rawValue: "mean")
    public static let std = MetricName(rawValue: "std")
    public static let min = MetricName(rawValue: "min")
    public static let max = MetricName(rawValue: "max")
    public static let distinct = MetricName(rawValue: "distinct")
    public static let unseenShare = MetricName(rawValue: "unseen_share")
    public static let trueShare = MetricName(rawValue: "true_share")
    /// A profile quantile (`p01` … `p99`, the keys of `ColumnProfile`'s quantiles).
    public static func quantile(_ key: String) -> MetricName { MetricName(rawValue: key) }

    // MARK: Compare: drift
    public static let driftedShare = MetricName(rawValue: "drift.drifted_share")
    public static let driftedCount = MetricName(rawValue: "drift.drifted_count")
    public static let driftStatistic = MetricName(rawValue: "drift.statistic")
    public static let driftPValue = MetricName(rawValue: "drift.p_value")
    public static let driftPValueAdjusted = MetricName(rawValue: "drift.p_value_adjusted")
    public static let driftMissingShareChange = MetricName(rawValue: "drift.missing_share_change")

    // MARK: Compare: performance
    /// A realized performance metric (`performance.accuracy`, `performance.rmse`, …).
    public static func performance(_ metric: String) -> MetricName { MetricName(rawValue: "performance." + metric) }
    /// A CBPE estimate (`performance.estimated_accuracy`, …).
    public static func estimatedPerformance(_ metric: String) -> MetricName {
        MetricName(rawValue: "performance.estimated_" + metric)
    }
    /// A CBPE estimate's sampling error (`performance.estimated_accuracy_sampling_error`, …).
    public static func estimatedPerformanceSamplingError(_ metric: String) -> MetricName {
        MetricName(rawValue: "performance.estimated_" + metric + "_sampling_error")
    }
    public static let performanceLabelledRows = MetricName(rawValue: "performance.labelled_rows")
    public static let performanceDrop = MetricName(rawValue: "performance.drop")
    public static let performanceEstimatedDrop = MetricName(rawValue: "performance.estimated_drop")
    public static let performanceServedPositiveRate = MetricName(rawValue: "performance.served_positive_rate")

    // MARK: Compare: operational
    /// An operational number named after its summary entry (`operational.latency_p95_ms`, …).
    public static func operational(_ name: SectionMetricName) -> MetricName {
        MetricName(rawValue: "operational." + name.rawValue)
    }
    public static let latencyP50Ms = operational(.latencyP50Ms)
    public static let latencyP95Ms = operational(.latencyP95Ms)
    public static let latencyP99Ms = operational(.latencyP99Ms)
    public static let latencyMaxMs = operational(.latencyMaxMs)
    public static let latencyP95Rise = MetricName(rawValue: "operational.latency_p95_rise")
    public static let errorRate = MetricName(rawValue: "operational.error_rate")
    public static let rowsTrailingMedian = MetricName(rawValue: "operational.rows_trailing_median")
    public static let volumeRatio = MetricName(rawValue: "operational.volume_ratio")
    public static let rowsPerHourMin = MetricName(rawValue: "operational.rows_per_hour_min")
    public static let rowsPerHourMax = MetricName(rawValue: "operational.rows_per_hour_max")
    public static let emptyHours = MetricName(rawValue: "operational.empty_hours")
    public static let rowsOutsideDay = MetricName(rawValue: "operational.rows_outside_day")

    // MARK: Compare: technical debt
    public static let debtConfigChanges = MetricName(rawValue: "debt.config_changes")
    /// Pearson coefficient of a redundant pair (`column` is `a|b`).
    public static let debtCorrelation = MetricName(rawValue: "debt.correlation")
    public static let debtModelAgeDays = MetricName(rawValue: "debt.model_age_days")
    public static let debtMissingDays = MetricName(rawValue: "debt.missing_days")
    public static let missingPeriods = MetricName(rawValue: "ops.missing_periods")
    public static let debtLabelsOverdueDays = MetricName(rawValue: "debt.labels_overdue_days")
    public static let debtThresholdMismatchShare = MetricName(rawValue: "debt.threshold_mismatch_share")
    public static let debtPositiveRateChange = MetricName(rawValue: "debt.positive_rate_change")

    // MARK: Compare: fairness (column: the protected attribute)
    public static let fairnessMinImpactRatio = MetricName(rawValue: "fairness.min_impact_ratio")
    public static let fairnessDemographicParityDifference = MetricName(rawValue: "fairness.demographic_parity_difference")
    public static let fairnessEqualizedOddsDifference = MetricName(rawValue: "fairness.equalized_odds_difference")
    public static let fairnessEqualOpportunityDifference = MetricName(rawValue: "fairness.equal_opportunity_difference")

    // MARK: Compare: retraining
    /// 1 when retraining is recommended, else 0.
    public static let retrainingRecommended = MetricName(rawValue: "retraining.recommended")
}

/// The name of a number in the summary's performance or operational section
/// (`AuditSummary.MetricComparison.name`), which Compare writes and Render reads.
public struct SectionMetricName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let latencyP50Ms = SectionMetricName(rawValue: "latency_p50_ms")
    public static let latencyP95Ms = SectionMetricName(rawValue: "latency_p95_ms")
    public static let latencyP99Ms = SectionMetricName(rawValue: "latency_p99_ms")
    public static let latencyMaxMs = SectionMetricName(rawValue: "latency_max_ms")

    /// What a CBPE estimate's name starts with (`estimated_accuracy`).
    public static let estimatedPrefix = "estimated_"
    /// The estimate of a performance metric (`estimated_accuracy`).
    public static func estimated(_ metric: String) -> SectionMetricName {
        SectionMetricName(rawValue: estimatedPrefix + metric)
    }
    /// Whether a section name is a CBPE estimate.
    public static func isEstimated(_ name: String) -> Bool { name.hasPrefix(estimatedPrefix) }
    /// The performance metric a section name is about (`estimated_accuracy` → `accuracy`).
    public static func measured(_ name: String) -> String {
        isEstimated(name) ? String(name.dropFirst(estimatedPrefix.count)) : name
    }
}

/// The name under which a structured result is stored as JSON (`stageResult.name`).
public enum StoredResultName: String, Sendable, CaseIterable {
    case performance
    case operational
    case retraining
    case fairness
    case segments
    /// The baseline's facts used by the technical-debt checks (stored under the baseline).
    case baselineFacts = "compare.baseline_facts"
    /// The baseline's realized performance and CBPE calibration (stored under the baseline).
    case baselinePerformance = "compare.baseline_performance"
}

/// A typed key of a structured result: its name, the stage that writes it, and the type of
/// its value, so the writer and every reader agree on all three.
///
/// Keys whose value type lives in `AuditModel` are declared here (`StoredResultKey.performance`);
/// a stage's private result declares its key beside its type, with a `StoredResultName`.
public struct StoredResultKey<Value: Codable & Sendable>: Sendable, Hashable {
    public let name: StoredResultName
    public let stage: Stage
    public init(_ name: StoredResultName, stage: Stage) {
        self.name = name
        self.stage = stage
    }
}

extension StoredResultKey where Value == AuditSummary.PerformanceSection {
    public static var performance: Self { .init(.performance, stage: .compare) }
}

extension StoredResultKey where Value == AuditSummary.OperationalSection {
    public static var operational: Self { .init(.operational, stage: .compare) }
}

extension StoredResultKey where Value == AuditSummary.RetrainingSection {
    public static var retraining: Self { .init(.retraining, stage: .compare) }
}

extension StoredResultKey where Value == [AuditSummary.FairnessAttribute] {
    public static var fairness: Self { .init(.fairness, stage: .compare) }
}

extension StoredResultKey where Value == [AuditSummary.Segment] {
    public static var segments: Self { .init(.segments, stage: .compare) }
}
