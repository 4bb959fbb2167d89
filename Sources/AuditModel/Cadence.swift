/// How often a snapshot arrives (`snapshots.cadence`, docs/definition.md). Every window check —
/// timestamps outside the period, gaps, row count and volume against trailing periods, rows per
/// hour — follows it. `auto` (the default) is inferred from the dates of the snapshots found.
public enum Cadence: String, Codable, Sendable, CaseIterable {
    case daily, weekly, monthly, quarterly, yearly, auto

    /// The word for one period: day, week, month, quarter, year.
    public var noun: String {
        switch self {
        case .weekly: "week"
        case .monthly: "month"
        case .quarterly: "quarter"
        case .yearly: "year"
        case .daily, .auto: "day"
        }
    }

    /// Roughly how many days one period lasts (for look-back windows).
    public var approximateDays: Int {
        switch self {
        case .weekly: 7
        case .monthly: 31
        case .quarterly: 92
        case .yearly: 366
        case .daily, .auto: 1
        }
    }

    /// The first day after the period that starts on `start` (exclusive end). A weekly
    /// period is the 7 days from its date; a monthly one runs to the same day of the next
    /// month (clamped to that month's last day), a quarterly one three months on, a yearly one
    /// twelve.
    public func end(of start: Day) -> Day {
        switch self {
        case .daily, .auto: return start.adding(days: 1)
        case .weekly: return start.adding(days: 7)
        case .monthly: return Cadence.addMonths(start, 1)
        case .quarterly: return Cadence.addMonths(start, 3)
        case .yearly: return Cadence.addMonths(start, 12)
        }
    }

    /// The start of the period before the one that starts on `start`.
    public func previous(_ start: Day) -> Day {
        switch self {
        case .daily, .auto: return start.adding(days: -1)
        case .weekly: return start.adding(days: -7)
        case .monthly: return Cadence.addMonths(start, -1)
        case .quarterly: return Cadence.addMonths(start, -3)
        case .yearly: return Cadence.addMonths(start, -12)
        }
    }

    /// `n` periods before `start` (for look-back windows).
    public func back(_ n: Int, from start: Day) -> Day {
        var d = start
        for _ in 0..<max(0, n) { d = previous(d) }
        return d
    }

    static func addMonths(_ d: Day, _ n: Int) -> Day {
        let (y, m, day) = d.components
        let total = y * 12 + (m - 1) + n
        let ny = total / 12, nm = total % 12 + 1
        var dd = day
        while dd > 28, Day(year: ny, month: nm, day: dd) == nil { dd -= 1 }
        return Day(year: ny, month: nm, day: dd) ?? d.adding(days: 30 * n)
    }

    /// The cadence the dates of the snapshots found imply: the median spacing between
    /// consecutive dates — under 4 days daily, under 20 weekly, under 55 monthly, under 180
    /// quarterly, else yearly (each cut near the geometric middle of the two periods; files
    /// half a year apart are judged by the year, whose window holds both). Fewer than two
    /// dates: daily.
    public static func infer(_ dates: [Day]) -> Cadence {
        let sorted = Array(Set(dates)).sorted()
        guard sorted.count >= 2 else { return .daily }
        let gaps = zip(sorted, sorted.dropFirst()).map { $1 - $0 }.sorted()
        let median = gaps[gaps.count / 2]
        if median < 4 { return .daily }
        if median < 20 { return .weekly }
        if median < 55 { return .monthly }
        if median < 180 { return .quarterly }
        return .yearly
    }

    /// This setting with `auto` resolved from `dates`.
    public func resolved(_ dates: [Day]) -> Cadence { self == .auto ? Cadence.infer(dates) : self }
}
