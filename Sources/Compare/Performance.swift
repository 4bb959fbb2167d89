import AuditModel
import Statistics
import Warehouse

/// Binary label normalisation: maps the data's spelling of a class to 1 (positive) or 0.
struct BinaryLabels {
    let positive: String
    /// Whether the positive class is spelled as a truthy value (then labels are read as booleans).
    let positiveIsTruthy: Bool
    static let truthy: Set<String> = ["1", "1.0", "true", "yes", "t", "y"]
    static let falsy: Set<String> = ["0", "0.0", "false", "no", "f", "n"]

    init(positive: String) {
        self.positive = positive
        positiveIsTruthy = Self.truthy.contains(positive.lowercased())
    }

    /// 1, 0, or nil when the value is not a recognisable label.
    func code(_ value: String) -> Int? {
        if positiveIsTruthy {
            // The common spellings first: no lower-casing, no set lookups (a million rows a day).
            if value == "1" { return 1 }
            if value == "0" { return 0 }
            let v = value.lowercased()
            if Self.truthy.contains(v) { return 1 }
            if Self.falsy.contains(v) { return 0 }
            return nil
        }
        return value == positive ? 1 : 0
    }
}

/// The values of one labelled-rows column (truth or prediction) in row order, each the `String`
/// rows were always compared by (a label's text, `String(value)` of a number), held as a 4-byte
/// code into a table of the read's distinct values: a `String` is 16 bytes a row, and a day's
/// labels have a handful of distinct values (issue 13). A regression target read from a numeric
/// column keeps its numbers instead (about as many distinct values as rows): value `i` is
/// `String(numbers[i])`, and `Double(String(v)) == v` for every number but NaN (never kept), so
/// read back as a number it is `numbers[i]` itself.
struct CodedValues {
    /// Each row's code into `table` (empty when `numbers` holds the values).
    var codes: [UInt32] = []
    /// The distinct values (one table per read, shared by its truth and prediction).
    var table: [String] = []
    /// The values as numbers, or nil when they are codes.
    var numbers: [Double]?

    init() {}
    init(codes: [UInt32], table: [String]) {
        self.codes = codes
        self.table = table
    }
    init(numbers: [Double]) { self.numbers = numbers }
    /// The values given as strings, coded.
    init(_ values: [String]) {
        var interner = Interner()
        codes = values.map { interner.code($0) }
        table = interner.table
    }

    var count: Int { numbers?.count ?? codes.count }
    var isEmpty: Bool { count == 0 }
    subscript(i: Int) -> String {
        if let numbers { return String(numbers[i]) }
        return table[Int(codes[i])]
    }
    /// Every value as a `String` (a copy of every row: tests, multiclass reports).
    var strings: [String] { (0..<count).map { self[$0] } }

    /// `f` of each row's value, computed once per distinct value (per row for numbers).
    func view<T>(_ f: (String) -> T) -> ValueView<T> {
        if let numbers { return ValueView(codes: [], perCode: [], perRow: numbers.map { f(String($0)) }) }
        return ValueView(codes: codes, perCode: table.map(f), perRow: nil)
    }

    /// Each row's value read as a number, `Double(value)` (nil when it does not parse).
    var parsed: NumberView {
        if let numbers { return NumberView(numbers: numbers, codes: [], perCode: []) }
        return NumberView(numbers: nil, codes: codes, perCode: table.map { Double($0) })
    }

    /// The finite numbers among the values, in row order (`compactMap { Double($0) }.filter(\.isFinite)`).
    var finiteNumbers: [Double] {
        let p = parsed
        var out: [Double] = []
        for i in 0..<count { if let v = p[i], v.isFinite { out.append(v) } }
        return out
    }

    /// How many rows hold each value.
    func counts() -> [String: Int] {
        var out: [String: Int] = [:]
        if let numbers {
            for v in numbers { out[String(v), default: 0] += 1 }
            return out
        }
        var perCode = [Int](repeating: 0, count: table.count)
        for c in codes { perCode[Int(c)] += 1 }
        for (c, n) in perCode.enumerated() where n > 0 { out[table[c], default: 0] += n }
        return out
    }

    /// No rows, the same table (or numbers).
    var emptyCopy: CodedValues {
        numbers == nil ? CodedValues(codes: [], table: table) : CodedValues(numbers: [])
    }

    /// Appends row `k` of `other`, which has the same table (an `emptyCopy` of it, filled).
    mutating func append(_ other: CodedValues, at k: Int) {
        if let n = other.numbers {
            numbers!.append(n[k])
        } else {
            codes.append(other.codes[k])
        }
    }
}

