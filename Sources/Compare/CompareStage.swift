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
    /// Per protected attribute; nil without `fairness:` in the definition.
    public var fairness: [AuditSummary.FairnessAttribute]? = nil
    /// Per segment; nil without `segments:` in the definition.
    public var segments: [AuditSummary.Segment]? = nil
}

/// Stage 4: compares a day with the training baseline: drift per feature and for prediction,
/// score and target; realized performance when labels exist and a CBPE estimate from scores;
/// operational health against SLOs, the baseline and the trailing days; technical-debt
/// checks; and the retraining recommendation (docs/compare.md). Reads profiles and rows;
/// writes drift, findings, metrics and structured results in one transaction.
public struct CompareStage {
    public let loaded: LoadedDefinition
    public let warehouse: any WarehouseBackend
    public let logger: Logger

    public init(loaded: LoadedDefinition, warehouse: any WarehouseBackend, logger: Logger) {
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
            var work = try Comparison.prepare(loaded: loaded, store: store, warehouse: warehouse, day: day)
            let outcome = try work.run()
            try work.save(outcome, stageRunId: stageRunId)
            return outcome
        }
        let features = outcome.drift.filter { $0.role == .feature }
        logger.info(
            "compare \(day): \(features.filter(\.drifted).count) of \(features.count) features drifted, retraining \(outcome.retraining.recommendation.rawValue), \(formatNumber(Date().timeIntervalSince(start), digits: 3)) s"
        )
        return outcome
    }

    /// Only the drift part of the comparison (reading the columns included), without storing
    /// anything (not even the baseline's sorted-column cache): what `mlaudit-bench drift` times,
    /// and what `mlaudit compare --baseline … --current …` prints.
    ///
    /// - Parameter columnar: false reads numbers from the rows even where the columnar copy
    ///   exists (the benchmark measures both ways; the results are the same).
    public func driftOnly(_ day: Day, columnar: Bool = true) throws -> [DriftResult] {
        try warehouse.read { store in
            var work = try Comparison.prepare(loaded: loaded, store: store, warehouse: warehouse, day: day)
            work.cacheWritable = false
            work.columnar = columnar
            try work.loadNumbers()
            return try work.driftResults()
        }
    }
}

extension CompareStage {
    /// Forgets the baseline columns this process keeps in memory (benchmarks measure the
    /// first comparison of a process with it).
    public static func clearProcessCache() { BaselineColumnCache.shared.clear() }
}

/// A numeric column of a snapshot ready for drift: finite values sorted ascending, and what
/// was left out.
struct NumericColumn: Sendable {
    var sorted: [Double]
    var nulls: Int
    var nan: Int
    var infinite: Int

    /// Sorts `f`'s values unless `alreadySorted` (the sorted-column cache).
    init(_ f: FiniteNumbers, alreadySorted: Bool = false) {
        self.init(parts: [f], alreadySorted: alreadySorted)
    }

    /// The parts of a column (read on several connections) sorted together.
    init(parts: [FiniteNumbers], alreadySorted: Bool = false) {
        sorted = alreadySorted && parts.count == 1 ? parts[0].values : SortedSamples.sorted(chunks: parts.map(\.values))
        nulls = parts.reduce(0) { $0 + $1.nulls }
        nan = parts.reduce(0) { $0 + $1.nan }
        infinite = parts.reduce(0) { $0 + $1.infinite }
    }

    var finite: FiniteNumbers { FiniteNumbers(values: sorted, nulls: nulls, nan: nan, infinite: infinite) }
}

/// The baseline's sorted numeric columns, kept for the life of the process so a run over many
/// days reads and sorts the baseline once. One baseline at a time (the most recent).
final class BaselineColumnCache: @unchecked Sendable {
    static let shared = BaselineColumnCache()
    private let lock = NSLock()
    private var key: String?
    private var columns: [String: NumericColumn] = [:]

    func get(_ key: String, _ names: [String]) -> [String: NumericColumn]? {
        lock.lock()
        defer { lock.unlock() }
        guard self.key == key, names.allSatisfy({ columns[$0] != nil }) else { return nil }
        return columns.filter { names.contains($0.key) }
    }

    func clear() {
        lock.lock()
        defer { lock.unlock() }
        key = nil
        columns = [:]
    }

