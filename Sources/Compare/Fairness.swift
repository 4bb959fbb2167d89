import AuditModel
import Statistics
import Warehouse

// Group fairness of a binary model per protected attribute (docs/fairness.md): selection
// rates every day, realized rates on labelled rows, Fairlearn's differences and ratios,
// impact ratios, and the fairness.* findings.
extension Comparison {
    /// The day's fairness section, or nil when the definition has no `fairness:`.
    mutating func fairnessSection(dayRows: LabelledRows?) throws -> [AuditSummary.FairnessAttribute]? {
        guard let spec = definition.fairness, let p = definition.schema.prediction, p.kind == .binary else { return nil }
        let header = Set(snapshot.header)
        let attributes = spec.attributes.filter { header.contains($0.column) }
        let decisions = try decisionsInRowOrder(p)
        let labels = BinaryLabels(positive: definition.positiveClass)
        var truthAt: [Int: Int] = [:]
        if let rows = dayRows {
            let truth = rows.truthValues.view(labels.code)
            for (k, i) in rows.index.enumerated() {
                if let t = truth[k] { truthAt[Int(i)] = t }
            }
        }
        let data = try store.readColumns(table, snapshotId: snapshot.id, columns: attributes.map(\.column))
        var out: [AuditSummary.FairnessAttribute] = []
        for a in attributes {
            guard let column = data[a.column] else { continue }
            var counts: [String: GroupFairness.Counts] = [:]
            var missing = 0
            for (i, decision) in decisions.enumerated() {
                guard let decision else { continue }
                guard let group = Self.groupValue(column, i) else {
                    missing += 1
                    continue
                }
                counts[group, default: .init()].add(decision: decision, truth: truthAt[i])
            }
            let result = Self.fairness(
                attribute: a.column, referenceGroup: a.referenceGroup, counts: counts, missingRows: missing,
                minGroupRows: spec.minGroupRows ?? FairnessSpec.defaultMinGroupRows)
            out.append(result)
            judgeFairness(result, spec: spec, counts: counts)
        }
        return out
    }

    /// Each row's decision (1 positive, 0 negative), nil without one: `score >= threshold` when
    /// the model has a score (rows without a finite score have none), else the served prediction.
    func decisionsInRowOrder(_ p: PredictionSpec) throws -> [Int?] {
        let header = Set(snapshot.header)
        let n = snapshot.rowsStored
        let labels = BinaryLabels(positive: definition.positiveClass)
        if let score = p.score, header.contains(score) {
            let data = try store.readColumns(table, snapshotId: snapshot.id, columns: [score])
            guard case .numeric(let d)? = data[score] else { return [Int?](repeating: nil, count: n) }
            let t = definition.decisionThreshold
            return (0..<n).map { i in d.nulls[i] || !d.values[i].isFinite ? nil : (d.values[i] >= t ? 1 : 0) }
        }
        guard header.contains(p.column) else { return [Int?](repeating: nil, count: n) }
        let data = try store.readColumns(table, snapshotId: snapshot.id, columns: [p.column])
        return (0..<n).map { i in
            switch data[p.column] {
            case .labels(let d)?: return d.value(at: i).flatMap { labels.code($0) }
            case .numeric(let d)?: return d.nulls[i] || d.values[i].isNaN ? nil : labels.code(formatNumber(d.values[i]))
            case nil: return nil
            }
        }
    }

    /// A row's group: the value as written (numbers as `formatNumber` writes them), nil when missing.
    static func groupValue(_ column: ColumnData, _ i: Int) -> String? {
        switch column {
        case .labels(let d): return d.value(at: i)
        case .numeric(let d): return d.nulls[i] || d.values[i].isNaN ? nil : formatNumber(d.values[i], digits: 15)
        }
    }

    /// The most groups of one attribute listed (report, summary.json, warehouse). Groups are
    /// the attribute's values as written: 100 000 distinct values made a 29 MB report.html and
    /// a 75 MB summary.json. The attribute's differences are computed over every judged group;
    /// the list keeps the reference group, then the judged groups, then the rest, each by rows
    /// (most first), and one more line, not judged, sums the groups left out (docs/fairness.md).
    static let maxListedGroups = 100