/// A code for each distinct string, in order of first sight.
struct Interner {
    private(set) var table: [String] = []
    private var lookup: [String: UInt32] = [:]

    mutating func code(_ value: String) -> UInt32 {
        if let c = lookup[value] { return c }
        let c = UInt32(table.count)
        table.append(value)
        lookup[value] = c
        return c
    }
}

/// A value for each row of a `CodedValues`, computed once per distinct value.
struct ValueView<T> {
    let codes: [UInt32]
    let perCode: [T]
    let perRow: [T]?
    subscript(i: Int) -> T {
        if let perRow { return perRow[i] }
        return perCode[Int(codes[i])]
    }
}

/// A `CodedValues`' rows as numbers: the numbers themselves, or each code's parse.
struct NumberView {
    let numbers: [Double]?
    let codes: [UInt32]
    let perCode: [Double?]
    subscript(i: Int) -> Double? {
        if let numbers { return numbers[i] }
        return perCode[Int(codes[i])]
    }
}

/// Rows with a prediction and a true label, aligned.
struct LabelledRows {
    /// The true labels.
    var truthValues = CodedValues()
    /// The decision judged: `score >= decision threshold` for binary models with a score (the
    /// definition's operating point, the one CBPE estimates), else the served prediction. Kept
    /// for binary and multiclass models (regression reads `predictionValue`).
    var predictionValues = CodedValues()
    /// The prediction as a number (regression models): the served number, or `Double(prediction)`
    /// of a text column (NaN when it does not parse).
    var predictionValue: [Double] = []
    var score: [Double] = []
    var hasScore = true
    /// The row's position in the snapshot (row order), for joins with other columns.
    var index: [Int32] = []
    /// The snapshot's served decisions (`Comparison.servedDecisions`, without the fit), counted
    /// from the same read when `decisionsCounted`: the threshold checks need not read the
    /// prediction and score columns again.
    var decisions: ServedDecisions?
    var decisionsCounted = false

    /// The served decisions when counted from this read (`decisions`, possibly nil), else nil.
    typealias Decisions = (value: ServedDecisions?, counted: Bool)
    var countedDecisions: Decisions? { decisionsCounted ? (decisions, true) : nil }

    init() {}
    init(hasScore: Bool) { self.hasScore = hasScore }

    /// The labelled rows.
    var count: Int { truthValues.count }
    var isEmpty: Bool { truthValues.isEmpty }

    /// The true labels as strings (a copy of every row; set: coded).
    var truth: [String] {
        get { truthValues.strings }
        set { truthValues = CodedValues(newValue) }
    }
    /// The judged predictions as strings (a copy of every row; set: coded).
    var prediction: [String] {
        get { predictionValues.strings }
        set { predictionValues = CodedValues(newValue) }
    }

    /// No rows, the same tables.
    var emptyCopy: LabelledRows {
        var out = LabelledRows(hasScore: hasScore)
        out.truthValues = truthValues.emptyCopy
        out.predictionValues = predictionValues.emptyCopy
        return out
    }

    /// Appends row `k` of `other` (this is an `emptyCopy` of it, filled).
    mutating func append(_ other: LabelledRows, at k: Int) {
        truthValues.append(other.truthValues, at: k)
        if k < other.predictionValues.count { predictionValues.append(other.predictionValues, at: k) }
        if k < other.predictionValue.count { predictionValue.append(other.predictionValue[k]) }
        if other.hasScore, k < other.score.count { score.append(other.score[k]) }
        index.append(other.index[k])
    }
}

/// Realized metrics for one set of labelled rows, keyed by metric name (docs/statistics.md).
enum PerformanceMetrics {
    /// Metrics where lower is better: their "drop" is a relative rise.
    static let lowerIsBetter: Set<String> = ["log_loss", "brier", "mae", "rmse", "mape"]

