/// The ingest benchmark (see docs/benchmarks.md). To be written with its issue.
enum IngestBenchmark {
    static func run(_ args: [String]) throws {
        print("not written yet")
    }
}
