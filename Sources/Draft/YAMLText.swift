import AuditModel

/// Small helpers to write YAML text that the strict definition loader reads back exactly.
enum YAMLText {
    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""]

    /// A scalar in block context: plain when unambiguous (paths with `{date}` included), else double-quoted.
    static func scalar(_ s: String) -> String {
        let safe = s.unicodeScalars.allSatisfy {
            ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) || "_-./{}".unicodeScalars.contains($0)
        }
        guard safe, let first = s.unicodeScalars.first, first.properties.isAlphabetic || first == "_" || first == "/" || first == ".",
              !reserved.contains(s.lowercased())
        else { return quoted(s) }
        return s
    }

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
