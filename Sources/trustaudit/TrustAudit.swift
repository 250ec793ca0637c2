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
            2 usage, configuration, credential, database or output error; 3 scan or collect \
            completed but did not cover everything: an input that could not be read, a limit \
            hit, a policy that did not run, or live collection gaps (see the coverage).
            """,
        version: ToolVersion.current,
        subcommands: [ScanCommand.self, ScansCommand.self, DriftCommand.self, TrustCommand.self, QueryCommand.self, ShellCommand.self, PolicyCommand.self, PruneCommand.self, ReportCommand.self, CollectCommand.self]
    )

    /// ArgumentParser exits 64 on usage errors; trustaudit's contract says 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as OutputWriteError {
            StandardStreams.writeError("trustaudit: \(error)\n")
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == .failure {
                exit(withError: error)
            }
            var message = fullMessage(for: error)
            if let hint = unknownCommandHint() { message = hint + "\n" + message }
            if !message.isEmpty { StandardStreams.writeError(message + "\n") }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

extension TrustAudit {
    /// `trustaudit scna …`: ArgumentParser only says "unexpected argument"; name the command.
    static func unknownCommandHint() -> String? {
        guard let typed = CommandLine.arguments.dropFirst().first, !typed.hasPrefix("-") else { return nil }
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(typed) else { return nil }
        let suggestion = Suggestion.closest(to: typed, among: names).map { "; did you mean `\($0)`?" } ?? ""
        return "trustaudit: unknown command `\(typed)`\(suggestion)"
    }
}

/// Prints an error the user can act on and exits 2 (usage, configuration or database error).
func fail(_ message: Any) -> ExitCode {
    StandardStreams.writeError("trustaudit: \(message)\n")
    return ExitCode(2)
}

/// A line on standard output; a failed write (a full disk) ends the command with exit code 2.
func say(_ text: String = "") throws {
    try StandardStreams.writeOutput(text + "\n")
}
