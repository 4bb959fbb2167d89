import AuditModel
import Statistics
import Warehouse

// Drift per column, dataset drift, and changes of the missing-value share (docs/compare.md).
extension Comparison {
    /// One column's drift computation.
    struct DriftJob: Sendable {
        let column: DeclaredColumn
        let reference: DriftSample
        let current: DriftSample
        let method: DriftMethod
        let threshold: Double?

        func run() -> DriftResult? {
            DriftEngine.compare(
                column: column.name, role: column.role, prepared: reference, current: current, method: method,
                threshold: threshold)
        }
    }

    /// The drift job of a numeric candidate column from the numbers of the group `loadNumbers`
    /// holds (sorted and finite: no preparation pass), or nil when a side has none.
    func numericDriftJob(_ c: DeclaredColumn) -> DriftJob? {
        let settings = driftSettings(for: c)
        guard let ref = baseNumbers[c.name].map({ DriftSample.numeric($0.sorted) }),
            let cur = dayNumbers[c.name].map({ DriftSample.numeric($0.sorted) })
        else { return nil }
        return DriftJob(column: c, reference: ref, current: cur, method: settings.method, threshold: settings.threshold)
    }

    /// Drift of every candidate column (features first, then prediction and score), in candidate
    /// order: numeric columns from `loadNumbers` (computed there, a group at a time), categories
    /// and booleans from the profiles' full counts, in parallel, one column per task.
    func driftResults() throws -> [DriftResult] {
        var jobs: [DriftJob] = []
        var order: [(numeric: String?, job: Int?)] = []
        for c in driftCandidates {
            if c.type.isNumeric {
                order.append((c.name, nil))
                continue
            }
            let settings = driftSettings(for: c)
            guard let ref = categoryCounts(baseProfiles[c.name]).map({ DriftSample.categorical($0) }),
                let cur = categoryCounts(dayProfiles[c.name]).map({ DriftSample.categorical($0) })
            else { continue }
            order.append((nil, jobs.count))
            jobs.append(DriftJob(column: c, reference: ref, current: cur, method: settings.method, threshold: settings.threshold))
        }
        let categorical = parallelMap(jobs) { $0.run() }
        var results: [DriftResult] = order.compactMap { item in
            if let name = item.numeric { return numericDrift[name] ?? nil }
            return categorical[item.job!]
        }
        // Missing shares ride along in `extra` (summary.json shows them beside the verdict).
        for i in results.indices {
            if let m = missingShare(dayProfiles[results[i].column]) { results[i].extra["missing_share"] = m }
            if let m = missingShare(baseProfiles[results[i].column]) { results[i].extra["reference_missing_share"] = m }
        }
        return results
    }

    /// Target drift: the baseline's labels against the day's labels, when the day has at least
    /// `min_labelled_rows` of them. Regression targets are compared as numbers.
    func targetDrift(dayTruth: CodedValues?) throws -> DriftResult? {
        guard let target = definition.declaredColumns.first(where: { $0.role == .target }), let dayTruth,
            dayTruth.count >= minLabelledRows, Set(baseline.header).contains(target.name)
        else { return nil }
        let settings = driftSettings(for: target)
        guard !settings.skip else { return nil }
        let ref: DriftSample, cur: DriftSample
        if target.type.isNumeric {
            guard let base = try store.readFiniteNumbers(table, snapshotId: baseline.id, columns: [target.name])[target.name]
            else { return nil }
            ref = .numeric(base.values)
            cur = .numeric(dayTruth.finiteNumbers)
        } else {
            guard let counts = categoryCounts(baseProfiles[target.name]) else { return nil }
            ref = .categorical(counts)
            cur = .categorical(dayTruth.counts())
        }
        return DriftEngine.compare(
            column: target.name, role: .target, reference: ref, current: cur, method: settings.method,
            threshold: settings.threshold)
    }

    /// Reads the day's drift tests together: with ten columns tested at 0.05, a clean day shows a
    /// "drifted" column about two days in five. Benjamini–Hochberg over every result with a
    /// p-value (features, prediction, score, target) stores the adjusted p-value as
    /// `p_value_adjusted`; a result is `significant` only when it stays beyond its threshold.
    /// The per-column verdict (Evidently's) and the dataset drift share are unchanged; dataset
    /// drift is a finding at its severity only when the significant columns reach the share
    /// (`judgeDrift`; `drift.multiple_testing`, docs/statistics.md).
    func adjustForMultipleTests(_ results: inout [DriftResult]) {
        guard (definition.drift?.multipleTesting ?? .benjaminiHochberg) == .benjaminiHochberg else { return }
        let tested = results.indices.filter { results[$0].pValue.map { !$0.isNaN } ?? false }
        guard tested.count > 1 else { return }
        let adjusted = MultipleTesting.benjaminiHochberg(tested.map { results[$0].pValue! })
        for (k, i) in tested.enumerated() { results[i].extra["p_value_adjusted"] = adjusted[k] }
    }

