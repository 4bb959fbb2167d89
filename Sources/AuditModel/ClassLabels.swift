import Foundation

/// Classes by value, not by spelling: maps a written label (`1`, `1.0`, `"1"`, `true`, ` 1 `)
/// to the declared class it denotes, so the baseline written `1.0` and a day written `1` store
/// the same class. Applied once, at ingest, to the target and prediction columns of a
/// classifier and to the label column of labels files; every later consumer (drift, realized
/// metrics, CBPE, label joins, the data-quality checks) sees only canonical classes.
/// docs/ingest.md ("Classes") has the rules.
public struct ClassLabels: Sendable, Equatable {
    /// The declared classes, as written in the definition (the canonical spellings).
    public let classes: [String]
    private let exact: Set<String>
    private let byNumber: [Double: String]
    private let byLowercase: [String: String]
    /// The class read as true and the class read as false, when the classes are exactly one of each.
    private let truthClass: String?
    private let falseClass: String?

    public init(classes: [String]) {
        self.classes = classes
        exact = Set(classes)
        var numbers: [Double: String] = [:]
        var lower: [String: String] = [:]
        var truthy: [String] = [], falsy: [String] = []
        for c in classes {
            let t = Self.trimmed(c)
            if let x = Self.number(t), numbers[x] == nil { numbers[x] = c }
            if lower[t.lowercased()] == nil { lower[t.lowercased()] = c }
            switch Self.truth(t) {
            case true?: truthy.append(c)
            case false?: falsy.append(c)
            case nil: break
            }
        }
        byNumber = numbers
        byLowercase = lower
        truthClass = truthy.count == 1 ? truthy[0] : nil
        falseClass = falsy.count == 1 ? falsy[0] : nil
    }

    /// Whether `value` is already canonical for a declared class (the hot path's shortcut).
    @inline(__always)
    public func isDeclared(_ value: String) -> Bool { exact.contains(value) }

    /// The canonical spelling of `value`:
    /// 1. a declared class as written stays;
    /// 2. a number equal to a declared class's number is that class (`1.0`, `1`, `01`, `1e0`);
    /// 3. a truth word (`true`/`false`, `yes`/`no`, `t`/`f`, `y`/`n`, any case) is the class
    ///    read as true or false, when the classes hold exactly one of each (`0`/`1`, `no`/`yes`);
    /// 4. a case-insensitive match of a declared class is that class;
    /// 5. any other number is written as a plain number (`2.0` → `2`), so undeclared classes
    ///    also compare by value;
    /// 6. anything else stays as written (an unknown label, reported by `quality.unknown_labels`).
    /// Leading and trailing spaces are dropped first.
    public func canonical(_ value: String) -> String {
        if exact.contains(value) { return value }
        let t = Self.trimmed(value)
        if exact.contains(t) { return t }
        let x = Self.number(t)
        if let x, let c = byNumber[x] { return c }
        if let b = Self.truth(t) {
            if b, let c = truthClass { return c }
            if !b, let c = falseClass { return c }
        }
        if let c = byLowercase[t.lowercased()] { return c }
        if let x { return Self.plain(x) }
        return t
    }

    /// `x` written without a needless fraction: whole numbers below 2^53 as integers, others
    /// as Swift's shortest round-trip form.
    public static func plain(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 9_007_199_254_740_992 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A finite number written in decimal (`1`, `-2.50`, `1e3`, `+1`), else nil. Hex, `inf`
    /// and `nan` are not class numbers.
    public static func number(_ s: String) -> Double? {
        guard let first = s.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
            || (first >= 48 && first <= 57)
        else { return nil }
        guard s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 43 || $0 == 101 || $0 == 69 }) else {
            return nil
        }
        guard let x = Double(s), x.isFinite else { return nil }
        return x == 0 ? 0 : x
    }

    /// The truth a word or number reads as: `true`, `yes`, `t`, `y`, 1 → true; `false`, `no`,
    /// `f`, `n`, 0 → false; anything else nil.
    public static func truth(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true", "yes", "t", "y": return true
        case "false", "no", "f", "n": return false
        default:
            guard let x = number(s) else { return nil }
            return x == 1 ? true : x == 0 ? false : nil
        }
    }

    static func trimmed(_ s: String) -> String {
        guard let f = s.unicodeScalars.first, let l = s.unicodeScalars.last,
            f == " " || f == "\t" || l == " " || l == "\t"
        else { return s }
        return s.trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
    }
}

extension PipelineDefinition {
    /// The classes a classifier's labels are canonicalised to: `schema.prediction.classes`,
    /// else for a binary model `0` and `1` (when the positive class reads as 1) or the positive
    /// class alone; nil for regression or without a prediction. A multiclass model without
    /// `classes` gets an empty list: only numbers are rewritten (`2.0` → `2`).
    public var classLabels: ClassLabels? {
        guard let p = schema.prediction, p.kind != .regression else { return nil }
        if let classes = p.classes { return ClassLabels(classes: classes) }
        if p.kind == .binary {
            let positive = p.positiveClass ?? "1"
            if ClassLabels.number(ClassLabels.trimmed(positive)) == 1 { return ClassLabels(classes: ["0", positive]) }
            return ClassLabels(classes: [positive])
        }
        return ClassLabels(classes: [])
    }
}
