import AuditModel
import Foundation
import TestSupport
import Testing
import Warehouse
@testable import WarehousePostgres

/// The serving hosts' resource tables (`operational.resources`) and the fleet reads on both
/// backends: the same values back, hostile text and extreme numbers included.
@Suite("Resources and fleet reads on both backends")
struct ResourcesAndFleetReadsTests {
    @Test(arguments: TestBackend.allCases)
    func resourceFilesSamplesAndQuarantineRoundTrip(_ backend: TestBackend) throws {
        let hostile = ["web-1", "tab\there", "line\nbreak", "back\\slash", "<b>&\"'|`x`", "\u{202E}rlo", "emoji 🧪", String(repeating: "h", count: 5000)]
        let samples: [ResourceSample] = hostile.enumerated().flatMap { k, host in
            [
                ResourceSample(
                    line: 2 + 2 * k, epochMilliseconds: 1_772_409_600_000 + Int64(k) * 600_000, host: host, cpu: 0.1 * Double(k),
                    memoryBytes: 1e308, memoryTotalBytes: 5e-324, diskUsedShare: 0, ioWait: -0.0, up: true),
                ResourceSample(
                    line: 3 + 2 * k, epochMilliseconds: -1 - Int64(k), host: host, cpu: nil, memoryBytes: nil, memoryTotalBytes: nil,
                    diskUsedShare: 1, ioWait: nil, up: k % 2 == 0 ? false : nil),
            ]
        }
        let quarantined = [
            QuarantinedRow(file: "r/2026-03-02.csv", line: 9, raw: "ts=x, node=\"a\tb\"\n\\N", reason: "disk_used_share 1.5 is outside [0, 1]", column: "disk"),
            QuarantinedRow(file: "r/2026-03-02.csv", line: 4, raw: "", reason: "the timestamp or host is missing", column: nil),
        ]
        try backend.withStore { tx, _ in
            let p = try tx.ensurePipeline("resources")
            #expect(try tx.resourceFile(pipelineId: p, date: "2026-03-02") == nil)
            let old = try tx.replaceResourceFile(pipelineId: p, date: "2026-03-02", sourcePath: "old.csv", sha256: "a", bytes: 3)
            try tx.insertResourceSamples(fileId: old, [ResourceSample(line: 2, epochMilliseconds: 0, host: "gone")])
            try tx.insertResourceQuarantined(fileId: old, [QuarantinedRow(file: "old.csv", line: 2, raw: "x", reason: "y")])
            let id = try tx.replaceResourceFile(pipelineId: p, date: "2026-03-02", sourcePath: "r/2026-03-02.csv", sha256: "b", bytes: 99)
            #expect(try tx.resourceSamples(fileId: old).isEmpty && tx.resourceQuarantined(fileId: old, limit: 10).isEmpty)
            try tx.insertResourceSamples(fileId: id, samples)
            try tx.insertResourceQuarantined(fileId: id, quarantined)
            try tx.finishResourceFile(id, read: samples.count + 2, stored: samples.count, quarantined: 2)
            let file = try #require(try tx.resourceFile(pipelineId: p, date: "2026-03-02"))
            #expect(file.id == id && file.sourcePath == "r/2026-03-02.csv" && file.sha256 == "b" && file.bytes == 99)
            #expect(file.rowsRead == samples.count + 2 && file.rowsStored == samples.count && file.rowsQuarantined == 2)
            let back = try tx.resourceSamples(fileId: id)
            #expect(back == samples)
            // (-0.0 comes back equal, not necessarily with its sign: SQLite stores a REAL without
            // a fraction as an integer. No resource measure depends on the sign of a zero.)
            #expect(try tx.resourceQuarantined(fileId: id, limit: 10) == quarantined.sorted { $0.line < $1.line })
            #expect(try tx.resourceQuarantined(fileId: id, limit: 1).count == 1)
            // Retention: samples dated before the cutoff go; the record and its quarantine stay.
            let later = try tx.replaceResourceFile(pipelineId: p, date: "2026-03-05", sourcePath: "r/2026-03-05.csv", sha256: "c", bytes: 9)
            try tx.insertResourceSamples(fileId: later, [ResourceSample(line: 2, epochMilliseconds: 0, host: "kept")])
            #expect(try tx.hasResourceSamples(fileId: id) && tx.hasResourceSamples(fileId: later))
            #expect(try tx.purgeResourceSamples(pipelineId: p, before: "2026-03-02") == 0, "the cutoff date itself is kept")
            #expect(try tx.purgeResourceSamples(pipelineId: p, before: "2026-03-05") == samples.count)
            #expect(try !tx.hasResourceSamples(fileId: id) && tx.resourceSamples(fileId: id).isEmpty)
            #expect(try tx.resourceSamples(fileId: later).map(\.host) == ["kept"])
            #expect(try tx.resourceFile(pipelineId: p, date: "2026-03-02")?.rowsStored == samples.count)
            #expect(try tx.resourceQuarantined(fileId: id, limit: 10).count == 2)
        }
    }

    /// `SeamContract.fleetReads` (latest run, latest audited period, audited dates) on the
    /// PostgreSQL transactions, as SeamContractTests runs it on SQLite.
    @Test func fleetReadsKeepTheSeamContractOnPostgreSQL() throws {
        let w = try PostgresWarehouse(location: try TestServer.location())
        defer { w.close() }
        let problems = try SeamContract.fleetReads(
            write: { body in try w.write { try body(PostgresTransaction(session: $0)) } },
            read: { body in try w.read { try body(PostgresTransaction(session: $0)) } })
        #expect(problems == [])
    }
}
