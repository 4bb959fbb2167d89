import AuditModel
import Crypto
import Foundation

/// Loads and checks pipeline definitions.
public enum DefinitionLoader {
    /// Reads, decodes and checks the definition at `path`.
    ///
    /// - Throws: `MLAuditError` with code `.unreadableInput` when the file cannot be read, or
    ///   `.invalidDefinition` naming the key, the line and the expected form.
    public static func load(path: String) throws -> LoadedDefinition {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MLAuditError.missingFile(
                path, what: "pipeline definition",
                hint: "Give the path of a pipeline YAML file (e.g. pipelines/demo.yaml), or draft one with `mlaudit init BASELINE.csv`.")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw MLAuditError(
                .unreadableInput, "is a folder, not a pipeline definition file", file: path,
                hint: "Give the path of a pipeline YAML file (e.g. pipelines/demo.yaml).")
        }
        let lower = path.lowercased()
        if [".csv", ".tsv", ".jsonl", ".ndjson", ".gz", ".parquet"].contains(where: { lower.hasSuffix($0) }) {
            throw MLAuditError(
                .invalidDefinition, "looks like a data file, not a pipeline definition (YAML)", file: path,
                hint: "Draft a definition from a baseline file with `mlaudit init \(path)`, then run the YAML file it writes.")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw MLAuditError.unreadable(path, what: "the pipeline definition", cause: error.localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MLAuditError.definition("the definition is not valid UTF-8 text", file: path, hint: "Save it as UTF-8.")
        }
        return try parse(text: text, file: path)
    }

    /// Decodes and checks definition text; `file` is used in messages and kept as the path.
    public static func parse(text: String, file: String) throws -> LoadedDefinition {
        let (definition, map) = try StrictYAMLDecoder(file: file).decode(PipelineDefinition.self, from: text)
        let digest = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
        let loaded = LoadedDefinition(definition: definition, path: file, text: text, sha256: digest, lines: map.lines)
        try DefinitionChecker(loaded: loaded).check()
        return loaded
    }
}

/// Semantic checks a decoder cannot express: names, patterns, consistent thresholds.
struct DefinitionChecker {
    let loaded: LoadedDefinition
    var d: PipelineDefinition { loaded.definition }

    func fail(_ message: String, key: String, hint: String? = nil) -> MLAuditError {
        .definition(message, file: loaded.path, line: line(of: key), key: key, hint: hint)
    }

    /// The line of `key`, or of its nearest ancestor that has one.
    func line(of key: String) -> Int? {
        var k = key
        while !k.isEmpty {
            if let l = loaded.lines[k] { return l }
            if let dot = k.lastIndex(where: { $0 == "." || $0 == "[" }) { k = String(k[..<dot]) } else { break }
        }
        return nil
    }

