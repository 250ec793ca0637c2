import ArgumentParser
import Foundation
import TrustAuditCore

struct CollectGitHubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "github",
        abstract: "Collect organizations' and repositories' workflows and settings into a folder.",
        discussion: """
            Writes DIR/exports/github-settings/*.json (the README's export shapes, one file per repository and \
            organization) and each repository's default-branch workflows as \
            DIR/OWNER/REPO/.github/workflows/*, so `trustaudit scan DIR` reads it all offline. \
            Conditional requests use the ETags cached in the database (--db).
            """
    )

    @OptionGroup var github: GitHubSourceOptions
    @OptionGroup var live: LiveOptions
    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The folder to write to.", valueName: "dir"))
    var out: String

    func validate() throws {
        guard !github.githubOrgs.isEmpty || !github.githubRepos.isEmpty || github.reposFrom != nil else {
            throw ValidationError("give --github-org ORG, --github-repo OWNER/NAME or --repos-from FILE")
        }
    }

    func run() throws {
        let audit = try database.open()
        let inputs = try collectLive(
            githubOrgs: github.githubOrgs, githubRepos: github.githubRepos, githubAPIURL: github.githubAPIURL,
            includeArchived: github.includeArchived, includeForks: github.includeForks, octopusURLs: [], live: live,
            cache: DatabaseHTTPCache(database: audit), github: github.settings())
        guard let collection = inputs.github else { return }
        do {
            try LiveExportWriter.write(collection, to: URL(fileURLWithPath: out))
        } catch {
            throw fail("cannot write \(out): \(error)")
        }
        if !live.quiet {
            FileHandle.standardError.write(Data("trustaudit: wrote \(collection.repositories.count) repositories and \(collection.organizations.count) organization(s) to \(out)\n".utf8))
        }
        if !inputs.coverage.isComplete {
            for failure in inputs.coverage.sorted {
                FileHandle.standardError.write(Data("trustaudit: coverage: \(failure.line)\n".utf8))
            }
            reportIncompleteCoverage(inputs.coverage)
            throw ExitCode(incompleteCoverageExitCode)
        }
    }
}
