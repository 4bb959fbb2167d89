import AuditModel

// The storage seam: the protocols through which the stages, Pipeline, Render and Verify reach
// the warehouse. SQLite (`Warehouse`, `Store`, `SQLiteRowWriter`) implements them in this
// target; PostgreSQL (`WarehousePostgres`) implements them in its own. The stages see only
// these protocols; which backend runs is chosen once, from the definition's `warehouse:`
// (`WarehouseBackends.open`). docs/architecture.md has the diagram and the table of callers.
//
// Rules every implementation keeps (the SQLite one is the reference, and the warehouse test
// suite its specification):
// - Synchronous. A backend on an asynchronous client (postgres-nio) blocks on its futures:
//   this is a batch command-line tool, and the stages are written as straight-line code.
// - One transaction per `read`/`write` call. Everything a stage writes in one `write` body,
//   its results and its ledger entry (`completeStage`) included, commits together or not at
//   all; an error thrown from the body rolls it all back (crash safety, docs/warehouse.md).
// - A transaction handle (`WarehouseTransaction`) is used only inside its body, on the
//   calling thread; it is not `Sendable` and must not escape.
// - Batch-level calls: row writes go a batch at a time (`RowWriter.write(_:)`), column reads
//   a set of whole columns at a time (`readColumns`), so no protocol dispatch happens per value.
// - The same values back: what a stage reads is what it (or an earlier stage) wrote, bit for
//   bit for numbers (NaN, infinities and -0.0 as docs/warehouse.md describes), and in the
//   documented order (insertion order for findings, profiles and drift; `ORDER BY name, column`
//   for metrics; row order for columns).
// - Errors are `MLAuditError`s (code `.warehouse`), naming the warehouse and what to do;
//   a refused lease is code `.locked`, naming the holder.
//
// A server backend (WarehousePostgres) provides:
// 1. a `WarehouseBackend` class, whose `read`/`write` hand out its `WarehouseTransaction`
//    (all of `RunLedger`, `SnapshotCatalog`, `ResultStore`, `RowStorage`, plus `quickCheck`),
//    building the records with their public initializers (`Records+Init.swift`, `RowTable`);
// 2. a `RowWriter` taking `TypedRowSlots` batches (COPY, say), and a `PipelineLease`;
// 3. an opener `(url, WarehouseOpenOptions) throws -> OpenedWarehouse` that takes the lease
//    before migrating when `lockPipeline` is set and never writes when `readOnly` is;
// 4. its registration, once, by the executable before any command runs:
//    `WarehouseBackends.register(scheme: "postgres") { url, options in … }`.
// `SeamContract` (Tests/TestSupport) holds checks any backend's tests can run against it;
// the SQLite backend passes them (WarehouseTests/SeamContractTests.swift).

/// The run ledger: pipelines, the definitions and runs that audited them, and each stage's
/// entry per date (docs/warehouse.md: `pipeline`, `definition`, `run`, `stageRun`).
///
/// `completeStage` is called inside the stage's own `write`, so `ok` in the ledger means the
/// stage's results are complete.
public protocol RunLedger {
    /// The id of pipeline `name`, created on first use.
    func ensurePipeline(_ name: String) throws -> Int64
    /// The id of pipeline `name`, or nil when it has never run.
    func ensurePipelineIfExists(_ name: String) throws -> Int64?
    /// Records a definition version (deduplicated by SHA-256) and returns its id.
    func recordDefinition(pipelineId: Int64, _ loaded: LoadedDefinition) throws -> Int64

    func startRun(pipelineId: Int64, definitionId: Int64?, command: String) throws -> Int64
    func finishRun(_ runId: Int64, ok: Bool, exitStatus: Int32, error: String?) throws
    func run(id: Int64) throws -> RunRecord?
    /// Marks runs and stages left `running` by a process that died as failed; returns how
    /// many runs were marked.
    @discardableResult
    func markInterrupted(pipelineId: Int64, exceptRun current: Int64) throws -> Int