    func check() throws {
        let nameOK = !d.name.isEmpty && d.name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        guard nameOK else {
            throw fail("'name' must use only letters, digits, '-' and '_', found '\(d.name)'", key: "name",
                       hint: "The name becomes a folder and a file name.")
        }
        guard d.snapshots.path.contains("{date}") || d.snapshots.path.contains("{yyyymmdd}") else {
            throw fail("'snapshots.path' must contain {date}", key: "snapshots.path",
                       hint: "Write the daily file's path with {date} where the YYYY-MM-DD date goes, e.g. data/{date}.csv.")
        }
        if let labels = d.labels, !(labels.path.contains("{date}") || labels.path.contains("{yyyymmdd}")) {
            throw fail("'labels.path' must contain {date}", key: "labels.path",
                       hint: "Labels files are per prediction date, e.g. labels/{date}.csv.")
        }
        for (key, spec) in [("baseline", d.baseline), ("snapshots", d.snapshots)] {
            if let delim = spec.delimiter, delim.utf8.count != 1 {
                throw fail("'\(key).delimiter' must be a single character, found '\(delim)'", key: "\(key).delimiter",
                           hint: "Use e.g. ',' or ';' or '\\t' written as a quoted tab.")
            }
        }
        if let delim = d.labels?.delimiter, delim.utf8.count != 1 {
            throw fail("'labels.delimiter' must be a single character, found '\(delim)'", key: "labels.delimiter")
        }
        guard !d.schema.features.isEmpty else {
            throw fail("'schema.features' is empty", key: "schema.features",
                       hint: "Declare at least one input feature with its name and type.")
        }
        try checkColumns()
        try checkThresholds()
        try checkCompareSettings()
        try checkSegmentsAndFairness()
        if let formats = d.report?.formats, formats.isEmpty {
            throw fail("'report.formats' is empty", key: "report.formats", hint: "List at least one of html, md, json.")
        }
        if let n = d.limits?.maxColumns, n < 1 {
            throw fail("'limits.max_columns' must be at least 1, found \(n)", key: "limits.max_columns")
        }
        if let n = d.limits?.maxHeaderBytes, n < 1 {
            throw fail("'limits.max_header_bytes' must be at least 1, found \(n)", key: "limits.max_header_bytes")
        }
        if let days = d.retention?.rawDays, days < 1 {
            throw fail("'retention.raw_days' must be at least 1, found \(days)", key: "retention.raw_days")
        }
        if let notify = d.notify {
            if notify.command.trimmingCharacters(in: .whitespaces).isEmpty {
                throw fail("'notify.command' is empty", key: "notify.command", hint: "Give a shell command, or remove 'notify'.")
            }
            if let t = notify.timeoutSeconds, !(t > 0) {
                throw fail("'notify.timeout_seconds' must be positive, found \(t)", key: "notify.timeout_seconds")
            }
        }
        if let path = d.metrics?.textfile {
            if path.trimmingCharacters(in: .whitespaces).isEmpty || path.hasSuffix("/") {
                throw fail("'metrics.textfile' must name a file, found '\(SafeText.terminal(path))'", key: "metrics.textfile",
                           hint: "Give a file path ending in .prom inside node_exporter's textfile folder, or remove 'metrics'.")
            }
            if path.unicodeScalars.contains("\u{0}") {
                throw fail("'metrics.textfile' holds a NUL character (U+0000)", key: "metrics.textfile")
            }
        }
        if let r = d.operational?.resources { try checkResources(r) }
        if let age = d.model.maxAgeDays, age <= 0 {
            throw fail("'model.max_age_days' must be positive, found \(age)", key: "model.max_age_days")
        }
    }

    func checkColumns() throws {
        var roles: [String: String] = [:]
        func claim(_ name: String, _ key: String) throws {
            guard !name.isEmpty else { throw fail("'\(key)' is an empty column name", key: key) }
            if name.unicodeScalars.contains("\u{0}") {
                throw fail(
                    "'\(key)' holds a NUL character (U+0000) in the column name '\(SafeText.terminal(name))'", key: key,
                    hint: "SQLite and most tools end a name at a NUL, so such a column cannot be stored under its name. "
                        + "Rename the column in the data, or leave it undeclared (its values are then kept in mlaudit_extra).")
            }
            if let other = roles[name] {
                throw fail("column '\(name)' is declared twice: at '\(other)' and at '\(key)'", key: key,
                           hint: "Each column plays one role; remove one of the declarations.")
            }
            roles[name] = key
        }
        let s = d.schema
        if let id = s.id { try claim(id, "schema.id") }
        if let ts = s.timestamp { try claim(ts, "schema.timestamp") }
        if let p = s.prediction {
            try claim(p.column, "schema.prediction.column")
            if let score = p.score { try claim(score, "schema.prediction.score") }
            if let t = p.threshold, !(t > 0 && t < 1) {
                throw fail("'schema.prediction.threshold' must be between 0 and 1, found \(t)", key: "schema.prediction.threshold")
            }
            if p.kind == .regression, p.score != nil {
                throw fail("a regression model has no score column", key: "schema.prediction.score",
                           hint: "Remove 'score' or set kind to binary or multiclass.")
            }
        }
        if let t = s.target { try claim(t, "schema.target") }
        if let op = s.operational {
            if let l = op.latency { try claim(l, "schema.operational.latency") }
            if let st = op.status { try claim(st, "schema.operational.status") }
        }
        for (i, c) in (s.carried ?? []).enumerated() { try claim(c, "schema.carried[\(i)]") }
        for (i, c) in (s.ignored ?? []).enumerated() { try claim(c, "schema.ignored[\(i)]") }
        for (i, f) in s.features.enumerated() {
            let key = "schema.features[\(i)]"
            try claim(f.name, key + ".name")
            if let lo = f.min, let hi = f.max, lo > hi {
                throw fail("feature '\(f.name)' has min \(lo) above max \(hi)", key: key + ".min")
            }
            if (f.min != nil || f.max != nil), !f.type.isNumeric {
                throw fail("feature '\(f.name)' is \(f.type.rawValue); min and max apply to numeric and integer features",
                           key: key + (f.min != nil ? ".min" : ".max"))
            }
            if f.allowed != nil, !(f.type == .categorical || f.type == .text || f.type == .integer) {
                throw fail("feature '\(f.name)' is \(f.type.rawValue); 'allowed' applies to categorical, text and integer features",
                           key: key + ".allowed")
            }
            if let pattern = f.pattern {
                do { _ = try NSRegularExpression(pattern: pattern) } catch {
                    throw fail("feature '\(f.name)' has an invalid pattern '\(pattern)'", key: key + ".pattern",
                               hint: "Write an ICU regular expression, e.g. '^[A-Z]{2}[0-9]{6}$'.")
                }
            }
            if let c = f.checks { try checkChecks(c, key: key + ".checks") }
            if let dr = f.drift, let t = dr.threshold { try checkDriftThreshold(t, method: dr.method ?? d.drift?.method ?? .auto, key: key + ".drift.threshold") }
        }
    }

