/// How bad a finding is. Ordered: info < warning < critical.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, warning, critical

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .critical: return 2
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// The lens a finding belongs to.
public enum FindingCategory: String, Codable, Sendable, CaseIterable {
    case dataQuality = "data_quality"
    case drift
    case performance
    case operational
    case technicalDebt = "technical_debt"
    case fairness

    public var title: String {
        switch self {
        case .dataQuality: return "Data quality"
        case .drift: return "Drift"
        case .performance: return "Performance"
        case .operational: return "Operational health"
        case .technicalDebt: return "Technical debt"
        case .fairness: return "Fairness"
        }
    }
}

/// The five stages, in order.
public enum Stage: String, Codable, Sendable, CaseIterable, Comparable {
    case ingest, validate, profile, compare, render

    public var order: Int { Stage.allCases.firstIndex(of: self)! }
    public static func < (a: Stage, b: Stage) -> Bool { a.order < b.order }
}

/// One result of one check: the unit every report, exit status and recommendation derive from.
public struct Finding: Codable, Sendable, Equatable, Hashable {
    /// Stable check id, e.g. `quality.null_rate` (see `CheckCatalog`).
    public var check: String
    public var stage: Stage
    public var category: FindingCategory
    public var severity: Severity
    /// The column concerned, or nil for a whole-snapshot finding.
    public var column: String?
    /// What was found, in one sentence.
    public var message: String
    /// The observed value, as text (numbers rounded for reading).
    public var observed: String?
    /// The expected value or bound, as text.
    public var expected: String?
    /// Why it matters and what to do (from the check catalog).
    public var advice: String
    /// The segment the finding is about (`segments:` in the definition), nil for the whole
    /// snapshot. summary.json writes it only when set.
    public var segment: SegmentRef?

    public init(
        check: String, stage: Stage, category: FindingCategory, severity: Severity, column: String? = nil,
        message: String, observed: String? = nil, expected: String? = nil, advice: String? = nil,
        segment: SegmentRef? = nil
    ) {
        self.check = check
        self.stage = stage
        self.category = category
        self.severity = severity
        self.column = column
        self.message = message
        self.observed = observed
        self.expected = expected
        self.advice = advice ?? CheckCatalog.info(check)?.advice ?? ""
        self.segment = segment
    }

    /// A finding for a catalogued check: category and advice come from the catalog.
    public init(
        _ check: CheckInfo, severity: Severity, column: String? = nil, message: String,
        observed: String? = nil, expected: String? = nil, segment: SegmentRef? = nil
    ) {
        self.init(
            check: check.id, stage: check.stage, category: check.category, severity: severity, column: column,
            message: message, observed: observed, expected: expected, advice: check.advice, segment: segment)
    }
}

/// A segment: a value (or bin) of a segment column (docs/segments.md).
public struct SegmentRef: Codable, Sendable, Equatable, Hashable {
    public var column: String
    public var value: String

    public init(column: String, value: String) {
        self.column = column
        self.value = value
    }
}

extension Finding {
    /// The most findings of one check a stage keeps for one snapshot (docs/security.md,
    /// "Bounded costs"); the rest are counted in one more finding of the same check.
    public static let perCheckLimit = 50
}

extension Array where Element == Finding {
    /// The findings a stage stores and reports, bounded: for each check id the first
    /// ``Finding/perCheckLimit`` in order, then one finding of that check (the worst severity
    /// among the rest) saying how many more there were; every message, observed and expected
    /// text and column cut to ``SafeText/textLimit`` scalars (with their full size noted). A header
    /// of two million blank names gave two million findings.
    public func bounded(perCheck limit: Int = Finding.perCheckLimit) -> [Finding] {
        var kept: [Finding] = []
        var seen: [String: Int] = [:]
        var rest: [String: (count: Int, first: Finding, worst: Severity)] = [:]
        var restOrder: [String] = []
        for f in self {
            let n = seen[f.check, default: 0]
            seen[f.check] = n + 1
            if n < limit {
                var g = f
                g.message = SafeText.cut(g.message, to: SafeText.textLimit)
                g.observed = g.observed.map { SafeText.cut($0, to: SafeText.textLimit) }
                g.expected = g.expected.map { SafeText.cut($0, to: SafeText.textLimit) }
                g.column = g.column.map { SafeText.cut($0, to: SafeText.textLimit) }
                g.segment = g.segment.map { SegmentRef(column: SafeText.cut($0.column), value: SafeText.cut($0.value)) }
                kept.append(g)
            } else if let r = rest[f.check] {
                rest[f.check] = (r.count + 1, r.first, Swift.max(r.worst, f.severity))
            } else {
                rest[f.check] = (1, f, f.severity)
                restOrder.append(f.check)
            }
        }
        for check in restOrder {
            let r = rest[check]!
            kept.append(Finding(
                check: check, stage: r.first.stage, category: r.first.category, severity: r.worst,
                message: "\(r.count) more \(check) finding\(r.count == 1 ? "" : "s") not listed (only the first \(limit) of a check are kept)",
                observed: "\(r.count + limit) findings", expected: "at most \(limit) listed", advice: r.first.advice))
        }
        return kept
    }

