import AuditModel
import Foundation
import Statistics
import Warehouse

extension Checks {
    /// The checks on one column's stored values.
    mutating func checkColumn(_ c: DeclaredColumn, _ column: ColumnData, rows: Int) throws {
        let t = thresholds(c)
        // Null rate (the target of the baseline, id and timestamp included: all are required data).
        switch column {
        case .numeric(let d):
            nullRateCheck(c, nulls: d.nullCount, rows: rows, t)
            numericChecks(c, d, t)
        case .labels(let d):
            try checkText(c, d.summary, rows: rows)
        }
    }

    /// The checks on one text column's values with their counts (`readTextColumns`).
    mutating func checkText(_ c: DeclaredColumn, _ d: LabelSummary, rows: Int) throws {
        let t = thresholds(c)
        nullRateCheck(c, nulls: d.nullCount, rows: rows, t)
        try labelChecks(c, d, t, rows: rows)
    }

    /// The checks on a column read as hashes (the id, `DeclaredColumn.isReadAsHashes`): its null
    /// rate and repeated ids, the same findings and metrics as `checkText` on its values.
    mutating func hashedChecks(_ c: DeclaredColumn, _ d: HashedText, rows: Int) {
        let t = thresholds(c)
        nullRateCheck(c, nulls: d.nullCount, rows: rows, t)
        guard d.count > 0, c.role == .id else { return }
        let duplicates = d.count - d.distinct
        let share = Double(duplicates) / Double(rows)
        metrics.append(Metric(.duplicateIdShare, column: c.name, share))
        if judge(CheckCatalog.duplicateIds, share: share, count: duplicates, of: rows, thresholds: t.duplicateIds!,
                 column: c.name, what: "rows repeat an earlier id") != nil
        {
            appendExamples(d.repeated)
        }
    }

    mutating func nullRateCheck(_ c: DeclaredColumn, nulls: Int, rows: Int, _ t: ChecksSpec) {
        let nullRate = Double(nulls) / Double(rows)
        metrics.append(Metric(.nullRate, column: c.name, nullRate))
        judge(CheckCatalog.nullRate, share: nullRate, count: nulls, of: rows, thresholds: t.nullRate!, column: c.name, what: "values are null")
    }

    // MARK: - Numeric columns (numeric, integer, boolean)

