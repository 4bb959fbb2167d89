import AuditModel
import Definition
import Demo
import Foundation
import Testing
import TestSupport

@testable import Draft

/// `mlaudit init`: schema inference and the drafted definition (docs/init.md).
@Suite("Definition draft")
struct DefinitionDraftTests {
    /// A small demo data set in a fresh folder, and the draft of its baseline with the demo's roles.
    static func demoDraft(_ dir: TemporaryDirectory, baselineRows: Int = 400) throws -> (text: String, loaded: LoadedDefinition) {
        try DemoGenerator(options: .init(days: 2, rowsPerDay: 50, baselineRows: baselineRows)).write(to: dir.path + "/demo-data")
        let options = DefinitionDraft.Options(
            target: "defaulted", prediction: "predicted_default", score: "default_probability", id: "request_id",
            timestamp: "ts")
        let text = try DefinitionDraft(baselinePath: dir.path + "/demo-data/baseline.csv", options: options).yaml()
        return (text, try DefinitionLoader.parse(text: text, file: "drafted.yaml"))
    }

    @Test func demoBaselineDraftHasTheDemoSchema() throws {
        let dir = TemporaryDirectory()
        let (text, loaded) = try Self.demoDraft(dir)
        let d = loaded.definition
        #expect(d.name == "demo-data")
        #expect(d.snapshots.path == dir.path + "/demo-data/snapshots/{date}.csv")
        #expect(d.schema.id == "request_id")
        #expect(d.schema.timestamp == "ts")
        #expect(d.schema.target == "defaulted")
        #expect(d.schema.operational?.latency == "latency_ms", "found by its name")
        let p = try #require(d.schema.prediction)
        #expect(p.column == "predicted_default" && p.kind == .binary && p.score == "default_probability")
        #expect(p.classes == ["0", "1"] && p.positiveClass == "1")
        let types = Dictionary(uniqueKeysWithValues: d.schema.features.map { ($0.name, $0.type) })
        #expect(types == [
            "age": .integer, "income": .numeric, "debt_ratio": .numeric, "credit_score": .integer,
            "num_open_accounts": .integer, "loan_amount": .numeric, "employment_type": .categorical,
            "region": .categorical, "has_mortgage": .boolean, "application_channel": .categorical,
            // The demo's protected attribute: init cannot know it is not a model input (--carried says so).
            "ethnicity": .categorical,
        ])
        let features = Dictionary(uniqueKeysWithValues: d.schema.features.map { ($0.name, $0) })
        #expect(features["employment_type"]?.allowed == ["retired", "salaried", "self_employed", "unemployed"])
        #expect(features["region"]?.allowed == ["east", "north", "south", "west"])
        #expect(features["has_mortgage"]?.allowed == nil)
        // Every inferred constraint carries a comment saying what it came from.
        for key in ["      min:", "      max:", "      allowed:", "      type:"] {
            for line in text.split(separator: "\n") where line.hasPrefix(key) {
                #expect(line.contains("# "), "no comment on: \(line)")
            }
        }
        #expect(text.contains("# the 4 values seen in the baseline"))
    }

    /// The trial's false alarms: a 90-row baseline's extremes (even padded) are crossed by about
    /// 2 % of every clean day's values. Under 1 000 values a numeric feature gets no range,
    /// only a comment giving the observed one.
    @Test func aSmallBaselineDraftsNoRanges() throws {
        let dir = TemporaryDirectory()
        let (text, loaded) = try Self.demoDraft(dir, baselineRows: 400)
        let numeric = loaded.definition.schema.features.filter { $0.type.isNumeric }
        #expect(!numeric.isEmpty)
        for f in numeric { #expect(f.min == nil && f.max == nil, "\(f.name)") }
        #expect(text.contains("are too few to bound it (fewer than 1000); set them if the feature has real limits"))
    }

    @Test func inferredRangesContainEveryBaselineValue() throws {
        let dir = TemporaryDirectory()
        let (_, loaded) = try Self.demoDraft(dir, baselineRows: 1500)
        let (sketches, _) = try SchemaInference.sketch(path: dir.path + "/demo-data/baseline.csv")
        #expect(loaded.definition.schema.features.contains { $0.type == .integer && $0.min != nil })
        #expect(loaded.definition.schema.features.contains { $0.type == .numeric && $0.min != nil })
        for f in loaded.definition.schema.features where f.type.isNumeric {
            let s = try #require(sketches.first { $0.name == f.name })
            guard s.nonNull >= 1000 else {
                #expect(f.min == nil && f.max == nil, "\(f.name): \(s.nonNull) values are too few to bound")
                continue
            }
            let lo = try #require(f.min), hi = try #require(f.max)
            #expect(lo <= s.minimum! && hi >= s.maximum!, "\(f.name): [\(lo), \(hi)] vs [\(s.minimum!), \(s.maximum!)]")
            if f.type == .integer {
                #expect(lo == s.minimum! && hi == s.maximum!, "\(f.name): integers keep the observed range")
                continue
            }
            // Soft bounds (issue 11 h): padded by 10 % of the observed width, not crossing zero,
            // then rounded outward at the 4th significant digit.
            let pad = 0.1 * (s.maximum! - s.minimum!)
            let wantLo = s.minimum! >= 0 ? max(0, s.minimum! - pad) : s.minimum! - pad
            let wantHi = s.maximum! <= 0 ? min(0, s.maximum! + pad) : s.maximum! + pad
            #expect(lo <= wantLo && wantLo - lo <= abs(wantLo) * 1e-3 + 1e-9, "\(f.name) min \(lo) vs padded \(wantLo)")
            #expect(hi >= wantHi && hi - wantHi <= abs(wantHi) * 1e-3 + 1e-9, "\(f.name) max \(hi) vs padded \(wantHi)")
        }
    }

    @Test func checksSectionIsTheDefaults() throws {
        let dir = TemporaryDirectory()
        let (_, loaded) = try Self.demoDraft(dir)
        #expect(loaded.definition.checks == ChecksSpec.defaults)
    }

    @Test func nullRateBoundsFollowTheBaselineRate() throws {
        let dir = TemporaryDirectory()
        var csv = "a,b\n"
        for i in 0..<200 { csv += "\(i),\(i % 10 == 0 ? "" : "x\(i % 3)")\n" }
        let path = dir.write("data/train.csv", csv)
        let text = try DefinitionDraft(baselinePath: path).yaml()
        let d = try DefinitionLoader.parse(text: text, file: "t.yaml").definition
        #expect(d.name == "data", "a generic stem takes the folder's name")
        let b = try #require(d.schema.features.first { $0.name == "b" })
        #expect(b.type == .categorical)
        #expect(b.checks?.nullRate == Thresholds(warning: 0.15, critical: 0.3))
        #expect(d.schema.features.first { $0.name == "a" }?.checks == nil, "no nulls: the defaults apply")
        #expect(text.contains("baseline null rate 10% (20 of 200) plus the default 5 and 20 point margins"))
    }

    @Test(arguments: [
        (["1", "2", "-3"], ColumnType.integer),
        (["1", "2.5", "NaN", "inf"], .numeric),
        (["3.0", "4.0"], .numeric),
        (["yes", "no", "YES", "n"], .boolean),
        (["1", "0", "1", "0"], .integer),
        (["2026-01-01", "2026-01-02T10:00:00Z", "2026-01-03 11:00"], .datetime),
        (["a", "b", "a", "b", "a"], .categorical),
        (["a", "b", "c", "d"], .text),
        (["1", "2", "x", "1", "2", "x"], .categorical),
        ([], .text),
    ] as [([String], ColumnType)])
    func typeInference(values: [String], type: ColumnType) {
        var s = ColumnSketch(name: "c")
        for v in values { s.add(v) }
        s.add(nil)
        #expect(s.inferredType() == type, "\(values)")
    }

    @Test(arguments: [
        (["ORD-0042", "ORD-17", "ABC-123456"], "[A-Z]{3}\\-[0-9]{2,6}"),
        (["ab12", "c3", "xyz999"], "[a-z]{1,3}[0-9]{1,3}"),
        (["Ab_1.x", "Cd_22.y"], "[A-Z][a-z]_[0-9]{1,2}\\.[a-z]"),
        (["a b", "cc d", "e (f)"], nil),
        (["A1", "1A"], nil),
        (["A-1", "A_1"], nil),
        (["--", "--"], nil),
        (["é1", "é2"], "\\x{E9}[0-9]"),
    ] as [([String], String?)])
    func valueShapes(values: [String], pattern: String?) throws {
        var s = ColumnSketch(name: "c")
        for v in values { s.add(v) }
        s.add(nil)
        #expect(s.inferredPattern(minimumValues: 1) == pattern, "\(values)")
        // The drafted pattern matches every value it came from, as the check matches it.
        if let pattern {
            let regex = try NSRegularExpression(pattern: pattern)
            for v in values {
                let r = NSRange(v.startIndex..<v.endIndex, in: v)
                #expect(regex.firstMatch(in: v, options: [.anchored], range: r)?.range == r, "\(pattern) vs \(v)")
            }
        }
    }

    @Test func draftedPatternsNeedTwentyValuesAndCatchNewShapes() throws {
        let dir = TemporaryDirectory()
        var csv = "ticket,note,x\n"
        for i in 0..<60 { csv += "TCK-\(1000 + i * 37),free text \(i) here\(i % 2 == 0 ? "!" : ""),\(i)\n" }
        let path = dir.write("data/base.csv", csv)
        let text = try DefinitionDraft(baselinePath: path, options: .init(name: "p")).yaml()
        let d = try DefinitionLoader.parse(text: text, file: "t.yaml").definition
        let features = Dictionary(uniqueKeysWithValues: d.schema.features.map { ($0.name, $0) })
        #expect(features["ticket"]?.type == .text)
        #expect(features["ticket"]?.pattern == "[A-Z]{3}\\-[0-9]{4}")
        #expect(features["note"]?.type == .text)
        #expect(features["note"]?.pattern == nil, "free text has no common shape")
        #expect(text.contains("# the shape all 60 baseline values share"))

        var few = "ticket,x\n"
        for i in 0..<19 { few += "TCK-\(1000 + i),\(i)\n" }
        let fewPath = dir.write("few/base.csv", few)
        let fewDef = try DefinitionLoader.parse(
            text: try DefinitionDraft(baselinePath: fewPath, options: .init(name: "f")).yaml(), file: "f.yaml").definition
        #expect(fewDef.schema.features.first { $0.name == "ticket" }?.pattern == nil, "19 values are too few to infer from")
    }

    @Test func awkwardNamesAndValuesAreQuoted() throws {
        let dir = TemporaryDirectory()
        var csv = "yes,\"a b\",null,x\n"
        for i in 0..<40 { csv += "\(i),\"v, \(i % 2)\",\(["on", "off", "\"q\"\"\""][i % 3]),\(i)\n" }
        let path = dir.write("weird.csv", csv)
        let d = try DefinitionLoader.parse(text: try DefinitionDraft(baselinePath: path, options: .init(name: "w")).yaml(), file: "t.yaml").definition
        #expect(d.schema.features.map(\.name) == ["yes", "a b", "null", "x"])
        #expect(d.schema.features[1].allowed == ["v, 0", "v, 1"])
        #expect(d.schema.features[2].allowed == ["off", "on", "q\""])
    }

    @Test func rolesTheDataCannotPlayAreUsageErrors() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("b.csv", "id,score,label\na,0.1,x\nb,high,y\n")
        #expect(throws: MLAuditError.self) { try DefinitionDraft(baselinePath: path, options: .init(prediction: "label", score: "score")).yaml() }
        let good = dir.write("g.csv", "f,p,s\n1,0,0.2\n2,1,0.7\n")
        #expect(throws: MLAuditError.self, "a score needs its prediction") {
            try DefinitionDraft(baselinePath: good, options: .init(score: "s")).yaml()
        }
        do {
            _ = try DefinitionDraft(baselinePath: path, options: .init(target: "lable")).yaml()
            Issue.record("expected an error")
        } catch let e as MLAuditError {
            #expect(e.code == .usage)
            #expect(e.description.contains("--target names column 'lable', which is not in the baseline"))
            #expect(e.description.contains("Did you mean 'label'?"))
        }
        do {
            _ = try DefinitionDraft(baselinePath: dir.path + "/missing.csv").yaml()
            Issue.record("expected an error")
        } catch let e as MLAuditError {
            #expect(e.code == .unreadableInput)
        }
    }

    @Test func regressionAndMulticlassPredictions() throws {
        let dir = TemporaryDirectory()
        var csv = "f,pred,y,cls\n"
        for i in 0..<60 { csv += "\(i),\(Double(i) * 1.5),\(Double(i) * 1.4),\(["cat", "dog", "emu"][i % 3])\n" }
        let path = dir.write("r.csv", csv)
        let r = try DefinitionLoader.parse(text: try DefinitionDraft(baselinePath: path, options: .init(target: "y", prediction: "pred")).yaml(), file: "t").definition
        #expect(r.schema.prediction?.kind == .regression)
        #expect(r.schema.prediction?.classes == nil)
        let m = try DefinitionLoader.parse(text: try DefinitionDraft(baselinePath: path, options: .init(prediction: "cls")).yaml(), file: "t").definition
        #expect(m.schema.prediction?.kind == .multiclass)
        #expect(m.schema.prediction?.classes == ["cat", "dog", "emu"])
    }

    /// Issue 11 (a): labels written `1.0`/`0.0` are the binary classes 0 and 1, not four
    /// multiclass labels (the prediction written `1`/`0`, the target `1.0`/`0.0`).
    @Test func floatWrittenLabelsAreDraftedAsBinary() throws {
        let dir = TemporaryDirectory()
        var csv = "f,score,pred,y\n"
        for i in 0..<80 {
            let score = Double((i * 37) % 100) / 100
            csv += "\(i),\(score),\(score >= 0.5 ? "1" : "0"),\(i % 3 == 0 ? "0.0" : "1.0")\n"
        }
        let path = dir.write("credit.csv", csv)
        let text = try DefinitionDraft(baselinePath: path, options: .init(target: "y", prediction: "pred", score: "score")).yaml()
        let p = try #require(try DefinitionLoader.parse(text: text, file: "t").definition.schema.prediction)
        #expect(p.kind == .binary)
        #expect(p.classes == ["0", "1"] && p.positiveClass == "1")
        #expect(text.contains("compared by value"))
        // Both columns written as floats.
        let floats = dir.write("floats.csv", csv.replacingOccurrences(of: ",1,", with: ",1.0,").replacingOccurrences(of: ",0,", with: ",0.0,"))
        let q = try DefinitionLoader.parse(text: try DefinitionDraft(baselinePath: floats, options: .init(target: "y", prediction: "pred")).yaml(), file: "t")
        #expect(q.definition.schema.prediction?.kind == .binary && q.definition.schema.prediction?.classes == ["0", "1"])
    }

    /// Issue 11 (c): the threshold that reproduces the served predictions is drafted, with its
    /// agreement; when none does, 0.5 stays and the comment says so.
    @Test func theServedThresholdIsDrafted() throws {
        let dir = TemporaryDirectory()
        func csv(_ decide: (Int, Double) -> Bool) -> String {
            var out = "f,score,pred\n"
            for i in 0..<500 {
                let score = Double((i * 7919) % 1000) / 1000
                out += "\(i % 17),\(score),\(decide(i, score) ? 1 : 0)\n"
            }
            return out
        }
        let options = DefinitionDraft.Options(prediction: "pred", score: "score")
        let served = try DefinitionDraft(baselinePath: dir.write("served.csv", csv { _, s in s >= 0.7 }), options: options).yaml()
        let p = try #require(try DefinitionLoader.parse(text: served, file: "t").definition.schema.prediction)
        #expect(p.threshold == 0.7)
        let line = try #require(served.split(separator: "\n").first { $0.contains("threshold:") })
        // 500 scores on a 1/1000 grid: 0.5 gets those in [0.5, 0.7) wrong.
        let wrongAtHalf = (0..<500).filter { let s = Double(($0 * 7919) % 1000) / 1000; return s >= 0.5 && s < 0.7 }.count
        #expect(line.hasSuffix("# reproduces 100% of the baseline's predictions (score ≥ threshold is \"1\"); 0.5 would reproduce \(formatPercent(Double(500 - wrongAtHalf) / 500))"))

        let noisy = try DefinitionDraft(baselinePath: dir.write("noisy.csv", csv { i, _ in i % 2 == 0 }), options: options).yaml()
        #expect(try DefinitionLoader.parse(text: noisy, file: "t").definition.schema.prediction?.threshold == 0.5)
        #expect(noisy.contains("# edit: no threshold reproduces the predictions from score (the best, "))
    }
}