    /// Marks a stage as started for a date; returns the stageRun id.
    func startStage(runId: Int64, pipelineId: Int64, date: String, stage: Stage) throws -> Int64
    /// Marks a stage done, inside the stage's own transaction.
    func completeStage(_ stageRunId: Int64, snapshotId: Int64?) throws
    func failStage(_ stageRunId: Int64, error: String) throws
    /// The latest ledger entry of a stage for a date.
    func lastStageRun(pipelineId: Int64, date: String, stage: Stage) throws -> StageRunRecord?
    /// Every stage run of a run, in order.
    func stageRuns(runId: Int64) throws -> [StageRunRecord]
    /// The latest successful stage runs for a date, one per stage.
    func completedStages(pipelineId: Int64, date: String) throws -> [StageRunRecord]
    /// The pipeline's most recent run (any command), or nil (`mlaudit status`, the fleet page).
    func latestRun(pipelineId: Int64) throws -> LatestRun?
    /// Every pipeline of the warehouse by name, in byte order (`mlaudit status` with
    /// `MLAUDIT_WAREHOUSE_URL` and no definitions).
    func pipelineNames() throws -> [String]
}

/// Snapshots and what comes with them at ingest: versions, part files, model configurations,
/// quarantined rows and late labels (docs/warehouse.md: `snapshot`, `snapshotPart`,
/// `modelConfig`, `quarantinedRow`, `label`).
public protocol SnapshotCatalog {
    /// Records a model configuration's content (deduplicated by SHA-256) and returns its id.
    func recordModelConfig(pipelineId: Int64, path: String, content: String, sha256: String) throws -> Int64
    func modelConfig(id: Int64) throws -> (path: String, content: String, sha256: String)?

    /// The current (not superseded) version of a snapshot.
    func currentSnapshot(pipelineId: Int64, kind: SnapshotKind, date: String) throws -> SnapshotRecord?
    func snapshot(id: Int64) throws -> SnapshotRecord?
    /// Every version of a snapshot, oldest first.
    func snapshotVersions(pipelineId: Int64, kind: SnapshotKind, date: String) throws -> [SnapshotRecord]
    /// Current daily snapshots, oldest date first.
    func currentDailySnapshots(pipelineId: Int64) throws -> [SnapshotRecord]
    /// Dates with a current snapshot of `kind`, oldest first.
    func currentSnapshotDates(pipelineId: Int64, kind: SnapshotKind) throws -> [String]
    /// The newest current daily snapshot date, if any.
    func newestDailyDate(pipelineId: Int64) throws -> String?
    /// Inserts a snapshot as the current version (superseding the previous current one).
    func insertSnapshot(pipelineId: Int64, _ s: NewSnapshot) throws -> (id: Int64, version: Int)
    /// Sets the row counts of a snapshot; `read` must equal `stored + quarantined`.
    func finishSnapshot(_ id: Int64, read: Int, stored: Int, quarantined: Int) throws
    func setSnapshotHeader(_ id: Int64, header: [String]) throws
    func setSnapshotModelConfig(_ id: Int64, _ configId: Int64?, path: String?) throws
    func setSnapshotDigest(_ id: Int64, sha256: String, bytes: Int) throws
    func insertSnapshotParts(snapshotId: Int64, _ parts: [SnapshotPartRecord]) throws
    func snapshotParts(snapshotId: Int64) throws -> [SnapshotPartRecord]
    /// Clears the purge mark after the rows were loaded again.
    func clearPurged(_ snapshotId: Int64) throws

    /// Adds quarantined rows (a batch at a time).
    func insertQuarantined(snapshotId: Int64, _ rows: [QuarantinedRow]) throws
    /// Quarantined rows of a snapshot in (file, line) order, at most `limit`.
    func quarantined(snapshotId: Int64, limit: Int) throws -> [QuarantinedRow]
    /// Quarantine counts by reason, most frequent first.
    func quarantineReasons(snapshotId: Int64) throws -> [ValueCount]
    /// Quarantined rows per column that caused them, with examples.
    func quarantineByColumn(snapshotId: Int64) throws -> [QuarantineByColumn]

