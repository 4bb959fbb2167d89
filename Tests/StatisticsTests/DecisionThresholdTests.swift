import Testing

@testable import Statistics

/// The threshold that reproduces served decisions (issue 11 c).
@Suite("Decision threshold fit")
struct DecisionThresholdTests {
    /// Scores on a grid of 1/1000, served at `t` with every `flipEvery`-th decision flipped.
    static func served(at t: Double, flipEvery: Int? = nil) -> ([Double], [Bool]) {
        var scores: [Double] = [], positive: [Bool] = []
        for i in 0..<2000 {
            let s = Double((i * 7919) % 1000) / 1000
            var p = s >= t
            if let k = flipEvery, i % k == 0 { p.toggle() }
            scores.append(s)
            positive.append(p)
        }
        return (scores, positive)
    }

    @Test(arguments: [0.5, 0.7, 0.65, 0.8, 0.35, 0.123])
    func theServedThresholdIsFound(_ t: Double) throws {
        let (scores, positive) = Self.served(at: t)
        let fit = try #require(DecisionThreshold.fit(scores: scores, positive: positive))
        #expect(fit.threshold == t)
        #expect(fit.agreement == 1 && fit.rows == 2000)
        #expect(fit.lower < t && t <= fit.upper)
        #expect(DecisionThreshold.agreement(scores: scores, positive: positive, threshold: t) == 1)
    }

    @Test func noiseLowersTheAgreementNotTheThreshold() throws {
        let (scores, positive) = Self.served(at: 0.7, flipEvery: 100)
        let fit = try #require(DecisionThreshold.fit(scores: scores, positive: positive))
        #expect(fit.threshold == 0.7)
        let flipped = (0..<2000).filter { $0 % 100 == 0 }.count
        #expect(fit.agreement == Double(2000 - flipped) / 2000)
    }

    @Test func edgesAndEmptyInput() throws {
        #expect(DecisionThreshold.fit(scores: [], positive: []) == nil)
        #expect(DecisionThreshold.fit(scores: [.nan], positive: [true]) == nil)
        // All positive: any threshold at or below the smallest score; 0 is the roundest.
        #expect(DecisionThreshold.fit(scores: [0.2, 0.3], positive: [true, true])?.threshold == 0)
        // All negative: above the largest score; 0.5 is in (0.3, ∞).
        #expect(DecisionThreshold.fit(scores: [0.2, 0.3], positive: [false, false])?.threshold == 0.5)
        #expect(DecisionThreshold.fit(scores: [0.2, 0.6], positive: [false, false])?.threshold == 1)
        // A decision no threshold can make: agreement below 1.
        let fit = try #require(DecisionThreshold.fit(scores: [0.1, 0.2, 0.3, 0.4], positive: [true, false, true, false]))
        // Cuts below 0.1, in (0.2, 0.3] and above 0.4 each get two rows wrong; the last holds 0.5.
        #expect(fit.agreement == 0.5 && fit.threshold == 0.5)
    }
}
