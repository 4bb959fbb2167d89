import AuditModel
import Statistics
import Warehouse

/// Pearson correlations of the baseline (docs/profiles.md): every pair of numeric features
/// (numeric, integer and boolean as 0/1) in declared order, then each of them with the target
/// (a binary target as 1 for the positive class, else 0; a regression target as is; none for
/// multiclass). Missing and non-finite values are dropped pair by pair.
struct BaselineCorrelations {
    let definition: PipelineDefinition

    func compute(columns: [DeclaredColumn], data: [String: ColumnData]) -> [Correlation] {
        let features = columns.filter { $0.role == .feature && ($0.type.isNumeric || $0.type == .boolean) }
        let inputs: [(name: String, values: [Double])] = features.compactMap { c in
            guard case .numeric(let d)? = data[c.name] else { return nil }
            return (c.name, valuesWithNaNForNulls(d))
        }
        let prepared = parallelMap(inputs) { (name: $0.name, column: Pearson.Column($0.values)) }
        var pairs: [(a: Int, b: Int)] = []
        for i in prepared.indices {
            for j in prepared.indices where j > i { pairs.append((i, j)) }
        }
        let target = targetColumn(columns: columns, data: data)
        let work: [(Int, Int?)] = pairs.map { ($0.a, $0.b) } + (target == nil ? [] : prepared.indices.map { ($0, nil) })
        return parallelMap(work) { item in
            let a = prepared[item.0]
            if let j = item.1 {
                let (r, n) = Pearson.coefficient(a.column, prepared[j].column)
                return Correlation(columnA: a.name, columnB: prepared[j].name, kind: .feature, coefficient: r, count: n)
            }
            let (r, n) = Pearson.coefficient(a.column, target!.column)
            return Correlation(columnA: a.name, columnB: target!.name, kind: .target, coefficient: r, count: n)
        }
    }

    /// The target as numbers, when it is in the data and the model is binary or a regression.
    func targetColumn(columns: [DeclaredColumn], data: [String: ColumnData]) -> (name: String, column: Pearson.Column)? {
        guard let name = definition.schema.target, let kind = definition.schema.prediction?.kind, kind != .multiclass,
              columns.contains(where: { $0.name == name && $0.role == .target }), let d = data[name]
        else { return nil }
        switch d {
        case .numeric(let n):
            return (name, Pearson.Column(valuesWithNaNForNulls(n)))
        case .labels(let l):
            guard kind == .binary else { return nil }
            let positive = definition.positiveClass
            let isPositive = l.dictionary.map { $0 == positive }
            return (name, Pearson.Column(l.codes.map { $0 < 0 ? .nan : (isPositive[Int($0)] ? 1 : 0) }))
        }
    }

    /// Null rows already hold NaN in `NumericColumnData`, so the values are used as they are.
    func valuesWithNaNForNulls(_ d: NumericColumnData) -> [Double] { d.values }
}
