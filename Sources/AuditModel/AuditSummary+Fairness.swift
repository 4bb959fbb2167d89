extension AuditSummary {
    /// One protected attribute of a day (summary.json `fairness[]`, docs/fairness.md). Metric
    /// definitions are Fairlearn 0.15's, over the judged groups (at least
    /// `fairness.min_group_rows` rows; labelled rows for the realized rates).
    public struct FairnessAttribute: Codable, Sendable, Equatable {
        public var attribute: String
        /// The group impact ratios are taken against: the declared `reference_group`, else the
        /// judged group with the highest selection rate. Nil when no group is judged.
        public var referenceGroup: String?
        /// Whether the reference group was declared (else the highest selection rate).
        public var referenceDeclared: Bool
        /// Rows whose attribute is missing: in no group.
        public var missingRows: Int
        public var groups: [FairnessGroup]
        public var demographicParityDifference: Double?
        public var demographicParityRatio: Double?
        public var equalizedOddsDifference: Double?
        public var equalOpportunityDifference: Double?
        /// The smallest impact ratio of a judged group.
        public var minImpactRatio: Double?

        public enum CodingKeys: String, CodingKey {
            case attribute
            case referenceGroup = "reference_group"
            case referenceDeclared = "reference_declared"
            case missingRows = "missing_rows"
            case groups
            case demographicParityDifference = "demographic_parity_difference"
            case demographicParityRatio = "demographic_parity_ratio"
            case equalizedOddsDifference = "equalized_odds_difference"
            case equalOpportunityDifference = "equal_opportunity_difference"
            case minImpactRatio = "min_impact_ratio"
        }

        public init(
            attribute: String, referenceGroup: String?, referenceDeclared: Bool, missingRows: Int, groups: [FairnessGroup],
            demographicParityDifference: Double?, demographicParityRatio: Double?, equalizedOddsDifference: Double?,
            equalOpportunityDifference: Double?, minImpactRatio: Double?
        ) {
            self.attribute = attribute
            self.referenceGroup = referenceGroup
            self.referenceDeclared = referenceDeclared
            self.missingRows = missingRows
            self.groups = groups
            self.demographicParityDifference = demographicParityDifference
            self.demographicParityRatio = demographicParityRatio
            self.equalizedOddsDifference = equalizedOddsDifference
            self.equalOpportunityDifference = equalOpportunityDifference
            self.minImpactRatio = minImpactRatio
        }

        public func encode(to encoder: any Encoder) throws {
            // Nulls written explicitly: every attribute has the same keys.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(attribute, forKey: .attribute)
            try c.encode(referenceGroup, forKey: .referenceGroup)
            try c.encode(referenceDeclared, forKey: .referenceDeclared)
            try c.encode(missingRows, forKey: .missingRows)
            try c.encode(groups, forKey: .groups)
            try c.encode(demographicParityDifference, forKey: .demographicParityDifference)
            try c.encode(demographicParityRatio, forKey: .demographicParityRatio)
            try c.encode(equalizedOddsDifference, forKey: .equalizedOddsDifference)
            try c.encode(equalOpportunityDifference, forKey: .equalOpportunityDifference)
            try c.encode(minImpactRatio, forKey: .minImpactRatio)
        }
    }

    /// One group of a protected attribute. Rates are nil where their denominator is zero
    /// (TPR without positives, precision without predicted positives, realized rates without
    /// labels); each `_ci` is the Wilson 95 % interval `[lower, upper]`.
    public struct FairnessGroup: Codable, Sendable, Equatable {
        public var value: String
        public var rows: Int
        public var labelledRows: Int
        /// At least `min_group_rows` rows: in the attribute's differences and judged.
        public var judged: Bool
        /// At least `min_group_rows` labelled rows: its realized rates are in the differences.
        public var judgedRealized: Bool
        public var selectionRate: Double?
        public var selectionRateCI: [Double]?
        public var truePositiveRate: Double?
        public var truePositiveRateCI: [Double]?
        public var falsePositiveRate: Double?
        public var falsePositiveRateCI: [Double]?
        public var precision: Double?
        public var precisionCI: [Double]?
        public var accuracy: Double?
        public var accuracyCI: [Double]?
        /// Selection rate over the reference group's.
        public var impactRatio: Double?

        public enum CodingKeys: String, CodingKey {
            case value, rows
            case labelledRows = "labelled_rows"
            case judged
            case judgedRealized = "judged_realized"
            case selectionRate = "selection_rate"
            case selectionRateCI = "selection_rate_ci"
            case truePositiveRate = "true_positive_rate"
            case truePositiveRateCI = "true_positive_rate_ci"
            case falsePositiveRate = "false_positive_rate"
            case falsePositiveRateCI = "false_positive_rate_ci"
            case precision
            case precisionCI = "precision_ci"
            case accuracy
            case accuracyCI = "accuracy_ci"
            case impactRatio = "impact_ratio"
        }

        public init(value: String, rows: Int, labelledRows: Int, judged: Bool, judgedRealized: Bool) {
            self.value = value
            self.rows = rows
            self.labelledRows = labelledRows
            self.judged = judged
            self.judgedRealized = judgedRealized
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(value, forKey: .value)
            try c.encode(rows, forKey: .rows)
            try c.encode(labelledRows, forKey: .labelledRows)
            try c.encode(judged, forKey: .judged)
            try c.encode(judgedRealized, forKey: .judgedRealized)
            try c.encode(selectionRate, forKey: .selectionRate)
            try c.encode(selectionRateCI, forKey: .selectionRateCI)
            try c.encode(truePositiveRate, forKey: .truePositiveRate)
            try c.encode(truePositiveRateCI, forKey: .truePositiveRateCI)
            try c.encode(falsePositiveRate, forKey: .falsePositiveRate)
            try c.encode(falsePositiveRateCI, forKey: .falsePositiveRateCI)
            try c.encode(precision, forKey: .precision)
            try c.encode(precisionCI, forKey: .precisionCI)
            try c.encode(accuracy, forKey: .accuracy)
            try c.encode(accuracyCI, forKey: .accuracyCI)
            try c.encode(impactRatio, forKey: .impactRatio)
        }
    }
}
