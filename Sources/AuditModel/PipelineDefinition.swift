/// A pipeline definition, decoded from `pipelines/NAME.yaml`.
///
/// Every key is documented in docs/definition.md. Keys are snake_case in YAML. Every
/// `CodingKeys` enum is `CaseIterable` so the strict decoder can reject unknown keys and
/// suggest the nearest known one.
public struct PipelineDefinition: Codable, Sendable, Equatable {
    /// Pipeline name: letters, digits, `-` and `_`. Names the warehouse and report folders.
    public var name: String
    public var description: String?
    /// Folder that relative paths resolve against. Itself relative to the current directory.
    /// Default: the current directory.
    public var root: String?
    public var model: ModelSpec
    public var baseline: SourceSpec
    public var snapshots: SourceSpec
    public var labels: LabelsSpec?
    public var schema: SchemaSpec
    public var checks: ChecksSpec?
    public var drift: DriftSpec?
    public var performance: PerformanceSpec?
    public var operational: OperationalSpec?
    public var retraining: RetrainingSpec?
    public var report: ReportSpec?
    /// SQLite warehouse file. Default `warehouse/NAME.sqlite`.
    public var warehouse: String?
    /// How long raw rows are kept.
    public var retention: RetentionSpec?
    /// A command run after each audited date.
    public var notify: NotifySpec?
    /// Thresholds of the technical-debt checks of the compare stage (docs/compare.md).
    public var technicalDebt: TechnicalDebtSpec?
    /// Columns whose values split each period into audited slices (docs/fairness.md).
    public var segments: SegmentsSpec?
    /// Protected attributes compared group by group (docs/fairness.md).
    public var fairness: FairnessSpec?
    /// Whether snapshot, baseline and labels parts may be symbolic links to files outside
    /// the snapshot's folder (default false: such a part is refused; docs/security.md).
    public var followSymlinks: Bool?
    /// Bounds on what one input file may cost (docs/security.md, "Bounded costs").
    public var limits: LimitsSpec?
    /// Where the audit's numbers go for a monitoring system (docs/operations.md, "Prometheus").
    public var metrics: MetricsSpec?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, root, model, baseline, snapshots, labels, schema, checks, drift, performance,
            operational, retraining, report, warehouse, retention, notify
        case technicalDebt = "technical_debt"
        case segments, fairness
        case followSymlinks = "follow_symlinks"
        case limits, metrics
    }

    public init(
        name: String, description: String? = nil, root: String? = nil, model: ModelSpec, baseline: SourceSpec,
        snapshots: SourceSpec, labels: LabelsSpec? = nil, schema: SchemaSpec, checks: ChecksSpec? = nil,
        drift: DriftSpec? = nil, performance: PerformanceSpec? = nil, operational: OperationalSpec? = nil,
        retraining: RetrainingSpec? = nil, report: ReportSpec? = nil, warehouse: String? = nil,
        technicalDebt: TechnicalDebtSpec? = nil
    ) {
        self.name = name
        self.description = description
        self.root = root
        self.model = model
        self.baseline = baseline
        self.snapshots = snapshots
        self.labels = labels
        self.schema = schema
        self.checks = checks
        self.drift = drift
        self.performance = performance
        self.operational = operational
        self.retraining = retraining
        self.report = report
        self.warehouse = warehouse
        self.technicalDebt = technicalDebt
    }
}

public struct ModelSpec: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    /// The day the model was trained, `YYYY-MM-DD`.
    public var trainedAt: Day?
    /// The model configuration served on a day (JSON or YAML with hyperparameters and the
    /// feature list). May contain `{date}`.
    public var config: String?
    /// The configuration the baseline was produced with. Default: `config` resolved for the
    /// baseline (without `{date}` substitution when it has none).
    public var trainingConfig: String?
    /// A model older than this many days at the snapshot date is a staleness finding.
    public var maxAgeDays: Int?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name, version
        case trainedAt = "trained_at"
        case config
        case trainingConfig = "training_config"
        case maxAgeDays = "max_age_days"
    }

    public init(
        name: String, version: String, trainedAt: Day? = nil, config: String? = nil, trainingConfig: String? = nil,
        maxAgeDays: Int? = nil
    ) {
        self.name = name
        self.version = version
        self.trainedAt = trainedAt
        self.config = config
        self.trainingConfig = trainingConfig
        self.maxAgeDays = maxAgeDays
    }
}

/// Input file format.
public enum FileFormat: String, Codable, Sendable, CaseIterable {
    case auto, csv, jsonl, parquet
}

