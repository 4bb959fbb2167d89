import AuditModel
import Foundation

/// Generates the demo data set: a credit-default classifier's training baseline and daily
/// serving logs with late labels, model configurations, and incidents on documented days.
///
/// Deterministic: the same options write the same bytes on every machine (a SplitMix64
/// generator, fixed dates, numbers formatted without locale). The incidents and their days
/// are listed in `DemoGenerator.incidents` and in the README.
public struct DemoGenerator {
    public struct Options: Sendable {
        public var days: Int
        public var rowsPerDay: Int
        public var baselineRows: Int
        public var seed: UInt64
        public var start: Day
        /// The data files' format: CSV, or Parquet (`mlaudit demo --format parquet`).
        public var format: Format

        public init(days: Int = 30, rowsPerDay: Int = 3000, baselineRows: Int = 10_000, seed: UInt64 = 20_261_101,
                    start: Day = Day("2026-11-01")!, format: Format = .csv) {
            self.days = days
            self.rowsPerDay = rowsPerDay
            self.baselineRows = baselineRows
            self.seed = seed
            self.start = start
            self.format = format
        }
    }

    /// The format of the baseline, snapshots and labels files.
    public enum Format: String, Sendable, CaseIterable {
        case csv
        /// Snappy Parquet, typed (strings, INT64, DOUBLE, BOOLEAN, TIMESTAMP(MILLIS, UTC)) with the
        /// same values as the CSV; day 5's malformed rows are left out: Parquet cannot hold a
        /// ragged row, text in an integer column or an unparseable timestamp.
        case parquet
    }

    /// An incident injected into the demo, by day number (1-based).
    public struct Incident: Sendable {
        public let days: ClosedRange<Int>
        public let title: String
        public let expected: String
    }

    /// The injected incidents (day numbers count from `start`, day 1 = start).
    public static let incidents: [Incident] = [
        Incident(days: 5...5, title: "malformed rows from a bad export (ragged row, text in a number, bad timestamp)",
                 expected: "rows quarantined with line and reason; quality.quarantined_rows warning"),
        Incident(days: 8...8, title: "group_c applicants' defaulters scored as safe (a lost credit-history feed for that group): its true positive rate collapses",
                 expected: "critical fairness.equalized_odds and fairness.impact_ratio on ethnicity naming group_c; segment findings on ethnicity = group_c; the whole day's metrics stay within bounds"),
        Incident(days: 10...10, title: "broken upstream join: credit_score 35% null",
                 expected: "critical quality.null_rate on credit_score"),
        Incident(days: 14...30, title: "income drifts gradually upward (+3% a day from day 14)",
                 expected: "drift.feature on income from about day 17 on, not before day 14"),
        Incident(days: 18...30, title: "new employment_type category 'gig_worker' (~12% of rows)",
                 expected: "quality.allowed_values on employment_type"),
        Incident(days: 18...30, title: "economic downturn: more defaults than the model expects",
                 expected: "target drift and a performance drop on days with labels"),
        Incident(days: 22...24, title: "latency regression in serving (x3.5)",
                 expected: "operational.latency over the p95 SLO and debt.latency_regression"),
        Incident(days: 26...30, title: "model configuration changed without retraining (threshold 0.5 to 0.3, max_depth 6 to 8)",
                 expected: "debt.config_changed and prediction drift"),
    ]

    /// Labels arrive this many days after the predictions: the last `labelDelay` days have none yet.
    public static let labelDelay = 7

