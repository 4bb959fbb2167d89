import AuditModel
import Statistics
import Warehouse

/// Pearson correlations of the baseline (docs/profiles.md): every pair of numeric features
/// (numeric, integer and boolean as 0/1) in declared order, then each of them with the target
/// (a binary target as 1 for the positive class, else 0; a regression target as is; none for
/// multiclass). Missing and non-finite values are dropped pair by pair.
///
/// The columns arrive a group at a time (`collect`); only the numeric features' and the
/// target's values are kept (8 bytes per row each), and `compute` prepares them one by one (`Pearson.Column`: the values
/// and their mean, centred as each pair is multiplied).
struct BaselineCorrelations {
    let definition: PipelineDefinition
    let features: [DeclaredColumn]
    let targetName: String?
    private var values: [String: [Double]] = [:]
    private var target: [Double]?

    init(definition: PipelineDefinition, columns: [DeclaredColumn]) {
        self.definition = definition
        features = columns.filter { $0.role == .feature && ($0.type.isNumeric || $0.type == .boolean) }
        if let name = definition.schema.target, let kind = definition.schema.prediction?.kind, kind != .multiclass,
            columns.contains(where: { $0.name == name && $0.role == .target })
        {
            targetName = name
        } else {
            targetName = nil
        }
    }

    /// Keeps what the correlations need from a group of columns.
    mutating func collect(_ data: [String: ColumnData]) {
        for c in features {
            // Null rows already hold NaN in `NumericColumnData`, so the values are used as they are.
            if case .numeric(let d)? = data[c.name] { values[c.name] = d.values }
        }
        if let targetName, let d = data[targetName] { target = targetValues(d) }
    }

    /// The target as numbers: a regression target as is, a binary one as 1 for the positive class.
    func targetValues(_ d: ColumnData) -> [Double]? {
        switch d {
        case .numeric(let n):
            return n.values
        case .labels(let l):
            guard definition.schema.prediction?.kind == .binary else { return nil }
            let positive = definition.positiveClass
            let isPositive = l.dictionary.map { $0 == positive }
            return l.codes.map { $0 < 0 ? .nan : (isPositive[Int($0)] ? 1 : 0) }
        }
    }

    /// The correlations of the collected columns; empties what `collect` kept.
    mutating func compute() -> [Correlation] {
        let names = features.map(\.name).filter { values[$0] != nil }
        var inputs: [[Double]] = names.map { values[$0]! }
        values = [:]
        if let target { inputs.append(target) }
        self.target = nil
        var prepared: [Pearson.Column] = []
        prepared.reserveCapacity(inputs.count)
        for k in inputs.indices {
            let column = inputs[k]
            inputs[k] = []
            prepared.append(Pearson.Column(column))
        }
        let hasTarget = prepared.count > names.count
        var pairs: [(a: Int, b: Int)] = []
        for i in names.indices {
            for j in names.indices where j > i { pairs.append((i, j)) }
        }
        let work: [(Int, Int?)] = pairs.map { ($0.a, $0.b) } + (hasTarget ? names.indices.map { ($0, nil) } : [])
        let targetName = targetName ?? ""
        let columns = prepared
        prepared = []
        return parallelMap(work) { item in
            let a = columns[item.0]
            if let j = item.1 {
                let (r, n) = Pearson.coefficient(a, columns[j])
                return Correlation(columnA: names[item.0], columnB: names[j], kind: .feature, coefficient: r, count: n)
            }
            let (r, n) = Pearson.coefficient(a, columns[names.count])
            return Correlation(columnA: names[item.0], columnB: targetName, kind: .target, coefficient: r, count: n)
        }
    }
}
