import AuditModel
import Statistics
import Foundation
import Warehouse

/// What the checks read besides the rows: the snapshot record, what ingest counted, and,
/// for a day, the baseline's profiles and the trailing days' row counts.
struct CheckInputs {
    var snapshot: SnapshotRecord
    var target: AuditTarget
    var ingestMetrics: [Metric]
    var quarantine: [QuarantineByColumn]
    /// Unix milliseconds at run time (future timestamps are judged against it).
    var nowMilliseconds: Int64
    /// The baseline's profiles by column (empty for the baseline itself, or when not profiled).
    var baselineProfiles: [String: ColumnProfile] = [:]
    /// `rows.stored` of the current daily snapshots in the trailing `row_count_days` days.
    var rowCountHistory: [Double] = []
    /// For a day with a labels file: how often each label value occurs in it.
    var labelsFileCounts: [ValueCount]?
    /// The snapshots' cadence, resolved (never `auto`).
    var cadence: Cadence = .daily
    /// The baseline's duplicate rows and rows (from its `duplicate_rows.share`), for a day.
    var baselineDuplicateRows: (duplicates: Int, rows: Int)?
    /// The baseline's classes of equal rows by size (`duplicate_rows.classes`), for a day.
    var baselineDuplicateClasses: [Int: Int]?
}

/// `value` with control characters written as `\u{…}` escapes, so that a NUL or a line break
/// in data cannot cut or break a finding's message.
func printable(_ value: String) -> String {
    var out = ""
    for u in SafeText.cut(value).unicodeScalars {
        if u.value < 0x20 || u.value == 0x7F {
            out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(u)
        }
    }
    return out
}

/// Fewer trailing days than this and the row-count check is skipped (a mean and a spread need some history).
let rowCountMinimumHistory = 3

/// The checks over one snapshot (docs/checks.md). Each appends findings and metrics.
struct Checks {
    let loaded: LoadedDefinition
    let inputs: CheckInputs
    var findings: [Finding] = []
    var metrics: [Metric] = []

    init(loaded: LoadedDefinition, inputs: CheckInputs) {
        self.loaded = loaded
        self.inputs = inputs
    }

    var definition: PipelineDefinition { loaded.definition }
    var snapshot: SnapshotRecord { inputs.snapshot }
    var target: AuditTarget { inputs.target }

    func thresholds(_ column: DeclaredColumn?) -> ChecksSpec {
        ChecksSpec.effective(column: column?.feature?.checks, pipeline: definition.checks)
    }

    /// Adds a finding when `share` reaches a threshold. Returns the severity, if any.
    ///
    /// `chance` is the rate at which a clean day produces such values because the reference
    /// they are judged against was read off a finite sample (a range whose bound is the
    /// baseline's own extreme: 1/(n + 1) per side for n baseline values; a category list: the
    /// baseline's Good–Turing missing mass). A count that this rate explains — P(X ≥ count)
    /// for X ~ Binomial(total, chance) at or above `chanceLevel` — is not a finding; any other
    /// count is judged by the thresholds as always. One pixel value in 100 past the maximum of
    /// a 1 000-row baseline is what such a baseline predicts (P = 0.18), not news.
    @discardableResult
    mutating func judge(
        _ check: CheckInfo, share: Double, count: Int, of total: Int, thresholds t: Thresholds, column: String?,
        what: String, chance: Double? = nil
    ) -> Severity? {
        guard let severity = t.severity(of: share), count > 0 else { return nil }
        if let chance, chance > 0,
            Binomial.upperTail(atLeast: count, trials: total, probability: min(1, chance)) >= Self.chanceLevel
        {
            return nil
        }
        let bound = severity == .critical ? t.critical! : t.warning!
        let subject = column.map { "'\($0)'" } ?? "the snapshot"
        findings.append(Finding(
            check, severity: severity, column: column,
            message: "\(formatPercent(share)) of \(subject) \(what) (\(count) of \(total))",
            observed: formatPercent(share), expected: bound == 0 ? "none" : "< \(formatPercent(bound))"))
        return severity
    }

    /// How unlikely a count must be at its chance rate to be a finding (see `judge`).
    static let chanceLevel = 0.001

