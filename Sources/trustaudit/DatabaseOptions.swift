import ArgumentParser
import Foundation
import TrustAuditCore

/// `--db`, shared by every command that reads or writes the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite database file (default: $TRUSTAUDIT_DB, else trustaudit.db in the current folder).", valueName: "path"))
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["TRUSTAUDIT_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "trustaudit.db"
    }

    func open(readOnly: Bool = false) throws -> AuditDatabase {
        do {
            return try AuditDatabase.open(path: path, readOnly: readOnly)
        } catch {
            throw fail(error)
        }
    }
}