    /// Metrics and findings for the drift results: one finding per drifted column, and dataset
    /// drift when the share of drifted features reaches `drift.drifted_share`.
    mutating func judgeDrift(_ results: [DriftResult]) {
        let features = results.filter { $0.role == .feature }
        let drifted = features.filter(\.drifted)
        let share = features.isEmpty ? 0 : Double(drifted.count) / Double(features.count)
        let shareThreshold = definition.drift?.driftedShare ?? 0.5
        metrics.append(Metric(.driftedShare, share))
        metrics.append(Metric(.driftedCount, Double(drifted.count)))
        for r in results {
            metrics.append(Metric(.driftStatistic, column: r.column, r.statistic))
            if let p = r.pValue { metrics.append(Metric(.driftPValue, column: r.column, p)) }
            if let q = r.adjustedPValue { metrics.append(Metric(.driftPValueAdjusted, column: r.column, q)) }
        }
        let featureSeverity = definition.drift?.featureSeverity ?? .warning
        let tested = results.filter { $0.adjustedPValue != nil }.count
        for r in results where r.drifted {
            let check: CheckInfo
            switch r.role {
            case .prediction, .score: check = CheckCatalog.predictionDrift
            case .target: check = CheckCatalog.targetDrift
            default: check = CheckCatalog.featureDrift
            }
            let value = r.pValue.map { "p = \(formatNumber($0))" } ?? "\(r.method.rawValue) = \(formatNumber(r.statistic))"
            let bound = r.method.isTest
                ? "p \(r.method == .ks ? ">" : "≥") \(formatNumber(r.threshold))"
                : "\(r.method.rawValue) < \(formatNumber(r.threshold))"
            if !r.significant, let q = r.adjustedPValue {
                findings.append(Finding(
                    check, severity: .info, column: r.column,
                    message: "'\(r.column)' differs from the baseline by its own test (\(r.method.rawValue) \(formatNumber(r.statistic)), p = \(formatNumber(r.pValue!))) but not once the day's \(tested) drift tests are read together (Benjamini–Hochberg adjusted p = \(formatNumber(q)))",
                    observed: value, expected: "adjusted p \(r.method == .ks ? ">" : "≥") \(formatNumber(r.threshold))"))
                continue
            }
            let adjustedText = r.adjustedPValue.map { "; adjusted for \(tested) tests: \(formatNumber($0))" } ?? ""
            findings.append(Finding(
                check, severity: featureSeverity, column: r.column,
                message: "'\(r.column)' drifted from the baseline (\(r.method.rawValue) \(formatNumber(r.statistic))\(r.pValue.map { ", p = \(formatNumber($0))" } ?? "")\(adjustedText))",
                observed: value, expected: bound))
        }
        if !features.isEmpty, share >= shareThreshold {
            // The share counts Evidently's per-column verdicts (comparable with Evidently); the
            // finding stands at its severity only when the columns that stay significant after
            // the day's correction reach the share too. Otherwise it would call for retraining
            // on features the day's own drift findings say did not drift (the spector trial:
            // 4 rows, "2 of 3 features drifted", both at adjusted p 0.0505): an info line says so.
            let significant = drifted.filter(\.significant)
            let significantShare = Double(significant.count) / Double(features.count)
            if significantShare >= shareThreshold {
                findings.append(Finding(
                    CheckCatalog.datasetDrift, severity: definition.drift?.datasetSeverity ?? .critical,
                    message: "\(drifted.count) of \(features.count) features drifted (\(formatPercent(share))): "
                        + drifted.map(\.column).joined(separator: ", "),
                    observed: formatPercent(share), expected: "< \(formatPercent(shareThreshold))"))
            } else {
                findings.append(Finding(
                    CheckCatalog.datasetDrift, severity: .info,
                    message: "\(drifted.count) of \(features.count) features drifted by their own tests (\(formatPercent(share))): "
                        + drifted.map(\.column).joined(separator: ", ")
                        + "; but \(significant.count) (\(formatPercent(significantShare))) once the day's \(tested) drift tests are read together (Benjamini–Hochberg), below \(formatPercent(shareThreshold)): no dataset drift",
                    observed: formatPercent(significantShare), expected: "< \(formatPercent(shareThreshold))"))
            }
        }
    }

    /// Share of a column's rows that are missing: nulls, plus NaN in numeric columns.
    func missingShare(_ p: ColumnProfile?) -> Double? {
        guard let p, p.rows > 0 else { return nil }
        return Double(p.nulls + (p.numeric?.nan ?? 0)) / Double(p.rows)
    }

    /// A finding for every feature, prediction or score whose missing share moved from the
    /// baseline's by `drift.null_rate_change` or more (either way: a new default fill upstream
    /// hides missing values as surely as a broken join creates them).
    mutating func judgeMissingValues() {
        let t = (definition.drift?.nullRateChange ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 0.05, critical: 0.5))
        let dayHeader = Set(snapshot.header), baseHeader = Set(baseline.header)
        for c in definition.declaredColumns where [.feature, .prediction, .score].contains(c.role) {
            guard dayHeader.contains(c.name), baseHeader.contains(c.name), let cur = missingShare(dayProfiles[c.name]),
                let ref = missingShare(baseProfiles[c.name])
            else { continue }
            let change = cur - ref
            metrics.append(Metric(.driftMissingShareChange, column: c.name, change))
            guard let severity = t.severity(of: abs(change)) else { continue }
            let bound = severity == .critical ? t.critical! : t.warning!
            findings.append(Finding(
                CheckCatalog.nullRateChange, severity: severity, column: c.name,
                message: "'\(c.name)' is missing in \(formatPercent(cur)) of rows against \(formatPercent(ref)) on the baseline",
                observed: formatPercent(cur), expected: "within ±\(formatPercent(bound)) of \(formatPercent(ref))"))
        }
    }
}
