import Foundation
import PackagePlugin

/// Records the git commit the sources were built from, for manifests and `--version`.
///
/// A prebuild command runs `scripts/source-commit.sh` before every build (plain `swift build`
/// included, so no Makefile step can be forgotten). The script writes `SourceCommit.swift`
/// only when the text changes, so an unchanged commit costs no recompilation. The commit is
/// `git rev-parse HEAD`, suffixed `-dirty` when tracked files differ from it; `unknown`
/// without git or outside a checkout; or `MLAUDIT_SOURCE_COMMIT` when set (source archives).
@main
struct SourceCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appending(path: "Generated")
        let script = context.package.directoryURL.appending(path: "scripts/source-commit.sh")
        var environment: [String: String] = [:]
        if let commit = ProcessInfo.processInfo.environment["MLAUDIT_SOURCE_COMMIT"] {
            environment["MLAUDIT_SOURCE_COMMIT"] = commit
        }
        return [
            .prebuildCommand(
                displayName: "Recording the source commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, context.package.directoryURL.path, out.appending(path: "SourceCommit.swift").path],
                environment: environment,
                outputFilesDirectory: out)
        ]
    }
}
