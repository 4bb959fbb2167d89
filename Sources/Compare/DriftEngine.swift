import AuditModel
import Statistics

/// One side of a drift comparison: numeric values (NaN and nulls removed) or category counts.
public enum DriftSample: Sendable {
    case numeric([Double])
    case categorical([String: Int])

    var size: Int {
        switch self {
        case .numeric(let v): return v.count
        case .categorical(let c): return c.values.reduce(0, +)
        }
    }
}

/// Per-column drift, with the statistics users know from Evidently and scipy (docs/statistics.md).
///
/// The verdict uses the column's method; KS (numeric) or chi-square (categorical), PSI,
/// Jensen–Shannon and, for numbers, the normed Wasserstein distance are computed alongside and
/// kept in `extra` so a reader can cross-check.
public enum DriftEngine {
    /// Evidently's `auto` choice: up to 1 000 reference rows, tests (KS for numbers with more
    /// than 5 distinct values, chi-square for more than 2 categories, else the Z-test); above,
    /// distances (Wasserstein for numbers with more than 5 distinct values, else Jensen–Shannon).
    /// Distinct values are counted over both samples together, as Evidently does.
    public static func autoMethod(reference: DriftSample, current: DriftSample) -> DriftMethod {
        let refRows = reference.size
        let distinct: Int
        let numeric: Bool
        switch (reference, current) {
        case (.numeric(let r), .numeric(let c)):
            numeric = true
            distinct = Set(r + c).count
        case (.categorical(let r), .categorical(let c)):
            numeric = false
            distinct = Set(r.filter { $0.value > 0 }.keys).union(c.filter { $0.value > 0 }.keys).count
        default:
            numeric = false
            distinct = 0
        }
        if refRows <= 1000 {
            if numeric, distinct > 5 { return .ks }
            return distinct > 2 ? .chi2 : .z
        }
        if numeric, distinct > 5 { return .wasserstein }
        return .jensenshannon
    }

    /// Whether `method` applies to a sample kind (KS and Wasserstein need numbers).
    public static func applies(_ method: DriftMethod, to sample: DriftSample) -> Bool {
        if case .categorical = sample { return method != .ks && method != .wasserstein }
        return true
    }

    /// Compares `current` with `reference`. Returns nil when either sample is empty.
    public static func compare(
        column: String, role: ColumnRole, reference: DriftSample, current: DriftSample, method requested: DriftMethod,
        threshold: Double?
    ) -> DriftResult? {
        guard reference.size > 0, current.size > 0 else { return nil }
        var method = requested
        if method == .auto || !applies(method, to: reference) { method = autoMethod(reference: reference, current: current) }
        let threshold = threshold ?? method.defaultThreshold
        var extra: [String: Double] = [:]
        var statistic = Double.nan
        var pValue: Double?

        switch (reference, current) {
        case (.numeric(let r0), .numeric(let c0)):
            let r = r0.sorted(), c = c0.sorted()
            if let ks = KolmogorovSmirnov.twoSample(sorted: r, sorted: c, method: .auto) {
                extra["ks_statistic"] = ks.statistic
                extra["ks_p_value"] = ks.pValue
            }
            if let w = Distances.wassersteinNormed(reference: r, current: c) { extra["wasserstein_normed"] = w }
            if let p = Distances.psi(reference: r, current: c) { extra["psi"] = p }
            if let j = Distances.jensenShannon(reference: r, current: c) { extra["jensenshannon"] = j }
            switch method {
            case .ks:
                statistic = extra["ks_statistic"] ?? .nan
                pValue = extra["ks_p_value"]
            case .wasserstein: statistic = extra["wasserstein_normed"] ?? .nan
            case .psi: statistic = extra["psi"] ?? .nan
            case .jensenshannon: statistic = extra["jensenshannon"] ?? .nan
            case .chi2:
                let (rc, cc) = numericAsCategories(r, c)
                if let chi = ChiSquare.evidentlyDrift(referenceCounts: rc, currentCounts: cc) {
                    statistic = chi.statistic
                    pValue = chi.pValue
                }
            case .z:
                if let z = ZTest.evidentlyTwoProportion(referenceCategories: r, currentCategories: c) {
                    statistic = z.statistic
                    pValue = z.pValue
                }
            case .auto: break
            }
        case (.categorical(let rMap), .categorical(let cMap)):
            let keys = Set(rMap.keys).union(cMap.keys).sorted()
            let rc = keys.map { rMap[$0] ?? 0 }, cc = keys.map { cMap[$0] ?? 0 }
            if let chi = ChiSquare.evidentlyDrift(referenceCounts: rc, currentCounts: cc) {
                extra["chi2_statistic"] = chi.statistic
                extra["chi2_p_value"] = chi.pValue
            }
            if let p = Distances.psi(referenceCounts: rc, currentCounts: cc) { extra["psi"] = p }
            if let j = Distances.jensenShannon(referenceCounts: rc, currentCounts: cc) { extra["jensenshannon"] = j }
            switch method {
            case .chi2:
                statistic = extra["chi2_statistic"] ?? .nan
                pValue = extra["chi2_p_value"]
            case .psi: statistic = extra["psi"] ?? .nan
            case .jensenshannon: statistic = extra["jensenshannon"] ?? .nan
            case .z:
                let r = expand(keys, rc), c = expand(keys, cc)
                if let z = ZTest.evidentlyTwoProportion(referenceCategories: r, currentCategories: c) {
                    statistic = z.statistic
                    pValue = z.pValue
                }
            default: break
            }
        default:
            return nil
        }

        let drifted: Bool
        switch method {
        case .ks: drifted = (pValue ?? 1) <= threshold
        case .chi2, .z: drifted = (pValue ?? 1) < threshold
        default: drifted = statistic.isFinite && statistic >= threshold
        }
        return DriftResult(
            column: column, role: role, method: method, statistic: statistic.isNaN ? 0 : statistic, pValue: pValue,
            threshold: threshold, drifted: drifted, referenceCount: reference.size, currentCount: current.size,
            extra: extra.filter { $0.value.isFinite })
    }

    /// Counts per distinct value over both numeric samples (for chi-square on low-cardinality numbers).
    static func numericAsCategories(_ r: [Double], _ c: [Double]) -> ([Int], [Int]) {
        let keys = Set(r + c).sorted()
        var index: [Double: Int] = [:]
        for (i, k) in keys.enumerated() { index[k] = i }
        var rc = [Int](repeating: 0, count: keys.count), cc = rc
        for v in r { rc[index[v]!] += 1 }
        for v in c { cc[index[v]!] += 1 }
        return (rc, cc)
    }

    static func expand(_ keys: [String], _ counts: [Int]) -> [String] {
        var out: [String] = []
        for (k, n) in zip(keys, counts) { out += Array(repeating: k, count: n) }
        return out
    }
}
