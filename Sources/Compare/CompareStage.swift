import AuditModel
import Foundation
import Logging
import Statistics
import Warehouse

/// What the compare stage concluded for a day.
public struct CompareOutcome: Sendable {
    public var drift: [DriftResult]
    public var findings: [Finding]
    public var performance: AuditSummary.PerformanceSection
    public var operational: AuditSummary.OperationalSection
    public var retraining: AuditSummary.RetrainingSection
}

/// Stage 4: compares a day with the training baseline: drift per feature and for prediction,
/// score and target; realized performance when labels exist and a CBPE estimate from scores;
/// operational health against SLOs and the baseline; technical-debt checks; and the
/// retraining recommendation. Reads profiles and rows; writes drift, findings, metrics and
/// structured results in one transaction.
public struct CompareStage {
    public let loaded: LoadedDefinition
    public let warehouse: Warehouse
    public let logger: Logger

    public init(loaded: LoadedDefinition, warehouse: Warehouse, logger: Logger) {
        self.loaded = loaded
        self.warehouse = warehouse
        self.logger = logger
    }

    var definition: PipelineDefinition { loaded.definition }

    /// Compares the current snapshot of `day` with the current baseline.
    ///
    /// - Throws: `MLAuditError.missingPrerequisite` when the day or the baseline has not been
    ///   ingested and profiled. Drift and drops are findings, not errors.
    @discardableResult
    public func run(_ day: Day, stageRunId: Int64?) throws -> CompareOutcome {
        let start = Date()
        let outcome = try warehouse.write { store -> CompareOutcome in
            let pipelineId = try store.ensurePipeline(definition.name)
            guard let snapshot = try store.currentSnapshot(pipelineId: pipelineId, kind: .daily, date: day.description) else {
                throw MLAuditError.prerequisite(
                    "\(day) has not been ingested", hint: "Run `mlaudit run \(loaded.path) --date \(day)`.")
            }
            guard let baseline = try store.currentSnapshot(pipelineId: pipelineId, kind: .baseline, date: "baseline") else {
                throw MLAuditError.prerequisite(
                    "the baseline has not been ingested", hint: "Run `mlaudit run \(loaded.path)`; it prepares the baseline first.")
            }
            if snapshot.rowsPurgedAt != nil { throw MLAuditError.rowsPurged(day.description, definition: loaded.path) }
            let dayProfiles = try store.profiles(snapshotId: snapshot.id)
            let baseProfiles = try store.profiles(snapshotId: baseline.id)
            guard !dayProfiles.isEmpty || snapshot.rowsStored == 0, !baseProfiles.isEmpty else {
                throw MLAuditError.prerequisite(
                    "\(baseProfiles.isEmpty ? "the baseline" : day.description) has not been profiled",
                    hint: "Run `mlaudit profile \(loaded.path) \(baseProfiles.isEmpty ? "--baseline" : "--date \(day)")` first.")
            }
            var work = Comparison(
                loaded: loaded, store: store, pipelineId: pipelineId, day: day, snapshot: snapshot, baseline: baseline,
                dayProfiles: dayProfiles, baseProfiles: baseProfiles)
            let outcome = try work.run()
            try store.replaceDrift(snapshotId: snapshot.id, baselineSnapshotId: baseline.id, outcome.drift)
            try store.replaceFindings(snapshotId: snapshot.id, stage: .compare, outcome.findings, stageRunId: stageRunId)
            try store.replaceMetrics(snapshotId: snapshot.id, stage: .compare, work.metrics)
            try store.deleteResults(snapshotId: snapshot.id, stage: .compare)
            try store.putResult(snapshotId: snapshot.id, stage: .compare, name: "performance", outcome.performance)
            try store.putResult(snapshotId: snapshot.id, stage: .compare, name: "operational", outcome.operational)
            try store.putResult(snapshotId: snapshot.id, stage: .compare, name: "retraining", outcome.retraining)
            if let stageRunId { try store.completeStage(stageRunId, snapshotId: snapshot.id) }
            return outcome
        }
        let drifted = outcome.drift.filter { $0.drifted && $0.role == .feature }.count
        logger.info(
            "compare \(day): \(drifted) of \(outcome.drift.filter { $0.role == .feature }.count) features drifted, retraining \(outcome.retraining.recommendation.rawValue), \(formatNumber(Date().timeIntervalSince(start), digits: 3)) s"
        )
        return outcome
    }
}