    func checkThresholds() throws {
        if let c = d.checks { try checkChecks(c, key: "checks") }
        if let dr = d.drift {
            if let t = dr.threshold { try checkDriftThreshold(t, method: dr.method ?? .auto, key: "drift.threshold") }
            if let share = dr.driftedShare, !(share > 0 && share <= 1) {
                throw fail("'drift.drifted_share' must be in (0, 1], found \(share)", key: "drift.drifted_share")
            }
        }
        if let p = d.performance?.maxDrop { try checkPair(p, key: "performance.max_drop", share: false) }
        if let op = d.operational {
            for (k, t) in [("latency_p95_ms", op.latencyP95Ms), ("latency_p99_ms", op.latencyP99Ms),
                           ("error_rate", op.errorRate), ("latency_regression", op.latencyRegression)] {
                if let t { try checkPair(t, key: "operational.\(k)", share: k == "error_rate") }
            }
        }
    }

    /// `operational.resources` (docs/definition.md, "Serving resources").
    func checkResources(_ r: ResourcesSpec) throws {
        let key = "operational.resources"
        guard r.path.contains("{date}") || r.path.contains("{yyyymmdd}") else {
            throw fail("'\(key).path' must contain {date}", key: "\(key).path",
                       hint: "Resources files are per period, e.g. resources/{date}.csv.")
        }
        if r.format == .parquet {
            throw fail("'\(key).format' must be auto, csv or jsonl", key: "\(key).format")
        }
        if let delim = r.delimiter, delim.utf8.count != 1 {
            throw fail("'\(key).delimiter' must be a single character, found '\(SafeText.terminal(delim))'", key: "\(key).delimiter")
        }
        if let t = r.sampleIntervalSeconds, !(t >= 1 && t <= 86_400) {
            throw fail("'\(key).sample_interval_seconds' must be between 1 and 86400, found \(t)", key: "\(key).sample_interval_seconds",
                       hint: "Give the exporter's scrape interval in seconds, e.g. 60.")
        }
        if let m = r.memoryTotalBytes, !(m > 0 && m.isFinite) {
            throw fail("'\(key).memory_total_bytes' must be a positive number of bytes, found \(m)", key: "\(key).memory_total_bytes")
        }
        var seen: [String: String] = [:]
        let c = r.columns
        for (field, name) in [("timestamp", c?.timestamp), ("host", c?.host), ("cpu", c?.cpu), ("memory_bytes", c?.memoryBytes),
                              ("memory_total_bytes", c?.memoryTotalBytes), ("disk_used_share", c?.diskUsedShare),
                              ("io_wait", c?.ioWait), ("up", c?.up)] {
            let column = name ?? field
            let k = "\(key).columns.\(field)"
            if column.isEmpty { throw fail("'\(k)' is an empty column name", key: k) }
            if column.unicodeScalars.contains("\u{0}") { throw fail("'\(k)' holds a NUL character (U+0000)", key: k) }
            if let other = seen[column] {
                throw fail("'\(k)' names column '\(SafeText.terminal(column))', already the column of '\(other)'", key: k,
                           hint: "Each field of a sample comes from its own column.")
            }
            seen[column] = field
        }
        for (k, t) in [("max_memory_share", r.maxMemoryShare), ("max_disk_used_share", r.maxDiskUsedShare)] {
            if let t { try checkPair(t, key: "\(key).\(k)", share: true) }
        }
        if let t = r.minUptimeShare {
            for (level, v) in [("warning", t.warning), ("critical", t.critical)] {
                if let v, !(v >= 0 && v <= 1) {
                    throw fail("'\(key).min_uptime_share.\(level)' must be a share between 0 and 1, found \(v)",
                               key: "\(key).min_uptime_share.\(level)")
                }
            }
            if let w = t.warning, let cr = t.critical, w < cr {
                throw fail("'\(key).min_uptime_share.warning' (\(w)) is below its critical level (\(cr))",
                           key: "\(key).min_uptime_share.warning",
                           hint: "Lower uptime is worse: the warning level must be at or above the critical one.")
            }
        }
    }