    /// The worst severity present, or nil when empty.
    public var worstSeverity: Severity? { map(\.severity).max() }

    /// Most severe first, then by check id, column and message: a stable, readable order.
    public func sortedForReport() -> [Finding] {
        sorted {
            if $0.severity != $1.severity { return $0.severity > $1.severity }
            if $0.category != $1.category {
                return FindingCategory.allCases.firstIndex(of: $0.category)!
                    < FindingCategory.allCases.firstIndex(of: $1.category)!
            }
            if $0.check != $1.check { return $0.check < $1.check }
            if ($0.column ?? "") != ($1.column ?? "") { return ($0.column ?? "") < ($1.column ?? "") }
            if $0.segment != $1.segment {
                return ($0.segment?.column ?? "", $0.segment?.value ?? "") < ($1.segment?.column ?? "", $1.segment?.value ?? "")
            }
            return $0.message < $1.message
        }
    }
}

/// Formats a number for a finding or report: up to 4 significant decimals, no exponent for
/// ordinary magnitudes, `NaN`/`inf` spelled out. Deterministic on every platform.
public func formatNumber(_ x: Double, digits: Int = 4) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    let a = abs(x)
    if a >= 1e6 || a < 1e-4 {
        // Scientific with `digits` significant digits.
        var exp = 0
        var m = a
        while m >= 10 { m /= 10; exp += 1 }
        while m < 1 { m *= 10; exp -= 1 }
        let scale = pow10(digits - 1)
        var r = (m * scale).rounded() / scale
        if r >= 10 { r /= 10; exp += 1 }
        return (x < 0 ? "-" : "") + trimZeros(fixed(r, digits - 1)) + "e" + String(exp)
    }
    // Fixed with enough decimals for `digits` significant digits, at most 6.
    var intDigits = 0
    var t = a
    while t >= 1 { t /= 10; intDigits += 1 }
    var decimals = Swift.max(0, digits - intDigits)
    if a < 1 {
        var lead = 0
        var u = a
        while u < 0.1 { u *= 10; lead += 1 }
        decimals = digits + lead
    }
    decimals = Swift.min(decimals, 6)
    return trimZeros(fixed(x, decimals))
}

/// A share (0–1) as a percentage with one or two decimals: `12.5%`.
public func formatPercent(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    let p = x * 100
    let decimals = abs(p) < 1 && p != 0 ? 2 : 1
    return trimZeros(fixed(p, decimals)) + "%"
}

private func pow10(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<Swift.max(0, n) { r *= 10 }
    return r
}

/// `x` with exactly `decimals` decimals, rounding half away from zero, without Foundation.
func fixed(_ x: Double, _ decimals: Int) -> String {
    let scale = pow10(decimals)
    let scaled = (abs(x) * scale).rounded()
    guard scaled < 9e18 else { return String(x) }
    let n = UInt64(scaled)
    let ip = n / UInt64(scale)
    let fp = n % UInt64(scale)
    var s = (x < 0 && n != 0 ? "-" : "") + String(ip)
    if decimals > 0 {
        let f = String(fp)
        s += "." + String(repeating: "0", count: decimals - f.count) + f
    }
    return s
}

private func trimZeros(_ s: String) -> String {
    guard s.contains(".") else { return s }
    var t = Substring(s)
    while t.hasSuffix("0") { t = t.dropLast() }
    if t.hasSuffix(".") { t = t.dropLast() }
    return String(t)
}
