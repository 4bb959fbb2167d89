import AuditModel
import Statistics
import Warehouse

/// A binary model's served decisions (`Comparison.servedDecisions`): positive predictions,
/// predictions, rows whose prediction disagrees with score ≥ the threshold, rows compared, and
/// the threshold that reproduces the most decisions when asked for.
typealias ServedDecisions = (positives: Int, predictions: Int, mismatches: Int, compared: Int, fit: DecisionThreshold.Fit?)

/// What the compare stage learns from the baseline once and reuses every day: Pearson
/// correlations of the numeric features (redundant features), the hour-of-day traffic pattern
/// (empty hours) and the served-decision facts (threshold checks).
///
/// Computed from the baseline's rows on the first comparison against a baseline snapshot and
/// stored as the stage result `compare.baseline_facts` of that baseline snapshot; a new
/// baseline version is a new snapshot, so the facts follow it. (The profile stage does not
/// store correlations; computing them here keeps the two stages independent.)
struct BaselineFacts: Codable, Sendable, Equatable {
    static let resultKey = StoredResultKey<BaselineFacts>(.baselineFacts, stage: .compare)
    static let currentVersion = 1

    struct Pair: Codable, Sendable, Equatable {
        var a: String
        var b: String
        var r: Double
        /// Rows where both values are present.
        var n: Int
    }

    var version: Int
    /// The numeric features the correlations cover, in definition order.
    var features: [String]
    /// Every pair of `features` with a defined correlation.
    var correlations: [Pair]
    /// Share of the baseline's rows in each UTC hour of the day (nil without a timestamp).
    var hourShares: [Double]?
    /// Share of the baseline's served predictions that are the positive class (binary models).
    var positiveRate: Double?
    /// Rows with a served positive prediction and rows with a prediction (binary models).
    var positives: Int?
    var predictions: Int?
    /// Share of the baseline's rows whose served prediction differs from score ≥ threshold.
    var thresholdMismatch: Double?
    /// The decision threshold the mismatch was computed at.
    var threshold: Double?
}

extension Comparison {
    /// The numeric (and boolean) features present in the baseline, in definition order.
    var correlationFeatures: [String] {
        let header = Set(baseline.header)
        return definition.declaredColumns.filter {
            $0.role == .feature && ($0.type.isNumeric || $0.type == .boolean) && header.contains($0.name)
        }.map(\.name)
    }

    /// Loads the baseline facts, computing and storing them when absent or out of date.
    mutating func loadFacts() throws {
        let features = correlationFeatures
        if let stored = try? store.result(BaselineFacts.resultKey, snapshotId: baseline.id),
            stored.version == BaselineFacts.currentVersion, stored.features == features,
            stored.threshold == definition.decisionThreshold
        {
            facts = stored
            return
        }
        let computed = try computeFacts(features: features)
        try store.putResult(snapshotId: baseline.id, BaselineFacts.resultKey, computed)
        facts = computed
    }

