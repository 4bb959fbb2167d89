/// What a check is: its stable id, lens, stage, title and the one-line "why it matters / what
/// to do" that every finding of it carries. docs/checks.md lists the same catalog.
public struct CheckInfo: Sendable, Hashable {
    public let id: String
    public let stage: Stage
    public let category: FindingCategory
    public let title: String
    public let advice: String
}

/// The catalog of every check MLAudit runs. A test keeps docs/checks.md in step with it.
public enum CheckCatalog {
    // MARK: Ingest
    public static let ingestQuarantined = CheckInfo(
        id: "ingest.quarantined_rows", stage: .ingest, category: .dataQuality, title: "Quarantined rows",
        advice: "Malformed rows were set aside, not loaded: query quarantinedRow for line, raw text and reason, and fix the upstream export.")
    public static let ingestTypeErrors = CheckInfo(
        id: "ingest.type_errors", stage: .ingest, category: .dataQuality, title: "Values not of the declared type",
        advice: "Values that do not parse as the column's type were stored as null (on_type_error: set_null); a producer changed the column's format or type.")
    public static let ingestEmpty = CheckInfo(
        id: "ingest.empty_snapshot", stage: .ingest, category: .dataQuality, title: "Empty snapshot",
        advice: "The snapshot holds no data rows: the upstream job probably failed; nothing downstream of it can be trusted for this day.")
    public static let ingestSnapshotReplaced = CheckInfo(
        id: "ingest.snapshot_replaced", stage: .ingest, category: .dataQuality, title: "Snapshot replaced",
        advice: "The file for this date changed after it was first ingested; the old version stays in the warehouse for the audit trail. Find out why the data was rewritten.")
    public static let ingestLabelsConflicting = CheckInfo(
        id: "ingest.labels_conflicting", stage: .ingest, category: .dataQuality, title: "Conflicting labels for one id",
        advice: "An id labelled twice with different values makes realized performance depend on the file's order (the last line wins); deduplicate the labels upstream.")
    public static let ingestLabelsUnmatched = CheckInfo(
        id: "ingest.labels_unmatched", stage: .ingest, category: .dataQuality, title: "Labels without a prediction",
        advice: "Labels whose id matches no row of the snapshot cannot be used for performance; check the id column and the join upstream.")

    // MARK: Schema and data quality (validate)
    public static let missingColumn = CheckInfo(
        id: "schema.missing_column", stage: .validate, category: .dataQuality, title: "Declared column missing",
        advice: "A column the definition declares is absent from the file: the model is being served without it or the export changed. Restore the column upstream or update the definition.")
    public static let unexpectedColumn = CheckInfo(
        id: "schema.unexpected_column", stage: .validate, category: .dataQuality, title: "Undeclared column present",
        advice: "The file carries a column the definition does not declare: a new upstream field or a renamed one. Declare it (or set schema.unexpected_columns: ignore) so it is checked.")
    public static let nullRate = CheckInfo(
        id: "quality.null_rate", stage: .validate, category: .dataQuality, title: "Null rate",
        advice: "A rise in missing values usually means a broken upstream join or source; the model sees imputed defaults instead of real inputs. Fix the source before trusting today's predictions.")
    public static let range = CheckInfo(
        id: "quality.range", stage: .validate, category: .dataQuality, title: "Values out of range",
        advice: "Values outside the declared range point to a unit change, a parsing bug or corrupted data upstream. Check the producer; widen the range only if the new values are genuine.")
    public static let allowedValues = CheckInfo(
        id: "quality.allowed_values", stage: .validate, category: .dataQuality, title: "Unseen categories",
        advice: "The model never saw these categories in training and maps them to an unknown bucket. Confirm they are genuine; then add them to `allowed` and plan retraining with them.")
    public static let pattern = CheckInfo(
        id: "quality.pattern", stage: .validate, category: .dataQuality, title: "Values not matching the pattern",
        advice: "Values that do not match the declared format suggest a producer change; check the upstream system.")
    public static let duplicateIds = CheckInfo(
        id: "quality.duplicate_ids", stage: .validate, category: .dataQuality, title: "Duplicate ids",
        advice: "Repeated ids double-count predictions and break the join with late labels; look for a retried or duplicated upstream batch.")
    public static let quarantineRate = CheckInfo(
        id: "quality.quarantined_rows", stage: .validate, category: .dataQuality, title: "Share of rows quarantined",
        advice: "Malformed rows were set aside: the more there are, the less the snapshot represents what the model served. Look at their lines and reasons, fix the export and re-ingest.")

