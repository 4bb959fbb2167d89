import AuditModel
import Foundation
import Logging
import Warehouse

/// Stage 2: data-quality checks on an ingested snapshot, judged against the definition's
/// thresholds (column settings over pipeline settings over defaults, see docs/checks.md).
///
/// Reads the snapshot record, its ingest metrics and its stored rows; writes its findings
/// and metrics in one transaction.
public struct ValidateStage {
    public let loaded: LoadedDefinition
    public let warehouse: Warehouse
    public let logger: Logger

    public init(loaded: LoadedDefinition, warehouse: Warehouse, logger: Logger) {
        self.loaded = loaded
        self.warehouse = warehouse
        self.logger = logger
    }

    var definition: PipelineDefinition { loaded.definition }

    /// Validates the current snapshot of `target`.
    ///
    /// - Returns: the findings written. Findings are results, not errors.
    /// - Throws: `MLAuditError.missingPrerequisite` when the target has not been ingested.
    @discardableResult
    public func run(_ target: AuditTarget, stageRunId: Int64?) throws -> [Finding] {
        let findings = try warehouse.write { store -> [Finding] in
            let pipelineId = try store.ensurePipeline(definition.name)
            let kind: SnapshotKind = target == .baseline ? .baseline : .daily
            guard let snapshot = try store.currentSnapshot(pipelineId: pipelineId, kind: kind, date: target.description)
            else {
                throw MLAuditError.prerequisite(
                    "\(target) has not been ingested", hint: "Run `mlaudit ingest \(loaded.path) \(targetFlag(target))` first.")
            }
            if snapshot.rowsPurgedAt != nil { throw MLAuditError.rowsPurged(target.description, definition: loaded.path) }
            let table = try store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns)
            let ingestMetrics = try store.metrics(snapshotId: snapshot.id)
            var checks = Checks(loaded: loaded, snapshot: snapshot, target: target, ingestMetrics: ingestMetrics)
            try checks.run(store: store, table: table)
            try store.replaceFindings(snapshotId: snapshot.id, stage: .validate, checks.findings, stageRunId: stageRunId)
            try store.replaceMetrics(snapshotId: snapshot.id, stage: .validate, checks.metrics)
            if let stageRunId { try store.completeStage(stageRunId, snapshotId: snapshot.id) }
            return checks.findings
        }
        let counts = Dictionary(grouping: findings, by: \.severity).mapValues(\.count)
        logger.info(
            "validate \(target): \(counts[.critical] ?? 0) critical, \(counts[.warning] ?? 0) warning, \(counts[.info] ?? 0) info")
        return findings
    }
}

func targetFlag(_ target: AuditTarget) -> String {
    target == .baseline ? "--baseline" : "--date \(target)"
}

/// The checks over one snapshot.
struct Checks {
    let loaded: LoadedDefinition
    let snapshot: SnapshotRecord
    let target: AuditTarget
    let ingestMetrics: [Metric]
    var findings: [Finding] = []
    var metrics: [Metric] = []

    init(loaded: LoadedDefinition, snapshot: SnapshotRecord, target: AuditTarget, ingestMetrics: [Metric]) {
        self.loaded = loaded
        self.snapshot = snapshot
        self.target = target
        self.ingestMetrics = ingestMetrics
    }

    var definition: PipelineDefinition { loaded.definition }

    func thresholds(_ column: DeclaredColumn?) -> ChecksSpec {
        ChecksSpec.effective(column: column?.feature?.checks, pipeline: definition.checks)
    }

    /// Adds a finding when `share` reaches a threshold. Returns the severity, if any.
    @discardableResult
    mutating func judge(
        _ check: CheckInfo, share: Double, count: Int, of total: Int, thresholds t: Thresholds, column: String?,
        what: String
    ) -> Severity? {
        guard let severity = t.severity(of: share), count > 0 else { return nil }
        let bound = severity == .critical ? t.critical! : t.warning!
        let subject = column.map { "'\($0)'" } ?? "the snapshot"
        findings.append(Finding(
            check, severity: severity, column: column,
            message: "\(formatPercent(share)) of \(subject) \(what) (\(count) of \(total))",
            observed: formatPercent(share), expected: bound == 0 ? "none" : "< \(formatPercent(bound))"))
        return severity
    }