/// Where a data set comes from: a path (with `{date}` for daily snapshots) and how to read it.
public struct SourceSpec: Codable, Sendable, Equatable {
    /// A file, a folder of part files, or a glob of part files (`days/{date}/part-*.csv.gz`);
    /// gzip is detected by content. docs/ingest.md has the rules.
    public var path: String
    /// `auto` (default: by extension, else by content), `csv`, `jsonl` or `parquet` (a file
    /// starting with `PAR1` is read as Parquet whatever is declared).
    public var format: FileFormat?
    /// One-character field delimiter for CSV. Default `,` (a tab for `.tsv` files).
    public var delimiter: String?
    /// Strings read as missing in non-float columns. Default: empty, NA, N/A, null, NULL, None, NaN, nan.
    public var nullValues: [String]?
    /// Snapshots only: how often one arrives (`daily`, `weekly`, `monthly`, `quarterly`, `yearly` or `auto`, the
    /// default: inferred from the dates of the snapshots found). docs/definition.md.
    public var cadence: Cadence?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case path, format, delimiter
        case nullValues = "null_values"
        case cadence
    }

    public init(path: String, format: FileFormat? = nil, delimiter: String? = nil, nullValues: [String]? = nil,
                cadence: Cadence? = nil) {
        self.path = path
        self.format = format
        self.delimiter = delimiter
        self.nullValues = nullValues
        self.cadence = cadence
    }
}

/// Late-arriving true labels, joined to the snapshot of the same date by id.
public struct LabelsSpec: Codable, Sendable, Equatable {
    /// Path pattern with `{date}`: the labels for the predictions made on that date.
    public var path: String
    /// Id column in the labels file. Default: `schema.id`.
    public var id: String?
    /// Label column in the labels file. Default: `schema.target`.
    public var target: String?
    public var format: FileFormat?
    public var delimiter: String?
    /// Labels not present this many days after the snapshot date are a monitoring-gap finding.
    public var expectedWithinDays: Int?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case path, id, target, format, delimiter
        case expectedWithinDays = "expected_within_days"
    }

    public init(path: String, id: String? = nil, target: String? = nil, expectedWithinDays: Int? = nil) {
        self.path = path
        self.id = id
        self.target = target
        self.expectedWithinDays = expectedWithinDays
    }
}

/// Data type of a column.
public enum ColumnType: String, Codable, Sendable, CaseIterable {
    case numeric, integer, categorical, boolean, datetime, text

    /// Numeric in the statistical sense (profiles with quantiles, KS drift).
    public var isNumeric: Bool { self == .numeric || self == .integer }
}

public enum PredictionKind: String, Codable, Sendable, CaseIterable {
    case binary, multiclass, regression
}

public struct SchemaSpec: Codable, Sendable, Equatable {
    /// Row id column (unique per snapshot).
    public var id: String?
    /// Event timestamp column.
    public var timestamp: String?
    public var prediction: PredictionSpec?
    /// True label column: in the snapshot itself, in the baseline, or in the labels files.
    public var target: String?
    public var features: [FeatureSpec]
    public var operational: OperationalColumns?
    /// What to do with columns present in the data but not declared: `warn` (a finding,
    /// default), `ignore`, or `error` (a critical finding).
    public var unexpectedColumns: UnexpectedColumnsPolicy?
    /// Columns that are not model inputs but are kept (a year, a region, a request source):
    /// ingested as categorical text, profiled, never judged for drift or unused-input debt;
    /// usable as segments. docs/definition.md, "Column roles".
    public var carried: [String]?
    /// Columns neither stored nor reported (not unexpected either).
    public var ignored: [String]?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, timestamp, prediction, target, features, operational, carried, ignored
        case unexpectedColumns = "unexpected_columns"
    }

    public init(
        id: String? = nil, timestamp: String? = nil, prediction: PredictionSpec? = nil, target: String? = nil,
        features: [FeatureSpec], operational: OperationalColumns? = nil,
        unexpectedColumns: UnexpectedColumnsPolicy? = nil, carried: [String]? = nil, ignored: [String]? = nil
    ) {
        self.carried = carried
        self.ignored = ignored
        self.id = id
        self.timestamp = timestamp
        self.prediction = prediction
        self.target = target
        self.features = features
        self.operational = operational
        self.unexpectedColumns = unexpectedColumns
    }
}

public enum UnexpectedColumnsPolicy: String, Codable, Sendable, CaseIterable {
    case warn, ignore, error
}

public struct PredictionSpec: Codable, Sendable, Equatable {
    /// Column holding the predicted label (or value, for regression).
    public var column: String
    public var kind: PredictionKind
    /// Column holding the model's score: the positive-class probability for binary models.
    public var score: String?
    /// Decision threshold on `score` for binary models. Default 0.5.
    public var threshold: Double?
    /// Declared classes (labels as written in the data). Binary default: 0 and 1.
    public var classes: [String]?
    /// The positive class of a binary model. Default: `1`.
    public var positiveClass: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case column, kind, score, threshold, classes
        case positiveClass = "positive_class"
    }

    public init(
        column: String, kind: PredictionKind, score: String? = nil, threshold: Double? = nil,
        classes: [String]? = nil, positiveClass: String? = nil
    ) {
        self.column = column
        self.kind = kind
        self.score = score
        self.threshold = threshold
        self.classes = classes
        self.positiveClass = positiveClass
    }
}

public struct OperationalColumns: Codable, Sendable, Equatable {
    /// Serving latency in milliseconds.
    public var latency: String?
    /// Status or error column: a row whose value is not in `ok_values` counts as an error.
    public var status: String?
    /// Values of `status` that mean success. Default: 200, ok, OK, success.
    public var okValues: [String]?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case latency, status
        case okValues = "ok_values"
    }

    public init(latency: String? = nil, status: String? = nil, okValues: [String]? = nil) {
        self.latency = latency
        self.status = status
        self.okValues = okValues
    }
}

