import AuditModel
import Statistics
import Warehouse

// Per-segment audits (docs/segments.md): each value (or bin) of a `segments.columns` entry is
// compared with the same segment of the baseline by the same drift, missing-value and
// performance code as the whole day; the day's segment tests are corrected together
// (Benjamini–Hochberg); findings carry the segment.
extension Comparison {
    /// The day's segments, or nil when the definition has no `segments:`. Findings go to
    /// `findings`; `aggregate` holds the whole day's findings so far (a segment finding is not
    /// repeated for what the whole day already has).
    mutating func segmentsSection(dayRows: LabelledRows?, base: BaselinePerformance?) throws -> [AuditSummary.Segment]? {
        guard let spec = definition.segments else { return nil }
        let dayHeader = Set(snapshot.header), baseHeader = Set(baseline.header)
        var columns: [SegmentColumnSpec] = []
        for c in spec.columns {
            if dayHeader.contains(c.column) {
                columns.append(c)
            } else {
                notEvaluated(CheckCatalog.segmentDrift, "the segment column '\(c.column)' is not in the day's file")
            }
        }
        guard !columns.isEmpty else { return [] }
        let candidates = driftCandidates.map { c -> SegmentAuditor.Candidate in
            let s = driftSettings(for: c)
            return .init(column: c, method: s.method, threshold: s.threshold)
        }
        let features = definition.declaredColumns.filter {
            $0.role == .feature && dayHeader.contains($0.name) && baseHeader.contains($0.name)
        }.map(\.name)
        var target: SegmentAuditor.Candidate?
        if let t = definition.declaredColumns.first(where: { $0.role == .target }), baseHeader.contains(t.name) {
            let s = driftSettings(for: t)
            if !s.skip { target = .init(column: t, method: s.method, threshold: s.threshold) }
        }
        var names = columns.map(\.column) + candidates.map(\.column.name) + features
        if let score = definition.schema.prediction?.score, dayHeader.contains(score) { names.append(score) }
        var seen = Set<String>()
        names = names.filter { seen.insert($0).inserted }
        let dayData = try store.readColumns(table, snapshotId: snapshot.id, columns: names)
        let baseData = try store.readColumns(table, snapshotId: baseline.id, columns: names.filter { baseHeader.contains($0) })
        let baseRows = try labelledRows(snapshot: baseline, labelsFromFiles: false)
        let auditor = SegmentAuditor(
            definition: definition, candidates: candidates, target: target, features: features, base: base,
            minLabelledRows: minLabelledRows, aggregate: findings)
        let out = auditor.run(
            columns: columns, day: dayData, dayCount: snapshot.rowsStored, baseline: baseData, baselineCount: baseline.rowsStored,
            dayLabelled: dayRows, baselineLabelled: baseRows)
        findings += out.findings
        return out.segments
    }
}

/// The segment audit on columns in memory (row order), independent of the warehouse so it can
/// be run over many generated periods.
struct SegmentAuditor {
    struct Candidate {
        let column: DeclaredColumn
        let method: DriftMethod
        let threshold: Double?
    }

    let definition: PipelineDefinition
    /// Drift columns (features, prediction, score) with their method and threshold.
    let candidates: [Candidate]
    /// The target, compared on labelled rows (nil without one).
    let target: Candidate?
    /// Declared features present on both sides: their missing shares.
    let features: [String]
    let base: BaselinePerformance?
    let minLabelledRows: Int
    /// The whole day's findings: a segment finding is not raised for a column (or the
    /// performance) the whole day already has a finding for.
    let aggregate: [Finding]

    var spec: SegmentsSpec { definition.segments ?? SegmentsSpec(columns: []) }
    var minRows: Int { spec.minRows ?? SegmentsSpec.defaultMinRows }

    /// One test of the day's family, its p-value and where its verdict goes.
    enum Test {
        /// `crossed`: a distance reached the column's threshold (always true for a test).
        case drift(segment: Int, entry: Int, crossed: Bool)
        case missing(segment: Int, column: String, change: Double)
        case performance(segment: Int, drop: Double)
    }