    // MARK: Drift (compare)
    public static let featureDrift = CheckInfo(
        id: "drift.feature", stage: .compare, category: .drift, title: "Feature drift",
        advice: "The feature's distribution moved away from training; the model extrapolates. Check whether the change is real (population shift) or a data bug, and watch performance.")
    public static let predictionDrift = CheckInfo(
        id: "drift.prediction", stage: .compare, category: .drift, title: "Prediction drift",
        advice: "The model's outputs moved away from training: a proxy for a performance change while labels are missing. Look at the drifted features and at the decision threshold.")
    public static let targetDrift = CheckInfo(
        id: "drift.target", stage: .compare, category: .drift, title: "Target drift",
        advice: "The true labels' distribution moved (prior shift): the base rate the model learned no longer holds. Recalibrate or retrain on recent data.")
    public static let datasetDrift = CheckInfo(
        id: "drift.dataset", stage: .compare, category: .drift, title: "Dataset drift",
        advice: "A large share of the features drifted at once: the serving population no longer resembles training. Retrain on recent data once the change is confirmed genuine.")

    // MARK: Performance (compare)
    public static let performanceDrop = CheckInfo(
        id: "performance.drop", stage: .compare, category: .performance, title: "Performance drop",
        advice: "Realized performance on labelled rows fell below the baseline by more than allowed: the model's decisions are worse than at training. Investigate drift findings and retrain.")

    // MARK: Operational (compare)
    public static let latency = CheckInfo(
        id: "operational.latency", stage: .compare, category: .operational, title: "Latency over SLO",
        advice: "Serving latency exceeds the SLO: callers time out or degrade. Check the serving hosts, the model size and feature lookups.")
    public static let errorRate = CheckInfo(
        id: "operational.error_rate", stage: .compare, category: .operational, title: "Error rate",
        advice: "Requests failing at the serving layer are predictions the business never got; check the serving logs.")

    // MARK: Technical debt (compare)
    public static let configChanged = CheckInfo(
        id: "debt.config_changed", stage: .compare, category: .technicalDebt, title: "Model configuration changed",
        advice: "The served configuration differs from the one the baseline was trained with (configuration debt, Sculley et al. 2015): the audit's baseline no longer describes the model. Retrain or re-baseline with the new configuration, and review who changed it.")
    public static let latencyRegression = CheckInfo(
        id: "debt.latency_regression", stage: .compare, category: .technicalDebt, title: "Serving-latency regression",
        advice: "Latency rose against the baseline (ML Test Score, monitoring test 6): a slower model or feature path. Profile the serving path before it breaches the SLO.")

    public static let all: [CheckInfo] = [
        ingestQuarantined, ingestTypeErrors, ingestEmpty, ingestSnapshotReplaced, ingestLabelsUnmatched, ingestLabelsConflicting,
        ingestHeader,
        ingestModelConfigMissing,
        missingColumn, unexpectedColumn, nullRate, range, allowedValues, pattern, duplicateIds, quarantineRate,
        typeErrors, nonFinite, probabilityRange, missingTarget,
        featureDrift, predictionDrift, targetDrift, datasetDrift,
        performanceDrop,
        latency, errorRate,
        configChanged, latencyRegression,
        nullRateChange, estimatedPerformanceDrop, emptyHours, volume, unusedInput, missingModelFeature, constantFeature,
        correlatedFeatures, staleModel, snapshotGap, labelsMissing, numericalStability, fixedThreshold, thresholdMismatch,
        thresholdNotServed,
        ingestTruncatedInput, ingestHeaderMismatch,
        retypedColumn, unseenCategories, duplicateRows, rowCount, timestampOutsideDay, futureTimestamps,
        unknownLabels, constantColumn,
        fairnessImpactRatio, fairnessEqualizedOdds,
        segmentDrift, segmentMissingValues, segmentPerformanceDrop, segmentEstimatedPerformanceDrop,
        notEvaluated, snapshotMissing,
        resourcesQuarantined, resourcesMissing, resourcesMemory, resourcesDisk, resourcesUptime,
    ]