    static func binary(_ rows: LabelledRows, labels: BinaryLabels) -> (metrics: [String: Double], confusion: [[Int]]?) {
        // Sized once (appending let each array double and copy: at 10M rows the three grew to
        // 400 MB, compare's peak); the scores are the rows' own array when no row is skipped.
        var yTrue: [Int] = [], yPred: [Int] = []
        yTrue.reserveCapacity(rows.count)
        yPred.reserveCapacity(rows.count)
        let truth = rows.truthValues.view(labels.code), prediction = rows.predictionValues.view(labels.code)
        var skipped = false
        for i in 0..<rows.count {
            guard let t = truth[i], let p = prediction[i] else { skipped = true; continue }
            yTrue.append(t)
            yPred.append(p)
        }
        var scores: [Double] = []
        if rows.hasScore {
            if !skipped && rows.score.count == rows.count {
                scores = rows.score
            } else {
                scores.reserveCapacity(yTrue.count)
                for i in 0..<rows.count where truth[i] != nil && prediction[i] != nil { scores.append(rows.score[i]) }
            }
        }
        guard !yTrue.isEmpty else { return ([:], nil) }
        var m: [String: Double] = [:]
        var confusion: [[Int]]?
        if let cm = ClassificationMetrics.confusionMatrix(yTrue: yTrue, yPred: yPred) {
            m["accuracy"] = cm.accuracy
            m["precision"] = cm.precision
            m["recall"] = cm.recall
            m["f1"] = cm.f1
            confusion = [[cm.tn, cm.fp], [cm.fn, cm.tp]]
        }
        m["positive_rate"] = Double(yPred.reduce(0, +)) / Double(yPred.count)
        m["label_positive_rate"] = Double(yTrue.reduce(0, +)) / Double(yTrue.count)
        if rows.hasScore, scores.count == yTrue.count, scores.allSatisfy({ $0.isFinite }) {
            m["roc_auc"] = ClassificationMetrics.rocAUC(yTrue: yTrue, scores: scores)
            m["pr_auc"] = ClassificationMetrics.averagePrecision(yTrue: yTrue, scores: scores)
            if scores.allSatisfy({ $0 >= 0 && $0 <= 1 }) {
                m["log_loss"] = ClassificationMetrics.logLoss(yTrue: yTrue, probabilities: scores)
                m["brier"] = ClassificationMetrics.brierScore(yTrue: yTrue, probabilities: scores)
            }
        }
        return (m.compactMapValues { $0 }, confusion)
    }

    /// The most classes (labels and predictions together) for which per-class recall and the
    /// confusion matrix are kept. Class values come from data: a day of 60 000 distinct
    /// predicted and true values made a 60 003 × 60 003 confusion matrix (24 GB, the run was
    /// killed). Above it only accuracy and macro and weighted F1 are computed (docs/compare.md).
    static let maxDetailedClasses = 100

