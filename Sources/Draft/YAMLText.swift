import AuditModel

/// THE place where `mlaudit init` turns data into YAML text (docs/security.md, "Drafts"): every
/// value, key and comment that holds anything from data (a column name, a value, a file name, an
/// option) goes through one of these, so data never becomes YAML syntax:
///
/// - a value: ``scalar(_:)`` (plain only for simple words and paths), ``quoted(_:)`` (always
///   double-quoted, every line break and non-printable escaped), ``list(_:)`` / ``flowItem(_:)``,
///   ``number(_:)``;
/// - a comment: ``comment(_:)`` (line breaks of every kind, controls and bidi controls shown as
///   `\uXXXX`, so a comment stays one comment line). `Writer.line` applies it to every comment and,
///   as a last guard, ``oneLine(_:)`` to every whole line.
enum YAMLText {
    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""]

    /// A scalar in block context: plain when unambiguous (paths with `{date}` included), else double-quoted.
    static func scalar(_ s: String) -> String {
        let safe = s.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || "_-./{}".unicodeScalars.contains($0)
        }
        // A leading "." is a path ("./x", "../x") or a YAML float (".inf", ".nan"): only paths stay plain.
        let dotted = s.hasPrefix(".") && !s.hasPrefix("./") && !s.hasPrefix("../")
        guard safe, !dotted, let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" || first == "/" || first == ".",
              !reserved.contains(s.lowercased())
        else { return quoted(s) }
        return s
    }

    /// Text for a YAML comment (after `# `): YAML's line breaks (line feed, carriage return,
    /// U+0085, U+2028, U+2029), other controls, bidi controls, U+FEFF and noncharacters are shown
    /// as `\uXXXX` (``SafeText/visible(_:keepingLineFeeds:)``), so the comment cannot end early and
    /// what follows cannot become a key.
    static func comment(_ s: String) -> String { SafeText.visible(s) }

    /// One physical line whatever `s` holds: the same replacement as ``comment(_:)``. Every
    /// line the writer emits passes through it, so a value that skipped quoting still cannot
    /// start a new line (it would then fail the draft's own check instead of adding a key).
    static func oneLine(_ s: String) -> String { SafeText.visible(s) }

    /// A scalar inside a flow list `[a, b]`: plain only for simple words, else double-quoted.
    static func flowItem(_ s: String) -> String {
        let safe = s.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        guard safe, let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
              !reserved.contains(s.lowercased())
        else { return quoted(s) }
        return s
    }

    /// A double-quoted YAML string with escapes.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\x" + String(repeating: "0", count: 2 - h.count) + h
                } else if SafeText.shownVisibly(u) {
                    // NEL, U+2028/2029 (line breaks to YAML), C1, bidi controls, BOM, noncharacters.
                    let h = String(u.value, radix: 16, uppercase: true)
                    out += u.value > 0xFFFF ? "\\U" + String(repeating: "0", count: 8 - h.count) + h
                        : "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A flow list `[a, b, c]`.
    static func list(_ items: [String]) -> String { "[" + items.map(flowItem).joined(separator: ", ") + "]" }

    /// A number that reads back to exactly `x`: integers without a decimal point, others in
    /// Swift's shortest round-trip form.
    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// `x` rounded to `digits` significant digits away from the inside of a range: down for a
    /// lower bound, up for an upper bound, so every observed value stays within it.
    static func outward(_ x: Double, up: Bool, digits: Int = 4) -> Double {
        guard x.isFinite, x != 0 else { return x }
        var e = 0
        var m = abs(x)
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 { m *= 10; e -= 1 }
        let k = digits - 1 - e
        var p = 1.0
        for _ in 0..<abs(k) { p *= 10 }
        let scaled = k >= 0 ? x * p : x / p
        let r = up ? scaled.rounded(.up) : scaled.rounded(.down)
        let v = k >= 0 ? r / p : r * p
        // Guard against rounding in the scaling: the bound must still contain x.
        return (up ? v >= x : v <= x) ? v : x
    }

    /// `x` rounded up to three decimals (threshold shares).
    static func shareUp(_ x: Double) -> Double { min(1, (x * 1000 - 1e-9).rounded(.up) / 1000) }
}
