/// The drift benchmark (see docs/benchmarks.md). To be written with its issue.
enum DriftBenchmark {
    static func run(_ args: [String]) throws {
        print("not written yet")
    }
}