/// The work of one comparison, with the data it loaded.
struct Comparison {
    let loaded: LoadedDefinition
    let store: Store
    let pipelineId: Int64
    let day: Day
    let snapshot: SnapshotRecord
    let baseline: SnapshotRecord
    let dayProfiles: [ColumnProfile]
    let baseProfiles: [ColumnProfile]
    var findings: [Finding] = []
    var metrics: [Metric] = []

    init(
        loaded: LoadedDefinition, store: Store, pipelineId: Int64, day: Day, snapshot: SnapshotRecord,
        baseline: SnapshotRecord, dayProfiles: [ColumnProfile], baseProfiles: [ColumnProfile]
    ) {
        self.loaded = loaded
        self.store = store
        self.pipelineId = pipelineId
        self.day = day
        self.snapshot = snapshot
        self.baseline = baseline
        self.dayProfiles = dayProfiles
        self.baseProfiles = baseProfiles
    }

    var definition: PipelineDefinition { loaded.definition }

    mutating func run() throws -> CompareOutcome {
        let table = try store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns)
        let dayRows = try labelledRows(table: table, snapshot: snapshot, labelsFromFiles: true)
        let baseRows = try labelledRows(table: table, snapshot: baseline, labelsFromFiles: false)
        let drift = try driftResults(table: table, dayTargets: dayRows?.truth)
        let performance = performanceSection(day: dayRows, base: baseRows)
        let operational = operationalSection()
        try technicalDebt()
        let retraining = recommendation(drift: drift, performance: performance)
        metrics.append(Metric("retraining.recommended", retraining.recommendation == .recommended ? 1 : 0))
        return CompareOutcome(
            drift: drift, findings: findings, performance: performance, operational: operational, retraining: retraining)
    }

    // MARK: Drift

    mutating func driftResults(table: RowTable, dayTargets: [String]?) throws -> [DriftResult] {
        let dayHeader = Set(snapshot.header), baseHeader = Set(baseline.header)
        let candidates = definition.declaredColumns.filter {
            [.feature, .prediction, .score].contains($0.role) && $0.type != .text && $0.type != .datetime
                && dayHeader.contains($0.name) && baseHeader.contains($0.name)
                && !definition.driftSettings(for: $0).skip
        }
        let numericNames = candidates.filter { $0.type.isNumeric }.map(\.name)
        let dayData = try store.readColumns(table, snapshotId: snapshot.id, columns: numericNames)
        let baseData = try store.readColumns(table, snapshotId: baseline.id, columns: numericNames)
        let dayProfile = Dictionary(dayProfiles.map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a })
        let baseProfile = Dictionary(baseProfiles.map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a })

        struct Job: Sendable {
            let column: DeclaredColumn
            let reference: DriftSample
            let current: DriftSample
            let method: DriftMethod
            let threshold: Double?
        }
        var jobs: [Job] = []
        for c in candidates {
            let settings = definition.driftSettings(for: c)
            let ref: DriftSample?, cur: DriftSample?
            if c.type.isNumeric {
                ref = numericSample(baseData[c.name])
                cur = numericSample(dayData[c.name])
            } else {
                ref = categorySample(baseProfile[c.name])
                cur = categorySample(dayProfile[c.name])
            }
            guard let ref, let cur else { continue }
            jobs.append(Job(column: c, reference: ref, current: cur, method: settings.method, threshold: settings.threshold))
        }
        // Target drift: the baseline's labels against the day's labels, when the day has them.
        if let target = definition.declaredColumns.first(where: { $0.role == .target }), let dayTargets,
            dayTargets.count >= minLabelledRows, let ref = categorySample(baseProfile[target.name])
        {
            var counts: [String: Int] = [:]
            for t in dayTargets { counts[t, default: 0] += 1 }
            let settings = definition.driftSettings(for: target)
            jobs.append(Job(column: target, reference: ref, current: .categorical(counts), method: settings.method,
                            threshold: settings.threshold))
        }
        let results = parallelMap(jobs) { job in
            DriftEngine.compare(
                column: job.column.name, role: job.column.role, reference: job.reference, current: job.current,
                method: job.method, threshold: job.threshold)
        }.compactMap { $0 }

        let features = results.filter { $0.role == .feature }
        let drifted = features.filter(\.drifted)
        let share = features.isEmpty ? 0 : Double(drifted.count) / Double(features.count)
        let shareThreshold = definition.drift?.driftedShare ?? 0.5
        metrics.append(Metric("drift.drifted_share", share))
        metrics.append(Metric("drift.drifted_count", Double(drifted.count)))
        for r in results {
            metrics.append(Metric("drift.statistic", column: r.column, r.statistic))
            if let p = r.pValue { metrics.append(Metric("drift.p_value", column: r.column, p)) }
        }
        let featureSeverity = definition.drift?.featureSeverity ?? .warning
        for r in results where r.drifted {
            let check: CheckInfo
            switch r.role {
            case .prediction, .score: check = CheckCatalog.predictionDrift
            case .target: check = CheckCatalog.targetDrift
            default: check = CheckCatalog.featureDrift
            }
            let value = r.pValue.map { "p = \(formatNumber($0))" } ?? "\(r.method.rawValue) = \(formatNumber(r.statistic))"
            let bound = r.method.isTest ? "p \(r.method == .ks ? ">" : "≥") \(formatNumber(r.threshold))" : "\(r.method.rawValue) < \(formatNumber(r.threshold))"
            findings.append(Finding(
                check, severity: featureSeverity, column: r.column,
                message: "'\(r.column)' drifted from the baseline (\(r.method.rawValue) \(formatNumber(r.statistic)))",
                observed: value, expected: bound))
        }
        if !features.isEmpty, share >= shareThreshold {
            findings.append(Finding(
                CheckCatalog.datasetDrift, severity: definition.drift?.datasetSeverity ?? .critical,
                message: "\(drifted.count) of \(features.count) features drifted (\(formatPercent(share)))",
                observed: formatPercent(share), expected: "< \(formatPercent(shareThreshold))"))
        }
        return results
    }

    func numericSample(_ data: ColumnData?) -> DriftSample? {
        guard case .numeric(let d)? = data else { return nil }
        let values = d.present.filter { $0.isFinite }
        return values.isEmpty ? nil : .numeric(values)
    }

    func categorySample(_ profile: ColumnProfile?) -> DriftSample? {
        guard let profile else { return nil }
        if let counts = profile.categorical?.counts {
            return .categorical(Dictionary(counts.map { ($0.value, $0.count) }, uniquingKeysWith: +))
        }
        if let b = profile.boolean {
            return .categorical(["true": b.trueCount, "false": b.count - b.trueCount])
        }
        return nil
    }

    // MARK: Performance

    var minLabelledRows: Int { definition.performance?.minLabelledRows ?? 100 }

    /// Prediction, score and label of every labelled row of a snapshot. Labels come from the
    /// row's target column or, for days, from the labels file joined by id.
    func labelledRows(table: RowTable, snapshot s: SnapshotRecord, labelsFromFiles: Bool) throws -> LabelledRows? {
        guard let p = definition.schema.prediction else { return nil }
        let header = Set(s.header)
        let cols = definition.declaredColumns
        guard let targetName = definition.schema.target else { return nil }
        var names = [p.column].filter { header.contains($0) }
        if let score = p.score, header.contains(score) { names.append(score) }
        let targetInRows = header.contains(targetName)
        if targetInRows { names.append(targetName) }
        var labelsById: [String: String] = [:]
        let idName = definition.schema.id
        if !targetInRows {
            guard labelsFromFiles, let idName, header.contains(idName),
                let labelsSnapshot = try store.currentSnapshot(pipelineId: pipelineId, kind: .labels, date: s.date)
            else { return nil }
            labelsById = try store.labels(snapshotId: labelsSnapshot.id)
            names.append(idName)
        }
        guard !names.isEmpty, cols.contains(where: { $0.name == p.column }) || p.score != nil else { return nil }
        let data = try store.readColumns(table, snapshotId: s.id, columns: names)
        let n = s.rowsStored
        let threshold = definition.decisionThreshold
        var rows = LabelledRows()
        let scoreData: NumericColumnData? = p.score.flatMap { if case .numeric(let d)? = data[$0] { return d } else { return nil } }
        rows.hasScore = scoreData != nil
        for i in 0..<n {
            let truth: String?
            if targetInRows {
                guard case .labels(let t)? = data[targetName] else { return nil }
                truth = t.value(at: i)
            } else {
                guard let idName, case .labels(let ids)? = data[idName], let id = ids.value(at: i) else { continue }
                truth = labelsById[id]
            }
            guard let truth else { continue }
            var predicted: String?
            var predictedValue = Double.nan
            switch data[p.column] {
            case .labels(let d)?: predicted = d.value(at: i)
            case .numeric(let d)?:
                if !d.nulls[i] {
                    predictedValue = d.values[i]
                    predicted = formatNumber(d.values[i], digits: 15)
                }
            case nil:
                if let sd = scoreData, !sd.nulls[i] { predicted = sd.values[i] >= threshold ? definition.positiveClass : "0" }
            }
            guard let predicted else { continue }
            if let sd = scoreData {
                if sd.nulls[i] { continue }
                rows.score.append(sd.values[i])
            }
            rows.truth.append(truth)
            rows.prediction.append(predicted)
            rows.predictionValue.append(predictedValue.isNaN ? (Double(predicted) ?? .nan) : predictedValue)
        }
        return rows
    }

    mutating func performanceSection(day: LabelledRows?, base: LabelledRows?) -> AuditSummary.PerformanceSection {
        guard let kind = definition.schema.prediction?.kind else {
            return .init(kind: nil, labelledRows: 0, labelsAvailable: false, judgedMetric: nil, metrics: [],
                         confusionMatrix: nil, classes: nil)
        }
        let labels = BinaryLabels(positive: definition.positiveClass)
        func compute(_ rows: LabelledRows?) -> (metrics: [String: Double], confusion: [[Int]]?, classes: [String]?) {
            guard let rows, !rows.truth.isEmpty else { return ([:], nil, nil) }
            switch kind {
            case .binary:
                let r = PerformanceMetrics.binary(rows, labels: labels)
                return (r.metrics, r.confusion, ["0", "1"])
            case .multiclass:
                let r = PerformanceMetrics.multiclass(rows)
                return (r.metrics, nil, r.classes)
            case .regression: return (PerformanceMetrics.regression(rows), nil, nil)
            }
        }
        let labelled = day?.truth.count ?? 0
        let current = labelled > 0 ? compute(day) : (metrics: [:], confusion: nil, classes: nil)
        let reference = compute(base)
        let judged = definition.performance?.metric ?? (kind == .regression ? "rmse" : "accuracy")
        var comparisons: [AuditSummary.MetricComparison] = []
        for name in Set(current.metrics.keys).union(reference.metrics.keys).sorted() {
            comparisons.append(.init(name: name, current: current.metrics[name], baseline: reference.metrics[name]))
            if let v = current.metrics[name] { metrics.append(Metric("performance.\(name)", v)) }
        }
        metrics.append(Metric("performance.labelled_rows", Double(labelled)))

        // Estimated performance from scores (CBPE), calibrated on the baseline.
        if kind == .binary, let base, base.hasScore, let dayScores = scoresOfDay() {
            var yBase: [Int] = [], sBase: [Double] = []
            for (t, s) in zip(base.truth, base.score) {
                if let y = labels.code(t), s.isFinite {
                    yBase.append(y)
                    sBase.append(s)
                }
            }
            if let calibrator = CBPE.fitCalibrator(referenceScores: sBase, referenceLabels: yBase) {
                let calibrated = dayScores.map { calibrator.predict($0) }
                if let e = CBPE.estimate(
                    calibratedProbabilities: calibrated, uncalibratedScores: dayScores, threshold: definition.decisionThreshold)
                {
                    let estimated: [String: Double] = ["accuracy": e.accuracy, "precision": e.precision, "recall": e.recall, "f1": e.f1]
                    for (k, v) in estimated.sorted(by: { $0.key < $1.key }) {
                        comparisons.append(.init(name: "estimated_\(k)", current: v, baseline: reference.metrics[k]))
                        metrics.append(Metric("performance.estimated_\(k)", v))
                    }
                    if let auc = CBPE.estimatedROCAUC(calibratedProbabilities: calibrated, uncalibratedScores: dayScores) {
                        comparisons.append(.init(name: "estimated_roc_auc", current: auc, baseline: reference.metrics["roc_auc"]))
                        metrics.append(Metric("performance.estimated_roc_auc", auc))
                    }
                }
            }
        }

        let thresholds = (definition.performance?.maxDrop ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 0.02, critical: 0.05))
        if labelled >= minLabelledRows, let cur = current.metrics[judged], let ref = reference.metrics[judged] {
            let lower = PerformanceMetrics.lowerIsBetter.contains(judged)
            let drop = lower ? (ref == 0 ? 0 : (cur - ref) / abs(ref)) : ref - cur
            metrics.append(Metric("performance.drop", drop))
            if let severity = thresholds.severity(of: drop) {
                findings.append(Finding(
                    CheckCatalog.performanceDrop, severity: severity,
                    message: "\(judged) is \(formatNumber(cur)) against \(formatNumber(ref)) on the baseline (\(labelled) labelled rows)",
                    observed: formatNumber(cur),
                    expected: lower ? "≤ \(formatNumber(ref * (1 + (thresholds.warning ?? 0))))" : "≥ \(formatNumber(ref - (thresholds.warning ?? 0)))"))
            }
        }
        return .init(
            kind: kind, labelledRows: labelled, labelsAvailable: labelled > 0, judgedMetric: judged, metrics: comparisons,
            confusionMatrix: current.confusion, classes: current.classes)
    }

    /// The day's scores (all rows with a finite score), for estimation without labels.
    func scoresOfDay() -> [Double]? {
        guard let scoreName = definition.schema.prediction?.score, Set(snapshot.header).contains(scoreName),
            let table = try? store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns),
            case .numeric(let d)? = try? store.readColumns(table, snapshotId: snapshot.id, columns: [scoreName])[scoreName]
        else { return nil }
        let s = d.present.filter { $0.isFinite }
        return s.isEmpty ? nil : s
    }

    // MARK: Operational

    mutating func operationalSection() -> AuditSummary.OperationalSection {
        var out: [AuditSummary.MetricComparison] = []
        out.append(.init(name: "rows", current: Double(snapshot.rowsStored), baseline: nil))
        guard let latency = definition.schema.operational?.latency,
            let d = dayProfiles.first(where: { $0.column == latency })?.numeric
        else { return .init(metrics: out) }
        let b = baseProfiles.first(where: { $0.column == latency })?.numeric
        for (key, name) in [("p50", "latency_p50_ms"), ("p95", "latency_p95_ms"), ("p99", "latency_p99_ms")] {
            out.append(.init(name: name, current: d.quantiles[key], baseline: b?.quantiles[key]))
            if let v = d.quantiles[key] { metrics.append(Metric("operational.\(name)", v)) }
        }
        out.append(.init(name: "latency_max_ms", current: d.max, baseline: b?.max))
        let op = definition.operational
        for (name, key, t) in [("p95", "p95", op?.latencyP95Ms), ("p99", "p99", op?.latencyP99Ms)] {
            guard let t, let v = d.quantiles[key], let severity = t.severity(of: v) else { continue }
            findings.append(Finding(
                CheckCatalog.latency, severity: severity, column: latency,
                message: "latency \(name) is \(formatNumber(v)) ms, over the \(severity.rawValue) SLO",
                observed: "\(formatNumber(v)) ms", expected: "< \(formatNumber((severity == .critical ? t.critical : t.warning) ?? 0)) ms"))
        }
        if let v = d.quantiles["p95"], let ref = b?.quantiles["p95"], ref > 0 {
            let rise = v / ref - 1
            metrics.append(Metric("operational.latency_p95_rise", rise))
            let t = (op?.latencyRegression ?? Thresholds(warning: nil, critical: nil)).merged(over: Thresholds(warning: 0.5, critical: 1.0))
            if let severity = t.severity(of: rise) {
                findings.append(Finding(
                    CheckCatalog.latencyRegression, severity: severity, column: latency,
                    message: "latency p95 rose \(formatPercent(rise)) over the baseline (\(formatNumber(ref)) → \(formatNumber(v)) ms)",
                    observed: "+\(formatPercent(rise))", expected: "< +\(formatPercent(t.warning ?? 0.5))"))
            }
        }
        return .init(metrics: out)
    }

    // MARK: Technical debt

    mutating func technicalDebt() throws {
        if let dayConfig = snapshot.modelConfigId, let baseConfig = baseline.modelConfigId, dayConfig != baseConfig,
            let a = try store.modelConfig(id: baseConfig), let b = try store.modelConfig(id: dayConfig)
        {
            let changes = ConfigDiff.diff(old: a.content, new: b.content)
            if !changes.isEmpty {
                findings.append(Finding(
                    CheckCatalog.configChanged, severity: .warning,
                    message: "the served configuration differs from the training configuration in \(changes.count) setting\(changes.count == 1 ? "" : "s"): "
                        + changes.prefix(6).joined(separator: "; "),
                    observed: "sha256 \(b.sha256.prefix(12))…", expected: "sha256 \(a.sha256.prefix(12))… (training)"))
                metrics.append(Metric("debt.config_changes", Double(changes.count)))
            }
        }
    }

    // MARK: Recommendation

    func recommendation(drift: [DriftResult], performance: AuditSummary.PerformanceSection) -> AuditSummary.RetrainingSection {
        let policy = definition.retraining
        var recommended: [String] = [], watch: [String] = []
        let driftedFeatures = drift.filter { $0.role == .feature && $0.drifted }.map(\.column)
        if findings.contains(where: { $0.check == CheckCatalog.datasetDrift.id }), policy?.onDatasetDrift ?? true {
            recommended.append("dataset drift: \(driftedFeatures.count) features drifted (\(driftedFeatures.joined(separator: ", ")))")
        }
        for f in findings where f.check == CheckCatalog.performanceDrop.id {
            if f.severity == .critical, policy?.onPerformanceDrop ?? true {
                recommended.append("performance drop: \(f.message)")
            } else {
                watch.append("performance drop: \(f.message)")
            }
        }
        if findings.contains(where: { $0.check == CheckCatalog.configChanged.id }) {
            recommended.append("the served configuration no longer matches the one the model was trained and baselined with")
        }
        if recommended.isEmpty {
            if driftedFeatures.count >= (policy?.watchDriftedFeatures ?? 1) {
                watch.append("drifted features: \(driftedFeatures.joined(separator: ", "))")
            }
            for f in findings where f.check == CheckCatalog.predictionDrift.id || f.check == CheckCatalog.targetDrift.id {
                watch.append(f.message)
            }
        }
        if !recommended.isEmpty { return .init(recommendation: .recommended, reasons: recommended) }
        if !watch.isEmpty { return .init(recommendation: .watch, reasons: watch) }
        return .init(recommendation: .notNeeded, reasons: ["no drift, performance drop or configuration change beyond the thresholds"])
    }
}
