import AuditModel

/// Definitions of every term and threshold a report uses, with this pipeline's values, so
/// data scientists, engineers and auditors read each number the same way.
enum Glossary {
    static func terms(_ d: PipelineDefinition) -> [TermView] {
        let checks = ChecksSpec.effective(column: nil, pipeline: d.checks)
        func pair(_ t: Thresholds?, percent: Bool = true) -> String {
            let f: (Double) -> String = { x in percent ? formatPercent(x) : formatNumber(x) }
            return "warning at \(t?.warning.map(f) ?? "—"), critical at \(t?.critical.map(f) ?? "—")"
        }
        let method = d.drift?.method ?? .auto
        let share = d.drift?.driftedShare ?? 0.5
        let perf = (d.performance?.maxDrop ?? Thresholds(warning: nil, critical: nil)).merged(over: Thresholds(warning: 0.02, critical: 0.05))
        var out = [
            TermView(term: "Rows read / stored / quarantined",
                     text: "Data records in the file; those loaded into the warehouse; those set aside with their line, raw text and reason. Read = stored + quarantined, always."),
            TermView(term: "Null rate",
                     text: "Share of a column's stored rows with no value (empty, NA, null, None…). Thresholds: \(pair(checks.nullRate)) unless a column sets its own."),
            TermView(term: "Out of range",
                     text: "Share of a numeric column's values outside its declared [min, max]. Thresholds: \(pair(checks.range))."),
            TermView(term: "Unseen categories",
                     text: "Share of a categorical column's values not in its declared allowed list. Thresholds: \(pair(checks.allowedValues))."),
            TermView(term: "Drift method",
                     text: "Method \(method.rawValue). auto follows Evidently: with up to 1 000 baseline rows, Kolmogorov–Smirnov (numbers) or chi-square / Z-test (categories), drifted when p ≤ 0.05 (KS) or p < 0.05; with more, normed Wasserstein distance (numbers) or Jensen–Shannon distance (categories and numbers with ≤ 5 values), drifted at 0.1 or more."),
            TermView(term: "Kolmogorov–Smirnov",
                     text: "Largest gap between the baseline's and the day's cumulative distributions, with scipy's exact (≤ 10 000 rows) or asymptotic p-value."),
            TermView(term: "Wasserstein (normed)",
                     text: "Earth mover's distance between the two samples divided by the baseline's standard deviation: 0.1 means the distribution moved by a tenth of a standard deviation."),
            TermView(term: "Jensen–Shannon distance",
                     text: "Square root of the Jensen–Shannon divergence (natural log) between the binned distributions: 0 identical, 0.83 disjoint."),
            TermView(term: "PSI",
                     text: "Population Stability Index, Σ (current − baseline) · ln(current / baseline) over bins; empty bins count as 0.0001."),
            TermView(term: "Dataset drift",
                     text: "Declared when the share of drifted features reaches \(formatPercent(share))."),
            TermView(term: "Realized performance",
                     text: "Metrics on the rows whose true label is known (in the snapshot or from a labels file), at decision threshold \(formatNumber(d.decisionThreshold)). A drop of the judged metric (\(d.performance?.metric ?? "accuracy")) against the baseline is a finding: \(pair(perf, percent: false)) (absolute; relative for error metrics)."),
            TermView(term: "Estimated performance (CBPE)",
                     text: "Confidence-based performance estimation: the baseline's scores and labels calibrate the scores (isotonic regression); the day's expected confusion matrix follows from the calibrated probabilities, without labels."),
            TermView(term: "Retraining recommendation",
                     text: "recommended on dataset drift, a critical performance drop or a changed configuration; watch when features, predictions or the target drift or performance dips; not_needed otherwise. Data-quality failures call for fixing the data, not retraining."),
        ]
        if let op = d.operational {
            out.append(TermView(
                term: "Latency SLO",
                text: "p95 \(pair(op.latencyP95Ms, percent: false)) ms; p99 \(pair(op.latencyP99Ms, percent: false)) ms; a p95 rise over the baseline's \(pair((op.latencyRegression ?? Thresholds(warning: nil, critical: nil)).merged(over: Thresholds(warning: 0.5, critical: 1.0))))."))
        }
        if let f = d.fairness {
            let impact = (f.impactRatio ?? FairnessSpec.defaultImpactRatio).merged(over: FairnessSpec.defaultImpactRatio)
            let odds = (f.equalizedOddsDifference ?? FairnessSpec.defaultEqualizedOdds).merged(over: FairnessSpec.defaultEqualizedOdds)
            out.append(TermView(
                term: "Four-fifths rule (impact ratio)",
                text: "A group's selection rate (share predicted positive) divided by the reference group's (declared, else the highest); below 0.8 is read as evidence of adverse impact (US Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D); NYC Local Law 144 bias audits publish these ratios). Here: warning below \(formatNumber(impact.warning ?? 0.8)), critical below \(formatNumber(impact.critical ?? 0.6)), for groups of at least \(f.minGroupRows ?? FairnessSpec.defaultMinGroupRows) rows whose Wilson 95 % intervals do not overlap the reference's. A monitoring signal, not a legal finding."))
            out.append(TermView(
                term: "Demographic parity",
                text: "Equal selection rates across groups. Difference: highest minus lowest selection rate; ratio: lowest over highest (Fairlearn demographic_parity_difference / demographic_parity_ratio; Barocas, Hardt and Narayanan, Fairness and Machine Learning, ch. 3)."))
            out.append(TermView(
                term: "Equalized odds",
                text: "Equal true positive and false positive rates across groups (Hardt, Price and Srebro 2016). Difference: the larger of the TPR and FPR gaps between groups (Fairlearn equalized_odds_difference, agg=\"worst_case\"); equal opportunity difference is the TPR gap alone. Here: \(pair(odds, percent: false)), on labelled rows, groups of at least \(f.minGroupRows ?? FairnessSpec.defaultMinGroupRows) labelled rows."))
        }
        out.append(TermView(
            term: "Severity",
            text: "info: recorded, no action; warning: needs attention; critical: act before trusting this day's predictions. The report's status is its worst finding."))
        return out
    }
}
