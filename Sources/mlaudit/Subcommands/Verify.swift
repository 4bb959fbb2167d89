import ArgumentParser
import AuditModel
import Definition
import Foundation
import Verify
import Warehouse

extension MLAudit {
    struct VerifyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check that reports were not altered: file hashes, manifests, the hash chain and the report ledger.",
            discussion: """
                Recomputes the SHA-256 of every report file and manifest, follows the chain of manifests (each records the hash of the previous one), checks every report-ledger row in the warehouse against its manifest, and names any file or version folder that was altered, is missing, was added, or is out of order. Opens the warehouse read-only (never changes it; works on a read-only file system and beside a running writer) and runs SQLite's quick_check. --head SHA256 checks that the newest manifest is the one pinned elsewhere. Prints one line per problem on stdout, then a summary line. Without PIPELINE, verifies every pipelines/*.yaml. Exit status: 0 all holds; 1 something is wrong; 2 verification could not run.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Pipeline definition files (YAML). Default: every pipelines/*.yaml.")
        var pipelines: [String] = []

        @Flag(help: "Also re-hash the input files each manifest records (snapshots, labels, baseline, configurations, definition).")
        var inputs = false

        @Option(name: .customLong("head"), help: ArgumentHelp(
            "The SHA-256 of the newest manifest as pinned elsewhere (e.g. logged from notify's MLAUDIT_MANIFEST_SHA256); a different head is a problem.",
            valueName: "SHA256"))
        var head: String?

        func validate() throws {
            if let head, head.count != 64 || !head.allSatisfy(\.isHexDigit) {
                throw ValidationError("--head takes the 64 hexadecimal digits of a SHA-256, found '\(head.prefix(80))'.")
            }
        }

        func run() throws {
            _ = global.bootstrapLogging()
            var paths = pipelines
            if paths.isEmpty {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: "pipelines")) ?? []
                paths = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { "pipelines/" + $0 }
                if paths.isEmpty { throw ValidationError("No pipelines/*.yaml here: give the pipeline definition to verify.") }
            }
            var worst: Int32 = 0
            for path in paths {
                do {
                    let loaded = try DefinitionLoader.load(path: path)
                    try requireWarehouse(loaded)
                    let report = try Verifier(loaded: loaded, warehouse: try openReadOnly(loaded))
                        .run(inputs: inputs, head: head)
                    for p in report.problems { print(SafeText.terminal(p.description)) }
                    for p in report.pending { print(SafeText.terminal("PENDING \(p): a run holding the pipeline's lock is writing it (not yet in the ledger; verify again after the run)")) }
                    if report.ok {
                        print("\(report.pipeline): ok, warehouse quick_check ok, \(report.versions) report version\(report.versions == 1 ? "" : "s"), \(report.filesHashed) files hashed, chain intact\(report.head.map { ", head \($0)" } ?? "")\(head != nil ? " (the pinned head)" : "")")
                    } else {
                        print("\(report.pipeline): \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") in \(report.versions) report version\(report.versions == 1 ? "" : "s")")
                        worst = max(worst, 1)
                    }
                } catch let e as MLAuditError {
                    _ = printError(e)
                    worst = max(worst, e.exitStatus)
                }
            }
            if worst != 0 { throw ExitCode(worst) }
        }
    }
}

/// Opens the pipeline's warehouse for reading only (verify, ticket).
func openReadOnly(_ loaded: LoadedDefinition) throws -> any WarehouseBackend {
    try WarehouseBackends.open(WarehouseLocation.of(loaded), options: WarehouseOpenOptions(readOnly: true)).backend
}

/// Fails when the pipeline's SQLite warehouse does not exist (opening it would create an empty
/// one). A server warehouse says itself whether the pipeline is in it.
func requireWarehouse(_ loaded: LoadedDefinition) throws {
    guard case .sqlite = WarehouseLocation.of(loaded) else { return }
    guard FileManager.default.fileExists(atPath: loaded.warehousePath) else {
        throw MLAuditError.prerequisite(
            "\(loaded.name) has no warehouse at \(loaded.warehousePath): nothing has been audited yet",
            hint: "Run `mlaudit run \(loaded.path)` first, or check 'warehouse:' and 'root:' in the definition.")
    }
}