    mutating func run(store: Store, table: RowTable) throws {
        let declared = definition.declaredColumns
        let header = Set(snapshot.header)
        let rows = snapshot.rowsStored
        metrics.append(Metric("rows.stored", Double(rows)))

        // Schema: missing and unexpected columns.
        let labelsElsewhere = definition.labels != nil
        var present: [DeclaredColumn] = []
        for c in declared {
            if header.contains(c.name) || snapshot.header.isEmpty {
                if header.contains(c.name) { present.append(c) }
                continue
            }
            if c.role == .target {
                if target != .baseline {
                    if !labelsElsewhere {
                        findings.append(Finding(
                            CheckCatalog.missingTarget, severity: .info, column: c.name,
                            message: "the snapshot has no '\(c.name)' column and no labels files are configured",
                            observed: "absent", expected: "labels in the snapshot or in labels files"))
                    }
                    continue
                }
            }
            let severity: Severity = (c.role == .feature || c.role == .prediction || c.role == .score) ? .critical : .warning
            findings.append(Finding(
                CheckCatalog.missingColumn, severity: severity, column: c.name,
                message: "declared \(c.role.rawValue) column '\(c.name)' is missing from the file",
                observed: "absent", expected: "present (\(c.type.rawValue))"))
        }
        let declaredNames = Set(declared.map(\.name))
        let policy = definition.schema.unexpectedColumns ?? .warn
        if policy != .ignore {
            for h in snapshot.header where !declaredNames.contains(h) {
                findings.append(Finding(
                    CheckCatalog.unexpectedColumn, severity: policy == .error ? .critical : .warning, column: h,
                    message: "column '\(h)' is in the file but not declared in the definition",
                    observed: "present", expected: "declared, or schema.unexpected_columns: ignore"))
            }
        }

        // Quarantined rows and type errors found at ingest.
        if snapshot.rowsRead > 0 {
            let share = Double(snapshot.rowsQuarantined) / Double(snapshot.rowsRead)
            metrics.append(Metric("quarantined_share", share))
            judge(
                CheckCatalog.quarantineRate, share: share, count: snapshot.rowsQuarantined, of: snapshot.rowsRead,
                thresholds: thresholds(nil).quarantinedRows!, column: nil, what: "rows were quarantined at ingest")
        }
        for m in ingestMetrics where m.name == "type_errors" {
            guard let n = m.value, rows > 0 else { continue }
            let col = declared.first { $0.name == m.column }
            judge(
                CheckCatalog.typeErrors, share: n / Double(rows), count: Int(n), of: rows,
                thresholds: thresholds(col).typeErrors!, column: m.column, what: "values did not parse as \(col?.type.rawValue ?? "declared type")")
        }
        for m in ingestMetrics where m.name == "non_finite" {
            guard let n = m.value, n > 0 else { continue }
            let col = declared.first { $0.name == m.column }
            let severity: Severity = (col?.role == .prediction || col?.role == .score) ? .critical : .warning
            findings.append(Finding(
                CheckCatalog.nonFinite, severity: severity, column: m.column,
                message: "\(Int(n)) NaN or infinite values in '\(m.column)'", observed: "\(Int(n))", expected: "0"))
        }

        guard rows > 0, !present.isEmpty else { return }
        let data = try store.readColumns(table, snapshotId: snapshot.id, columns: present.map(\.name))
        for c in present {
            guard let column = data[c.name] else { continue }
            try checkColumn(c, column, rows: rows)
        }
        let nullRates = metrics.filter { $0.name == "null_rate" }.compactMap(\.value)
        if let worst = nullRates.max() { metrics.append(Metric("null_rate.max", worst)) }
    }

