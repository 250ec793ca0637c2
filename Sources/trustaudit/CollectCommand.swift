import ArgumentParser
import Foundation
import TrustAuditCore

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Save live GitHub or Octopus data as exports that `trustaudit scan` reads offline.",
        discussion: """
            Exit codes: 0 everything collected; 2 usage or credential error (e.g. HTTP 401: nothing \
            is written); 3 written, but some parts could not be collected (listed on standard error \
            and in exports/collection-coverage.json).
            """,
        subcommands: [CollectGitHubCommand.self, CollectOctopusCommand.self]
    )
}
