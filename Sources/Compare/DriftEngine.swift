import AuditModel
import Statistics

/// One side of a drift comparison: numbers (nulls removed; sorted or not) or category counts.
public enum DriftSample: Sendable {
    case numeric([Double])
    case categorical([String: Int])

    var size: Int {
        switch self {
        case .numeric(let v): return v.count
        case .categorical(let c): return c.values.reduce(0, +)
        }
    }

    /// The same sample ready for the engine: NaN and infinities dropped (Evidently turns
    /// infinities into NaN, then drops missing values) and numbers sorted ascending (a no-op
    /// when they already are, as the compare stage passes them).
    public func prepared() -> DriftSample {
        guard case .numeric(var v) = self else { return self }
        if v.contains(where: { !$0.isFinite }) { v.removeAll(where: { !$0.isFinite }) }
        if !SortedSamples.isSorted(v) { SortedSamples.sort(&v) }
        return .numeric(v)
    }
}

/// Per-column drift, with the statistics users know from Evidently and scipy (docs/statistics.md,
/// "The compare stage").
///
/// The verdict uses the column's method. Cheap cross-check statistics are computed alongside
/// and kept in `extra`: for numbers the KS statistic (and its p-value up to 1 000 reference
/// rows), the normed Wasserstein distance, PSI and Jensen–Shannon; for categories the
/// chi-square statistic and p-value, PSI and Jensen–Shannon. Numbers are sorted once and
/// every statistic walks the sorted arrays.
public enum DriftEngine {
    /// The `auto` choice, Evidently's rule on the SMALLER sample: when either side has at most
    /// 1 000 values, tests (KS for numbers with more than 5 distinct values, chi-square for more
    /// than 2 values, else the Z-test); when both have more, distances (Wasserstein for numbers
    /// with more than 5 distinct values, else Jensen–Shannon). Evidently looks at the reference
    /// size only; a distance threshold of 0.1 on a small current sample is crossed by sampling
    /// noise alone (190 rows drawn from the reference itself: normed Wasserstein ≥ 0.1 in about
    /// one draw in five), so a small day is tested instead (docs/statistics.md).
    /// The chi-square is scipy's `chi2_contingency` (the test of homogeneity NannyML uses), not
    /// Evidently's goodness of fit, which takes the baseline's proportions as exact: one value
    /// the baseline never had gives X² = inf and p = 0, so one stray pixel value in a clean day
    /// of 100 rows drifted. Evidently's test stays available as `chi2`.
    /// Distinct values are counted over both samples together, as Evidently does.
    public static func autoMethod(reference: DriftSample, current: DriftSample) -> DriftMethod {
        let r = reference.prepared(), c = current.prepared()
        return autoMethod(smallerSample: min(r.size, c.size), distinct: distinctValues(r, c), numeric: isNumeric(r, c))
    }

    static func autoMethod(smallerSample: Int, distinct: Int, numeric: Bool) -> DriftMethod {
        if smallerSample <= 1000 {
            if numeric, distinct > 5 { return .ks }
            return distinct > 2 ? .chi2Contingency : .z
        }
        if numeric, distinct > 5 { return .wasserstein }
        return .jensenshannon
    }

    static func isNumeric(_ r: DriftSample, _ c: DriftSample) -> Bool {
        if case .numeric = r, case .numeric = c { return true }
        return false
    }

    /// Distinct values of both (prepared) samples together.
    static func distinctValues(_ r: DriftSample, _ c: DriftSample) -> Int {
        switch (r, c) {
        case (.numeric(let a), .numeric(let b)): return SortedSamples.distinctCount(sorted: a, sorted: b)
        case (.categorical(let a), .categorical(let b)):
            return Set(a.filter { $0.value > 0 }.keys).union(b.filter { $0.value > 0 }.keys).count
        default: return 0
        }
    }

    /// Whether `method` applies to a sample kind (KS, Wasserstein and Anderson–Darling need numbers).
    public static func applies(_ method: DriftMethod, to sample: DriftSample) -> Bool {
        if case .categorical = sample { return ![.ks, .wasserstein, .anderson].contains(method) }
        return true
    }

    /// The verdict rule of a method, as Evidently: KS drifts at p ≤ threshold, the other tests
    /// at p < threshold, distances at statistic ≥ threshold. A NaN p-value never drifts.
    public static func isDrift(method: DriftMethod, statistic: Double, pValue: Double?, threshold: Double) -> Bool {
        switch method {
        case .ks: return (pValue ?? .nan) <= threshold
        case .chi2, .z, .anderson, .chi2Contingency: return (pValue ?? .nan) < threshold
        case .auto: return false
        case .psi, .jensenshannon, .wasserstein, .hellinger: return statistic.isFinite && statistic >= threshold
        }
    }