    func computeFacts(features: [String]) throws -> BaselineFacts {
        var facts = BaselineFacts(
            version: BaselineFacts.currentVersion, features: features, correlations: [], threshold: definition.decisionThreshold)
        // Correlations: the profile stage stores the baseline's Pearson correlations (table
        // `correlation`); they are computed here only for a baseline profiled before that table
        // existed. Pairwise deletion of nulls and non-finite values either way.
        let wanted = Set(features)
        let stored = try store.correlations(snapshotId: baseline.id).filter {
            $0.kind == .feature && wanted.contains($0.columnA) && wanted.contains($0.columnB)
        }
        if !stored.isEmpty {
            facts.correlations = stored.compactMap { c in c.coefficient.map { BaselineFacts.Pair(a: c.columnA, b: c.columnB, r: $0, n: c.count) } }
        } else if features.count >= 2 {
            let data = try store.readColumns(table, snapshotId: baseline.id, columns: features)
            let columns: [Pearson.Column] = features.compactMap { name in
                guard case .numeric(let d)? = data[name] else { return nil }
                return Pearson.Column(d.values.indices.map { d.nulls[$0] ? .nan : d.values[$0] })
            }
            if columns.count == features.count {
                var pairs: [[Int]] = []
                for i in 0..<features.count { for j in (i + 1)..<features.count { pairs.append([i, j]) } }
                facts.correlations = parallelMap(pairs) { p -> BaselineFacts.Pair? in
                    let (r, n) = Pearson.coefficient(columns[p[0]], columns[p[1]])
                    return r.map { BaselineFacts.Pair(a: features[p[0]], b: features[p[1]], r: $0, n: n) }
                }.compactMap { $0 }
            }
        }
        // Hour-of-day pattern.
        if let ts = definition.schema.timestamp, Set(baseline.header).contains(ts) {
            var perHour = [Int](repeating: 0, count: 24)
            for (key, n) in try store.hourCounts(table, snapshotId: baseline.id, column: ts) {
                if key.count == 13, let h = Int(key.suffix(2)), (0..<24).contains(h) { perHour[h] += n }
            }
            let total = perHour.reduce(0, +)
            if total > 0 { facts.hourShares = perHour.map { Double($0) / Double(total) } }
        }
        // Served decisions of a binary model.
        if let decisions = try baselineDecisions.map({ $0.value }) ?? servedDecisions(snapshot: baseline) {
            facts.positives = decisions.positives
            facts.predictions = decisions.predictions
            facts.positiveRate = decisions.predictions > 0 ? Double(decisions.positives) / Double(decisions.predictions) : nil
            facts.thresholdMismatch = decisions.compared > 0 ? Double(decisions.mismatches) / Double(decisions.compared) : nil
        }
        return facts
    }

    /// For a binary model: served positive predictions, predictions, and how many rows with a
    /// score disagree with score ≥ the decision threshold. nil for other models or without a
    /// prediction column.
    func servedDecisions(snapshot s: SnapshotRecord, fit: Bool = false) throws -> ServedDecisions? {
        guard let names = servedDecisionColumns(snapshot: s) else { return nil }
        return servedDecisions(try store.readColumns(table, snapshotId: s.id, columns: names), fit: fit)
    }

    /// The columns `servedDecisions` reads (the prediction, then the score when the file has
    /// one); nil when there are no served decisions to count.
    func servedDecisionColumns(snapshot s: SnapshotRecord) -> [String]? {
        guard let p = definition.schema.prediction, p.kind == .binary, Set(s.header).contains(p.column) else { return nil }
        var names = [p.column]
        if let score = p.score, Set(s.header).contains(score) { names.append(score) }
        return names
    }

    /// `servedDecisions` from columns already read (they may hold more columns than it needs).
    func servedDecisions(_ data: [String: ColumnData], fit: Bool = false) -> ServedDecisions? {
        guard let p = definition.schema.prediction, case .labels(let pred)? = data[p.column] else { return nil }
        let labels = BinaryLabels(positive: definition.positiveClass)
        let codes = pred.dictionary.map { labels.code($0) }
        var positives = 0, predictions = 0, mismatches = 0, compared = 0
        var scores: NumericColumnData?
        if let score = p.score, case .numeric(let d)? = data[score] { scores = d }
        let threshold = definition.decisionThreshold
        var fitScores: [Double] = [], fitDecisions: [Bool] = []
        for i in 0..<pred.codes.count {
            let c = pred.codes[i]
            guard c >= 0, let code = codes[Int(c)] else { continue }
            predictions += 1
            positives += code
            if let scores, !scores.nulls[i], scores.values[i].isFinite {
                compared += 1
                if (scores.values[i] >= threshold ? 1 : 0) != code { mismatches += 1 }
                if fit {
                    fitScores.append(scores.values[i])
                    fitDecisions.append(code == 1)
                }
            }
        }
        return (positives, predictions, mismatches, compared, fit ? DecisionThreshold.fit(scores: fitScores, positive: fitDecisions) : nil)
    }
}