    func run(
        columns: [SegmentColumnSpec], day: [String: ColumnData], dayCount: Int, baseline: [String: ColumnData],
        baselineCount: Int, dayLabelled: LabelledRows?, baselineLabelled: LabelledRows?
    ) -> (segments: [AuditSummary.Segment], findings: [Finding]) {
        var segments: [AuditSummary.Segment] = []
        var tests: [(test: Test, p: Double)] = []
        var refs: [SegmentRef] = []
        for spec in columns {
            guard let dayColumn = day[spec.column] else { continue }
            let dayGroups = Self.groups(dayColumn, count: dayCount, bins: spec.bins)
            let baseGroups = baseline[spec.column].map { Self.groups($0, count: baselineCount, bins: spec.bins) } ?? [:]
            // The values with the most rows (today, then in the baseline) up to the limit; the
            // rest grouped into one segment that is listed, not judged.
            let ranked = Set(dayGroups.keys).union(baseGroups.keys).sorted {
                let a = (dayGroups[$0]?.count ?? 0, baseGroups[$0]?.count ?? 0), b = (dayGroups[$1]?.count ?? 0, baseGroups[$1]?.count ?? 0)
                return a != b ? a > b : $0 < $1
            }
            let limit = SegmentsSpec.maxValuesPerColumn
            let kept = Array(ranked.prefix(limit)), rest = Array(ranked.dropFirst(limit))
            let dayLabelledBy = Self.bucket(dayLabelled, groups: dayGroups, count: dayCount)
            let baseLabelledBy = Self.bucket(baselineLabelled, groups: baseGroups, count: baselineCount)
            for value in Self.displayOrder(kept, bins: spec.bins) {
                let d = dayGroups[value] ?? [], b = baseGroups[value] ?? []
                var s = AuditSummary.Segment(column: spec.column, value: value, rows: d.count, baselineRows: b.count)
                let ref = SegmentRef(column: spec.column, value: value)
                measure(&s, dayIndex: d, baseIndex: b, day: day, baseline: baseline,
                        dayLabelled: dayLabelled.map { _ in dayLabelledBy[value] ?? LabelledRows(hasScore: dayLabelled!.hasScore) },
                        baselineLabelled: baselineLabelled.map { _ in baseLabelledBy[value] ?? LabelledRows(hasScore: baselineLabelled!.hasScore) },
                        segment: segments.count, tests: &tests)
                segments.append(s)
                refs.append(ref)
            }
            if !rest.isEmpty {
                let d = rest.reduce(0) { $0 + (dayGroups[$1]?.count ?? 0) }, b = rest.reduce(0) { $0 + (baseGroups[$1]?.count ?? 0) }
                var s = AuditSummary.Segment(
                    column: spec.column, value: SegmentsSpec.otherValue, grouped: true, rows: d, baselineRows: b)
                s.note = "\(rest.count) further values beyond the \(limit) with the most rows, grouped: listed, not judged"
                s.labelledRows = rest.reduce(0) { $0 + (dayLabelledBy[$1]?.count ?? 0) }
                s.baselineLabelledRows = rest.reduce(0) { $0 + (baseLabelledBy[$1]?.count ?? 0) }
                segments.append(s)
                refs.append(SegmentRef(column: spec.column, value: SegmentsSpec.otherValue))
            }
        }
        let findings = judge(&segments, refs: refs, tests: tests)
        return (segments, findings)
    }

    // MARK: Measuring one segment

