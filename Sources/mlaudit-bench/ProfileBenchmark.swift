/// The profile benchmark (see docs/benchmarks.md). To be written with its issue.
enum ProfileBenchmark {
    static func run(_ args: [String]) throws {
        print("not written yet")
    }
}