    func put(_ key: String, _ cols: [String: NumericColumn]) {
        lock.lock()
        defer { lock.unlock() }
        if self.key != key {
            self.key = key
            columns = [:]
        }
        columns.merge(cols) { _, new in new }
    }
}

/// The work of one comparison, with the data it loaded.
struct Comparison {
    let loaded: LoadedDefinition
    let store: any WarehouseTransaction
    let warehouse: any WarehouseBackend
    let pipelineId: Int64
    let day: Day
    let snapshot: SnapshotRecord
    let baseline: SnapshotRecord
    let dayProfiles: [String: ColumnProfile]
    let baseProfiles: [String: ColumnProfile]
    let table: RowTable
    var findings: [Finding] = []
    var metrics: [Metric] = []
    /// Sorted finite values of the numeric drift columns (features, score, regression prediction).
    /// (One group of columns at a time, while `loadNumbers` runs.)
    var dayNumbers: [String: NumericColumn] = [:]
    var baseNumbers: [String: NumericColumn] = [:]
    /// The numeric drift columns' results (nil for a column without a verdict), from `loadNumbers`.
    var numericDrift: [String: DriftResult?] = [:]
    /// Share of the most frequent value of the numeric drift columns (technical debt).
    var dayModeShare: [String: Double] = [:]
    var baseModeShare: [String: Double] = [:]
    /// The day's finite scores in row order (CBPE).
    var dayScores: [Double] = []
    /// What the compare stage keeps about the baseline (loaded by `loadFacts`).
    var facts: BaselineFacts?
    /// The baseline's served decisions when `loadBaselinePerformance` labelled its rows (the
    /// facts then need not read them again).
    var baselineDecisions: LabelledRows.Decisions?
    /// Whether the comparison may write the baseline's sorted-column cache (not in read-only runs).
    var cacheWritable = true
    /// Whether numbers are read through the columnar copy where a snapshot has one.
    var columnar = true
    /// The snapshots' cadence, resolved (never `auto`).
    var cadence: Cadence = .daily

    var definition: PipelineDefinition { loaded.definition }

    /// Finds the day's and the baseline's snapshots and profiles.
    static func prepare(loaded: LoadedDefinition, store: any WarehouseTransaction, warehouse: any WarehouseBackend, day: Day) throws -> Comparison {
        let definition = loaded.definition
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
        func byColumn(_ list: [ColumnProfile]) -> [String: ColumnProfile] {
            Dictionary(list.map { ($0.column, $0) }, uniquingKeysWith: { a, _ in a })
        }
        var out = Comparison(
            loaded: loaded, store: store, warehouse: warehouse, pipelineId: pipelineId, day: day,
            snapshot: snapshot, baseline: baseline, dayProfiles: byColumn(dayProfiles), baseProfiles: byColumn(baseProfiles),
            table: try store.rowTable(pipelineId: pipelineId, columns: definition.declaredColumns))
        let dates = try store.currentSnapshotDates(pipelineId: pipelineId, kind: .daily).compactMap { Day($0) }
        out.cadence = (definition.snapshots.cadence ?? .auto).resolved(dates + [day])
        return out
    }

    mutating func run() throws -> CompareOutcome {
        try loadNumbers()
        // The baseline's part first: on a first comparison it labels the baseline's rows, which
        // are dropped before the day's are made (never both in memory), and counts their served
        // decisions for the baseline facts on the way.
        let basePerformance = try loadBaselinePerformance()
        try loadFacts()
        let dayRows = try labelledRows(snapshot: snapshot, labelsFromFiles: true)
        var drift = try driftResults()
        if let target = try targetDrift(dayTruth: dayRows?.truthValues) { drift.append(target) }
        adjustForMultipleTests(&drift)
        judgeDrift(drift)
        judgeMissingValues()
        let performance = try performanceSection(day: dayRows, base: basePerformance)
        let operational = try operationalSection()
        let fairness = try fairnessSection(dayRows: dayRows)
        let segments = try segmentsSection(dayRows: dayRows, base: basePerformance)
        try technicalDebt(dayRows: dayRows)
        let retraining = recommendation(drift: drift)
        metrics.append(Metric(.retrainingRecommended, retraining.recommendation == .recommended ? 1 : 0))
        return CompareOutcome(
            drift: drift, findings: findings.bounded(), performance: performance, operational: operational, retraining: retraining,
            fairness: fairness, segments: segments)
    }

