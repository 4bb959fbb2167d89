import AuditModel
import BuildInfo
import Warehouse

/// How text from data is prepared for a format. Both go through ``SafeText``, the one place
/// per format that escapes data: HTML by the template engine (every HTML template declares
/// the `MLAUDIT_HTML` content type, whose escaper is ``SafeText/html(_:)``), Markdown here
/// (``SafeText/markdown(_:)``; the Markdown templates print values with triple braces).
enum TextEscaping {
    case html
    case markdown

    /// A text that may quote values (a message, a reason, a path), cut to
    /// ``SafeText/textLimit`` scalars, then escaped.
    func callAsFunction(_ s: String) -> String {
        escaped(SafeText.cut(s, to: SafeText.textLimit))
    }

    /// One data value (a column name from a header, a category, a group value, a raw line), cut
    /// to ``SafeText/valueLimit`` scalars with its full size noted, then escaped.
    func value(_ s: String) -> String {
        escaped(SafeText.cut(s))
    }

    private func escaped(_ s: String) -> String {
        switch self {
        case .html: return s
        case .markdown: return SafeText.markdown(s)
        }
    }

    /// Text of our own (the check catalog's advice, never data), with its `code spans`
    /// rendered as code: in HTML, escaped here (the template prints it with triple braces)
    /// and each span between backticks wrapped in `<code>`; in Markdown, only what would break
    /// a table or a line is escaped.
    func trusted(_ s: String) -> String {
        switch self {
        case .html:
            var out = ""
            var inCode = false
            for u in s.unicodeScalars {
                if u == "`" {
                    out += inCode ? "</code>" : "<code>"
                    inCode.toggle()
                } else {
                    out += SafeText.html(String(u))
                }
            }
            if inCode { out += "</code>" }
            return out
        case .markdown:
            var out = ""
            for u in s.unicodeScalars {
                switch u {
                case "|": out += "\\|"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                default:
                    if SafeText.shownVisibly(u), u != "\t" { out += SafeText.code(u) } else { out.unicodeScalars.append(u) }
                }
            }
            return out
        }
    }
}

/// Builds the template view of a report.
struct ReportViewBuilder {
    let data: ReportData
    let summary: AuditSummary
    let escape: TextEscaping

