import AuditModel
import Foundation
import Testing

@testable import Ingest

@Suite("Value parsing")
struct ValueParsingTests {
    func withBytes<T>(_ s: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        var t = s
        return t.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    @Test(arguments: [
        "0", "1", "-1", "3.14159", "-0.001", "1e10", "2.5E-3", "123456789012345", "1234567890123456789",
        "0.1", "0.30000000000000004", "9007199254740993", "1.7976931348623157e308", "4.9e-324", "  42  ", "+7",
        "1.", ".5", "00012.5000", "123.456e+2",
    ])
    func decimalsMatchCorrectRounding(_ text: String) {
        let expected = Double(text.trimmingCharacters(in: .whitespaces))
        let got = withBytes(text) { parseDouble($0) }
        #expect(got?.bitPattern == expected?.bitPattern, "\(text)")
    }

    @Test func randomDecimalsMatchSwiftParsing() {
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        for _ in 0..<20_000 {
            let intPart = next() % 1_000_000
            let frac = next() % 100_000_000
            let digits = Int(next() % 9)
            var text = "\(intPart)"
            if digits > 0 { text += "." + String(String(frac).prefix(digits)) }
            if next() % 5 == 0 { text += "e\(Int(next() % 40) - 20)" }
            if next() % 2 == 0 { text = "-" + text }
            let got = withBytes(text) { parseDouble($0) }
            #expect(got?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test(arguments: ["nan", "NaN", "inf", "-inf", "Infinity", "-Infinity"])
    func specialFloats(_ text: String) {
        let v = withBytes(text) { parseDouble($0) }
        #expect(v != nil)
        if text.lowercased().contains("nan") { #expect(v!.isNaN) } else { #expect(v!.isInfinite) }
    }

    @Test(arguments: ["", "abc", "1,5", "1.2.3", "0x10", "1e", "--1", "12abc"])
    func notNumbers(_ text: String) {
        #expect(withBytes(text) { parseDouble($0) } == nil, "\(text)")
    }

    @Test func integers() {
        #expect(withBytes("42") { parseInteger($0) } == 42)
        #expect(withBytes("-7") { parseInteger($0) } == -7)
        #expect(withBytes("3.0") { parseInteger($0) } == 3)
        #expect(withBytes("3.5") { parseInteger($0) } == nil)
        #expect(withBytes("forty") { parseInteger($0) } == nil)
        #expect(withBytes("9223372036854775807") { parseInteger($0) } == Int64.max)
        #expect(withBytes("9223372036854775808") { parseInteger($0) } == nil)
    }

    @Test func booleans() {
        for t in ["true", "TRUE", "True", "1", "yes", "Y", "t", "1.0"] { #expect(withBytes(t) { parseBoolean($0) } == true, "\(t)") }
        for f in ["false", "False", "0", "no", "N", "f", "0.0"] { #expect(withBytes(f) { parseBoolean($0) } == false, "\(f)") }
        for x in ["maybe", "2", ""] { #expect(withBytes(x) { parseBoolean($0) } == nil, "\(x)") }
    }

    @Test func timestamps() {
        let base = Day("2026-11-28")!.startEpochSeconds * 1000
        let cases: [(String, Int64?)] = [
            ("2026-11-28", base),
            ("2026-11-28T10:15:30Z", base + 36_930_000),
            ("2026-11-28 10:15:30", base + 36_930_000),
            ("2026-11-28T10:15", base + 36_900_000),
            ("2026-11-28T10:15:30.25Z", base + 36_930_250),
            ("2026-11-28T10:15:30+02:00", base + 36_930_000 - 7_200_000),
            ("2026-11-28T10:15:30-0130", base + 36_930_000 + 5_400_000),
            ("1764324930", 1_764_324_930_000),
            ("1764324930123", 1_764_324_930_123),
            ("1764324930.5", 1_764_324_930_500),
            ("2026-11-31", nil), ("yesterday", nil), ("2026-11-28T25:00:00", nil), ("2026-11-28Tx", nil),
            ("2026-11-28T10:15:30+", nil),
            // Epoch numbers beyond year 9999 are not times (they overflowed Int64 before).
            ("99999999999999999999", nil), ("-99999999999999999999", nil), ("253402300799999", 253_402_300_799_999),
            ("253402300800000", nil), ("1e400", nil), ("-62135596800", -62_135_596_800_000),
        ]
        for (text, expected) in cases {
            #expect(withBytes(text) { parseTimestamp($0) } == expected, "\(text)")
        }
    }

    @Test func nullTokens() {
        let p = ValueParser(nullTokens: nil)
        for t in ["", "NA", "null", "None", "NaN", "N/A"] { #expect(withBytes(t) { p.isNull($0, forFloat: false) }, "\(t)") }
        #expect(!withBytes("NaN") { p.isNull($0, forFloat: true) })
        #expect(withBytes("NA") { p.isNull($0, forFloat: true) })
        #expect(!withBytes("Nantes") { p.isNull($0, forFloat: false) })
        let custom = ValueParser(nullTokens: ["?"])
        #expect(withBytes("?") { custom.isNull($0, forFloat: false) })
        #expect(!withBytes("NA") { custom.isNull($0, forFloat: false) })
    }
}