    mutating func numericChecks(_ c: DeclaredColumn, _ d: NumericColumnData, _ t: ChecksSpec) {
        let n = d.values.count
        var nonNull = 0, nonFinite = 0
        for i in 0..<n where !d.nulls[i] {
            nonNull += 1
            if !d.values[i].isFinite { nonFinite += 1 }
        }
        if c.type == .numeric, c.role == .feature || c.role == .prediction || c.role == .score, nonNull > 0 {
            // A NaN score or prediction is a model failure: critical at the first one unless configured.
            var th = t.nonFinite!
            if c.role != .feature,
               !ChecksSpec.isSet(\.nonFinite, column: c.feature?.checks, pipeline: definition.checks)
            {
                th = Thresholds(warning: 0, critical: 0)
            }
            let share = Double(nonFinite) / Double(nonNull)
            metrics.append(Metric(.nonFiniteShare, column: c.name, share))
            judge(CheckCatalog.nonFinite, share: share, count: nonFinite, of: nonNull, thresholds: th, column: c.name,
                  what: "values are NaN or infinite")
        }
        if let f = c.feature, f.min != nil || f.max != nil {
            var below = 0, above = 0, finite = 0
            for i in 0..<n where !d.nulls[i] && d.values[i].isFinite {
                let v = d.values[i]
                finite += 1
                if let lo = f.min, v < lo { below += 1 } else if let hi = f.max, v > hi { above += 1 }
            }
            let outside = below + above
            if finite > 0 {
                let share = Double(outside) / Double(finite)
                metrics.append(Metric(.outOfRangeShare, column: c.name, share))
                let range = "[\(f.min.map { formatNumber($0) } ?? "-inf"), \(f.max.map { formatNumber($0) } ?? "inf")]"
                judge(CheckCatalog.range, share: share, count: outside, of: finite, thresholds: t.range!, column: c.name,
                      what: "values are outside \(range)", chance: baselineExtremesChance(c, below: below, above: above))
            }
        }
        if c.name == definition.schema.operational?.latency, c.feature == nil, nonNull > 0 {
            // Latency is a duration: NaN, infinite or negative values are a broken timer or
            // log field, and the operational percentiles leave them out, so say so here.
            let negative = (0..<n).reduce(0) { $0 + (!d.nulls[$1] && d.values[$1] < 0 && d.values[$1].isFinite ? 1 : 0) }
            let share = Double(nonFinite) / Double(nonNull)
            metrics.append(Metric(.nonFiniteShare, column: c.name, share))
            judge(CheckCatalog.nonFinite, share: share, count: nonFinite, of: nonNull, thresholds: t.nonFinite!, column: c.name,
                  what: "latencies are NaN or infinite")
            let finite = nonNull - nonFinite
            if finite > 0 {
                let negativeShare = Double(negative) / Double(finite)
                metrics.append(Metric(.outOfRangeShare, column: c.name, negativeShare))
                judge(CheckCatalog.range, share: negativeShare, count: negative, of: finite, thresholds: t.range!, column: c.name,
                      what: "latencies are negative")
            }
        }
        if c.role == .score, definition.schema.prediction?.kind != .regression {
            var outside = 0, finite = 0
            for i in 0..<n where !d.nulls[i] && d.values[i].isFinite {
                finite += 1
                if d.values[i] < 0 || d.values[i] > 1 { outside += 1 }
            }
            if finite > 0 {
                let share = Double(outside) / Double(finite)
                metrics.append(Metric(.probabilityOutOfRangeShare, column: c.name, share))
                judge(CheckCatalog.probabilityRange, share: share, count: outside, of: finite, thresholds: t.probabilityRange!,
                      column: c.name, what: "scores are outside [0, 1]")
            }
        }
        if c.role == .feature, let allowed = c.feature?.allowed, c.type == .integer {
            let set = Set(allowed)
            var unseen: [String: Int] = [:]
            var total = 0, count = 0
            for i in 0..<n where !d.nulls[i] {
                total += 1
                let text = formatNumber(d.values[i])
                if !set.contains(text) {
                    count += 1
                    unseen[text, default: 0] += 1
                }
            }
            if total > 0 {
                let share = Double(count) / Double(total)
                metrics.append(Metric(.unseenCategoryShare, column: c.name, share))
                if judge(CheckCatalog.allowedValues, share: share, count: count, of: total, thresholds: t.allowedValues!,
                         column: c.name, what: "values are not in the allowed list", chance: unseenValueChance(c)) != nil
                {
                    appendExamples(unseen.map { ValueCount(value: $0.key, count: $0.value) })
                }
            }
        }
        if c.role == .feature { constantNumeric(c, d, t) }
    }

    /// The share of a numeric feature's finite values taken by its most frequent value.
    mutating func constantNumeric(_ c: DeclaredColumn, _ d: NumericColumnData, _ t: ChecksSpec) {
        let th = t.constantColumn!
        guard let lowest = [th.warning, th.critical].compactMap({ $0 }).min() else { return }
        var lo = Double.infinity, hi = -Double.infinity, n = 0
        for i in 0..<d.values.count where !d.nulls[i] && d.values[i].isFinite {
            n += 1
            lo = min(lo, d.values[i])
            hi = max(hi, d.values[i])
        }
        guard n >= 2 else { return }
        var mode = lo, modeCount = n
        if lo != hi {
            // Only when a near-constant threshold below 1 is configured: a constant column is caught by min == max.
            guard lowest < 1 else { return }
            var values: [Double] = []
            values.reserveCapacity(n)
            for i in 0..<d.values.count where !d.nulls[i] && d.values[i].isFinite { values.append(d.values[i]) }
            values.sort()
            modeCount = 0
            var run = 0
            for k in values.indices {
                run = (k > 0 && values[k] == values[k - 1]) ? run + 1 : 1
                if run > modeCount {
                    modeCount = run
                    mode = values[k]
                }
            }
        }
        let label = c.type == .boolean ? (mode != 0 ? "true" : "false") : formatNumber(mode)
        constantFinding(c, share: Double(modeCount) / Double(n), count: modeCount, of: n, value: label, th,
                        baselineShare: baselineShare(c, number: mode))
    }