    /// Rows, missing shares, drift, realized performance and CBPE of one segment; the tests
    /// whose verdicts wait for the correction are appended to `tests`.
    func measure(
        _ s: inout AuditSummary.Segment, dayIndex d: [Int], baseIndex b: [Int], day: [String: ColumnData],
        baseline: [String: ColumnData], dayLabelled: LabelledRows?, baselineLabelled: LabelledRows?, segment: Int,
        tests: inout [(test: Test, p: Double)]
    ) {
        for f in features {
            if !d.isEmpty, let c = day[f] { s.nullRates[f] = Double(Self.missing(c, d)) / Double(d.count) }
            if !b.isEmpty, let c = baseline[f] { s.baselineNullRates[f] = Double(Self.missing(c, b)) / Double(b.count) }
        }
        if !s.inBaseline {
            s.note = "not in the baseline: nothing to compare with"
        } else if d.count < minRows {
            s.note = "\(d.count) rows, under segments.min_rows (\(minRows)): listed, not judged"
        } else if b.count < minRows {
            s.note = "the baseline has \(b.count) rows of this segment, under segments.min_rows (\(minRows)): not judged"
        } else {
            s.judged = true
        }
        // Realized metrics (and the segment's labelled rows) are shown whether judged or not.
        let daySub = dayLabelled, baseSub = baselineLabelled
        s.labelledRows = daySub?.count ?? 0
        s.baselineLabelledRows = baseSub?.count ?? 0
        let kind = definition.schema.prediction?.kind
        let judgedMetric = definition.performance?.metric ?? (kind == .regression ? "rmse" : "accuracy")
        var dayConfusion: [[Int]]?, baseConfusion: [[Int]]?
        if let kind {
            s.judgedMetric = judgedMetric
            (s.metrics, dayConfusion) = Self.realized(daySub, kind: kind, definition: definition)
            (s.baselineMetrics, baseConfusion) = Self.realized(baseSub, kind: kind, definition: definition)
        }
        // CBPE when the segment has too few labels, for binary models with a score.
        if kind == .binary, s.labelledRows < minLabelledRows, let base, base.hasScore,
            let scoreName = definition.schema.prediction?.score, case .numeric(let sc)? = day[scoreName]
        {
            let scores = d.compactMap { i -> Double? in sc.nulls[i] || !sc.values[i].isFinite ? nil : sc.values[i] }
            s.estimated = Comparison.cbpe(scores: scores, base: base, threshold: definition.decisionThreshold)
        }
        guard s.judged else { return }

        // Missing values: a two-proportion z-test per feature (the drift stage's Z-test).
        for f in features {
            guard let dc = day[f], let bc = baseline[f] else { continue }
            let dm = Self.missing(dc, d), bm = Self.missing(bc, b)
            guard dm + bm > 0, let z = ZTest.twoProportion(successes1: bm, n1: b.count, successes2: dm, n2: d.count),
                !z.pValue.isNaN
            else { continue }
            let change = Double(dm) / Double(d.count) - Double(bm) / Double(b.count)
            tests.append((.missing(segment: segment, column: f, change: change), z.pValue))
        }

        // Drift of features, prediction and score; the target on labelled rows.
        for c in candidates {
            guard let dc = day[c.column.name], let bc = baseline[c.column.name],
                let cur = Self.sample(dc, d, type: c.column.type), let ref = Self.sample(bc, b, type: c.column.type),
                let r = DriftEngine.compare(
                    column: c.column.name, role: c.column.role, reference: ref, current: cur,
                    method: c.method, threshold: c.threshold)
            else { continue }
            append(r, reference: ref, current: cur, to: &s, segment: segment, tests: &tests)
        }
        if let target, let daySub, let baseSub, daySub.count >= minLabelledRows, !baseSub.isEmpty {
            let ref: DriftSample, cur: DriftSample
            if target.column.type.isNumeric {
                ref = .numeric(baseSub.truthValues.finiteNumbers)
                cur = .numeric(daySub.truthValues.finiteNumbers)
            } else {
                ref = .categorical(baseSub.truthValues.counts())
                cur = .categorical(daySub.truthValues.counts())
            }
            if let r = DriftEngine.compare(
                column: target.column.name, role: .target, reference: ref, current: cur,
                method: target.method,
                threshold: target.threshold)
            {
                append(r, reference: ref, current: cur, to: &s, segment: segment, tests: &tests)
            }
        }

        // Realized performance of the judged metric: a rate is tested against the baseline's
        // segment (two-proportion z-test) and joins the correction; other metrics are shown.
        if s.labelledRows >= minLabelledRows, s.baselineLabelledRows >= minLabelledRows,
            let cur = s.metrics[judgedMetric], let ref = s.baselineMetrics[judgedMetric],
            let dc = PerformanceMetrics.rateCounts(judgedMetric, confusion: dayConfusion),
            let bc = PerformanceMetrics.rateCounts(judgedMetric, confusion: baseConfusion),
            let z = ZTest.twoProportion(successes1: bc.successes, n1: bc.trials, successes2: dc.successes, n2: dc.trials),
            !z.pValue.isNaN
        {
            tests.append((.performance(segment: segment, drop: PerformanceMetrics.drop(judgedMetric, current: cur, baseline: ref)), z.pValue))
        }
    }

