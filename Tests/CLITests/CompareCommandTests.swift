import Foundation
import Testing
import TestSupport

/// `mlaudit compare --baseline A.csv --current B.csv`: two files, no pipeline definition.
@Suite("Command line: ad-hoc compare")
struct CompareCommandTests {
    func files(_ dir: TemporaryDirectory, shift: Double) -> (String, String) {
        var a = "x,color,n\n", b = "x,color,n\n"
        for i in 0..<400 {
            a += "\(Double((i * 37) % 101) / 10),\(["red", "green", "blue"][i % 3]),\(i % 4)\n"
            b += "\(Double((i * 37) % 101) / 10 + shift),\(["red", "green", "blue"][(i / 2) % 3]),\(i % 4)\n"
        }
        b += "oops,red\n"  // a ragged row: quarantined by the pipeline's ingest
        return (dir.write("a.csv", a), dir.write("b.csv", b))
    }

    @Test func jsonHoldsRowsAndTheDriftSection() throws {
        let dir = TemporaryDirectory()
        let (a, b) = files(dir, shift: 3)
        let r = try BuiltExecutable.run(["compare", "--baseline", a, "--current", b, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["rows", "drift", "warnings"])
        #expect(object["warnings"] as? [String] == ["current file: 1 row quarantined (line 402: expected 3 fields, found 2)"])
        let rows = try #require(object["rows"] as? [String: Int])
        #expect(rows == ["read": 401, "stored": 400, "quarantined": 1])
        let drift = try #require(object["drift"] as? [String: Any])
        #expect(Set(drift.keys) == ["columns", "drifted_share", "drifted_count", "feature_count", "dataset_drift", "share_threshold"])
        let columns = try #require(drift["columns"] as? [[String: Any]])
        #expect(columns.map { $0["column"] as? String } == ["x", "color", "n"])
        #expect(columns.map { $0["method"] as? String } == ["ks", "chi2_contingency", "chi2_contingency"], "400 reference rows: tests, as Evidently's auto (its chi-square as a contingency test)")
        #expect(columns.map { $0["drifted"] as? Bool } == [true, false, false])
        #expect(drift["drifted_count"] as? Int == 1)
    }

    @Test func tableMethodAndDeclaredTypes() throws {
        let dir = TemporaryDirectory()
        let (a, b) = files(dir, shift: 0)
        let r = try BuiltExecutable.run(["compare", "--baseline", a, "--current", b, "--method", "psi", "--categorical", "n"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("column") == true)
        #expect(lines.contains { $0.hasPrefix("n ") && $0.contains("categorical") && $0.contains("psi") })
        #expect(lines.contains { $0.hasPrefix("x ") && $0.contains("numeric") && $0.contains("psi") })
        #expect(r.stdout.contains("current file: 401 rows read, 400 stored, 1 quarantined"))
    }

    /// The trial: a model's score and prediction were counted as features in the drifted share.
    /// `--ignore` leaves columns out (repeatable or a comma list); an unknown one is bad usage.
    @Test func ignoredColumnsAreLeftOut() throws {
        let dir = TemporaryDirectory()
        let (a, b) = files(dir, shift: 3)
        let r = try BuiltExecutable.run(["compare", "--baseline", a, "--current", b, "--json", "--ignore", "x,n"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let drift = try #require(object["drift"] as? [String: Any])
        let columns = try #require(drift["columns"] as? [[String: Any]])
        #expect(columns.map { $0["column"] as? String } == ["color"])
        #expect(drift["feature_count"] as? Int == 1)
        let unknown = try BuiltExecutable.run(["compare", "--baseline", a, "--current", b, "--ignore", "score"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("column 'score' given to --ignore is not in the header of the baseline file"))
        let everything = try BuiltExecutable.run(["compare", "--baseline", a, "--current", b, "--ignore", "x,color", "--ignore", "n"])
        #expect(everything.status == 64)
        #expect(everything.stderr.contains("nothing to compare: every column of the baseline file is given to --ignore"))
    }

    @Test func datasetDriftExitsOne() throws {
        let dir = TemporaryDirectory()
        var a = "x,y\n", b = "x,y\n"
        for i in 0..<300 {
            a += "\(i % 50),\(i % 30)\n"
            b += "\(i % 50 + 20),\(i % 30 + 20)\n"
        }
        let r = try BuiltExecutable.run(["compare", "--baseline", dir.write("a.csv", a), "--current", dir.write("b.csv", b)])
        #expect(r.status == 1)
        #expect(r.stdout.contains("2 of 2 columns drifted (100%); dataset drift at 50% or more: yes"))
    }

    @Test func nothingToCompareExitsTwo() throws {
        let dir = TemporaryDirectory()
        let (a, _) = files(dir, shift: 0)
        let headerOnly = try BuiltExecutable.run(["compare", "--baseline", a, "--current", dir.write("h.csv", "x,color,n\n")])
        #expect(headerOnly.status == 2)
        #expect(headerOnly.stderr.contains("nothing to compare: the current file has no stored rows (0 read, 0 quarantined)"))
        #expect(!headerOnly.stderr.contains("Fatal error"))

        var text = "x,color,n\n"
        for i in 0..<50 { text += "\(i),red,\(i % 4)\n" }
        let allQuarantined = try BuiltExecutable.run(
            ["compare", "--baseline", a, "--current", dir.write("q.csv", text), "--numeric", "color"])
        #expect(allQuarantined.status == 2)
        #expect(allQuarantined.stderr.contains("nothing to compare: the baseline file has no stored rows (400 read, 400 quarantined)"))
        #expect(allQuarantined.stderr.contains("400 rows quarantined (line 2: column 'color': 'red' is not a number"))

        let other = try BuiltExecutable.run(["compare", "--baseline", a, "--current", dir.write("o.csv", "p,q\n1,2\n")])
        #expect(other.status == 2)
        #expect(other.stderr.contains("nothing to compare: the current file has no stored rows (1 read, 1 quarantined); current file: the header (p, q) names none of the declared columns"))

        var ids = "id\n"
        for i in 0..<40 { ids += "req-\(i * 7919)\n" }
        let idsOnly = try BuiltExecutable.run(["compare", "--baseline", dir.write("i1.csv", ids), "--current", dir.write("i2.csv", ids)])
        #expect(idsOnly.status == 2)
        #expect(idsOnly.stderr.contains("nothing to compare: no column of the baseline file is comparable (left out as identifiers, free text or timestamps: id)"))
    }

    @Test func truncatedCurrentFileIsAWarning() throws {
        let dir = TemporaryDirectory()
        let (a, b) = files(dir, shift: 0)
        let gz = dir.path + "/b.csv.gz"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c '\(b)' | head -c 600 > '\(gz)'"]
        try p.run()
        p.waitUntilExit()
        let r = try BuiltExecutable.run(["compare", "--baseline", a, "--current", gz])
        #expect(r.stdout.contains("warning: current file:"), "\(r.stdout)")
        #expect(r.stdout.lowercased().contains("truncated") || r.stdout.contains("ends early") || r.stdout.contains("damage"), "\(r.stdout)")
    }

    @Test func mixingModesIsBadUsage() throws {
        let mixed = try BuiltExecutable.run(["compare", "x.yaml", "--date", "2026-02-01", "--baseline", "a.csv", "--current", "b.csv"])
        #expect(mixed.status == 64)
        #expect(mixed.stderr.contains("Give either a pipeline with --date, or --baseline FILE --current FILE, not both."))
        let half = try BuiltExecutable.run(["compare", "--baseline", "a.csv"])
        #expect(half.status == 64)
        #expect(half.stderr.contains("Comparing two files needs both --baseline FILE and --current FILE."))
        let stray = try BuiltExecutable.run(["compare", "x.yaml", "--date", "2026-02-01", "--json"])
        #expect(stray.status == 64)
        #expect(stray.stderr.contains("--method, --json, --categorical, --numeric and --ignore apply when comparing two files"))
        let missing = try BuiltExecutable.run(["compare", "--baseline", "/nonexistent/a.csv", "--current", "/nonexistent/b.csv"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/a.csv"))
    }
}

@Suite("Ad-hoc compare: column inference")
struct AdHocInferenceTests {
    @Test func identifiersAndTimestampsAreLeftOutUnlessDeclared() throws {
        let dir = TemporaryDirectory()
        func file(_ name: String, offset: Int) -> String {
            var lines = ["id,ts,amount,kind"]
            for i in 0..<200 {
                lines.append("r\(i + offset),2026-02-01T00:\(String(format: "%02d", i % 60)):00Z,\(Double(i % 50) + 0.5),\(["a", "b", "c"][i % 3])")
            }
            return dir.write(name, lines.joined(separator: "\n") + "\n")
        }
        let a = file("a.csv", offset: 0), b = file("b.csv", offset: 1000)
        let r = try BuiltExecutable.run(["compare", "--baseline", a, "--current", b])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").map(String.init)
        #expect(rows.contains { $0.hasPrefix("amount ") && $0.contains("numeric") })
        #expect(rows.contains { $0.hasPrefix("kind ") && $0.contains("categorical") })
        #expect(!rows.contains { $0.hasPrefix("id ") || $0.hasPrefix("ts ") })
        #expect(r.stdout.contains("not compared (identifiers, free text or timestamps; declare with --categorical to compare): id, ts"))
        let declared = try BuiltExecutable.run(["compare", "--baseline", a, "--current", b, "--categorical", "id"])
        #expect(declared.status == 0)
        // Compared as categories by the contingency chi-square. 200 ids seen once on each side
        // are no evidence either way for a test of homogeneity (every cell's expectation is
        // 0.5), so the verdict is not asserted; in a pipeline `quality.unseen_categories` reports
        // the new values (docs/statistics.md, "Method choice").
        #expect(declared.stdout.split(separator: "\n").contains { $0.hasPrefix("id ") && $0.contains("categorical") && $0.contains("chi2_contingency") },
                "the declared id column is compared as categories")
    }

    /// Issue 11 (i): types come from the baseline. Three malformed numbers in the current file
    /// are three quarantined rows, not a reason to compare `amount` as categories (which
    /// reported drift); `--categorical` still overrides.
    @Test func malformedNumbersInTheCurrentFileAreQuarantinedNotRetyped() throws {
        let dir = TemporaryDirectory()
        var a = "amount,channel\n", b = "amount,channel\n"
        for i in 0..<400 {
            a += "\(Double((i * 37) % 101) / 4),\(["web", "app"][i % 2])\n"
            b += "\(Double((i * 41) % 101) / 4),\(["web", "app"][i % 2])\n"
        }
        b += "12..5,web\nabc,app\n1e,web\n"
        let (pa, pb) = (dir.write("a.csv", a), dir.write("b.csv", b))
        let r = try BuiltExecutable.run(["compare", "--baseline", pa, "--current", pb, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["rows"] as? [String: Int] == ["read": 403, "stored": 400, "quarantined": 3])
        let warnings = try #require(object["warnings"] as? [String])
        #expect(warnings.count == 1 && warnings[0].hasPrefix("current file: 3 rows quarantined (line 402: column 'amount': '12..5' is not a number"))
        let columns = try #require((object["drift"] as? [String: Any])?["columns"] as? [[String: Any]])
        let amount = try #require(columns.first { $0["column"] as? String == "amount" })
        #expect(amount["method"] as? String == "ks", "compared as numbers")
        #expect(amount["drifted"] as? Bool == false)
        #expect(amount["current_count"] as? Int == 400)

        let table = try BuiltExecutable.run(["compare", "--baseline", pa, "--current", pb, "--categorical", "amount"])
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix("amount ") && $0.contains("categorical") })
        #expect(table.stdout.contains("current file: 403 rows read, 403 stored, 0 quarantined"))
    }
}
