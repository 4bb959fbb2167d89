import AuditModel
import Foundation
import Warehouse

/// Everything a report shows, read from the warehouse in one transaction. Rendering is a
/// pure function of this value: the same warehouse state gives the same bytes.
struct ReportData {
    let definition: PipelineDefinition
    let definitionPath: String
    let definitionSha256: String
    let pipelineId: Int64
    let day: Day
    let snapshot: SnapshotRecord
    let baseline: SnapshotRecord
    let labels: SnapshotRecord?
    let findings: [Finding]
    let drift: [DriftResult]
    let dayProfiles: [String: ColumnProfile]
    let baseProfiles: [String: ColumnProfile]
    let performance: AuditSummary.PerformanceSection
    let operational: AuditSummary.OperationalSection
    let retraining: AuditSummary.RetrainingSection
    /// Per protected attribute (nil without `fairness:`).
    var fairness: [AuditSummary.FairnessAttribute]? = nil
    /// Per segment (nil without `segments:`).
    var segments: [AuditSummary.Segment]? = nil
    /// Each segment column's stored segments over the trend window (small multiples), oldest first.
    var segmentSeries: [String: [SegmentRecord]] = [:]
    let quarantineReasons: [ValueCount]
    let quarantineSamples: [QuarantinedRow]
    let nullRates: [(column: String, rate: Double)]
    let trends: [Trend]
    let stages: [StageRunRecord]
    let modelConfig: (path: String, sha256: String)?
    let trainingConfig: (path: String, sha256: String)?

    struct Trend {
        let name: String
        let title: String
        let unit: String
        let points: [(date: String, value: Double?)]
        /// A threshold or the baseline's value, drawn as a dashed line.
        var reference: (value: Double, label: String)? = nil
    }

    static let trendDays = 30