/// One input feature and its constraints.
public struct FeatureSpec: Codable, Sendable, Equatable {
    public var name: String
    public var type: ColumnType
    public var description: String?
    /// Smallest valid value (numeric, integer).
    public var min: Double?
    /// Largest valid value (numeric, integer).
    public var max: Double?
    /// Valid values (categorical). Others count as unseen categories.
    public var allowed: [String]?
    /// Regular expression every value must match (text, categorical).
    public var pattern: String?
    /// Per-column check thresholds; override `checks` at the top level.
    public var checks: ChecksSpec?
    /// Per-column drift method and threshold; override `drift` at the top level.
    public var drift: ColumnDriftSpec?
    /// What to do with a value that does not parse as `type`: quarantine the row (default)
    /// or store a null and record a finding.
    public var onTypeError: TypeErrorPolicy?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name, type, description, min, max, allowed, pattern, checks, drift
        case onTypeError = "on_type_error"
    }

    public init(
        name: String, type: ColumnType, description: String? = nil, min: Double? = nil, max: Double? = nil,
        allowed: [String]? = nil, pattern: String? = nil, checks: ChecksSpec? = nil, drift: ColumnDriftSpec? = nil,
        onTypeError: TypeErrorPolicy? = nil
    ) {
        self.name = name
        self.type = type
        self.description = description
        self.min = min
        self.max = max
        self.allowed = allowed
        self.pattern = pattern
        self.checks = checks
        self.drift = drift
        self.onTypeError = onTypeError
    }
}

public enum TypeErrorPolicy: String, Codable, Sendable, CaseIterable {
    case quarantine
    case setNull = "set_null"
}

/// A pair of thresholds: at or above `warning` is a warning, at or above `critical` critical.
public struct Thresholds: Codable, Sendable, Equatable {
    public var warning: Double?
    public var critical: Double?

    public enum CodingKeys: String, CodingKey, CaseIterable { case warning, critical }

    public init(warning: Double?, critical: Double?) {
        self.warning = warning
        self.critical = critical
    }

    /// The severity of `value` against these thresholds (higher is worse), or nil when below both.
    public func severity(of value: Double) -> Severity? {
        if let critical, value >= critical { return .critical }
        if let warning, value >= warning { return .warning }
        return nil
    }

    /// Fills unset levels from `fallback`.
    public func merged(over fallback: Thresholds) -> Thresholds {
        Thresholds(warning: warning ?? fallback.warning, critical: critical ?? fallback.critical)
    }
}

