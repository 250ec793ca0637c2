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
        try stream(colored: colored) { emit in try emit(Array(text.utf8)) }
    }

    /// Writes a report handed over in pieces (see `JSONReport.write`) without holding it whole: a
    /// file is written beside its path and renamed into place when complete; on a terminal each
    /// piece is cleaned as `write` says (pieces end between findings, so each is whole UTF-8).
    func stream(colored: Bool = false, _ body: (_ emit: ([UInt8]) throws -> Void) throws -> Void) throws {
        if let output {
            do {
                try AtomicFileWriter.write(to: output, body)
            } catch let error as OutputWriteError {
                throw fail("cannot write \(output): \(error.reason)")
            }
        } else {
            let cleaned = isatty(STDOUT_FILENO) == 1 && !colored
            do {
                try body { bytes in
                    if cleaned {
                        try StandardStreams.writeOutput(TextReport.sanitizeForTerminal(String(decoding: bytes, as: UTF8.self)))
                    } else {
                        try StandardStreams.writeOutput(bytes)
                    }
                }
            } catch let error as OutputWriteError {
                throw fail(error)
            }
        }
    }
}