    func insertLabels(snapshotId: Int64, _ labels: [(rowId: String, value: String?, line: Int)]) throws
    /// How often each label value occurs (nulls left out), most frequent first.
    func labelValueCounts(snapshotId: Int64) throws -> [ValueCount]
    /// Ids labelled more than once with different values: how many, and up to `examples`.
    func conflictingLabelIds(snapshotId: Int64, examples: Int) throws -> (count: Int, examples: [String])
    /// Labels by row id (the last one wins when an id repeats).
    func labels(snapshotId: Int64) throws -> [String: String]
    /// Deletes a labels snapshot's labels, quarantined rows and parts (before reloading it).
    func deleteLabelRows(snapshotId: Int64) throws

    // The serving hosts' resource samples (`operational.resources`): one current file per date.
    /// The resources file loaded for a period date, or nil.
    func resourceFile(pipelineId: Int64, date: String) throws -> ResourceFileRecord?
    /// Records the resources file of a date (counts 0), replacing the previous one with its
    /// samples and quarantined rows; returns its id.
    func replaceResourceFile(pipelineId: Int64, date: String, sourcePath: String, sha256: String, bytes: Int) throws -> Int64
    /// Sets the row counts; `read` must equal `stored + quarantined`.
    func finishResourceFile(_ id: Int64, read: Int, stored: Int, quarantined: Int) throws
    func insertResourceSamples(fileId: Int64, _ samples: [ResourceSample]) throws
    /// A file's samples in line order.
    func resourceSamples(fileId: Int64) throws -> [ResourceSample]
    func insertResourceQuarantined(fileId: Int64, _ rows: [QuarantinedRow]) throws
    /// A file's quarantined rows in (file, line) order, at most `limit`.
    func resourceQuarantined(fileId: Int64, limit: Int) throws -> [QuarantinedRow]
    /// Whether any of a file's samples are stored (false after retention deleted them).
    func hasResourceSamples(fileId: Int64) throws -> Bool
    /// Deletes the samples of resources files dated before `cutoff` (`retention.raw_days`); the
    /// file records (counts, hash) and their quarantined rows stay. Returns the samples deleted.
    func purgeResourceSamples(pipelineId: Int64, before cutoff: String) throws -> Int
}

extension SnapshotCatalog {
    public func quarantined(snapshotId: Int64) throws -> [QuarantinedRow] {
        try quarantined(snapshotId: snapshotId, limit: 1_000_000)
    }

    public func conflictingLabelIds(snapshotId: Int64) throws -> (count: Int, examples: [String]) {
        try conflictingLabelIds(snapshotId: snapshotId, examples: 3)
    }
}

/// What the stages conclude: findings, metrics, profiles, drift, correlations, segments,
/// fairness groups, structured results (`StoredResultKey`), and Render's report ledger.
public protocol ResultStore {
    /// Replaces a stage's findings for a snapshot.
    func replaceFindings(snapshotId: Int64, stage: Stage, _ findings: [Finding], stageRunId: Int64?) throws
    /// Adds findings without removing earlier ones.
    func appendFindings(snapshotId: Int64, _ findings: [Finding], stageRunId: Int64?) throws
    /// Findings of a snapshot, optionally of one stage, in insertion order.
    func findings(snapshotId: Int64, stage: Stage?) throws -> [Finding]

    /// Replaces the metrics a stage wrote for a snapshot.
    func replaceMetrics(snapshotId: Int64, stage: Stage, _ metrics: [Metric]) throws
    /// Metrics of a snapshot ordered by name, then column.
    func metrics(snapshotId: Int64) throws -> [Metric]
    func metric(snapshotId: Int64, name: MetricName, column: String) throws -> Double?
    /// A metric over the current daily snapshots with date in `from...to`, oldest first (nil
    /// value: the snapshot has no such metric).
    func metricSeries(pipelineId: Int64, name: MetricName, column: String, from: String, to: String) throws
        -> [(date: String, value: Double?)]