    public static func info(_ id: String) -> CheckInfo? { all.first { $0.id == id } }
}

extension CheckCatalog {
    public static let ingestHeader = CheckInfo(
        id: "ingest.header", stage: .ingest, category: .dataQuality, title: "Malformed header",
        advice: "Blank or repeated column names make columns ambiguous; fix the export so every column has one unique name.")
    public static let ingestModelConfigMissing = CheckInfo(
        id: "ingest.model_config_missing", stage: .ingest, category: .technicalDebt, title: "Model configuration missing",
        advice: "The definition names a model configuration for this date but the file is absent: the audit cannot tell which configuration served today (a monitoring gap). Publish the served configuration with every deployment.")
}

extension CheckCatalog {
    public static let typeErrors = CheckInfo(
        id: "quality.type_errors", stage: .validate, category: .dataQuality, title: "Share of values not of the declared type",
        advice: "Values that do not parse as the column's type were stored as null; a producer changed the column's format. Fix the producer or the declared type.")
    public static let nonFinite = CheckInfo(
        id: "quality.non_finite", stage: .validate, category: .dataQuality, title: "NaN or infinite values",
        advice: "NaN or infinite values in features, predictions or scores mean a numerical failure upstream or in the model (numerical instability, Breck et al. 2017); downstream consumers may crash or silently mis-rank.")
    public static let probabilityRange = CheckInfo(
        id: "quality.probability_range", stage: .validate, category: .dataQuality, title: "Probabilities outside [0, 1]",
        advice: "A score declared as a probability left [0, 1]: the model or its post-processing is broken, and thresholds on it are meaningless.")
    public static let missingTarget = CheckInfo(
        id: "schema.no_labels", stage: .validate, category: .performance, title: "No labels in the snapshot",
        advice: "Without true labels realized performance cannot be computed for this day; performance is judged from prediction and score drift until labels arrive.")
}

// MARK: - Compare stage (issue 5)

