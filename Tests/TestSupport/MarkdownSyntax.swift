/// The Markdown syntax a CommonMark/GFM parser could act on, for security tests: per line, every
/// unescaped (not after an odd run of backslashes) character that can start markup — `|` (a
/// table cell), `[` `]` (links, images, footnotes), `<` `>` (raw HTML, autolinks), `*` `_` `~`
/// (emphasis), `$` (math), `&` other than the character references MLAudit writes — every
/// GFM autolink trigger (`://`, `www.`, `@` other than the defanged `\[@\]`), and each code
/// span (matched backtick runs, as CommonMark pairs them; their content is not markup).
/// Two renderings whose tokens are equal have the same structure, whatever text they hold.
public enum MarkdownSyntax {
    public static func tokens(_ markdown: String) -> [[String]] {
        markdown.split(separator: "\n", omittingEmptySubsequences: false).map { line(Array(String($0).unicodeScalars)) }
    }

    static let entities = ["&lt;", "&gt;", "&amp;", "&#32;", "&#9;"].map { Array($0.unicodeScalars) }

    static func line(_ s: [Unicode.Scalar]) -> [String] {
        var out: [String] = []
        var i = 0
        func escaped(_ k: Int) -> Bool {
            var n = 0, j = k - 1
            while j >= 0, s[j] == "\\" { n += 1; j -= 1 }
            return n % 2 == 1
        }
        func at(_ k: Int, _ text: String, caseInsensitive: Bool = false) -> Bool {
            let t = Array(text.unicodeScalars)
            guard k + t.count <= s.count else { return false }
            return (0..<t.count).allSatisfy {
                caseInsensitive ? String(s[k + $0]).lowercased() == String(t[$0]) : s[k + $0] == t[$0]
            }
        }
        func run(_ k: Int) -> Int {
            var j = k
            while j < s.count, s[j] == "`" { j += 1 }
            return j - k
        }
        while i < s.count {
            let u = s[i]
            if u == "`", !escaped(i) {
                let n = run(i)
                // The closing run: the next run of exactly n backticks.
                var j = i + n
                var close: Int?
                while j < s.count {
                    if s[j] == "`" {
                        let m = run(j)
                        if m == n { close = j; break }
                        j += m
                    } else {
                        j += 1
                    }
                }
                if let close {
                    out.append("code")
                    i = close + n
                } else {
                    out.append(String(repeating: "`", count: n))
                    i += n
                }
                continue
            }
            if escaped(i) { i += 1; continue }
            switch u {
            case "|", "[", "]", "<", ">", "*", "_", "~", "$":
                out.append(String(u))
            case "&":
                if !entities.contains(where: { e in i + e.count <= s.count && (0..<e.count).allSatisfy { s[i + $0] == e[$0] } }) {
                    out.append("&")
                }
            case "@":
                let defanged = i >= 2 && s[i - 2] == "\\" && s[i - 1] == "[" && at(i + 1, "\\]")
                if !defanged { out.append("@") }
            case ":" where at(i, "://"):
                out.append("://")
            case "w" where at(i, "www.", caseInsensitive: true), "W" where at(i, "www.", caseInsensitive: true):
                out.append("www.")
            default:
                break
            }
            i += 1
        }
        return out
    }
}
