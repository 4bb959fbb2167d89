import AuditModel

// The retraining recommendation (docs/compare.md, "Retraining policy"): a pure function of
// the day's findings and drift results under the definition's `retraining` policy.
extension Comparison {
    func recommendation(drift: [DriftResult]) -> AuditSummary.RetrainingSection {
        RetrainingPolicy(definition.retraining).recommend(findings: findings, drift: drift)
    }
}

/// The `retraining` section of a definition with its defaults applied.
public struct RetrainingPolicy: Sendable, Equatable {
    public var onDatasetDrift: Bool
    public var onPerformanceDrop: Bool
    public var watchDriftedFeatures: Int
    public var onTargetDrift: Bool
    public var onConfigChange: Bool
    public var onStaleModel: Bool
    public var onEstimatedDrop: Bool

    public init(_ spec: RetrainingSpec?) {
        onDatasetDrift = spec?.onDatasetDrift ?? true
        onPerformanceDrop = spec?.onPerformanceDrop ?? true
        watchDriftedFeatures = spec?.watchDriftedFeatures ?? 1
        onTargetDrift = spec?.onTargetDrift ?? false
        onConfigChange = spec?.onConfigChange ?? true
        onStaleModel = spec?.onStaleModel ?? true
        onEstimatedDrop = spec?.onEstimatedDrop ?? false
    }

    /// `recommended` when a trigger the policy escalates fired, else `watch` when any trigger
    /// fired, else `not_needed`. The reasons name the findings behind the decision.
    ///
    /// | trigger | default |
    /// |---|---|
    /// | dataset drift | recommended (`on_dataset_drift`) |
    /// | critical realized performance drop | recommended (`on_performance_drop`); a warning drop watches |
    /// | configuration changed without retraining | recommended (`on_config_change`) |
    /// | model older than `max_age_days` | recommended (`on_stale_model`) |
    /// | target drift | watch (`on_target_drift: true` recommends) |
    /// | critical estimated (CBPE) drop | watch (`on_estimated_drop: true` recommends) |
    /// | ≥ `watch_drifted_features` drifted features, prediction or score drift, positive rate moved under a fixed threshold | watch |
    public func recommend(findings: [Finding], drift: [DriftResult]) -> AuditSummary.RetrainingSection {
        var recommended: [String] = [], watch: [String] = []
        func escalate(_ yes: Bool, _ reason: String) {
            if yes { recommended.append(reason) } else { watch.append(reason) }
        }
        // Significant: drifted and, when the day's tests are read together, still so after the
        // correction; a column only its own test flags is an info line, not a reason.
        let driftedFeatures = drift.filter { $0.role == .feature && $0.significant }.map(\.column)
        let readTogether: Set = [
            CheckCatalog.featureDrift.id, CheckCatalog.predictionDrift.id, CheckCatalog.targetDrift.id, CheckCatalog.datasetDrift.id,
        ]
        for f in findings where !(f.severity == .info && readTogether.contains(f.check)) {
            switch f.check {
            case CheckCatalog.datasetDrift.id:
                escalate(onDatasetDrift, "dataset drift: \(f.message)")
            case CheckCatalog.performanceDrop.id:
                escalate(onPerformanceDrop && f.severity == .critical, "performance drop: \(f.message)")
            case CheckCatalog.estimatedPerformanceDrop.id:
                escalate(onEstimatedDrop && f.severity == .critical, "estimated performance drop: \(f.message)")
            case CheckCatalog.configChanged.id:
                escalate(onConfigChange, "the served configuration no longer matches the one the model was trained with")
            case CheckCatalog.staleModel.id:
                escalate(onStaleModel, "stale model: \(f.message)")
            case CheckCatalog.targetDrift.id:
                escalate(onTargetDrift, "target drift: \(f.message)")
            case CheckCatalog.predictionDrift.id, CheckCatalog.fixedThreshold.id:
                watch.append(f.message)
            default:
                break
            }
        }
        if driftedFeatures.count >= watchDriftedFeatures, !findings.contains(where: { $0.check == CheckCatalog.datasetDrift.id && $0.severity != .info }) {
            watch.append("drifted features: \(driftedFeatures.joined(separator: ", "))")
        }
        if !recommended.isEmpty { return .init(recommendation: .recommended, reasons: recommended + watch.map { "also: " + $0 }) }
        if !watch.isEmpty { return .init(recommendation: .watch, reasons: watch) }
        return .init(
            recommendation: .notNeeded,
            reasons: ["no drift, performance drop, configuration change or stale model beyond the thresholds"])
    }
}