/// Data-quality check thresholds (all shares are fractions of rows, 0–1).
public struct ChecksSpec: Codable, Sendable, Equatable {
    /// Share of nulls in a column.
    public var nullRate: Thresholds?
    /// Share of values outside [min, max].
    public var range: Thresholds?
    /// Share of values outside `allowed` (unseen categories).
    public var allowedValues: Thresholds?
    /// Share of values not matching `pattern`.
    public var pattern: Thresholds?
    /// Share of rows whose id repeats an earlier row's id.
    public var duplicateIds: Thresholds?
    /// Share of rows quarantined at ingest (malformed, or a value not of the column's type).
    public var quarantinedRows: Thresholds?
    /// Share of values that did not parse as the column's type and were stored as null.
    public var typeErrors: Thresholds?
    /// Share of a categorical feature's values never seen in the baseline (features without `allowed`).
    public var unseenCategories: Thresholds?
    /// Share of rows identical, in every declared column, to an earlier row (a replayed batch).
    public var duplicateRows: Thresholds?
    /// Relative change of the stored row count against the mean of the trailing days (0.5 = ±50 %).
    public var rowCountChange: Thresholds?
    /// Absolute z-score of the stored row count against the trailing days.
    public var rowCountZ: Thresholds?
    /// How many trailing days the row-count check looks back over. Default 7.
    public var rowCountDays: Int?
    /// The floor on the spread: the smallest relative change of the row count (0.1 = ±10 %)
    /// before its z-score may raise a finding. Trailing days with nearly equal counts have a tiny
    /// spread, and +0.7 % rows must not read as z = 100, critical.
    public var rowCountMinChange: Double?
    /// Share of timestamps whose UTC date is not the snapshot's date.
    public var timestampOutsideDay: Thresholds?
    /// Share of timestamps later than the moment the check runs.
    public var futureTimestamps: Thresholds?
    /// Share of NaN or infinite values in a numeric feature, prediction or score.
    public var nonFinite: Thresholds?
    /// Share of scores outside [0, 1] (binary and multiclass models).
    public var probabilityRange: Thresholds?
    /// Share of target or prediction values that are not among the declared classes.
    public var unknownLabels: Thresholds?
    /// Share of a feature's non-null values taken by its most frequent value (1 = constant).
    public var constantColumn: Thresholds?
    /// Share of a column's values that do not fit its declared type (a retyped column).
    public var retypedColumn: Thresholds?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case nullRate = "null_rate"
        case range
        case allowedValues = "allowed_values"
        case pattern
        case duplicateIds = "duplicate_ids"
        case quarantinedRows = "quarantined_rows"
        case typeErrors = "type_errors"
        case unseenCategories = "unseen_categories"
        case duplicateRows = "duplicate_rows"
        case rowCountChange = "row_count_change"
        case rowCountZ = "row_count_z"
        case rowCountDays = "row_count_days"
        case rowCountMinChange = "row_count_min_change"
        case timestampOutsideDay = "timestamp_outside_day"
        case futureTimestamps = "future_timestamps"
        case nonFinite = "non_finite"
        case probabilityRange = "probability_range"
        case unknownLabels = "unknown_labels"
        case constantColumn = "constant_column"
        case retypedColumn = "retyped_column"
    }

    public init(
        nullRate: Thresholds? = nil, range: Thresholds? = nil, allowedValues: Thresholds? = nil,
        pattern: Thresholds? = nil, duplicateIds: Thresholds? = nil, quarantinedRows: Thresholds? = nil,
        typeErrors: Thresholds? = nil, unseenCategories: Thresholds? = nil, duplicateRows: Thresholds? = nil,
        rowCountChange: Thresholds? = nil, rowCountZ: Thresholds? = nil, rowCountDays: Int? = nil,
        timestampOutsideDay: Thresholds? = nil, futureTimestamps: Thresholds? = nil, nonFinite: Thresholds? = nil,
        probabilityRange: Thresholds? = nil, unknownLabels: Thresholds? = nil, constantColumn: Thresholds? = nil,
        retypedColumn: Thresholds? = nil, rowCountMinChange: Double? = nil
    ) {
        self.nullRate = nullRate
        self.range = range
        self.allowedValues = allowedValues
        self.pattern = pattern
        self.duplicateIds = duplicateIds
        self.quarantinedRows = quarantinedRows
        self.typeErrors = typeErrors
        self.unseenCategories = unseenCategories
        self.duplicateRows = duplicateRows
        self.rowCountChange = rowCountChange
        self.rowCountZ = rowCountZ
        self.rowCountDays = rowCountDays
        self.timestampOutsideDay = timestampOutsideDay
        self.futureTimestamps = futureTimestamps
        self.nonFinite = nonFinite
        self.probabilityRange = probabilityRange
        self.unknownLabels = unknownLabels
        self.constantColumn = constantColumn
        self.retypedColumn = retypedColumn
        self.rowCountMinChange = rowCountMinChange
    }

    /// Defaults used when neither the column nor the definition sets a threshold (docs/checks.md).
    public static let defaults = ChecksSpec(
        nullRate: Thresholds(warning: 0.05, critical: 0.20),
        // Shares, so that one value in a million does not warn (issue 11 h): 0.1 % of the values.
        range: Thresholds(warning: 0.001, critical: 0.05),
        allowedValues: Thresholds(warning: 0.001, critical: 0.20),
        pattern: Thresholds(warning: 0.001, critical: 0.05),
        duplicateIds: Thresholds(warning: 0, critical: 0.01),
        quarantinedRows: Thresholds(warning: 0, critical: 0.05),
        typeErrors: Thresholds(warning: 0, critical: 0.05),
        unseenCategories: Thresholds(warning: 0.01, critical: 0.20),
        duplicateRows: Thresholds(warning: 0, critical: 0.01),
        rowCountChange: Thresholds(warning: 0.30, critical: 0.50),
        rowCountZ: Thresholds(warning: 3, critical: 5),
        rowCountDays: 7,
        timestampOutsideDay: Thresholds(warning: 0.01, critical: 0.10),
        futureTimestamps: Thresholds(warning: 0, critical: 0.01),
        nonFinite: Thresholds(warning: 0, critical: 0.01),
        probabilityRange: Thresholds(warning: 0, critical: 0.01),
        unknownLabels: Thresholds(warning: 0, critical: 0.01),
        constantColumn: Thresholds(warning: 1, critical: nil),
        retypedColumn: Thresholds(warning: 0.20, critical: 0.50),
        rowCountMinChange: 0.10)

    /// Keys that describe the whole snapshot, not one column: only valid under the top-level `checks`.
    public static let snapshotLevelKeys: Set<String> = [
        CodingKeys.rowCountChange.rawValue, CodingKeys.rowCountZ.rawValue, CodingKeys.rowCountDays.rawValue,
        CodingKeys.duplicateRows.rawValue, CodingKeys.rowCountMinChange.rawValue,
    ]

    /// Column settings over pipeline settings over defaults.
    public static func effective(column: ChecksSpec?, pipeline: ChecksSpec?) -> ChecksSpec {
        func pick(_ k: KeyPath<ChecksSpec, Thresholds?>) -> Thresholds {
            var t = defaults[keyPath: k]!
            if let p = pipeline?[keyPath: k] { t = p.merged(over: t) }
            if let c = column?[keyPath: k] { t = c.merged(over: t) }
            return t
        }
        return ChecksSpec(
            nullRate: pick(\.nullRate), range: pick(\.range), allowedValues: pick(\.allowedValues),
            pattern: pick(\.pattern), duplicateIds: pick(\.duplicateIds), quarantinedRows: pick(\.quarantinedRows),
            typeErrors: pick(\.typeErrors), unseenCategories: pick(\.unseenCategories),
            duplicateRows: pick(\.duplicateRows), rowCountChange: pick(\.rowCountChange), rowCountZ: pick(\.rowCountZ),
            rowCountDays: column?.rowCountDays ?? pipeline?.rowCountDays ?? defaults.rowCountDays,
            timestampOutsideDay: pick(\.timestampOutsideDay), futureTimestamps: pick(\.futureTimestamps),
            nonFinite: pick(\.nonFinite), probabilityRange: pick(\.probabilityRange),
            unknownLabels: pick(\.unknownLabels), constantColumn: pick(\.constantColumn),
            retypedColumn: pick(\.retypedColumn),
            rowCountMinChange: column?.rowCountMinChange ?? pipeline?.rowCountMinChange ?? defaults.rowCountMinChange)
    }

    /// Whether the definition (column or pipeline) sets `key` itself, rather than leaving the default.
    public static func isSet(_ k: KeyPath<ChecksSpec, Thresholds?>, column: ChecksSpec?, pipeline: ChecksSpec?) -> Bool {
        column?[keyPath: k] != nil || pipeline?[keyPath: k] != nil
    }
}