    /// The attribute's groups and Fairlearn metrics over the judged groups.
    static func fairness(
        attribute: String, referenceGroup declared: String?, counts: [String: GroupFairness.Counts], missingRows: Int,
        minGroupRows: Int
    ) -> AuditSummary.FairnessAttribute {
        var groups: [AuditSummary.FairnessGroup] = []
        for (value, c) in counts.sorted(by: { $0.key < $1.key }) {
            var g = AuditSummary.FairnessGroup(
                value: value, rows: c.rows, labelledRows: c.labelled, judged: c.rows >= minGroupRows,
                judgedRealized: c.labelled >= minGroupRows)
            let r = GroupFairness.GroupRates(c)
            func ci(_ rate: GroupFairness.Rate?) -> [Double]? { rate.map { [$0.lower, $0.upper] } }
            g.selectionRate = r.selectionRate?.value
            g.selectionRateCI = ci(r.selectionRate)
            g.truePositiveRate = r.truePositiveRate?.value
            g.truePositiveRateCI = ci(r.truePositiveRate)
            g.falsePositiveRate = r.falsePositiveRate?.value
            g.falsePositiveRateCI = ci(r.falsePositiveRate)
            g.precision = r.precision?.value
            g.precisionCI = ci(r.precision)
            g.accuracy = r.accuracy?.value
            g.accuracyCI = ci(r.accuracy)
            groups.append(g)
        }
        let judged = groups.filter(\.judged)
        let rates = judged.compactMap(\.selectionRate)
        let reference: AuditSummary.FairnessGroup?
        if let declared {
            reference = judged.first { $0.value == declared }
        } else {
            reference = judged.max { ($0.selectionRate ?? -1, $1.value) < ($1.selectionRate ?? -1, $0.value) }
        }
        if let ref = reference?.selectionRate, ref > 0 {
            for k in groups.indices where groups[k].judged {
                groups[k].impactRatio = groups[k].selectionRate.map { $0 / ref }
            }
        }
        let realized = groups.filter { $0.judgedRealized && $0.truePositiveRate != nil && $0.falsePositiveRate != nil }
        let tpr = realized.compactMap(\.truePositiveRate), fpr = realized.compactMap(\.falsePositiveRate)
        let minImpactRatio = groups.compactMap(\.impactRatio).min()
        if groups.count > maxListedGroups {
            let referenceValue = declared ?? reference?.value
            let order = groups.indices.sorted { a, b in
                let x = groups[a], y = groups[b]
                let kx = (x.value == referenceValue ? 0 : x.judged ? 1 : 2), ky = (y.value == referenceValue ? 0 : y.judged ? 1 : 2)
                if kx != ky { return kx < ky }
                if x.rows != y.rows { return x.rows > y.rows }
                return x.value < y.value
            }
            let kept = Set(order.prefix(maxListedGroups - 1))
            var rest = GroupFairness.Counts()
            for (k, g) in groups.enumerated() where !kept.contains(k) {
                let c = counts[g.value]!
                rest.rows += c.rows
                rest.predictedPositive += c.predictedPositive
                rest.tp += c.tp; rest.fp += c.fp; rest.fn += c.fn; rest.tn += c.tn
            }
            let left = groups.count - kept.count
            var other = AuditSummary.FairnessGroup(
                value: "(\(left) other groups)", rows: rest.rows, labelledRows: rest.labelled, judged: false, judgedRealized: false)
            let r = GroupFairness.GroupRates(rest)
            other.selectionRate = r.selectionRate?.value
            other.truePositiveRate = r.truePositiveRate?.value
            other.falsePositiveRate = r.falsePositiveRate?.value
            other.precision = r.precision?.value
            other.accuracy = r.accuracy?.value
            groups = groups.indices.filter { kept.contains($0) }.map { groups[$0] } + [other]
        }
        return AuditSummary.FairnessAttribute(
            attribute: attribute, referenceGroup: declared ?? reference?.value, referenceDeclared: declared != nil,
            missingRows: missingRows, groups: groups,
            demographicParityDifference: GroupFairness.demographicParityDifference(selectionRates: rates),
            demographicParityRatio: GroupFairness.demographicParityRatio(selectionRates: rates),
            equalizedOddsDifference: realized.count >= 2
                ? GroupFairness.equalizedOddsDifference(truePositiveRates: tpr, falsePositiveRates: fpr) : nil,
            equalOpportunityDifference: realized.count >= 2 ? GroupFairness.equalOpportunityDifference(truePositiveRates: tpr) : nil,
            minImpactRatio: minImpactRatio)
    }