    /// Compares `current` with `reference`. Returns nil when either sample is empty (after
    /// dropping NaN and infinities) or the kinds differ. A method that does not apply to the
    /// column's kind (KS on categories) falls back to `auto`.
    public static func compare(
        column: String, role: ColumnRole, reference: DriftSample, current: DriftSample, method: DriftMethod,
        threshold: Double?
    ) -> DriftResult? {
        compare(
            column: column, role: role, prepared: reference.prepared(), current: current.prepared(), method: method,
            threshold: threshold)
    }

    /// `compare` for samples already prepared (numbers finite and sorted ascending), as the
    /// compare stage holds them: no copy, no check.
    static func compare(
        column: String, role: ColumnRole, prepared reference: DriftSample, current: DriftSample, method requested: DriftMethod,
        threshold: Double?
    ) -> DriftResult? {
        let numeric: Bool
        switch (reference, current) {
        case (.numeric, .numeric): numeric = true
        case (.categorical, .categorical): numeric = false
        default: return nil
        }
        guard reference.size > 0, current.size > 0 else { return nil }
        var method = requested
        if method == .auto || !applies(method, to: reference) {
            let distinct: Int
            if case .numeric(let r) = reference, case .numeric(let c) = current {
                distinct = SortedSamples.distinctCount(sorted: r, sorted: c, limit: 6)  // the rule looks at > 5 and > 2
            } else {
                distinct = distinctValues(reference, current)
            }
            method = autoMethod(smallerSample: min(reference.size, current.size), distinct: distinct, numeric: numeric)
        }
        let threshold = threshold ?? method.defaultThreshold
        let computed: (statistic: Double, pValue: Double?, extra: [String: Double])
        switch (reference, current) {
        case (.numeric(let r), .numeric(let c)): computed = self.numeric(r, c, method: method)
        case (.categorical(let r), .categorical(let c)): computed = categorical(r, c, method: method)
        default: return nil
        }
        let pValue = computed.pValue.flatMap { $0.isNaN ? nil : $0 }
        let statistic = computed.statistic.isNaN ? 0 : computed.statistic
        return DriftResult(
            column: column, role: role, method: method, statistic: statistic, pValue: pValue, threshold: threshold,
            drifted: isDrift(method: method, statistic: computed.statistic, pValue: computed.pValue, threshold: threshold),
            referenceCount: reference.size, currentCount: current.size, extra: computed.extra.filter { !$0.value.isNaN })
    }

    // MARK: Numbers (sorted, finite)

    /// One merge walk gives the KS statistic and the Wasserstein distance; one binning gives
    /// PSI (zero-filled) and Jensen–Shannon (not); the method's own statistic reuses them.
    static func numeric(_ r: [Double], _ c: [Double], method: DriftMethod) -> (Double, Double?, [String: Double]) {
        var extra: [String: Double] = [:]
        guard let merged = SortedSamples.merge(sorted: r, sorted: c) else { return (.nan, nil, extra) }
        // The KS p-value is kept where `auto` would test (at most 1 000 values on either side)
        // or when KS is the method: on large samples every difference is significant and the
        // asymptotic p-value is the costliest number here.
        let ks = method == .ks || min(r.count, c.count) <= 1000
            ? KolmogorovSmirnov.pValue(statistic: merged.ksStatistic, n1: r.count, n2: c.count, method: .auto) : nil
        extra["ks_statistic"] = ks?.statistic ?? merged.ksStatistic
        if let ks { extra["ks_p_value"] = ks.pValue }
        if let std = Descriptive.populationStandardDeviation(r) {
            extra["wasserstein_normed"] = merged.wasserstein / max(std, 0.001)
        }
        if let b = Binning.evidentlyNumeric(sortedReference: r, sortedCurrent: c, fillZeroes: false) {
            extra["psi"] = Distances.psi(
                referencePercents: Binning.fillZeroes(b.reference), currentPercents: Binning.fillZeroes(b.current))
            extra["jensenshannon"] = Distances.jensenShannon(b.reference, b.current)
        }

        switch method {
        case .ks: return (ks?.statistic ?? .nan, ks?.pValue, extra)
        case .wasserstein: return (extra["wasserstein_normed"] ?? .nan, nil, extra)
        case .psi: return (extra["psi"] ?? .nan, nil, extra)
        case .jensenshannon: return (extra["jensenshannon"] ?? .nan, nil, extra)
        case .hellinger:
            let h = Distances.hellinger(sortedReference: r, sortedCurrent: c) ?? .nan
            extra["hellinger"] = h
            return (h, nil, extra)
        case .anderson:
            guard let a = AndersonDarling.kSample([r, c]) else { return (.nan, nil, extra) }
            extra["anderson_statistic"] = a.statistic
            extra["anderson_p_value"] = a.pValue
            return (a.statistic, a.pValue, extra)
        case .chi2, .z, .chi2Contingency:
            let v = SortedSamples.valueCounts(sorted: r, sorted: c)
            return countTest(method, referenceCounts: v.a, currentCounts: v.b, extra: extra)
        case .auto: return (.nan, nil, extra)
        }
    }