extension CheckCatalog {
    public static let nullRateChange = CheckInfo(
        id: "drift.null_rate_change", stage: .compare, category: .drift, title: "Missing values changed",
        advice: "The share of missing values (nulls and NaN) moved away from the baseline. Drift tests drop missing values, as Evidently does, so this is where a broken join or a new default fill shows: find the upstream change before trusting the drift verdicts.")
    public static let estimatedPerformanceDrop = CheckInfo(
        id: "performance.estimated_drop", stage: .compare, category: .performance, title: "Estimated performance drop (CBPE)",
        advice: "Without labels, the expected confusion matrix from calibrated scores (CBPE) shows worse performance than the baseline: the inputs moved to where the model is less sure. It cannot see concept drift; confirm with labels as they arrive.")
    public static let emptyHours = CheckInfo(
        id: "operational.empty_hours", stage: .compare, category: .operational, title: "Hours without traffic",
        advice: "Hours in which the baseline's traffic pattern expects requests but no row was logged: a downtime or logging outage proxy. Check the serving and logging systems for those hours.")
    public static let volume = CheckInfo(
        id: "operational.volume", stage: .compare, category: .operational, title: "Volume change",
        advice: "Far more or far fewer rows than on the trailing days: a partial export, duplicated batches, an outage or a traffic shift. Confirm the snapshot is complete before reading the rest of the report.")
    public static let unusedInput = CheckInfo(
        id: "debt.unused_input", stage: .compare, category: .technicalDebt, title: "Inputs the model does not use",
        advice: "Columns delivered to the model that its configuration does not list (unused data dependencies, Sculley et al. 2015): they cost upkeep and can break the pipeline without improving predictions. Remove them upstream or document why they stay.")
    public static let missingModelFeature = CheckInfo(
        id: "debt.missing_model_feature", stage: .compare, category: .technicalDebt, title: "Model features missing from the inputs",
        advice: "The served configuration lists features that the snapshot does not carry (an undeclared data dependency): the model is fed defaults, or reads them from somewhere this audit cannot see. Add them to the export and the definition.")
    public static let constantFeature = CheckInfo(
        id: "debt.constant_feature", stage: .compare, category: .technicalDebt, title: "Constant or near-constant feature",
        advice: "A feature with (almost) one value carries no signal (Sculley et al. 2015: epsilon features); one that became constant today usually means an upstream default fill. Fix the source, or drop the feature at the next retraining.")
    public static let correlatedFeatures = CheckInfo(
        id: "debt.correlated_features", stage: .compare, category: .technicalDebt, title: "Redundant (highly correlated) features",
        advice: "Two features nearly linear in each other on the baseline (bundled or correlated features, Sculley et al. 2015): the model depends on both for the information of one, and breaks when only one changes. Keep one at the next retraining.")
    public static let staleModel = CheckInfo(
        id: "debt.stale_model", stage: .compare, category: .technicalDebt, title: "Stale model",
        advice: "The model is older than its allowed age (ML Test Score, monitoring test 3: models are not too stale): the world has had time to move away from its training data. Schedule retraining on recent data.")
    public static let snapshotGap = CheckInfo(
        id: "debt.snapshot_gap", stage: .compare, category: .technicalDebt, title: "Days without a snapshot",
        advice: "Days before this one have no audited snapshot: monitoring was blind on those days (a missing export or a failed run). Deliver the missing files and run `mlaudit run` for them.")
    public static let labelsMissing = CheckInfo(
        id: "debt.labels_missing", stage: .compare, category: .technicalDebt, title: "Labels that never arrived",
        advice: "True labels for these days are overdue (labels.expected_within_days): realized performance cannot be checked, so a silent accuracy drop would go unseen. Fix the labelling feed; until then rely on the estimated performance.")
    public static let numericalStability = CheckInfo(
        id: "debt.numerical_stability", stage: .compare, category: .technicalDebt, title: "NaN or infinite predictions",
        advice: "The model emitted NaN or infinite outputs (ML Test Score, monitoring test 5: the model is numerically stable): an overflow, a division by zero or a missing input reached the model. Find the rows and guard the inputs.")
    public static let fixedThreshold = CheckInfo(
        id: "debt.fixed_threshold", stage: .compare, category: .technicalDebt, title: "Positive rate moved under a fixed threshold",
        advice: "The share of positive decisions moved while the decision threshold stayed the same (fixed thresholds in dynamic systems, Sculley et al. 2015): the threshold was tuned for a population that changed. Re-tune it on recent labelled data, or retrain.")
    public static let thresholdMismatch = CheckInfo(
        id: "debt.threshold_mismatch", stage: .compare, category: .technicalDebt, title: "Served decisions disagree with the documented threshold",
        advice: "The served predictions do not equal score ≥ the definition's decision threshold: the threshold in production is not the one documented and audited (configuration debt). Align the served configuration and the definition.")
    public static let thresholdNotServed = CheckInfo(
        id: "debt.threshold_not_served", stage: .compare, category: .technicalDebt, title: "The documented threshold is not the served one",
        advice: "The served predictions disagree with score ≥ the definition's decision threshold, on the baseline as today: monitoring and serving are configured differently (configuration debt), so realized metrics and CBPE estimates judge decisions the model never made. Set schema.prediction.threshold to the served threshold (the message names the one that reproduces the predictions; `mlaudit init` drafts it), or fix the serving configuration.")
}

// MARK: - Cadence and paths (issue 11)

