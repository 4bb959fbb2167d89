import AuditModel
import Compare
import Draft
import Foundation
import Ingest
import Logging
import Profile
import Warehouse

/// `mlaudit compare --baseline A.csv --current B.csv`: drift between two files without a
/// pipeline definition. The schema is inferred from the baseline as `mlaudit init` infers it
/// (numeric when every baseline value parses as a number; current values that do not are
/// quarantined; identifiers, free text and timestamps are left out of drift, as a
/// pipeline leaves them; everything else categorical) or declared; both files go through the
/// pipeline's own ingest, profile and drift code in a temporary warehouse, so the numbers are
/// those of `mlaudit run`.
public enum AdHocComparison {
    public struct Options: Sendable {
        public var baseline: String
        public var current: String
        public var method: DriftMethod
        /// Columns declared categorical (win over inference).
        public var categorical: [String]
        /// Columns declared numeric (win over inference; values that do not parse quarantine the row).
        public var numeric: [String]
        /// Columns left out (e.g. the model's score and prediction, so they are not counted as features).
        public var ignore: [String] = []

        public init(baseline: String, current: String, method: DriftMethod = .auto, categorical: [String] = [],
                    numeric: [String] = [], ignore: [String] = []) {
            self.ignore = ignore
            self.baseline = baseline
            self.current = current
            self.method = method
            self.categorical = categorical
            self.numeric = numeric
        }
    }

    /// What `--json` prints: the current file's row counts and the drift section of summary.json.
    public struct Output: Codable, Sendable, Equatable {
        public var rows: AuditSummary.RowCounts
        public var drift: AuditSummary.DriftSection
        /// What ingest found in either file, in words: quarantined rows with their first lines
        /// and reasons, a truncated stream, a header that does not match. Empty when clean.
        public var warnings: [String] = []
    }

    /// The result, with the column types used (for the text table).
    public struct Result: Sendable {
        public var output: Output
        public var types: [String: ColumnType]
        /// Baseline columns missing from the current file (not compared).
        public var missingInCurrent: [String]
        /// Columns inferred as identifiers or free text, or as timestamps (not compared).
        public var notComparable: [String] = []
    }

    static let day = Day("2000-01-01")!

    /// The baseline's header and its numeric columns, by the inference `mlaudit init` uses (a
    /// column is numeric when every non-null value parses as a number). Types come from the
    /// baseline, as a pipeline's definition does: a current file's value that does not fit is
    /// quarantined and counted, not a reason to compare the column as categories. Only a
    /// column with no value in the baseline is typed by the current file.
    static func inferTypes(baseline: String, current: String) throws -> (header: [String], numeric: Set<String>, skipped: Set<String>) {
        let base = try SchemaInference.sketch(path: baseline).columns
        let header = base.map(\.name)
        func numeric(_ s: ColumnSketch) -> Bool {
            let t = s.inferredType()
            return s.nonNull == 0 || t == .numeric || t == .integer
        }
        var numericColumns = Set(base.filter { $0.nonNull > 0 && numeric($0) }.map(\.name))
        let empty = base.filter { $0.nonNull == 0 }.map(\.name)
        if !empty.isEmpty {
            let other = try SchemaInference.sketch(path: current).columns
            for name in empty where other.first(where: { $0.name == name }).map(numeric) ?? true { numericColumns.insert(name) }
        }
        // Identifiers, free text and timestamps: drift on them is meaningless (every value new).
        let skipped = base.filter { s in
            let t = s.inferredType()
            return s.nonNull > 0 && (t == .text || t == .datetime)
        }.map(\.name)
        return (header, numericColumns, Set(skipped))
    }

