import ArgumentParser
import Foundation
import TrustAuditCore

struct CollectOctopusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octopus",
        abstract: "Collect an Octopus Deploy server's service accounts and OIDC identities into an export file.",
        discussion: "Writes the Octopus export (README, “The trust graph”) that `trustaudit scan --octopus FILE` reads. API key from OCTOPUS_API_KEY."
    )

    @OptionGroup var octopus: OctopusSourceOptions
    @OptionGroup var live: LiveOptions
    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("The export file to write.", valueName: "file"))
    var out: String

    func validate() throws {
        guard octopus.octopusURLs.count == 1 else { throw ValidationError("give exactly one --octopus-url (one export file per server)") }
    }

    func run() throws {
        let audit = try database.open()
        let inputs = try collectLive(
            githubOrgs: [], githubRepos: [], githubAPIURL: nil, includeArchived: false, includeForks: false,
            octopusURLs: octopus.octopusURLs, live: live, cache: DatabaseHTTPCache(database: audit))
        guard let collection = inputs.octopus.first else { return }
        do {
            let url = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try collection.document.data.write(to: url, options: .atomic)
        } catch {
            throw fail("cannot write \(out): \(error.localizedDescription)")
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
