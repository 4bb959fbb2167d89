// Loading of the reference JSON files written by scripts/reference/statistics_reference.py,
// the deterministic data generator shared with that script, and tolerance helpers.

import Foundation
import TestSupport
import Testing

/// A reference JSON object (parsed with JSONSerialization).
typealias JSONObject = [String: Any]

enum Reference {
    /// Loads `Reference/<name>.json` from the test bundle.
    static func load(_ name: String) throws -> JSONObject {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Reference") else {
            throw ReferenceError.missing(name)
        }
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? JSONObject else {
            throw ReferenceError.malformed(name)
        }
        return object
    }

    /// The array of case objects stored under `key`.
    static func cases(_ object: JSONObject, _ key: String) -> [JSONObject] {
        (object[key] as? [Any])?.compactMap { $0 as? JSONObject } ?? []
    }
}

enum ReferenceError: Error {
    case missing(String)
    case malformed(String)
}

/// Decodes a number written by the reference script (non-finite values are strings); nil for null.
func number(_ value: Any?) -> Double? { referenceNumber(value) }

/// Decodes an array of numbers (non-finite as strings).
func numbers(_ value: Any?) -> [Double] {
    (value as? [Any])?.map { number($0) ?? .nan } ?? []
}

/// Decodes an array of integers.
func integers(_ value: Any?) -> [Int] {
    (value as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
}

/// Decodes an array of strings.
func strings(_ value: Any?) -> [String] {
    (value as? [Any])?.map { "\($0)" } ?? []
}

/// True when `actual` matches `expected` within `rel` relative or `abs` absolute tolerance
/// (NaN matches NaN, infinities must match exactly).
func close(_ actual: Double?, _ expected: Double?, rel: Double = 1e-6, abs absTol: Double = 1e-12) -> Bool {
    switch (actual, expected) {
    case (nil, nil): return true
    case let (a?, e?):
        if a.isNaN || e.isNaN { return a.isNaN && e.isNaN }
        if a.isInfinite || e.isInfinite { return a == e }
        let diff = Swift.abs(a - e)
        return diff <= absTol || diff <= rel * Swift.abs(e)
    default: return false
    }
}

/// Element-wise `close` for arrays of equal length.
func allClose(_ actual: [Double]?, _ expected: [Double]?, rel: Double = 1e-6, abs absTol: Double = 1e-12) -> Bool {
    guard let a = actual, let e = expected, a.count == e.count else { return actual == nil && expected == nil }
    for i in 0..<a.count where !close(a[i], e[i], rel: rel, abs: absTol) { return false }
    return true
}

/// Bitwise equality (treats all NaNs as equal).
func identical(_ a: Double?, _ b: Double?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
    default: return false
    }
}

/// Deterministic sample generator mirrored from the reference script (`generate`): SplitMix64
/// uniforms in [0, 1) from the top 53 bits, transformed with exactly rounded IEEE operations only.
enum ReferenceData {
    static func splitmix64(seed: UInt64, count: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: count)
        var state = seed
        for i in 0..<count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            out[i] = z ^ (z >> 31)
        }
        return out
    }

    static func uniforms(seed: UInt64, count: Int) -> [Double] {
        splitmix64(seed: seed, count: count).map { Double($0 >> 11) * 0x1p-53 }
    }

    /// Regenerates the sample described by a `{"seed", "n", "kind", ...}` spec.
    static func generate(_ spec: JSONObject) -> [Double] {
        let seed = UInt64((spec["seed"] as? NSNumber)?.intValue ?? 0)
        let n = (spec["n"] as? NSNumber)?.intValue ?? 0
        let kind = spec["kind"] as? String ?? ""
        let scale = number(spec["scale"]) ?? 1.0
        let loc = number(spec["loc"]) ?? 0.0
        switch kind {
        case "uniform":
            return uniforms(seed: seed, count: n).map { $0 * scale + loc }
        case "triangular":
            let u = uniforms(seed: seed, count: 2 * n)
            return (0..<n).map { (u[2 * $0] + u[2 * $0 + 1]) * scale + loc }
        case "discrete":
            let levels = number(spec["levels"]) ?? 1
            return uniforms(seed: seed, count: n).map { ($0 * levels).rounded(.down) * scale + loc }
        default:
            Issue.record("unknown generator kind \(kind)")
            return []
        }
    }
}

extension ReferenceData {
    /// The sample of a "discrete" spec, sorted ascending by counting sort on the integer codes
    /// (a 1M-element generic sort takes seconds in a debug build; this takes a fraction).
    static func generateSorted(_ spec: JSONObject) -> [Double] {
        guard spec["kind"] as? String == "discrete", let levelsD = number(spec["levels"]),
              levelsD <= 16_777_216 else {
            return generate(spec).sorted()
        }
        let seed = UInt64((spec["seed"] as? NSNumber)?.intValue ?? 0)
        let n = (spec["n"] as? NSNumber)?.intValue ?? 0
        let scale = number(spec["scale"]) ?? 1.0
        let loc = number(spec["loc"]) ?? 0.0
        let levels = Int(levelsD)
        var counts = [Int](repeating: 0, count: levels)
        let raw = splitmix64(seed: seed, count: n)
        counts.withUnsafeMutableBufferPointer { c in
            for z in raw {
                let u = Double(z >> 11) * 0x1p-53
                c[Int((u * levelsD).rounded(.down))] += 1
            }
        }
        var out = [Double](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { o in
            var k = 0
            for code in 0..<levels where counts[code] > 0 {
                let value = Double(code) * scale + loc
                for _ in 0..<counts[code] {
                    o[k] = value
                    k += 1
                }
            }
        }
        return out
    }
}

/// Reads the `values` array of a case, or regenerates it from its `gen` spec.
func sampleValues(_ c: JSONObject, key: String = "values", genKey: String = "gen") -> [Double] {
    if let spec = c[genKey] as? JSONObject { return ReferenceData.generate(spec) }
    return numbers(c[key])
}