    func checkChecks(_ c: ChecksSpec, key: String) throws {
        let all: [(String, Thresholds?)] = [
            ("null_rate", c.nullRate), ("range", c.range), ("allowed_values", c.allowedValues), ("pattern", c.pattern),
            ("duplicate_ids", c.duplicateIds), ("quarantined_rows", c.quarantinedRows), ("type_errors", c.typeErrors),
            ("unseen_categories", c.unseenCategories), ("duplicate_rows", c.duplicateRows),
            ("timestamp_outside_day", c.timestampOutsideDay), ("future_timestamps", c.futureTimestamps),
            ("non_finite", c.nonFinite), ("probability_range", c.probabilityRange), ("unknown_labels", c.unknownLabels),
            ("constant_column", c.constantColumn), ("retyped_column", c.retypedColumn),
        ]
        for (k, t) in all { if let t { try checkPair(t, key: "\(key).\(k)", share: true) } }
        // Not shares: a relative change may exceed 1, a z-score is in standard deviations.
        for (k, t) in [("row_count_change", c.rowCountChange), ("row_count_z", c.rowCountZ)] {
            if let t { try checkPair(t, key: "\(key).\(k)", share: false) }
        }
        if let floor = c.rowCountMinChange, !(floor >= 0 && floor.isFinite) {
            throw fail("'\(key).row_count_min_change' must be a relative change of 0 or more, found \(floor)",
                       key: "\(key).row_count_min_change",
                       hint: "0.1 (the default) lets a z-score alert only when the row count moved by 10 % or more.")
        }
        if let days = c.rowCountDays, days < 2 {
            throw fail("'\(key).row_count_days' must be at least 2, found \(days)", key: "\(key).row_count_days",
                       hint: "The row-count check compares with the mean and spread of at least 2 trailing days; 7 is the default.")
        }
        if key != "checks" {
            let set: [(String, Bool)] = [
                ("row_count_change", c.rowCountChange != nil), ("row_count_z", c.rowCountZ != nil),
                ("row_count_days", c.rowCountDays != nil), ("duplicate_rows", c.duplicateRows != nil),
                ("row_count_min_change", c.rowCountMinChange != nil),
            ]
            if let (k, _) = set.first(where: { ChecksSpec.snapshotLevelKeys.contains($0.0) && $0.1 }) {
                throw fail("'\(key).\(k)' describes the whole snapshot, not one column", key: "\(key).\(k)",
                           hint: "Move '\(k)' to the top-level 'checks' section.")
            }
        }
    }

    func checkPair(_ t: Thresholds, key: String, share: Bool) throws {
        for (level, v) in [("warning", t.warning), ("critical", t.critical)] {
            guard let v else { continue }
            if v < 0 || v.isNaN || (share && v > 1) {
                throw fail("'\(key).\(level)' must be \(share ? "a share between 0 and 1" : "zero or more"), found \(v)",
                           key: "\(key).\(level)")
            }
        }
        if let w = t.warning, let c = t.critical, w > c {
            throw fail("'\(key).warning' (\(w)) is above '\(key).critical' (\(c))", key: "\(key).warning",
                       hint: "A warning must trigger at or before the critical level.")
        }
    }