    func replaceProfiles(snapshotId: Int64, _ profiles: [ColumnProfile]) throws
    func profiles(snapshotId: Int64) throws -> [ColumnProfile]
    func replaceCorrelations(snapshotId: Int64, _ correlations: [Correlation]) throws
    func correlations(snapshotId: Int64) throws -> [Correlation]
    func replaceDrift(snapshotId: Int64, baselineSnapshotId: Int64, _ results: [DriftResult]) throws
    func drift(snapshotId: Int64) throws -> [DriftResult]
    func replaceSegments(snapshotId: Int64, _ segments: [AuditSummary.Segment]) throws
    func segmentSeries(pipelineId: Int64, column: String, from: String, to: String) throws -> [SegmentRecord]
    func replaceFairnessGroups(snapshotId: Int64, _ attributes: [AuditSummary.FairnessAttribute]) throws
    func fairnessGroupSeries(pipelineId: Int64, attribute: String, from: String, to: String) throws -> [FairnessGroupRecord]

    /// Removes every structured result a stage stored for a snapshot.
    func deleteResults(snapshotId: Int64, stage: Stage) throws
    /// Stores a structured result (JSON, sorted keys) under its key.
    func putResult<T>(snapshotId: Int64, _ key: StoredResultKey<T>, _ value: T) throws
    /// The structured result stored under a key, or nil; throws when it does not decode.
    func result<T>(_ key: StoredResultKey<T>, snapshotId: Int64) throws -> T?

    // The report ledger (Render, Verify, ticket).
    /// The newest report version of a date.
    func latestReport(pipelineId: Int64, date: String) throws -> ReportRecord?
    /// The newest report of the pipeline (the head of the manifest chain).
    func lastReport(pipelineId: Int64) throws -> ReportRecord?
    /// Every report of the pipeline in chain order.
    func reports(pipelineId: Int64) throws -> [ReportRecord]
    func report(pipelineId: Int64, date: String, version: Int) throws -> ReportRecord?
    func insertReport(
        pipelineId: Int64, date: String, version: Int, snapshotId: Int64, directory: String, status: AuditStatus,
        contentSha256: String, manifestSha256: String, previousManifestSha256: String?, runId: Int64?,
        recommendation: Recommendation, counts: AuditSummary.SeverityCounts,
        files: [(name: String, sha256: String, bytes: Int)]
    ) throws -> Int64
    func reportFiles(reportId: Int64) throws -> [(name: String, sha256: String, bytes: Int)]
    /// The newest report of the latest audited period: the highest date, and of it the highest
    /// version (`mlaudit status`, the fleet page, the Prometheus textfile).
    func latestPeriodReport(pipelineId: Int64) throws -> ReportRecord?
    /// Every audited date of the pipeline, oldest first.
    func reportedDates(pipelineId: Int64) throws -> [String]
}

extension ResultStore {
    public func findings(snapshotId: Int64) throws -> [Finding] { try findings(snapshotId: snapshotId, stage: nil) }

    public func metric(snapshotId: Int64, name: MetricName) throws -> Double? {
        try metric(snapshotId: snapshotId, name: name, column: "")
    }

    public func metricSeries(pipelineId: Int64, name: MetricName, from: String, to: String) throws
        -> [(date: String, value: Double?)]
    {
        try metricSeries(pipelineId: pipelineId, name: name, column: "", from: from, to: to)
    }
}

