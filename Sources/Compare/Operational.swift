import AuditModel
import Foundation
import Statistics
import Warehouse

// Operational health (docs/compare.md, "Operational health"): latency against SLOs and the
// baseline, the error rate of the status column, rows per hour and hours without traffic
// (a downtime proxy), and the day's volume against the trailing days.
extension Comparison {
    mutating func operationalSection() throws -> AuditSummary.OperationalSection {
        var out: [AuditSummary.MetricComparison] = []
        out.append(.init(name: "rows", current: Double(snapshot.rowsStored), baseline: nil))
        out += volume()
        out += latency()
        out += errorRate()
        out += try traffic()
        return .init(metrics: out, resources: try resourcesSection())
    }

    var operationalSpec: OperationalSpec? { definition.operational }

    // MARK: Latency

    mutating func latency() -> [AuditSummary.MetricComparison] {
        var out: [AuditSummary.MetricComparison] = []
        guard let latency = definition.schema.operational?.latency, let d = dayProfiles[latency]?.numeric else { return out }
        let b = baseProfiles[latency]?.numeric
        for (key, name) in [("p50", SectionMetricName.latencyP50Ms), ("p95", .latencyP95Ms), ("p99", .latencyP99Ms)] {
            out.append(.init(name: name.rawValue, current: d.quantiles[key], baseline: b?.quantiles[key]))
            if let v = d.quantiles[key] { metrics.append(Metric(.operational(name), v)) }
        }
        out.append(.init(name: SectionMetricName.latencyMaxMs.rawValue, current: d.max, baseline: b?.max))
        if let v = d.max { metrics.append(Metric(.latencyMaxMs, v)) }
        for (name, key, t) in [("p95", "p95", operationalSpec?.latencyP95Ms), ("p99", "p99", operationalSpec?.latencyP99Ms)] {
            guard let t, let v = d.quantiles[key], let severity = t.severity(of: v) else { continue }
            findings.append(Finding(
                CheckCatalog.latency, severity: severity, column: latency,
                message: "latency \(name) is \(formatNumber(v)) ms, over the \(severity.rawValue) SLO",
                observed: "\(formatNumber(v)) ms", expected: "< \(formatNumber((severity == .critical ? t.critical : t.warning) ?? 0)) ms"))
        }
        if let v = d.quantiles["p95"], let ref = b?.quantiles["p95"], ref > 0 {
            let rise = v / ref - 1
            metrics.append(Metric(.latencyP95Rise, rise))
            let t = (operationalSpec?.latencyRegression ?? Thresholds(warning: nil, critical: nil))
                .merged(over: Thresholds(warning: 0.5, critical: 1.0))
            if let severity = t.severity(of: rise) {
                findings.append(Finding(
                    CheckCatalog.latencyRegression, severity: severity, column: latency,
                    message: "latency p95 rose \(formatPercent(rise)) over the baseline (\(formatNumber(ref)) → \(formatNumber(v)) ms)",
                    observed: "+\(formatPercent(rise))", expected: "< +\(formatPercent(t.warning ?? 0.5))"))
            }
        }
        return out
    }

    // MARK: Errors