extension CheckCatalog {
    public static let notEvaluated = CheckInfo(
        id: "audit.not_evaluated", stage: .validate, category: .operational, title: "Check not evaluated",
        advice: "A check could not run on this snapshot (too few trailing periods, no timestamp column, …); the line says which and why. It runs once its inputs exist; nothing is wrong with the data.")
    public static let snapshotMissing = CheckInfo(
        id: "ops.snapshot_missing", stage: .compare, category: .operational, title: "Periods without a snapshot file",
        advice: "Periods between snapshots that were found have no snapshot at all (the export did not run or wrote elsewhere): monitoring was blind for them. Deliver the missing files and run `mlaudit run` to catch up.")
}

// MARK: - Ingest (issue 3)

extension CheckCatalog {
    public static let ingestTruncatedInput = CheckInfo(
        id: "ingest.truncated_input", stage: .ingest, category: .dataQuality, title: "Truncated or corrupt input",
        advice: "The compressed stream ends early or fails its checks: the upstream job died while writing, or the copy was cut. Rows after the damage are missing; re-export the file and ingest again (a new version replaces this one).")
    public static let ingestHeaderMismatch = CheckInfo(
        id: "ingest.header_mismatch", stage: .ingest, category: .dataQuality, title: "Header does not match the schema",
        advice: "The header names none of the declared columns (or lacks a required one), so no value can be placed: the file has no header line, a different delimiter, or belongs to another pipeline. Every row was quarantined; fix the export or the definition's delimiter.")
}

// MARK: - Validate (issue 4)

extension CheckCatalog {
    public static let retypedColumn = CheckInfo(
        id: "schema.retyped_column", stage: .validate, category: .dataQuality, title: "Column changed type",
        advice: "Most values of the column no longer fit its declared type, or they now look like another type than in the baseline: the producer changed the column (a renamed field reused, numbers written as text, a unit or encoding change). Fix the export, or declare the new type and re-baseline.")
    public static let unseenCategories = CheckInfo(
        id: "quality.unseen_categories", stage: .validate, category: .dataQuality, title: "Categories not seen in the baseline",
        advice: "The model never saw these categories in training and maps them to an unknown bucket. Confirm they are genuine; then list the column's valid values in `allowed` and plan retraining with them.")
    public static let duplicateRows = CheckInfo(
        id: "quality.duplicate_rows", stage: .validate, category: .dataQuality, title: "Duplicate rows",
        advice: "Rows identical in every column are usually a replayed or doubly exported batch: they over-weight some requests in every statistic. Find the retry upstream and de-duplicate the export.")
    public static let rowCount = CheckInfo(
        id: "quality.row_count", stage: .validate, category: .dataQuality, title: "Row count against trailing days",
        advice: "The snapshot holds far more or fewer rows than the days before: a partial export, a duplicated batch, an outage or a traffic change. Check the upstream job before trusting today's statistics.")
    public static let timestampOutsideDay = CheckInfo(
        id: "quality.timestamp_outside_day", stage: .validate, category: .dataQuality, title: "Timestamps outside the snapshot's day",
        advice: "Rows whose event time is not on the snapshot's date mean the export window or the time zone is wrong, or late events are mixed in; the day's statistics describe another period. Fix the export window (UTC).")
    public static let futureTimestamps = CheckInfo(
        id: "quality.future_timestamps", stage: .validate, category: .dataQuality, title: "Timestamps in the future",
        advice: "Event times later than the audit run point to clock skew on a serving host or a wrong time zone; time-based joins (labels, features) will silently miss. Check the hosts' clocks and the timestamp's zone.")
    public static let unknownLabels = CheckInfo(
        id: "quality.unknown_labels", stage: .validate, category: .dataQuality, title: "Labels outside the declared classes",
        advice: "Predictions or true labels that are not among the declared classes break performance metrics and the join with labels: a label encoding changed (1.0 for 1, yes for 1) or a class was added. Fix the encoding or declare the class.")
    public static let constantColumn = CheckInfo(
        id: "quality.constant_column", stage: .validate, category: .dataQuality, title: "Constant column",
        advice: "A feature that holds one value carries no information: usually a default filled in by a broken upstream source. Fix the source; if the feature is constant by design, remove it from the model (Sculley et al. 2015).")
}