/// The typed rows of a pipeline: the row-table layout, batch row writes (ingest), whole-column
/// reads (validate, profile, compare), the sorted-column cache, and deleting rows (reloading,
/// retention). Every call works on whole batches or columns.
public protocol RowStorage {
    /// Whether a text value may hold a NUL byte (U+0000). SQLite's TEXT can; PostgreSQL's
    /// cannot, so on it the ingest sets such a row aside (quarantined, with the reason) instead
    /// of changing the value (docs/warehouse.md).
    var textHoldsNUL: Bool { get }
    /// Makes sure the pipeline's row table has a column for each of `columns` and returns the layout.
    func rowTable(pipelineId: Int64, columns: [DeclaredColumn]) throws -> RowTable
    /// A writer of one snapshot's rows (and their columnar copy), a batch at a time.
    func rowWriter(_ table: RowTable, snapshotId: Int64) throws -> any RowWriter
    /// Deletes the stored rows, their columnar copy and the quarantined rows of a snapshot.
    func deleteStoredRows(_ table: RowTable, snapshotId: Int64) throws
    /// Deletes the rows, columnar copy, sorted-column cache and labels of daily and labels
    /// snapshots dated before `cutoff`; returns the snapshots purged with the rows deleted.
    func purgeRows(pipelineId: Int64, before cutoff: String) throws -> [(date: String, rows: Int)]
    func storedRowCount(_ table: RowTable, snapshotId: Int64) throws -> Int

    /// Whole columns of a snapshot in row order (`columnar: false` reads the row records even
    /// where a columnar copy exists; `parallelFrom`: a backend's hint for splitting the read).
    func readColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], parallelFrom: Int, columnar: Bool
    ) throws -> [String: ColumnData]
    /// The columns `names` in groups to read one after another within memory budgets.
    func columnGroups(
        _ table: RowTable, snapshotId: Int64, columns names: [String], numericBudget: Int, rowScanBudget: Int
    ) throws -> [[String]]
    /// Hands columns just read to the next `readColumns` of the same columns in this process.
    func handOffColumns(_ table: RowTable, snapshotId: Int64, _ columns: [String: ColumnData]) throws
    /// Text columns of a snapshot in one scan: each column's values with their counts, the
    /// per-row codes of the columns in `codes`, and with `rowKeys` one key per row over them all;
    /// the columns in `hashed` as `HashedText` (distinct values and repeated ones, exact).
    func readTextColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], codes keep: [String], rowKeys: Bool,
        hashed: [String], parallelFrom: Int
    ) throws -> TextColumns
    /// Hands text columns just read to the next `readTextColumns` of the same snapshot in this process.
    func handOffTextColumns(_ table: RowTable, snapshotId: Int64, _ text: TextColumns) throws
    /// The finite values of numeric columns (unsorted) with the counts left out; `rowids`
    /// restricts to a range of row ids (as `rowidRange` gives them).
    func readFiniteNumbers(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>?, columnar: Bool
    ) throws -> [String: FiniteNumbers]
    /// The range of row ids a snapshot's rows occupy (nil: no rows).
    func rowidRange(_ table: RowTable, snapshotId: Int64) throws -> ClosedRange<Int64>?
    /// Rows per hour of day (`HH`) of a datetime column.
    func hourCounts(_ table: RowTable, snapshotId: Int64, column: String) throws -> [String: Int]
    /// Undeclared columns' values (JSON objects) in row order.
    func extraColumns(_ table: RowTable, snapshotId: Int64) throws -> [String?]
    /// Source lines of the stored rows in row order.
    func storedLines(_ table: RowTable, snapshotId: Int64) throws -> [Int]

    /// The sorted-column cache: finite values sorted ascending, with the counts left out.
    func sortedColumns(_ table: RowTable, snapshotId: Int64, columns names: [String]) throws -> [String: FiniteNumbers]
    func putSortedColumn(_ table: RowTable, snapshotId: Int64, column: String, _ numbers: FiniteNumbers) throws
    func deleteSortedColumns(snapshotId: Int64) throws
}

extension RowStorage {
    public func readColumns(_ table: RowTable, snapshotId: Int64, columns names: [String]) throws -> [String: ColumnData] {
        try readColumns(table, snapshotId: snapshotId, columns: names, parallelFrom: 100_000, columnar: true)
    }