    /// Findings and metrics of one attribute. A gap is judged only between groups of at least
    /// `min_group_rows` whose Wilson 95 % intervals do not overlap (beyond sampling noise).
    mutating func judgeFairness(
        _ a: AuditSummary.FairnessAttribute, spec: FairnessSpec, counts: [String: GroupFairness.Counts]
    ) {
        metrics.append(Metric(.fairnessMinImpactRatio, column: a.attribute, a.minImpactRatio))
        metrics.append(Metric(.fairnessDemographicParityDifference, column: a.attribute, a.demographicParityDifference))
        metrics.append(Metric(.fairnessEqualizedOddsDifference, column: a.attribute, a.equalizedOddsDifference))
        metrics.append(Metric(.fairnessEqualOpportunityDifference, column: a.attribute, a.equalOpportunityDifference))
        let impact = (spec.impactRatio ?? FairnessSpec.defaultImpactRatio).merged(over: FairnessSpec.defaultImpactRatio)
        let odds = (spec.equalizedOddsDifference ?? FairnessSpec.defaultEqualizedOdds).merged(over: FairnessSpec.defaultEqualizedOdds)
        func apart(_ x: [Double]?, _ y: [Double]?) -> Bool {
            guard let x, let y, x.count == 2, y.count == 2 else { return false }
            return x[1] < y[0] || y[1] < x[0]
        }
        if let refValue = a.referenceGroup, let ref = a.groups.first(where: { $0.value == refValue && $0.judged }) {
            for g in a.groups where g.judged && g.value != refValue {
                guard let ratio = g.impactRatio, let sr = g.selectionRate, let refRate = ref.selectionRate else { continue }
                let severity: Severity? = impact.critical.map { ratio < $0 } == true ? .critical
                    : impact.warning.map { ratio < $0 } == true ? .warning : nil
                guard let severity, apart(g.selectionRateCI, ref.selectionRateCI) else { continue }
                findings.append(Finding(
                    CheckCatalog.fairnessImpactRatio, severity: severity, column: a.attribute,
                    message: "\(a.attribute) = \(g.value) is selected at \(formatPercent(sr)) against \(formatPercent(refRate)) for \(a.attribute) = \(refValue) (\(a.referenceDeclared ? "the declared reference" : "the highest rate")): impact ratio \(formatNumber(ratio)) on \(g.rows) rows",
                    observed: formatNumber(ratio), expected: "≥ \(formatNumber(impact.warning ?? 0.8))"))
            }
        }
        guard let eod = a.equalizedOddsDifference, let severity = odds.severity(of: eod) else { return }
        let realized = a.groups.filter { $0.judgedRealized && $0.truePositiveRate != nil && $0.falsePositiveRate != nil }
        // The pair behind the worst gap (TPR or FPR), and whether it is beyond noise.
        var best: (name: String, lo: AuditSummary.FairnessGroup, hi: AuditSummary.FairnessGroup, gap: Double, apart: Bool)?
        for (name, rate, interval) in [
            ("true positive rate", \AuditSummary.FairnessGroup.truePositiveRate, \AuditSummary.FairnessGroup.truePositiveRateCI),
            ("false positive rate", \AuditSummary.FairnessGroup.falsePositiveRate, \AuditSummary.FairnessGroup.falsePositiveRateCI),
        ] {
            guard let lo = realized.min(by: { ($0[keyPath: rate] ?? 0) < ($1[keyPath: rate] ?? 0) }),
                let hi = realized.max(by: { ($0[keyPath: rate] ?? 0) < ($1[keyPath: rate] ?? 0) }),
                let l = lo[keyPath: rate], let h = hi[keyPath: rate]
            else { continue }
            if best == nil || h - l > best!.gap {
                best = (name, lo, hi, h - l, apart(lo[keyPath: interval], hi[keyPath: interval]))
            }
        }
        guard let best, best.apart else { return }
        let rate = best.name == "true positive rate" ? \AuditSummary.FairnessGroup.truePositiveRate : \AuditSummary.FairnessGroup.falsePositiveRate
        findings.append(Finding(
            CheckCatalog.fairnessEqualizedOdds, severity: severity, column: a.attribute,
            message: "\(best.name) is \(formatNumber(best.lo[keyPath: rate] ?? 0)) for \(a.attribute) = \(best.lo.value) (\(best.lo.labelledRows) labelled rows) against \(formatNumber(best.hi[keyPath: rate] ?? 0)) for \(a.attribute) = \(best.hi.value) (\(best.hi.labelledRows)): equalized odds difference \(formatNumber(eod))",
            observed: formatNumber(eod), expected: "< \(formatNumber(odds.warning ?? 0.1))"))
    }
}
