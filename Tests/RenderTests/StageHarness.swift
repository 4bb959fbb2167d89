import AuditModel
import Compare
import Ingest
import Profile
import TestSupport
import Validate
import Warehouse

/// Runs ingest, validate, profile and compare directly (no ledger), for render tests.
struct StageHarness {
    let loaded: LoadedDefinition
    let warehouse: Warehouse

    func baseline() throws {
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.baseline, runId: nil, stageRunId: nil)
        try ValidateStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.baseline, stageRunId: nil)
        try ProfileStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.baseline, stageRunId: nil)
    }

    func day(_ d: Day) throws {
        _ = try IngestStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(d), runId: nil, stageRunId: nil)
        try ValidateStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(d), stageRunId: nil)
        try ProfileStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(.day(d), stageRunId: nil)
        try CompareStage(loaded: loaded, warehouse: warehouse, logger: testLogger).run(d, stageRunId: nil)
    }
}