    mutating func checkColumn(_ c: DeclaredColumn, _ column: ColumnData, rows: Int) throws {
        let t = thresholds(c)
        // Null rate (the target of the baseline, id and timestamp included: all are required data).
        let nulls: Int
        switch column {
        case .numeric(let d): nulls = d.nullCount
        case .labels(let d): nulls = d.nullCount
        }
        let nullRate = Double(nulls) / Double(rows)
        metrics.append(Metric("null_rate", column: c.name, nullRate))
        judge(CheckCatalog.nullRate, share: nullRate, count: nulls, of: rows, thresholds: t.nullRate!, column: c.name, what: "values are null")

        switch column {
        case .numeric(let d):
            if let f = c.feature, f.min != nil || f.max != nil {
                var outside = 0, n = 0
                for (i, v) in d.values.enumerated() where !d.nulls[i] && !v.isNaN {
                    n += 1
                    if let lo = f.min, v < lo { outside += 1 } else if let hi = f.max, v > hi { outside += 1 }
                }
                if n > 0 {
                    let share = Double(outside) / Double(n)
                    metrics.append(Metric("out_of_range_share", column: c.name, share))
                    let range = "[\(f.min.map { formatNumber($0) } ?? "-inf"), \(f.max.map { formatNumber($0) } ?? "inf")]"
                    judge(CheckCatalog.range, share: share, count: outside, of: n, thresholds: t.range!, column: c.name,
                          what: "values are outside \(range)")
                }
            }
            if c.role == .score, definition.schema.prediction?.kind != .regression {
                var outside = 0, n = 0
                for (i, v) in d.values.enumerated() where !d.nulls[i] && !v.isNaN {
                    n += 1
                    if v < 0 || v > 1 { outside += 1 }
                }
                if n > 0 {
                    let share = Double(outside) / Double(n)
                    judge(CheckCatalog.probabilityRange, share: share, count: outside, of: n, thresholds: t.range!, column: c.name,
                          what: "scores are outside [0, 1]")
                }
            }
            if c.role == .feature, let allowed = c.feature?.allowed, c.type == .integer {
                let set = Set(allowed)
                var unseen = 0, n = 0
                for (i, v) in d.values.enumerated() where !d.nulls[i] {
                    n += 1
                    if !set.contains(formatNumber(v)) { unseen += 1 }
                }
                if n > 0 {
                    judge(CheckCatalog.allowedValues, share: Double(unseen) / Double(n), count: unseen, of: n,
                          thresholds: t.allowedValues!, column: c.name, what: "values are not in the allowed list")
                }
            }
        case .labels(let d):
            let counts = d.counts
            let n = rows - nulls
            if let allowed = c.feature?.allowed, n > 0 {
                let set = Set(allowed)
                var unseen = 0
                var unseenValues: [ValueCount] = []
                for (k, v) in d.dictionary.enumerated() where !set.contains(v) {
                    unseen += counts[k]
                    unseenValues.append(ValueCount(value: v, count: counts[k]))
                }
                let share = Double(unseen) / Double(n)
                metrics.append(Metric("unseen_category_share", column: c.name, share))
                if judge(
                    CheckCatalog.allowedValues, share: share, count: unseen, of: n, thresholds: t.allowedValues!,
                    column: c.name, what: "values are not in the allowed list") != nil
                {
                    let top = unseenValues.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }.prefix(5)
                    findings[findings.count - 1].message += ": " + top.map { "'\($0.value)' (\($0.count))" }.joined(separator: ", ")
                }
            }
            if let pattern = c.feature?.pattern, n > 0 {
                let regex = try NSRegularExpression(pattern: pattern)
                var bad = 0
                for (k, v) in d.dictionary.enumerated() {
                    let r = NSRange(v.startIndex..<v.endIndex, in: v)
                    if regex.firstMatch(in: v, options: [.anchored], range: r)?.range != r { bad += counts[k] }
                }
                judge(CheckCatalog.pattern, share: Double(bad) / Double(n), count: bad, of: n, thresholds: t.pattern!,
                      column: c.name, what: "values do not match /\(pattern)/")
            }
            if c.role == .id, n > 0 {
                let duplicates = counts.reduce(0) { $0 + max(0, $1 - 1) }
                let share = Double(duplicates) / Double(rows)
                metrics.append(Metric("duplicate_id_share", column: c.name, share))
                judge(CheckCatalog.duplicateIds, share: share, count: duplicates, of: rows, thresholds: t.duplicateIds!,
                      column: c.name, what: "rows repeat an earlier id")
            }
        }
    }
}
