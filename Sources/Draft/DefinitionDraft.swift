import AuditModel
import Definition
import Foundation
import Ingest
import Statistics

/// Drafts a complete, commented pipeline definition from a baseline file, the way TFDV's
/// schema inference and Deequ's constraint suggestion work: every constraint is inferred from
/// the data and carries a comment saying what it was inferred from, so a user edits rather
/// than writes. docs/init.md describes the rules.
public struct DefinitionDraft {
    public struct Options: Sendable {
        public var target: String?
        public var prediction: String?
        public var score: String?
        public var id: String?
        public var timestamp: String?
        public var latency: String?
        /// Pipeline name. Default: from the file name (its folder's when the file is called baseline, train…).
        public var name: String?
        /// Daily snapshot path pattern with `{date}`. Default: `snapshots/{date}.EXT` beside the baseline.
        public var snapshots: String?
        public var delimiter: String?
        /// At most this many distinct values make a text column categorical, with an `allowed` list.
        public var maxCategories: Int
        /// Features typed categorical whatever their values look like (integer codes).
        public var categorical: [String]
        /// Features typed numeric (whole numbers that are measurements, not codes).
        public var numeric: [String]
        /// Columns kept and profiled but not model inputs (`schema.carried`).
        public var carried: [String]
        /// Columns neither stored nor reported (`schema.ignored`).
        public var ignore: [String]

        public init(
            target: String? = nil, prediction: String? = nil, score: String? = nil, id: String? = nil,
            timestamp: String? = nil, latency: String? = nil, name: String? = nil, snapshots: String? = nil,
            delimiter: String? = nil, maxCategories: Int = 50, categorical: [String] = [], numeric: [String] = [],
            carried: [String] = [], ignore: [String] = []
        ) {
            self.categorical = categorical
            self.numeric = numeric
            self.carried = carried
            self.ignore = ignore
            self.target = target
            self.prediction = prediction
            self.score = score
            self.id = id
            self.timestamp = timestamp
            self.latency = latency
            self.name = name
            self.snapshots = snapshots
            self.delimiter = delimiter
            self.maxCategories = maxCategories
        }
    }

    public let baselinePath: String
    public let options: Options

    /// The share of the baseline's served predictions a fitted decision threshold must
    /// reproduce to be drafted (docs/init.md).
    public static let thresholdAgreement = 0.99

    public init(baselinePath: String, options: Options = Options()) {
        self.baselinePath = baselinePath
        self.options = options
    }

    /// Reads the baseline and returns the definition text. The text is checked with the strict
    /// definition loader before it is returned.
    ///
    /// - Throws: `MLAuditError` with code `.usage` when an option names a column the file does
    ///   not have or one the data cannot play (a non-numeric score), `.unreadableInput` when
    ///   the file is missing, empty or unreadable.
    public func yaml() throws -> String {
        guard FileManager.default.fileExists(atPath: baselinePath) else {
            throw MLAuditError.missingFile(baselinePath, what: "baseline file", hint: "Give the path of the training data as a CSV file with a header line.")
        }
        let delimiter = try delimiterByte()
        let (sketches, skipped) = try SchemaInference.sketch(path: baselinePath, delimiter: delimiter)
        guard let rows = sketches.first?.rows, rows > 0 else {
            throw MLAuditError(.unreadableInput, "the baseline has a header but no data rows", file: baselinePath,
                               hint: "Draft from a file with the training rows in it.")
        }
        if let k = sketches.firstIndex(where: { $0.name.unicodeScalars.contains("\u{0}") }) {
            // The definition loader refuses such a name (docs/security.md, "Names"): say so here
            // rather than draft a definition that does not load.
            throw MLAuditError(
                .unreadableInput,
                "header field \(k + 1) of the baseline holds a NUL character (U+0000): '\(SafeText.terminal(SafeText.cut(sketches[k].name)))'",
                file: baselinePath,
                hint: "A column name with a NUL cannot be declared (SQLite and most tools end a name at a NUL). Rename the column in the baseline, then run init again.")
        }
        var writer = Writer(draft: self, sketches: sketches, rows: rows, skipped: skipped)
        let text = try writer.text()
        do {
            _ = try DefinitionLoader.parse(text: text, file: "drafted definition")
        } catch let e as MLAuditError {
            throw MLAuditError.internalError("the drafted definition does not load: \(e.description)")
        }
        return text
    }