    /// Accuracy, macro and weighted F1, per-class recall (`recall[label]`), and the confusion
    /// matrix over `classes` (the sorted union of labels and predictions, as sklearn); without
    /// the last two beyond ``maxDetailedClasses`` classes.
    static func multiclass(_ rows: LabelledRows) -> (metrics: [String: Double], classes: [String], confusion: [[Int]]?) {
        let truth = rows.truth, prediction = rows.prediction
        guard let r = ClassificationMetrics.multiclassReport(yTrue: truth, yPred: prediction) else { return ([:], [], nil) }
        var m: [String: Double] = ["accuracy": r.accuracy, "macro_f1": r.macroF1, "weighted_f1": r.weightedF1]
        guard r.labels.count <= maxDetailedClasses else { return (m, [], nil) }
        for (label, recall) in zip(r.labels, r.recall) { m["recall[\(label)]"] = recall }
        var index: [String: Int] = [:]
        for (i, l) in r.labels.enumerated() { index[l] = i }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: r.labels.count), count: r.labels.count)
        for (t, p) in zip(truth, prediction) { confusion[index[t]!][index[p]!] += 1 }
        return (m, r.labels, confusion)
    }

    static func regression(_ rows: LabelledRows) -> [String: Double] {
        var t: [Double] = [], p: [Double] = []
        let truth = rows.truthValues.parsed
        for i in 0..<min(rows.count, rows.predictionValue.count) {
            guard let y = truth[i], y.isFinite, rows.predictionValue[i].isFinite else { continue }
            t.append(y)
            p.append(rows.predictionValue[i])
        }
        var m: [String: Double?] = [:]
        m["mae"] = RegressionMetrics.meanAbsoluteError(yTrue: t, yPred: p)
        m["rmse"] = RegressionMetrics.rootMeanSquaredError(yTrue: t, yPred: p)
        m["mape"] = RegressionMetrics.meanAbsolutePercentageError(yTrue: t, yPred: p)
        m["r2"] = RegressionMetrics.r2(yTrue: t, yPred: p)
        m["mean_error"] = RegressionMetrics.meanError(yTrue: t, yPred: p)
        return m.compactMapValues { $0 }
    }

    /// The Wilson 95 % interval of a rate metric on the day's rows, from the confusion matrix
    /// (`[[tn, fp], [fn, tp]]` for binary models, classes × classes for multiclass): accuracy
    /// (correct of all rows), and for binary models precision (of predicted positives) and
    /// recall (of actual positives). nil for other metrics (F1, AUC, log loss, regression
    /// errors): their drops are judged on the allowed drop alone.
    static func rateInterval(_ name: String, confusion: [[Int]]?) -> GroupFairness.Rate? {
        rateCounts(name, confusion: confusion).flatMap { GroupFairness.wilson(successes: $0.successes, trials: $0.trials) }
    }

    /// The normal 95 % interval of a regression error metric on the day's labelled rows: for
    /// `mae` the mean absolute error ± 1.96 standard errors of the absolute errors; for `rmse`
    /// the square roots of the same interval of the mean squared error (docs/compare.md). nil
    /// for other metrics and for fewer than 2 rows.
    static func errorInterval(_ name: String, rows: LabelledRows?) -> (lower: Double, upper: Double)? {
        guard let rows, name == "rmse" || name == "mae" else { return nil }
        var values: [Double] = []
        let truth = rows.truthValues.parsed
        for i in 0..<min(rows.count, rows.predictionValue.count) {
            guard let y = truth[i], y.isFinite, rows.predictionValue[i].isFinite else { continue }
            let e = rows.predictionValue[i] - y
            values.append(name == "rmse" ? e * e : abs(e))
        }
        let n = Double(values.count)
        guard values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        let half = 1.959963984540054 * (variance / n).squareRoot()
        guard half.isFinite else { return nil }
        if name == "rmse" { return ((max(0, mean - half)).squareRoot(), (mean + half).squareRoot()) }
        return (max(0, mean - half), mean + half)
    }

    /// The successes and trials behind a rate metric (accuracy; precision and recall of a
    /// binary model) from the confusion matrix; nil for other metrics.
    static func rateCounts(_ name: String, confusion: [[Int]]?) -> (successes: Int, trials: Int)? {
        guard let m = confusion, !m.isEmpty, m.allSatisfy({ $0.count == m.count }) else { return nil }
        switch name {
        case "accuracy": return (m.indices.reduce(0) { $0 + m[$1][$1] }, m.joined().reduce(0, +))
        case "precision" where m.count == 2: return (m[1][1], m[0][1] + m[1][1])
        case "recall" where m.count == 2: return (m[1][1], m[1][0] + m[1][1])
        default: return nil
        }
    }

    /// The drop of a metric against the baseline: `baseline - current`, or for error metrics
    /// (lower is better) the relative rise `(current - baseline) / |baseline|`.
    static func drop(_ name: String, current: Double, baseline: Double) -> Double {
        let metric = SectionMetricName.measured(name)
        if lowerIsBetter.contains(metric) { return baseline == 0 ? 0 : (current - baseline) / abs(baseline) }
        return baseline - current
    }
}

// Realized performance on labelled rows, CBPE estimates from scores, and their judgement
// against the baseline (docs/compare.md, "Performance").
extension Comparison {
    var minLabelledRows: Int { definition.performance?.minLabelledRows ?? 100 }

