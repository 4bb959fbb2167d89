/// Text from data, made safe for one output format: the one place per format where MLAudit
/// escapes what it did not write itself (docs/security.md, "Output escaping").
///
/// Every function works on Unicode scalars, never on `Character`s: a grapheme cluster can join
/// a markup character to the scalar before it (U+0600 ARABIC NUMBER SIGN, a "Prepend" scalar,
/// followed by `<` is one `Character` that is not equal to `"<"`), so comparing whole
/// characters lets markup through.
///
/// Scalars that could change how text is read rather than what it says are shown as
/// `\uXXXX` (`\u{XXXXX}` above the Basic Multilingual Plane) in every format: see
/// ``shownVisibly(_:)``.
public enum SafeText {
    // MARK: - Bounded length

    /// The most Unicode scalars of one data value (a category, a header name, a group value, a
    /// quarantined line's raw text, a label id) shown in a report, a ticket, a finding message or
    /// on the terminal (docs/security.md, "Bounded costs"). The warehouse keeps the value whole.
    public static let valueLimit = 200

    /// The most Unicode scalars of one text shown in a report (a finding message, a reason) that
    /// may quote several values, each already cut to ``valueLimit``: a last bound.
    public static let textLimit = 4_000

    /// `s` when it has at most `limit` Unicode scalars; else its first `limit` scalars followed by
    /// `… (N bytes)`, N its full UTF-8 size. Cut between scalars (never inside one, so the result
    /// is valid text), before any escaping (an escape is never split).
    public static func cut(_ s: String, to limit: Int = valueLimit) -> String {
        let scalars = s.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
              end != scalars.endIndex
        else { return s }
        var out = String(String.UnicodeScalarView(scalars[..<end]))
        out += "… (" + groupedDigits(s.utf8.count) + " bytes)"
        return out
    }