    // MARK: Categories

    static func categorical(_ rMap: [String: Int], _ cMap: [String: Int], method: DriftMethod)
        -> (Double, Double?, [String: Double])
    {
        // Categories absent from both sides (count 0) are dropped; the rest in sorted order.
        let keys = Set(rMap.filter { $0.value > 0 }.keys).union(cMap.filter { $0.value > 0 }.keys).sorted()
        let rc = keys.map { rMap[$0] ?? 0 }, cc = keys.map { cMap[$0] ?? 0 }
        var extra: [String: Double] = [:]
        if let chi = ChiSquare.evidentlyDrift(referenceCounts: rc, currentCounts: cc) {
            extra["chi2_statistic"] = chi.statistic
            extra["chi2_p_value"] = chi.pValue
        }
        if let p = Distances.psi(referenceCounts: rc, currentCounts: cc) { extra["psi"] = p }
        if let j = Distances.jensenShannon(referenceCounts: rc, currentCounts: cc) { extra["jensenshannon"] = j }
        switch method {
        case .psi: return (extra["psi"] ?? .nan, nil, extra)
        case .jensenshannon: return (extra["jensenshannon"] ?? .nan, nil, extra)
        case .hellinger:
            let nr = Double(rc.reduce(0, +)), nc = Double(cc.reduce(0, +))
            let h = Distances.hellinger(referencePercents: rc.map { Double($0) / nr }, currentPercents: cc.map { Double($0) / nc }) ?? .nan
            extra["hellinger"] = h
            return (h, nil, extra)
        case .chi2, .z, .chi2Contingency: return countTest(method, referenceCounts: rc, currentCounts: cc, extra: extra)
        default: return (.nan, nil, extra)
        }
    }

    // MARK: Tests on aligned counts (keys ascending)

    /// Chi-square (Evidently), chi-square contingency (scipy) or the Z-test (Evidently) on
    /// counts aligned over the ascending union of values.
    static func countTest(_ method: DriftMethod, referenceCounts rc: [Int], currentCounts cc: [Int], extra: [String: Double])
        -> (Double, Double?, [String: Double])
    {
        var extra = extra
        switch method {
        case .chi2:
            guard let chi = ChiSquare.evidentlyDrift(referenceCounts: rc, currentCounts: cc) else { return (.nan, nil, extra) }
            extra["chi2_statistic"] = chi.statistic
            extra["chi2_p_value"] = chi.pValue
            return (chi.statistic, chi.pValue, extra)
        case .chi2Contingency:
            guard let t = contingency(referenceCounts: rc, currentCounts: cc) else { return (.nan, nil, extra) }
            extra["chi2_contingency_statistic"] = t.statistic
            extra["chi2_contingency_p_value"] = t.pValue
            return (t.statistic, t.pValue, extra)
        default:
            guard let z = zTest(referenceCounts: rc, currentCounts: cc) else { return (.nan, nil, extra) }
            return (z.statistic, z.pValue, extra)
        }
    }

    /// `scipy.stats.chi2_contingency([reference counts, current counts])` (Yates' correction
    /// when dof = 1, scipy's default) over the values seen on either side; nil when a side is
    /// empty. One value in total gives dof 0: statistic 0, p = 1 (scipy).
    public static func contingency(referenceCounts rc: [Int], currentCounts cc: [Int]) -> ChiSquare.ContingencyResult? {
        var r: [Double] = [], c: [Double] = []
        for i in 0..<min(rc.count, cc.count) where rc[i] > 0 || cc[i] > 0 {
            r.append(Double(rc[i]))
            c.append(Double(cc[i]))
        }
        guard r.contains(where: { $0 > 0 }), c.contains(where: { $0 > 0 }) else { return nil }
        return ChiSquare.contingency([r, c], correction: true)
    }

    /// Evidently's `z_stat_test` from counts aligned over the ascending union of values.
    public static func zTest(referenceCounts rc: [Int], currentCounts cc: [Int]) -> ZTest.Result? {
        ZTest.evidentlyTwoProportion(referenceCounts: rc, currentCounts: cc)
    }
}