    /// Share of rows whose status is not one of `ok_values` (nulls are not counted either way).
    func errorShare(_ profile: ColumnProfile?) -> (rate: Double, errors: Int, total: Int)? {
        guard let counts = categoryCounts(profile) else { return nil }
        let ok = Set(definition.schema.operational?.okValues ?? ["200", "ok", "OK", "success"])
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return nil }
        let errors = counts.filter { !ok.contains($0.key) }.values.reduce(0, +)
        return (Double(errors) / Double(total), errors, total)
    }

    mutating func errorRate() -> [AuditSummary.MetricComparison] {
        guard let status = definition.schema.operational?.status, let day = errorShare(dayProfiles[status]) else { return [] }
        let base = errorShare(baseProfiles[status])
        metrics.append(Metric(.errorRate, day.rate))
        let t = (operationalSpec?.errorRate ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 0.01, critical: 0.05))
        if let severity = t.severity(of: day.rate), day.errors > 0 {
            let bound = severity == .critical ? t.critical! : t.warning!
            findings.append(Finding(
                CheckCatalog.errorRate, severity: severity, column: status,
                message: "\(formatPercent(day.rate)) of requests failed (\(day.errors) of \(day.total) with a status not in ok_values)"
                    + (base.map { " against \(formatPercent($0.rate)) on the baseline" } ?? ""),
                observed: formatPercent(day.rate), expected: "< \(formatPercent(bound))"))
        }
        return [.init(name: "error_rate", current: day.rate, baseline: base?.rate)]
    }

    // MARK: Volume

    /// Rows stored against the median of the trailing days that have a snapshot.
    mutating func volume() -> [AuditSummary.MetricComparison] {
        let trailing = operationalSpec?.trailingDays ?? 7
        let noun = cadence.noun
        guard let series = try? store.metricSeries(
            pipelineId: pipelineId, name: .rowsStored, from: cadence.back(trailing, from: day).description,
            to: day.adding(days: -1).description)
        else { return [] }
        let values = series.compactMap(\.value).sorted()
        guard values.count >= 3, let median = Quantiles.median(sorted: values) else {
            notEvaluated(CheckCatalog.volume, "\(values.count) previous \(noun)\(values.count == 1 ? "" : "s") with a snapshot in the last \(trailing); the check needs 3")
            return []
        }
        let today = Double(snapshot.rowsStored)
        metrics.append(Metric(.rowsTrailingMedian, median))
        let ratio = median > 0 ? today / median : (today > 0 ? .infinity : 1)
        metrics.append(Metric(.volumeRatio, ratio.isFinite ? ratio : nil))
        let factor = ratio == 0 ? .infinity : max(ratio, 1 / ratio)
        let t = (operationalSpec?.volumeFactor ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 2, critical: 5))
        if let severity = t.severity(of: factor) {
            findings.append(Finding(
                CheckCatalog.volume, severity: severity,
                message: "\(snapshot.rowsStored) rows against a median of \(formatNumber(median)) over the \(values.count) previous \(noun)s with a snapshot (\(ratio >= 1 ? "×\(formatNumber(ratio))" : "÷\(formatNumber(1 / ratio))"))",
                observed: "\(snapshot.rowsStored)",
                expected: "\(formatNumber(median / t.warning!))–\(formatNumber(median * t.warning!))"))
        }
        return [.init(name: "rows_trailing_median", current: median, baseline: nil)]
    }

    // MARK: Traffic by hour

    /// Rows per UTC hour of the snapshot date, and hours with no row although the baseline's
    /// hour-of-day pattern expects at least 10: for Poisson traffic P(0 rows) = e⁻¹⁰ < 0.005 % an
    /// hour, so all 24 hours of a clean day stay quiet in 999 days of 1 000 (at 5 expected rows
    /// an hour, one clean day in seven showed an empty hour somewhere).
    static let emptyHourExpectedRows = 10.0

    mutating func traffic() throws -> [AuditSummary.MetricComparison] {
        guard let ts = definition.schema.timestamp, Set(snapshot.header).contains(ts) else { return [] }
        let counts = try store.hourCounts(table, snapshotId: snapshot.id, column: ts)
        // Hours of the day over the whole period (one day, or the 7 days of a week ...).
        let start = day.description, end = cadence.end(of: day).description
        var perHour = [Int](repeating: 0, count: 24)
        var outside = 0
        for (key, n) in counts {
            let date = key.prefix(10)
            if key.count >= 13, date >= start, date < end, let h = Int(key.dropFirst(11).prefix(2)), (0..<24).contains(h) {
                perHour[h] += n
            } else {
                outside += n
            }
        }
        let onDay = perHour.reduce(0, +)
        let shares = facts?.hourShares ?? [Double](repeating: 1.0 / 24, count: 24)
        var empty: [Int] = []
        for h in 0..<24 where perHour[h] == 0 && Double(onDay) * shares[h] >= Self.emptyHourExpectedRows { empty.append(h) }
        let mean = Double(onDay) / 24
        metrics.append(Metric(.rowsPerHourMin, Double(perHour.min() ?? 0)))
        metrics.append(Metric(.rowsPerHourMax, Double(perHour.max() ?? 0)))
        metrics.append(Metric(.emptyHours, Double(empty.count)))
        metrics.append(Metric(.rowsOutsideDay, Double(outside)))
        let t = (operationalSpec?.emptyHours ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 1, critical: 3))
        if let severity = t.severity(of: Double(empty.count)), !empty.isEmpty {
            let hours = empty.map { String(format: "%02d:00", $0) }
            findings.append(Finding(
                CheckCatalog.emptyHours, severity: severity, column: ts,
                message: "\(empty.count) hour\(empty.count == 1 ? "" : "s") of \(cadence == .daily ? "" : "the day, over the \(cadence.noun) of ")\(day) without a row although the baseline's traffic expects some: "
                    + hours.prefix(12).joined(separator: ", ") + (hours.count > 12 ? ", …" : "") + " UTC",
                observed: "\(empty.count)", expected: "< \(formatNumber(t.warning!))"))
        }
        return [
            .init(name: "rows_per_hour_mean", current: mean, baseline: nil),
            .init(name: "rows_per_hour_min", current: Double(perHour.min() ?? 0), baseline: nil),
            .init(name: "empty_hours", current: Double(empty.count), baseline: nil),
        ]
    }
}