    /// Prediction, score and label of every labelled row of a snapshot. Labels come from the
    /// row's target column or, for days, from the labels file joined by id (the latest labels
    /// snapshot of that date, so late labels count as soon as they are ingested).
    func labelledRows(snapshot s: SnapshotRecord, labelsFromFiles: Bool) throws -> LabelledRows? {
        guard let p = definition.schema.prediction, let targetName = definition.schema.target else { return nil }
        let header = Set(s.header)
        var names = [p.column].filter { header.contains($0) }
        if let score = p.score, header.contains(score) { names.append(score) }
        guard !names.isEmpty else { return nil }
        let targetInRows = header.contains(targetName)
        if targetInRows { names.append(targetName) }
        var labelsById: [String: String] = [:]
        let idName = definition.schema.id
        if !targetInRows {
            guard labelsFromFiles, let idName, header.contains(idName),
                let labelsSnapshot = try store.currentSnapshot(pipelineId: pipelineId, kind: .labels, date: s.date)
            else { return nil }
            labelsById = try store.labels(snapshotId: labelsSnapshot.id)
            names.append(idName)
        }
        let data = try store.readColumns(table, snapshotId: s.id, columns: names)
        let n = s.rowsStored
        let threshold = definition.decisionThreshold
        let positive = definition.positiveClass
        var rows = LabelledRows()
        if let needed = servedDecisionColumns(snapshot: s) {
            if needed.allSatisfy(names.contains) {
                rows.decisions = servedDecisions(data)
                rows.decisionsCounted = true
            }
        } else {
            rows.decisionsCounted = true
        }
        let scoreData: NumericColumnData? = p.score.flatMap { if case .numeric(let d)? = data[$0] { return d } else { return nil } }
        rows.hasScore = scoreData != nil
        let binaryWithScore = p.kind == .binary && scoreData != nil
        let regression = p.kind == .regression
        // Truth and prediction are kept as codes into one table of the read's distinct values
        // (`CodedValues`); a value is made a `String` once, when first seen: a text column's
        // entry through its own code, a number through its bits. A regression target from a
        // numeric column keeps its numbers. Regression keeps the prediction as a number, the
        // other kinds as a code.
        var truthLabels: LabelColumnData?, truthNumbers: NumericColumnData?, ids: LabelColumnData?
        if targetInRows {
            switch data[targetName] {
            case .labels(let t)?: truthLabels = t
            case .numeric(let t)?: truthNumbers = t
            case nil: break
            }
        } else if let idName, case .labels(let d)? = data[idName] {
            ids = d
        }
        var servedLabels: LabelColumnData?, servedNumbers: NumericColumnData?
        switch data[p.column] {
        case .labels(let d)?: servedLabels = d
        case .numeric(let d)?: servedNumbers = d
        case nil: break
        }
        let truthAsNumbers = regression && truthNumbers != nil
        var interner = Interner()
        var numberCodes: [UInt64: UInt32] = [:]
        func numberCode(_ v: Double) -> UInt32 {
            if let c = numberCodes[v.bitPattern] { return c }
            let c = interner.code(String(v))
            numberCodes[v.bitPattern] = c
            return c
        }
        func labelCode(_ d: LabelColumnData, _ code: Int32, _ cache: inout [UInt32]) -> UInt32 {
            let k = Int(code)
            if cache[k] != .max { return cache[k] }
            let c = interner.code(d.dictionary[k])
            cache[k] = c
            return c
        }
        var truthLabelCodes = [UInt32](repeating: .max, count: truthLabels?.dictionary.count ?? 0)
        var servedLabelCodes = [UInt32](repeating: .max, count: servedLabels?.dictionary.count ?? 0)
        let servedLabelNumbers: [Double?] = regression ? (servedLabels?.dictionary.map { Double($0) } ?? []) : []
        var decisionCodes: (positive: UInt32, negative: UInt32)?
        var truthCodes: [UInt32] = [], truthValues: [Double] = [], predictionCodes: [UInt32] = []
        // Room for every row up front: growing by doubling would hold up to twice that for a moment.
        if truthAsNumbers { truthValues.reserveCapacity(n) } else { truthCodes.reserveCapacity(n) }
        if regression { rows.predictionValue.reserveCapacity(n) } else { predictionCodes.reserveCapacity(n) }
        rows.index.reserveCapacity(n)
        if rows.hasScore { rows.score.reserveCapacity(n) }
        for i in 0..<n {
            // The row's truth: nil when it has none.
            var truthText: String?
            if let t = truthLabels {
                if t.codes[i] < 0 { continue }
            } else if let t = truthNumbers {
                if t.nulls[i] || t.values[i].isNaN { continue }
            } else if targetInRows {
                continue
            } else {
                guard let ids, let id = ids.value(at: i), let label = labelsById[id] else { continue }
                truthText = label
            }
            // The served prediction, then the judged one.
            var hasServed = false
            if let d = servedLabels {
                hasServed = d.codes[i] >= 0
            } else if let d = servedNumbers {
                hasServed = !d.nulls[i]
            }
            var hasPredicted = hasServed
            if let sd = scoreData {
                if sd.nulls[i] || !sd.values[i].isFinite { continue }
                if binaryWithScore { hasPredicted = true }
            }
            guard hasPredicted else { continue }
            if let sd = scoreData { rows.score.append(sd.values[i]) }
            if let t = truthLabels {
                truthCodes.append(labelCode(t, t.codes[i], &truthLabelCodes))
            } else if let t = truthNumbers {
                if truthAsNumbers { truthValues.append(t.values[i]) } else { truthCodes.append(numberCode(t.values[i])) }
            } else if let truthText {
                truthCodes.append(interner.code(truthText))
            }
            rows.index.append(Int32(i))
            if regression {
                // As before: the served number, else the served text read as a number.
                if let d = servedNumbers {
                    rows.predictionValue.append(d.values[i].isNaN ? .nan : d.values[i])
                } else if let d = servedLabels {
                    rows.predictionValue.append(servedLabelNumbers[Int(d.codes[i])] ?? .nan)
                }
            } else if binaryWithScore, let sd = scoreData {
                if decisionCodes == nil { decisionCodes = (interner.code(positive), interner.code("0")) }
                predictionCodes.append(sd.values[i] >= threshold ? decisionCodes!.positive : decisionCodes!.negative)
            } else if let d = servedLabels {
                predictionCodes.append(labelCode(d, d.codes[i], &servedLabelCodes))
            } else if let d = servedNumbers {
                predictionCodes.append(numberCode(d.values[i]))
            }
        }
        rows.truthValues = truthAsNumbers ? CodedValues(numbers: truthValues) : CodedValues(codes: truthCodes, table: interner.table)
        if !regression { rows.predictionValues = CodedValues(codes: predictionCodes, table: interner.table) }
        return rows
    }