    public let options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Writes the data set under `directory` and returns the files written (relative paths).
    @discardableResult
    public func write(to directory: String) throws -> [String] {
        var written: [String] = []
        func put(_ relative: String, _ text: String) throws {
            let path = directory + "/" + relative
            let dir = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw MLAuditError.output(path, cause: error.localizedDescription)
            }
            written.append(relative)
        }
        func table(_ relative: String, _ csv: String, _ columns: [ParquetWriter.Column]) throws {
            guard options.format == .parquet else { return try put(relative + ".csv", csv) }
            let path = directory + "/" + relative + ".parquet"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Self.writeParquet(csv: csv, columns: columns, to: path)
            written.append(relative + ".parquet")
        }
        try table("baseline", baselineCSV(), Self.parquetColumns + [.init("defaulted", .int64, optional: false)])
        try put("model/training-config.json", modelConfig(changed: false))
        for d in 1...options.days {
            let day = options.start.adding(days: d - 1)
            let (snapshot, labels) = dayCSV(dayNumber: d)
            try table("snapshots/\(day)", snapshot, Self.parquetColumns)
            if d <= options.days - Self.labelDelay {
                try table("labels/\(day)", labels, [.init("request_id", .string, optional: false), .init("defaulted", .int64, optional: false)])
            }
            try put("model/serving/\(day).json", modelConfig(changed: d >= 26))
        }
        return written
    }

    /// The Parquet types of the snapshot columns (`header`, in order).
    static let parquetColumns: [ParquetWriter.Column] = [
        .init("request_id", .string, optional: false), .init("ts", .timestampMillis, optional: false),
        .init("age", .int64, optional: false), .init("income", .double, optional: false),
        .init("debt_ratio", .double, optional: false), .init("credit_score", .int64),
        .init("num_open_accounts", .int64, optional: false), .init("loan_amount", .double, optional: false),
        .init("employment_type", .string, optional: false), .init("region", .string, optional: false),
        .init("has_mortgage", .boolean, optional: false), .init("application_channel", .string, optional: false),
        .init("ethnicity", .string, optional: false), .init("default_probability", .double, optional: false), .init("predicted_default", .int64, optional: false),
        .init("latency_ms", .double, optional: false),
    ]

    /// Writes the demo's CSV text (its header, then plain comma-separated rows) as snappy
    /// Parquet with `columns`' types, the values parsed from the same text (so the two formats
    /// hold the same numbers); an empty field is a null. Row groups of 4 096 rows by default.
    package static func writeParquet(
        csv: String, columns: [ParquetWriter.Column], to path: String, rowGroupRows: Int = 4096, rowsPerPage: Int = 65_536
    ) throws {
        let writer = try ParquetWriter(path: path, columns: columns, codec: .snappy, rowsPerPage: rowsPerPage)
        var lines = csv.split(separator: "\n").dropFirst()[...]
        while !lines.isEmpty {
            let group = lines.prefix(rowGroupRows).map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            lines = lines.dropFirst(rowGroupRows)
            var values: [ParquetWriter.Values] = []
            for (i, c) in columns.enumerated() {
                func field(_ r: [Substring]) -> Substring? { r[i].isEmpty ? nil : r[i] }
                switch c.kind {
                case .string: values.append(.strings(group.map { field($0).map(String.init) }))
                case .int64: values.append(.ints(group.map { field($0).flatMap { Int64($0) } }))
                case .double: values.append(.doubles(group.map { field($0).flatMap { Double($0) } }))
                case .boolean: values.append(.booleans(group.map { field($0).map { $0 == "true" } }))
                case .timestampMillis: values.append(.ints(group.map { field($0).flatMap { demoTimestamp($0) } }))
                }
            }
            try writer.append(rowGroup: values)
        }
        try writer.finish()
    }

    static let header = [
        "request_id", "ts", "age", "income", "debt_ratio", "credit_score", "num_open_accounts", "loan_amount",
        "employment_type", "region", "has_mortgage", "application_channel", "ethnicity", "default_probability",
        "predicted_default", "latency_ms",
    ]

    /// The protected attribute's groups and shares (a carried column: not a model input).
    static let ethnicities: [String: Double] = ["group_a": 0.4, "group_b": 0.3, "group_c": 0.2, "group_d": 0.1]

    /// The protected attribute of each row, from its own generator so the other columns keep
    /// their values (day 0: the baseline).
    func attributeGenerator(day d: Int) -> SplitMix64 {
        SplitMix64(seed: options.seed ^ 0xE7_41C1_7E5 &+ UInt64(d) &* 0x2545_F491)
    }

    struct Applicant {
        var age: Int
        var income: Double
        var debtRatio: Double
        var creditScore: Int?
        var accounts: Int
        var loan: Double
        var employment: String
        var region: String
        var mortgage: Bool
        var channel: String
        var ethnicity = "group_a"
    }

    func applicant(_ rng: inout SplitMix64, dayNumber d: Int?) -> Applicant {
        let age = Int(min(90, max(18, rng.normal(mean: 42, sd: 12))).rounded())
        var income = exp(rng.normal(mean: 10.8, sd: 0.45))
        if let d, d >= 14 { income *= 1 + 0.03 * Double(d - 13) }
        let debt = min(1.5, max(0, rng.normal(mean: 0.35, sd: 0.15)))
        let score = Int(min(850, max(300, rng.normal(mean: 680, sd: 60))).rounded())
        let accounts = Int(abs(rng.normal(mean: 5, sd: 2.5)).rounded())
        let loan = exp(rng.normal(mean: 9.5, sd: 0.6))
        var employment = rng.pick(["salaried": 0.6, "self_employed": 0.2, "retired": 0.1, "unemployed": 0.1])
        if let d, d >= 18, rng.uniform() < 0.12 { employment = "gig_worker" }
        let region = rng.pick(["north": 0.3, "south": 0.25, "east": 0.25, "west": 0.2])
        let mortgage = rng.uniform() < 0.4
        let channel = rng.pick(["web": 0.55, "branch": 0.25, "phone": 0.2])
        return Applicant(age: age, income: income, debtRatio: debt, creditScore: score, accounts: accounts, loan: loan,
                         employment: employment, region: region, mortgage: mortgage, channel: channel)
    }

    /// The model's score: a fixed logistic function of the inputs (what the served model computes).
    func score(_ a: Applicant) -> Double {
        var z = -1.3
        z += 3.0 * (a.debtRatio - 0.35)
        z -= 0.012 * (Double(a.creditScore ?? 680) - 680)
        z -= 0.8 * (log(a.income) - 10.8)
        z += 0.25 * (log(a.loan) - 9.5)
        z -= 0.01 * Double(a.age - 42)
        switch a.employment {
        case "unemployed": z += 1.0
        case "self_employed": z += 0.3
        case "retired": z += 0.1
        default: break
        }
        if a.mortgage { z -= 0.2 }
        return 1 / (1 + exp(-z))
    }

    /// The true default probability: the model's function while the world matches training; a
    /// downturn from day 18 raises it.
    func trueProbability(_ a: Applicant, modelScore: Double, dayNumber d: Int?) -> Double {
        var z = log(modelScore / (1 - modelScore))
        if a.employment == "gig_worker" { z += 0.8 }
        if let d, d >= 18 { z += 1.0 }
        return 1 / (1 + exp(-z))
    }

    func baselineCSV() -> String {
        var rng = SplitMix64(seed: options.seed)
        var attributes = attributeGenerator(day: 0)
        var out = (Self.header + ["defaulted"]).joined(separator: ",") + "\n"
        let trainingStart = Day("2026-06-01")!
        for i in 0..<options.baselineRows {
            var a = applicant(&rng, dayNumber: nil)
            a.ethnicity = attributes.pick(Self.ethnicities)
            let s = score(a)
            let y = rng.uniform() < trueProbability(a, modelScore: s, dayNumber: nil) ? 1 : 0
            let ts = trainingStart.startEpochSeconds * 1000 + Int64(i) * (86_400_000 * 90 / Int64(options.baselineRows))
            let latency = exp(rng.normal(mean: log(45), sd: 0.35))
            out += row(id: "T\(100_000 + i)", tsMillis: ts, a, score: s, threshold: 0.5, latency: latency) + ",\(y)\n"
        }
        return out
    }

    func dayCSV(dayNumber d: Int) -> (snapshot: String, labels: String) {
        var rng = SplitMix64(seed: options.seed &+ UInt64(d) &* 0x9E37_79B9)
        var attributes = attributeGenerator(day: d)
        let day = options.start.adding(days: d - 1)
        var out = Self.header.joined(separator: ",") + "\n"
        var labels = "request_id,defaulted\n"
        let threshold = d >= 26 ? 0.3 : 0.5
        for i in 0..<options.rowsPerDay {
            var a = applicant(&rng, dayNumber: d)
            a.ethnicity = attributes.pick(Self.ethnicities)
            if d == 10, rng.uniform() < 0.35 { a.creditScore = nil }
            var s = score(a)
            let y = rng.uniform() < trueProbability(a, modelScore: s, dayNumber: d) ? 1 : 0
            // Day 8: the credit-history feed of group_c is lost; its defaulters look safe.
            if d == 8, a.ethnicity == "group_c", y == 1 { s *= 0.3 }
            let ts = day.startEpochSeconds * 1000 + Int64(i) * (86_400_000 / Int64(options.rowsPerDay)) + Int64(rng.next() % 1000)
            var latency = exp(rng.normal(mean: log(45), sd: 0.35))
            if (22...24).contains(d) { latency *= 3.5 }
            let id = "R\(day.description.replacingAll("-", with: ""))-\(i)"
            out += row(id: id, tsMillis: ts, a, score: s, threshold: threshold, latency: latency) + "\n"
            labels += "\(id),\(y)\n"
        }
        if d == 5, options.format == .csv {
            // A bad export: a ragged row, text in a number column, an unparseable timestamp.
            out += "R-bad-1,2026-11-05T10:00:00Z,41,52000.5,0.3\n"
            out += "R-bad-2,2026-11-05T10:00:01Z,forty,52000.5,0.3,700,4,12000,salaried,north,true,web,group_a,0.2,0,40.1\n"
            out += "R-bad-3,yesterday noon,35,61000,0.25,720,3,9000,retired,east,false,branch,group_b,0.1,0,38.7\n"
        }
        return (out, labels)
    }

    func row(id: String, tsMillis: Int64, _ a: Applicant, score s: Double, threshold: Double, latency: Double) -> String {
        let ts = Timestamp.format(epochMilliseconds: tsMillis).replacingAll(".000Z", with: "Z")
        return [
            id, ts, "\(a.age)", fmt(a.income, 2), fmt(a.debtRatio, 4), a.creditScore.map { "\($0)" } ?? "",
            "\(a.accounts)", fmt(a.loan, 2), a.employment, a.region, a.mortgage ? "true" : "false", a.channel, a.ethnicity, fmt(s, 6),
            s >= threshold ? "1" : "0", fmt(latency, 1),
        ].joined(separator: ",")
    }

    func modelConfig(changed: Bool) -> String {
        """
        {
          "model": "credit-default",
          "version": "3.2.0",
          "algorithm": "gradient_boosting",
          "hyperparameters": {
            "learning_rate": 0.05,
            "max_depth": \(changed ? 8 : 6),
            "n_estimators": 400,
            "subsample": 0.8
          },
          "decision_threshold": \(changed ? "0.3" : "0.5"),
          "features": ["age", "income", "debt_ratio", "credit_score", "num_open_accounts", "loan_amount",
                       "employment_type", "region", "has_mortgage", "application_channel"]
        }

        """
    }
}

