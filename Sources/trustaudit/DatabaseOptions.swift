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

    /// Opens the database, creating it if needed: for the commands that write a scan.
    func open() throws -> AuditDatabase {
        do {
            return try AuditDatabase.open(path: path)
        } catch {
            throw fail(error)
        }
    }

    /// Opens an existing database for a command that reads it (read-only, creating nothing) or,
    /// with `writable`, changes what is there (`prune`, `shell --write`). A missing file is an error.
    func openExisting(writable: Bool = false) throws -> AuditDatabase {
        do {
            if writable {
                guard FileManager.default.fileExists(atPath: path) else { throw AuditDatabaseError.missing(path: path) }
                return try AuditDatabase.open(path: path)
            }
            return try AuditDatabase.open(path: path, readOnly: true)
        } catch {
            throw fail(error)
        }
    }
}