    func build() -> ReportView {
        let s = summary
        let findingViews = data.findings.map(findingView)
        let groups = [Severity.critical, .warning, .info].compactMap { sev -> FindingGroup? in
            let list = zip(data.findings, findingViews).filter { $0.0.severity == sev }.map(\.1)
            return list.isEmpty ? nil : FindingGroup(severity: sev.rawValue, title: "\(sev.rawValue.capitalized) (\(list.count))", findings: list)
        }
        func inCategory(_ c: FindingCategory) -> [FindingView] {
            zip(data.findings, findingViews).filter { $0.0.category == c }.map(\.1)
        }
        let driftRows = data.drift.map(driftRow)
        let judged = s.performance.judgedMetric
        let performanceRows = s.performance.metrics.filter { !SectionMetricName.isEstimated($0.name) }
            .map { metricRow($0, judged: realizedJudged ? judged : nil) }
        let estimatedRows = s.performance.metrics.filter { SectionMetricName.isEstimated($0.name) }.map { metricRow($0, judged: judged.map { SectionMetricName.estimated($0).rawValue }) }
        var confusion: ConfusionView?
        if let m = s.performance.confusionMatrix, m.count == 2, m[0].count == 2 {
            confusion = ConfusionView(tn: m[0][0], fp: m[0][1], fn: m[1][0], tp: m[1][1])
        }
        let performanceNote: String
        if s.performance.labelsAvailable {
            performanceNote = "Realized on \(s.performance.labelledRows) labelled rows"
                + (data.labels.map { " (labels file \(escape($0.sourcePath)))" } ?? "") + "."
                + (realizedJudged ? "" : " Not judged: fewer than performance.min_labelled_rows (\(minLabelledRows)) labelled rows.")
        } else if s.performance.kind == nil {
            performanceNote = "The definition declares no prediction column."
        } else if let labels = data.labels, labels.rowsStored > 0 {
            performanceNote = "A labels file was loaded (\(escape(labels.sourcePath)), \(labels.rowsStored) labels) but none of its labels joined a prediction of the day (see the findings): performance is estimated from scores (CBPE)."
        } else {
            performanceNote = "No labels for this day yet: performance is estimated from scores (CBPE) until labels arrive."
        }
        let charts = driftCharts()
        let quarantinedShare = s.rows.read == 0 ? "0%" : formatPercent(Double(s.rows.quarantined) / Double(s.rows.read))
        let nulls = nullRateViews()
        let topFindings = Array(findingViews.filter { $0.severity != "info" }.prefix(10))
        var seenChecks = Set<String>()
        let actions = topFindings.compactMap { f -> ActionView? in
            seenChecks.insert(f.check).inserted ? ActionView(check: f.check, advice: f.advice) : nil
        }
        var view = ReportView(
            title: "\(data.definition.name) · \(data.day) · audit report",
            pipeline: escape(data.definition.name), description: data.definition.description.map { escape($0) },
            modelName: escape(data.definition.model.name), modelVersion: escape(data.definition.model.version),
            date: data.day.description, version: s.version, status: s.status.rawValue, statusWord: s.status.rawValue.uppercased(),
            statusLabel: statusLabel(s.status), recommendation: s.retraining.recommendation.rawValue,
            recommendationLabel: recommendationLabel(s.retraining.recommendation),
            reasons: s.retraining.reasons.map { escape($0) }, critical: s.findingCounts.critical, warning: s.findingCounts.warning,
            info: s.findingCounts.info, keyNumbers: keyNumbers(), hasFindings: !data.findings.isEmpty, findingGroups: groups,
            topFindings: topFindings, hasTopFindings: !topFindings.isEmpty, actions: actions,
            rowsRead: "\(s.rows.read)", rowsStored: "\(s.rows.stored)", rowsQuarantined: "\(s.rows.quarantined)",
            quarantinedShare: quarantinedShare,
            quarantineReasons: quarantineReasonViews(),
            quarantineSamples: data.quarantineSamples.map {
                QuarantineView(file: escape($0.file), line: $0.line, reason: escape($0.reason), raw: escape.value($0.raw))
            },
            hasQuarantine: s.rows.quarantined > 0, nullRates: nulls, hasNullRates: !nulls.isEmpty,
            nullRateNote: nullRateNote(shown: nulls.count), qualityFindings: inCategory(.dataQuality),
            driftRows: driftRows, driftedFeatureRows: driftRows.filter { $0.drifted && $0.role == "feature" },
            hasDriftedFeatures: driftRows.contains { $0.drifted && $0.role == "feature" },
            outputDriftRows: driftRows.filter { $0.role != "feature" }, hasOutputDrift: driftRows.contains { $0.role != "feature" },
            driftSummary: "\(s.drift.driftedCount) of \(s.drift.featureCount) features drifted (\(formatPercent(s.drift.driftedShare))); dataset drift is declared at \(formatPercent(s.drift.shareThreshold)) or more: \(s.drift.datasetDrift ? "yes" : s.drift.featureCount > 0 && s.drift.driftedShare >= s.drift.shareThreshold ? "no, too few of them stay significant once the day's drift tests are read together (the info findings)" : "no").",
            datasetDrift: s.drift.datasetDrift, driftCharts: charts, hasDriftCharts: !charts.isEmpty,
            performanceAvailable: s.performance.labelsAvailable, performanceNote: performanceNote,
            performanceRows: performanceRows, estimatedRows: estimatedRows, hasEstimates: !estimatedRows.isEmpty,
            confusion: confusion, operationalRows: s.operational.metrics.map { metricRow($0, judged: nil) },
            hasOperational: !s.operational.metrics.isEmpty, operationalFindings: inCategory(.operational),
            debtFindings: inCategory(.technicalDebt), hasDebt: !inCategory(.technicalDebt).isEmpty,
            trends: data.trends.map(sparkline), trendRange: trendRange(), definitions: Glossary.terms(data.definition),
            provenance: provenance(), inputs: inputs(), stages: stageViews(), htmlLink: "report.html")
        if let r = s.operational.resources {
            view.hasResources = true
            view.resourcesNote = escape(resourcesNote(r))
            view.resourceRows = r.hosts.map { h in
                func share(_ v: Double?) -> String { v.map(formatPercent) ?? "–" }
                func number(_ v: Double?) -> String { v.map { formatNumber($0) } ?? "–" }
                return ResourceHostView(
                    host: escape.value(h.host), samples: "\(h.samples)", uptime: formatPercent(h.uptimeShare),
                    memory: share(h.maxMemoryShare), disk: share(h.maxDiskUsedShare), cpu: number(h.meanCpu),
                    ioWait: number(h.maxIoWait), flagged: breaksAnSLO(h))
            }
        }
        if let fairness = s.fairness {
            view.hasFairness = true
            view.fairnessTables = fairness.map(fairnessTable)
            view.fairnessFindings = inCategory(.fairness)
            let minRows = data.definition.fairness?.minGroupRows ?? FairnessSpec.defaultMinGroupRows
            view.fairnessNote = "Per group of each protected attribute: selection rate (share predicted positive) every day; true and false positive rate, precision and accuracy on labelled rows. Brackets: Wilson 95 % intervals. Groups under \(minRows) rows are listed, not judged. A monitoring signal, not a legal finding (docs/fairness.md)."
        }
        if let segments = s.segments {
            view.hasSegments = true
            view.segmentTables = segmentTables(segments)
            view.segmentFindings = data.findings.filter { $0.segment != nil }.sortedForReport().map(findingView)
            let spec = data.definition.segments
            view.segmentsNote = "Each value (or bin) of a segment column against the same segment of the baseline. Judged with at least \(spec?.minRows ?? SegmentsSpec.defaultMinRows) rows on both sides; the day's segment tests are corrected together (Benjamini–Hochberg, false discovery rate \(formatNumber(spec?.falseDiscoveryRate ?? SegmentsSpec.defaultFalseDiscoveryRate))). At most \(SegmentsSpec.maxValuesPerColumn) segments per column; the rest are grouped as (other) (docs/segments.md)."
        }
        view.hasSegmentsSection = view.hasSegments || view.hasFairness
        return view
    }