    /// The baseline's part of the performance section, from the stage result kept for the
    /// baseline snapshot when it was made with the same settings, else computed from the
    /// baseline's rows and kept (in this stage's transaction).
    mutating func loadBaselinePerformance() throws -> BaselinePerformance? {
        guard definition.schema.prediction != nil else { return nil }
        let key = BaselinePerformance.key(definition)
        if let stored = try? store.result(BaselinePerformance.resultKey, snapshotId: baseline.id),
            stored.version == BaselinePerformance.currentVersion, stored.key == key
        {
            return stored
        }
        let rows = try labelledRows(snapshot: baseline, labelsFromFiles: false)
        baselineDecisions = rows?.countedDecisions
        let computed = computeBaselinePerformance(rows, key: key)
        if cacheWritable {
            try store.putResult(snapshotId: baseline.id, BaselinePerformance.resultKey, computed)
        }
        return computed
    }

    /// Realized metrics of the baseline's labelled rows and the CBPE calibrator fitted on them.
    func computeBaselinePerformance(_ base: LabelledRows?, key: String) -> BaselinePerformance {
        var out = BaselinePerformance(
            version: BaselinePerformance.currentVersion, key: key, rows: base != nil, hasScore: base?.hasScore ?? false, metrics: [:])
        guard let kind = definition.schema.prediction?.kind, let base else { return out }
        let labels = BinaryLabels(positive: definition.positiveClass)
        if !base.isEmpty {
            switch kind {
            case .binary: out.metrics = PerformanceMetrics.binary(base, labels: labels).metrics
            case .multiclass: out.metrics = PerformanceMetrics.multiclass(base).metrics
            case .regression: out.metrics = PerformanceMetrics.regression(base)
            }
        }
        if kind == .binary, base.hasScore {
            var yBase: [Int] = [], sBase: [Double] = []
            let truth = base.truthValues.view(labels.code)
            for (k, s) in base.score.prefix(base.count).enumerated() {
                if let y = truth[k], s.isFinite {
                    yBase.append(y)
                    sBase.append(s)
                }
            }
            out.calibrator = CBPE.fitCalibrator(referenceScores: sBase, referenceLabels: yBase)
            let threshold = definition.decisionThreshold
            out.samplingErrors = CBPESamplingError.components(
                labels: yBase, decisions: sBase.map { $0 >= threshold ? 1 : 0 }, scores: sBase)
        }
        return out
    }

