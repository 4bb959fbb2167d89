/// Pearson's correlation between two columns of a snapshot: between two numeric features, or
/// between a feature and the target (for a binary target, Pearson on 0/1 — the point-biserial
/// correlation). Computed for the baseline (docs/profiles.md) and stored in the `correlation`
/// table, where the compare stage's technical-debt checks read it (redundant features).
public struct Correlation: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Both columns are input features.
        case feature
        /// `columnB` is the target.
        case target
    }

    public var columnA: String
    public var columnB: String
    public var kind: Kind
    /// Pearson's r over the rows where both values are present and finite (pairwise complete,
    /// as pandas `DataFrame.corr()`); nil when fewer than two such rows or either side is constant.
    public var coefficient: Double?
    /// Rows used.
    public var count: Int

    public init(columnA: String, columnB: String, kind: Kind, coefficient: Double?, count: Int) {
        self.columnA = columnA
        self.columnB = columnB
        self.kind = kind
        self.coefficient = coefficient
        self.count = count
    }
}