    func checkDriftThreshold(_ t: Double, method: DriftMethod, key: String) throws {
        if method.isTest || method == .auto {
            guard t > 0 && t < 1 else {
                throw fail("'\(key)' must be a p-value between 0 and 1 for method \(method.rawValue), found \(t)", key: key)
            }
        } else if !(t > 0) {
            throw fail("'\(key)' must be a positive distance for method \(method.rawValue), found \(t)", key: key)
        }
    }
}

extension PipelineDefinition: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension ModelSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension SourceSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension LabelsSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension SchemaSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension PredictionSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension OperationalColumns: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension FeatureSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension Thresholds: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension ChecksSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension DriftSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension ColumnDriftSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension PerformanceSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension OperationalSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension RetrainingSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension ReportSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension RetentionSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension NotifySpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension MetricsSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension SegmentsSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension SegmentColumnSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension FairnessSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension FairnessAttributeSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension ResourcesSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension ResourceColumns: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension TechnicalDebtSpec: DefinitionKeyed { static var yamlKeys: [String] { CodingKeys.allCases.map(\.rawValue) } }

extension DefinitionChecker {
    /// The compare stage's settings: drift overrides for prediction, score and target, the
    /// operational and technical-debt thresholds (docs/compare.md).
    func checkCompareSettings() throws {
        if let dr = d.drift {
            if let t = dr.nullRateChange { try checkPair(t, key: "drift.null_rate_change", share: true) }
            for (k, spec) in [("prediction", dr.prediction), ("score", dr.score), ("target", dr.target)] {
                if let t = spec?.threshold {
                    try checkDriftThreshold(t, method: spec?.method ?? dr.method ?? .auto, key: "drift.\(k).threshold")
                }
            }
        }
        if let op = d.operational {
            if let t = op.emptyHours { try checkPair(t, key: "operational.empty_hours", share: false) }
            if let t = op.volumeFactor {
                try checkPair(t, key: "operational.volume_factor", share: false)
                for (level, v) in [("warning", t.warning), ("critical", t.critical)] where (v ?? 2) <= 1 {
                    throw fail("'operational.volume_factor.\(level)' must be above 1 (a factor either way), found \(v!)",
                               key: "operational.volume_factor.\(level)", hint: "2 means half or double the usual volume.")
                }
            }
            if let n = op.trailingDays, n <= 0 {
                throw fail("'operational.trailing_days' must be positive, found \(n)", key: "operational.trailing_days")
            }
        }
        if let t = d.technicalDebt {
            for (k, v) in [("near_constant_share", t.nearConstantShare), ("max_correlation", t.maxCorrelation)] {
                if let v, !(v > 0 && v <= 1) {
                    throw fail("'technical_debt.\(k)' must be in (0, 1], found \(v)", key: "technical_debt.\(k)")
                }
            }
            if let v = t.positiveRateChange, !(v > 0) {
                throw fail("'technical_debt.positive_rate_change' must be positive, found \(v)", key: "technical_debt.positive_rate_change")
            }
            if let n = t.gapLookbackDays, n <= 0 {
                throw fail("'technical_debt.gap_lookback_days' must be positive, found \(n)", key: "technical_debt.gap_lookback_days")
            }
            if let v = t.thresholdDisagreement, !(v >= 0 && v < 1) {
                throw fail("'technical_debt.threshold_disagreement' must be in [0, 1), found \(v)", key: "technical_debt.threshold_disagreement")
            }
        }
    }
}