    /// Compares the two files.
    ///
    /// - Throws: `MLAuditError` when a file is missing or unreadable, or a declared column is
    ///   not in the baseline's header (usage). Drift is a result, not an error.
    public static func run(_ options: Options, logger: Logger) throws -> Result {
        let baseline = absolute(options.baseline), current = absolute(options.current)
        if let n = options.categorical.first(where: { options.numeric.contains($0) }) {
            throw MLAuditError(
                .usage, "column '\(n)' is declared both categorical and numeric", hint: "Give it to one of --categorical and --numeric.")
        }
        let inferred = try inferTypes(baseline: baseline, current: current)
        var seen = Set<String>()
        var features: [FeatureSpec] = []
        var types: [String: ColumnType] = [:]
        var notComparable: [String] = []
        for n in options.ignore where !inferred.header.contains(n) {
            throw MLAuditError(
                .usage, "column '\(n)' given to --ignore is not in the header of the baseline file", file: baseline,
                hint: "Columns: \(inferred.header.prefix(20).joined(separator: ", "))\(inferred.header.count > 20 ? ", …" : "").")
        }
        if let n = options.ignore.first(where: { options.categorical.contains($0) || options.numeric.contains($0) }) {
            throw MLAuditError(
                .usage, "column '\(n)' is both ignored and declared \(options.categorical.contains(n) ? "categorical" : "numeric")",
                hint: "Give it to one of --ignore, --categorical and --numeric.")
        }
        for name in inferred.header where !name.isEmpty && !options.ignore.contains(name) && seen.insert(name).inserted {
            if inferred.skipped.contains(name), !options.categorical.contains(name), !options.numeric.contains(name) {
                notComparable.append(name)
                continue
            }
            let type: ColumnType
            if options.categorical.contains(name) {
                type = .categorical
            } else if options.numeric.contains(name) || inferred.numeric.contains(name) {
                type = .numeric
            } else {
                type = .categorical
            }
            types[name] = type
            features.append(FeatureSpec(name: name, type: type))
        }
        for n in options.categorical + options.numeric where types[n] == nil {
            throw MLAuditError(
                .usage, "column '\(n)' is not in the header of the baseline file", file: baseline,
                hint: "Columns: \(inferred.header.prefix(20).joined(separator: ", "))\(inferred.header.count > 20 ? ", …" : "").")
        }
        guard !features.isEmpty else {
            if !options.ignore.isEmpty, inferred.header.contains(where: { !$0.isEmpty }) {
                throw MLAuditError(
                    .usage, "nothing to compare: every column of the baseline file is given to --ignore"
                        + (notComparable.isEmpty ? "" : " or left out as identifiers, free text or timestamps"),
                    file: baseline, hint: "Leave at least one column out of --ignore.")
            }
            if !notComparable.isEmpty {
                throw MLAuditError(
                    .unreadableInput,
                    "nothing to compare: no column of the baseline file is comparable (left out as identifiers, free text or timestamps: \(notComparable.joined(separator: ", ")))",
                    file: baseline, hint: "Declare a column with --categorical COL to compare it anyway.")
            }
            throw MLAuditError(.unreadableInput, "the baseline file has no named columns", file: baseline,
                               hint: "A CSV file for mlaudit starts with a line of column names.")
        }
        let folder = NSTemporaryDirectory() + "mlaudit-compare-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let definition = PipelineDefinition(
            name: "adhoc", model: ModelSpec(name: "ad hoc", version: "-"), baseline: SourceSpec(path: baseline),
            snapshots: SourceSpec(path: current), schema: SchemaSpec(features: features, unexpectedColumns: .ignore),
            drift: DriftSpec(method: options.method), warehouse: folder + "/adhoc.sqlite")
        let loaded = LoadedDefinition(definition: definition, path: "(ad hoc comparison)", text: "", sha256: "", lines: [:])
        let warehouse = try Warehouse(path: loaded.warehousePath)
        var currentRows = AuditSummary.RowCounts(read: 0, stored: 0, quarantined: 0)
        var warnings: [String] = []
        for (target, path) in [(AuditTarget.baseline, baseline), (.day(day), current)] {
            let ingest = try IngestStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, runId: nil, stageRunId: nil)
            if target != .baseline {
                currentRows = .init(read: ingest.rowsRead, stored: ingest.rowsStored, quarantined: ingest.rowsQuarantined)
            }
            let which = target == .baseline ? "baseline file" : "current file"
            warnings += try ingestWarnings(warehouse, snapshotId: ingest.snapshotId, which: which)
            guard ingest.rowsStored > 0 else {
                throw MLAuditError(
                    .unreadableInput,
                    "nothing to compare: the \(which) has no stored rows (\(ingest.rowsRead) read, \(ingest.rowsQuarantined) quarantined)"
                        + (warnings.isEmpty ? "" : "; " + warnings.joined(separator: "; ")),
                    file: path,
                    hint: ingest.rowsRead == 0
                        ? "Give a CSV file with a header line and at least one data row."
                        : "Fix the file (the reasons are above), or declare column types: --categorical COL for a column that is not numeric in every row.")
            }
            try ProfileStage(loaded: loaded, warehouse: warehouse, logger: logger).run(target, stageRunId: nil)
        }
        let results = try CompareStage(loaded: loaded, warehouse: warehouse, logger: logger).driftOnly(day)
        let currentHeader = try warehouse.read { store -> [String] in
            let id = try store.ensurePipelineIfExists("adhoc") ?? 0
            return try store.currentSnapshot(pipelineId: id, kind: .daily, date: day.description)?.header ?? []
        }
        let missing = features.map(\.name).filter { !currentHeader.contains($0) }
        guard !results.isEmpty else {
            throw MLAuditError(
                .unreadableInput,
                "nothing to compare: no column of the baseline file is both in the current file and comparable"
                    + (notComparable.isEmpty ? "" : " (left out as identifiers, free text or timestamps: \(notComparable.joined(separator: ", ")))"),
                file: current,
                hint: "Both files need a header line naming the same columns; declare a column with --categorical COL to compare it anyway.")
        }
        return Result(
            output: Output(rows: currentRows, drift: .init(results: results, shareThreshold: 0.5), warnings: warnings),
            types: types, missingInCurrent: missing, notComparable: notComparable)
    }

    /// The ingest findings of one file at warning or above, and its quarantine, as sentences.
    static func ingestWarnings(_ warehouse: any WarehouseBackend, snapshotId: Int64, which: String) throws -> [String] {
        try warehouse.read { store in
            var out: [String] = []
            for f in try store.findings(snapshotId: snapshotId, stage: .ingest)
            where f.severity >= .warning {
                out.append("\(which): \(f.message)")
            }
            let rows = try store.quarantined(snapshotId: snapshotId, limit: 3)
            if !rows.isEmpty {
                let total = try store.quarantineReasons(snapshotId: snapshotId).reduce(0) { $0 + $1.count }
                let examples = rows.map { "line \($0.line): \($0.reason)" }.joined(separator: "; ")
                out.append("\(which): \(total) \(total == 1 ? "row" : "rows") quarantined (\(examples)\(total > rows.count ? "; …" : ""))")
            }
            return out
        }
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The drift table as text: one line per column, then dataset drift and row counts.
    public static func table(_ result: Result) -> String {
        let d = result.output.drift
        var rows: [[String]] = [["column", "type", "method", "statistic", "p-value", "threshold", "drifted", "missing"]]
        for c in d.columns {
            rows.append([
                SafeText.terminal(SafeText.cut(c.column)), result.types[c.column]?.rawValue ?? "-", c.method.rawValue, formatNumber(c.statistic),
                c.pValue.map { formatNumber($0) } ?? "-", formatNumber(c.threshold), c.drifted ? "yes" : "no",
                c.missingShare.map { formatPercent($0) } ?? "-",
            ])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = rows.map { r in
            r.enumerated().map { i, cell in i == r.count - 1 ? cell : cell.padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0) }
                .joined().trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
        out += "\n\(d.driftedCount) of \(d.featureCount) columns drifted (\(formatPercent(d.driftedShare))); dataset drift at \(formatPercent(d.shareThreshold)) or more: \(d.datasetDrift ? "yes" : "no")\n"
        let r = result.output.rows
        out += "current file: \(r.read) rows read, \(r.stored) stored, \(r.quarantined) quarantined\n"
        if !result.notComparable.isEmpty {
            out += "not compared (identifiers, free text or timestamps; declare with --categorical to compare): \(result.notComparable.map { SafeText.terminal(SafeText.cut($0)) }.joined(separator: ", "))\n"
        }
        if !result.missingInCurrent.isEmpty {
            out += "not compared (absent from the current file): \(result.missingInCurrent.map { SafeText.terminal(SafeText.cut($0)) }.joined(separator: ", "))\n"
        }
        for w in result.output.warnings { out += "warning: \(SafeText.terminal(w))\n" }
        return out
    }

    /// The `--json` output: pretty-printed, keys sorted, non-finite numbers as strings (as summary.json).
    public static func json(_ result: Result) throws -> String {
        String(decoding: try SummaryJSON.encoder().encode(result.output), as: UTF8.self) + "\n"
    }
}