extension CheckCatalog {
    // MARK: Fairness (compare, docs/fairness.md)
    public static let fairnessImpactRatio = CheckInfo(
        id: "fairness.impact_ratio", stage: .compare, category: .fairness, title: "Adverse impact (four-fifths rule)",
        advice: "A group is selected (predicted positive) at well under the reference group's rate, beyond sampling noise: a monitoring signal of possible adverse impact, not a legal finding. Check whether the population or the inputs of that group changed, and bring it to the model's compliance owner.")
    public static let fairnessEqualizedOdds = CheckInfo(
        id: "fairness.equalized_odds", stage: .compare, category: .fairness, title: "Error rates differ between groups (equalized odds)",
        advice: "The model's true or false positive rate differs between groups of a protected attribute beyond the threshold and sampling noise: it works worse for one group. Look at that group's inputs and labels, and review before retraining.")
}

extension CheckCatalog {
    // MARK: Segments (compare, docs/segments.md)
    public static let segmentDrift = CheckInfo(
        id: "segment.drift", stage: .compare, category: .drift, title: "Drift within a segment",
        advice: "One segment's inputs or outputs moved from the same segment of the baseline while the whole day's did not: the aggregate hides a slice that changed. Check that slice's source (a region, a channel, a device) for an upstream change before judging the model.")
    public static let segmentMissingValues = CheckInfo(
        id: "segment.missing_values", stage: .compare, category: .dataQuality, title: "Missing values within a segment",
        advice: "A feature is missing far more (or less) often in one segment than in the same segment of the baseline, while the whole day's share did not move: often one source or client broke. Find the producer of that slice.")
    public static let segmentPerformanceDrop = CheckInfo(
        id: "segment.performance_drop", stage: .compare, category: .performance, title: "Performance drop within a segment",
        advice: "The model performs worse on one segment than on the same segment of the baseline, beyond sampling noise, while the aggregate held: it fails a slice. Look at that segment's inputs and labels; consider whether it needs its own treatment before retraining.")
    public static let segmentEstimatedPerformanceDrop = CheckInfo(
        id: "segment.estimated_performance_drop", stage: .compare, category: .performance,
        title: "Estimated performance drop within a segment (CBPE)",
        advice: "Without labels yet, CBPE expects the model to perform worse on one segment than on the same segment of the baseline. It is an estimate from the scores: confirm with labels when they arrive.")
}

// MARK: Serving resources (`operational.resources`; ingest and compare)
extension CheckCatalog {
    public static let resourcesQuarantined = CheckInfo(
        id: "ingest.resources_quarantined", stage: .ingest, category: .operational, title: "Resource samples quarantined",
        advice: "Samples that do not parse (a timestamp, a host, a number) or hold impossible values (a share outside [0, 1], negative bytes) are set aside with the reason; fix the exporter of the host metrics.")
    public static let resourcesMissing = CheckInfo(
        id: "operational.resources_missing", stage: .compare, category: .operational, title: "Resource samples missing",
        advice: "The definition expects the serving hosts' samples for this period but none were found: the hosts went unwatched (a monitoring gap). Check the exporter and the path pattern.")
    public static let resourcesMemory = CheckInfo(
        id: "operational.resources_memory", stage: .compare, category: .operational, title: "Host memory over SLO",
        advice: "A serving host came close to its memory size: the next peak swaps or is killed by the out-of-memory killer. Look for a leak (a growing cache, a model loaded twice) or give the host more memory.")
    public static let resourcesDisk = CheckInfo(
        id: "operational.resources_disk", stage: .compare, category: .operational, title: "Host disk over SLO",
        advice: "A serving host's disk is nearly full: logs, model artifacts or temporary files stop being written. Rotate logs, remove old model versions, or grow the volume.")
    public static let resourcesUptime = CheckInfo(
        id: "operational.resources_uptime", stage: .compare, category: .operational, title: "Host uptime under SLO",
        advice: "A serving host was down (an `up = false` sample) or silent (no sample in an interval) for longer than the SLO allows. Check the host's restarts and the exporter; predictions served by the remaining hosts may have been slower.")
}
