import AuditModel
import Testing

/// When `mlaudit status` calls a pipeline stale: no run started for more than two periods of
/// its cadence, or never a run (docs/operations.md, "Fleet overview").
@Suite("Fleet staleness")
struct FleetStalenessTests {
    static let day: Int64 = 86_400_000

    @Test(arguments: [(Cadence.daily, 2), (.weekly, 14), (.monthly, 62), (.quarterly, 184), (.yearly, 732), (.auto, 2)])
    func twoPeriodsWithoutARunMakeAPipelineStale(_ cadence: Cadence, _ days: Int) {
        let now: Int64 = 1_796_300_000_000
        #expect(FleetStatus.staleAfterDays(cadence) == days)
        #expect(!FleetStatus.isStale(lastRunMs: now, nowMs: now, cadence: cadence))
        #expect(!FleetStatus.isStale(lastRunMs: now - Int64(days) * Self.day, nowMs: now, cadence: cadence), "exactly two periods")
        #expect(FleetStatus.isStale(lastRunMs: now - Int64(days) * Self.day - 1, nowMs: now, cadence: cadence))
        #expect(FleetStatus.isStale(lastRunMs: nil, nowMs: now, cadence: cadence), "never ran")
        // A run stamped in the future (a clock ahead on another machine) is not stale.
        #expect(!FleetStatus.isStale(lastRunMs: now + Self.day, nowMs: now, cadence: cadence))
    }
}