/// A drift method. `auto` picks by column type, distinct values and reference size, as Evidently does.
public enum DriftMethod: String, Codable, Sendable, CaseIterable {
    case auto
    case ks
    case chi2
    case z
    case psi
    case jensenshannon
    case wasserstein
    /// Hellinger distance on Evidently's binning (Evidently `hellinger`).
    case hellinger
    /// k-sample Anderson–Darling test (Evidently `anderson`, scipy `anderson_ksamp`).
    case anderson
    /// Chi-square test of independence of the 2 × k table of reference and current counts
    /// (`scipy.stats.chi2_contingency`), beside Evidently's goodness-of-fit `chi2`.
    case chi2Contingency = "chi2_contingency"

    /// Tests are judged on a p-value; distances on the statistic itself.
    public var isTest: Bool { self == .ks || self == .chi2 || self == .z || self == .anderson || self == .chi2Contingency }

    /// Evidently's default threshold: p-value 0.05 for tests (0.1 for Anderson–Darling, as
    /// Evidently), 0.1 for distances.
    public var defaultThreshold: Double {
        switch self {
        case .ks, .chi2, .z, .chi2Contingency, .auto: return 0.05
        case .anderson: return 0.1
        case .psi, .jensenshannon, .wasserstein, .hellinger: return 0.1
        }
    }
}

public struct DriftSpec: Codable, Sendable, Equatable {
    public var method: DriftMethod?
    /// Threshold for the method (p-value for tests, distance for distances).
    public var threshold: Double?
    /// Dataset drift when the share of drifted features is at or above this. Default 0.5.
    public var driftedShare: Double?
    /// Severity of a single drifted feature. Default warning.
    public var featureSeverity: Severity?
    /// Severity of dataset drift. Default critical.
    public var datasetSeverity: Severity?
    /// Absolute change of a column's share of missing values (nulls and NaN) against the
    /// baseline. Default warning 0.05, critical 0.5.
    public var nullRateChange: Thresholds?
    /// Method and threshold for the prediction column (features set theirs under `schema.features`).
    public var prediction: ColumnDriftSpec?
    /// Method and threshold for the score column.
    public var score: ColumnDriftSpec?
    /// Method and threshold for the target (true labels).
    public var target: ColumnDriftSpec?
    /// How a day's drift tests are read together. Default `benjamini_hochberg`: a column drifted by
    /// its own test is a warning only when it stays significant after the Benjamini–Hochberg
    /// correction over all of the day's drift tests with a p-value (an info line otherwise).
    public var multipleTesting: MultipleTestingCorrection?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case method, threshold
        case driftedShare = "drifted_share"
        case featureSeverity = "feature_severity"
        case datasetSeverity = "dataset_severity"
        case nullRateChange = "null_rate_change"
        case prediction, score, target
        case multipleTesting = "multiple_testing"
    }

    public init(
        method: DriftMethod? = nil, threshold: Double? = nil, driftedShare: Double? = nil,
        featureSeverity: Severity? = nil, datasetSeverity: Severity? = nil, nullRateChange: Thresholds? = nil,
        prediction: ColumnDriftSpec? = nil, score: ColumnDriftSpec? = nil, target: ColumnDriftSpec? = nil
    ) {
        self.method = method
        self.threshold = threshold
        self.driftedShare = driftedShare
        self.featureSeverity = featureSeverity
        self.datasetSeverity = datasetSeverity
        self.nullRateChange = nullRateChange
        self.prediction = prediction
        self.score = score
        self.target = target
    }
}

/// How many simultaneous tests are read together (`drift.multiple_testing`).
public enum MultipleTestingCorrection: String, Codable, Sendable, Equatable, CaseIterable {
    /// Benjamini–Hochberg false discovery rate at each test's own threshold.
    case benjaminiHochberg = "benjamini_hochberg"
    /// Each test on its own, as Evidently reads them.
    case none
}

