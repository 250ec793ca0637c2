import ArgumentParser
import Foundation
import TrustAuditCore

struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Interactive SQL shell over the database (read-only unless --write).",
        discussion: """
            Statements end with `;` and may span lines; `.help` lists the dot-commands. On a \
            terminal it has line editing, history (~/.trustaudit_history) and tab completion of \
            table and column names; with a pipe it reads statements from standard input: \
            echo "select * from findings_latest;" | trustaudit shell
            """)

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Allow statements that change the database.")
    var write = false

    @Option(help: "The scan the views show (default: the latest complete scan).")
    var scan: Int64?

    func run() throws {
        let audit = try database.openExisting(writable: write)
        let session: ShellSession
        do {
            session = try ShellSession(database: audit, writable: write, scan: scan)
        } catch {
            throw fail(error)
        }
        let interactive = isatty(STDIN_FILENO) == 1
        if interactive {
            let home = ProcessInfo.processInfo.environment["HOME"]
            let editor = LineEditor(historyPath: home.map { ($0 as NSString).appendingPathComponent(".trustaudit_history") })
            editor.complete = session.completions(for:)
            try say("trustaudit shell on \(audit.path)\(write ? " (writable)" : " (read-only)"); .help for help, .quit to leave")
            while !session.finished {
                session.width = TerminalSize.columns()
                guard let line = editor.readLine(prompt: session.isContinuing ? "   ...> " : "trustaudit> ") else { break }
                editor.add(line)
                try writeOutput(TextReport.sanitizeForTerminal(session.handle(line)))
            }
        } else {
            session.width = TerminalSize.columns()
            var failed = false
            while !session.finished, let line = readLine(strippingNewline: true) {
                let output = session.handle(line)
                if output.hasPrefix("Error: ") {
                    failed = true
                    StandardStreams.writeError(output)
                } else {
                    try writeOutput(output)
                }
            }
            if session.isContinuing {
                try writeOutput(session.handle(";"))
            }
            if failed { throw ExitCode(1) }
        }
    }

    private func writeOutput(_ text: String) throws {
        do {
            try StandardStreams.writeOutput(text)
        } catch {
            throw fail(error)
        }
    }
}