    /// One table per segment column: rows today and in the baseline, judged, drifted share,
    /// the judged metric (realized, else the CBPE estimate) against the baseline's segment.
    func segmentTables(_ segments: [AuditSummary.Segment]) -> [SegmentTableView] {
        var order: [String] = []
        var byColumn: [String: [AuditSummary.Segment]] = [:]
        for s in segments {
            if byColumn[s.column] == nil { order.append(s.column) }
            byColumn[s.column, default: []].append(s)
        }
        let flagged = Set(data.findings.compactMap(\.segment))
        return order.map { column in
            let list = byColumn[column] ?? []
            let rows = list.map { s -> SegmentRowView in
                let metric = s.judgedMetric
                var current = "—"
                if let m = metric, let v = s.metrics[m] {
                    current = formatNumber(v, digits: 3)
                } else if let m = metric, let v = s.estimated[m] {
                    current = "\(formatNumber(v, digits: 3)) (estimated)"
                }
                return SegmentRowView(
                    value: escape.value(s.value), rows: "\(s.rows) (\(s.labelledRows) labelled)", baselineRows: "\(s.baselineRows)",
                    judged: s.judged ? "yes" : "no", driftedShare: s.driftedShare.map(formatPercent) ?? "—",
                    metric: current, baselineMetric: metric.flatMap { s.baselineMetrics[$0] }.map { formatNumber($0, digits: 3) } ?? "—",
                    note: escape(s.note ?? ""), flag: flagged.contains(SegmentRef(column: s.column, value: s.value)))
            }
            let judged = list.filter(\.judged).count
            let metricName = list.compactMap(\.judgedMetric).first.map { " Metric: \($0)." } ?? ""
            var table = SegmentTableView(
                column: escape.value(column), caption: escape("\(list.count) segments, \(judged) judged.\(metricName)"), rows: rows)
            table.trends = segmentTrends(column: column, today: list)
            if let metric = list.compactMap(\.judgedMetric).first, !table.trends.isEmpty {
                let shown = list.filter { $0.judged && !$0.grouped }.count
                table.trendsNote = "\(MetricNames.display(metric)) of each judged segment, one point per audited day (realized on labelled rows, else the CBPE estimate); dashed: the baseline's segment."
                    + (shown > Self.segmentTrendLimit ? " The \(Self.segmentTrendLimit) largest of \(shown) judged segments." : "")
            }
            return table
        }
    }

    static let segmentTrendLimit = 12

    /// Small multiples for one segment column: the judged metric of today's judged segments (the
    /// largest `segmentTrendLimit`) on every day of the trend window that has segments stored.
    func segmentTrends(column: String, today: [AuditSummary.Segment]) -> [SparklineView] {
        let series = data.segmentSeries[column] ?? []
        guard !series.isEmpty else { return [] }
        var dates: [String] = []
        for r in series where dates.last != r.date { dates.append(r.date) }
        let shown = today.filter { $0.judged && !$0.grouped }.sorted { $0.rows != $1.rows ? $0.rows > $1.rows : $0.value < $1.value }
            .prefix(Self.segmentTrendLimit)
        return shown.compactMap { s -> SparklineView? in
            guard let metric = s.judgedMetric else { return nil }
            var byDate: [String: Double] = [:]
            for r in series where r.value == s.value && r.judged {
                if let v = r.metricValue ?? r.estimatedValue { byDate[r.date] = v }
            }
            guard !byDate.isEmpty else { return nil }
            let trend = ReportData.Trend(
                name: "segment", title: escape.value(s.value), unit: "", points: dates.map { ($0, byDate[$0]) },
                reference: s.baselineMetrics[metric].map { ($0, "baseline") })
            return sparkline(trend)
        }
    }

    /// The resources table's note: the window, the sampling interval, the file's counts.
    func resourcesNote(_ r: AuditSummary.ResourcesSection) -> String {
        var parts = [
            "\(r.hosts.count + r.hostsOmitted) serving host\(r.hosts.count + r.hostsOmitted == 1 ? "" : "s") sampled every \(formatNumber(r.sampleIntervalSeconds)) s from \(r.periodStart) to \(r.periodEnd) (\(r.expectedSamples) intervals per host; an interval without a sample counts as down)."
        ]
        if let path = r.path {
            parts.append("File \(path): \(r.rowsRead) rows read, \(r.rowsStored) stored, \(r.rowsQuarantined) quarantined, \(r.samplesOutsidePeriod) samples outside the period.")
        } else {
            parts.append("No resources file was found for this period.")
        }
        if r.hostsOmitted > 0 { parts.append("\(r.hostsOmitted) more hosts are left out of this table.") }
        return parts.joined(separator: " ")
    }