    func delimiterByte() throws -> UInt8 {
        guard let d = options.delimiter else { return UInt8(ascii: ",") }
        let t = d == "\\t" ? "\t" : d
        guard t.utf8.count == 1 else {
            throw MLAuditError(.usage, "--delimiter must be a single character, found '\(d)'", hint: "Use e.g. ';' or '\\t'.")
        }
        return t.utf8.first!
    }

    /// The pipeline name: `--name`, else the file's stem, or its folder's name when the stem is generic.
    var pipelineName: String {
        if let n = options.name { return n }
        let url = URL(fileURLWithPath: baselinePath)
        var stem = url.deletingPathExtension().lastPathComponent
        if ["baseline", "train", "training", "reference", "data"].contains(stem.lowercased()) {
            let folder = url.deletingLastPathComponent().lastPathComponent
            if !folder.isEmpty, folder != "/", folder != "." { stem = folder }
        }
        let cleaned = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return cleaned.isEmpty ? "pipeline" : cleaned
    }

    /// The snapshot pattern: `--snapshots`, else `snapshots/{date}.EXT` in the baseline's folder.
    var snapshotsPattern: String {
        if let s = options.snapshots { return s }
        return besideBaseline("snapshots/{date}" + fileExtension)
    }

    /// The labels pattern the commented `labels:` block suggests: `labels/{date}.EXT` in the
    /// baseline's folder, in the baseline's format (a JSON Lines baseline's labels as `.jsonl`,
    /// not `.csv`: field trial 8, statsmodels' `fair`).
    var labelsPattern: String { besideBaseline("labels/{date}" + fileExtension) }

    /// The baseline's format extension with its dot, compression included (`.csv`, `.jsonl`,
    /// `.parquet`, `.csv.gz`); `.csv` when the file has none.
    var fileExtension: String {
        let name = (baselinePath as NSString).lastPathComponent as NSString
        let ext = name.pathExtension
        if ext.isEmpty { return ".csv" }
        let inner = (name.deletingPathExtension as NSString).pathExtension
        if ["gz", "gzip"].contains(ext.lowercased()), !inner.isEmpty { return "." + inner + "." + ext }
        return "." + ext
    }

    func besideBaseline(_ file: String) -> String {
        let dir = (baselinePath as NSString).deletingLastPathComponent
        return dir.isEmpty ? file : dir + "/" + file
    }
}

/// Builds the YAML text from the sketches.
struct Writer {
    let draft: DefinitionDraft
    let sketches: [ColumnSketch]
    let rows: Int
    let skipped: Int
    var options: DefinitionDraft.Options { draft.options }

    var lines: [String] = []

    init(draft: DefinitionDraft, sketches: [ColumnSketch], rows: Int, skipped: Int) {
        self.draft = draft
        self.sketches = sketches
        self.rows = rows
        self.skipped = skipped
    }

    func sketch(_ name: String?, flag: String) throws -> ColumnSketch? {
        guard let name else { return nil }
        guard let s = sketches.first(where: { $0.name == name }) else {
            let names = sketches.map(\.name)
            let near = names.min { editDistance($0.lowercased(), name.lowercased()) < editDistance($1.lowercased(), name.lowercased()) }
            throw MLAuditError(
                .usage, "\(flag) names column '\(name)', which is not in the baseline", file: draft.baselinePath,
                hint: "The columns are: \(names.joined(separator: ", "))." + (near.map { " Did you mean '\($0)'?" } ?? ""))
        }
        return s
    }

