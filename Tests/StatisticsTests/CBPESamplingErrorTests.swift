import Foundation
import Testing

@testable import Statistics

/// Issue 11 k: CBPE's sampling error per estimated metric, against NannyML 0.13.1's own
/// functions (scripts/reference/cbpe_sampling_error_reference.py).
@Suite("CBPE sampling error")
struct CBPESamplingErrorTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var name: String
            var threshold: Double
            var labels: [Int]
            var scores: [Double]
            var sampling_errors: [String: [String: Double]]
        }
        var sampling_error_range: Double
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Reference/cbpe_sampling_error.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func matchesNannyML() throws {
        let f = try Self.fixture()
        #expect(f.sampling_error_range == CBPESamplingError.range)
        for c in f.cases {
            let decisions = c.scores.map { $0 >= c.threshold ? 1 : 0 }
            let components = CBPESamplingError.components(labels: c.labels, decisions: decisions, scores: c.scores)
            for (size, expected) in c.sampling_errors {
                for (metric, want) in expected {
                    let got = try #require(components[metric], "\(c.name) \(metric)").samplingError(rows: Int(size)!)
                    #expect(abs(got - want) <= 1e-12 + 1e-9 * abs(want), "\(c.name) n=\(size) \(metric): \(got) vs NannyML \(want)")
                }
            }
        }
    }

    @Test func bandIsThreeSamplingErrorsClippedToTheUnitInterval() throws {
        let b = try #require(CBPESamplingError.band(estimate: 0.9, samplingError: 0.05))
        #expect(abs(b.lower - 0.75) < 1e-12)
        #expect(b.upper == 1)
        #expect(CBPESamplingError.band(estimate: 0.9, samplingError: .nan) == nil)
    }
}
