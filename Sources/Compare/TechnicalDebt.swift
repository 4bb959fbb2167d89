import AuditModel
import Statistics
import Warehouse

// Technical-debt checks (docs/compare.md, "Technical debt"), after Sculley et al., "Hidden
// Technical Debt in Machine Learning Systems" (2015), and the monitoring tests of Breck et
// al., "The ML Test Score" (2017).
extension Comparison {
    var debtSpec: TechnicalDebtSpec? { definition.technicalDebt }

    mutating func technicalDebt(dayRows: LabelledRows?) throws {
        let configs = try configurations()
        configurationChange(configs)
        dataDependencies(configs)
        constantFeatures()
        correlatedFeatures()
        staleModel()
        try monitoringGaps()
        numericalStability()
        try thresholds(configs, dayRows: dayRows)
    }

    // MARK: Configuration

    struct Configurations {
        var training: (content: String, sha256: String)?
        var served: (content: String, sha256: String)?
        var trainingFacts: ModelConfigFacts? { training.flatMap { ModelConfigFacts(json: $0.content) } }
        var servedFacts: ModelConfigFacts? { served.flatMap { ModelConfigFacts(json: $0.content) } }
    }

    func configurations() throws -> Configurations {
        var c = Configurations()
        if let id = baseline.modelConfigId, let t = try store.modelConfig(id: id) { c.training = (t.content, t.sha256) }
        if let id = snapshot.modelConfigId, let s = try store.modelConfig(id: id) { c.served = (s.content, s.sha256) }
        return c
    }

    /// Configuration debt: the served configuration differs from the training one. The message
    /// lists the changed settings, and calls out a new model version and added or removed features.
    mutating func configurationChange(_ c: Configurations) {
        guard let training = c.training, let served = c.served, training.sha256 != served.sha256 else { return }
        let changes = ConfigDiff.diff(old: training.content, new: served.content)
        guard !changes.isEmpty else { return }
        var message = "the served configuration differs from the training configuration in \(changes.count) setting\(changes.count == 1 ? "" : "s"): "
            + changes.prefix(6).joined(separator: "; ") + (changes.count > 6 ? "; …" : "")
        let a = c.trainingFacts, b = c.servedFacts
        if let va = a?.version, let vb = b?.version, va != vb { message += " — model version \(va) → \(vb)" }
        if let fa = a?.features, let fb = b?.features, fa != fb {
            let added = fb.filter { !fa.contains($0) }, removed = fa.filter { !fb.contains($0) }
            var parts: [String] = []
            if !added.isEmpty { parts.append("added " + added.joined(separator: ", ")) }
            if !removed.isEmpty { parts.append("removed " + removed.joined(separator: ", ")) }
            if parts.isEmpty { parts.append("reordered") }
            message += " — features " + parts.joined(separator: "; ")
        }
        findings.append(Finding(
            CheckCatalog.configChanged, severity: .warning, message: message,
            observed: "sha256 \(served.sha256.prefix(12))…", expected: "sha256 \(training.sha256.prefix(12))… (training)"))
        metrics.append(Metric(.debtConfigChanges, Double(changes.count)))
    }

    /// Unused and undeclared data dependencies: the model's feature list (served configuration,
    /// else training configuration) against the declared features and the snapshot's columns.
    mutating func dataDependencies(_ c: Configurations) {
        guard let modelFeatures = c.servedFacts?.features ?? c.trainingFacts?.features else { return }
        let model = Set(modelFeatures)
        let header = Set(snapshot.header)
        let declared = Set(definition.declaredColumns.map(\.name))
        let unused = definition.schema.features.map(\.name).filter { header.contains($0) && !model.contains($0) }
        if !unused.isEmpty {
            findings.append(Finding(
                CheckCatalog.unusedInput, severity: .info,
                message: "\(unused.count) input column\(unused.count == 1 ? " is" : "s are") delivered but not in the model's feature list: "
                    + unused.joined(separator: ", "),
                observed: unused.joined(separator: ", "), expected: "every input used by the model"))
        }
        let missing = modelFeatures.filter { !header.contains($0) }
        if !missing.isEmpty {
            findings.append(Finding(
                CheckCatalog.missingModelFeature, severity: .warning,
                message: "the model's feature list names \(missing.count) column\(missing.count == 1 ? "" : "s") the snapshot does not carry: "
                    + missing.joined(separator: ", "),
                observed: "absent: " + missing.joined(separator: ", "), expected: "every model feature in the snapshot"))
        }
        let undeclared = modelFeatures.filter { header.contains($0) && !declared.contains($0) }
        if !undeclared.isEmpty {
            findings.append(Finding(
                CheckCatalog.missingModelFeature, severity: .info,
                message: "\(undeclared.count) model feature\(undeclared.count == 1 ? " is" : "s are") in the snapshot but not declared, so not checked or drift-tested: "
                    + undeclared.joined(separator: ", "),
                observed: "undeclared: " + undeclared.joined(separator: ", "), expected: "every model feature declared"))
        }
    }

