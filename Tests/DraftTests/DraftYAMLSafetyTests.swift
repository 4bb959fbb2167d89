import AuditModel
import Definition
import Foundation
import Testing
import TestSupport
import Yams

@testable import Draft

/// `mlaudit init` never writes data as YAML syntax (issue 12, docs/security.md "Drafts"): drafts
/// from baselines whose file name, column names and values are fuzzed with line breaks of every
/// kind, comment and key syntax, quotes, flow and anchor characters, controls and bidi
/// controls are re-parsed with Yams; their keys must be exactly those of the same draft from
/// plain names and values, and every name must read back as itself.
@Suite("Draft: no YAML from data")
struct DraftYAMLSafetyTests {
    static let pieces = [
        "\n", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}", "#", " #", "# x", ": ", ":", "- ", "-", "?", "\nnotify:\n  command: touch pwned\n",
        "\n# c\nnotify: {command: x}", "'", "\"", "\\", "{", "}", "[", "]", ",", "&a", "*a", "<<", "!!str", "!x", "|", ">", "%", "@", "`",
        "~", "null", "true", "yes", "1e3", ".inf", "0x1F", "\t", " ", "  ", "\u{FEFF}", "\u{202E}", "\u{2066}", "\u{1B}[2J", "\u{7F}",
        "\u{9B}", "\u{FFFE}", "é", "中", "\u{0600}", "\u{0301}", "\u{1F600}", "---", "...", "=", "$",
    ]

    /// Pieces for column names: without control and format characters (their SQL names are
    /// mapped, docs/security.md "Names"; U+2028/2029, separators to YAML, stay).
    static let namePieces = pieces.filter {
        !$0.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }
    }

    static func fuzz(_ rng: inout SeededRandom, from list: [String] = pieces) -> String {
        (0..<Int.random(in: 1...6, using: &rng)).map { _ in list.randomElement(using: &rng)! }.joined()
    }

    /// A CSV field, quoted.
    static func field(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// Writes a baseline named `file` with columns id, target, prediction, a categorical
    /// feature and a numeric one, named by `names` and with class and category values `values`.
    static func baseline(in dir: TemporaryDirectory, file: String, names: [String], values: [String]) -> String {
        var lines = [(["id"] + names).map(field).joined(separator: ",")]
        for i in 0..<40 {
            let cls = values[i % 2], other = values[(i / 3) % 2]
            lines.append(["id\(i)", cls, other, values[2 + i % 3], "\(Double(i) * 1.5)"].map(field).joined(separator: ","))
        }
        return dir.write(file, lines.joined(separator: "\n") + "\n")
    }

    /// Every key path of a YAML document, sorted (list items as `[]`).
    static func keyPaths(_ node: Node, _ prefix: String = "") -> [String] {
        switch node {
        case .mapping(let m):
            return m.flatMap { pair -> [String] in
                let key = prefix + "." + (pair.key.string ?? "?")
                return [key] + keyPaths(pair.value, key)
            }.sorted()
        case .sequence(let s):
            return s.flatMap { keyPaths($0, prefix + "[]") }.sorted()
        default:
            return []
        }
    }

    struct Drafted {
        let text: String
        let loaded: LoadedDefinition
        let keys: [String]
        let names: [String]
    }

    static func draft(dir: TemporaryDirectory, file: String, names: [String], values: [String]) throws -> Drafted {
        let path = baseline(in: dir, file: file, names: names, values: values)
        // The names as the CSV reader reads them back, for the options.
        let read = try SchemaInference.sketch(path: path).columns.map(\.name)
        #expect(read.count == 5)
        let options = DefinitionDraft.Options(target: read[1], prediction: read[2], id: read[0])
        let text = try DefinitionDraft(baselinePath: path, options: options).yaml()
        let node = try #require(try Yams.compose(yaml: text))
        return Drafted(text: text, loaded: try DefinitionLoader.parse(text: text, file: "drafted.yaml"), keys: keyPaths(node), names: read)
    }

    @Test func fuzzedNamesValuesAndFileNamesNeverBecomeKeys() throws {
        let plainDir = TemporaryDirectory()
        let plain = try Self.draft(dir: plainDir, file: "baseline.csv", names: ["t", "p", "c", "x"], values: ["va", "wb", "k1", "k2", "k3"])
        #expect(plain.keys.contains(".schema.features[].allowed") && plain.keys.contains(".schema.prediction.positive_class"))
        #expect(!plain.keys.contains { $0.hasPrefix(".notify") })
        var rng = SeededRandom(seed: 0x12A3)
        for _ in 0..<60 {
            let dir = TemporaryDirectory()
            // A file name holds anything but "/" and NUL.
            let file = "b" + Self.fuzz(&rng).replacingOccurrences(of: "/", with: "_") + ".csv"
            let names = (0..<4).map { "c\($0)" + Self.fuzz(&rng, from: Self.namePieces) }
            let values = ["v", "w", "k", "l", "m"].map { $0 + Self.fuzz(&rng) }
            let d: Drafted
            do {
                d = try Self.draft(dir: dir, file: file, names: names, values: values)
            } catch {
                Issue.record("\(error) for file \(file.debugDescription), names \(names), values \(values)")
                continue
            }
            #expect(d.keys == plain.keys, "keys differ for file \(file.debugDescription), names \(names), values \(values):\n\(d.text)")
            let def = d.loaded.definition
            #expect(def.baseline.path == dir.path + "/" + file)
            #expect(def.description == "Drafted by mlaudit init from \(dir.path)/\(file).")
            #expect(def.schema.id == d.names[0] && def.schema.target == d.names[1])
            #expect(def.schema.prediction?.column == d.names[2])
            #expect(Set(def.schema.features.map(\.name)) == Set(d.names[3...]))
            #expect(def.notify == nil)
            // Every comment and every line is one physical line with no control from data.
            for line in d.text.split(separator: "\n", omittingEmptySubsequences: false) {
                #expect(!line.unicodeScalars.contains { SafeText.shownVisibly($0) && $0 != "\t" }, "\(line)")
            }
        }
    }

    @Test func aLineBreakInATargetValueOrTheFileNameStaysInItsComment() throws {
        let dir = TemporaryDirectory()
        let file = "base\nnotify:\n  command: touch pwned\n#.csv"
        let d = try Self.draft(dir: dir, file: file, names: ["t", "p", "c", "x"],
                               values: ["yes\nnotify:\n  command: touch pwned", "no\u{2028}notify: x", "k1", "k2", "k3"])
        #expect(d.loaded.definition.notify == nil)
        #expect(!d.keys.contains { $0.contains("notify") })
        #expect(d.text.contains("/base\\u000Anotify:\\u000A  command: touch pwned\\u000A#.csv (40 rows)."))
        #expect(d.text.contains("yes\\u000Anotify:\\u000A  command: touch pwned"))
    }

    @Test func valuesThatLookLikeOtherYAMLTypesAreQuoted() {
        for s in [".inf", ".NaN", "yes", "null", "~", "1e3", "-x", "a: b", "a #b", "&a", "*a", "!x", "[x]", "{x}", "x\u{85}y", "x\u{2028}y", ""] {
            #expect(YAMLText.scalar(s).hasPrefix("\""), "\(s.debugDescription)")
        }
        #expect(YAMLText.scalar("./data/{date}.csv") == "./data/{date}.csv")
        #expect(YAMLText.quoted("a\u{85}b\u{2028}c\u{202E}\u{10FFFF}") == "\"a\\u0085b\\u2028c\\u202E\\U0010FFFF\"")
        #expect(YAMLText.comment("a\nb\rc\u{2029}d") == "a\\u000Ab\\u000Dc\\u2029d")
    }
}

