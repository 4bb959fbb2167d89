import AuditModel
import Foundation
import Testing
import TestSupport

/// Issue 11 "Done when": look-alike data sets nobody here wrote, each drafted by `mlaudit init`
/// with role flags only and run over 20+ periods unedited: no finding at warning or above on the
/// clean periods, and each injected problem found on its period.
///
/// Three data sets: binary with labels written 1.0/0.0 and weekly files; integer-coded
/// categoricals plus a carried column (`init --categorical region_code,product --carried year`);
/// a model served at a threshold of 0.7 (init drafts it from the data).
@Suite("New user end to end")
struct NewUserEndToEndTests {
    /// SplitMix64: the same data on every run and platform.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func gauss() -> Double {
            let u = max(uniform(), 1e-300), v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
    }

    enum Injection { case none, shift, short, nulls, unseen }

    /// Rows of a credit-like binary classifier: labels written `1.0`/`0.0` when `floatLabels`,
    /// predictions at score ≥ `threshold`, timestamps spread over `days` days from `start`.
    static func rows(_ g: inout Generator, count: Int, start: Day, days: Int, threshold: Double, floatLabels: Bool,
                     idPrefix: String, inject: Injection = .none, codes: Bool = false) -> String {
        var out = "id,ts,amount,age,channel,score,pred,y" + (codes ? ",region_code,product,year" : "") + "\n"
        let channels = ["web", "app", "branch"]
        for i in 0..<count {
            let y = g.uniform() < 0.3 ? 1 : 0
            var amount = 50 + 15 * g.gauss() + (inject == .shift ? 25 : 0)
            amount = (amount * 100).rounded() / 100
            let age = 18 + Int(g.uniform() * 62)
            var channel = channels[Int(g.uniform() * 3) % 3]
            if inject == .unseen, i % 20 == 0 { channel = "kiosk" }
            let z = (y == 1 ? 1.5 : -1.5) + 0.5 * g.gauss() + 0.01 * (amount - 50)
            let score = (1 / (1 + exp(-2.5 * z)) * 1e6).rounded() / 1e6
            let pred = score >= threshold ? 1 : 0
            let second = Int(g.uniform() * Double(days * 86_400))
            let ts = start.adding(days: second / 86_400).description
                + String(format: "T%02d:%02d:%02dZ", (second / 3600) % 24, (second / 60) % 60, second % 60)
            func label(_ v: Int) -> String { floatLabels ? "\(v).0" : "\(v)" }
            let amountText = inject == .nulls && i % 10 < 3 ? "" : String(amount)
            out += "\(idPrefix)\(i),\(ts),\(amountText),\(age),\(channel),\(score),\(label(pred)),\(label(y))"
            if codes {
                // Integer codes of categories (region 1-12, product 100-104) and a carried year
                // that is not a model input (it changes with the period: never judged for drift).
                var region = 1 + Int(g.uniform() * 12) % 12
                if inject == .unseen, i % 20 == 0 { region = 99 }
                out += ",\(region),\(100 + Int(g.uniform() * 5) % 5),\(start.components.year + (start >= Day("2026-06-11")! ? 1 : 0))"
            }
            out += "\n"
        }
        return out
    }

    struct DataSet {
        let name: String
        let cadenceDays: Int
        let threshold: Double
        let floatLabels: Bool
        var codes = false
        var roleFlags: [String] = []
        /// Period index → injected problem and the check that must find it.
        let injected: [Int: (Injection, String)]
    }

    static let periods = 21

    func audit(_ set: DataSet) throws {
        let dir = TemporaryDirectory()
        var g = Generator(state: UInt64(set.name.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        dir.write("baseline.csv", Self.rows(&g, count: 3_000, start: Day("2026-01-01")!, days: 28, threshold: set.threshold,
                                            floatLabels: set.floatLabels, idPrefix: "b", codes: set.codes))
        let first = Day("2026-06-01")!
        var dates: [String] = []
        for p in 0..<Self.periods {
            let start = first.adding(days: p * set.cadenceDays)
            let inject = set.injected[p]?.0 ?? .none
            dates.append(start.description)
            dir.write("days/\(start).csv", Self.rows(
                &g, count: inject == .short ? 500 : 1_150 + Int(g.uniform() * 100), start: start, days: set.cadenceDays,
                threshold: set.threshold, floatLabels: set.floatLabels, idPrefix: "p\(p)-", inject: inject, codes: set.codes))
        }
        let drafted = try BuiltExecutable.run(
            ["init", "baseline.csv", "--target", "y", "--prediction", "pred", "--score", "score", "--id", "id",
             "--snapshots", "days/{date}.csv", "--name", set.name, "--out", "pipe.yaml"] + set.roleFlags, in: dir.path)
        #expect(drafted.status == 0, "\(drafted.stderr)")
        let run = try BuiltExecutable.run(["run", "pipe.yaml"], in: dir.path)
        #expect(run.status != 2, "\(run.stdout)\(run.stderr)")
        for (p, date) in dates.enumerated() {
            let text = try #require(dir.read("reports/\(set.name)/\(date)/v1/summary.json"), "\(set.name) \(date)")
            let s = try SummaryJSON.decode(AuditSummary.self, from: Data(text.utf8))
            let loud = s.findings.filter { $0.severity >= .warning }
            if let (_, check) = set.injected[p] {
                #expect(loud.contains { $0.check == check }, "\(set.name) \(date): expected \(check), got \(loud.map(\.check))")
            } else {
                #expect(loud.isEmpty, "\(set.name) \(date) (clean): \(loud.map { "\($0.check) \($0.column ?? ""): \($0.message)" })")
            }
        }
    }

    /// Binary, labels written 1.0/0.0, weekly files; a shifted feature and a short week injected.
    @Test func binaryWithFloatLabelsAndWeeklyFiles() throws {
        try audit(DataSet(name: "credit", cadenceDays: 7, threshold: 0.5, floatLabels: true,
                          injected: [12: (.shift, "drift.feature"), 17: (.short, "quality.row_count")]))
    }

    /// Integer-coded categoricals and a carried column, drafted with role flags; an unseen code
    /// and a shifted feature injected. The carried year changes mid-run and is never judged.
    @Test func integerCodedCategoricalsAndACarriedColumn() throws {
        try audit(DataSet(name: "claims", cadenceDays: 1, threshold: 0.5, floatLabels: false, codes: true,
                          roleFlags: ["--categorical", "region_code,product", "--carried", "year"],
                          injected: [7: (.unseen, "quality.allowed_values"), 14: (.shift, "drift.feature")]))
    }

    /// Served at a threshold of 0.7 (init must find it); nulls and an unseen category injected.
    @Test func servedAtANonDefaultThreshold() throws {
        try audit(DataSet(name: "fraud", cadenceDays: 1, threshold: 0.7, floatLabels: false,
                          injected: [9: (.nulls, "quality.null_rate"), 15: (.unseen, "quality.allowed_values")]))
    }
}