    /// Whether a host breaks one of the resource SLOs (its row is marked).
    func breaksAnSLO(_ h: AuditSummary.ResourcesSection.Host) -> Bool {
        guard let spec = data.definition.operational?.resources else { return false }
        return h.maxMemoryShare.flatMap(spec.memoryThresholds.severity(over:)) != nil
            || h.maxDiskUsedShare.flatMap(spec.diskThresholds.severity(over:)) != nil
            || spec.uptimeThresholds.severity(below: h.uptimeShare) != nil
    }

    /// A protected attribute's table: groups with rates, intervals and impact ratios.
    func fairnessTable(_ a: AuditSummary.FairnessAttribute) -> FairnessTableView {
        func rate(_ v: Double?, _ ci: [Double]?) -> String {
            guard let v else { return "—" }
            guard let ci, ci.count == 2 else { return formatNumber(v, digits: 3) }
            return "\(formatNumber(v, digits: 3)) [\(formatNumber(ci[0], digits: 3)), \(formatNumber(ci[1], digits: 3))]"
        }
        let warning = data.definition.fairness?.impactRatio?.warning ?? FairnessSpec.defaultImpactRatio.warning ?? 0.8
        let rows = a.groups.map { g -> FairnessRowView in
            var notes: [String] = []
            if g.value == a.referenceGroup { notes.append("reference") }
            if !g.judged { notes.append("not judged: under the minimum rows") }
            let low = (g.impactRatio ?? 1) < warning
            if low { notes.append("below \(formatNumber(warning))") }
            return FairnessRowView(
                value: escape.value(g.value), rows: "\(g.rows) (\(g.labelledRows) labelled)",
                selectionRate: rate(g.selectionRate, g.selectionRateCI), impactRatio: g.impactRatio.map { formatNumber($0, digits: 3) } ?? "—",
                truePositiveRate: rate(g.truePositiveRate, g.truePositiveRateCI),
                falsePositiveRate: rate(g.falsePositiveRate, g.falsePositiveRateCI),
                precision: rate(g.precision, g.precisionCI), accuracy: rate(g.accuracy, g.accuracyCI),
                note: notes.joined(separator: "; "), flag: low && g.judged)
        }
        func num(_ x: Double?) -> String { x.map { formatNumber($0, digits: 3) } ?? "—" }
        var summary = "Demographic parity difference \(num(a.demographicParityDifference)), ratio \(num(a.demographicParityRatio)); equalized odds difference \(num(a.equalizedOddsDifference)); equal opportunity difference \(num(a.equalOpportunityDifference)); lowest impact ratio \(num(a.minImpactRatio))"
        if let ref = a.referenceGroup {
            summary += " against " + escape.value(ref) + (a.referenceDeclared ? " (declared reference)" : " (highest selection rate)")
        }
        summary += "."
        if a.missingRows > 0 { summary += " \(a.missingRows) rows without a value are in no group." }
        return FairnessTableView(attribute: escape.value(a.attribute), summary: summary, rows: rows)
    }

    var minLabelledRows: Int { data.definition.performance?.minLabelledRows ?? 100 }
    /// Whether the realized metrics were judged: enough labelled rows (docs/compare.md).
    var realizedJudged: Bool { summary.performance.labelledRows >= minLabelledRows }