    /// A day's (near-)constant column is a finding only when the baseline makes it unlikely:
    /// with the baseline's share p of the value, P(at least `count` of `n` values equal it) =
    /// `Binomial.upperTail(count, n, p)` below `chanceLevel`. A feature whose value is 0 in 98 %
    /// of the baseline is constant in a day of 100 rows one day in eight (0.98^100 = 0.13).
    mutating func constantFinding(
        _ c: DeclaredColumn, share: Double, count: Int, of n: Int, value: String, _ th: Thresholds, baselineShare: Double?
    ) {
        metrics.append(Metric(.mostFrequentShare, column: c.name, share))
        guard let severity = th.severity(of: share) else { return }
        if let p = baselineShare, Binomial.upperTail(atLeast: count, trials: n, probability: p) >= Self.chanceLevel {
            return
        }
        let bound = severity == .critical ? th.critical! : th.warning!
        let value = printable(value)
        let message = count == n
            ? "'\(c.name)' holds one value ('\(value)') in all \(n) non-null rows"
            : "\(formatPercent(share)) of '\(c.name)' values are '\(value)' (\(count) of \(n))"
        findings.append(Finding(
            CheckCatalog.constantColumn, severity: severity, column: c.name, message: message,
            observed: formatPercent(share), expected: "< \(formatPercent(bound)) for one value"))
    }

    /// The baseline's share of `value` among a numeric or boolean feature's finite values, or an
    /// upper bound of it (the share of its histogram bin); nil when there is no baseline profile
    /// (the baseline itself) or it cannot say.
    func baselineShare(_ c: DeclaredColumn, number value: Double) -> Double? {
        guard let profile = inputs.baselineProfiles[c.name] else { return nil }
        if let b = profile.boolean {
            guard b.count > 0 else { return nil }
            return Double(value != 0 ? b.trueCount : b.count - b.trueCount) / Double(b.count)
        }
        guard let p = profile.numeric, let lo = p.min, let hi = p.max else { return nil }
        let finite = p.count - p.nan - p.infinite
        guard finite > 0 else { return nil }
        if value < lo || value > hi { return 0 }
        if lo == hi { return 1 }
        if value == 0 { return Double(p.zeros) / Double(finite) }
        guard let h = p.histogram, h.counts.count == h.edges.count - 1, let first = h.edges.first, let last = h.edges.last,
            value >= first, value <= last
        else { return nil }
        // Bins are closed on the left (the last on both sides); a value on an inner edge may
        // have been counted in either neighbour by rounding, so the larger of the two bounds it.
        var bound = 0
        for i in h.counts.indices where h.edges[i] <= value && value <= h.edges[i + 1] { bound = max(bound, h.counts[i]) }
        return min(1, Double(bound) / Double(finite))
    }

    /// The baseline's share of `value` among a categorical feature's values, or an upper bound
    /// of it (a value not among the kept top values is at most as frequent as the last of them).
    func baselineShare(_ c: DeclaredColumn, label value: String) -> Double? {
        guard let p = inputs.baselineProfiles[c.name]?.categorical, p.count > 0 else { return nil }
        if let counts = p.counts { return Double(counts.first { $0.value == value }?.count ?? 0) / Double(p.count) }
        if let hit = p.top.first(where: { $0.value == value }) { return Double(hit.count) / Double(p.count) }
        return p.top.last.map { Double($0.count) / Double(p.count) }
    }

    /// The rate at which clean values fall past a declared bound that the baseline lies within
    /// (drafted from its extremes, padded beyond them, or declared wider): for exchangeable
    /// draws a new value exceeds the largest of n values with probability at most 1/(n + 1),
    /// likewise below the smallest, and a bound at or beyond an extreme is exceeded no more
    /// often. nil without a baseline profile (the baseline itself), and when a bound cuts
    /// through the baseline (it had values outside: its own share would be the rate, and the
    /// profile does not keep it) while today has values past that bound.
    func baselineExtremesChance(_ c: DeclaredColumn, below: Int, above: Int) -> Double? {
        guard let f = c.feature, let p = inputs.baselineProfiles[c.name]?.numeric, let lo = p.min, let hi = p.max else { return nil }
        let finite = p.count - p.nan - p.infinite
        guard finite > 0 else { return nil }
        let lowSide = f.min.map { $0 <= lo } ?? false, highSide = f.max.map { $0 >= hi } ?? false
        if (below > 0 && !lowSide) || (above > 0 && !highSide) { return nil }
        let sides = (lowSide ? 1 : 0) + (highSide ? 1 : 0)
        return sides == 0 ? nil : Double(sides) / Double(finite + 1)
    }

