import Demo

/// A seeded random number generator for property tests (the demo's SplitMix64), so a failure
/// replays with the same inputs.
public struct SeededRandom: RandomNumberGenerator {
    var inner: SplitMix64

    public init(seed: UInt64) { inner = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { inner.next() }
}