    /// A check that could not run on this snapshot, said so in the report (never silently).
    mutating func notEvaluated(_ check: CheckInfo, _ reason: String) {
        findings.append(Finding(
            check: CheckCatalog.notEvaluated.id, stage: .compare, category: CheckCatalog.notEvaluated.category, severity: .info,
            message: "\(check.id) (\(check.title.lowercased())) not evaluated: \(reason)",
            observed: "not evaluated", expected: check.id))
    }

    /// Writes the outcome: drift rows, findings, metrics and the structured results render reads.
    func save(_ outcome: CompareOutcome, stageRunId: Int64?) throws {
        try store.replaceDrift(snapshotId: snapshot.id, baselineSnapshotId: baseline.id, outcome.drift)
        try store.replaceFindings(snapshotId: snapshot.id, stage: .compare, outcome.findings, stageRunId: stageRunId)
        try store.replaceMetrics(snapshotId: snapshot.id, stage: .compare, metrics)
        try store.deleteResults(snapshotId: snapshot.id, stage: .compare)
        try store.putResult(snapshotId: snapshot.id, .performance, outcome.performance)
        try store.putResult(snapshotId: snapshot.id, .operational, outcome.operational)
        try store.putResult(snapshotId: snapshot.id, .retraining, outcome.retraining)
        try store.replaceFairnessGroups(snapshotId: snapshot.id, outcome.fairness ?? [])
        if let fairness = outcome.fairness {
            try store.putResult(snapshotId: snapshot.id, .fairness, fairness)
        }
        try store.replaceSegments(snapshotId: snapshot.id, outcome.segments ?? [])
        if let segments = outcome.segments {
            try store.putResult(snapshotId: snapshot.id, .segments, segments)
        }
        if let stageRunId { try store.completeStage(stageRunId, snapshotId: snapshot.id) }
    }

    // MARK: Columns

    /// Columns of both snapshots that drift is computed on: declared features, prediction and
    /// score present in both files, not text or timestamps, not skipped.
    var driftCandidates: [DeclaredColumn] {
        let dayHeader = Set(snapshot.header), baseHeader = Set(baseline.header)
        return definition.declaredColumns.filter {
            [.feature, .prediction, .score].contains($0.role) && $0.type != .text && $0.type != .datetime
                && dayHeader.contains($0.name) && baseHeader.contains($0.name) && !driftSettings(for: $0).skip
        }
    }

    /// The effective method, threshold and skip flag of a column: the column's own setting (for
    /// prediction, score and target under `drift.prediction|score|target`), else the pipeline's.
    func driftSettings(for column: DeclaredColumn) -> (method: DriftMethod, threshold: Double?, skip: Bool) {
        let spec: ColumnDriftSpec?
        switch column.role {
        case .prediction: spec = definition.drift?.prediction
        case .score: spec = definition.drift?.score
        case .target: spec = definition.drift?.target
        default: return definition.driftSettings(for: column)
        }
        let method = spec?.method ?? definition.drift?.method ?? .auto
        let threshold = spec?.threshold ?? (spec?.method == nil ? definition.drift?.threshold : nil)
        return (method, threshold, spec?.skip ?? false)
    }

    /// Drift of the numeric drift columns of the day against the baseline, and their most frequent
    /// values' shares (technical debt), computed a group of columns at a time: each group's
    /// sorted numbers (the baseline's from the process cache, else from the warehouse's
    /// sorted-column cache, else from its rows, then sorted and, when writable, cached in the
    /// warehouse) are dropped before the next group is read, so memory holds a few columns, not
    /// all of them (`numericDriftGroupBytes`).
    mutating func loadNumbers() throws {
        let candidates = driftCandidates.filter { $0.type.isNumeric }
        guard !candidates.isEmpty else { return }
        let rows = max(snapshot.rowsStored, baseline.rowsStored, 1)
        // Per column and row in flight: the baseline's sorted values, the day's read and sorted
        // values and the radix sort's keys.
        let groups = ColumnGroups.split(candidates, size: { _ in 32 * rows }, budget: Self.numericDriftGroupBytes)
        for group in groups {
            let names = group.map(\.name)
            baseNumbers = try baselineNumbers(names)
            // A day whose sorted columns an earlier stage cached (`sortedColumn`) skips reading and
            // sorting them.
            let cached = try store.sortedColumns(table, snapshotId: snapshot.id, columns: names)
            let day = try readNumbers(snapshot, names.filter { cached[$0] == nil })
            // The score in row order, for CBPE, comes with the read at no cost.
            if let scoreName = definition.schema.prediction?.score, let parts = day[scoreName] {
                dayScores = Array(parts.map(\.values).joined())
            }
            dayNumbers = sortedColumns(day).merging(cached.mapValues { NumericColumn($0, alreadySorted: true) }) { a, _ in a }
            let results = parallelMap(group.compactMap(numericDriftJob)) { $0.run() }
            for (c, result) in zip(group.filter { numericDriftJob($0) != nil }, results) { numericDrift[c.name] = result }
            for c in group {
                if let share = dayNumbers[c.name].flatMap({ SortedSamples.modeShare(sorted: $0.sorted) }) { dayModeShare[c.name] = share }
                if let share = baseNumbers[c.name].flatMap({ SortedSamples.modeShare(sorted: $0.sorted) }) { baseModeShare[c.name] = share }
            }
            baseNumbers = [:]
            dayNumbers = [:]
        }
    }