    /// The rate at which a value is one the baseline never had: the Good–Turing estimate of the
    /// missing mass, the baseline's values seen exactly once over its values (Good 1953). When
    /// no value was seen once that estimate is 0, which would make a category the baseline
    /// missed impossible; the rate is then 1/(n + 1) for n baseline values, the chance that the
    /// next of n + 1 exchangeable draws is the one seen once (the floor the range check uses
    /// for a bound at the baseline's extreme). The modechoice trial: household size 6, absent
    /// from a 294-row baseline whose every size was seen at least twice, warned on 3 of 4
    /// clean 63-row days for one or two such rows. nil without full baseline counts (integers,
    /// or more than 10 000 categories): the list is then judged by its thresholds alone.
    func unseenValueChance(_ c: DeclaredColumn) -> Double? {
        guard let p = inputs.baselineProfiles[c.name]?.categorical, p.count > 0, let counts = p.counts else { return nil }
        let singletons = counts.reduce(0) { $0 + ($1.count == 1 ? 1 : 0) }
        return singletons == 0 ? 1 / Double(p.count + 1) : Double(singletons) / Double(p.count)
    }

    // MARK: - Text columns (categorical, text, datetime)

    mutating func labelChecks(_ c: DeclaredColumn, _ d: LabelSummary, _ t: ChecksSpec, rows: Int) throws {
        let counts = d.counts
        let n = counts.reduce(0, +)
        guard n > 0 else { return }
        let seen = d.dictionary.indices.filter { counts[$0] > 0 }

        // The seen values with their counts, built only for the checks that compare them to a list.
        let values = { seen.map { ValueCount(value: d.dictionary[$0], count: counts[$0]) } }
        if let allowed = c.feature?.allowed {
            judgeValues(values(), outside: Set(allowed), CheckCatalog.allowedValues, t.allowedValues!,
                        metric: .unseenCategoryShare, column: c.name, what: "values are not in the allowed list",
                        chance: unseenValueChance(c))
        } else if c.role == .feature, c.type == .categorical, let base = inputs.baselineProfiles[c.name]?.categorical?.counts {
            // No declared list: the baseline's categories are the reference.
            judgeValues(values(), outside: Set(base.map(\.value)), CheckCatalog.unseenCategories, t.unseenCategories!,
                        metric: .unseenCategoryShare, column: c.name, what: "values are categories the baseline never had",
                        chance: unseenValueChance(c))
        }
        if c.role == .feature, c.type == .categorical, let base = inputs.baselineProfiles[c.name]?.categorical?.counts {
            retypedAgainstBaseline(c, d, counts: counts, baseline: base, t)
        }

        if let pattern = c.feature?.pattern {
            let regex = try NSRegularExpression(pattern: pattern)
            var bad: [ValueCount] = []
            for k in seen {
                let v = d.dictionary[k]
                let r = NSRange(v.startIndex..<v.endIndex, in: v)
                if regex.firstMatch(in: v, options: [.anchored], range: r)?.range != r {
                    bad.append(ValueCount(value: v, count: counts[k]))
                }
            }
            let count = bad.reduce(0) { $0 + $1.count }
            if judge(CheckCatalog.pattern, share: Double(count) / Double(n), count: count, of: n, thresholds: t.pattern!,
                     column: c.name, what: "values do not match /\(pattern)/") != nil
            {
                appendExamples(bad)
            }
        }

        if c.role == .id {
            let duplicates = counts.reduce(0) { $0 + max(0, $1 - 1) }
            let share = Double(duplicates) / Double(rows)
            metrics.append(Metric(.duplicateIdShare, column: c.name, share))
            if judge(CheckCatalog.duplicateIds, share: share, count: duplicates, of: rows, thresholds: t.duplicateIds!,
                     column: c.name, what: "rows repeat an earlier id") != nil
            {
                appendExamples(seen.filter { counts[$0] > 1 }.map { ValueCount(value: d.dictionary[$0], count: counts[$0]) })
            }
        }

        if c.role == .target || c.role == .prediction, let classes = declaredClasses {
            judgeValues(values(), outside: Set(classes), CheckCatalog.unknownLabels, t.unknownLabels!,
                        metric: .unknownLabelShare, column: c.name,
                        what: "labels are not among the declared classes [\(classes.joined(separator: ", "))]")
        }

        if c.role == .timestamp { freshnessChecks(c, d) }

        if c.role == .feature, c.type == .categorical || c.type == .text, n >= 2 {
            var mode = seen[0]
            for k in seen where counts[k] > counts[mode] || (counts[k] == counts[mode] && d.dictionary[k] < d.dictionary[mode]) {
                mode = k
            }
            constantFinding(c, share: Double(counts[mode]) / Double(n), count: counts[mode], of: n,
                            value: d.dictionary[mode], t.constantColumn!, baselineShare: baselineShare(c, label: d.dictionary[mode]))
        }
    }