    /// Adds a drift result to the segment and its test to the family. A distance (no p-value)
    /// brings the test `auto` picks for small samples (KS, chi-square contingency or Z) as its
    /// companion: the segment drifts when the distance reaches its threshold AND the companion
    /// test rejects after the correction, so every drift verdict is in the family.
    func append(
        _ r: DriftResult, reference: DriftSample, current: DriftSample, to s: inout AuditSummary.Segment, segment: Int,
        tests: inout [(test: Test, p: Double)]
    ) {
        var p = r.pValue
        if p == nil { p = Self.companionTest(reference: reference, current: current)?.pValue }
        s.drift.append(.init(
            column: r.column, role: r.role, method: r.method, statistic: r.statistic, pValue: p, adjustedPValue: nil,
            threshold: r.threshold, drifted: false))
        if let p, !p.isNaN {
            tests.append((.drift(segment: segment, entry: s.drift.count - 1, crossed: r.pValue != nil || r.drifted), p))
        }
    }

    /// The test `auto` picks on small samples, for samples it would compare by a distance.
    static func companionTest(reference: DriftSample, current: DriftSample) -> DriftResult? {
        let r = reference.prepared(), c = current.prepared()
        let method = DriftEngine.autoMethod(
            smallerSample: 0, distinct: DriftEngine.distinctValues(r, c), numeric: DriftEngine.isNumeric(r, c))
        return DriftEngine.compare(column: "", role: .feature, prepared: r, current: c, method: method, threshold: nil)
    }

    // MARK: Judging the day's family of tests