    // MARK: Features

    /// Share of the most frequent value of a feature, from the sorted numbers (`loadNumbers`) or the profile's counts.
    func topShare(_ column: DeclaredColumn, numbers: [String: Double], profiles: [String: ColumnProfile]) -> Double? {
        if column.type.isNumeric { return numbers[column.name] }
        guard let counts = categoryCounts(profiles[column.name]) else { return nil }
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return nil }
        return Double(counts.values.max() ?? 0) / Double(total)
    }

    /// Constant or near-constant features: on the baseline (a feature without signal), or on
    /// the day while it varied on the baseline (usually an upstream default fill).
    mutating func constantFeatures() {
        let limit = debtSpec?.nearConstantShare ?? 0.99
        let dayHeader = Set(snapshot.header), baseHeader = Set(baseline.header)
        for c in definition.declaredColumns where c.role == .feature && c.type != .text && c.type != .datetime {
            let base = baseHeader.contains(c.name) ? topShare(c, numbers: baseModeShare, profiles: baseProfiles) : nil
            let cur = dayHeader.contains(c.name) ? topShare(c, numbers: dayModeShare, profiles: dayProfiles) : nil
            if let base, base >= limit {
                findings.append(Finding(
                    CheckCatalog.constantFeature, severity: .info, column: c.name,
                    message: base == 1
                        ? "'\(c.name)' holds a single value on the baseline: it carries no signal"
                        : "'\(c.name)' is near-constant on the baseline: its most frequent value covers \(formatPercent(base)) of rows",
                    observed: formatPercent(base), expected: "< \(formatPercent(limit))"))
            } else if let cur, cur >= limit, let day = dayProfiles[c.name], day.rows - day.nulls >= 2,
                !Self.expectedFromBaseline(dayShare: cur, values: day.rows - day.nulls, baselineShare: base)
            {
                findings.append(Finding(
                    CheckCatalog.constantFeature, severity: .warning, column: c.name,
                    message: cur == 1
                        ? "'\(c.name)' holds a single value today although it varied on the baseline"
                        : "'\(c.name)' is near-constant today (most frequent value \(formatPercent(cur)) of rows) although it varied on the baseline",
                    observed: formatPercent(cur), expected: base.map { "about \(formatPercent($0)) as on the baseline" } ?? "< \(formatPercent(limit))"))
            }
        }
    }

    /// Whether a day whose most frequent value covers `dayShare` of `values` values is what the
    /// baseline's top share makes likely: P(at least that many equal values) ≥ 0.001 with the
    /// baseline's top share as the chance (an upper bound of the day's value's own share). A
    /// feature at 98 % zeros on the baseline is all zeros in a 100-row day one day in eight.
    static func expectedFromBaseline(dayShare: Double, values: Int, baselineShare: Double?) -> Bool {
        guard let p = baselineShare else { return false }
        let count = Int((dayShare * Double(values)).rounded())
        return Binomial.upperTail(atLeast: count, trials: values, probability: p) >= 0.001
    }

    /// Redundant features: pairs whose baseline correlation reaches `max_correlation`.
    mutating func correlatedFeatures() {
        let limit = debtSpec?.maxCorrelation ?? 0.95
        for p in facts?.correlations ?? [] {
            metrics.append(Metric(.debtCorrelation, column: "\(p.a)|\(p.b)", p.r))
            guard abs(p.r) >= limit else { continue }
            findings.append(Finding(
                CheckCatalog.correlatedFeatures, severity: .info, column: p.a,
                message: "'\(p.a)' and '\(p.b)' are correlated at r = \(formatNumber(p.r)) on the baseline (\(p.n) rows): one of them is redundant",
                observed: "|r| = \(formatNumber(abs(p.r)))", expected: "< \(formatNumber(limit))"))
        }
    }

    // MARK: Staleness, gaps, stability

    /// A model older than `model.max_age_days` at the snapshot date.
    mutating func staleModel() {
        guard let trained = definition.model.trainedAt else { return }
        let age = day - trained
        metrics.append(Metric(.debtModelAgeDays, Double(age)))
        guard let maxAge = definition.model.maxAgeDays, age > maxAge else { return }
        findings.append(Finding(
            CheckCatalog.staleModel, severity: .warning,
            message: "the model was trained on \(trained), \(age) days before \(day); the allowed age is \(maxAge) days",
            observed: "\(age) days", expected: "≤ \(maxAge) days"))
    }

    /// Monitoring gaps: days without a snapshot in the lookback window (after the first day the
    /// pipeline ever audited), and days whose labels are overdue (`labels.expected_within_days`).
    mutating func monitoringGaps() throws {
        let lookback = debtSpec?.gapLookbackDays ?? 30
        let dates = Set(try store.currentSnapshotDates(pipelineId: pipelineId, kind: .daily).compactMap { Day($0) })
        if let first = dates.min(), first < day {
            // Periods of the cadence, stepping back from this one (weekly files a week apart).
            let from = max(first, min(day.adding(days: -lookback), cadence.back(4, from: day)))
            var missing: [Day] = []
            var d = cadence.previous(day)
            while d >= from {
                if !dates.contains(d) { missing.append(d) }
                d = cadence.previous(d)
            }
            missing.reverse()
            // A period whose ingest was attempted but left no snapshot is an audit that failed
            // (debt.snapshot_gap); one nothing was ever ingested for had no file (ops.snapshot_missing).
            var failed: [Day] = [], absent: [Day] = []
            for m in missing {
                if try store.lastStageRun(pipelineId: pipelineId, date: m.description, stage: .ingest) != nil {
                    failed.append(m)
                } else {
                    absent.append(m)
                }
            }
            let noun = cadence.noun
            func list(_ ds: [Day]) -> String { ds.prefix(10).map(\.description).joined(separator: ", ") + (ds.count > 10 ? ", …" : "") }
            metrics.append(Metric(.debtMissingDays, Double(failed.count)))
            metrics.append(Metric(.missingPeriods, Double(absent.count)))
            if !failed.isEmpty {
                findings.append(Finding(
                    CheckCatalog.snapshotGap, severity: .warning,
                    message: "\(failed.count) \(noun)\(failed.count == 1 ? "" : "s") before \(day) have no audited snapshot although their ingest was attempted: " + list(failed),
                    observed: "\(failed.count) missing", expected: "a snapshot every \(noun)"))
            }
            if !absent.isEmpty {
                findings.append(Finding(
                    CheckCatalog.snapshotMissing, severity: .warning,
                    message: "\(absent.count) \(noun)\(absent.count == 1 ? "" : "s") between \(first) and \(day) have no snapshot (\(cadence.rawValue) cadence): " + list(absent),
                    observed: "\(absent.count) missing", expected: "a snapshot every \(noun)"))
            }
        }
        guard let within = definition.labels?.expectedWithinDays, let target = definition.schema.target else { return }
        let labelled = Set(try store.currentSnapshotDates(pipelineId: pipelineId, kind: .labels).compactMap { Day($0) })
        var overdue: [Day] = []
        for s in try store.currentDailySnapshots(pipelineId: pipelineId) {
            guard let d = Day(s.date), d.adding(days: within) < day, d >= day.adding(days: -(lookback + within)),
                !labelled.contains(d), !s.header.contains(target)
            else { continue }
            overdue.append(d)
        }
        metrics.append(Metric(.debtLabelsOverdueDays, Double(overdue.count)))
        if !overdue.isEmpty {
            findings.append(Finding(
                CheckCatalog.labelsMissing, severity: .warning,
                message: "labels for \(overdue.count) day\(overdue.count == 1 ? "" : "s") are more than \(within) days late: "
                    + overdue.prefix(10).map(\.description).joined(separator: ", ") + (overdue.count > 10 ? ", …" : ""),
                observed: "\(overdue.count) days without labels", expected: "labels within \(within) days"))
        }
    }

    /// NaN or infinite model outputs (the score, or the prediction of a regression model).
    mutating func numericalStability() {
        guard let p = definition.schema.prediction else { return }
        let outputs = [p.score, p.kind == .regression ? p.column : nil].compactMap { $0 }
        for name in outputs {
            guard let profile = dayProfiles[name], let n = profile.numeric, n.nan + n.infinite > 0 else { continue }
            let bad = n.nan + n.infinite
            findings.append(Finding(
                CheckCatalog.numericalStability, severity: .critical, column: name,
                message: "\(bad) of \(profile.rows) model outputs in '\(name)' are NaN (\(n.nan)) or infinite (\(n.infinite))",
                observed: "\(bad)", expected: "0"))
        }
    }

    // MARK: Decision threshold

    /// The served decisions against the documented threshold (binary models): predictions that
    /// disagree with score ≥ threshold, and a positive rate that moved while the threshold stayed.
    mutating func thresholds(_ c: Configurations, dayRows: LabelledRows? = nil) throws {
        let served: ServedDecisions?
        if let dayRows, dayRows.decisionsCounted { served = dayRows.decisions } else { served = try servedDecisions(snapshot: snapshot) }
        guard let decisions = served, decisions.predictions > 0 else { return }
        let threshold = definition.decisionThreshold
        var mismatched = false
        if decisions.compared > 0 {
            let share = Double(decisions.mismatches) / Double(decisions.compared)
            let usual = facts?.thresholdMismatch ?? 0
            metrics.append(Metric(.debtThresholdMismatchShare, share))
            if share > max(0.01, usual + 0.01) {
                mismatched = true
                findings.append(Finding(
                    CheckCatalog.thresholdMismatch, severity: .warning,
                    message: "\(formatPercent(share)) of today's predictions (\(decisions.mismatches) of \(decisions.compared)) differ from score ≥ \(formatNumber(threshold)), against \(formatPercent(usual)) on the baseline",
                    observed: formatPercent(share), expected: "≤ \(formatPercent(max(0.01, usual + 0.01)))"))
            }
            // A standing disagreement (the baseline's too): the definition's threshold is not the served one.
            let limit = debtSpec?.thresholdDisagreement ?? 0.02
            if !mismatched, share > limit {
                mismatched = true
                var message = "\(formatPercent(share)) of today's predictions (\(decisions.mismatches) of \(decisions.compared)) differ from score ≥ \(formatNumber(threshold)) (\(formatPercent(usual)) on the baseline): the model is not served at the definition's threshold, and realized metrics and CBPE judge decisions it did not make"
                if let fit = try servedDecisions(snapshot: snapshot, fit: true)?.fit {
                    let agreement = fit.agreement < 1 && formatPercent(fit.agreement) == "100%" ? "over 99.9%" : formatPercent(fit.agreement)
                    message += "; score ≥ \(formatNumber(fit.threshold)) reproduces \(agreement) of them"
                }
                findings.append(Finding(
                    CheckCatalog.thresholdNotServed, severity: .warning, column: definition.schema.prediction?.column,
                    message: message, observed: formatPercent(share), expected: "≤ \(formatPercent(limit))"))
            }
        }
        let rate = Double(decisions.positives) / Double(decisions.predictions)
        metrics.append(Metric(.performanceServedPositiveRate, rate))
        guard let baseRate = facts?.positiveRate, let basePositives = facts?.positives, let baseN = facts?.predictions,
            baseRate > 0
        else { return }
        let change = (rate - baseRate) / baseRate
        metrics.append(Metric(.debtPositiveRateChange, change))
        let limit = debtSpec?.positiveRateChange ?? 0.2
        let z = ZTest.twoProportion(successes1: basePositives, n1: baseN, successes2: decisions.positives, n2: decisions.predictions)
        let thresholdChanged = c.trainingFacts?.threshold != nil && c.servedFacts?.threshold != nil
            && c.trainingFacts?.threshold != c.servedFacts?.threshold
        // Strong evidence only (p < 0.001): at 0.01 a 190-row clean day moved 11 % → 17 % by chance
        // once in three weeks of the trial; the prediction drift test reads the same rates.
        guard abs(change) >= limit, let z, z.pValue < 0.001, !thresholdChanged, !mismatched else { return }
        findings.append(Finding(
            CheckCatalog.fixedThreshold, severity: .warning, column: definition.schema.prediction?.column,
            message: "the share of positive predictions moved from \(formatPercent(baseRate)) on the baseline to \(formatPercent(rate)) (\(change > 0 ? "+" : "")\(formatPercent(change))) while the decision threshold stayed at \(formatNumber(c.servedFacts?.threshold ?? threshold))",
            observed: formatPercent(rate), expected: "within ±\(formatPercent(limit)) of \(formatPercent(baseRate))"))
    }
}
