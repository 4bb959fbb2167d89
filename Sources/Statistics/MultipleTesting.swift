// Control of false discoveries when many tests are read at once (a day's drift tests, a
// period's segments): Benjamini–Hochberg adjusted p-values, as statsmodels'
// `multipletests(method="fdr_bh")` computes them.

/// Multiple-comparison corrections.
public enum MultipleTesting {
    /// Benjamini–Hochberg adjusted p-values, in the order of `pValues`: for the i-th smallest of
    /// m p-values, min over j ≥ i of p₍ⱼ₎·m/j, capped at 1. Rejecting where the adjusted value is
    /// at or below α keeps the expected share of false discoveries at or below α (independent or
    /// positively dependent tests). NaN p-values are left NaN and not counted in m.
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        var out = [Double](repeating: .nan, count: pValues.count)
        let order = pValues.indices.filter { !pValues[$0].isNaN }.sorted { pValues[$0] < pValues[$1] }
        let m = Double(order.count)
        var running = 1.0
        for rank in stride(from: order.count, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, pValues[i] * m / Double(rank))
            out[i] = min(1, max(0, running))
        }
        return out
    }
}
