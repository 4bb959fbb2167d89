extension AuditSummary.DriftSection {
    /// The drift section of summary.json for a day's drift results: every column, and the share
    /// of drifted features against `shareThreshold` (prediction, score and target not counted).
    /// Render and `mlaudit compare --baseline … --current …` both build it here, so the two
    /// outputs cannot disagree.
    public init(results: [DriftResult], shareThreshold: Double) {
        let features = results.filter { $0.role == .feature }
        let driftedCount = features.filter(\.drifted).count
        let share = features.isEmpty ? 0 : Double(driftedCount) / Double(features.count)
        // Dataset drift as the `drift.dataset` finding judges it: the share counts each column's
        // own verdict (Evidently's), and the columns that stay significant after the day's
        // Benjamini–Hochberg correction must reach it too (the same count when not adjusted).
        let significantShare = features.isEmpty ? 0 : Double(features.filter(\.significant).count) / Double(features.count)
        self.init(
            columns: results.map(AuditSummary.DriftColumn.init), driftedShare: share, driftedCount: driftedCount,
            featureCount: features.count,
            datasetDrift: !features.isEmpty && share >= shareThreshold && significantShare >= shareThreshold,
            shareThreshold: shareThreshold)
    }
}