    /// Benjamini–Hochberg over the segment tests of the day (drift, missing values, realized
    /// performance) that may become findings; then findings where a corrected test rejects and the effect reaches the
    /// same thresholds as the whole day's checks.
    func judge(_ segments: inout [AuditSummary.Segment], refs: [SegmentRef], tests: [(test: Test, p: Double)]) -> [Finding] {
        let q = spec.falseDiscoveryRate ?? SegmentsSpec.defaultFalseDiscoveryRate
        var findings: [Finding] = []
        let dayDrifted = Set(aggregate.filter {
            [CheckCatalog.featureDrift.id, CheckCatalog.predictionDrift.id, CheckCatalog.targetDrift.id].contains($0.check)
        }.compactMap(\.column))
        let dayMissing = Set(aggregate.filter { $0.check == CheckCatalog.nullRateChange.id }.compactMap(\.column))
        let dayPerformance = aggregate.contains { $0.check == CheckCatalog.performanceDrop.id }
        // Two families: the tests that may become a segment finding, and those of what the whole
        // day already flags (their verdicts are shown, never findings). Corrected apart: the
        // many true rejections of a column that drifted everywhere would otherwise loosen the
        // step-up threshold for every other test (Benjamini–Hochberg admits about q of its
        // rejections as false, and those would be exactly the findings left visible).
        let open = tests.map { t -> Bool in
            switch t.test {
            case .drift(let i, let e, _): return !dayDrifted.contains(segments[i].drift[e].column)
            case .missing(_, let column, _): return !dayMissing.contains(column)
            case .performance: return !dayPerformance
            }
        }
        var adjustedP = [Double](repeating: .nan, count: tests.count)
        for family in [true, false] {
            let members = tests.indices.filter { open[$0] == family }
            for (k, a) in zip(members, MultipleTesting.benjaminiHochberg(members.map { tests[$0].p })) { adjustedP[k] = a }
        }
        let dayEstimated = aggregate.contains { $0.check == CheckCatalog.estimatedPerformanceDrop.id }
        let nullChange = (spec.nullRateChange ?? definition.drift?.nullRateChange ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 0.05, critical: 0.5))
        let maxDrop = (spec.maxDrop ?? definition.performance?.maxDrop ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 0.02, critical: 0.05))
        let driftSeverity = definition.drift?.featureSeverity ?? .warning
        func name(_ r: SegmentRef) -> String { "\(r.column) = \(r.value)" }

        for (k, t) in tests.enumerated() {
            let adjusted = adjustedP[k], rejected = adjusted <= q
            switch t.test {
            case .drift(let i, let e, let crossed):
                segments[i].drift[e].adjustedPValue = adjusted
                segments[i].drift[e].drifted = rejected && crossed
            case .missing(let i, let column, let change):
                guard rejected, let severity = nullChange.severity(of: abs(change)), !dayMissing.contains(column) else { continue }
                let cur = segments[i].nullRates[column] ?? 0, ref = segments[i].baselineNullRates[column] ?? 0
                findings.append(Finding(
                    CheckCatalog.segmentMissingValues, severity: severity, column: column,
                    message: "'\(column)' is missing in \(formatPercent(cur)) of the \(segments[i].rows) rows of \(name(refs[i])) against \(formatPercent(ref)) in the same segment of the baseline (adjusted p = \(formatNumber(adjusted)))",
                    observed: formatPercent(cur),
                    expected: "within ±\(formatPercent(severity == .critical ? nullChange.critical! : nullChange.warning!)) of \(formatPercent(ref))",
                    segment: refs[i]))
            case .performance(let i, let drop):
                let metric = segments[i].judgedMetric ?? "accuracy"
                guard rejected, let severity = maxDrop.severity(of: drop), !dayPerformance,
                    let cur = segments[i].metrics[metric], let ref = segments[i].baselineMetrics[metric]
                else { continue }
                findings.append(Finding(
                    CheckCatalog.segmentPerformanceDrop, severity: severity,
                    message: "\(metric) is \(formatNumber(cur)) on \(name(refs[i])) (\(segments[i].labelledRows) labelled rows) against \(formatNumber(ref)) on the same segment of the baseline (adjusted p = \(formatNumber(adjusted)))",
                    observed: formatNumber(cur), expected: "≥ \(formatNumber(ref - (maxDrop.warning ?? 0.02)))", segment: refs[i]))
            }
        }
        for i in segments.indices where segments[i].judged {
            let features = segments[i].drift.filter { $0.role == .feature }
            segments[i].driftedShare = features.isEmpty ? nil : Double(features.filter(\.drifted).count) / Double(features.count)
            for r in segments[i].drift where r.drifted && !dayDrifted.contains(r.column) {
                let check = CheckCatalog.segmentDrift
                let value = r.adjustedPValue.map { "adjusted p = \(formatNumber($0))" } ?? "\(r.method.rawValue) = \(formatNumber(r.statistic))"
                findings.append(Finding(
                    check, severity: driftSeverity, column: r.column,
                    message: "'\(r.column)' drifted in \(name(refs[i])) from the same segment of the baseline (\(r.method.rawValue) \(formatNumber(r.statistic))\(r.pValue.map { ", p = \(formatNumber($0))" } ?? "")\(r.adjustedPValue.map { ", adjusted p = \(formatNumber($0))" } ?? "")) while the whole day did not",
                    observed: value,
                    expected: r.method.isTest
                        ? "adjusted p > \(formatNumber(q))"
                        : "\(r.method.rawValue) < \(formatNumber(r.threshold)) or adjusted p > \(formatNumber(q))",
                    segment: refs[i]))
            }
            // CBPE (too few labels): judged by the edge of its confidence band nearest the
            // baseline's segment, as the whole day's estimate.
            let metric = segments[i].judgedMetric ?? "accuracy"
            if !dayEstimated, !dayPerformance, segments[i].labelledRows < minLabelledRows,
                segments[i].baselineLabelledRows >= minLabelledRows, let cur = segments[i].estimated[metric],
                let ref = segments[i].baselineMetrics[metric], let component = base?.samplingErrors?[metric]
            {
                let se = component.samplingError(rows: segments[i].rows)
                guard let band = CBPESamplingError.band(estimate: cur, samplingError: se) else { continue }
                let edge = PerformanceMetrics.lowerIsBetter.contains(metric) ? band.lower : band.upper
                let drop = min(
                    PerformanceMetrics.drop(metric, current: edge, baseline: ref), PerformanceMetrics.drop(metric, current: cur, baseline: ref))
                guard let severity = maxDrop.severity(of: drop) else { continue }
                findings.append(Finding(
                    CheckCatalog.segmentEstimatedPerformanceDrop, severity: severity,
                    message: "estimated \(metric) (CBPE) is \(formatNumber(cur)) (confidence band \(formatNumber(band.lower))–\(formatNumber(band.upper))) on \(name(refs[i])) against \(formatNumber(ref)) realized on the same segment of the baseline",
                    observed: formatNumber(cur), expected: "≥ \(formatNumber(ref - (maxDrop.warning ?? 0.02)))", segment: refs[i]))
            }
        }
        return findings
    }

    // MARK: Helpers

    /// Row positions of each segment value; rows without a value are in no segment.
    static func groups(_ column: ColumnData, count: Int, bins: [Double]?) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        switch column {
        case .labels(let d):
            var byCode: [Int32: [Int]] = [:]
            for i in 0..<min(count, d.codes.count) where d.codes[i] >= 0 { byCode[d.codes[i], default: []].append(i) }
            for (code, rows) in byCode { out[d.dictionary[Int(code)], default: []] += rows }
            for k in out.keys { out[k]!.sort() }
        case .numeric(let d):
            for i in 0..<min(count, d.values.count) where !d.nulls[i] && !d.values[i].isNaN {
                let x = d.values[i]
                let label = bins.map { SegmentColumnSpec.binLabel(x, edges: $0) } ?? formatNumber(x, digits: 15)
                out[label, default: []].append(i)
            }
        }
        return out
    }

    /// Bins in their order on the number line; other values sorted as text.
    static func displayOrder(_ values: [String], bins: [Double]?) -> [String] {
        guard let bins, !bins.isEmpty else { return values.sorted() }
        var labels = [SegmentColumnSpec.binLabel(bins[0] - 1, edges: bins)]
        for x in bins { labels.append(SegmentColumnSpec.binLabel(x, edges: bins)) }
        let rank = Dictionary(labels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return values.sorted { (rank[$0] ?? Int.max, $0) < (rank[$1] ?? Int.max, $1) }
    }

    /// Missing rows (null, or NaN in numbers) of a column among `rows`.
    static func missing(_ c: ColumnData, _ rows: [Int]) -> Int {
        switch c {
        case .labels(let d): return rows.reduce(0) { $0 + (d.codes[$1] < 0 ? 1 : 0) }
        case .numeric(let d): return rows.reduce(0) { $0 + (d.nulls[$1] || d.values[$1].isNaN ? 1 : 0) }
        }
    }

    /// A drift sample of `rows`: finite numbers for numeric columns, counts for categories and
    /// booleans (`true`/`false`, as the profile counts them).
    static func sample(_ c: ColumnData, _ rows: [Int], type: ColumnType) -> DriftSample? {
        switch c {
        case .numeric(let d):
            if type == .boolean {
                var t = 0, f = 0
                for i in rows where !d.nulls[i] && !d.values[i].isNaN { if d.values[i] != 0 { t += 1 } else { f += 1 } }
                return t + f == 0 ? nil : .categorical(["true": t, "false": f])
            }
            let v = rows.compactMap { d.nulls[$0] || !d.values[$0].isFinite ? nil : d.values[$0] }
            return v.isEmpty ? nil : .numeric(v)
        case .labels(let d):
            var counts: [String: Int] = [:]
            for i in rows where d.codes[i] >= 0 { counts[d.dictionary[Int(d.codes[i])], default: 0] += 1 }
            return counts.isEmpty ? nil : .categorical(counts)
        }
    }

    /// The labelled rows of each segment value (one pass over the labelled rows).
    static func bucket(_ all: LabelledRows?, groups: [String: [Int]], count: Int) -> [String: LabelledRows] {
        guard let all else { return [:] }
        let keys = Array(groups.keys)
        var slot = [Int](repeating: -1, count: count)
        for (k, key) in keys.enumerated() { for i in groups[key]! where i < count { slot[i] = k } }
        // The parts share the whole's tables: only codes are copied.
        var parts = [LabelledRows](repeating: all.emptyCopy, count: keys.count)
        for k in all.index.indices {
            let i = Int(all.index[k])
            guard i < count, slot[i] >= 0 else { continue }
            parts[slot[i]].append(all, at: k)
        }
        return Dictionary(zip(keys, parts), uniquingKeysWith: { a, _ in a })
    }

    /// Realized metrics (and the confusion matrix) of labelled rows, by the whole day's code.
    static func realized(_ rows: LabelledRows?, kind: PredictionKind, definition: PipelineDefinition)
        -> ([String: Double], [[Int]]?)
    {
        guard let rows, !rows.isEmpty else { return ([:], nil) }
        switch kind {
        case .binary:
            let r = PerformanceMetrics.binary(rows, labels: BinaryLabels(positive: definition.positiveClass))
            return (r.metrics, r.confusion)
        case .multiclass:
            let r = PerformanceMetrics.multiclass(rows)
            return (r.metrics, r.confusion)
        case .regression: return (PerformanceMetrics.regression(rows), nil)
        }
    }
}
