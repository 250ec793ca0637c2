import Foundation
import PackagePlugin

/// Embeds the package's `Migrations/*.sql` and `Policies/*.yml` into the library as Swift source.
///
/// Why a plugin rather than SwiftPM resources: `Bundle.module` looks for a bundle next to the
/// executable, so a binary copied on its own would lose its schema and its policies.
@main
struct EmbedResourcesPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let folders = [
            ("Migrations", "sql", "embeddedMigrations"),
            ("Policies", "yml", "embeddedPolicies"),
        ]
        let tool = try context.tool(named: "EmbedResources").url
        var commands: [Command] = []
        for (folder, ext, symbol) in folders {
            let directory = root.appending(path: folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path())) ?? []
            let inputs = names.filter { $0.hasSuffix("." + ext) }.sorted().map { directory.appending(path: $0) }
            let output = context.pluginWorkDirectoryURL.appending(path: "\(symbol).swift")
            commands.append(.buildCommand(
                displayName: "Embedding \(folder)",
                executable: tool,
                arguments: [symbol, output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            ))
        }
        return commands
    }
}