    /// Memory for the numeric drift columns read at once (`loadNumbers`).
    static let numericDriftGroupBytes = ColumnGroups.numericBytes

    /// The day's finite scores in row order: from `loadNumbers` when it read them, else read now.
    mutating func scoresInRowOrder() throws -> [Double] {
        if dayScores.isEmpty, let scoreName = definition.schema.prediction?.score, Set(snapshot.header).contains(scoreName) {
            dayScores = try store.readFiniteNumbers(table, snapshotId: snapshot.id, columns: [scoreName])[scoreName]?.values ?? []
        }
        return dayScores
    }

    func baselineNumbers(_ names: [String]) throws -> [String: NumericColumn] {
        let cacheKey = "\(warehouse.location)#\(baseline.id)#\(baseline.sha256)"
        if let cached = BaselineColumnCache.shared.get(cacheKey, names) { return cached }
        var columns: [String: NumericColumn] = [:]
        for (name, numbers) in try store.sortedColumns(table, snapshotId: baseline.id, columns: names) {
            columns[name] = NumericColumn(numbers, alreadySorted: true)
        }
        let missing = names.filter { columns[$0] == nil }
        if !missing.isEmpty {
            let read = sortedColumns(try readNumbers(baseline, missing))
            if cacheWritable {
                for (name, column) in read.sorted(by: { $0.key < $1.key }) {
                    try store.putSortedColumn(table, snapshotId: baseline.id, column: name, column.finite)
                }
            }
            columns.merge(read) { _, new in new }
        }
        // The process keeps them only when the warehouse cannot (a read-only comparison): else
        // the next day reads the warehouse's sorted-column cache, a group at a time.
        if !cacheWritable { BaselineColumnCache.shared.put(cacheKey, columns) }
        return columns
    }

    /// Finite values of numeric columns of a snapshot, in row order when the parts are joined;
    /// large snapshots are read on two connections at once (the columnar copy's columns shared
    /// out between them, or two parts of the rows).
    func readNumbers(_ s: SnapshotRecord, _ names: [String]) throws -> [String: [FiniteNumbers]] {
        if let range = try store.rowidRange(table, snapshotId: s.id), range.count >= 200_000 {
            return try warehouse.readFiniteNumberParts(
                table, snapshotId: s.id, columns: names, rowids: range, parts: 2, columnar: columnar)
        }
        return try store.readFiniteNumbers(table, snapshotId: s.id, columns: names, columnar: columnar).mapValues { [$0] }
    }

    func sortedColumns(_ raw: [String: [FiniteNumbers]]) -> [String: NumericColumn] {
        let items = raw.sorted { $0.key < $1.key }
        let sorted = parallelMap(items) { NumericColumn(parts: $0.value) }
        return Dictionary(zip(items.map(\.key), sorted), uniquingKeysWith: { a, _ in a })
    }

    /// Category counts of a column from its profile (categorical or boolean).
    func categoryCounts(_ profile: ColumnProfile?) -> [String: Int]? {
        guard let profile else { return nil }
        if let counts = profile.categorical?.counts {
            return Dictionary(counts.map { ($0.value, $0.count) }, uniquingKeysWith: +)
        }
        if let b = profile.boolean {
            return ["true": b.trueCount, "false": b.count - b.trueCount]
        }
        return nil
    }
}
