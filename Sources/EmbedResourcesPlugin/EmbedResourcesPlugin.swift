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
            let output = context.pluginWorkDirectoryURL.appending(path: "\(symbol).swift")
            commands.append(.buildCommand(
                displayName: "Embedding \(folder)",
                executable: tool,
                arguments: [symbol, output.path(), ext, directory.path()],
                // Only the folder is an input: SwiftPM tracks a folder's whole contents, so adding,
                // editing or removing a file re-runs the command, and the tool lists the folder
                // when it runs rather than when the plugin was last evaluated.
                inputFiles: [directory],
                outputFiles: [output]
            ))
        }
        return commands
    }
}
