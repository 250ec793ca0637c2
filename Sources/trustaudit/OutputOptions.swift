import ArgumentParser
import Foundation
import TrustAuditCore

/// Where a report goes: standard output or `--output FILE`.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
    var output: String?

    /// Colour only on a terminal, never with NO_COLOR set, never into a file.
    var useColor: Bool {
        output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    /// On a terminal, text that carries no colour of its own is cleaned of control and bidi
    /// characters (a scanned name must not rewrite the screen); files and pipes get it unchanged.
    func write(_ text: String, colored: Bool = false) throws {
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw fail("cannot write \(output): \(error.localizedDescription)")
            }
        } else {
            do {
                let onTerminal = isatty(STDOUT_FILENO) == 1
                try StandardStreams.writeOutput(onTerminal && !colored ? TextReport.sanitizeForTerminal(text) : text)
            } catch {
                throw fail(error)
            }
        }
    }
}
