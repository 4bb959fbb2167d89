/// A calendar day (`YYYY-MM-DD`), the unit of a snapshot. Proleptic Gregorian, no time zone.
///
/// Arithmetic uses days since 1970-01-01 (Howard Hinnant's civil-date algorithms), so no
/// `Calendar` or locale is involved and the result is the same on every machine.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// Days since 1970-01-01.
    public let ordinal: Int

    public init(ordinal: Int) { self.ordinal = ordinal }

    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        self.ordinal = Day.daysFromCivil(year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                let c = u[i]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var components: (year: Int, month: Int, day: Int) { Day.civilFromDays(ordinal) }

    public var description: String {
        let (y, m, d) = components
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    /// Unix seconds at 00:00:00 UTC of this day.
    public var startEpochSeconds: Int64 { Int64(ordinal) * 86_400 }

    public func adding(days n: Int) -> Day { Day(ordinal: ordinal + n) }

    public static func < (a: Day, b: Day) -> Bool { a.ordinal < b.ordinal }
    public static func - (a: Day, b: Day) -> Int { a.ordinal - b.ordinal }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = Day(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a date as YYYY-MM-DD, got '\(s)'")
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: return isLeap(y) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

@inline(__always)
func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// Formats and parses the canonical timestamp text stored in the warehouse:
/// `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC, fixed width, so text order is time order).
public enum Timestamp {
    /// The instants the canonical form writes with a four-digit year: 0001-01-01T00:00:00.000Z
    /// to 9999-12-31T23:59:59.999Z. A value read from data outside it is not a timestamp.
    public static let canonicalRange: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// Total over `Int64` (no overflow trap: a Parquet TIMESTAMP of Int64.min crashed the
    /// ingest); outside ``canonicalRange`` the year has more or fewer than four digits.
    public static func format(epochMilliseconds ms: Int64) -> String {
        var rem = Int(ms % 86_400_000)
        var day = Int(ms / 86_400_000)
        if rem < 0 {
            rem += 86_400_000
            day -= 1
        }
        let d = Day(ordinal: day)
        let h = rem / 3_600_000, mi = (rem / 60_000) % 60, s = (rem / 1000) % 60, milli = rem % 1000
        return "\(d)T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(milli, 3))Z"
    }

    /// Parses the canonical form back (used by checks and reports, not on the ingest hot path).
    public static func parseCanonical(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard u.count == 24, let d = Day(String(decoding: u[0..<10], as: UTF8.self)) else { return nil }
        func n(_ r: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in r {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int64(u[i] - 48)
            }
            return v
        }
        guard let h = n(11..<13), let mi = n(14..<16), let sec = n(17..<19), let ms = n(20..<23) else { return nil }
        return d.startEpochSeconds * 1000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms
    }
}

/// What a stage works on: the baseline, or one day's snapshot.
public enum AuditTarget: Hashable, Sendable, CustomStringConvertible {
    case baseline
    case day(Day)

    /// The `date` value in the warehouse: `YYYY-MM-DD`, or `baseline`.
    public var description: String {
        switch self {
        case .baseline: return "baseline"
        case .day(let d): return d.description
        }
    }

    public var day: Day? {
        if case .day(let d) = self { return d }
        return nil
    }
}