    /// The verdict's key numbers: rows, drift, the judged metric and latency, each with the
    /// worst severity of its findings as a word (colour is never the only signal).
    func keyNumbers() -> [KeyNumberView] {
        let s = summary
        func tone(_ categories: [FindingCategory], checks: [String]? = nil) -> (String, String) {
            let worst = data.findings.filter { f in categories.contains(f.category) && (checks.map { $0.contains(f.check) } ?? true) }
                .map(\.severity).max()
            switch worst {
            case .critical?: return ("critical", "CRITICAL")
            case .warning?: return ("warning", "WARNING")
            default: return ("ok", "OK")
            }
        }
        var out: [KeyNumberView] = []
        let (rt, rw) = tone([.dataQuality])
        let qualityCount = data.findings.filter { $0.category == .dataQuality && $0.severity != .info }.count
        out.append(KeyNumberView(
            label: "Data quality", value: "\(s.rows.stored) rows", tone: rt, toneWord: rw,
            detail: "\(s.rows.read) read, \(s.rows.quarantined) quarantined; \(qualityCount) finding\(qualityCount == 1 ? "" : "s") at warning or above"))
        // The card counts features: target and prediction drift have their own findings and
        // must not badge "0 of 7" as a warning.
        let (dt, dw) = tone([.drift], checks: [CheckCatalog.featureDrift.id, CheckCatalog.datasetDrift.id])
        out.append(KeyNumberView(
            label: "Drifted features", value: "\(s.drift.driftedCount) of \(s.drift.featureCount)", tone: dt, toneWord: dw,
            detail: s.drift.datasetDrift ? "dataset drift (≥ \(formatPercent(s.drift.shareThreshold)))"
                : "no dataset drift (< \(formatPercent(s.drift.shareThreshold)))"))
        if let judged = s.performance.judgedMetric ?? (s.performance.kind != nil ? "accuracy" : nil) {
            let (pt, pw) = tone([.performance])
            let realized = s.performance.metrics.first { $0.name == judged }
            let estimated = s.performance.metrics.first { $0.name == SectionMetricName.estimated(judged).rawValue }
            if s.performance.labelsAvailable, let m = realized, let cur = m.current {
                let notJudged = realizedJudged ? "" : "; not judged: \(s.performance.labelledRows) labelled rows < \(minLabelledRows)"
                out.append(KeyNumberView(
                    label: MetricNames.display(judged), value: formatNumber(cur), tone: pt,
                    toneWord: realizedJudged || pt != "ok" ? pw : "NOT JUDGED",
                    detail: (m.baseline.map { "baseline \(formatNumber($0))" + (m.delta.map { ", change " + signed($0) } ?? "") } ?? "no baseline") + notJudged))
            } else if let m = estimated, let cur = m.current {
                out.append(KeyNumberView(
                    label: MetricNames.display(judged) + " (estimated)", value: formatNumber(cur), tone: pt, toneWord: pw,
                    detail: "CBPE, no labels yet" + (m.baseline.map { "; baseline \(formatNumber($0))" } ?? "")))
            }
        }
        if let p95 = s.operational.metrics.first(where: { $0.name == SectionMetricName.latencyP95Ms.rawValue }), let cur = p95.current {
            let (ot, ow) = tone([.operational, .technicalDebt], checks: [CheckCatalog.latency.id, CheckCatalog.latencyRegression.id])
            let slo = data.definition.operational?.latencyP95Ms?.warning
            out.append(KeyNumberView(
                label: "Latency p95", value: formatNumber(cur) + " ms", tone: ot, toneWord: ow,
                detail: [p95.baseline.map { "baseline \(formatNumber($0)) ms" }, slo.map { "SLO \(formatNumber($0)) ms" }]
                    .compactMap { $0 }.joined(separator: ", ")))
        }
        return out.map { KeyNumberView(label: escape($0.label), value: escape($0.value), tone: $0.tone, toneWord: $0.toneWord, detail: escape($0.detail)) }
    }

    func signed(_ x: Double) -> String { (x > 0 ? "+" : "") + formatNumber(x) }

    func trendRange() -> String {
        let from = data.day.adding(days: -(ReportData.trendDays - 1))
        return "\(from) to \(data.day)"
    }

    func nullRateNote(shown: Int) -> String {
        let total = data.nullRates.count
        if total == 0 { return "No column profiles for this day." }
        if shown == 0 { return "No column has missing values today or in the baseline (\(total) columns checked)." }
        if shown == total { return "" }
        return "The other \(total - shown) columns have no missing values today or in the baseline."
    }

    func statusLabel(_ s: AuditStatus) -> String { ReportLabels.status(s) }

    func recommendationLabel(_ r: Recommendation) -> String { ReportLabels.recommendation(r) }

    func findingView(_ f: Finding) -> FindingView {
        var v = FindingView(
            severity: f.severity.rawValue, severityLabel: f.severity.rawValue.uppercased(), check: f.check,
            category: f.category.title, column: escape.value(f.column ?? "—"), hasColumn: f.column != nil, message: escape(f.message),
            observed: escape(f.observed ?? "—"), expected: escape(f.expected ?? "—"), advice: escape.trusted(f.advice))
        if let s = f.segment {
            v.segment = escape.value(s.column) + " = " + escape.value(s.value)
            v.hasSegment = true
        }
        return v
    }

    func driftRow(_ r: DriftResult) -> DriftRowView {
        DriftRowView(
            column: escape.value(r.column), role: r.role.rawValue, method: methodName(r.method), statistic: formatNumber(r.statistic),
            pValue: r.pValue.map { formatNumber($0) } ?? "—", threshold: formatNumber(r.threshold),
            verdict: r.drifted ? "Drifted" : "Stable", drifted: r.drifted, counts: "\(r.referenceCount) / \(r.currentCount)")
    }

    func methodName(_ m: DriftMethod) -> String {
        switch m {
        case .ks: return "K-S p-value"
        case .chi2: return "chi-square p-value"
        case .z: return "Z-test p-value"
        case .psi: return "PSI"
        case .jensenshannon: return "Jensen-Shannon"
        case .wasserstein: return "Wasserstein (normed)"
        case .hellinger: return "Hellinger"
        case .anderson: return "Anderson-Darling p-value"
        case .chi2Contingency: return "chi-square contingency p-value"
        case .auto: return "auto"
        }
    }