    /// `20971520` as `20 971 520` (groups of three digits, separated by spaces).
    public static func groupedDigits(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += " " }
            out.append(d)
        }
        return out
    }

    // MARK: - Scalars shown visibly

    /// Whether `u` is shown as its code (`\u202E`) rather than itself: C0 and C1 control
    /// characters and DEL, bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E,
    /// U+2066–U+2069), the line and paragraph separators (U+2028, U+2029), U+FEFF, and
    /// Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane).
    /// Tab and line feed are controls too; each format says whether it keeps them.
    public static func shownVisibly(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        case 0x2028, 0x2029, 0xFEFF: return true
        case 0xFDD0...0xFDEF: return true
        default: return u.value & 0xFFFE == 0xFFFE
        }
    }

    /// The visible form of a scalar: `\u202E`, `\u0000`, `\u{1FFFF}`.
    public static func code(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        if u.value > 0xFFFF { return "\\u{" + hex + "}" }
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// `s` with every scalar that ``shownVisibly(_:)`` selects replaced by its code, except tab
    /// and (when `keepingLineFeeds`) line feed.
    public static func visible(_ s: String, keepingLineFeeds: Bool = false) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            if shownVisibly(u), u != "\t", !(keepingLineFeeds && u == "\n") {
                out += code(u)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    // MARK: - Prometheus

    /// A label value of the Prometheus text exposition format (the part between the double
    /// quotes), cut to ``valueLimit`` scalars. Backslash, double quote and line feed are escaped
    /// as the format defines (`\\`, `\"`, `\n`; parsers turn them back into the value); every
    /// other scalar that ``shownVisibly(_:)`` selects is written as its code with the backslash
    /// escaped, so a carriage return reads back as the six characters `\u000D`. A value never
    /// ends its quotes or its line.
    public static func prometheusLabel(_ s: String) -> String {
        var out = ""
        for u in cut(s).unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default:
                if shownVisibly(u) {
                    out += "\\" + code(u)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    // MARK: - HTML

    /// HTML text or attribute value: `&`, `<`, `>`, `"` and `'` as character references, scalars
    /// that ``shownVisibly(_:)`` selects as their code; tab and line feed are kept (inert white
    /// space in HTML). Safe in element content and in quoted attribute values.
    public static func html(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(u)
            default:
                if shownVisibly(u) { out += code(u) } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    // MARK: - Markdown

    /// Inline Markdown (GitHub-flavoured, CommonMark) that renders as exactly the text `s`, in a
    /// paragraph, a list item or a table cell, and never as markup:
    ///
    /// - `\`, `` ` ``, `*`, `_`, `~`, `[`, `]`, `|` and `$` are backslash-escaped: no emphasis,
    ///   code span, link, image, footnote, strikethrough, math or new table cell;
    /// - `<`, `>` and `&` are character references: no raw HTML, no `<http://…>` autolink, no
    ///   entity from data;
    /// - what GFM's autolink extension would turn into a link is defanged: `://` is written
    ///   `[:]//`, `www.` as `www[.]` and `@` as `[@]` (the brackets escaped), as threat reports
    ///   write addresses that must not be clickable;
    /// - a block marker at the start (`# `, `- `, `+ `, `--`, `##`, `1. `, `1) `) is escaped and
    ///   leading spaces and tabs are written as `&#32;` and `&#9;`, so a value that starts a line or a list item
    ///   stays text (`>` is always a character reference);
    /// - controls, bidi controls and line separators (line feed included) are shown as their
    ///   code (``shownVisibly(_:)``): a value never ends a table row or starts a block.
    public static func markdown(_ s: String) -> String {
        var out = ""
        let scalars = Array(s.unicodeScalars)
        out.unicodeScalars.reserveCapacity(scalars.count)
        var i = 0
        // Leading white space would indent (an indented code block in a list item).
        while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" {
            out += scalars[i] == " " ? "&#32;" : "&#9;"
            i += 1
        }
        // A block marker at the start (a heading, list item or thematic break): escape it.
        func endsMarker(_ k: Int) -> Bool { k >= scalars.count || scalars[k] == " " || scalars[k] == "\t" }
        if i < scalars.count, scalars[i] == "#" || scalars[i] == "+" || scalars[i] == "-",
            endsMarker(i + 1) || scalars[i + 1] == scalars[i]
        {
            out += "\\"
        } else {
            var j = i
            while j < scalars.count, j - i < 9, ("0"..."9").contains(scalars[j]) { j += 1 }
            if j > i, j < scalars.count, scalars[j] == "." || scalars[j] == ")", endsMarker(j + 1) {
                for k in i..<j { out.unicodeScalars.append(scalars[k]) }
                out += "\\"
                i = j
            }
        }
        while i < scalars.count {
            let u = scalars[i]
            switch u {
            case "\\", "`", "*", "_", "~", "[", "]", "|", "$":
                out += "\\"
                out.unicodeScalars.append(u)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "@": out += "\\[@\\]"
            case ":" where i + 2 < scalars.count && scalars[i + 1] == "/" && scalars[i + 2] == "/":
                out += "\\[:\\]"
            case "." where i >= 3 && endsWithWWW(scalars, before: i):
                out += "\\[.\\]"
            case "\t": out.unicodeScalars.append(u)
            default:
                if shownVisibly(u) { out += code(u) } else { out.unicodeScalars.append(u) }
            }
            i += 1
        }
        return out
    }

    private static func endsWithWWW(_ s: [Unicode.Scalar], before i: Int) -> Bool {
        (1...3).allSatisfy { s[i - $0] == "w" || s[i - $0] == "W" }
    }

    /// A Markdown code span holding exactly `s`: fenced by one more backtick than the longest
    /// run of backticks in `s`, padded with a space when `s` starts or ends with a backtick or a
    /// space, controls and line separators shown as their code. Inside a code span nothing is
    /// markup (no link, no HTML, no emphasis); do not use it inside a table cell when `s` may
    /// hold `|`.
    public static func markdownCode(_ s: String) -> String {
        let body = visible(s)
        var longest = 0, run = 0
        for u in body.unicodeScalars {
            run = u == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let first = body.unicodeScalars.first, last = body.unicodeScalars.last
        let pad = first == "`" || last == "`" || first == " " || last == " " ? " " : ""
        return fence + pad + body + pad + fence
    }

    // MARK: - Terminal

    /// Text for a terminal: escape (ESC, CSI), other controls, bidi controls and line
    /// separators shown as their code, so data cannot move the cursor, recolour, retitle or
    /// reorder what the terminal shows. Line feeds are kept only with `keepingLineFeeds` (for
    /// whole lines of output built by MLAudit; a data value never keeps them).
    public static func terminal(_ s: String, keepingLineFeeds: Bool = false) -> String {
        visible(s, keepingLineFeeds: keepingLineFeeds)
    }
}
