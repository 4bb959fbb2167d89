import AuditModel
import Foundation
import GRDB
import Testing
import TestSupport

@testable import Warehouse

/// `PackedNumbers`, the encoding of the columnar copy and the sorted-column cache: whatever
/// the bits, decoding gives back the very same bits; numbers with few decimals take a few bytes.
@Suite("Packed numbers")
struct PackedNumbersTests {
    /// Encodes and decodes `values`; returns the encoding and the bytes per value.
    static func roundTrip(_ values: [UInt64]) throws -> (encoding: Int, bytesPerValue: Double) {
        var packed: [UInt8] = []
        let encoding = values.withUnsafeBufferPointer { PackedNumbers.encode($0, into: &packed) }
        // The decoder loads 8 bytes at a time: readers keep 8 bytes of slack after the blob.
        let padded = packed + [UInt8](repeating: 0xAB, count: 8)
        var decoded = [UInt64](repeating: 0, count: values.count)
        let ok = padded.withUnsafeBytes { raw in
            decoded.withUnsafeMutableBufferPointer { out in
                PackedNumbers.decode(
                    encoding, UnsafeRawBufferPointer(start: raw.baseAddress, count: packed.count), count: values.count,
                    into: out.baseAddress!)
            }
        }
        #expect(ok)
        #expect(decoded == values, "every value's bits come back")
        return (encoding, Double(packed.count) / Double(max(1, values.count)))
    }