    /// `quality.unknown_labels` on the day's labels file: the same check as on a target
    /// column in the rows, with the target column's thresholds, over the labels the file
    /// carries (every labelled line, repeated ids included).
    mutating func labelsFileCheck() {
        guard let counts = inputs.labelsFileCounts, let classes = declaredClasses,
            let target = definition.declaredColumns.first(where: { $0.role == .target })
        else { return }
        judgeValues(counts, outside: Set(classes), CheckCatalog.unknownLabels, thresholds(target).unknownLabels!,
                    metric: .labelsFileUnknownLabelShare, column: target.name,
                    what: "labels in the labels file are not among the declared classes [\(classes.joined(separator: ", "))]")
    }

    /// The share of `values` (with their counts) not in `reference`: recorded as `metric`,
    /// judged by `check`, the most frequent offenders listed in the finding. Nothing for no values.
    mutating func judgeValues(
        _ values: [ValueCount], outside reference: Set<String>, _ check: CheckInfo, _ thresholds: Thresholds,
        metric: MetricName, column: String, what: String, chance: Double? = nil
    ) {
        let n = values.reduce(0) { $0 + $1.count }
        guard n > 0 else { return }
        let outside = values.filter { !reference.contains($0.value) }
        let count = outside.reduce(0) { $0 + $1.count }
        let share = Double(count) / Double(n)
        metrics.append(Metric(metric, column: column, share))
        if judge(check, share: share, count: count, of: n, thresholds: thresholds, column: column, what: what, chance: chance) != nil {
            appendExamples(outside)
        }
    }

    /// The classes labels must take: `schema.prediction.classes`, or 0 and 1 for a binary model
    /// whose positive class is the default `1`. nil (no check) otherwise, and for regression.
    var declaredClasses: [String]? {
        guard let p = definition.schema.prediction, p.kind != .regression else { return nil }
        if let classes = p.classes { return classes }
        if p.kind == .binary, (p.positiveClass ?? "1") == "1" { return ["0", "1"] }
        return nil
    }

    /// A categorical feature whose values now look like numbers where the baseline's were text
    /// (or the reverse): the column was re-encoded upstream.
    mutating func retypedAgainstBaseline(
        _ c: DeclaredColumn, _ d: LabelSummary, counts: [Int], baseline: [ValueCount], _ t: ChecksSpec
    ) {
        let baseTotal = baseline.reduce(0) { $0 + $1.count }
        guard baseTotal > 0 else { return }
        let baseNumeric = Double(baseline.filter { looksNumeric($0.value) }.reduce(0) { $0 + $1.count }) / Double(baseTotal)
        // Only a clear baseline kind is a reference: mixed columns are left alone.
        guard baseNumeric <= 0.05 || baseNumeric >= 0.95 else { return }
        let baselineIsNumeric = baseNumeric >= 0.95
        var other: [ValueCount] = []
        var n = 0
        for (k, v) in d.dictionary.enumerated() where counts[k] > 0 {
            n += counts[k]
            if looksNumeric(v) != baselineIsNumeric { other.append(ValueCount(value: v, count: counts[k])) }
        }
        let count = other.reduce(0) { $0 + $1.count }
        guard n > 0, count > 0 else { return }
        let now = baselineIsNumeric ? "text" : "numbers"
        let before = baselineIsNumeric ? "numbers" : "text"
        if judge(CheckCatalog.retypedColumn, share: Double(count) / Double(n), count: count, of: n,
                 thresholds: t.retypedColumn!, column: c.name,
                 what: "values look like \(now) where the baseline's were \(before)") != nil
        {
            appendExamples(other)
        }
    }
}

/// A decimal number as text (`12`, `-3.5`, `1e3`); not `nan` or `inf`, which are words here.
func looksNumeric(_ s: String) -> Bool {
    guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else { return false }
    return s.contains { $0.isNumber }
}