public struct ColumnDriftSpec: Codable, Sendable, Equatable {
    public var method: DriftMethod?
    public var threshold: Double?
    /// Leave this column out of drift detection.
    public var skip: Bool?

    public enum CodingKeys: String, CodingKey, CaseIterable { case method, threshold, skip }

    public init(method: DriftMethod? = nil, threshold: Double? = nil, skip: Bool? = nil) {
        self.method = method
        self.threshold = threshold
        self.skip = skip
    }
}

public struct PerformanceSpec: Codable, Sendable, Equatable {
    /// The metric whose drop is judged. Default: accuracy (binary, multiclass), rmse (regression).
    public var metric: String?
    /// Allowed drop of `metric` against the baseline, in metric units (for error metrics such as
    /// rmse and mae, a relative rise). Default warning 0.02, critical 0.05.
    public var maxDrop: Thresholds?
    /// Fewer labelled rows than this on a day: performance is reported but not judged. Default 100.
    public var minLabelledRows: Int?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case metric
        case maxDrop = "max_drop"
        case minLabelledRows = "min_labelled_rows"
    }

    public init(metric: String? = nil, maxDrop: Thresholds? = nil, minLabelledRows: Int? = nil) {
        self.metric = metric
        self.maxDrop = maxDrop
        self.minLabelledRows = minLabelledRows
    }
}

/// Serving SLOs.
public struct OperationalSpec: Codable, Sendable, Equatable {
    /// Latency p95 in milliseconds.
    public var latencyP95Ms: Thresholds?
    /// Latency p99 in milliseconds.
    public var latencyP99Ms: Thresholds?
    /// Share of rows whose status is not ok.
    public var errorRate: Thresholds?
    /// Relative rise of latency p95 against the baseline (0.5 = 50 % slower).
    public var latencyRegression: Thresholds?
    /// Hours of the day without a row although the baseline's traffic pattern expects at least
    /// 5 (a downtime proxy, from the timestamp column). Default warning 1, critical 3.
    public var emptyHours: Thresholds?
    /// Rows stored against the median of the trailing days, as a factor either way (2 = half or
    /// double). Default warning 2, critical 5.
    public var volumeFactor: Thresholds?
    /// Days before the snapshot date that make up the volume reference. Default 7.
    public var trailingDays: Int?
    /// The serving hosts' resource samples per period and their SLOs (docs/definition.md,
    /// "Serving resources").
    public var resources: ResourcesSpec?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case latencyP95Ms = "latency_p95_ms"
        case latencyP99Ms = "latency_p99_ms"
        case errorRate = "error_rate"
        case latencyRegression = "latency_regression"
        case emptyHours = "empty_hours"
        case volumeFactor = "volume_factor"
        case trailingDays = "trailing_days"
        case resources
    }

    public init(
        latencyP95Ms: Thresholds? = nil, latencyP99Ms: Thresholds? = nil, errorRate: Thresholds? = nil,
        latencyRegression: Thresholds? = nil, emptyHours: Thresholds? = nil, volumeFactor: Thresholds? = nil,
        trailingDays: Int? = nil
    ) {
        self.latencyP95Ms = latencyP95Ms
        self.latencyP99Ms = latencyP99Ms
        self.errorRate = errorRate
        self.latencyRegression = latencyRegression
        self.emptyHours = emptyHours
        self.volumeFactor = volumeFactor
        self.trailingDays = trailingDays
    }
}

/// The serving hosts' resource samples (`operational.resources`): a CSV or JSON Lines file per
/// period of timestamped samples per host, and the SLOs they are audited against
/// (docs/definition.md, "Serving resources"; docs/compare.md).
public struct ResourcesSpec: Codable, Sendable, Equatable {
    /// Path pattern with `{date}`: the samples of the period that starts on that date.
    public var path: String
    public var format: FileFormat?
    public var delimiter: String?
    /// Which column of the file holds each field (default: the field's own name).
    public var columns: ResourceColumns?
    /// Every host's memory size in bytes, when the file has no `memory_total_bytes` column.
    public var memoryTotalBytes: Double?
    /// How often each host is sampled, in seconds (the uptime slots). Default 60.
    public var sampleIntervalSeconds: Double?
    /// Highest memory share (memory_bytes / memory total) of a host over the period. Default warning 0.9, critical 0.95.
    public var maxMemoryShare: Thresholds?
    /// Highest disk_used_share of a host over the period. Default warning 0.85, critical 0.95.
    public var maxDiskUsedShare: Thresholds?
    /// Lowest uptime share of a host over the period (lower is worse). Default warning 0.99, critical 0.95.
    public var minUptimeShare: Thresholds?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case path, format, delimiter, columns
        case memoryTotalBytes = "memory_total_bytes"
        case sampleIntervalSeconds = "sample_interval_seconds"
        case maxMemoryShare = "max_memory_share"
        case maxDiskUsedShare = "max_disk_used_share"
        case minUptimeShare = "min_uptime_share"
    }

    public init(
        path: String, format: FileFormat? = nil, columns: ResourceColumns? = nil, memoryTotalBytes: Double? = nil,
        sampleIntervalSeconds: Double? = nil, maxMemoryShare: Thresholds? = nil, maxDiskUsedShare: Thresholds? = nil,
        minUptimeShare: Thresholds? = nil
    ) {
        self.path = path
        self.format = format
        self.columns = columns
        self.memoryTotalBytes = memoryTotalBytes
        self.sampleIntervalSeconds = sampleIntervalSeconds
        self.maxMemoryShare = maxMemoryShare
        self.maxDiskUsedShare = maxDiskUsedShare
        self.minUptimeShare = minUptimeShare
    }

    public static let defaultSampleIntervalSeconds = 60.0
    public static let defaultMaxMemoryShare = Thresholds(warning: 0.9, critical: 0.95)
    public static let defaultMaxDiskUsedShare = Thresholds(warning: 0.85, critical: 0.95)
    public static let defaultMinUptimeShare = Thresholds(warning: 0.99, critical: 0.95)

    public var interval: Double { sampleIntervalSeconds ?? Self.defaultSampleIntervalSeconds }
    public var memoryThresholds: Thresholds { (maxMemoryShare ?? .init(warning: nil, critical: nil)).merged(over: Self.defaultMaxMemoryShare) }
    public var diskThresholds: Thresholds { (maxDiskUsedShare ?? .init(warning: nil, critical: nil)).merged(over: Self.defaultMaxDiskUsedShare) }
    public var uptimeThresholds: Thresholds { (minUptimeShare ?? .init(warning: nil, critical: nil)).merged(over: Self.defaultMinUptimeShare) }
}

