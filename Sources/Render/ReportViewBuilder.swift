import AuditModel
import Warehouse

/// How text from data is prepared for a format. HTML is escaped by the template engine; for
/// Markdown, table-breaking characters and angle brackets are escaped here.
enum TextEscaping {
    case html
    case markdown

    func callAsFunction(_ s: String) -> String {
        switch self {
        case .html: return s
        case .markdown:
            var out = ""
            for ch in s {
                switch ch {
                case "|": out += "\\|"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\n", "\r": out += " "
                case "*", "_", "`", "[", "]": out += "\\" + String(ch)
                default: out.append(ch)
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
            return list.isEmpty ? nil : FindingGroup(severity: sev.rawValue, title: sev.rawValue.capitalized, findings: list)
        }
        let quality = zip(data.findings, findingViews).filter { $0.0.category == .dataQuality }.map(\.1)
        let operational = zip(data.findings, findingViews).filter { $0.0.category == .operational }.map(\.1)
        let debt = zip(data.findings, findingViews).filter { $0.0.category == .technicalDebt }.map(\.1)
        let driftRows = data.drift.map(driftRow)
        let performanceRows = s.performance.metrics.filter { !$0.name.hasPrefix("estimated_") }.map(metricRow)
        let estimatedRows = s.performance.metrics.filter { $0.name.hasPrefix("estimated_") }.map(metricRow)
        var confusion: ConfusionView?
        if let m = s.performance.confusionMatrix, m.count == 2, m[0].count == 2 {
            confusion = ConfusionView(tn: m[0][0], fp: m[0][1], fn: m[1][0], tp: m[1][1])
        }
        let performanceNote: String
        if s.performance.labelsAvailable {
            performanceNote = "Realized on \(s.performance.labelledRows) labelled rows"
                + (data.labels.map { " (labels file \(escape($0.sourcePath)))" } ?? "") + "."
        } else if s.performance.kind == nil {
            performanceNote = "The definition declares no prediction column."
        } else {
            performanceNote = "No labels for this day yet: performance is estimated from scores (CBPE) until labels arrive."
        }
        let charts = driftCharts()
        let quarantinedShare = s.rows.read == 0 ? "0%" : formatPercent(Double(s.rows.quarantined) / Double(s.rows.read))
        return ReportView(
            title: "\(data.definition.name) · \(data.day) · audit report",
            pipeline: escape(data.definition.name), description: data.definition.description.map { escape($0) },
            modelName: escape(data.definition.model.name), modelVersion: escape(data.definition.model.version),
            date: data.day.description, version: s.version, status: s.status.rawValue,
            statusLabel: statusLabel(s.status), recommendation: s.retraining.recommendation.rawValue,
            recommendationLabel: recommendationLabel(s.retraining.recommendation),
            reasons: s.retraining.reasons.map { escape($0) }, critical: s.findingCounts.critical, warning: s.findingCounts.warning,
            info: s.findingCounts.info, hasFindings: !data.findings.isEmpty, findingGroups: groups,
            topFindings: Array(findingViews.filter { $0.severity != "info" }.prefix(10)),
            rowsRead: "\(s.rows.read)", rowsStored: "\(s.rows.stored)", rowsQuarantined: "\(s.rows.quarantined)",
            quarantinedShare: quarantinedShare,
            quarantineReasons: data.quarantineReasons.map { ReasonView(reason: escape($0.value), count: $0.count) },
            quarantineSamples: data.quarantineSamples.map {
                QuarantineView(file: escape($0.file), line: $0.line, reason: escape($0.reason), raw: escape(String($0.raw.prefix(300))))
            },
            hasQuarantine: s.rows.quarantined > 0, nullRates: nullRateViews(), qualityFindings: quality,
            driftRows: driftRows, driftedFeatureRows: driftRows.filter { $0.drifted && $0.role == "feature" },
            outputDriftRows: driftRows.filter { $0.role != "feature" },
            driftSummary: "\(s.drift.driftedCount) of \(s.drift.featureCount) features drifted (\(formatPercent(s.drift.driftedShare))); dataset drift at \(formatPercent(s.drift.shareThreshold)) or more: \(s.drift.datasetDrift ? "yes" : "no").",
            datasetDrift: s.drift.datasetDrift, driftCharts: charts, hasDriftCharts: !charts.isEmpty,
            performanceAvailable: s.performance.labelsAvailable, performanceNote: performanceNote,
            performanceRows: performanceRows, estimatedRows: estimatedRows, hasEstimates: !estimatedRows.isEmpty,
            confusion: confusion, operationalRows: s.operational.metrics.map(metricRow), operationalFindings: operational,
            debtFindings: debt, hasDebt: !debt.isEmpty, trends: data.trends.map(sparkline), definitions: Glossary.terms(data.definition),
            provenance: provenance(), inputs: inputs(), stages: stageViews(), htmlLink: "report.html")
    }

    func statusLabel(_ s: AuditStatus) -> String {
        switch s {
        case .ok: return "OK: no finding at warning level or above"
        case .warning: return "Warning: findings need attention"
        case .critical: return "Critical: findings need action before trusting this day"
        }
    }

    func recommendationLabel(_ r: Recommendation) -> String {
        switch r {
        case .recommended: return "Retraining recommended"
        case .watch: return "Watch: no retraining yet"
        case .notNeeded: return "Retraining not needed"
        }
    }

    func findingView(_ f: Finding) -> FindingView {
        FindingView(
            severity: f.severity.rawValue, severityLabel: f.severity.rawValue.uppercased(), check: f.check,
            category: f.category.title, column: escape(f.column ?? "—"), message: escape(f.message),
            observed: escape(f.observed ?? "—"), expected: escape(f.expected ?? "—"), advice: escape(f.advice))
    }

    func driftRow(_ r: DriftResult) -> DriftRowView {
        DriftRowView(
            column: escape(r.column), role: r.role.rawValue, method: methodName(r.method), statistic: formatNumber(r.statistic),
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

    func metricRow(_ m: AuditSummary.MetricComparison) -> MetricRowView {
        MetricRowView(
            name: escape(m.name.replacingAll("_", with: " ")), current: m.current.map { formatNumber($0) } ?? "—",
            baseline: m.baseline.map { formatNumber($0) } ?? "—",
            delta: m.delta.map { ($0 > 0 ? "+" : "") + formatNumber($0) } ?? "—")
    }

    func nullRateViews() -> [NullRateView] {
        data.nullRates.map { c in
            let base = data.baseProfiles[c.column].map { formatPercent($0.nullRate) } ?? "—"
            return NullRateView(column: escape(c.column), rate: formatPercent(c.rate), baseline: base)
        }
    }

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
                for key in keys { series.append((key, Double(rmap[key] ?? 0) / rt, Double(cmap[key] ?? 0) / ct)) }
            } else if let rb = ref.boolean, let cb = cur.boolean {
                series = [("false", 1 - (rb.trueShare ?? 0), 1 - (cb.trueShare ?? 0)), ("true", rb.trueShare ?? 0, cb.trueShare ?? 0)]
            }
            guard !series.isEmpty else { continue }
            charts.append(barChart(id: "chart-\(k)", column: r.column, series: series, drifted: r.drifted))
        }
        return charts
    }

    func barChart(id: String, column: String, series: [(label: String, ref: Double, cur: Double)], drifted: Bool) -> ChartView {
        let width = 480, height = 180, left = 8.0, top = 10.0, plotH = 130.0
        let plotW = Double(width) - 2 * left
        let maxShare = max(0.0001, series.map { max($0.ref, $0.cur) }.max() ?? 0)
        let slot = plotW / Double(series.count)
        let barW = max(1, slot / 2 - 1)
        var bars: [BarView] = []
        for (i, s) in series.enumerated() {
            for (j, v) in [s.ref, s.cur].enumerated() {
                let h = v / maxShare * plotH
                bars.append(BarView(
                    x: f1(left + Double(i) * slot + Double(j) * barW), y: f1(top + plotH - h), width: f1(barW), height: f1(h),
                    series: j == 0 ? "ref" : "cur",
                    tip: "\(j == 0 ? "baseline" : "current") \(s.label): \(formatPercent(v))"))
            }
        }
        let labels = [
            AxisLabelView(x: f1(left), y: f1(top + plotH + 14), text: series.first!.label, anchor: "start"),
            AxisLabelView(x: f1(left + plotW), y: f1(top + plotH + 14), text: series.last!.label, anchor: "end"),
            AxisLabelView(x: f1(left), y: f1(top + 8), text: "max \(formatPercent(maxShare))", anchor: "start"),
        ]
        return ChartView(
            id: id, title: "\(column): baseline vs current\(drifted ? " (drifted)" : "")",
            summary: "Share of rows per \(series.count > 0 && series[0].label.contains("–") ? "bin" : "value") of \(column), baseline bars first, current bars second.",
            width: width, height: height, bars: bars, labels: labels, legendY: height - 8)
    }

    func sparkline(_ t: ReportData.Trend) -> SparklineView {
        let width = 200, height = 40
        let values = t.points.compactMap(\.value)
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        let span = hi - lo == 0 ? 1 : hi - lo
        let n = max(1, t.points.count - 1)
        var pts: [String] = []
        var dots: [DotView] = []
        for (i, p) in t.points.enumerated() {
            guard let v = p.value else { continue }
            let x = 4 + Double(i) / Double(n) * Double(width - 8)
            let y = 4 + (1 - (v - lo) / span) * Double(height - 8)
            pts.append("\(f1(x)),\(f1(y))")
            if i == t.points.count - 1 { dots.append(DotView(cx: f1(x), cy: f1(y), current: true)) }
        }
        let last = t.points.last?.value
        let fmt: (Double) -> String = { t.unit == "share" ? formatPercent($0) : formatNumber($0) + (t.unit == "ms" ? " ms" : "") }
        return SparklineView(
            title: t.title,
            summary: values.isEmpty ? "no data in the last \(ReportData.trendDays) days"
                : "\(values.count) days, from \(fmt(lo)) to \(fmt(hi))",
            last: last.map(fmt) ?? "—", points: pts.joined(separator: " "), dots: dots, hasLine: pts.count > 1,
            width: width, height: height)
    }

    func provenance() -> [TermView] {
        var out = [
            TermView(term: "Pipeline definition", text: "\(escape(data.definitionPath)) (sha256 \(data.definitionSha256))"),
            TermView(term: "Model", text: "\(escape(data.definition.model.name)) \(escape(data.definition.model.version))"
                + (data.definition.model.trainedAt.map { ", trained \($0)" } ?? "")),
            TermView(term: "Snapshot", text: "version \(data.snapshot.version), ingested \(data.snapshot.ingestedAt)"),
            TermView(term: "Baseline", text: "version \(data.baseline.version), \(data.baseline.rowsStored) rows, ingested \(data.baseline.ingestedAt)"),
            TermView(term: "Tool", text: "mlaudit \(MLAuditVersion.current)"),
        ]
        if let run = data.stages.last?.runId { out.append(TermView(term: "Run", text: "run \(run) in the warehouse ledger")) }
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
        data.stages.map { StageView(stage: $0.stage.rawValue, started: $0.startedAt, finished: $0.finishedAt ?? "—") }
    }
}

/// One decimal, for SVG coordinates.
func f1(_ x: Double) -> String {
    let r = (x * 10).rounded() / 10
    return r == r.rounded() ? String(Int(r)) : String(r)
}