    func metricRow(_ m: AuditSummary.MetricComparison, judged: String?) -> MetricRowView {
        MetricRowView(
            name: escape(MetricNames.display(m.name)), key: m.name, judged: m.name == judged,
            current: m.current.map { cur in
                // CBPE estimates carry their confidence band (± 3 sampling errors).
                guard let lo = m.lower, let hi = m.upper else { return formatNumber(cur) }
                return "\(formatNumber(cur)) (\(formatNumber(lo))–\(formatNumber(hi)))"
            } ?? "—", baseline: m.baseline.map { formatNumber($0) } ?? "—",
            delta: m.delta.map(signed) ?? "—")
    }

    /// Columns with missing values today or in the baseline, worst first.
    func nullRateViews() -> [NullRateView] {
        data.nullRates.compactMap { c -> (String, Double, Double?)? in
            let base = data.baseProfiles[c.column]?.nullRate
            return c.rate > 0 || (base ?? 0) > 0 ? (c.column, c.rate, base) : nil
        }
        .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        .map { NullRateView(column: escape.value($0.0), rate: formatPercent($0.1), baseline: $0.2.map(formatPercent) ?? "—") }
    }

    /// The quarantine reasons, most frequent first: the first ``reasonLimit``, then one line
    /// counting the rest (a reason may quote a value, so a day of distinct bad values has as many
    /// reasons as rows).
    func quarantineReasonViews() -> [ReasonView] {
        let all = data.quarantineReasons
        var out = all.prefix(Self.reasonLimit).map { ReasonView(reason: escape($0.value), count: $0.count) }
        if all.count > Self.reasonLimit {
            let rest = all.dropFirst(Self.reasonLimit)
            out.append(ReasonView(reason: escape("… \(rest.count) other reasons"), count: rest.reduce(0) { $0 + $1.count }))
        }
        return out
    }

    static let reasonLimit = 20

    /// Baseline-versus-current distributions of drifted columns (and of prediction and score).
    func driftCharts() -> [ChartView] {
        var charts: [ChartView] = []
        for (k, r) in data.drift.enumerated() where r.drifted || r.role == .score || r.role == .prediction {
            guard let cur = data.dayProfiles[r.column], let ref = data.baseProfiles[r.column] else { continue }
            var series: [(label: String, ref: Double, cur: Double)] = []
            if let rh = ref.numeric?.histogram, let ch = cur.numeric?.histogram, rh.edges == ch.edges {
                let rt = Double(max(1, rh.counts.reduce(0, +) + rh.below + rh.above))
                let ct = Double(max(1, ch.counts.reduce(0, +) + ch.below + ch.above))
                if ch.below > 0 || rh.below > 0 { series.append(("< \(formatNumber(rh.edges[0]))", Double(rh.below) / rt, Double(ch.below) / ct)) }
                for i in 0..<rh.counts.count {
                    series.append(("\(formatNumber(rh.edges[i]))–\(formatNumber(rh.edges[i + 1]))", Double(rh.counts[i]) / rt, Double(ch.counts[i]) / ct))
                }
                if ch.above > 0 || rh.above > 0 { series.append(("> \(formatNumber(rh.edges.last!))", Double(rh.above) / rt, Double(ch.above) / ct)) }
            } else if let rc = ref.categorical, let cc = cur.categorical {
                let rmap = Dictionary((rc.counts ?? rc.top).map { ($0.value, $0.count) }, uniquingKeysWith: +)
                let cmap = Dictionary((cc.counts ?? cc.top).map { ($0.value, $0.count) }, uniquingKeysWith: +)
                let rt = Double(max(1, rc.count)), ct = Double(max(1, cc.count))
                let keys = Set(rmap.keys).union(cmap.keys).sorted {
                    let a = Double(rmap[$0] ?? 0) / rt + Double(cmap[$0] ?? 0) / ct
                    let b = Double(rmap[$1] ?? 0) / rt + Double(cmap[$1] ?? 0) / ct
                    return a != b ? a > b : $0 < $1
                }.prefix(12)
                for key in keys { series.append((SafeText.cut(key), Double(rmap[key] ?? 0) / rt, Double(cmap[key] ?? 0) / ct)) }
            } else if let rb = ref.boolean, let cb = cur.boolean {
                series = [("false", 1 - (rb.trueShare ?? 0), 1 - (cb.trueShare ?? 0)), ("true", rb.trueShare ?? 0, cb.trueShare ?? 0)]
            }
            guard !series.isEmpty else { continue }
            charts.append(barChart(id: "chart-\(k)", column: SafeText.cut(r.column), series: series, drifted: r.drifted))
        }
        return charts
    }