extension DefinitionChecker {
    /// `segments:` and `fairness:`: the columns exist in the schema (a feature, or any declared
    /// column but the id and timestamp), bins ascend, thresholds are in range (docs/fairness.md).
    func checkSegmentsAndFairness() throws {
        let usable = d.declaredColumns.filter { ![.id, .timestamp, .prediction, .score].contains($0.role) }
        let names = usable.map(\.name)
        func checkColumn(_ name: String, key: String) throws -> DeclaredColumn {
            guard let c = usable.first(where: { $0.name == name }) else {
                var hint = "Declare '\(name)' under schema.features (a model input) or schema.carried (kept, not a model input) first."
                if let near = suggestion(for: name, among: names) { hint = "Did you mean '\(near)'? " + hint }
                throw fail("'\(key)' names '\(name)', which is not a declared feature, carried column or target", key: key, hint: hint)
            }
            return c
        }
        if let s = d.segments {
            guard !s.columns.isEmpty else {
                throw fail("'segments.columns' is empty", key: "segments.columns", hint: "List at least one column, or remove 'segments'.")
            }
            var seen = Set<String>()
            for (i, c) in s.columns.enumerated() {
                let key = "segments.columns[\(i)]"
                let col = try checkColumn(c.column, key: key + ".column")
                guard seen.insert(c.column).inserted else {
                    throw fail("segment column '\(c.column)' is listed twice", key: key + ".column")
                }
                if let bins = c.bins {
                    guard col.type.isNumeric else {
                        throw fail("'\(key).bins' applies to numeric and integer columns; '\(c.column)' is \(col.type.rawValue)",
                                   key: key + ".bins", hint: "Remove 'bins': a categorical column makes one segment per value.")
                    }
                    guard !bins.isEmpty, bins.allSatisfy(\.isFinite), zip(bins, bins.dropFirst()).allSatisfy({ $0 < $1 }) else {
                        throw fail("'\(key).bins' must be finite edges in ascending order, found \(bins.map { formatNumber($0) })",
                                   key: key + ".bins", hint: "Write e.g. bins: [25, 45, 65].")
                    }
                } else if col.type.isNumeric, col.type == .numeric {
                    throw fail("segment column '\(c.column)' is numeric; give its bin edges", key: key + ".column",
                               hint: "Add e.g. bins: [25, 45, 65]; values below the first and above the last edge get their own segments.")
                }
            }
            if let n = s.minRows, n < 1 {
                throw fail("'segments.min_rows' must be at least 1, found \(n)", key: "segments.min_rows")
            }
            if let t = s.maxDrop { try checkPair(t, key: "segments.max_drop", share: false) }
            if let t = s.nullRateChange { try checkPair(t, key: "segments.null_rate_change", share: true) }
            if let q = s.falseDiscoveryRate, !(q > 0 && q < 1) {
                throw fail("'segments.false_discovery_rate' must be between 0 and 1, found \(q)", key: "segments.false_discovery_rate")
            }
        }
        if let f = d.fairness {
            guard !f.attributes.isEmpty else {
                throw fail("'fairness.attributes' is empty", key: "fairness.attributes", hint: "List at least one column, or remove 'fairness'.")
            }
            guard d.schema.prediction?.kind == .binary else {
                throw fail("'fairness' needs a binary model (schema.prediction.kind: binary)", key: "fairness",
                           hint: "Group rates (selection rate, TPR, FPR) are defined for binary decisions.")
            }
            var seen = Set<String>()
            for (i, a) in f.attributes.enumerated() {
                let key = "fairness.attributes[\(i)]"
                let col = try checkColumn(a.column, key: key + ".column")
                guard col.role != .target else {
                    throw fail("'\(key).column' is the target; a protected attribute is an input or carried column", key: key + ".column")
                }
                guard seen.insert(a.column).inserted else {
                    throw fail("protected attribute '\(a.column)' is listed twice", key: key + ".column")
                }
                if let r = a.referenceGroup, r.isEmpty {
                    throw fail("'\(key).reference_group' is empty", key: key + ".reference_group",
                               hint: "Give a group as written in the data, or remove the key to use the highest selection rate.")
                }
            }
            if let n = f.minGroupRows, n < 1 {
                throw fail("'fairness.min_group_rows' must be at least 1, found \(n)", key: "fairness.min_group_rows")
            }
            if let t = f.impactRatio {
                for (level, v) in [("warning", t.warning), ("critical", t.critical)] {
                    if let v, !(v > 0 && v <= 1) {
                        throw fail("'fairness.impact_ratio.\(level)' must be in (0, 1], found \(v)", key: "fairness.impact_ratio.\(level)")
                    }
                }
                if let w = t.warning, let c = t.critical, c > w {
                    throw fail("'fairness.impact_ratio.critical' (\(c)) is above 'fairness.impact_ratio.warning' (\(w))",
                               key: "fairness.impact_ratio.critical", hint: "A lower impact ratio is worse: critical must be at or below warning.")
                }
            }
            if let t = f.equalizedOddsDifference { try checkPair(t, key: "fairness.equalized_odds_difference", share: true) }
        }
    }
}
