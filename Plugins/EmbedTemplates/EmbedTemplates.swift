import Foundation
import PackagePlugin

/// Embeds the Render target's report templates (`Templates/*.mustache`) in the binary as
/// Swift strings, so `mlaudit` is one file: nothing to install beside it, nothing to lose
/// when it is copied into a container image. `scripts/embed-templates.sh` writes
/// `EmbeddedTemplates.swift`; the build reruns it when a template changes.
@main
struct EmbedTemplates: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let templates = target.directoryURL.appending(path: "Templates")
        let script = context.package.directoryURL.appending(path: "scripts/embed-templates.sh")
        let inputs = try FileManager.default.contentsOfDirectory(at: templates, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "mustache" }
            .sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedTemplates.swift")
        return [
            .buildCommand(
                displayName: "Embedding the report templates",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, templates.path, output.path],
                inputFiles: inputs + [script],
                outputFiles: [output])
        ]
    }
}