    /// Appends one line: `text` (YAML built with `YAMLText`), then `comment` after `# `. The
    /// comment goes through `YAMLText.comment` and the whole line through `YAMLText.oneLine`:
    /// nothing from data can end a comment or start a key (docs/security.md, "Drafts").
    mutating func line(_ text: String, _ comment: String? = nil) {
        guard let comment, !comment.isEmpty else {
            lines.append(YAMLText.oneLine(text))
            return
        }
        let pad = max(1, 44 - text.count)
        lines.append(YAMLText.oneLine(text + String(repeating: " ", count: pad) + "# " + YAMLText.comment(comment)))
    }

    mutating func text() throws -> String {
        let id = try sketch(options.id, flag: "--id")
        var timestamp = try sketch(options.timestamp, flag: "--timestamp")
        let prediction = try sketch(options.prediction, flag: "--prediction")
        let score = try sketch(options.score, flag: "--score")
        let target = try sketch(options.target, flag: "--target")
        var latency = try sketch(options.latency, flag: "--latency")
        var claimed: [String: String] = [:]
        let carried = try options.carried.map { try sketch($0, flag: "--carried")! }
        let ignored = try options.ignore.map { try sketch($0, flag: "--ignore")! }
        var roles: [(String, ColumnSketch?)] = [("--id", id), ("--timestamp", timestamp), ("--prediction", prediction), ("--score", score),
                                                ("--target", target), ("--latency", latency)]
        roles += carried.map { ("--carried", $0) } + ignored.map { ("--ignore", $0) }
        for (flag, s) in roles {
            guard let s else { continue }
            if let other = claimed[s.name] {
                throw MLAuditError(.usage, "column '\(s.name)' is given to both \(other) and \(flag)", hint: "Each column plays one role.")
            }
            claimed[s.name] = flag
        }
        try checkTypeFlags(claimed: claimed)
        // Unnamed roles found by shape or name, each said in a comment.
        var autoTimestamp = false, autoLatency = false
        if timestamp == nil {
            let candidates = sketches.filter { claimed[$0.name] == nil && $0.inferredType(maxCategories: options.maxCategories) == .datetime }
            if candidates.count == 1 {
                timestamp = candidates[0]
                claimed[candidates[0].name] = "timestamp"
                autoTimestamp = true
            }
        }
        if latency == nil, let l = sketches.first(where: {
            claimed[$0.name] == nil && ["latency", "latency_ms", "latencyms", "response_time_ms"].contains($0.name.lowercased())
                && $0.numbers == $0.nonNull && $0.nonNull > 0
        }) {
            latency = l
            claimed[l.name] = "latency"
            autoLatency = true
        }
        try checkRoles(timestamp: timestamp, score: score, latency: latency)
        if let score, prediction == nil {
            throw MLAuditError(.usage, "--score \(score.name) needs --prediction", hint: "Name the prediction column the score belongs to.")
        }

        header()
        line("name: \(YAMLText.scalar(draft.pipelineName))", options.name == nil ? "from the file name; names the warehouse and report folders" : nil)
        line("description: \(YAMLText.quoted("Drafted by mlaudit init from \(draft.baselinePath)."))")
        line("")
        line("model:")
        line("  name: \(YAMLText.scalar(draft.pipelineName))", "edit: the model's name")
        line("  version: \"1\"", "edit: the version being served")
        line("  # trained_at: 2026-01-01                   # the day it was trained (staleness checks)")
        line("  # config: model/serving/{date}.json        # the configuration served each day (config diffs)")
        line("")
        line("baseline:")
        line("  path: \(YAMLText.scalar(draft.baselinePath))",
             "\(rows) rows, \(sketches.count) columns" + (skipped > 0 ? "; \(skipped) ragged rows skipped while drafting" : ""))
        if let d = options.delimiter { line("  delimiter: \(YAMLText.quoted(d == "\\t" ? "\t" : d))") }
        line("")
        line("snapshots:")
        line("  path: \(YAMLText.scalar(draft.snapshotsPattern))",
             options.snapshots == nil ? "default: snapshots/{date} beside the baseline; set --snapshots" : "from --snapshots")
        if let d = options.delimiter { line("  delimiter: \(YAMLText.quoted(d == "\\t" ? "\t" : d))") }
        line("")
        line("# labels:                                    # late-arriving true labels, joined by id")
        line("#   path: \(YAMLText.scalar(draft.labelsPattern))", "in the baseline's format")
        line("#   expected_within_days: 10")
        line("")
        line("schema:")
        if let id {
            let unique = id.distinct.map { $0 == id.nonNull } ?? true
            line("  id: \(YAMLText.scalar(id.name))",
                 unique ? "from --id; \(id.highCardinality ? "over \(ColumnSketch.distinctCap)" : "\(id.nonNull)") distinct values"
                    : "from --id; NOTE: \(id.nonNull - (id.distinct ?? 0)) repeated ids in the baseline")
        }
        if let t = timestamp {
            line("  timestamp: \(YAMLText.scalar(t.name))",
                 (autoTimestamp ? "the only timestamp column (pass --timestamp to choose)" : "from --timestamp") + "; " + timeRange(t))
        }
        if let p = prediction { try predictionSection(p, score: score, target: target) }
        if let t = target { line("  target: \(YAMLText.scalar(t.name))", "from --target; \(describeValues(t))") }
        if let l = latency {
            line("  operational:")
            line("    latency: \(YAMLText.scalar(l.name))",
                 (autoLatency ? "named like a latency (pass --latency to choose)" : "from --latency") + "; milliseconds, "
                    + "observed \(range(l))")
        }
        if !carried.isEmpty {
            line("  carried: \(YAMLText.list(carried.map(\.name)))", "from --carried: kept and profiled, not model inputs (never judged for drift)")
        }
        if !ignored.isEmpty {
            line("  ignored: \(YAMLText.list(ignored.map(\.name)))", "from --ignore: neither stored nor reported")
        }
        line("  unexpected_columns: warn", "columns not declared here are reported (warn, ignore or error)")
        let features = sketches.filter { claimed[$0.name] == nil }
        guard !features.isEmpty else {
            throw MLAuditError(.usage, "every column of the baseline has a role; there are no input features left",
                               file: draft.baselinePath, hint: "A pipeline audits at least one feature: leave one column unassigned.")
        }
        line("  features:")
        for f in features { feature(f) }
        line("")
        checksSection()
        line("")
        line("drift:")
        line("  method: auto", "as Evidently by column type and distinct values, on the smaller sample (docs/statistics.md)")
        line("  drifted_share: 0.5", "dataset drift when half of the features drift")
        line("")
        if prediction != nil {
            line("performance:")
            line("  max_drop: {warning: 0.02, critical: 0.05}", "allowed drop of the judged metric against the baseline")
            line("")
        }
        line("report:")
        line("  formats: [html, md, json]")
        line("  output: reports")
        line("")
        line("warehouse: \(YAMLText.scalar("warehouse/\(draft.pipelineName).sqlite"))")
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func header() {
        line("# Pipeline definition drafted by `mlaudit init` (MLAudit \(MLAuditVersion.current)) from")
        line("# \(draft.baselinePath) (\(rows) rows). Every type, range, allowed list and null-rate bound")
        line("# below was inferred from that file, and its comment says from what, as TFDV's schema")
        line("# inference and Deequ's constraint suggestion do. Review it: the baseline's quirks are now")
        line("# the rules. docs/checks.md lists every check and threshold; relative paths resolve against")
        line("# the current directory, or against `root:` when set.")
    }

    func checkRoles(timestamp: ColumnSketch?, score: ColumnSketch?, latency: ColumnSketch?) throws {
        if let t = timestamp, t.nonNull > 0, t.anyTimestamps < t.nonNull {
            throw MLAuditError(
                .usage, "--timestamp column '\(t.name)' has values that are not timestamps (e.g. '\(t.nonNumericExample ?? "?")')",
                file: draft.baselinePath, hint: "Timestamps must be ISO 8601 or epoch seconds/milliseconds; choose another column.")
        }
        for (flag, s) in [("--score", score), ("--latency", latency)] {
            if let s, s.numbers < s.nonNull {
                throw MLAuditError(
                    .usage, "\(flag) column '\(s.name)' is not numeric (e.g. '\(s.nonNumericExample ?? "?")')",
                    file: draft.baselinePath, hint: "Choose a column of numbers.")
            }
        }
    }

    mutating func predictionSection(_ p: ColumnSketch, score: ColumnSketch?, target: ColumnSketch?) throws {
        let type = p.inferredType(maxCategories: options.maxCategories)
        // Classes by value (docs/ingest.md): `1.0` and `1` are one class, as ingest stores them.
        let predicted = Set(p.counts.keys.map(Self.classValue))
        let classes = predicted.union((target?.counts.keys).map { $0.map(Self.classValue) } ?? [])
        let kind: PredictionKind
        let why: String
        if !p.highCardinality, classes.count <= 2, predicted.count <= 2 {
            kind = .binary
            let respelled = classes.count < Set(p.counts.keys).union(target?.counts.keys ?? [:].keys).count
            why = "\(predicted.count) distinct predicted values: binary" + (respelled ? " (written \(Self.spellings(p, target)), compared by value)" : "")
        } else if type == .numeric || (type == .integer && (p.highCardinality || p.counts.count > options.maxCategories)) {
            kind = .regression
            why = "\(type == .numeric ? "fractional numbers" : "many distinct whole numbers"): regression"
        } else {
            kind = .multiclass
            why = "\(p.counts.count) distinct predicted values: multiclass"
        }
        if kind == .regression, let score {
            throw MLAuditError(.usage, "the prediction '\(p.name)' looks like a regression (\(why)), which has no score column",
                               hint: "Drop --score \(score.name), or predict labels for a classifier.")
        }
        line("  prediction:")
        line("    column: \(YAMLText.scalar(p.name))", "from --prediction; \(why)")
        line("    kind: \(kind.rawValue)")
        if let score { line("    score: \(YAMLText.scalar(score.name))", "from --score; observed \(range(score))") }
        if kind == .binary || kind == .multiclass {
            var sorted = classes.sorted()
            if kind == .binary, sorted.count < 2, sorted.allSatisfy({ $0 == "0" || $0 == "1" }) { sorted = ["0", "1"] }
            let source = target == nil ? "the values of \(p.name)" : "the values of \(p.name) and \(target!.name)"
            line("    classes: \(YAMLText.list(sorted))", "\(source) in the baseline")
            if kind == .binary {
                let positive = positiveClass(sorted)
                line("    positive_class: \(YAMLText.quoted(positive.value))", positive.why)
                if let score { try thresholdLine(score: score, prediction: p, classes: sorted, positive: positive.value) }
            }
        }
    }

    /// The decision threshold that reproduces the baseline's served predictions from its scores
    /// (docs/init.md): drafted when it agrees on at least `DefinitionDraft.thresholdAgreement`
    /// of the rows; else 0.5, with a comment saying that no threshold does.
    mutating func thresholdLine(score: ColumnSketch, prediction: ColumnSketch, classes: [String], positive: String) throws {
        let labels = ClassLabels(classes: classes)
        var scores: [Double] = [], decisions: [Bool] = []
        let si = sketches.firstIndex { $0.name == score.name }!, pi = sketches.firstIndex { $0.name == prediction.name }!
        // CSV, JSON Lines or Parquet, as the sketches were read.
        try SchemaInference.forEachRow(
            path: draft.baselinePath, delimiter: try draft.delimiterByte(),
            row: { fields in
                guard si < fields.count, pi < fields.count, let s = fields[si], let p = fields[pi],
                    let x = Double(s.trimmingCharacters(in: .whitespaces)), x.isFinite
                else { return }
                scores.append(x)
                decisions.append(labels.canonical(p) == positive)
            })
        guard let fit = DecisionThreshold.fit(scores: scores, positive: decisions) else {
            line("    threshold: 0.5", "the default decision threshold: no row has both a score and a prediction")
            return
        }
        let atDefault = DecisionThreshold.agreement(scores: scores, positive: decisions, threshold: 0.5) ?? 0
        let share = { (x: Double) in x < 1 && formatPercent(x) == "100%" ? "over 99.9%" : formatPercent(x) }
        if fit.agreement >= DefinitionDraft.thresholdAgreement {
            line("    threshold: \(YAMLText.number(fit.threshold))",
                 "reproduces \(share(fit.agreement)) of the baseline's predictions (score ≥ threshold is \(YAMLText.flowItem(positive)))"
                    + (fit.threshold == 0.5 ? "" : "; 0.5 would reproduce \(share(atDefault))"))
        } else {
            line("    threshold: 0.5",
                 "edit: no threshold reproduces the predictions from \(YAMLText.flowItem(score.name)) (the best, \(YAMLText.number(fit.threshold)), agrees on \(share(fit.agreement)); 0.5 on \(share(atDefault)))")
        }
    }

    /// A written label as ingest stores it when no classes are declared: numbers by value.
    static func classValue(_ written: String) -> String { ClassLabels(classes: []).canonical(written) }

    /// The spellings of the labels in the baseline, for the comment on classes read by value.
    static func spellings(_ p: ColumnSketch, _ t: ColumnSketch?) -> String {
        YAMLText.list(Array(Set(p.counts.keys).union(t?.counts.keys ?? [:].keys).sorted().prefix(6)))
    }

    func positiveClass(_ classes: [String]) -> (value: String, why: String) {
        if classes.contains("1") { return ("1", "the class 1") }
        for word in ["true", "yes", "y", "t", "positive", "pos"] {
            if let c = classes.first(where: { $0.lowercased() == word }) { return (c, "the class spelled '\(c)'") }
        }
        return (classes.last ?? "1", "edit: no class reads as positive; the last one in sort order was picked")
    }

    /// `--categorical` and `--numeric` name features of the baseline, once each; a numeric
    /// column must hold numbers.
    func checkTypeFlags(claimed: [String: String]) throws {
        var typed: [String: String] = [:]
        for (flag, names) in [("--categorical", options.categorical), ("--numeric", options.numeric)] {
            for name in names {
                let s = try sketch(name, flag: flag)!
                if let role = claimed[name] {
                    throw MLAuditError(.usage, "\(flag) names column '\(name)', which \(role) already gives a role",
                                       hint: "\(flag) types input features; leave it off role columns.")
                }
                if let other = typed[name], other != flag {
                    throw MLAuditError(.usage, "column '\(name)' is given to both \(other) and \(flag)", hint: "Give each column one type.")
                }
                typed[name] = flag
                if flag == "--numeric", s.numbers < s.nonNull {
                    throw MLAuditError(
                        .usage, "--numeric column '\(name)' has values that are not numbers (e.g. '\(s.nonNumericExample ?? "?")')",
                        file: draft.baselinePath, hint: "Leave it to be inferred, or declare it --categorical.")
                }
            }
        }
    }

    mutating func feature(_ s: ColumnSketch) {
        let inferred = s.inferredType(maxCategories: options.maxCategories)
        var type = inferred
        var reason = typeReason(s, inferred)
        if options.categorical.contains(s.name) {
            type = .categorical
            reason = "from --categorical; " + (s.distinct.map { "\($0) distinct values" } ?? "over \(ColumnSketch.distinctCap) distinct values")
                + (inferred != .categorical ? " (inferred \(inferred.rawValue))" : "")
        } else if options.numeric.contains(s.name) {
            type = .numeric
            reason = "from --numeric; all \(s.nonNull) values are numbers" + (inferred != .numeric ? " (inferred \(inferred.rawValue))" : "")
        }
        line("    - name: \(YAMLText.scalar(s.name))")
        line("      type: \(type.rawValue)", reason)
        switch type {
        case .numeric, .integer:
            if let lo = s.minimum, let hi = s.maximum, s.nonNull < Self.boundsMinimumValues {
                // Too few values to bound: a new value falls outside the extremes of n values
                // about 2 times in n + 1 (the trial's 90-row baseline warned on every clean day).
                line("      # no min/max drafted: \(s.nonNull) baseline values (\(formatNumber(lo)) to \(formatNumber(hi))) are too few to bound it (fewer than \(Self.boundsMinimumValues)); set them if the feature has real limits")
            } else if let lo = s.minimum, let hi = s.maximum {
                if type == .integer {
                    line("      min: \(YAMLText.number(lo))", "observed minimum")
                    line("      max: \(YAMLText.number(hi))", "observed maximum")
                } else {
                    // Soft bounds for a continuous feature (TFDV and Deequ avoid hard float
                    // ranges): the observed range padded by 10 % of its width on each side, not
                    // crossing zero when every value was on one side of it; the range check then
                    // judges a share (checks.range), so a handful of new extremes do not warn.
                    let (pl, ph) = softBounds(lo, hi)
                    let (l, h) = (YAMLText.outward(pl, up: false), YAMLText.outward(ph, up: true))
                    line("      min: \(YAMLText.number(l))", "observed minimum \(YAMLText.number(lo)), padded by 10 % of the range")
                    line("      max: \(YAMLText.number(h))", "observed maximum \(YAMLText.number(hi)), padded by 10 % of the range")
                }
            }
        case .categorical:
            guard !s.highCardinality, s.counts.count <= max(options.maxCategories, 1000) else {
                line("      # no allowed list: over \(ColumnSketch.distinctCap) distinct values; unseen categories are still reported")
                break
            }
            // Integer codes in numeric order, before other values in text order.
            let values = s.counts.keys.sorted { a, b in
                let x = Int(a), y = Int(b)
                if let x, let y, x != y { return x < y }
                if (x == nil) != (y == nil) { return x != nil }
                return a < b
            }
            line("      allowed: \(YAMLText.list(values))", "the \(values.count) values seen in the baseline")
        case .text:
            if let p = s.inferredPattern() {
                line("      pattern: \(YAMLText.quoted(p))", "the shape all \(s.nonNull) baseline values share")
            }
        default:
            break
        }
        if s.nulls > 0 {
            let r = s.nullRate
            let w = YAMLText.shareUp(r + 0.05), c = YAMLText.shareUp(r + 0.20)
            line("      checks:")
            line("        null_rate: {warning: \(YAMLText.number(w)), critical: \(YAMLText.number(c))}",
                 "baseline null rate \(formatPercent(r)) (\(s.nulls) of \(s.rows)) plus the default 5 and 20 point margins")
        }
    }

    func typeReason(_ s: ColumnSketch, _ type: ColumnType) -> String {
        let n = s.nonNull
        var why: String
        switch type {
        case .boolean: why = "all \(n) values are true/false words; true in \(formatPercent(Double(s.trueCount) / Double(max(n, 1))))"
        case .integer: why = "all \(n) values are whole numbers"
        case .numeric: why = "all \(n) values are numbers" + (s.nonFinite > 0 ? " (\(s.nonFinite) NaN or infinite)" : "")
        case .datetime: why = "all \(n) values are ISO 8601 timestamps; \(timeRange(s))"
        case .categorical:
            why = "\(s.counts.count) distinct values in \(n) rows"
            if s.numbers > 0, s.numbers < n { why += "; \(formatPercent(Double(s.numbers) / Double(n))) parse as numbers, not all" }
        case .text:
            if n == 0 {
                why = "every value is missing in the baseline: type unknown, edit"
            } else {
                why = (s.highCardinality ? "over \(ColumnSketch.distinctCap)" : "\(s.counts.count)") + " distinct values: free text"
                if let lo = s.minLength, let hi = s.maxLength { why += ", lengths \(lo) to \(hi)" }
                if s.numbers > 0, s.numbers < n { why += "; \(formatPercent(Double(s.numbers) / Double(n))) parse as numbers, not all (e.g. '\(s.nonNumericExample ?? "")')" }
            }
        }
        if s.nulls == 0, n > 0 { why += "; no nulls" }
        if let d = s.distinct, d == 1, n > 1 { why += "; NOTE: constant in the baseline" }
        return why
    }

    /// Fewest non-null baseline values from which `init` drafts a numeric feature's range: the
    /// share of new values beyond the extremes of n exchangeable values is 2 / (n + 1) (2 % at
    /// n = 90, 0.2 % at 1 000, before padding).
    static let boundsMinimumValues = 1000

    /// The observed range padded by 10 % of its width each side (1 % of the magnitude when
    /// all values are equal), not crossing zero when every value was on one side of it.
    func softBounds(_ lo: Double, _ hi: Double) -> (Double, Double) {
        let width = hi - lo
        let pad = width > 0 ? 0.1 * width : max(abs(lo) * 0.01, 1e-9)
        var l = lo - pad, h = hi + pad
        if lo >= 0, l < 0 { l = 0 }
        if hi <= 0, h > 0 { h = 0 }
        return (l, h)
    }

    func range(_ s: ColumnSketch) -> String {
        guard let lo = s.minimum, let hi = s.maximum else { return "no finite values" }
        return "\(formatNumber(lo)) to \(formatNumber(hi))"
    }

    func timeRange(_ s: ColumnSketch) -> String {
        guard let a = s.firstTimestamp, let b = s.lastTimestamp else { return "no timestamps" }
        return "\(Timestamp.format(epochMilliseconds: a).prefix(10)) to \(Timestamp.format(epochMilliseconds: b).prefix(10))"
    }

    func describeValues(_ s: ColumnSketch) -> String {
        guard let d = s.distinct else { return "over \(ColumnSketch.distinctCap) distinct values" }
        if d <= 10 {
            let shares = s.counts.sorted { $0.key < $1.key }.map { "\($0.key) \(formatPercent(Double($0.value) / Double(max(s.nonNull, 1))))" }
            return shares.joined(separator: ", ")
        }
        return "\(d) distinct values"
    }

    /// Every data-quality threshold at its default, written out so the knobs are visible.
    mutating func checksSection() {
        let d = ChecksSpec.defaults
        func pair(_ t: Thresholds?) -> String {
            var parts: [String] = []
            if let w = t?.warning { parts.append("warning: \(YAMLText.number(w))") }
            if let c = t?.critical { parts.append("critical: \(YAMLText.number(c))") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        line("checks:", "the defaults, written out (docs/checks.md); a feature's own checks: override them")
        let rows: [(String, Thresholds?, String)] = [
            ("null_rate", d.nullRate, "share of nulls in a column"),
            ("range", d.range, "share of values outside min/max"),
            ("allowed_values", d.allowedValues, "share of values outside allowed"),
            ("unseen_categories", d.unseenCategories, "share of categories the baseline never had"),
            ("pattern", d.pattern, "share of values not matching pattern"),
            ("duplicate_ids", d.duplicateIds, "share of rows repeating an id"),
            ("duplicate_rows", d.duplicateRows, "share of rows repeating a whole row"),
            ("quarantined_rows", d.quarantinedRows, "share of rows set aside at ingest"),
            ("type_errors", d.typeErrors, "share of values stored as null (on_type_error: set_null)"),
            ("retyped_column", d.retypedColumn, "share of a column's values not of its type"),
            ("non_finite", d.nonFinite, "share of NaN/inf in a feature (any in a score is critical)"),
            ("probability_range", d.probabilityRange, "share of scores outside [0, 1]"),
            ("unknown_labels", d.unknownLabels, "share of labels outside classes"),
            ("constant_column", d.constantColumn, "share of the most frequent value (1 = constant)"),
            ("timestamp_outside_day", d.timestampOutsideDay, "share of timestamps not on the snapshot's day"),
            ("future_timestamps", d.futureTimestamps, "share of timestamps after the run"),
            ("row_count_change", d.rowCountChange, "relative change against the trailing days' mean"),
            ("row_count_z", d.rowCountZ, "z-score against the trailing days"),
        ]
        for (key, t, comment) in rows { line("  \(key): \(pair(t))", comment) }
        line("  row_count_days: \(d.rowCountDays ?? 7)", "trailing days for the row-count check")
        line("  row_count_min_change: \(YAMLText.number(d.rowCountMinChange ?? 0.1))", "the z-score alerts only past this relative change")
    }
}