    /// A deterministic generator (SplitMix64), so that failures reproduce.
    struct Mix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
            range.lowerBound + Int64(next() % UInt64(range.upperBound - range.lowerBound + 1))
        }
    }

    /// Values parsed from text with a fixed number of decimals, as a CSV holds them.
    static func parsed(_ n: Int, decimals: Int, range: ClosedRange<Int64>, seed: UInt64) -> [UInt64] {
        var mix = Mix(state: seed)
        return (0..<n).map { _ in
            let m = mix.int(range)
            let text = decimals == 0 ? "\(m)" : String(format: "%.\(decimals)f", Double(m) / pow(10, Double(decimals)))
            return Double(text)!.bitPattern
        }
    }

    @Test func decimalsTakeTheBytesTheirRangeNeeds() throws {
        let four = try Self.roundTrip(Self.parsed(65_536, decimals: 4, range: -20_000...1_400_000, seed: 1))
        #expect(four.encoding == PackedNumbers.decimal && four.bytesPerValue < 3.01, "4 decimals over 142: 3 bytes")
        let six = try Self.roundTrip(Self.parsed(65_536, decimals: 6, range: 0...1_000_000, seed: 2))
        #expect(six.encoding == PackedNumbers.decimal && six.bytesPerValue < 3.01)
        let one = try Self.roundTrip(Self.parsed(65_536, decimals: 1, range: 100...3_000, seed: 3))
        #expect(one.encoding == PackedNumbers.decimal && one.bytesPerValue < 2.01)
        let ints = try Self.roundTrip(Self.parsed(65_536, decimals: 0, range: 18...90, seed: 4))
        #expect(ints.encoding == PackedNumbers.decimal && ints.bytesPerValue < 1.01)
        let same = try Self.roundTrip([UInt64](repeating: (3.25 as Double).bitPattern, count: 1_000))
        #expect(same.encoding == PackedNumbers.decimal && same.bytesPerValue < 0.05, "a constant run is its header")
        // Sorted values (the sorted-column cache) pack as well.
        let sorted = try Self.roundTrip(Self.parsed(100_000, decimals: 4, range: 0...1_400_000, seed: 5)
            .map { Double(bitPattern: $0) }.sorted().map(\.bitPattern))
        #expect(sorted.encoding == PackedNumbers.decimal && sorted.bytesPerValue < 3.01)
    }

    @Test func whatDoesNotPackIsStoredRaw() throws {
        var mix = Mix(state: 7)
        let bits = try Self.roundTrip((0..<10_000).map { _ in mix.next() })
        #expect(bits.encoding == PackedNumbers.raw && bits.bytesPerValue == 8)
        // Doubles with all their digits (a computed value, not a parsed one).
        let computed = try Self.roundTrip((0..<10_000).map { (Double($0) / 7 + 0.1).bitPattern })
        #expect(computed.encoding == PackedNumbers.raw)
        #expect(try Self.roundTrip([(0.1 as Double).bitPattern]).encoding == PackedNumbers.raw, "one value: the header costs more")
    }

    /// Nulls, NaN, infinities, signed zeros, subnormals, the double range's ends, integers
    /// around 2^53, and values with more decimals than the run's scale: all come back exactly.
    @Test func hardValuesComeBackExactly() throws {
        var values = Self.parsed(4_096, decimals: 2, range: 0...1_000, seed: 11)
        let hard: [UInt64] = [
            NumericColumnEncoding.null, NumericColumnEncoding.nan, Double.infinity.bitPattern,
            (-Double.infinity).bitPattern, (-0.0 as Double).bitPattern, (0.0 as Double).bitPattern,
            Double.leastNonzeroMagnitude.bitPattern, (-Double.leastNonzeroMagnitude).bitPattern,
            Double.greatestFiniteMagnitude.bitPattern, (-Double.greatestFiniteMagnitude).bitPattern,
            (9_007_199_254_740_992 as Double).bitPattern, (-9_007_199_254_740_992 as Double).bitPattern,
            (9_007_199_254_740_994 as Double).bitPattern, (0.1 + 0.2).bitPattern, (1e-300 as Double).bitPattern,
            (123.456789012 as Double).bitPattern, Double.nan.bitPattern, 0x7FF0_0000_0000_0001 /* signalling NaN */,
        ]
        for (i, h) in hard.enumerated() { values[i * 97] = h }
        for i in stride(from: 3, to: values.count, by: 5) { values[i] = NumericColumnEncoding.null }
        let r = try Self.roundTrip(values)
        #expect(r.encoding == PackedNumbers.decimal && r.bytesPerValue < 2.1, "nulls cost a delta, not an exception")
        // All null; all one exception; and short runs of everything mixed.
        _ = try Self.roundTrip([UInt64](repeating: NumericColumnEncoding.null, count: 300))
        _ = try Self.roundTrip([NumericColumnEncoding.nan])
        var mix = Mix(state: 99)
        for _ in 0..<500 {
            let n = Int(mix.int(1...150))
            let run: [UInt64] = (0..<n).map { _ in
                switch mix.int(0...5) {
                case 0: return mix.next()
                case 1: return NumericColumnEncoding.null
                case 2: return hard[Int(mix.int(0...Int64(hard.count - 1)))]
                default:
                    let scale = [1.0, 10, 100, 1e4, 1e6, 1e15][Int(mix.int(0...5))]
                    return (Double(mix.int(-1_000_000...1_000_000)) / scale).bitPattern
                }
            }
            _ = try Self.roundTrip(run)
        }
    }

    @Test func damagedBytesAreRefused() throws {
        var packed: [UInt8] = []
        let values = Self.parsed(1_000, decimals: 3, range: 0...50_000, seed: 3)
        let encoding = values.withUnsafeBufferPointer { PackedNumbers.encode($0, into: &packed) }
        #expect(encoding == PackedNumbers.decimal)
        var out = [UInt64](repeating: 0, count: 1_000)
        func decodes(_ bytes: [UInt8], count: Int, encoding: Int = PackedNumbers.decimal) -> Bool {
            let padded = bytes + [UInt8](repeating: 0, count: 8)
            return padded.withUnsafeBytes { raw in
                out.withUnsafeMutableBufferPointer {
                    PackedNumbers.decode(encoding, UnsafeRawBufferPointer(start: raw.baseAddress, count: bytes.count), count: count, into: $0.baseAddress!)
                }
            }
        }
        #expect(decodes(packed, count: 1_000))
        #expect(!decodes(Array(packed.dropLast()), count: 1_000), "truncated")
        #expect(!decodes(packed, count: 999), "another row count")
        #expect(!decodes(packed, count: 1_000, encoding: 7), "an unknown encoding")
        var badScale = packed
        badScale[0] = 40
        #expect(!decodes(badScale, count: 1_000))
    }

    /// Encodes a sorted run with `encodeSorted` and decodes it; returns the encoding and bytes per value.
    static func sortedRoundTrip(_ values: [UInt64]) -> (encoding: Int, bytesPerValue: Double) {
        var packed: [UInt8] = []
        let encoding = values.withUnsafeBufferPointer { PackedNumbers.encodeSorted($0, into: &packed) }
        let padded = packed + [UInt8](repeating: 0xAB, count: 8)
        var decoded = [UInt64](repeating: 0, count: values.count)
        let ok = padded.withUnsafeBytes { raw in
            decoded.withUnsafeMutableBufferPointer { out in
                PackedNumbers.decode(
                    encoding, UnsafeRawBufferPointer(start: raw.baseAddress, count: packed.count), count: values.count,
                    into: out.baseAddress ?? UnsafeMutablePointer<UInt64>.allocate(capacity: 1))
            }
        }
        #expect(ok)
        #expect(decoded == values, "every value's bits come back")
        return (encoding, Double(packed.count) / Double(max(1, values.count)))
    }

    static func ascending(_ bits: [UInt64]) -> [UInt64] { bits.map { Double(bitPattern: $0) }.sorted().map(\.bitPattern) }

    /// The sorted-column cache as steps between consecutive values (`encodeSorted`): a sorted
    /// run of parsed decimals takes a fraction of `decimal`'s bytes, large gaps and values off
    /// the scale (−0.0, subnormals, the ends of the range, more decimals) come back exactly, and
    /// what the steps do not make smaller is stored as `encode` stores it.
    @Test func sortedRunsPackAsStepsAndComeBackExactly() throws {
        // 100 000 values with 4 decimals over 14 (the benchmark's features: 1M over about 20):
        // steps of about 1.4 units, half a byte each; `decimal` takes 3 bytes per value.
        let dense = Self.sortedRoundTrip(Self.ascending(Self.parsed(100_000, decimals: 4, range: 0...140_000, seed: 5)))
        #expect(dense.encoding == PackedNumbers.sortedDeltas && dense.bytesPerValue < 0.6, "\(dense)")
        let sparse = Self.sortedRoundTrip(Self.ascending(Self.parsed(100_000, decimals: 4, range: 0...1_400_000, seed: 5)))
        #expect(sparse.encoding == PackedNumbers.sortedDeltas && sparse.bytesPerValue < 1.0, "\(sparse)")
        let ints = Self.sortedRoundTrip(Self.ascending(Self.parsed(100_000, decimals: 0, range: 18...90, seed: 4)))
        #expect(ints.encoding == PackedNumbers.sortedDeltas && ints.bytesPerValue < 0.2, "\(ints)")
        let six = Self.sortedRoundTrip(Self.ascending(Self.parsed(50_000, decimals: 6, range: 5_000...995_000, seed: 2)))
        #expect(six.encoding == PackedNumbers.sortedDeltas && six.bytesPerValue < 1.5, "\(six)")
        // A few huge gaps (outliers) take escaped 8-byte steps.
        var gaps = Self.parsed(20_000, decimals: 2, range: 0...100_000, seed: 8)
        for i in stride(from: 0, to: 20_000, by: 2_000) { gaps[i] = (Double(i) * 1e9 + 0.25).bitPattern }
        let wide = Self.sortedRoundTrip(Self.ascending(gaps))
        #expect(wide.encoding == PackedNumbers.sortedDeltas && wide.bytesPerValue < 1.0, "\(wide)")
        // Finite values the scale cannot write, mixed in and sorted.
        var hard = Self.parsed(4_096, decimals: 2, range: -100_000...100_000, seed: 11)
        let odd: [Double] = [
            -0.0, 0.0, Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude,
            -Double.greatestFiniteMagnitude, 9_007_199_254_740_992, -9_007_199_254_740_994, 0.1 + 0.2, 1e-300, 123.456789012,
        ]
        for (i, v) in odd.enumerated() { hard[i * 300] = v.bitPattern }
        let mixed = Self.sortedRoundTrip(Self.ascending(hard))
        #expect(mixed.encoding == PackedNumbers.sortedDeltas, "\(mixed)")
        // Short and random runs: whatever the encoding, the bits come back.
        #expect(Self.sortedRoundTrip([]).encoding != PackedNumbers.sortedDeltas)
        #expect(Self.sortedRoundTrip([(2.5 as Double).bitPattern]).encoding != PackedNumbers.sortedDeltas)
        _ = Self.sortedRoundTrip(Self.ascending([UInt64](repeating: (3.25 as Double).bitPattern, count: 1_000)))
        var mix = Mix(state: 42)
        for _ in 0..<300 {
            let n = Int(mix.int(2...200))
            let run: [UInt64] = (0..<n).map { _ in
                switch mix.int(0...4) {
                case 0: return odd[Int(mix.int(0...Int64(odd.count - 1)))].bitPattern
                case 1:
                    let v = Double(bitPattern: mix.next())
                    return v.isFinite ? v.bitPattern : (1.5 as Double).bitPattern
                default:
                    let scale = [1.0, 10, 100, 1e4, 1e6, 1e15][Int(mix.int(0...5))]
                    return (Double(mix.int(-1_000_000...1_000_000)) / scale).bitPattern
                }
            }
            _ = Self.sortedRoundTrip(Self.ascending(run))
        }
    }

    @Test func damagedSortedRunsAreRefused() throws {
        let values = Self.ascending(Self.parsed(1_000, decimals: 3, range: 0...50_000, seed: 3))
        var packed: [UInt8] = []
        let encoding = values.withUnsafeBufferPointer { PackedNumbers.encodeSorted($0, into: &packed) }
        #expect(encoding == PackedNumbers.sortedDeltas)
        var out = [UInt64](repeating: 0, count: 1_001)
        func decodes(_ bytes: [UInt8], count: Int) -> Bool {
            let padded = bytes + [UInt8](repeating: 0, count: 8)
            return padded.withUnsafeBytes { raw in
                out.withUnsafeMutableBufferPointer {
                    PackedNumbers.decode(
                        PackedNumbers.sortedDeltas, UnsafeRawBufferPointer(start: raw.baseAddress, count: bytes.count), count: count,
                        into: $0.baseAddress!)
                }
            }
        }
        #expect(decodes(packed, count: 1_000))
        #expect(!decodes(Array(packed.dropLast()), count: 1_000), "truncated")
        #expect(!decodes(packed, count: 1_001), "another row count")
        var noWidth = packed
        noWidth[1] = 0
        #expect(!decodes(noWidth, count: 1_000), "a step of 0 bits")
        var badScale = packed
        badScale[0] = 40
        #expect(!decodes(badScale, count: 1_000), "a scale past 10^18")
        #expect(!decodes([], count: 1_000))
    }
}