/// The file's column for each field of a resource sample (`operational.resources.columns`).
public struct ResourceColumns: Codable, Sendable, Equatable {
    public var timestamp: String?
    public var host: String?
    public var cpu: String?
    public var memoryBytes: String?
    public var memoryTotalBytes: String?
    public var diskUsedShare: String?
    public var ioWait: String?
    public var up: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case timestamp, host, cpu
        case memoryBytes = "memory_bytes"
        case memoryTotalBytes = "memory_total_bytes"
        case diskUsedShare = "disk_used_share"
        case ioWait = "io_wait"
        case up
    }

    public init(
        timestamp: String? = nil, host: String? = nil, cpu: String? = nil, memoryBytes: String? = nil,
        memoryTotalBytes: String? = nil, diskUsedShare: String? = nil, ioWait: String? = nil, up: String? = nil
    ) {
        self.timestamp = timestamp
        self.host = host
        self.cpu = cpu
        self.memoryBytes = memoryBytes
        self.memoryTotalBytes = memoryTotalBytes
        self.diskUsedShare = diskUsedShare
        self.ioWait = ioWait
        self.up = up
    }
}

extension Thresholds {
    /// The severity of `value` against lower bounds (lower is worse: an uptime share), or nil
    /// when at or above both.
    public func severity(below value: Double) -> Severity? {
        if let critical, value < critical { return .critical }
        if let warning, value < warning { return .warning }
        return nil
    }

    /// The severity of `value` against upper bounds, strictly over (a `max_…` SLO allows its bound).
    public func severity(over value: Double) -> Severity? {
        if let critical, value > critical { return .critical }
        if let warning, value > warning { return .warning }
        return nil
    }
}

/// When to recommend retraining.
public struct RetrainingSpec: Codable, Sendable, Equatable {
    /// Recommend retraining on dataset drift. Default true.
    public var onDatasetDrift: Bool?
    /// Recommend retraining on a critical performance drop. Default true.
    public var onPerformanceDrop: Bool?
    /// Watch when at least this many features drift. Default 1.
    public var watchDriftedFeatures: Int?
    /// Recommend retraining on target drift (prior shift); otherwise watch. Default false.
    public var onTargetDrift: Bool?
    /// Recommend retraining when the served configuration differs from the training one. Default true.
    public var onConfigChange: Bool?
    /// Recommend retraining when the model is older than `model.max_age_days`. Default true.
    public var onStaleModel: Bool?
    /// Recommend retraining on a critical drop of the estimated (CBPE) performance while labels
    /// are missing; otherwise watch. Default false.
    public var onEstimatedDrop: Bool?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case onDatasetDrift = "on_dataset_drift"
        case onPerformanceDrop = "on_performance_drop"
        case watchDriftedFeatures = "watch_drifted_features"
        case onTargetDrift = "on_target_drift"
        case onConfigChange = "on_config_change"
        case onStaleModel = "on_stale_model"
        case onEstimatedDrop = "on_estimated_drop"
    }

    public init(
        onDatasetDrift: Bool? = nil, onPerformanceDrop: Bool? = nil, watchDriftedFeatures: Int? = nil,
        onTargetDrift: Bool? = nil, onConfigChange: Bool? = nil, onStaleModel: Bool? = nil, onEstimatedDrop: Bool? = nil
    ) {
        self.onDatasetDrift = onDatasetDrift
        self.onPerformanceDrop = onPerformanceDrop
        self.watchDriftedFeatures = watchDriftedFeatures
        self.onTargetDrift = onTargetDrift
        self.onConfigChange = onConfigChange
        self.onStaleModel = onStaleModel
        self.onEstimatedDrop = onEstimatedDrop
    }
}