    public func readTextColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], codes keep: [String], rowKeys: Bool, hashed: [String] = []
    ) throws -> TextColumns {
        try readTextColumns(
            table, snapshotId: snapshotId, columns: names, codes: keep, rowKeys: rowKeys, hashed: hashed, parallelFrom: 100_000)
    }

    public func columnGroups(_ table: RowTable, snapshotId: Int64, columns names: [String]) throws -> [[String]] {
        try columnGroups(
            table, snapshotId: snapshotId, columns: names, numericBudget: ColumnGroups.numericBytes,
            rowScanBudget: ColumnGroups.rowScanBytes)
    }

    public func readColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], parallelFrom: Int
    ) throws -> [String: ColumnData] {
        try readColumns(table, snapshotId: snapshotId, columns: names, parallelFrom: parallelFrom, columnar: true)
    }

    public func readColumns(
        _ table: RowTable, snapshotId: Int64, columns names: [String], columnar: Bool
    ) throws -> [String: ColumnData] {
        try readColumns(table, snapshotId: snapshotId, columns: names, parallelFrom: 100_000, columnar: columnar)
    }

    public func columnGroups(
        _ table: RowTable, snapshotId: Int64, columns names: [String], numericBudget: Int
    ) throws -> [[String]] {
        try columnGroups(
            table, snapshotId: snapshotId, columns: names, numericBudget: numericBudget,
            rowScanBudget: ColumnGroups.rowScanBytes)
    }

    public func columnGroups(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowScanBudget: Int
    ) throws -> [[String]] {
        try columnGroups(
            table, snapshotId: snapshotId, columns: names, numericBudget: ColumnGroups.numericBytes,
            rowScanBudget: rowScanBudget)
    }

    public func readFiniteNumbers(_ table: RowTable, snapshotId: Int64, columns names: [String]) throws -> [String: FiniteNumbers] {
        try readFiniteNumbers(table, snapshotId: snapshotId, columns: names, rowids: nil, columnar: true)
    }

    public func readFiniteNumbers(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>?
    ) throws -> [String: FiniteNumbers] {
        try readFiniteNumbers(table, snapshotId: snapshotId, columns: names, rowids: rowids, columnar: true)
    }

    public func readFiniteNumbers(
        _ table: RowTable, snapshotId: Int64, columns names: [String], columnar: Bool
    ) throws -> [String: FiniteNumbers] {
        try readFiniteNumbers(table, snapshotId: snapshotId, columns: names, rowids: nil, columnar: columnar)
    }
}

/// Everything a stage may do inside one transaction of the warehouse.
///
/// A handle lives only for the body of one `WarehouseBackend.read` or `write`.
public protocol WarehouseTransaction: RunLedger, SnapshotCatalog, ResultStore, RowStorage {
    /// The backend's quick health check inside this transaction ("ok" when healthy).
    func quickCheck() throws -> [String]
}

/// A warehouse: opens read and write transactions that hand out a `WarehouseTransaction`.
///
/// Implementations are classes shared by reference across the stages of one process (and
/// `Sendable`: the compare stage reads from a second thread through `readFiniteNumberParts`).
public protocol WarehouseBackend: AnyObject, Sendable {
    /// Where the warehouse is, for messages and cache keys: a SQLite file's path, or a URL
    /// without a password.
    var location: String { get }
    /// Runs `body` in a read transaction (a consistent snapshot of committed data).
    func read<T>(_ body: (any WarehouseTransaction) throws -> T) throws -> T
    /// Runs `body` in one write transaction: all of it is committed, or none of it.
    func write<T>(_ body: (any WarehouseTransaction) throws -> T) throws -> T
    /// The backend's quick health check ("ok" when healthy), read-only.
    func quickCheck() throws -> [String]
    /// Reads the finite values of numeric columns split into `parts` pieces by row id, the
    /// pieces read in parallel where the backend can (compare's baseline read). Each piece's
    /// values are unsorted; the pieces' counts add up to the whole column's.
    func readFiniteNumberParts(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>, parts: Int,
        minimumRowsPerPart: Int, columnar: Bool
    ) throws -> [String: [FiniteNumbers]]
    /// Reclaims the space of deleted rows; the size before and after, in bytes (0 when the
    /// backend cannot tell).
    func vacuum() throws -> (before: Int, after: Int)
}

