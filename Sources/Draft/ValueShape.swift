/// The common shape of a column's values, for drafting a `pattern`: each value is cut into
/// runs of one character class (ASCII digits, upper-case letters, lower-case letters, or one
/// literal character such as `-`), and values whose runs have the same classes in the same
/// order merge into one shape whose run lengths are ranges. `ORD-0042` and `ORD-17` give
/// `[A-Z]{3}-[0-9]{2,4}`. Values of different shapes (`A1` and `1A`), or a literal that
/// differs (`A-1` and `A_1`), leave no shape: then no pattern is drafted.
///
/// This is constraint suggestion in the manner of Deequ's rules: the pattern holds on every
/// baseline value, and the comment beside it says so.
struct ValueShape: Sendable, Equatable {
    enum Kind: Hashable, Sendable {
        case digit, upper, lower
        case literal(Unicode.Scalar)
    }

    struct Run: Equatable, Sendable {
        var kind: Kind
        var minLength: Int
        var maxLength: Int
    }

    private(set) var runs: [Run]

    /// The shape of one value; nil for an empty value.
    init?(_ value: String) {
        var runs: [Run] = []
        for u in value.unicodeScalars {
            let kind: Kind
            switch u {
            case "0"..."9": kind = .digit
            case "A"..."Z": kind = .upper
            case "a"..."z": kind = .lower
            default: kind = .literal(u)
            }
            if case .literal = kind {
                runs.append(Run(kind: kind, minLength: 1, maxLength: 1))
            } else if let last = runs.last, last.kind == kind {
                runs[runs.count - 1].minLength += 1
                runs[runs.count - 1].maxLength += 1
            } else {
                runs.append(Run(kind: kind, minLength: 1, maxLength: 1))
            }
        }
        guard !runs.isEmpty else { return nil }
        self.runs = runs
    }

    /// Widens this shape's run lengths to cover `other`; false (unchanged) when the run
    /// classes differ.
    mutating func merge(_ other: ValueShape) -> Bool {
        guard runs.count == other.runs.count, zip(runs, other.runs).allSatisfy({ $0.kind == $1.kind }) else { return false }
        for i in runs.indices {
            runs[i].minLength = min(runs[i].minLength, other.runs[i].minLength)
            runs[i].maxLength = max(runs[i].maxLength, other.runs[i].maxLength)
        }
        return true
    }

    /// Whether the shape says something beyond the values themselves: at least one run of a
    /// character class (a shape of literals alone is one constant value).
    var hasClassRun: Bool {
        runs.contains { if case .literal = $0.kind { return false } else { return true } }
    }

    /// An ICU regular expression matching exactly the values of this shape (the check matches
    /// it against the whole value).
    var pattern: String {
        var out = ""
        for r in runs {
            switch r.kind {
            case .digit: out += "[0-9]"
            case .upper: out += "[A-Z]"
            case .lower: out += "[a-z]"
            case .literal(let u):
                if "\\^$.|?*+()[]{}-/#&~ ".unicodeScalars.contains(u) || !u.isASCII || u.value < 0x20 {
                    out += u.isASCII && u.value >= 0x20 ? "\\" + String(u) : "\\x{" + String(u.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(u)
                }
                continue
            }
            out += r.minLength == r.maxLength
                ? (r.minLength == 1 ? "" : "{\(r.minLength)}") : "{\(r.minLength),\(r.maxLength)}"
        }
        return out
    }
}