/// Thresholds of the technical-debt checks (Sculley et al. 2015; Breck et al. 2017).
public struct TechnicalDebtSpec: Codable, Sendable, Equatable {
    /// A feature whose most frequent value holds at least this share of rows is near-constant.
    /// Default 0.99.
    public var nearConstantShare: Double?
    /// Two features whose baseline Pearson correlation reaches this in absolute value are
    /// redundant. Default 0.95.
    public var maxCorrelation: Double?
    /// Relative change of the share of positive predictions (binary models) against the baseline
    /// that, with an unchanged decision threshold, is a finding. Default 0.2 (20 %).
    public var positiveRateChange: Double?
    /// How many days before the snapshot date to look for days without a snapshot. Default 30.
    public var gapLookbackDays: Int?
    /// Share of a day's rows whose served prediction may differ from score ≥ threshold before
    /// `debt.threshold_not_served` fires. Default 0.02.
    public var thresholdDisagreement: Double?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case nearConstantShare = "near_constant_share"
        case maxCorrelation = "max_correlation"
        case positiveRateChange = "positive_rate_change"
        case gapLookbackDays = "gap_lookback_days"
        case thresholdDisagreement = "threshold_disagreement"
    }

    public init(
        nearConstantShare: Double? = nil, maxCorrelation: Double? = nil, positiveRateChange: Double? = nil,
        gapLookbackDays: Int? = nil, thresholdDisagreement: Double? = nil
    ) {
        self.thresholdDisagreement = thresholdDisagreement
        self.nearConstantShare = nearConstantShare
        self.maxCorrelation = maxCorrelation
        self.positiveRateChange = positiveRateChange
        self.gapLookbackDays = gapLookbackDays
    }
}

public enum ReportFormat: String, Codable, Sendable, CaseIterable {
    case html, md, json
}

public struct ReportSpec: Codable, Sendable, Equatable {
    /// Formats to write. summary.json is always written (it is the machine contract).
    public var formats: [ReportFormat]?
    /// Report root folder. Default `reports`.
    public var output: String?

    public enum CodingKeys: String, CodingKey, CaseIterable { case formats, output }

    public init(formats: [ReportFormat]? = nil, output: String? = nil) {
        self.formats = formats
        self.output = output
    }
}

/// Retention of raw data. Profiles, findings, metrics, the ledger and reports are kept forever;
/// the baseline is never deleted.
/// Bounds on one input file's header (docs/definition.md, docs/security.md). A file beyond them
/// is refused (exit 2 naming the file, the limit and this key), never half-read.
public struct LimitsSpec: Codable, Sendable, Equatable {
    /// The most columns (CSV header fields, distinct JSON Lines keys) of one file. Default 10 000.
    public var maxColumns: Int?
    /// The most bytes of a CSV header line. Default 1 MiB (1 048 576).
    public var maxHeaderBytes: Int?

    public static let defaultMaxColumns = 10_000
    public static let defaultMaxHeaderBytes = 1 << 20

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case maxColumns = "max_columns"
        case maxHeaderBytes = "max_header_bytes"
    }

    public init(maxColumns: Int? = nil, maxHeaderBytes: Int? = nil) {
        self.maxColumns = maxColumns
        self.maxHeaderBytes = maxHeaderBytes
    }
}

extension PipelineDefinition {
    /// `limits.max_columns`, or its default.
    public var maxColumns: Int { limits?.maxColumns ?? LimitsSpec.defaultMaxColumns }
    /// `limits.max_header_bytes`, or its default.
    public var maxHeaderBytes: Int { limits?.maxHeaderBytes ?? LimitsSpec.defaultMaxHeaderBytes }
}

public struct RetentionSpec: Codable, Sendable, Equatable {
    /// Stored rows (and labels) of daily snapshots older than this many days before the newest
    /// snapshot date are deleted after a run. Unset: kept forever.
    public var rawDays: Int?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case rawDays = "raw_days"
    }

    public init(rawDays: Int? = nil) { self.rawDays = rawDays }
}

/// A command run after each audited date (mail, chat, ticket system: the tool knows none of them).
public struct NotifySpec: Codable, Sendable, Equatable {
    /// Run with `/bin/sh -c`, with MLAUDIT_* variables in its environment (docs/operations.md).
    public var command: String
    /// Seconds before the command is killed. Default 30.
    public var timeoutSeconds: Double?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case command
        case timeoutSeconds = "timeout_seconds"
    }

    public init(command: String, timeoutSeconds: Double? = nil) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
    }
}

/// The audit's numbers for a monitoring system (docs/operations.md, "Prometheus").
public struct MetricsSpec: Codable, Sendable, Equatable {
    /// A Prometheus text file (node_exporter's textfile collector) rewritten atomically after
    /// each `mlaudit run`. Relative paths resolve like every path of the definition.
    public var textfile: String?

    public enum CodingKeys: String, CodingKey, CaseIterable { case textfile }

    public init(textfile: String? = nil) { self.textfile = textfile }
}
