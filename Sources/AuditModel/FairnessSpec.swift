/// `segments:` of a definition: columns whose values split each period into slices audited on
/// their own (docs/definition.md, docs/fairness.md).
public struct SegmentsSpec: Codable, Sendable, Equatable {
    public var columns: [SegmentColumnSpec]
    /// A segment with fewer rows is listed but not judged. Default 200.
    public var minRows: Int?
    /// Overrides of the performance drop thresholds for segments (default: `performance.max_drop`).
    public var maxDrop: Thresholds?
    /// Overrides of the missing-share change thresholds for segments (default: `drift.null_rate_change`).
    public var nullRateChange: Thresholds?
    /// False discovery rate of the Benjamini–Hochberg correction over a period's segment tests.
    /// Default 0.05.
    public var falseDiscoveryRate: Double?

    public static let defaultMinRows = 200
    public static let defaultFalseDiscoveryRate = 0.05
    /// At most this many segments per column: the values with the most rows; the rest are
    /// grouped into one `(other)` segment, listed and not judged (docs/segments.md).
    public static let maxValuesPerColumn = 100
    /// The value of the grouped segment.
    public static let otherValue = "(other)"

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case columns
        case minRows = "min_rows"
        case maxDrop = "max_drop"
        case falseDiscoveryRate = "false_discovery_rate"
        case nullRateChange = "null_rate_change"
    }

    public init(columns: [SegmentColumnSpec], minRows: Int? = nil, maxDrop: Thresholds? = nil,
                falseDiscoveryRate: Double? = nil, nullRateChange: Thresholds? = nil) {
        self.columns = columns
        self.nullRateChange = nullRateChange
        self.minRows = minRows
        self.maxDrop = maxDrop
        self.falseDiscoveryRate = falseDiscoveryRate
    }
}

/// One segment column: categorical (one segment per value) or numeric with bin edges.
public struct SegmentColumnSpec: Codable, Sendable, Equatable {
    public var column: String
    /// Ascending edges of a numeric column: `[25, 45, 65]` makes `< 25`, `[25, 45)`, `[45, 65)`
    /// and `>= 65`.
    public var bins: [Double]?

    public enum CodingKeys: String, CodingKey, CaseIterable { case column, bins }

    public init(column: String, bins: [Double]? = nil) {
        self.column = column
        self.bins = bins
    }

    /// The segment label of a numeric value under `bins` (left-closed intervals).
    public static func binLabel(_ x: Double, edges: [Double]) -> String {
        guard let first = edges.first, let last = edges.last else { return formatNumber(x) }
        if x < first { return "< \(formatNumber(first))" }
        if x >= last { return ">= \(formatNumber(last))" }
        for k in 1..<edges.count where x < edges[k] {
            return "[\(formatNumber(edges[k - 1])), \(formatNumber(edges[k])))"
        }
        return ">= \(formatNumber(last))"
    }
}

/// `fairness:` of a definition: protected attributes whose groups are compared (docs/fairness.md).
public struct FairnessSpec: Codable, Sendable, Equatable {
    public var attributes: [FairnessAttributeSpec]
    /// A group with fewer rows (fewer labelled rows, for realized rates) is listed but not
    /// judged and left out of the attribute's differences. Default 100.
    public var minGroupRows: Int?
    /// Impact ratio (a group's selection rate over the reference's): below `warning` is a
    /// warning, below `critical` critical. Default 0.8 and 0.6.
    public var impactRatio: Thresholds?
    /// Equalized odds difference (worst case of the TPR and FPR gaps): at or above `warning`
    /// a warning, at or above `critical` critical. Default 0.1 and 0.2.
    public var equalizedOddsDifference: Thresholds?

    public static let defaultMinGroupRows = 100
    public static let defaultImpactRatio = Thresholds(warning: 0.8, critical: 0.6)
    public static let defaultEqualizedOdds = Thresholds(warning: 0.1, critical: 0.2)

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case attributes
        case minGroupRows = "min_group_rows"
        case impactRatio = "impact_ratio"
        case equalizedOddsDifference = "equalized_odds_difference"
    }

    public init(attributes: [FairnessAttributeSpec], minGroupRows: Int? = nil, impactRatio: Thresholds? = nil,
                equalizedOddsDifference: Thresholds? = nil) {
        self.attributes = attributes
        self.minGroupRows = minGroupRows
        self.impactRatio = impactRatio
        self.equalizedOddsDifference = equalizedOddsDifference
    }
}

public struct FairnessAttributeSpec: Codable, Sendable, Equatable {
    public var column: String
    /// The group the others are compared with, as written in the data (`"1"`, `"F"`).
    /// Default: the judged group with the highest selection rate.
    public var referenceGroup: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case column
        case referenceGroup = "reference_group"
    }

    public init(column: String, referenceGroup: String? = nil) {
        self.column = column
        self.referenceGroup = referenceGroup
    }
}
