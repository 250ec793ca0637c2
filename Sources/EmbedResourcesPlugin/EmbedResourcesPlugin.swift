import Foundation
import PackagePlugin

/// Embeds the package's `Migrations/*.sql` and `Policies/*.yml`, and the HTML report's stylesheet
/// and script, into the library as Swift source.
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
            ("Sources/TrustAuditCore/Report/Assets", "css", "embeddedReportStyles"),
            ("Sources/TrustAuditCore/Report/Assets", "js", "embeddedReportScripts"),
        ]
        let tool = try context.tool(named: "EmbedResources").url
        var commands: [Command] = []
        for (folder, ext, symbol) in folders {
            let directory = root.appending(path: folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path())) ?? []
            let files = names.filter { $0.hasSuffix("." + ext) }.sorted().map { directory.appending(path: $0) }
            let output = context.pluginWorkDirectoryURL.appending(path: "\(symbol).swift")
            commands.append(.buildCommand(
                displayName: "Embedding \(folder)",
                executable: tool,
                arguments: [symbol, output.path(), ext, directory.path()],
                // SwiftPM evaluates this plugin once per build plan, so the file list given here
                // can go stale. The folder is an input too (adding a file changes it) and the tool
                // lists the folder itself when it runs. Deleting a file needs `rm -rf .build/plugins`
                // once, as the README says.
                inputFiles: [directory] + files,
                outputFiles: [output]
            ))
        }
        return commands
    }
}
