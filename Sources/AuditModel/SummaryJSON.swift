import Foundation

/// The one JSON codec for everything MLAudit writes and reads back (summary.json, manifest.json,
/// `compare --json`): keys sorted, and non-finite numbers — a χ² statistic with a category the
/// baseline never had is +∞ — written as the strings "inf", "-inf" and "NaN" (docs/summary.md).
/// Every reader of summary.json decodes through `decoder`, so a report holding an infinite
/// statistic reads back as it was written.
public enum SummaryJSON {
    /// Pretty-printed, keys sorted, slashes unescaped, non-finite numbers as strings.
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        return e
    }

    /// Understands "inf", "-inf" and "NaN" where a number is expected.
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        return d
    }

    /// Decodes a summary.json (or any file MLAudit wrote with `encoder()`).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decoder().decode(T.self, from: data)
    }
}
