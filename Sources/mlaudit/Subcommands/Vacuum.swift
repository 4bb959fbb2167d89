import ArgumentParser
import AuditModel
import Definition
import Foundation
import Pipeline
import Warehouse

extension MLAudit {
    struct Vacuum: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reclaim the warehouse's free space (after retention deleted old rows).",
            discussion: "Takes the pipeline's lock, checkpoints the write-ahead log and rebuilds the SQLite file.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Pipeline definition file (YAML).")
        var pipeline: String

        func run() throws {
            _ = global.bootstrapLogging()
            try guarded {
                let loaded = try DefinitionLoader.load(path: pipeline)
                let location = WarehouseLocation.of(loaded)
                let opened = try WarehouseBackends.open(location, options: WarehouseOpenOptions(lockPipeline: loaded.name))
                defer { withExtendedLifetime(opened.lease) {} }
                let (before, after) = try opened.backend.vacuum()
                print("\(loaded.name): \(SafeText.terminal(location.description)) \(before) → \(after) bytes")
            }
        }
    }
}