    mutating func performanceSection(day: LabelledRows?, base: BaselinePerformance?) throws -> AuditSummary.PerformanceSection {
        guard let kind = definition.schema.prediction?.kind else {
            return .init(kind: nil, labelledRows: 0, labelsAvailable: false, judgedMetric: nil, metrics: [],
                         confusionMatrix: nil, classes: nil)
        }
        let labels = BinaryLabels(positive: definition.positiveClass)
        func compute(_ rows: LabelledRows?) -> (metrics: [String: Double], confusion: [[Int]]?, classes: [String]?) {
            guard let rows, !rows.isEmpty else { return ([:], nil, nil) }
            switch kind {
            case .binary:
                let r = PerformanceMetrics.binary(rows, labels: labels)
                return (r.metrics, r.confusion, ["0", definition.positiveClass])
            case .multiclass:
                let r = PerformanceMetrics.multiclass(rows)
                return (r.metrics, r.confusion, r.classes)
            case .regression: return (PerformanceMetrics.regression(rows), nil, nil)
            }
        }
        let labelled = day?.count ?? 0
        let current = labelled > 0 ? compute(day) : (metrics: [:], confusion: nil, classes: nil)
        let referenceMetrics = base?.metrics ?? [:]
        let judged = definition.performance?.metric ?? (kind == .regression ? "rmse" : "accuracy")
        var comparisons: [AuditSummary.MetricComparison] = []
        for name in Set(current.metrics.keys).union(referenceMetrics.keys).sorted() {
            comparisons.append(.init(name: name, current: current.metrics[name], baseline: referenceMetrics[name]))
            if let v = current.metrics[name] { metrics.append(Metric(.performance(name), v)) }
        }
        metrics.append(Metric(.performanceLabelledRows, Double(labelled)))

        let thresholds = (definition.performance?.maxDrop ?? Thresholds(warning: nil, critical: nil))
            .merged(over: Thresholds(warning: 0.02, critical: 0.05))
        func bound(_ ref: Double, _ name: String) -> String {
            let metric = SectionMetricName.measured(name)
            return PerformanceMetrics.lowerIsBetter.contains(metric)
                ? "≤ \(formatNumber(ref * (1 + (thresholds.warning ?? 0))))" : "≥ \(formatNumber(ref - (thresholds.warning ?? 0)))"
        }

        // Estimated performance from scores (CBPE), calibrated on the baseline.
        let estimated = kind == .binary ? try estimate(base: base) : [:]
        let scored = estimated.isEmpty ? 0 : dayScores.count
        var bands: [String: (lower: Double, upper: Double)] = [:]
        for (k, v) in estimated.sorted(by: { $0.key < $1.key }) {
            var c = AuditSummary.MetricComparison(name: SectionMetricName.estimated(k).rawValue, current: v, baseline: referenceMetrics[k])
            if let component = base?.samplingErrors?[k] {
                let se = component.samplingError(rows: scored)
                if se.isFinite, let band = CBPESamplingError.band(estimate: v, samplingError: se) {
                    c.samplingError = se
                    c.lower = band.lower
                    c.upper = band.upper
                    bands[k] = band
                    metrics.append(Metric(.estimatedPerformanceSamplingError(k), se))
                }
            }
            comparisons.append(c)
            metrics.append(Metric(.estimatedPerformance(k), v))
        }

        if labelled >= minLabelledRows, let cur = current.metrics[judged], let ref = referenceMetrics[judged] {
            let drop = PerformanceMetrics.drop(judged, current: cur, baseline: ref)
            metrics.append(Metric(.performanceDrop, drop))
            // A rate (accuracy, precision, recall) must also have fallen beyond sampling noise:
            // the baseline above the day's Wilson 95 % interval; an error (rmse, mae) must have
            // risen beyond it: the baseline below the day's 95 % interval (docs/compare.md).
            let errorInterval = PerformanceMetrics.errorInterval(judged, rows: day)
            let interval = PerformanceMetrics.rateInterval(judged, confusion: current.confusion).map { (lower: $0.lower, upper: $0.upper) }
                ?? errorInterval
            let beyondNoise = errorInterval.map { ref < $0.lower } ?? interval.map { ref > $0.upper } ?? true
            if let severity = thresholds.severity(of: drop), beyondNoise {
                let within = interval.map { "; 95 % interval \(formatNumber($0.lower))–\(formatNumber($0.upper))" } ?? ""
                findings.append(Finding(
                    CheckCatalog.performanceDrop, severity: severity,
                    message: "\(judged) is \(formatNumber(cur))\(within) against \(formatNumber(ref)) on the baseline (\(labelled) labelled rows)",
                    observed: formatNumber(cur), expected: bound(ref, judged)))
            }
        } else {
            if labelled > 0, current.metrics[judged] != nil {
                // Labels exist but too few to judge the realized metric: say so (never silently).
                let proxy = estimated[judged] != nil ? "; the CBPE estimate is judged instead" : ""
                notEvaluated(
                    CheckCatalog.performanceDrop,
                    "\(labelled) labelled row\(labelled == 1 ? "" : "s"), fewer than performance.min_labelled_rows (\(minLabelledRows))\(proxy)")
            }
            if let cur = estimated[judged], let ref = referenceMetrics[judged] {
                // No (or too few) labels: judge the estimate, as a proxy — by the edge of its
                // confidence band nearest the baseline, so a drop within sampling error does not fire.
                let band = bands[judged]
                let edge = band.map { PerformanceMetrics.lowerIsBetter.contains(judged) ? $0.lower : $0.upper } ?? cur
                let nearest = PerformanceMetrics.drop(judged, current: edge, baseline: ref) < PerformanceMetrics.drop(judged, current: cur, baseline: ref) ? edge : cur
                let drop = PerformanceMetrics.drop(judged, current: nearest, baseline: ref)
                metrics.append(Metric(.performanceEstimatedDrop, PerformanceMetrics.drop(judged, current: cur, baseline: ref)))
                if let severity = thresholds.severity(of: drop) {
                    let bandText = band.map { " (confidence band \(formatNumber($0.lower))–\(formatNumber($0.upper)))" } ?? ""
                    findings.append(Finding(
                        CheckCatalog.estimatedPerformanceDrop, severity: severity,
                        message: "estimated \(judged) (CBPE) is \(formatNumber(cur))\(bandText) against \(formatNumber(ref)) realized on the baseline; \(labelled) labelled rows so far",
                        observed: formatNumber(cur), expected: bound(ref, judged)))
                }
            }
        }
        var section = AuditSummary.PerformanceSection(
            kind: kind, labelledRows: labelled, labelsAvailable: labelled > 0, judgedMetric: judged, metrics: comparisons,
            confusionMatrix: current.confusion, classes: current.confusion == nil ? nil : current.classes)
        if kind == .binary { section.decisionThreshold = definition.decisionThreshold }
        return section
    }

