import ArgumentParser
import Foundation
import TrustAuditCore

/// The `trustaudit` command: argument parsing and wiring only; the work is in TrustAuditCore.
@main
struct TrustAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trustaudit",
        abstract: "Audit GitHub Actions → Octopus Deploy OIDC trust across an organization.",
        discussion: """
            Exit codes: 0 no findings at or above --fail-on; 1 findings at or above it; \
            2 usage, configuration, credential or database error; 3 scan or collect completed \
            but the live collection could not fetch everything (see the coverage).
            """,
        version: ScanPipeline.toolVersion,
        subcommands: [ScanCommand.self, ScansCommand.self, DriftCommand.self, TrustCommand.self, QueryCommand.self, ShellCommand.self, PolicyCommand.self, PruneCommand.self, ReportCommand.self, CollectCommand.self]
    )

    /// ArgumentParser exits 64 on usage errors; trustaudit's contract says 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == .failure {
                exit(withError: error)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Prints an error the user can act on and exits 2 (usage, configuration or database error).
func fail(_ message: Any) -> ExitCode {
    FileHandle.standardError.write(Data("trustaudit: \(message)\n".utf8))
    return ExitCode(2)
}