extension DefinitionDraftTests {
    /// The Parquet trial: a pandas `to_parquet` baseline served at 0.6 was drafted 0.5 ("no row
    /// has both a score and a prediction") because the threshold fit read the file as CSV.
    @Test func theServedThresholdIsDraftedFromAParquetBaseline() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/served.parquet"
        let scores = (0..<500).map { Double(($0 * 7919) % 1000) / 1000 }
        let w = try ParquetWriter(
            path: path, columns: [.init("f", .int64), .init("score", .double), .init("pred", .int64)], codec: .snappy)
        try w.append(rowGroup: [
            .ints((0..<500).map { Int64($0 % 17) }), .doubles(scores), .ints(scores.map { $0 >= 0.7 ? 1 : 0 }),
        ])
        try w.finish()
        let yaml = try DefinitionDraft(baselinePath: path, options: .init(prediction: "pred", score: "score")).yaml()
        #expect(try DefinitionLoader.parse(text: yaml, file: "t").definition.schema.prediction?.threshold == 0.7)
        #expect(yaml.contains("# reproduces 100% of the baseline's predictions"))
    }

    /// Issue 11 (d): the role flags' usage errors.
    @Test func roleFlagsThatCannotApplyAreUsageErrors() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("b.csv", "code,label,pred\n" + (0..<30).map { "\($0 % 5),x\($0 % 3),\($0 % 2)" }.joined(separator: "\n") + "\n")
        func error(_ o: DefinitionDraft.Options) -> String {
            do {
                _ = try DefinitionDraft(baselinePath: path, options: o).yaml()
                return "no error"
            } catch let e as MLAuditError {
                return e.code == .usage ? e.description : "not a usage error: \(e)"
            } catch { return "\(error)" }
        }
        #expect(error(.init(numeric: ["label"])).contains("--numeric column 'label' has values that are not numbers (e.g. 'x"))
        #expect(error(.init(categorical: ["pred"], numeric: ["pred"])).contains("column 'pred' is given to both --categorical and --numeric"))
        #expect(error(.init(prediction: "pred", categorical: ["pred"])).contains("--categorical names column 'pred', which --prediction already gives a role"))
        #expect(error(.init(carried: ["code"], ignore: ["code"])).contains("column 'code' is given to both --carried and --ignore"))
        #expect(error(.init(carried: ["cod"])).contains("--carried names column 'cod', which is not in the baseline"))
        let numeric = try DefinitionLoader.parse(text: try DefinitionDraft(baselinePath: path, options: .init(numeric: ["code"])).yaml(), file: "t")
        #expect(numeric.definition.schema.features.first { $0.name == "code" }?.type == .numeric)
    }
}