    /// CBPE on the day's scores (every row with a finite score, labelled or not), with the
    /// calibrator fitted on the baseline's labelled scores: estimated accuracy, precision,
    /// recall, F1 at the decision threshold, and ROC AUC.
    mutating func estimate(base: BaselinePerformance?) throws -> [String: Double] {
        guard let base, base.rows, base.hasScore, let scoreName = definition.schema.prediction?.score,
            Set(snapshot.header).contains(scoreName)
        else { return [:] }
        let dayScores = try scoresInRowOrder()
        guard !dayScores.isEmpty else { return [:] }
        return Self.cbpe(scores: dayScores, base: base, threshold: definition.decisionThreshold)
    }

    /// CBPE's estimates for finite `scores` with the baseline's calibrator (empty without one).
    static func cbpe(scores: [Double], base: BaselinePerformance, threshold: Double) -> [String: Double] {
        guard let calibrator = base.calibrator, !scores.isEmpty else { return [:] }
        let calibrated = scores.map { calibrator.predict($0) }
        guard let e = CBPE.estimate(calibratedProbabilities: calibrated, uncalibratedScores: scores, threshold: threshold)
        else { return [:] }
        var out = ["accuracy": e.accuracy, "precision": e.precision, "recall": e.recall, "f1": e.f1]
        out["roc_auc"] = CBPE.estimatedROCAUC(calibratedProbabilities: calibrated, uncalibratedScores: scores)
        return out
    }
}

/// What the performance section needs from the baseline: its realized metrics and the CBPE
/// calibrator fitted on its labelled scores. They depend on the baseline snapshot and a few
/// settings only, so they are computed on the first comparison against a baseline snapshot and
/// kept as its stage result `compare.baseline_performance` (a new baseline version is a new
/// snapshot; other settings are a new `key`); later days skip reading and scoring the
/// baseline's rows.
struct BaselinePerformance: Codable, Sendable, Equatable {
    static let resultKey = StoredResultKey<BaselinePerformance>(.baselinePerformance, stage: .compare)
    static var resultName: String { resultKey.name.rawValue }
    static let currentVersion = 2

    var version: Int
    /// The settings the values were computed with (`key(_:)`).
    var key: String
    /// Whether the baseline had prediction and label columns to read (`labelledRows` not nil).
    var rows: Bool
    /// Whether the baseline has the score column.
    var hasScore: Bool
    /// Realized metrics on the baseline's labelled rows (empty without labels).
    var metrics: [String: Double]
    /// CBPE's calibrator (binary models with a score), nil when it cannot be fitted.
    var calibrator: IsotonicRegression?
    /// NannyML's sampling-error components of each CBPE metric, fitted on the baseline's labels
    /// and decisions at the threshold (binary models with a score).
    var samplingErrors: [String: CBPESamplingError.Component]?

    /// The settings the baseline's performance depends on: prediction, score and target
    /// columns with their declared types, kind, positive class, decision threshold and classes.
    static func key(_ d: PipelineDefinition) -> String {
        let p = d.schema.prediction
        let types = Dictionary(d.declaredColumns.map { ($0.name, $0.type.rawValue) }, uniquingKeysWith: { a, _ in a })
        let names = [p?.column, p?.score, d.schema.target]
        let parts = names.map { n in n.map { "\($0):\(types[$0] ?? "")" } ?? "-" }
            + [p?.kind.rawValue ?? "-", d.positiveClass, String(d.decisionThreshold.bitPattern, radix: 16)]
            + (p?.classes ?? [])
        return parts.map { "\($0.utf8.count):\($0)" }.joined(separator: ",")
    }
}