    /// Reads the report data of `day`.
    ///
    /// - Throws: `MLAuditError.missingPrerequisite` when the day has not been compared yet.
    static func read(_ store: any WarehouseTransaction, loaded: LoadedDefinition, day: Day) throws -> ReportData {
        let def = loaded.definition
        let pipelineId = try store.ensurePipeline(def.name)
        guard let snapshot = try store.currentSnapshot(pipelineId: pipelineId, kind: .daily, date: day.description) else {
            throw MLAuditError.prerequisite("\(day) has not been ingested", hint: "Run `mlaudit run \(loaded.path) --date \(day)`.")
        }
        guard let baseline = try store.currentSnapshot(pipelineId: pipelineId, kind: .baseline, date: "baseline") else {
            throw MLAuditError.prerequisite("the baseline has not been ingested", hint: "Run `mlaudit run \(loaded.path)`.")
        }
        guard let performance = try store.result(.performance, snapshotId: snapshot.id),
            let operational = try store.result(.operational, snapshotId: snapshot.id),
            let retraining = try store.result(.retraining, snapshotId: snapshot.id)
        else {
            throw MLAuditError.prerequisite(
                "\(day) has not been compared with the baseline", hint: "Run `mlaudit compare \(loaded.path) --date \(day)` first.")
        }
        let labels = try store.currentSnapshot(pipelineId: pipelineId, kind: .labels, date: day.description)
        var findings = try store.findings(snapshotId: snapshot.id)
        findings = findings.filter { $0.stage != .render }.sortedForReport()
        let metrics = try store.metrics(snapshotId: snapshot.id)
        let nullRates = metrics.filter { $0.name == .nullRate }.compactMap { m in m.value.map { (m.column, $0) } }
        let from = day.adding(days: -(trendDays - 1)).description
        let judged = performance.judgedMetric ?? "accuracy"
        let latency = def.schema.operational?.latency != nil
        func baselineOf(_ metric: String) -> Double? { performance.metrics.first { $0.name == metric }?.baseline }
        let checks = ChecksSpec.effective(column: nil, pipeline: def.checks)
        var trends: [Trend] = [
            Trend(name: "drifted_share", title: "Drifted features", unit: "share",
                  points: try store.metricSeries(pipelineId: pipelineId, name: .driftedShare, from: from, to: day.description),
                  reference: (def.drift?.driftedShare ?? 0.5, "dataset drift at")),
        ]
        if performance.kind != nil {
            trends.append(Trend(
                name: "performance", title: "Realized \(MetricNames.display(judged).lowercased())", unit: "",
                points: try store.metricSeries(pipelineId: pipelineId, name: .performance(judged), from: from, to: day.description),
                reference: baselineOf(judged).map { ($0, "baseline") }))
        }
        if performance.kind == .binary {
            trends.append(Trend(
                name: "estimated", title: "Estimated accuracy (CBPE)", unit: "",
                points: try store.metricSeries(pipelineId: pipelineId, name: .estimatedPerformance("accuracy"), from: from, to: day.description),
                reference: baselineOf("accuracy").map { ($0, "baseline") }))
        }
        trends.append(Trend(
            name: "null_rate", title: "Highest null rate", unit: "share",
            points: try store.metricSeries(pipelineId: pipelineId, name: .nullRateMax, from: from, to: day.description),
            reference: checks.nullRate?.warning.map { ($0, "warning at") }))
        if latency {
            let slo = def.operational?.latencyP95Ms?.warning
            let base = operational.metrics.first { $0.name == SectionMetricName.latencyP95Ms.rawValue }?.baseline
            trends.append(Trend(
                name: "latency", title: "Latency p95", unit: "ms",
                points: try store.metricSeries(pipelineId: pipelineId, name: .latencyP95Ms, from: from, to: day.description),
                reference: slo.map { ($0, "SLO") } ?? base.map { ($0, "baseline") }))
        }
        trends.append(Trend(
            name: "volume", title: "Rows stored", unit: "rows",
            points: try store.metricSeries(pipelineId: pipelineId, name: .rowsStored, from: from, to: day.description)))
        let stages = try store.completedStages(pipelineId: pipelineId, date: day.description).filter { $0.stage != .render }
        let config = try snapshot.modelConfigId.flatMap { try store.modelConfig(id: $0) }.map {
            (snapshot.modelConfigPath ?? $0.path, $0.sha256)
        }
        let training = try baseline.modelConfigId.flatMap { try store.modelConfig(id: $0) }.map {
            (baseline.modelConfigPath ?? $0.path, $0.sha256)
        }
        var data = ReportData(
            definition: def, definitionPath: loaded.path, definitionSha256: loaded.sha256, pipelineId: pipelineId, day: day,
            snapshot: snapshot, baseline: baseline, labels: labels, findings: findings,
            drift: try store.drift(snapshotId: snapshot.id),
            dayProfiles: Dictionary(try store.profiles(snapshotId: snapshot.id).map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a }),
            baseProfiles: Dictionary(try store.profiles(snapshotId: baseline.id).map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a }),
            performance: performance, operational: operational, retraining: retraining,
            quarantineReasons: try store.quarantineReasons(snapshotId: snapshot.id),
            quarantineSamples: try store.quarantined(snapshotId: snapshot.id, limit: 10),
            nullRates: nullRates.sorted { $0.0 < $1.0 }, trends: trends, stages: stages, modelConfig: config,
            trainingConfig: training)
        if def.fairness != nil {
            data.fairness = try store.result(.fairness, snapshotId: snapshot.id) ?? []
        }
        if def.segments != nil {
            data.segments = try store.result(.segments, snapshotId: snapshot.id) ?? []
            for c in def.segments?.columns ?? [] where data.segmentSeries[c.column] == nil {
                data.segmentSeries[c.column] = try store.segmentSeries(
                    pipelineId: pipelineId, column: c.column, from: from, to: day.description)
            }
        }
        return data
    }

    /// summary.json for this data, at report version `version`.
    func summary(version: Int) -> AuditSummary {
        let shareThreshold = definition.drift?.driftedShare ?? 0.5
        var s = AuditSummary(
            tool: .init(name: "mlaudit", version: MLAuditVersion.current), pipeline: definition.name,
            model: .init(name: definition.model.name, version: definition.model.version), date: day.description,
            version: version, status: AuditStatus(worst: findings.worstSeverity),
            rows: .init(read: snapshot.rowsRead, stored: snapshot.rowsStored, quarantined: snapshot.rowsQuarantined),
            snapshot: .init(path: snapshot.sourcePath, sha256: snapshot.sha256, bytes: snapshot.bytes, version: snapshot.version,
                            labelledRows: performance.labelledRows),
            findings: findings.map(AuditSummary.FindingRecord.init),
            drift: .init(results: drift, shareThreshold: shareThreshold),
            performance: performance, operational: operational, retraining: retraining)
        s.fairness = fairness
        s.segments = segments
        return s
    }
}