extension WarehouseBackend {
    public func readFiniteNumberParts(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>, parts: Int,
        minimumRowsPerPart: Int = 50_000
    ) throws -> [String: [FiniteNumbers]] {
        try readFiniteNumberParts(
            table, snapshotId: snapshotId, columns: names, rowids: rowids, parts: parts,
            minimumRowsPerPart: minimumRowsPerPart, columnar: true)
    }

    public func readFiniteNumberParts(
        _ table: RowTable, snapshotId: Int64, columns names: [String], rowids: ClosedRange<Int64>, parts: Int,
        columnar: Bool
    ) throws -> [String: [FiniteNumbers]] {
        try readFiniteNumberParts(
            table, snapshotId: snapshotId, columns: names, rowids: rowids, parts: parts, minimumRowsPerPart: 50_000,
            columnar: columnar)
    }
}

/// An exclusive hold on one pipeline, released when the value is released (or the process or
/// its database session ends, `kill -9` included), so that a killed holder never leaves a
/// stale lock. Two runs of the same pipeline never work at once.
public protocol PipelineLease: AnyObject {
    /// Who held the lock before, when the previous holder left information behind.
    var previousHolder: String? { get }
}

/// How a typed value is held in a slot of `TypedRowSlots`.
public enum RowSlotKind: UInt8, Sendable {
    case null = 0
    /// `payload` is the Int64 (integers and booleans 0/1).
    case integer = 1
    /// `payload` is the Double's bit pattern.
    case double = 2
    /// `payload` is an offset into the text arena, `length` its byte count (UTF-8).
    case text = 3
    /// A NaN float (the row table stores the text `NaN`).
    case nan = 4
}

/// A batch of typed rows as the ingest's parser leaves them: row-major slots
/// (`row * columns + column`, columns in the `RowTable`'s order), text bytes in one arena.
/// A view: the memory belongs to the caller and is valid only during `RowWriter.write`.
public struct TypedRowSlots {
    public let rows: Int
    public let columns: Int
    /// `RowSlotKind` raw values.
    public let kinds: UnsafePointer<UInt8>
    public let payloads: UnsafePointer<Int64>
    public let lengths: UnsafePointer<Int32>
    /// Per row: the line in the source file.
    public let lines: UnsafePointer<Int>
    /// Per row: arena offset of the undeclared columns' JSON object, or -1.
    public let extraOffsets: UnsafePointer<Int>
    public let extraLengths: UnsafePointer<Int32>
    public let arena: UnsafeRawPointer

    public init(
        rows: Int, columns: Int, kinds: UnsafePointer<UInt8>, payloads: UnsafePointer<Int64>,
        lengths: UnsafePointer<Int32>, lines: UnsafePointer<Int>, extraOffsets: UnsafePointer<Int>,
        extraLengths: UnsafePointer<Int32>, arena: UnsafeRawPointer
    ) {
        self.rows = rows
        self.columns = columns
        self.kinds = kinds
        self.payloads = payloads
        self.lengths = lengths
        self.lines = lines
        self.extraOffsets = extraOffsets
        self.extraLengths = extraLengths
        self.arena = arena
    }

    /// The bytes of a text slot or extra object.
    @inline(__always) public func text(offset: Int64, length: Int32) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + Int(offset), count: Int(length))
    }
}

/// Writes one snapshot's typed rows, a batch at a time, inside the caller's write transaction:
/// the rows into the row table and the numbers of numeric, integer and boolean columns into
/// their columnar copy (`numericColumn`). `finish()` after the last batch.
public protocol RowWriter: AnyObject {
    func write(_ rows: TypedRowSlots) throws
    /// Writes what is still buffered (the last chunk of the columnar copy) and what finds the
    /// rows (SQLite: the snapshot's rowid range in its catalog record). Call it after the last
    /// batch, in the same transaction: the snapshot's rows are read only after it.
    func finish() throws
}
