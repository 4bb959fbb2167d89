/// A value and how often it occurs.
public struct ValueCount: Codable, Sendable, Equatable, Hashable {
    public var value: String
    public var count: Int
    public init(value: String, count: Int) {
        self.value = value
        self.count = count
    }
}

/// Bin edges and counts. `counts.count == edges.count - 1`; the last bin is closed on the right.
/// `below` and `above` count values outside the edges (days profiled on baseline edges).
public struct Histogram: Codable, Sendable, Equatable {
    public var edges: [Double]
    public var counts: [Int]
    public var below: Int
    public var above: Int
    public init(edges: [Double], counts: [Int], below: Int = 0, above: Int = 0) {
        self.edges = edges
        self.counts = counts
        self.below = below
        self.above = above
    }
}

/// The profile of one column of one snapshot. Sections are filled by type.
public struct ColumnProfile: Codable, Sendable, Equatable {
    public var column: String
    public var type: ColumnType
    public var role: ColumnRole
    /// Rows in the snapshot.
    public var rows: Int
    /// Null (missing) values.
    public var nulls: Int
    public var numeric: NumericProfile?
    public var categorical: CategoricalProfile?
    public var boolean: BooleanProfile?
    public var datetime: DatetimeProfile?
    public var text: TextProfile?

    public init(column: String, type: ColumnType, role: ColumnRole, rows: Int, nulls: Int) {
        self.column = column
        self.type = type
        self.role = role
        self.rows = rows
        self.nulls = nulls
    }

    public var nullRate: Double { rows == 0 ? 0 : Double(nulls) / Double(rows) }
}

public struct NumericProfile: Codable, Sendable, Equatable {
    /// Non-null values, NaN and infinities included.
    public var count: Int
    public var nan: Int
    public var infinite: Int
    public var zeros: Int
    public var negatives: Int
    /// Over finite values only (as numpy's nan-aware functions with infinities removed).
    public var min: Double?
    public var max: Double?
    public var mean: Double?
    /// Sample standard deviation (ddof = 1).
    public var std: Double?
    public var skewness: Double?
    /// Quantiles keyed `p01` … `p99`, numpy's default linear interpolation.
    public var quantiles: [String: Double]
    public var distinct: Int
    public var histogram: Histogram?

    public init(
        count: Int, nan: Int, infinite: Int, zeros: Int, negatives: Int, min: Double?, max: Double?, mean: Double?,
        std: Double?, skewness: Double?, quantiles: [String: Double], distinct: Int, histogram: Histogram?
    ) {
        self.count = count
        self.nan = nan
        self.infinite = infinite
        self.zeros = zeros
        self.negatives = negatives
        self.min = min
        self.max = max
        self.mean = mean
        self.std = std
        self.skewness = skewness
        self.quantiles = quantiles
        self.distinct = distinct
        self.histogram = histogram
    }
}

public struct CategoricalProfile: Codable, Sendable, Equatable {
    public var count: Int
    public var distinct: Int
    /// Most frequent values, most frequent first (ties by value).
    public var top: [ValueCount]
    /// Share of non-null values whose category never occurs in the baseline (nil for the baseline).
    public var unseenShare: Double?
    /// Every value with its count, ordered by value, when there are at most
    /// `CategoricalProfile.fullCountsLimit` distinct values (nil above): drift tests on
    /// categories use these counts instead of re-reading rows.
    public var counts: [ValueCount]?

    public static let fullCountsLimit = 10_000

    public init(count: Int, distinct: Int, top: [ValueCount], unseenShare: Double?, counts: [ValueCount]?) {
        self.count = count
        self.distinct = distinct
        self.top = top
        self.unseenShare = unseenShare
        self.counts = counts
    }
}

public struct BooleanProfile: Codable, Sendable, Equatable {
    public var count: Int
    public var trueCount: Int
    public var trueShare: Double?
    public init(count: Int, trueCount: Int) {
        self.count = count
        self.trueCount = trueCount
        self.trueShare = count == 0 ? nil : Double(trueCount) / Double(count)
    }
}

public struct DatetimeProfile: Codable, Sendable, Equatable {
    public var count: Int
    public var min: String?
    public var max: String?
    public init(count: Int, min: String?, max: String?) {
        self.count = count
        self.min = min
        self.max = max
    }
}

public struct TextProfile: Codable, Sendable, Equatable {
    public var count: Int
    public var distinct: Int
    public var minLength: Int?
    public var maxLength: Int?
    public var meanLength: Double?
    public init(count: Int, distinct: Int, minLength: Int?, maxLength: Int?, meanLength: Double?) {
        self.count = count
        self.distinct = distinct
        self.minLength = minLength
        self.maxLength = maxLength
        self.meanLength = meanLength
    }
}

/// The drift verdict for one column against the baseline.
public struct DriftResult: Codable, Sendable, Equatable {
    public var column: String
    public var role: ColumnRole
    public var method: DriftMethod
    public var statistic: Double
    /// For tests (ks, chi2, z); nil for distances.
    public var pValue: Double?
    public var threshold: Double
    public var drifted: Bool
    public var referenceCount: Int
    public var currentCount: Int
    /// Further statistics computed alongside (e.g. `ks_statistic`, `ks_p_value`, `chi2_p_value`).
    public var extra: [String: Double]

    public init(
        column: String, role: ColumnRole, method: DriftMethod, statistic: Double, pValue: Double?, threshold: Double,
        drifted: Bool, referenceCount: Int, currentCount: Int, extra: [String: Double] = [:]
    ) {
        self.column = column
        self.role = role
        self.method = method
        self.statistic = statistic
        self.pValue = pValue
        self.threshold = threshold
        self.drifted = drifted
        self.referenceCount = referenceCount
        self.currentCount = currentCount
        self.extra = extra
    }

    /// The p-value adjusted for the day's other drift tests (Benjamini–Hochberg), when adjusted.
    public var adjustedPValue: Double? { extra["p_value_adjusted"] }

    /// Drifted by its own test and, when adjusted, still beyond the threshold after the
    /// correction for the day's drift tests (`drift.multiple_testing`).
    public var significant: Bool {
        guard drifted else { return false }
        guard let q = adjustedPValue else { return true }
        return method == .ks ? q <= threshold : q < threshold
    }
}

/// Retraining advice.
public enum Recommendation: String, Codable, Sendable, CaseIterable {
    case recommended
    case watch
    case notNeeded = "not_needed"
}

/// Overall status of an audited day.
public enum AuditStatus: String, Codable, Sendable, CaseIterable {
    case ok, warning, critical

    public init(worst: Severity?) {
        switch worst {
        case .critical: self = .critical
        case .warning: self = .warning
        default: self = .ok
        }
    }
}

/// One number in the long `metric` table: the source of every trend.
public struct Metric: Codable, Sendable, Equatable {
    public var name: MetricName
    /// The column it describes, or "" for a whole-snapshot metric.
    public var column: String
    /// nil when undefined (e.g. a mean of no values).
    public var value: Double?
    public init(_ name: MetricName, column: String = "", _ value: Double?) {
        self.name = name
        self.column = column
        self.value = value.flatMap { $0.isNaN ? nil : $0 }
    }
}