    /// Appends `: 'a' (3), 'b' (1)` — the most frequent offending values — to the last finding.
    mutating func appendExamples(_ values: [ValueCount]) {
        guard !findings.isEmpty, !values.isEmpty else { return }
        let top = values.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }.prefix(5)
        findings[findings.count - 1].message += ": " + top.map { "'\(printable($0.value))' (\($0.count))" }.joined(separator: ", ")
    }

    mutating func run(store: any WarehouseTransaction, table: RowTable) throws {
        let declared = definition.declaredColumns
        let rows = snapshot.rowsStored
        metrics.append(Metric(.rowsStored, Double(rows)))

        let present = schemaChecks(declared)
        ingestChecks(declared)
        retypedFromIngest(present)
        if case .day = target { rowCountCheck() }
        labelsFileCheck()

        guard rows > 0, !present.isEmpty else { return }
        // Numeric columns are read a group at a time (`Store.columnGroups`), so memory holds one
        // group, not the snapshot; the text columns in one scan of the rows as values with their
        // counts (`readTextColumns`), the dictionaries without a code per row. Each column's
        // findings and metrics are kept apart and appended in declared order at the end, as a
        // read of all columns at once gives them.
        let text = table.textColumns(present.map(\.name))
        let groups = try store.columnGroups(table, snapshotId: snapshot.id, columns: present.map(\.name).filter { !text.contains($0) })
        let byName = Dictionary(present.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var perColumn: [String: (findings: [Finding], metrics: [Metric])] = [:]
        var duplicates = DuplicateRows(rows: rows)
        // Carried columns are profiled, not judged (docs/definition.md, "Column roles").
        func judged(_ name: String) -> DeclaredColumn? { byName[name].flatMap { $0.role == .carried ? nil : $0 } }
        for group in groups {
            let data = try store.readColumns(table, snapshotId: snapshot.id, columns: group)
            for name in group {
                guard let c = judged(name), let column = data[name] else { continue }
                let (f, m) = (findings.count, metrics.count)
                try checkColumn(c, column, rows: rows)
                perColumn[name] = (Array(findings[f...]), Array(metrics[m...]))
                findings.removeSubrange(f...)
                metrics.removeSubrange(m...)
            }
            for name in group { if let column = data[name] { duplicates.add(column) } }
        }
        // The target keeps its codes: the baseline's correlations (profile) need it per row.
        let targets = text.filter { byName[$0]?.role == .target }
        // The id as hashes (`HashedText`): its dictionary of distinct values would be the
        // largest thing in memory.
        let hashed = text.filter { byName[$0]?.isReadAsHashes == true && !targets.contains($0) }
        var textRead = try store.readTextColumns(
            table, snapshotId: snapshot.id, columns: text, codes: targets, rowKeys: rows > 1, hashed: hashed)
        for name in text {
            guard let c = judged(name) else { continue }
            let (f, m) = (findings.count, metrics.count)
            if let h = textRead.hashed[name] {
                hashedChecks(c, h, rows: rows)
            } else if let summary = textRead.summaries[name] {
                try checkText(c, summary, rows: rows)
            } else {
                continue
            }
            perColumn[name] = (Array(findings[f...]), Array(metrics[m...]))
            findings.removeSubrange(f...)
            metrics.removeSubrange(m...)
        }
        if !text.isEmpty, rows > 1 { duplicates.add(keys: textRead.rowKeys) }
        textRead.rowKeys = []
        for c in present {
            guard let own = perColumn[c.name] else { continue }
            findings += own.findings
            metrics += own.metrics
        }
        if rows > 1 {
            // Rows sharing a hash are confirmed value by value, a group at a time (usually none);
            // the text columns by their codes, in groups within the row-scan budget.
            var classes = duplicates.candidates()
            let textGroups = classes.isEmpty ? [] : try store.columnGroups(table, snapshotId: snapshot.id, columns: text)
            for group in groups + textGroups where !classes.isEmpty {
                let data = try store.readColumns(table, snapshotId: snapshot.id, columns: group)
                classes = DuplicateRows.refine(classes, by: group.compactMap { data[$0] })
            }
            duplicateRowsCheck(count: DuplicateRows.count(classes), rows: rows)
            if case .baseline = target {
                var sizes: [Int: Int] = [:]
                for c in classes where c.count > 1 { sizes[c.count, default: 0] += 1 }
                for (size, n) in sizes.sorted(by: { $0.key < $1.key }) { metrics.append(Metric(.duplicateRowClasses, column: String(size), Double(n))) }
            }
        }
        // The profile stage reads the same text columns next: hand them over instead of
        // reading them twice.
        if !text.isEmpty { try store.handOffTextColumns(table, snapshotId: snapshot.id, textRead) }
        let nullRates = metrics.filter { $0.name == .nullRate }.compactMap(\.value)
        if let worst = nullRates.max() { metrics.append(Metric(.nullRateMax, worst)) }
    }

    // MARK: - Schema

    /// Missing and unexpected columns; returns the declared columns present in the file.
    mutating func schemaChecks(_ declared: [DeclaredColumn]) -> [DeclaredColumn] {
        let header = Set(snapshot.header)
        let labelsElsewhere = definition.labels != nil
        var present: [DeclaredColumn] = []
        for c in declared {
            if header.contains(c.name) || snapshot.header.isEmpty {
                if header.contains(c.name) { present.append(c) }
                continue
            }
            if c.role == .target, target != .baseline {
                if !labelsElsewhere {
                    findings.append(Finding(
                        CheckCatalog.missingTarget, severity: .info, column: c.name,
                        message: "the snapshot has no '\(c.name)' column and no labels files are configured",
                        observed: "absent", expected: "labels in the snapshot or in labels files"))
                }
                continue
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
            let ignored = definition.ignoredColumns
            for h in snapshot.header where !declaredNames.contains(h) && !ignored.contains(h) {
                findings.append(Finding(
                    CheckCatalog.unexpectedColumn, severity: policy == .error ? .critical : .warning, column: h,
                    message: "column '\(printable(h))' is in the file but not declared in the definition",
                    observed: "present", expected: "declared, or schema.unexpected_columns: ignore"))
            }
        }
        return present
    }

    /// Quarantined share and values stored as null at ingest.
    mutating func ingestChecks(_ declared: [DeclaredColumn]) {
        let rows = snapshot.rowsStored
        if snapshot.rowsRead > 0 {
            let share = Double(snapshot.rowsQuarantined) / Double(snapshot.rowsRead)
            metrics.append(Metric(.quarantinedShare, share))
            judge(
                CheckCatalog.quarantineRate, share: share, count: snapshot.rowsQuarantined, of: snapshot.rowsRead,
                thresholds: thresholds(nil).quarantinedRows!, column: nil, what: "rows were quarantined at ingest")
        }
        for m in inputs.ingestMetrics where m.name == .typeErrors {
            guard let n = m.value, rows > 0 else { continue }
            let col = declared.first { $0.name == m.column }
            judge(
                CheckCatalog.typeErrors, share: n / Double(rows), count: Int(n), of: rows,
                thresholds: thresholds(col).typeErrors!, column: m.column,
                what: "values did not parse as \(col?.type.rawValue ?? "declared type")")
        }
    }

    /// A column whose values mostly failed to parse as its declared type at ingest (rows
    /// quarantined for that column, plus values stored as null under `on_type_error: set_null`).
    mutating func retypedFromIngest(_ present: [DeclaredColumn]) {
        let total = snapshot.rowsRead
        guard total > 0 else { return }
        let quarantined = Dictionary(uniqueKeysWithValues: inputs.quarantine.map { ($0.column, $0) })
        for c in present {
            let setNull = inputs.ingestMetrics.first { $0.name == .typeErrors && $0.column == c.name }?.value ?? 0
            let failed = (quarantined[c.name]?.count ?? 0) + Int(setNull)
            guard failed > 0 else { continue }
            let share = Double(failed) / Double(total)
            metrics.append(Metric(.typeFailureShare, column: c.name, share))
            if judge(
                CheckCatalog.retypedColumn, share: share, count: failed, of: total,
                thresholds: thresholds(c).retypedColumn!, column: c.name,
                what: "values do not fit the declared type \(c.type.rawValue)") != nil,
                let examples = quarantined[c.name]?.examples, !examples.isEmpty
            {
                findings[findings.count - 1].message += "; e.g. " + examples.joined(separator: "; ")
            }
        }
    }

    // MARK: - Snapshot-level checks

    /// The stored row count against the mean and spread of the trailing days.
    mutating func rowCountCheck() {
        let history = inputs.rowCountHistory
        let t = thresholds(nil)
        let noun = inputs.cadence.noun
        guard history.count >= rowCountMinimumHistory else {
            notEvaluated(CheckCatalog.rowCount, "\(history.count) trailing \(noun)\(history.count == 1 ? "" : "s") with a snapshot in the last \(t.rowCountDays ?? 7); the check needs \(rowCountMinimumHistory)")
            return
        }
        let n = Double(snapshot.rowsStored)
        let mean = history.reduce(0, +) / Double(history.count)
        let variance = history.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(history.count - 1)
        let sd = variance.squareRoot()
        let change: Double? = mean > 0 ? (n - mean) / mean : nil
        let z: Double? = sd > 0 ? (n - mean) / sd : nil
        if let change { metrics.append(Metric(.rowCountChange, change)) }
        if let z { metrics.append(Metric(.rowCountZ, z)) }
        // The floor on the spread: a z-score alerts only when the count moved by at least
        // `row_count_min_change` (trailing days with nearly equal counts make z huge for +0.7 %).
        let floor = t.rowCountMinChange ?? 0
        let zCounts = change.map { abs($0) >= floor } ?? true
        let severity = [change.flatMap { t.rowCountChange!.severity(of: abs($0)) },
                        zCounts ? z.flatMap { t.rowCountZ!.severity(of: abs($0)) } : nil]
            .compactMap { $0 }.max()
        guard let severity else { return }
        let direction = n < mean ? "below" : "above"
        var observed = "\(snapshot.rowsStored) rows"
        var detail: [String] = []
        if let change { detail.append("\(change >= 0 ? "+" : "")\(formatPercent(change))") }
        if let z { detail.append("z = \(formatNumber(z, digits: 3))") }
        observed += " (" + detail.joined(separator: ", ") + ")"
        func bound(_ th: Thresholds) -> Double? { severity == .critical ? th.critical : th.warning }
        var expected: [String] = []
        if let b = bound(t.rowCountChange!) { expected.append("within ±\(formatPercent(b))") }
        if let b = bound(t.rowCountZ!) { expected.append("|z| < \(formatNumber(b)) (or a change under ±\(formatPercent(floor)))") }
        findings.append(Finding(
            CheckCatalog.rowCount, severity: severity,
            message: "\(snapshot.rowsStored) rows stored, \(formatPercent(abs(change ?? 0))) \(direction) the mean of the \(history.count) trailing \(noun)s (\(formatNumber(mean)))"
                + (z.map { "; z = \(formatNumber($0, digits: 3))" } ?? ""),
            observed: observed, expected: expected.joined(separator: " and ") + " of \(formatNumber(mean))"))
    }

    /// Rows identical, in every declared column present, to an earlier row.
    ///
    /// On a day, when the baseline itself had repeated rows (data whose rows can repeat:
    /// discrete survey answers without an id), a day of m rows drawn like the baseline's n is
    /// expected to repeat `expectedRepeats` of them: exact for a random m of the n rows, from
    /// the baseline's classes of equal rows. That count over m is the chance for `judge`'s
    /// binomial rule. Without the classes (a baseline validated by an older version), or for a
    /// day larger than the baseline, D·m(m − 1)/(n(n − 1)) for its D repeated rows: exact when
    /// they are pairs, an underestimate for larger classes. A baseline without duplicates
    /// (unique ids) leaves the plain thresholds. Field trial 8: statsmodels' `fair` (191
    /// duplicates in a 2 228-row baseline) was critical on 5 of 6 clean 318-row days for 3–9
    /// repeated rows, `randhie` (classes of up to 27 equal rows) on 5 of 5 for 17–19 %.
    mutating func duplicateRowsCheck(count duplicates: Int, rows: Int) {
        let share = Double(duplicates) / Double(rows)
        metrics.append(Metric(.duplicateRowShare, share))
        var chance: Double?
        if let base = inputs.baselineDuplicateRows, base.duplicates > 0, base.rows > 1, rows > 1 {
            if let classes = inputs.baselineDuplicateClasses, !classes.isEmpty, rows <= base.rows {
                chance = Self.expectedRepeats(classes: classes, baselineRows: base.rows, dayRows: rows) / Double(rows)
            } else {
                chance = Double(base.duplicates) * Double(rows - 1) / (Double(base.rows) * Double(base.rows - 1))
            }
        }
        judge(CheckCatalog.duplicateRows, share: share, count: duplicates, of: rows, thresholds: thresholds(nil).duplicateRows!,
              column: nil, what: "rows repeat an earlier row in every column", chance: chance)
    }

    /// The expected number of rows equal to an earlier one in a random `m` of the baseline's
    /// `n` rows, whose classes of equal rows are `classes` (size → how many): a class of size c
    /// holds X ~ Hypergeometric(n, c, m) of them and repeats max(X − 1, 0), whose mean is
    /// c·m/n − 1 + P(X = 0), P(X = 0) = ∏_{j<c} (n − m − j)/(n − j). Needs m ≤ n.
    static func expectedRepeats(classes: [Int: Int], baselineRows n: Int, dayRows m: Int) -> Double {
        var total = 0.0
        for (c, count) in classes where c > 1 {
            var none = 1.0
            for j in 0..<c {
                let num = Double(n - m - j)
                if num <= 0 { none = 0; break }
                none *= num / Double(n - j)
            }
            total += Double(count) * (Double(c) * Double(m) / Double(n) - 1 + none)
        }
        return max(0, total)
    }

    /// A check that could not run on this snapshot, said so in the report (never silently).
    mutating func notEvaluated(_ check: CheckInfo, _ reason: String) {
        findings.append(Finding(
            CheckCatalog.notEvaluated, severity: .info,
            message: "\(check.id) (\(check.title.lowercased())) not evaluated: \(reason)",
            observed: "not evaluated", expected: check.id))
    }

    /// Timestamps outside the snapshot's UTC period (days only) and later than the run.
    mutating func freshnessChecks(_ c: DeclaredColumn, _ d: LabelSummary) {
        let counts = d.counts
        let n = counts.reduce(0, +)
        guard n > 0 else { return }
        let t = thresholds(c)
        let now = Timestamp.format(epochMilliseconds: inputs.nowMilliseconds)
        var future = 0
        var outside = 0
        var outsideDays: [String: Int] = [:]
        let date = target.day?.description
        let cadence = inputs.cadence
        let end = target.day.map { cadence.end(of: $0).description }
        for (k, v) in d.dictionary.enumerated() where counts[k] > 0 {
            // Stored timestamps are canonical UTC text, so text order is time order.
            if v > now { future += counts[k] }
            if let date, let end, !(v.prefix(10) >= date && v.prefix(10) < end) {
                outside += counts[k]
                outsideDays[String(v.prefix(10)), default: 0] += counts[k]
            }
        }
        if date != nil {
            let share = Double(outside) / Double(n)
            metrics.append(Metric(.timestampOutsideDayShare, column: c.name, share))
            let period = cadence == .daily ? "on \(date!)" : "in the \(cadence.noun) of \(date!) (\(date!) to \(target.day.map { cadence.end(of: $0).adding(days: -1).description } ?? ""))"
            if judge(CheckCatalog.timestampOutsideDay, share: share, count: outside, of: n, thresholds: t.timestampOutsideDay!,
                     column: c.name, what: "timestamps are not \(period) (UTC)") != nil
            {
                appendExamples(outsideDays.map { ValueCount(value: $0.key, count: $0.value) })
            }
        }
        let share = Double(future) / Double(n)
        metrics.append(Metric(.futureTimestampShare, column: c.name, share))
        judge(CheckCatalog.futureTimestamps, share: share, count: future, of: n, thresholds: t.futureTimestamps!,
              column: c.name, what: "timestamps are later than the run (\(now))")
    }
}

/// Rows equal in every column to an earlier row, with every column in memory (tests; the
/// validate stage folds the columns in group by group, `DuplicateRows`).
func countDuplicateRows(_ columns: [ColumnData], rows: Int) -> Int {
    guard rows > 1 else { return 0 }
    var duplicates = DuplicateRows(rows: rows)
    for column in columns { duplicates.add(column) }
    return DuplicateRows.count(DuplicateRows.refine(duplicates.candidates(), by: columns))
}
