import Foundation
import Statistics
import Testing

@Suite("Two-sample Kolmogorov–Smirnov")
struct KolmogorovSmirnovTests {

    static func method(_ s: String?) -> KolmogorovSmirnov.Method {
        KolmogorovSmirnov.Method(rawValue: s ?? "auto") ?? .auto
    }

    /// Every case of ks.json: tiny samples (n = 1, 2, 5), identical samples, ties, unequal sizes,
    /// n1 == n2 exact path, very small p-values, NaNs present (dropped), the max(n1, n2) = 10000
    /// boundary on both sides, asymptotic cases through the DMTW / Pelz–Good / Smirnov branches of
    /// kstwo, and 1M vs 1M generated samples.
    @Test("ks_2samp statistic and p-value (auto, exact, asymp) against scipy")
    func againstScipy() throws {
        let ref = try Reference.load("ks")
        let cases = Reference.cases(ref, "cases")
        #expect(cases.count > 30)
        var cache: [String: ([Double], [Double])] = [:]
        for c in cases {
            let name = c["name"] as? String ?? "?"
            let a: [Double]
            let b: [Double]
            let base = String(name.split(separator: "/").first ?? "")
            if let hit = cache[base] {
                (a, b) = hit
            } else {
                if let ga = c["gen_a"] as? JSONObject, let gb = c["gen_b"] as? JSONObject {
                    a = ReferenceData.generateSorted(ga)
                    b = ReferenceData.generateSorted(gb)
                } else {
                    a = numbers(c["a"])
                    b = numbers(c["b"])
                }
                cache = [base: (a, b)]
            }
            let m = Self.method(c["method"] as? String)
            let generated = c["gen_a"] != nil
            let result = try #require(generated
                ? KolmogorovSmirnov.twoSample(sorted: a, sorted: b, method: m)
                : KolmogorovSmirnov.twoSample(a, b, method: m), "\(name)")
            #expect(close(result.statistic, number(c["statistic"]), rel: 1e-12, abs: 1e-15),
                    "D \(name): \(result.statistic) vs \(number(c["statistic"])!)")
            #expect(close(result.pValue, number(c["pvalue"]), rel: 1e-6, abs: 1e-12),
                    "p \(name): \(result.pValue) vs \(number(c["pvalue"])!)")
            #expect(result.method.rawValue == c["expected_method"] as? String, "method \(name)")
        }
    }

    @Test("empty samples give nil; NaN-only samples are empty")
    func empty() {
        #expect(KolmogorovSmirnov.twoSample([], [1, 2]) == nil)
        #expect(KolmogorovSmirnov.twoSample([.nan], [1, 2]) == nil)
    }

    @Test("exact method on an lcm beyond Int32 switches to asymptotic, as scipy")
    func exactTooLarge() throws {
        let a = ReferenceData.uniforms(seed: 1, count: 60_001)
        let b = ReferenceData.uniforms(seed: 2, count: 60_013)
        let r = try #require(KolmogorovSmirnov.twoSample(a, b, method: .exact))
        #expect(r.method == .asymp)
    }
}
