import Foundation
import Testing
import TestSupport

/// Hostile data through the built binary, as the security review attacked it (issue 12,
/// docs/security.md): a script in report.html from one malformed CSV row, category value,
/// header, model-config key, feature name or description; Markdown that would link or split
/// cells; terminal escapes from CSV headers in `compare`'s text output.
@Suite("Command line: hostile data")
struct HostileDataTests {
    /// A Prepend scalar (U+0600) before `<`: one Character, which the old escapers compared whole.
    static let payload = "\u{0600}<img src=x onerror=alert(1)>"
    /// The same attack for a declared feature name, with a Prepend scalar that is a letter
    /// (U+0D4E MALAYALAM LETTER DOT REPH): U+0600 is a format character, which the definition
    /// loader refuses in declared column names.
    static let namePayload = "\u{0D4E}<img src=x onerror=alert(1)>"

    /// The tiny pipeline with the payload in every place data reaches a report.
    static func hostileFolder() -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        let p = payload
        var yaml = TinyPipeline.yaml(root: ".", extra: "description: \"\(p) <http://e.vil> [x](http://e.vil)\"")
        yaml = yaml.replacingOccurrences(
            of: "  trained_at: 2026-01-01\n",
            with: "  trained_at: 2026-01-01\n  config: cfg/{date}.json\n  training_config: cfg/train.json\n")
        yaml = yaml.replacingOccurrences(
            of: "    - name: flag\n      type: boolean\n",
            with: "    - name: flag\n      type: boolean\n    - name: \"f\(namePayload)\"\n      type: categorical\n")
        dir.write("tiny.yaml", yaml)
        func csv(_ count: Int, day: String, shift: Double, hostile: Bool) -> String {
            var lines = [TinyPipeline.header + ",\"f\(namePayload)\"" + (hostile ? ",\"h\(p)\"" : "")]
            for i in 0..<count {
                // 10 of 30: enough for the color's drift (chi2_contingency) to put the payload
                // in the drift section's category chart as well.
                let color = hostile && i < 10 ? p : nil
                lines.append(TinyPipeline.row(i, day: day, shift: shift, color: color) + ",v\(i % 3)" + (hostile ? ",1" : ""))
            }
            if hostile { lines.append("\(p),broken") }
            return lines.joined(separator: "\n") + "\n"
        }
        dir.write("baseline.csv", csv(60, day: "2026-01-01", shift: 0, hostile: false))
        dir.write("days/2026-02-01.csv", csv(30, day: "2026-02-01", shift: 3, hostile: true))
        dir.write("cfg/train.json", "{\"lr\": 0.1}\n")
        dir.write("cfg/2026-02-01.json", "{\"lr\": 0.1, \"\(p)\": 1}\n")
        return dir
    }

    static let run: Result<TemporaryDirectory, any Error> = Result {
        let dir = hostileFolder()
        let r = try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path)
        guard r.status == 0 || r.status == 1 else {
            throw NSError(domain: "mlaudit-tests", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.stdout + r.stderr])
        }
        return dir
    }

    @Test func reportHTMLHasNoElementOrHandlerFromData() throws {
        #expect(Array(Self.payload).count == 28 && Array(Self.namePayload).count == 28, "a Prepend scalar joins the <")
        let dir = try Self.run.get()
        for file in ["reports/tiny/2026-02-01/v1/report.html", "reports/tiny/index.html"] {
            let html = try #require(dir.read(file), "\(file)")
            let tags = HTMLTokens.startTags(html)
            #expect(!tags.isEmpty)
            #expect(!tags.contains { $0.name == "img" }, "\(file): an <img> from data")
            let handlers = tags.filter { $0.attributes.contains { $0.hasPrefix("on") } }
            #expect(handlers.isEmpty, "\(file): \(handlers)")
            #expect(!html.unicodeScalars.contains("\u{202E}"))
        }
        // Each way in reached the report, escaped.
        let html = try #require(dir.read("reports/tiny/2026-02-01/v1/report.html"))
        let escaped = "\u{0600}&lt;img src=x onerror=alert(1)&gt;"
        for (what, text) in [
            ("malformed row", escaped + ",broken"), ("category value", "&#39;" + escaped + "&#39;"), ("undeclared header", "h" + escaped),
            ("model-config key", escaped), ("feature name", "f\u{0D4E}&lt;img src=x onerror=alert(1)&gt;"), ("description", escaped + " &lt;http://e.vil&gt;"),
        ] {
            #expect(html.contains(text), "\(what) not in report.html as escaped text")
        }
        #expect(html.components(separatedBy: escaped).count > 8)
    }

    @Test func reportHTMLForbidsScriptsAndRemoteLoads() throws {
        let dir = try Self.run.get()
        let csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"
        for file in ["reports/tiny/2026-02-01/v1/report.html", "reports/tiny/index.html"] {
            let html = try #require(dir.read(file))
            #expect(html.contains(csp), "\(file)")
            // Before any content a browser could act on: right after the charset.
            #expect(html.contains("<meta charset=\"utf-8\">\n" + csp), "\(file)")
        }
    }

    @Test func reportMarkdownAndTicketHoldNoMarkupFromData() throws {
        let dir = try Self.run.get()
        let md = try #require(dir.read("reports/tiny/2026-02-01/v1/report.md"))
        let ticket = try BuiltExecutable.run(["ticket", "tiny.yaml", "--date", "2026-02-01"], in: dir.path)
        #expect(ticket.status == 0, "\(ticket.stderr)")
        for (name, text) in [("report.md", md), ("ticket", ticket.stdout)] {
            for line in text.split(separator: "\n") {
                let tokens = MarkdownSyntax.tokens(String(line))[0]
                #expect(!tokens.contains("<") && !tokens.contains("://") && !tokens.contains("@"), "\(name): \(line)")
            }
            #expect(!text.contains("<img") && !text.contains("](http"), "\(name)")
        }
        // Table rows keep their cells: every row of a table has as many unescaped | as its header.
        var width: Int?
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            let pipes = MarkdownSyntax.tokens(String(line))[0].filter { $0 == "|" }.count
            if !line.hasPrefix("|") { width = nil; continue }
            if let width { #expect(pipes == width, "\(line)") } else { width = pipes }
        }
    }

    @Test func ticketPathsAreCodeSpansWithALongerFence() throws {
        let dir = TemporaryDirectory()
        let out = "rep`orts``x [y](http://e.vil)"
        dir.write("tiny.yaml", TinyPipeline.yaml(root: ".").replacingOccurrences(of: "  output: reports", with: "  output: \"\(out)\""))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01.csv", TinyPipeline.csv(30, shift: 3))
        let run = try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        let r = try BuiltExecutable.run(["ticket", "tiny.yaml", "--date", "2026-02-01"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("- Report: ```./\(out)/tiny/2026-02-01/v1/report.html```\n")
                    || r.stdout.contains("- Report: ```\(out)/tiny/2026-02-01/v1/report.html```\n"), "\(r.stdout)")
        for line in r.stdout.split(separator: "\n") where line.contains("rep`orts") {
            #expect(MarkdownSyntax.tokens(String(line))[0].filter { $0 != "code" }.isEmpty, "\(line)")
        }
    }

    @Test func compareTextOutputShowsTerminalEscapesFromHeadersVisibly() throws {
        let dir = TemporaryDirectory()
        let evil = "a\u{1B}[2J\u{1B}]0;pwned\u{07}\u{202E}b"
        var base = ["\"\(evil)\",x"], cur = ["\"\(evil)\",x"]
        for i in 0..<40 {
            base.append("\(i % 3),\(Double(i))")
            cur.append("\(i % 3),\(Double(i) + 100)")
        }
        dir.write("a.csv", base.joined(separator: "\n") + "\n")
        dir.write("b.csv", cur.joined(separator: "\n") + "\n")
        let r = try BuiltExecutable.run(["compare", "--baseline", "a.csv", "--current", "b.csv", "--categorical", evil], in: dir.path)
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        #expect(!r.stdout.unicodeScalars.contains("\u{1B}") && !r.stdout.unicodeScalars.contains("\u{07}"))
        #expect(!r.stdout.unicodeScalars.contains("\u{202E}"))
        #expect(r.stdout.contains("a\\u001B[2J\\u001B]0;pwned\\u0007\\u202Eb"), "\(r.stdout)")
        #expect(!r.stderr.unicodeScalars.contains("\u{1B}"))
    }

    @Test func stageOutputAndLogsShowHeaderEscapesVisibly() throws {
        let dir = TemporaryDirectory()
        let evil = "e\u{1B}[31mvil\nFORGED LINE\u{202E}"
        dir.write("tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        let day = TinyPipeline.csv(30, shift: 3).split(separator: "\n").enumerated()
            .map { $0.offset == 0 ? $0.element + ",\"\(evil)\"" : $0.element + ",1" }.joined(separator: "\n") + "\n"
        dir.write("days/2026-02-01.csv", day)
        let run = try BuiltExecutable.run(["run", "tiny.yaml", "--verbose"], in: dir.path)
        #expect(run.status == 0 || run.status == 1, "\(run.stderr)")
        let r = try BuiltExecutable.run(["validate", "tiny.yaml", "--date", "2026-02-01", "--verbose"], in: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        for text in [run.stdout, run.stderr, r.stdout, r.stderr] {
            #expect(!text.unicodeScalars.contains("\u{1B}") && !text.unicodeScalars.contains("\u{202E}"))
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix("FORGED LINE") })
        }
        #expect(r.stdout.contains("schema.unexpected_column e\\u001B[31mvil\\u000AFORGED LINE\\u202E: "), "\(r.stdout)")
    }

    /// `--log-format json` lines quote part file names (which come from a folder listing) and
    /// headers: a bidi override (U+202E) there was written raw, so a terminal tailing the log
    /// reordered the line. It is now a JSON escape, as `--json` output writes it, and decodes
    /// back to the name.
    @Test func jsonLogLinesWriteBidiControlsAsEscapes() throws {
        let dir = TemporaryDirectory()
        let part = "a\u{202E}vsc.\u{1B}[2Jb.csv"
        dir.write("tiny.yaml", TinyPipeline.yaml(root: ".").replacingOccurrences(of: "  path: days/{date}.csv", with: "  path: days/{date}/"))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        dir.write("days/2026-02-01/\(part)", TinyPipeline.csv(30))
        let r = try BuiltExecutable.run(["run", "tiny.yaml", "--log-format", "json"], in: dir.path)
        #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
        #expect(!r.stderr.unicodeScalars.contains("\u{202E}") && !r.stderr.unicodeScalars.contains("\u{1B}"))
        #expect(r.stderr.contains("days/2026-02-01/a\\u202Evsc.\\u001b[2Jb.csv"), "\(r.stderr)")
        var messages: [String] = []
        for line in r.stderr.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            if let m = object["message"] as? String { messages.append(m) }
        }
        #expect(messages.contains { $0.contains("days/2026-02-01/\(part): 30 rows read") }, "\(messages)")
    }

    /// Finite extremes whose distance is not finite (-1.7e308 and 1.7e308 in a numeric feature)
    /// crashed the compare stage (Sturges bin count inf / inf converted to Int, exit 132).
    @Test func extremeButFiniteNumbersDoNotCrashTheRun() throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.yaml", TinyPipeline.yaml(root: "."))
        dir.write("baseline.csv", TinyPipeline.csv(60, day: "2026-01-01"))
        let rows = (0..<30).map { TinyPipeline.row($0, x: $0 % 2 == 0 ? "1.7e308" : "-1.7e308") }
        dir.write("days/2026-02-01.csv", ([TinyPipeline.header] + rows).joined(separator: "\n") + "\n")
        let r = try BuiltExecutable.run(["run", "tiny.yaml"], in: dir.path)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("tiny 2026-02-01 critical v1 "), "\(r.stdout)")
        let md = try #require(dir.read("reports/tiny/2026-02-01/v1/report.md"))
        #expect(md.contains("100% of 'x' values are outside \\[0, 100\\] (30 of 30)"), "\(md)")
    }
}