    /// A grouped bar chart of shares: baseline bars hatched grey, today's bars solid blue (a
    /// pattern and the order within each pair tell them apart without colour), with a legend,
    /// a y scale and x labels (every category, or the first, middle and last bin edges).
    func barChart(id: String, column: String, series: [(label: String, ref: Double, cur: Double)], drifted: Bool) -> ChartView {
        let width = 480, height = 176
        let left = 40.0, right = 8.0, top = 26.0, plotH = 130.0
        let plotW = Double(width) - left - right
        let maxShare = max(0.0001, series.map { max($0.ref, $0.cur) }.max() ?? 0)
        let slot = plotW / Double(series.count)
        let gap = slot >= 12 ? max(1, slot * 0.12) : 0.5
        let barW = max(0.8, (slot - gap) / 2)
        var bars: [BarView] = []
        for (i, s) in series.enumerated() {
            for (j, v) in [s.ref, s.cur].enumerated() {
                let h = v / maxShare * plotH
                bars.append(BarView(
                    x: f1(left + Double(i) * slot + gap / 2 + Double(j) * barW), y: f1(top + plotH - h), width: f1(barW),
                    height: f1(h), fill: j == 0 ? "url(#\(id)-hatch)" : "#2f5fb3", series: j == 0 ? "ref" : "cur",
                    tip: "\(j == 0 ? "baseline" : "today") \(s.label): \(formatPercent(v))"))
            }
        }
        let baseY = top + plotH
        var labels = [
            AxisLabelView(x: f1(left - 4), y: f1(top + 4), text: formatPercent(maxShare), anchor: "end"),
            AxisLabelView(x: f1(left - 4), y: f1(baseY + 3), text: "0%", anchor: "end"),
        ]
        let categorical = !(series.first?.label.contains("–") ?? false) && !(series.first?.label.hasPrefix("<") ?? false)
        if categorical {
            let maxChars = max(3, Int(slot / 5.6))
            for (i, s) in series.enumerated() {
                let text = s.label.count > maxChars ? String(s.label.prefix(maxChars - 1)) + "…" : s.label
                labels.append(AxisLabelView(x: f1(left + (Double(i) + 0.5) * slot), y: f1(baseY + 14), text: text, anchor: "middle"))
            }
        } else {
            let picks = Array(Set([0, series.count / 2, series.count - 1])).sorted()
            for i in picks {
                let anchor = i == 0 ? "start" : i == series.count - 1 ? "end" : "middle"
                let x = i == 0 ? left : i == series.count - 1 ? left + plotW : left + (Double(i) + 0.5) * slot
                labels.append(AxisLabelView(x: f1(x), y: f1(baseY + 14), text: series[i].label, anchor: anchor))
            }
        }
        return ChartView(
            id: id, title: "\(column): baseline vs today\(drifted ? " (drifted)" : "")",
            summary: "Share of rows per \(categorical ? "value" : "bin") of \(column): in each pair the hatched grey bar is the baseline and the solid blue bar is today. Tallest bar \(formatPercent(maxShare)).",
            width: width, height: height, bars: bars, labels: labels, plotLeft: f1(left), plotRight: f1(left + plotW),
            baseY: f1(baseY), topY: f1(top), legendY: 12)
    }

    func sparkline(_ t: ReportData.Trend) -> SparklineView {
        let width = 220, height = 56
        let padX = 4.0, top = 6.0, plotH = Double(height) - 12
        let values = t.points.compactMap(\.value)
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if let r = t.reference?.value { lo = min(lo, r); hi = max(hi, r) }
        let span = hi - lo == 0 ? 1 : hi - lo
        let n = max(1, t.points.count - 1)
        func y(_ v: Double) -> Double { top + (1 - (v - lo) / span) * plotH }
        var pts: [String] = []
        var dots: [DotView] = []
        for (i, p) in t.points.enumerated() {
            guard let v = p.value else { continue }
            let x = padX + Double(i) / Double(n) * (Double(width) - 2 * padX)
            pts.append("\(f1(x)),\(f1(y(v)))")
            if i == t.points.count - 1 { dots.append(DotView(cx: f1(x), cy: f1(y(v)), current: true)) }
        }
        let fmt: (Double) -> String = { t.unit == "share" ? formatPercent($0) : formatNumber($0) + (t.unit == "ms" ? " ms" : "") }
        let last = t.points.last?.value
        let reference = t.reference.map { r in
            ReferenceLineView(y: f1(y(r.value)), x2: f1(Double(width) - padX), label: "\(r.label) \(fmt(r.value))")
        }
        let days = values.count
        return SparklineView(
            title: t.title,
            summary: values.isEmpty ? "no data in the last \(ReportData.trendDays) days"
                : "\(days) day\(days == 1 ? "" : "s"), from \(fmt(values.min()!)) to \(fmt(values.max()!))",
            last: last.map(fmt) ?? "no value today", points: pts.joined(separator: " "), dots: dots, hasLine: pts.count > 1,
            reference: reference, firstDate: t.points.first?.date ?? "", lastDate: t.points.last?.date ?? "",
            width: width, height: height)
    }

