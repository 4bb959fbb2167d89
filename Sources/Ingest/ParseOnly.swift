import AuditModel
import Foundation

/// Measurement seams for `mlaudit-bench` (not API): the parser and typing without SQLite.
@_spi(Benchmark)
public enum IngestMeasurement {
    /// Reads and types a snapshot's parts exactly as ingest does, discarding the batches.
    /// Returns rows read, stored and quarantined.
    public static func parseOnly(path: String, columns: [DeclaredColumn], nullTokens: [String]? = nil) throws
        -> (read: Int, stored: Int, quarantined: Int)
    {
        let parts = try SnapshotParts.resolve(path)
        let plan = LoadPlan(
            parts: parts, expectedDigests: nil, format: .auto, delimiter: nil, declared: columns,
            typer: RowTyper(columns: columns, parser: ValueParser(nullTokens: nullTokens)), requiredHeaderColumns: [],
            requireSomeDeclaredColumn: true)
        let result = try runLoad(plan, sink: DiscardSink())
        return (result.counts.read, result.counts.stored, result.counts.quarantined)
    }
}

private struct DiscardSink: BatchSink {
    func write(_ batch: RowBatch) throws {}
}