/// Epoch milliseconds of a demo timestamp (`row` writes the canonical form, `.000` dropped).
func demoTimestamp(_ s: Substring) -> Int64? {
    Timestamp.parseCanonical(s.utf8.count == 20 ? String(s.dropLast()) + ".000Z" : String(s))
}

/// Fixed-point text for a number (no locale, no exponent).
func fmt(_ x: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let n = Int64((abs(x) * scale).rounded())
    let ip = n / Int64(scale), fp = n % Int64(scale)
    var s = (x < 0 && n != 0 ? "-" : "") + String(ip)
    if decimals > 0 {
        let f = String(fp)
        s += "." + String(repeating: "0", count: decimals - f.count) + f
    }
    return s
}

/// SplitMix64: a small, fast, well-distributed generator with a fixed algorithm (so the demo is
/// the same everywhere, unlike `SystemRandomNumberGenerator`).
package struct SplitMix64 {
    package var state: UInt64
    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    package mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Normal by Box–Muller (one value per call; simple and deterministic).
    package mutating func normal(mean: Double, sd: Double) -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return mean + sd * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A key drawn with the given weights (keys visited in sorted order for determinism).
    package mutating func pick(_ weights: [String: Double]) -> String {
        let keys = weights.keys.sorted()
        let total = keys.reduce(0) { $0 + weights[$1]! }
        var u = uniform() * total
        for k in keys {
            u -= weights[k]!
            if u < 0 { return k }
        }
        return keys.last!
    }
}