    func provenance() -> [TermView] {
        var out = [
            TermView(term: "Pipeline definition", text: "\(escape(data.definitionPath)) (sha256 \(data.definitionSha256))"),
            TermView(term: "Model", text: "\(escape(data.definition.model.name)) \(escape(data.definition.model.version))"
                + (data.definition.model.trainedAt.map { ", trained \($0)" } ?? "")),
            TermView(term: "Snapshot", text: "\(escape(data.snapshot.sourcePath)), version \(data.snapshot.version), \(data.snapshot.rowsRead) rows read, ingested \(data.snapshot.ingestedAt)"),
            TermView(term: "Baseline", text: "\(escape(data.baseline.sourcePath)), version \(data.baseline.version), \(data.baseline.rowsStored) rows, ingested \(data.baseline.ingestedAt)"),
            TermView(term: "Tool", text: "mlaudit \(MLAuditVersion.current), built from commit \(BuildInfo.sourceCommit)"),
        ]
        let runs = Array(Set(data.stages.map(\.runId))).sorted()
        if !runs.isEmpty {
            out.append(TermView(term: "Runs", text: "results from run\(runs.count == 1 ? "" : "s") \(runs.map(String.init).joined(separator: ", ")) of the warehouse ledger (times below are the recorded stage times, UTC)"))
        }
        return out
    }

    func inputs() -> [InputView] {
        var out = [
            InputView(role: "snapshot", path: escape(data.snapshot.sourcePath), sha256: data.snapshot.sha256, bytes: "\(data.snapshot.bytes)"),
            InputView(role: "baseline", path: escape(data.baseline.sourcePath), sha256: data.baseline.sha256, bytes: "\(data.baseline.bytes)"),
        ]
        if let l = data.labels { out.append(InputView(role: "labels", path: escape(l.sourcePath), sha256: l.sha256, bytes: "\(l.bytes)")) }
        if let c = data.modelConfig { out.append(InputView(role: "model config", path: escape(c.path), sha256: c.sha256, bytes: "")) }
        if let c = data.trainingConfig { out.append(InputView(role: "training config", path: escape(c.path), sha256: c.sha256, bytes: "")) }
        out.append(InputView(role: "definition", path: escape(data.definitionPath), sha256: data.definitionSha256, bytes: ""))
        return out
    }

    func stageViews() -> [StageView] {
        data.stages.map { st in
            let e = RenderStage.stageEntry(st)
            return StageView(stage: st.stage.rawValue, run: "\(st.runId)", started: st.startedAt, finished: st.finishedAt ?? "—",
                             duration: e.durationMs.map { "\($0) ms" } ?? "—")
        }
    }
}

/// One decimal, for SVG coordinates.
func f1(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(r)
}

/// The words a report uses for a status and a recommendation.
enum ReportLabels {
    static func status(_ s: AuditStatus) -> String {
        switch s {
        case .ok: return "OK: no finding at warning level or above"
        case .warning: return "Warning: findings need attention"
        case .critical: return "Critical: findings need action before trusting this day"
        }
    }

    static func recommendation(_ r: Recommendation) -> String {
        switch r {
        case .recommended: return "Retraining recommended"
        case .watch: return "Watch: no retraining yet"
        case .notNeeded: return "Retraining not needed"
        }
    }
}

/// Reader-facing names of metrics; unknown names are shown with spaces for underscores, so
/// metrics added later appear without a template change.
enum MetricNames {
    static let names: [String: String] = [
        "accuracy": "Accuracy", "balanced_accuracy": "Balanced accuracy", "f1": "F1", "precision": "Precision",
        "recall": "Recall", "roc_auc": "ROC AUC", "pr_auc": "PR AUC", "brier": "Brier score", "log_loss": "Log loss",
        "positive_rate": "Predicted positive rate", "label_positive_rate": "Actual positive rate",
        "macro_f1": "Macro F1", "weighted_f1": "Weighted F1", "mae": "MAE", "rmse": "RMSE", "mse": "MSE", "r2": "R²",
        "mape": "MAPE", "rows": "Rows served", "error_rate": "Error rate",
        "latency_p50_ms": "Latency p50 (ms)", "latency_p95_ms": "Latency p95 (ms)", "latency_p99_ms": "Latency p99 (ms)",
        "latency_max_ms": "Latency max (ms)", "latency_mean_ms": "Latency mean (ms)",
    ]

    static func display(_ raw: String) -> String {
        if SectionMetricName.isEstimated(raw) { return display(SectionMetricName.measured(raw)) + " (estimated)" }
        if let n = names[raw] { return n }
        var text = raw.replacingAll("_", with: " ")
        if text.hasSuffix(" ms") { text = String(text.dropLast(3)) + " (ms)" }
        return text.prefix(1).uppercased() + text.dropFirst()
    }
}
